"""One Splink session on the run's own DuckDB connection.

The session is the resolver's only seam to Splink. It registers the run's
``match_features`` table (no pandas round trip), makes linkers on it, writes
Splink's predictions as the sorted table ``scored_pairs``, and drops the
working tables Splink made when it ends.
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

from hotpass.resolve import settings as rs
from hotpass.resolve.features import TABLE
from hotpass.rundb import RunDB

SCORED = "scored_pairs"
TF_CORE = "hotpass_tf_name_core"


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

    def __init__(self, db: RunDB, spec: rs.ModelSpec, tf_core: pd.DataFrame | None):
        self.db = db
        self.records = db.count(TABLE)
        self.spec = spec
        self.tf_core_frame = tf_core
        self.notes: list[str] = []
        self.skipped: list[tuple[str, int]] = []  # blocking rules left out: (rule, estimated pairs)
        self._before: set[str] = set()
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
        """Splink's view of the run database, the feature table and the name-core frequencies."""
        self._before = set(self.db.tables())
        self.api = DuckDBAPI(self.db.con)
        self.sdf = self.api.register(TABLE, dataset_display_name=TABLE)
        self.tf_core = self.api.register(self.tf_core_frame, table_name=TF_CORE) \
            if self.tf_core_frame is not None else None

    def __exit__(self, *exc) -> None:
        self._logger.removeHandler(self._handler)
        if self._saved is not None:
            self._logger.propagate, level = self._saved
            self._logger.setLevel(level)
        for table in set(self.db.tables()) - self._before - {SCORED}:
            if table.startswith(("__splink", "hotpass_tf")):
                self.db.drop(table)
        if self.tf_core_frame is not None:
            try:  # the frequency frame is registered with the connection, not stored
                self.db.con.unregister(TF_CORE)
            except duckdb.Error:
                pass

    def linker(self, model: dict | None = None) -> Linker:
        """A linker on the feature table: untrained settings, or the given model."""
        settings = rs.splink_settings(self.spec) if model is None else model
        linker = Linker(self.sdf, settings, log_level=None)
        if self.tf_core is not None:
            linker.table_management.register_term_frequency_lookup(self.tf_core, "name_core")
        return linker

    def predict(self, model: dict) -> int:
        """Table ``scored_pairs``: pairs at or above the profile's ``predict_floor``, sorted by keys;
        returns how many.

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
        position = {str(i): str(k) for i, k in enumerate(kept)} if len(kept) < len(rules) else {}
        try:
            count = self.db.create(SCORED, pairs_sql(table, self.db.columns(table), position))
        finally:
            predicted.drop_table_from_database_and_remove_from_cache()
        return count

    def affordable_rules(self, rules: list) -> list[int]:
        """Indexes of the blocking rules to predict with: in order, while Splink's sampled estimate
        of the candidate pairs stays within ``max_comparisons``; each rule left out is recorded in
        :attr:`skipped` (rule, its estimated pairs)."""
        if not rules:
            return []
        sample = 1.0 if self.records <= EXACT_COUNT_RECORDS else SAMPLED_PROPORTION
        with warnings.catch_warnings():  # Splink warns when a sampled estimate rests on few pairs
            warnings.simplefilter("ignore", UserWarning)
            counts = count_comparisons_from_blocking_rules(
                self.sdf, blocking_rules=rules, link_type=self.spec.link_type, unique_id_column_name="unique_id",
                record_sample_proportion=sample,
                **({"source_dataset_column_name": "source_dataset"} if self.spec.link_type != "dedupe_only"
                   else {}),
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


def digest(db: RunDB) -> str:
    """A hash of the feature table's content (its Arrow IPC bytes, in record order)."""
    sink = pa.BufferOutputStream()
    table = db.arrow(f"SELECT * FROM {TABLE}")
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def pairs_sql(table: str, columns: list[str], position: dict[str, str] | None = None) -> str:
    """Select and sort Splink's predictions.

    Keeps the per-comparison match weights (``mw_<comparison>``, and
    ``mw_tf_adj_<comparison>`` for term-frequency adjustments) and the
    comparison levels (``gamma_<comparison>``); they sum, with the prior, to
    ``match_weight``.
    """
    weights = ", ".join(c for c in columns if c.startswith("mw_"))
    gammas = ", ".join(c for c in columns if c.startswith("gamma_"))
    blocked = "match_key"
    if position:  # rules left out: blocked_by keeps the profile's numbering
        cases = " ".join(f"WHEN '{i}' THEN '{k}'" for i, k in position.items())
        blocked = f"CASE match_key::VARCHAR {cases} ELSE match_key::VARCHAR END"
    return f"""
        SELECT least(unique_id_l, unique_id_r) AS key_l,
               greatest(unique_id_l, unique_id_r) AS key_r,
               match_probability, match_weight, {weights}, {gammas}, {blocked} AS blocked_by
        FROM {table}
        ORDER BY key_l, key_r
    """
