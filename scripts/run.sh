#!/usr/bin/env bash
# Run the demo office: the queue server on 127.0.0.1:8000 with the embedded SQLite file and demo config.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/python-env.sh
export PATH="$PWD/.venv/bin:$PATH"
if motcua voice --help >/dev/null 2>&1; then
  motcua voice build >/dev/null
fi
exec motcua demo "$@"
