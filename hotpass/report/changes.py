"""The report's "What changed" section: changes against the previous run, counted per kind, with the
first few of each kind.

Built from the run's ``changes`` table (see :mod:`hotpass.changes`); absent
(``None``) on a first run, so the section is not drawn at all. Values before
and after a field change are masked like the report's other examples; the
other kinds are described by ids, files, sheets and rows only.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from hotpass.report import grids as g
from hotpass.report import values as v
from hotpass.report.charts import label
from hotpass.report.count_charts import count_bars
from hotpass.text import is_missing

#: Changes of each kind listed in the report (the Changes sheet and changes.csv have them all).
ROWS_PER_KIND = 10
#: Each kind of change, as the report names it, in the order the changes table has them.
KIND_LABELS = {"cluster_merged": "Clusters merged", "cluster_split": "Clusters split",
               "record_moved": "Records moved", "record_added": "Records added",
               "record_removed": "Records removed", "field_changed": "Fields changed",
               "enrichment_applied": "Enrichments applied"}
#: Kinds whose message quotes values (shown as masked before/after instead).
_VALUED = ("field_changed", "enrichment_applied")


def build(refined, profile, masker) -> dict | None:
    """``{"since", "total", "counts", "rows", "rows_per_kind"}`` of ``refined``'s changes; None on
    a first run (no previous run to compare with)."""
    since = getattr(refined, "changes_since", None)
    frame = getattr(refined, "changes", None) if since is not None else None
    if since is None or frame is None:
        return None
    counts = frame["kind"].value_counts() if len(frame) else pd.Series(dtype="int64")
    kinds = [k for k in KIND_LABELS if k in counts] + sorted(set(counts.index) - set(KIND_LABELS))
    shown = frame.groupby("kind", sort=False).head(ROWS_PER_KIND) if len(frame) else frame
    return {
        "since": int(since),
        "total": len(frame),
        "counts": {kind: int(counts[kind]) for kind in kinds},
        "rows": [_row(row, profile, masker) for row in shown.to_dict("records")],
        "rows_per_kind": ROWS_PER_KIND,
    }


def _row(row: dict, profile, masker) -> dict:
    kind, entity, field = row.get("kind"), _text(row.get("entity")), _text(row.get("field"))
    fields = profile.fields(entity) if entity in getattr(profile, "entities", {}) else {}
    value_kind = fields[field].kind if field in fields else "text"
    return {
        "kind": kind, "entity": entity, "golden_id": _text(row.get("golden_id")),
        "previous_id": _text(row.get("previous_id")), "record_key": _text(row.get("record_key")),
        "field": field,
        "before": masker.mask(row.get("before"), value_kind) if kind in _VALUED else None,
        "after": masker.mask(row.get("after"), value_kind) if kind in _VALUED else None,
        "detail": None if kind in _VALUED else _text(row.get("message")),
    }


def _text(value) -> str | None:
    return None if is_missing(value) else str(value)


# --- rendering -----------------------------------------------------------------------------------


def present(report: Mapping) -> bool:
    """Whether the report compares with a previous run (a first run's report has no section)."""
    return isinstance(report.get("changes") if isinstance(report, Mapping) else None, Mapping)


def counts(report: Mapping) -> g.Grid:
    """Changes per kind since the previous run."""
    data = v.section(report, "changes")
    body = [[KIND_LABELS.get(str(kind), v.label(kind)), v.count(amount)]
            for kind, amount in v.section(data, "counts").items()]
    since = data.get("since")
    caption = f"Since run {v.text(since)}" if since is not None else ""
    return g.Grid(["Change", "Count"], body, numeric=(1,), caption=caption)


def examples(report: Mapping) -> g.Grid:
    """The first changes of each kind."""
    data = v.section(report, "changes")
    body = [[KIND_LABELS.get(v.text(r.get("kind")), v.label(r.get("kind"))), v.text(r.get("entity")),
             v.text(r.get("golden_id")), v.text(r.get("previous_id")), v.text(r.get("record_key")),
             v.text(r.get("field")), v.text(r.get("before")), v.text(r.get("after")),
             v.text(r.get("detail"))]
            for r in v.rows(data, "rows")]
    per_kind = v.count(data.get("rows_per_kind"))
    caption = f"The first {per_kind} of each kind (the Changes sheet and changes.csv list them all)"
    headers = ["Change", "Entity", "Record now", "Record before", "Source record", "Field", "Before",
               "After", "Detail"]
    return g.Grid(headers, body, code=(6, 7), caption=caption)


def chart(report: Mapping):
    """Changes per kind as bars (None when nothing changed)."""
    found = v.section(v.section(report, "changes"), "counts")
    shown = [(label(KIND_LABELS.get(str(k), v.label(k))), v.number(n))
             for k, n in found.items() if v.number(n)]
    if not shown:
        return None
    return count_bars([name for name, _ in shown], [n for _, n in shown], ["#2563eb"] * len(shown))
