#!/usr/bin/env bash
# Quickstart: set everything up, then start the workbench on http://127.0.0.1:8501 with the
# sample workbooks in data/ ready to upload. Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! ls data/*.xlsx >/dev/null 2>&1; then
  .venv/bin/hotpass init data
fi
echo
echo "Sample workbooks to upload: $(pwd)/data/*.xlsx"
echo "Log in as admin: on the first start the password is printed below, once."
echo "Lost it? Run (the workbench may keep running): .venv/bin/hotpass users password admin"
echo "More users: .venv/bin/hotpass users add NAME --role viewer|operator|reviewer|admin"
echo
exec .venv/bin/hotpass app --workspace workspace --port "${HOTPASS_PORT:-8501}"
