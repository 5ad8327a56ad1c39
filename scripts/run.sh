#!/usr/bin/env bash
# Run the demo office: the queue server on 127.0.0.1:8000 with the embedded SQLite file and demo config,
# and, when a display is available, a kiosk with emulated devices (camera from var/kiosk/camera,
# printer to var/kiosk/ticket.bin) next to it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/python-env.sh
export PATH="$PWD/.venv/bin:$PATH"
motcua voice build >/dev/null   # the board's voice clips, generated offline with espeak-ng
PORT=${PORT:-8000}

if [ -z "${DISPLAY:-}" ]; then
  echo "motcua: no display (DISPLAY is unset): starting the server only; the kiosk needs a screen."
  exec motcua demo --port "$PORT" "$@"
fi

motcua demo --port "$PORT" "$@" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/api/v1/health', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$server" 2>/dev/null || exit 1
  sleep 0.2
done
motcua kiosk --server "http://127.0.0.1:$PORT" --windowed || echo "motcua: the kiosk stopped; the server goes on."
wait "$server"
