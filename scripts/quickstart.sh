#!/usr/bin/env bash
# Quickstart: set everything up, then refine the sample workbooks in data/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if ! ls data/*.xlsx >/dev/null 2>&1; then
  .venv/bin/hotpass init data
fi
mkdir -p out
.venv/bin/hotpass refine data/*.xlsx --profile aviation --output out/hotpass.xlsx \
  --csv-dir out/csv --parquet-dir out/parquet --workspace workspace
echo
echo "Deliverable: $(pwd)/out/hotpass.xlsx (CSV in out/csv, Parquet in out/parquet, quality report out/quality-report.html)"
