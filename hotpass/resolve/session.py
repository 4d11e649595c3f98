"""One Splink session: a private in-memory DuckDB holding the feature table.

The session is the resolver's only seam to Splink and DuckDB. It registers
the feature frame once (as a DuckDB table built from Arrow, so Splink's many
queries do not re-read pandas objects), makes linkers on it, turns Splink's
predictions into a sorted pandas frame, and closes the connection at the end.
Splink's log warnings are collected as notes instead of being printed (the
"splink" logger is redirected while a session is open, then restored).
"""

from __future__ import annotations

import hashlib
import logging
import warnings

import duckdb
import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker
from splink.blocking_analysis import count_comparisons_from_blocking_rules

from hotpass.profile import LIST_COLUMNS
from hotpass.resolve import settings as rs
from hotpass.resolve.features import core_frequencies

TABLE = "hotpass_orgs"


#: Splink warnings that say nothing here (the profile chooses max_pairs on purpose).
#: Up to this many records the candidate pairs are counted exactly; above, from a sample.
EXACT_COUNT_RECORDS = 200_000
#: Share of records on each side of the join that the estimate above that uses.
SAMPLED_PROPORTION = 0.05
#: A blocking rule that finds no pair (a record is never paired with itself).
NO_PAIRS = {"blocking_rule": 'l."unique_id" = r."unique_id"', "sql_dialect": "duckdb"}
_IGNORED = ("You are using the default value for `max_pairs`",)


class _NoteHandler(logging.Handler):
    """Keeps the text of Splink's warnings."""

    def __init__(self, notes: list[str]):
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(record.getMessage().split())
        if text and text not in self.notes and not text.startswith(_IGNORED):
            self.notes.append(text)


class SplinkSession:
    """A DuckDB connection with the feature table, used as a context manager."""

    def __init__(self, frame: pd.DataFrame, spec: rs.ModelSpec):
        self.frame = frame
        self.spec = spec
        self.notes: list[str] = []
        self.skipped: list[tuple[str, int]] = []  # blocking rules left out: (rule, estimated pairs)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._handler = _NoteHandler(self.notes)
        self._logger = logging.getLogger("splink")
        self._saved: tuple[bool, int] | None = None

    def __enter__(self) -> SplinkSession:
        self._saved = (self._logger.propagate, self._logger.level)
        self._logger.addHandler(self._handler)
        self._logger.propagate = False
        self._logger.setLevel(logging.WARNING)
        try:
            self._open()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _open(self) -> None:
        """The connection, the feature table and the name-core frequency table."""
        self._con = duckdb.connect(":memory:")
        self._con.register("hotpass_input", to_arrow(self.frame))
        self._con.execute(f"CREATE TABLE {TABLE} AS SELECT * FROM hotpass_input")
        self._con.unregister("hotpass_input")
        self.db = DuckDBAPI(self._con)
        self.sdf = self.db.register(TABLE, dataset_display_name=TABLE)
        tf_core = core_frequencies(self.frame)
        self.tf_core = self.db.register(tf_core, table_name="hotpass_tf_name_core")

    def __exit__(self, *exc) -> None:
        self._logger.removeHandler(self._handler)
        if self._saved is not None:
            self._logger.propagate, level = self._saved
            self._logger.setLevel(level)
        if self._con is not None:
            self._con.close()
            self._con = None

    def linker(self, model: dict | None = None) -> Linker:
        """A linker on the feature table: untrained settings, or the given model."""
        settings = rs.splink_settings(self.spec) if model is None else model
        linker = Linker(self.sdf, settings, log_level=None)
        linker.table_management.register_term_frequency_lookup(self.tf_core, "name_core")
        return linker

    def predict(self, model: dict) -> pd.DataFrame:
        """Scored pairs at or above the profile's ``predict_floor``, sorted by keys.

        Blocking rules that would take the candidate pairs above the profile's
        ``max_comparisons`` are left out (see :meth:`affordable_rules`);
        ``blocked_by`` still counts rules as the profile lists them.
        """
        rules = model.get("blocking_rules_to_generate_predictions") or []
        kept = self.affordable_rules(rules)
        if len(kept) < len(rules):
            chosen = [rules[i] for i in kept] or [NO_PAIRS]  # Splink needs a rule; this one finds none
            model = {**model, "blocking_rules_to_generate_predictions": chosen}
        linker = self.linker(model)
        predicted = linker.inference.predict(threshold_match_probability=self.spec.predict_floor)
        table = predicted.physical_name
        columns = [row[0] for row in self._con.execute(f"DESCRIBE {table}").fetchall()]
        sql = pairs_sql(table, columns)
        try:
            pairs = self._con.sql(sql).df()
        finally:
            predicted.drop_table_from_database_and_remove_from_cache()
        if len(kept) < len(rules) and "blocked_by" in pairs:
            position = {str(i): str(k) for i, k in enumerate(kept)}  # Splink's match_key is text
            pairs["blocked_by"] = [position.get(str(v), v) for v in pairs["blocked_by"]]
        return pairs

    def affordable_rules(self, rules: list) -> list[int]:
        """Indexes of the blocking rules to predict with: in order, while Splink's sampled estimate
        of the candidate pairs stays within ``max_comparisons``; each rule left out is recorded in
        :attr:`skipped` (rule, its estimated pairs)."""
        if not rules:
            return []
        sample = 1.0 if len(self.frame) <= EXACT_COUNT_RECORDS else SAMPLED_PROPORTION
        with warnings.catch_warnings():  # Splink warns when a sampled estimate rests on few pairs
            warnings.simplefilter("ignore", UserWarning)
            counts = count_comparisons_from_blocking_rules(
                self.sdf, blocking_rules=rules, link_type="dedupe_only", unique_id_column_name="unique_id",
                record_sample_proportion=sample,
            )
        kept, total = [], 0
        for index, record in enumerate(counts):
            extra = int(record["marginal_comparison_count"])
            if total + extra > self.spec.max_comparisons:
                self.skipped.append((record["blocking_rule"], extra))
                continue
            kept.append(index)
            total += extra
        return kept


def digest(frame: pd.DataFrame) -> str:
    """A hash of the feature frame's content (its Arrow IPC bytes)."""
    sink = pa.BufferOutputStream()
    table = to_arrow(frame)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """The feature frame as Arrow: text columns, and lists of text for the list columns."""
    fields = [
        pa.field(c, pa.list_(pa.string()) if c in LIST_COLUMNS else pa.string())
        for c in frame.columns
    ]
    return pa.Table.from_pandas(frame, schema=pa.schema(fields), preserve_index=False)


def pairs_sql(table: str, columns: list[str]) -> str:
    """Select and sort Splink's predictions.

    Keeps the per-comparison match weights (``mw_<comparison>``, and
    ``mw_tf_adj_<comparison>`` for term-frequency adjustments) and the
    comparison levels (``gamma_<comparison>``); they sum, with the prior, to
    ``match_weight``.
    """
    weights = ", ".join(c for c in columns if c.startswith("mw_"))
    gammas = ", ".join(c for c in columns if c.startswith("gamma_"))
    return f"""
        SELECT least(unique_id_l, unique_id_r) AS key_l,
               greatest(unique_id_l, unique_id_r) AS key_r,
               match_probability, match_weight, {weights}, {gammas}, match_key AS blocked_by
        FROM {table}
        ORDER BY key_l, key_r
    """
