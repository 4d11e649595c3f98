#!/usr/bin/env bash
# Run the whole test suite (unit, property, golden, CLI, bad input, browser).
# Installs what it needs: the venv and packages, and Debian's chromium for browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium for the browser tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: /usr/bin/chromium is missing and we are not root; browser tests will fail" >&2
  fi
fi
export GX_ANALYTICS_ENABLED=false
status=0
# One worker per core, each test file whole on one worker (its module fixtures, such as a
# Streamlit or Label Studio server, start once). `-n 0` after it runs everything in one process.
.venv/bin/python -m pytest -n auto --dist loadfile "$@" || status=$?
if [ "$status" = 5 ]; then
  echo "error: pytest collected no tests" >&2
fi
exit "$status"
