"""One run is one DuckDB database: every stage reads named tables and writes named tables.

:class:`RunDB` is the thin seam to DuckDB. Frames go in through Arrow with
explicit types (an all-empty text column stays text), tables come out as
pandas frames only when they are small or about to be written somewhere.
Findings are rows of the ``findings`` table, tagged with the stage that made
them, so a stage run again replaces its own findings and nobody else's.

DuckDB 2.0 leaves a result open after ``fetchone()`` and the next statement
then fails, so this module only ever uses ``fetchall()``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from hotpass.errors import WorkspaceError

#: Columns of the findings table, in order.
FINDING_COLUMNS = ("stage", "code", "severity", "message", "file", "sheet", "row", "column",
                   "original", "new", "rule")
_FINDINGS_SCHEMA = """
CREATE TABLE IF NOT EXISTS findings (
    stage VARCHAR NOT NULL, code VARCHAR NOT NULL, severity VARCHAR NOT NULL, message VARCHAR,
    file VARCHAR, sheet VARCHAR, "row" BIGINT, "column" VARCHAR, original VARCHAR, new VARCHAR,
    rule VARCHAR);
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
"""
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Seconds to keep trying to open a run database another process holds.
WAIT_SECONDS = 10.0


def quote(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _table(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a table name: {name!r}")
    return name


def text_column(values: Iterable) -> pa.Array:
    """Values as an Arrow string array: None and NaN stay null, everything else becomes text."""
    return pa.array([None if v is None or v != v else str(v) for v in values], type=pa.string())


def to_arrow(frame: pd.DataFrame, types: dict[str, pa.DataType] | None = None) -> pa.Table:
    """``frame`` as Arrow: object and string columns as text, numbers and booleans as they are."""
    types = types or {}
    arrays, names = [], []
    for name in frame.columns:
        column = frame[name]
        wanted = types.get(name)
        if wanted is not None:
            arrays.append(pa.array(_plain(column), type=wanted))
        elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            arrays.append(_object_column(column.tolist()))
        else:
            arrays.append(pa.Array.from_pandas(column))
        names.append(str(name))
    return pa.Table.from_arrays(arrays, names=names)


def _object_column(values: list) -> pa.Array:
    """Python values as Arrow, typed as Arrow infers them (text, booleans, integers, numbers, times)
    when they agree, else as text; a column of nothing but missing values is text."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return text_column(values)
    kind = array.type
    if pa.types.is_null(kind):
        return pa.nulls(len(values), type=pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array.cast(pa.string())
    if (pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind)
            or pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
        return array
    return text_column(values)


def _plain(column: pd.Series) -> list:
    return [None if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v
            for v in column.tolist()]


class RunDB:
    """The DuckDB database of one run (a file, or in memory when ``path`` is None)."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False,
                 memory_mb: int | None = None, threads: int | None = None, wait: float = WAIT_SECONDS):
        self.path = Path(path) if path else None
        config = {}
        if memory_mb:
            config["memory_limit"] = f"{int(memory_mb)}MB"
        if threads:
            config["threads"] = int(threads)
        try:
            if self.path is not None and not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = _connect(str(self.path) if self.path else ":memory:", read_only, config, wait)
        except (OSError, duckdb.Error) as exc:
            raise WorkspaceError(f"{self.path or 'run database'}: cannot open ({_first_line(exc)})") from None
        if self.path is not None and not read_only:
            self.con.execute(f"SET temp_directory = {literal(str(self.path.parent / 'spill'))}")
        if not read_only:
            self.con.execute(_FINDINGS_SCHEMA)

    def close(self) -> None:
        """Close the database (tables written so far stay in the file)."""
        self.con.close()

    def __enter__(self) -> RunDB:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading -----------------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence | None = None) -> list[tuple]:
        """Every row of a query."""
        return self.con.execute(sql, list(params or [])).fetchall()

    def value(self, sql: str, params: Sequence | None = None):
        """The first column of the first row of a query (None when there is no row)."""
        found = self.rows(sql, params)
        return found[0][0] if found else None

    def frame(self, sql_or_table: str, params: Sequence | None = None) -> pd.DataFrame:
        """A query or a whole table as a pandas frame; text columns hold ``str`` or None."""
        sql = sql_or_table if " " in sql_or_table.strip() else f"SELECT * FROM {_table(sql_or_table)}"
        return arrow_to_frame(self.arrow(sql, params))

    def arrow(self, sql: str, params: Sequence | None = None) -> pa.Table:
        """A query as an Arrow table."""
        relation = self.con.sql(sql, params=list(params)) if params else self.con.sql(sql)
        return relation.to_arrow_table()

    def has(self, name: str) -> bool:
        """Whether the table (or view) ``name`` exists."""
        return bool(self.rows("SELECT 1 FROM duckdb_tables() WHERE table_name = ? UNION ALL "
                              "SELECT 1 FROM duckdb_views() WHERE view_name = ?", [name, name]))

    def columns(self, name: str) -> list[str]:
        """The column names of a table, in order."""
        return [row[0] for row in self.rows(f"DESCRIBE {_table(name)}")]

    def columns_of(self, query: str) -> list[str]:
        """The column names a query gives."""
        return [row[0] for row in self.rows(f"DESCRIBE ({query})")]

    def count(self, name: str) -> int:
        """How many rows a table holds (0 when it does not exist)."""
        return int(self.value(f"SELECT count(*) FROM {_table(name)}")) if self.has(name) else 0

    def tables(self) -> list[str]:
        """Every table of the run, sorted."""
        return [row[0] for row in self.rows("SELECT table_name FROM duckdb_tables() ORDER BY 1")]

    # --- writing -----------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence | None = None) -> None:
        """Run a statement."""
        self.con.execute(sql, list(params or []))

    def create(self, name: str, select: str, params: Sequence | None = None) -> int:
        """``CREATE OR REPLACE TABLE name AS select``; returns the row count."""
        self.con.execute(f"CREATE OR REPLACE TABLE {_table(name)} AS {select}", list(params or []))
        return self.count(name)

    def write(self, name: str, data: pd.DataFrame | pa.Table,
              types: dict[str, pa.DataType] | None = None) -> int:
        """Store a frame or an Arrow table as table ``name`` (replacing it); returns the row count."""
        table = data if isinstance(data, pa.Table) else to_arrow(data, types)
        view = f"_incoming_{_table(name)}"
        self.con.register(view, table)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {view}")
        finally:
            self.con.unregister(view)
        return table.num_rows

    def drop(self, *names: str) -> None:
        """Drop tables that exist."""
        for name in names:
            self.con.execute(f"DROP TABLE IF EXISTS {_table(name)}")

    # --- findings and metadata ---------------------------------------------------------------

    def clear_findings(self, stage: str) -> None:
        """Forget the findings a stage made (before it runs again)."""
        self.con.execute("DELETE FROM findings WHERE stage = ?", [stage])

    def add_findings(self, stage: str, rows: Iterable[Sequence]) -> int:
        """Append findings given as rows of (code, severity, message, file, sheet, row, column,
        original, new, rule); returns how many."""
        batch = [(stage, *row) for row in rows]
        if not batch:
            return 0
        columns = list(zip(*batch, strict=False))
        arrays = [text_column(c) if i != 6 else pa.array([None if v is None else int(v) for v in c],
                                                          type=pa.int64())
                  for i, c in enumerate(columns)]
        self.write("_new_findings", pa.Table.from_arrays(arrays, names=list(FINDING_COLUMNS)))
        self.con.execute("INSERT INTO findings SELECT * FROM _new_findings")
        self.drop("_new_findings")
        return len(batch)

    def insert_findings(self, stage: str, select: str, params: Sequence | None = None) -> None:
        """Append findings from a query whose columns are (code, severity, message, file, sheet,
        row, column, original, new, rule)."""
        self.con.execute(f"INSERT INTO findings SELECT {literal(stage)}, * FROM ({select})",
                         list(params or []))

    def set_meta(self, key: str, value) -> None:
        """Keep a small JSON value under ``key`` (the request, the summary, the gate)."""
        self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                         [key, json.dumps(value, default=str, sort_keys=True)])

    def meta(self, key: str, default=None):
        """The JSON value kept under ``key``."""
        if not self.has("meta"):
            return default
        found = self.value("SELECT value FROM meta WHERE key = ?", [key])
        return default if found is None else json.loads(found)


def arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as pandas with object text columns (``str`` or None), numbers as numbers."""
    data = {}
    for name, column in zip(table.column_names, table.columns, strict=False):
        kind = column.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
            data[name] = pd.Series(column.to_pylist(), dtype=object)
        elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
            data[name] = pd.Series(column.to_pylist(), dtype=object)
        elif pa.types.is_integer(kind) and column.null_count:
            data[name] = pd.Series(column.to_pylist(), dtype="Int64")
        elif pa.types.is_boolean(kind) and column.null_count:
            data[name] = pd.Series(column.to_pylist(), dtype=object)
        else:
            data[name] = column.to_pandas()
    return pd.DataFrame(data, columns=table.column_names)


def _connect(target: str, read_only: bool, config: dict, wait: float) -> duckdb.DuckDBPyConnection:
    """A connection; while another process holds the file (a run finishing, a reader) try again
    for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(target, read_only=read_only, config=config)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _first_line(exc: Exception) -> str:
    return re.split(r"[\r\n]", str(exc), maxsplit=1)[0]
