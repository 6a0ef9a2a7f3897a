#!/usr/bin/env bash
# The demo: install feetui into .venv (again only when pyproject.toml changed), build the demo
# community once into .feetui/demo/, start a local sync server and open the counter app on it.
# Usage: scripts/run.sh [--units N] [--lang en_US] [--no-app | --serve] [feetui run options...]
# Everything it does is in feetui/commands/demo_run.py; delete .feetui/demo to start over.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "scripts/run.sh needs Python 3.11 or newer: set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
STAMP=.venv/.feetui-installed
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e .
  touch "$STAMP"
fi
exec .venv/bin/python -m feetui.commands.demo_run "$@"
