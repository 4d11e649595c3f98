"""CSV and Parquet straight from a run's DuckDB tables, at DuckDB's speed.

The same rules as the frame writers (:mod:`hotpass.export.flat`), for columns
that already have one type: CSV is UTF-8 with a byte-order mark, ``\\n`` line
endings and minimal quoting; text that a spreadsheet would run as a formula is
neutralised (:func:`hotpass.export.cells.csv_safe`, here as SQL); a CR inside a
cell becomes LF; numbers, booleans (``true``/``false``) and dates are written
plainly. Parquet keeps DuckDB's types. Files are written beside their target
and moved into place only when complete.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hotpass.export.atomic import atomic_path
from hotpass.export.cells import CSV_NUMBER, CSV_TRIGGERS
from hotpass.rundb import RunDB, literal, quote

BOM = b"\xef\xbb\xbf"
_TEXT = ("VARCHAR",)


def safe_sql(column: str) -> str:
    """SQL: the text of ``column`` as :func:`~hotpass.export.cells.csv_safe` makes it, CRs as LFs."""
    triggers = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in CSV_TRIGGERS)
    triggers = triggers.replace("-", "\\-").replace("]", "\\]")
    one_line = f"replace(replace({column}, chr(13) || chr(10), chr(10)), chr(13), chr(10))"
    starts = f"regexp_matches(ltrim({column}, ' '), {literal('^[' + triggers + ']')})"
    number = f"regexp_full_match(trim({column}, ' '), {literal(CSV_NUMBER)})"
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN {starts} AND NOT {number} "
            f"THEN '''' || {one_line} ELSE {one_line} END")


def _select(db: RunDB, query: str) -> str:
    """``query`` with every text column made safe for a spreadsheet."""
    described = db.rows(f"DESCRIBE ({query})")
    parts = []
    for name, kind, *_ in described:
        column = quote(name)
        parts.append(f"{safe_sql(column)} AS {column}" if kind in _TEXT else column)
    return f"SELECT {', '.join(parts)} FROM ({query})"


def copy_csv(db: RunDB, query: str, path: str | Path) -> Path:
    """Write the rows of ``query`` as CSV at ``path`` (see the module docstring)."""
    target = Path(path)
    with atomic_path(target) as temp:
        raw = temp.with_name(temp.name + ".raw")
        try:
            db.execute(f"COPY ({_select(db, query)}) TO {literal(str(raw))} "
                       "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', USE_TMP_FILE false)")
            with open(temp, "wb") as out, open(raw, "rb") as source:
                out.write(BOM)
                shutil.copyfileobj(source, out, 1 << 20)
        finally:
            raw.unlink(missing_ok=True)
    return target


def copy_parquet(db: RunDB, query: str, path: str | Path) -> Path:
    """Write the rows of ``query`` as Parquet at ``path``."""
    target = Path(path)
    with atomic_path(target) as temp:
        db.execute(f"COPY ({query}) TO {literal(str(temp))} (FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)")
    return target
