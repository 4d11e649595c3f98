"""The review queue for the Review page: filter, page, compare, explain, decide (no Streamlit here).

A queue row is one pending pair of the latest run (``hotpass.review.queue``):
both records' main fields side by side, the one that names a record first
(``name_l``/``name_r`` for organisations, ``full_name_l``/``full_name_r`` for
people ...), the match probability and weight, and the weight each comparison
added (``mw_*``). The records are those of the run's main entity; a
:class:`Subject` says what they are called.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from hotpass import latest_finished, review
from workbench import stored
from workbench.text import fold, is_missing

#: Short labels of the fields the shipped organisation queue shows (others use the profile's).
FIELDS = {"name": "Name", "legal_suffix": "Legal suffix", "source_id": "Source id",
          "phone": "Phone", "email": "Email", "website": "Website", "region": "Region",
          "town": "Town"}
SOURCE = "Source row"
COMPARISONS = {"org_domain": "domain", "legal_suffix": "legal suffix"}
KINDS = {"same": "same {label}", "different": "different {plural}",
         "split": "split out of its cluster", "move": "moved into the other record's cluster"}


@dataclass(frozen=True)
class Subject:
    """What the queue's records are: one of them (``label``), many (``plural``), their fields."""

    label: str = "organisation"
    plural: str = "organisations"
    fields: dict[str, str] = field(default_factory=dict)  # field -> label in the profile

    def kind(self, kind: str) -> str:
        """A decision kind in words ("same person", "different people")."""
        return KINDS[kind].format(label=self.label, plural=self.plural)


def subject_of(profile) -> Subject:
    """The :class:`Subject` of a run of ``profile``: its main entity (organisations when the run
    kept no profile)."""
    if profile is None:
        return Subject()
    main = profile.primary
    return Subject(profile.label(main).lower(), profile.plural(main).replace("_", " "),
                   {name: spec.label for name, spec in profile.fields(main).items() if spec.label})


def subject(ws, run_id: int) -> Subject:
    """The :class:`Subject` of the stored run ``run_id``."""
    with stored.opened(ws, run_id) as result:
        return subject_of(result.profile)


def text(value) -> str:
    """A cell as display text ('' for missing)."""
    return "" if is_missing(value) else str(value)


def shown(queue: pd.DataFrame | pd.Series) -> list[str]:
    """The fields the queue carries for both records (``<field>_l`` and ``<field>_r``), the one
    that names a record first."""
    columns = list(queue.index if isinstance(queue, pd.Series) else queue.columns)
    present = set(columns)
    return [c[:-2] for c in columns if c.endswith("_l") and f"{c[:-2]}_r" in present
            and c not in ("key_l", "source_l")]


def _name(queue: pd.DataFrame | pd.Series) -> str | None:
    fields = shown(queue)
    return fields[0] if fields else None


def filtered(queue: pd.DataFrame, low: float = 0.0, high: float = 1.0,
             needle: str = "") -> pd.DataFrame:
    """Pairs whose probability lies in [low, high] and whose names contain ``needle`` (any case)."""
    keep = queue["match_probability"].astype(float).between(low, high)
    needle = (needle or "").strip().casefold()
    name = _name(queue)
    if needle and name:
        hits = pd.Series(False, index=queue.index)
        for column in (f"{name}_l", f"{name}_r"):
            hits |= queue[column].fillna("").astype(str).str.casefold().str.contains(
                needle, regex=False)
        keep &= hits
    return queue[keep].reset_index(drop=True)


def table(rows: pd.DataFrame) -> pd.DataFrame:
    """One page of pairs as shown in the queue table (each record by its name)."""
    name = _name(rows)
    return pd.DataFrame({
        "probability": rows["match_probability"].astype(float).round(3),
        "record A": [text(v) for v in rows[f"{name}_l"]] if name else "",
        "record B": [text(v) for v in rows[f"{name}_r"]] if name else "",
        "source A": [text(v) for v in rows.get("source_l", [])],
        "source B": [text(v) for v in rows.get("source_r", [])],
    }, index=rows.index)


def compare(row: pd.Series, subject: Subject | None = None) -> pd.DataFrame:
    """The two records field by field (those neither has left out) and whether they differ."""
    labels = (subject or Subject()).fields
    out, used = [], set()
    for name in [*shown(row), "source"]:
        left, right = text(row.get(f"{name}_l")), text(row.get(f"{name}_r"))
        if left or right:
            label = SOURCE if name == "source" else FIELDS.get(name) or labels.get(name) or \
                name.replace("_", " ").capitalize()
            label = f"{label} ({name})" if label in used else label
            used.add(label)
            out.append({"field": label, "record A": left, "record B": right,
                        "differs": fold(left) != fold(right) if name != "source" else False})
    columns = ["field", "record A", "record B", "differs"]
    return pd.DataFrame(out, columns=columns).set_index("field")


