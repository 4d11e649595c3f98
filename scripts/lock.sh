#!/usr/bin/env bash
# Refresh requirements.lock: install the newest versions pyproject.toml allows into a fresh
# virtual environment, run nothing else, and write what was installed. Review the diff, run
# the tests, then commit both files.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${HOTPASS_PYTHON:-python3}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
"$tmp/venv/bin/python" -m pip install -q '.[dev]'
{
  echo "# Exact versions of every package Hotpass and its tests install (CI tested these)."
  echo "# Made from the versions in pyproject.toml by: bash scripts/lock.sh"
  echo "# scripts/setup.sh installs from this file, then Hotpass itself without resolving again."
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^hotpass'
} > requirements.lock
echo "wrote requirements.lock ($(grep -vc '^#' requirements.lock) packages)"
