#!/usr/bin/env bash
# Create .venv and install Hotpass with its test tools, at the exact versions of
# requirements.lock (the ranges are in pyproject.toml; scripts/lock.sh refreshes the lock).
# Safe to run again: it only installs what is missing. Set HOTPASS_PYTHON to choose the interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${HOTPASS_PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "error: Hotpass needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    echo "python venv support is missing; installing python3-venv" >&2
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    rm -rf .venv && "$PYTHON" -m venv .venv
  fi
fi
stamp=.venv/.hotpass-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ requirements.lock -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
  # exactly the versions CI tested (requirements.lock), then Hotpass itself without resolving again
  .venv/bin/python -m pip install -q -r requirements.lock 2>&1 | { grep -v '^WARNING: Location' || true; }
  .venv/bin/python -m pip install -q --no-deps -e . 2>&1 | { grep -v '^WARNING: Location' || true; }
  .venv/bin/python -c 'import hotpass.cli, splink, great_expectations, streamlit' || {
    echo "error: installing Hotpass failed" >&2; exit 1; }
  touch "$stamp"
fi

# Label Studio's server (for `hotpass review push`/`pull` against a local server, and the live test in
# tests/test_labelstudio_live.py) in a venv of its own: it pins Django and many more packages.
# About 2 minutes on first install; skipped when this version is already there.
LABEL_STUDIO_VERSION=1.23.2
ls_stamp=.venv-labelstudio/.installed-$LABEL_STUDIO_VERSION
if [ ! -f "$ls_stamp" ]; then
  echo "installing label-studio $LABEL_STUDIO_VERSION into .venv-labelstudio" >&2
  [ -x .venv-labelstudio/bin/python ] || "$PYTHON" -m venv .venv-labelstudio
  .venv-labelstudio/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
  .venv-labelstudio/bin/python -m pip install -q "label-studio==$LABEL_STUDIO_VERSION" 2>&1 | {
    grep -v '^WARNING: Location' || true; }
  .venv-labelstudio/bin/python -c 'import label_studio, label_studio_sdk' || {
    echo "error: installing label-studio failed" >&2; exit 1; }
  touch "$ls_stamp"
fi
