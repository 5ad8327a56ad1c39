#!/usr/bin/env bash
# The whole test suite from a fresh machine: system packages, Python packages, lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/python-env.sh
export PATH="$PWD/.venv/bin:$PATH"

if motcua voice --help >/dev/null 2>&1; then
  motcua voice build >/dev/null   # the board's voice clips, generated offline with espeak-ng
fi

echo "motcua: ruff"
ruff check .
ruff format --check .
echo "motcua: import contracts (docs/architecture.md; [tool.importlinter] in pyproject.toml)"
lint-imports --no-cache
echo "motcua: mypy --strict (every package)"
mypy --strict analytics display_board motcua devices kiosk queue_server

if [ -z "${MOTCUA_TEST_POSTGRES_URL:-}" ]; then
  echo "motcua: MOTCUA_TEST_POSTGRES_URL is not set — the PostgreSQL tests will be SKIPPED."
  echo "        (e.g. MOTCUA_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test)"
fi
echo "motcua: pytest"
exec pytest --durations=25 "$@"
