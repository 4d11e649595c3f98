"""Stage ``measure``: completeness and validity of the raw input, for the before/after scorecard.

The same strict checks score the refined output (:func:`measure`): a phone
must be E.164, an email an address, a website an http(s) URL, a region one of
the profile's canonical names; any other filled value counts as valid. Both
are SQL over the run's tables, so the scorecard compares like with like.
"""

from __future__ import annotations

import pandas as pd

from hotpass.profile import Profile
from hotpass.quality import EMAIL, WEBSITE, FieldMeasure
from hotpass.run import Run
from hotpass.rundb import RunDB, literal, quote
from hotpass.stages.names import raw_table

E164 = r"\+[1-9][0-9]{6,14}"
MEASURE_COLUMNS = ["table", "field", "kind", "rows", "filled", "valid"]


def _pattern(python_pattern: str) -> str:
    return python_pattern.removeprefix("^").removesuffix("$")


def _valid(column: str, kind: str, profile: Profile) -> str:
    text = f"trim({column})"
    if kind == "phone":
        return f"regexp_full_match({text}, {literal(E164)})"
    if kind in ("email", "website"):
        pattern = _pattern(EMAIL if kind == "email" else WEBSITE)
        return f"regexp_full_match({text}, {literal(pattern)}, 'i')"
    if kind == "region" and profile.region_aliases:
        names = ", ".join(literal(r) for r in profile.region_aliases)
        return f"{text} IN ({names})"
    return "true"


def measure(db: RunDB, table: str, name: str, profile: Profile) -> list[FieldMeasure]:
    """Completeness and validity of every scored field of ``name`` (an entity's plural) that table
    ``table`` has."""
    entity = profile.entity_of_table(name)
    if entity is None:
        return []
    specs = profile.fields(entity)
    scored = profile.entity(entity).quality_fields
    present = set(db.columns(table)) if db.has(table) else set()
    wanted = [f for f in scored if f in present and f in specs]
    if not wanted:
        return []
    parts = []
    for field in wanted:
        column = quote(field)
        filled = f"({column} IS NOT NULL AND trim({column}) <> '')"
        parts.append(f"count(*) FILTER (WHERE {filled}), "
                     f"count(*) FILTER (WHERE {filled} AND {_valid(column, specs[field].kind, profile)})")
    row = db.rows(f"SELECT count(*), {', '.join(parts)} FROM {table}")[0]
    rows = int(row[0])
    return [FieldMeasure(name, f, specs[f].kind, rows, int(row[1 + 2 * i]), int(row[2 + 2 * i]))
            for i, f in enumerate(wanted)]


def to_frame(measures: list[FieldMeasure]) -> pd.DataFrame:
    """Measures as a frame with :data:`MEASURE_COLUMNS`."""
    return pd.DataFrame([(m.table, m.field, m.kind, m.rows, m.filled, m.valid) for m in measures],
                        columns=MEASURE_COLUMNS)


def from_frame(frame: pd.DataFrame) -> list[FieldMeasure]:
    """Measures from :func:`to_frame`'s output."""
    return [FieldMeasure(t, f, k, int(r), int(fi), int(v)) for t, f, k, r, fi, v in
            frame[MEASURE_COLUMNS].itertuples(index=False, name=None)]


def raw(run: Run, profile: Profile) -> int:
    """Stage ``measure``: table ``raw_measures`` of the records as read."""
    found = [m for entity in profile.entities
             for m in measure(run.db, raw_table(entity), profile.plural(entity), profile)]
    frame = to_frame(found)
    run.db.write("raw_measures", frame)
    return len(frame)