def styled(comparison: pd.DataFrame):
    """The comparison as a Styler: differing fields highlighted."""
    def paint(row: pd.Series) -> list[str]:
        colour = "background-color: #fdecc8" if comparison.loc[row.name, "differs"] else ""
        return [colour] * len(row)

    return comparison[["record A", "record B"]].style.apply(paint, axis=1)


def weights(row: pd.Series) -> list[tuple[str, float]]:
    """(comparison, match weight) of each comparison that moved the score, in the model's order."""
    out = []
    for column, value in row.items():
        if str(column).startswith("mw_") and not is_missing(value) and float(value) != 0.0:
            out.append((comparison(str(column)[3:]), float(value)))
    return out


def comparison(name: str) -> str:
    """A comparison's name in words ("name (how common)" for a term-frequency adjustment)."""
    if name.startswith("tf_adj_"):
        return f"{comparison(name[len('tf_adj_'):])} (how common)"
    return COMPARISONS.get(name, name.replace("_", " "))


def prior(row: pd.Series) -> float:
    """The prior match weight: the pair's total less what every comparison added."""
    total = sum(float(v) for c, v in row.items()
                if str(c).startswith("mw_") and not is_missing(v))
    return float(row["match_weight"]) - total


def waterfall(row: pd.Series) -> go.Figure:
    """Why the model scored the pair so: the prior, each comparison's weight, the total."""
    steps = weights(row)
    names = ["prior", *[n for n, _ in steps], "match weight"]
    values = [prior(row), *[w for _, w in steps], 0.0]
    figure = go.Figure(go.Waterfall(
        orientation="v", x=names, y=values,
        measure=["absolute", *["relative"] * len(steps), "total"],
        text=[f"{v:+.1f}" for v in values[:-1]] + [f"{float(row['match_weight']):.1f}"],
        textposition="outside", increasing={"marker": {"color": "#0d9488"}},
        decreasing={"marker": {"color": "#dc2626"}}, totals={"marker": {"color": "#2563eb"}},
        connector={"line": {"color": "#9ca3af"}}))
    figure.update_layout(title="Match weight by comparison (log2 odds)", height=360,
                         showlegend=False, margin={"t": 50, "b": 40, "l": 40, "r": 10},
                         template="plotly_white")
    return figure


def record(ws, kind: str, row: pd.Series, reviewer: str, note: str | None = None,
           side: str = "l") -> int:
    """Store one decision on the pair ``row``; split and move act on record A ('l') or B ('r')."""
    left, right = str(row["key_l"]), str(row["key_r"])
    if kind in ("same", "different"):
        return ws.decide(kind, left, right, reviewer=reviewer, note=note or None)
    key, other = (left, right) if side == "l" else (right, left)
    members = review.cluster_members(ws, key)
    return ws.decide(kind, key, other if kind == "move" else None, members, reviewer,
                     note or None)


def clusters(ws, keys: list[str]) -> list[pd.DataFrame]:
    """For each record key, the records of its cluster in the latest run: key, name, source row."""
    with stored.opened(ws, latest_finished(ws)) as result:
        table = result.clusters
    ident = next((c for c in table.columns if c.endswith("_id")), None)  # <main entity>_id
    out = []
    for key in keys:
        own = table.loc[table["record_key"] == key, ident] if ident else table.iloc[0:0]
        rows = table[table[ident] == own.iloc[0]] if len(own) else table.iloc[0:0]
        out.append(pd.DataFrame({
            "record key": rows.get("record_key", []),
            "name": [text(v) for v in rows.get("name", [None] * len(rows))],
            "source": [f"{text(f)} | {text(s)} | row {text(r)}" for f, s, r in
                       zip(rows.get("source_file", []), rows.get("source_sheet", []),
                           rows.get("source_row", []), strict=True)],
        }).reset_index(drop=True))
    return out


def at_or_above(queue: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Pending pairs with a match probability at or above ``threshold``."""
    return queue[queue["match_probability"].astype(float) >= float(threshold)]


def accept(ws, pairs: pd.DataFrame, reviewer: str, threshold: float) -> list[int]:
    """Record "same" for every pair in ``pairs`` (one decision each); returns the decision ids."""
    note = f"bulk accept: match probability at or above {threshold:.2f}"
    return [ws.decide("same", str(a), str(b), reviewer=reviewer, note=note)
            for a, b in zip(pairs["key_l"], pairs["key_r"], strict=True)]


def mine(ws, reviewer: str, limit: int = 10) -> pd.DataFrame:
    """This reviewer's latest active decisions, newest first."""
    decisions = ws.decisions()
    rows = decisions[decisions["reviewer"] == reviewer].tail(limit).iloc[::-1]
    return pd.DataFrame({
        "decision": rows["decision_id"].astype(int), "kind": rows["kind"],
        "record": rows["record_key"], "other": [text(v) for v in rows["other_key"]],
        "note": [text(v) for v in rows["note"]], "at": rows["created_at"],
    }).reset_index(drop=True)
