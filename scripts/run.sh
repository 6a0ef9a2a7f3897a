#!/usr/bin/env bash
# Install feetui into .venv, build the demo community (once), start a local sync server and open
# the counter app on it. Usage: scripts/run.sh [feetui options...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/python -m feetui.commands.demo_run "$@"
