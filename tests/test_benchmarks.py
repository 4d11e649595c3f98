"""The benchmark scripts still run (numbers are not checked here: speed lives in benchmarks/)."""

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_the_pipeline_benchmark_measures_every_stage_and_the_bare_libraries(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import bench_pipeline

    result = bench_pipeline.run(300, 7, tmp_path)
    from hotpass.pipeline import STAGE_NAMES

    assert list(result["stages"]) == STAGE_NAMES
    assert all(s["seconds"] >= 0 and s["peak_rss_mb"] > 0 for s in result["stages"].values())
    assert set(result["ratios"]) == {"ingest / calamine", "resolve / bare splink", "export / bare xlsxwriter"}
    assert all(r > 0 for r in result["ratios"].values())
    assert result["workbook_cells"] > 0 and (tmp_path / "bare.xlsx").exists()
    assert (tmp_path / "out" / "out.xlsx").exists()
    assert result["rerun_after_decisions"]["seconds"] > 0
    bench_pipeline.report(result)  # prints without failing
    sys.modules.pop("bench_pipeline", None)
