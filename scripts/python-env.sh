#!/usr/bin/env bash
# Create .venv and install motcua with every extra, only when pyproject.toml changed since last time.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "motcua: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.motcua-installed
wanted=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "motcua: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[all]'
  echo "$wanted" > "$stamp"
fi
