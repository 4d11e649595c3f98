"""Library pieces the workbench needs that the public API (``hotpass``) does not offer yet.

The only module of the app that imports below the facade; each name here
says what the facade should offer instead (tests/test_workbench_imports.py
fails as soon as it does, so this module shrinks to nothing).
"""

from __future__ import annotations

from pathlib import Path

from hotpass.report import charts, count_charts  # facade: report_charts
from hotpass.rundb import RunDB, literal, quote  # facade: export_tables
from hotpass.stages.deliver import write_flat  # facade: export_tables

#: Facade name -> what this module reaches for meanwhile.
WAITING = {"export_tables": ("hotpass.rundb", "hotpass.stages.deliver"),
           "report_charts": ("hotpass.report",)}

CHARTS = (("Completeness: filled share per field", charts.completeness),
          ("Validity: valid share of filled values", charts.validity),
          ("Quality scores", charts.scores), ("Duplicates", count_charts.duplicates),
          ("Raw input against refined output", count_charts.scorecard),
          ("Findings by code", count_charts.findings), ("Enrichment", count_charts.enrichment))


def export_tables(result, kind: str, directory: Path) -> list[Path]:
    """Every deliverable table of a stored run (a ``hotpass.RunResult``, open read-only) as CSV or
    Parquet files in ``directory``, as ``--csv-dir``/``--parquet-dir`` write them; what
    ``hotpass.export_tables(result, kind, directory)`` should do.

    The library's writer stages a table in the database it is given, so it is given an in-memory
    one that sees the run's tables through views (the run itself stays read-only)."""
    with RunDB(None) as scratch:
        scratch.drop("findings", "meta")
        scratch.execute(f"ATTACH {literal(str(result.db.path))} AS run (READ_ONLY)")
        for (name,) in scratch.rows("SELECT table_name FROM duckdb_tables() "
                                    "WHERE database_name = 'run'"):
            scratch.execute(f"CREATE VIEW {quote(name)} AS SELECT * FROM run.{quote(name)}")
        return write_flat(scratch, kind, directory)


def report_charts(report: dict) -> list[tuple[str, object]]:
    """(title, plotly figure) of each chart the quality report has data for, in report order;
    what ``hotpass.report_charts(report)`` should do."""
    drawn = [(title, make(report)) for title, make in CHARTS]
    return [(title, figure) for title, figure in drawn if figure is not None]
