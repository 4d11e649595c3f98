"""What the Review page's records are called, two records compared, and why a pair scored so
(no Streamlit here).

A pair row (``hotpass.review.queue``, or a row of the run's ``pairs`` table) has
the match probability and weight and the weight each comparison added
(``mw_*``); a queue row also has both records' main fields (``name_l``/``name_r``
for organisations, ``full_name_l``/``full_name_r`` for people ...). The records
are those of the run's main entity; a :class:`Subject` says what they are called.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

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










