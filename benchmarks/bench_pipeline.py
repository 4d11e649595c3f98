"""Refine generated sample workbooks and print rows/s and peak memory per stage.

    .venv/bin/python benchmarks/bench_pipeline.py --rows 100000

Generates the synthetic workbooks (not timed), then runs each stage on its own
and prints a table; the numbers go to benchmarks/results/pipeline-<rows>.json.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, measure, peak_children_mb, save  # noqa: E402


def run(rows: int, seed: int, workdir: Path) -> dict:
    from hotpass import outputs
    from hotpass.assess import assess, raw_measures
    from hotpass.report import write_report
    from hotpass.report.build import build_report
    from hotpass.pipeline import (assign_keys, map_sources, merge_records, normalise_records, read_sources,
                                  resolve_records)
    from hotpass.profile import load_profile
    from hotpass.records import build_records, link_contacts
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
    return {"rows": rows, "generate_seconds": round(generated, 1), "stages": stages,
            "total_seconds": round(total, 2), "end_to_end_rows_per_s": round(rows / total),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in stages.values()),
            "peak_parser_child_mb": round(peak_children_mb(), 1),
            "findings": len(refined.findings), "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.rows, args.seed, Path(tmp))
    print(f"{'stage':<10} {'seconds':>8} {'rows/s':>10} {'peak MB':>8}")
    for name, s in result["stages"].items():
        print(f"{name:<10} {s['seconds']:>8.2f} {s['rows_per_s']:>10,} {s['peak_rss_mb']:>8.0f}")
    print(f"total {result['total_seconds']:.1f} s for {args.rows:,} source rows "
          f"({result['end_to_end_rows_per_s']:,} rows/s); peak RSS {result['peak_rss_mb']:.0f} MB, "
          f"parser child peak {result['peak_parser_child_mb']:.0f} MB")
    print(f"results: {save(f'pipeline-{args.rows}', result)}")


if __name__ == "__main__":
    main()
