"""Refine generated sample workbooks at several sizes: seconds, rows/s and peak memory per stage,
and the same work done by the bare libraries in the same run.

    .venv/bin/python benchmarks/bench_pipeline.py                      # 1k, 10k and 100k source rows
    .venv/bin/python benchmarks/bench_pipeline.py --rows 1000000       # one size

Each size runs in a fresh process: it generates the three synthetic workbooks
(not timed), then runs every stage of a refine on its own (ingest, map,
records, normalise, link+keys, resolve, merge, tables, validate, export,
report). Peak memory is the resident memory of that process and its workers
(the isolated parser, normalising workers), sampled every 20 ms. After the
stages, the same run times the bare libraries on the same work:

- calamine reading every sheet of the three workbooks (``to_python``),
- Splink with the resolver's settings on the same feature frame,
- plain xlsxwriter (constant_memory) writing the same workbook tables with the
  same header and number formats,

and prints each stage's ratio to them. Results go to
benchmarks/results/pipeline-<rows>.json; docs/performance.md summarises them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, save, tree_rss_mb  # noqa: E402
from common import measure as _measure  # noqa: E402

#: Targets of the scale issue on a 2-core, 24 GB machine: (seconds, peak MB) end to end.
TARGETS = {100_000: (90, 2048), 1_000_000: (480, 6144)}
#: The export stage may take at most this multiple of the bare xlsxwriter write.
EXPORT_RATIO_TARGET = 1.3


@contextmanager
def measure(results: dict, name: str, rows: int):
    """Time a stage (see common.measure) and say so on stderr at once, so a run stopped by the
    memory guard still shows how far it got."""
    with _measure(results, name, rows):
        yield
    s = results[name]
    print(f"  {name}: {s['seconds']:.1f} s, peak {s['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)


def guard(limit_mb: float) -> None:
    """Stop this process (exit 3) when it and its workers hold more than ``limit_mb``: the machine
    must not run out of memory on a benchmark."""

    def watch() -> None:
        while True:
            used = tree_rss_mb()
            if used > limit_mb:
                print(f"  memory guard: {used:,.0f} MB > {limit_mb:,.0f} MB, stopped", file=sys.stderr, flush=True)
                os._exit(3)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True).start()


def run(rows: int, seed: int, workdir: Path) -> dict:
    """Every stage at ``rows`` source rows, then the bare libraries; the numbers as a dict."""
    from hotpass import outputs
    from hotpass.assess import assess, raw_measures
    from hotpass.pipeline import (
        assign_keys,
        map_sources,
        merge_records,
        normalise_records,
        read_sources,
        resolve_records,
    )
    from hotpass.profile import load_profile
    from hotpass.records import build_records, link_contacts
    from hotpass.report import write_report
    from hotpass.report.build import build_report
    from hotpass.samples import generate_samples

    start = time.perf_counter()
    samples = generate_samples(workdir / "in", rows=rows, seed=seed)
    generated = time.perf_counter() - start
    profile = load_profile("aviation")
    stages: dict = {}
    with measure(stages, "ingest", rows):
        workbooks = read_sources(samples.files, profile)
    with measure(stages, "map", rows):
        sheets, mappings = map_sources(workbooks, profile)
    with measure(stages, "records", rows):
        records = build_records(sheets, mappings, profile)
        raw = raw_measures(records, profile)
    n_records = len(records.organisations) + len(records.contacts)
    with measure(stages, "normalise", n_records):
        normalise_records(records, profile)
    with measure(stages, "link+keys", n_records):
        link_contacts(records, profile)
        assign_keys(records, profile)
    n_orgs = len(records.organisations)
    with measure(stages, "resolve", n_orgs):
        resolution = resolve_records(records, profile)
    with measure(stages, "merge", n_records):
        merged = merge_records(records, resolution, profile)
    with measure(stages, "tables", n_records):
        refined = outputs.build(records, sheets, mappings, profile, resolution, merged)
    with measure(stages, "validate", n_records):
        assess(refined, profile, raw)
    with measure(stages, "export", n_records):
        outputs.write_xlsx(refined, workdir / "out.xlsx")
    with measure(stages, "report", n_records):
        write_report(build_report(refined, profile), workdir / "report")
    total = sum(s["seconds"] for s in stages.values())
    cut: list = []
    sheet_tables = outputs.tables(refined, workbook=True, cut=cut)
    cells = sum(int(t.frame.notna().sum().sum()) for t in sheet_tables)
    bare = _bare(samples.files, records, profile, sheet_tables, workdir)
    del refined, merged, resolution, records, sheets, workbooks
    return {
        "rows": rows, "seed": seed, "generate_seconds": round(generated, 1), "stages": stages,
        "total_seconds": round(total, 2), "end_to_end_rows_per_s": round(rows / total),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in stages.values()),
        "workbook_cells": cells, "workbook_sheets_cut": [name for name, _ in cut],
        "bare": bare,
        "ratios": {
            "ingest / calamine": round(stages["ingest"]["seconds"] / bare["calamine_read"]["seconds"], 2),
            "resolve / bare splink": round(stages["resolve"]["seconds"] / bare["splink"]["seconds"], 2),
            "export / bare xlsxwriter": round(stages["export"]["seconds"] / bare["xlsxwriter"]["seconds"], 2),
        },
        "machine": machine(),
    }


def _bare(files: list[Path], records, profile, sheet_tables: list, workdir: Path) -> dict:
    """The bare libraries doing the same work as ingest, resolve and export."""
    import bench_resolve
    from bench_export import bare_tables
    from python_calamine import CalamineWorkbook

    from hotpass.resolve import features

    out: dict = {}
    with measure(out, "calamine_read", 0):
        cells = 0
        for path in files:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                cells += sum(len(r) for r in book.get_sheet_by_name(name).to_python())
    out["calamine_read"]["cells"] = cells
    from hotpass.resolve import settings as rs
    from hotpass.resolve.session import SplinkSession

    frame = features(records.organisations, profile, records.contacts)
    spec = rs.ModelSpec.from_profile(profile)
    rules = rs.splink_settings(spec).create_settings_dict("duckdb")["blocking_rules_to_generate_predictions"]
    with SplinkSession(frame, spec) as session:  # the rules resolve kept under resolution.max_comparisons
        kept = [rules[i] for i in session.affordable_rules(rules)]
    out["blocking_rules_kept"] = f"{len(kept)} of {len(rules)}"
    bench_resolve._DATA.update(profile=profile, features=frame, blocking_rules=kept)
    out["splink"] = bench_resolve.run_bare()["stage"]
    bench_resolve._DATA.clear()
    with measure(out, "xlsxwriter", 0):
        bare_tables(workdir / "bare.xlsx", sheet_tables)
    return out


def report(result: dict) -> None:
    """Print one size's stages, ratios and targets."""
    rows = result["rows"]
    print(f"\n{rows:,} source rows (generated in {result['generate_seconds']} s, not timed)")
    print(f"{'stage':<10} {'seconds':>8} {'rows':>10} {'rows/s':>10} {'peak MB':>8}")
    for name, s in result["stages"].items():
        print(f"{name:<10} {s['seconds']:>8.2f} {s['rows']:>10,} {s['rows_per_s'] or 0:>10,} {s['peak_rss_mb']:>8.0f}")
    print(f"end to end {result['total_seconds']:.1f} s ({result['end_to_end_rows_per_s']:,} source rows/s), "
          f"peak {result['peak_rss_mb']:.0f} MB; workbook {result['workbook_cells']:,} cells")
    bare = result["bare"]
    print(f"bare: calamine {bare['calamine_read']['seconds']:.2f} s, Splink {bare['splink']['seconds']:.2f} s, "
          f"xlsxwriter {bare['xlsxwriter']['seconds']:.2f} s (blocking rules kept: {bare['blocking_rules_kept']})")
    for name, ratio in result["ratios"].items():
        print(f"ratio {name}: {ratio:.2f}x")
    export_ok = result["ratios"]["export / bare xlsxwriter"] <= EXPORT_RATIO_TARGET
    print(f"target export <= {EXPORT_RATIO_TARGET}x bare xlsxwriter: {'met' if export_ok else 'NOT met'}")
    if rows in TARGETS:
        seconds, mb = TARGETS[rows]
        met = result["total_seconds"] <= seconds and result["peak_rss_mb"] <= mb
        print(f"target {rows:,} rows end to end <= {seconds} s and <= {mb} MB: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-mb", type=float, default=20_000,
                        help="Stop a size whose process tree holds more memory than this (default 20,000).")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # internal: this process runs one size
    args = parser.parse_args()
    if args.one:
        guard(args.max_mb)
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run(args.rows[0], args.seed, Path(tmp))))
        return
    for rows in args.rows:
        print(f"{rows:,} source rows:", file=sys.stderr, flush=True)
        child = subprocess.run([sys.executable, __file__, "--one", "--rows", str(rows), "--seed", str(args.seed),
                                "--max-mb", str(args.max_mb)], stdout=subprocess.PIPE, text=True)
        if child.returncode != 0:
            print(f"{rows:,} source rows: stopped (exit {child.returncode}); stages so far are above")
            continue
        result = json.loads(child.stdout.strip().splitlines()[-1])
        report(result)
        print(f"results: {save(f'pipeline-{rows}', result)}")


if __name__ == "__main__":
    main()
