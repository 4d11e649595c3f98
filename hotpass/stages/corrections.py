"""Stage ``corrections``: data subjects' corrections applied to their golden records.

A correction (``hotpass subject correct``; :func:`hotpass.privacy.dsar.correct`)
is kept in the workspace as the suppression list's HMACs of the person's email,
phone or name, with a field and its new value. Here each golden record of a
personal entity (one with a person's name field) is hashed the same way (its
email and phone fields, ``*_other`` included, and its name) and every
correction whose hashes it matches sets the field; the field's provenance
names the rule ``correction:<id>``. Later corrections of the same field win.
The meta value ``corrections`` counts what was applied (ids and counts only).
"""

from __future__ import annotations

from hotpass.privacy import dsar, suppression
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import RunDB, literal, quote
from hotpass.stages.names import golden_table, id_column, layout

KINDS = {"email": "email", "phone": "phone", "person_name": "name", "persons": "name"}
NAME_KINDS = ("person_name", "persons", "first_name", "last_name")


def run(run: Run, profile: Profile) -> int:
    """Stage ``corrections`` (see the module docstring); returns the number of fields corrected."""
    if run.workspace is None or getattr(run.workspace, "read_only", False):
        return 0
    wanted = dsar.corrections(run.workspace)
    applied: dict[int, int] = {}
    if wanted:
        for entity in layout(profile).entities:
            kinds = {f: s.kind for f, s in profile.fields(entity).items()}
            if run.db.has(golden_table(entity)) and any(k in NAME_KINDS for k in kinds.values()):
                for correction_id, count in _entity(run, entity, kinds, wanted).items():
                    applied[correction_id] = applied.get(correction_id, 0) + count
    run.db.set_meta("corrections", {"applied": {str(k): v for k, v in applied.items()}})
    return sum(applied.values())


def _entity(run: Run, entity: str, kinds: dict[str, str], wanted: list[dict]) -> dict[int, int]:
    """Apply the corrections to one entity's golden records; correction id -> records changed."""
    db = run.db
    table, key = golden_table(entity), id_column(entity)
    present = set(db.columns(table))
    hashed = _hashes(run, db, table, key, kinds, present)
    applied = {}
    for correction in wanted:
        field = correction["field"]
        ids = sorted(i for i, found in hashed.items() if found & set(correction["key_digests"]))
        if not ids or field not in present:
            continue
        listed = ", ".join(literal(i) for i in ids)
        db.execute(f"UPDATE {table} SET {quote(field)} = ? WHERE {quote(key)} IN ({listed})", [correction["value"]])
        if db.has("provenance"):
            db.execute(f"DELETE FROM provenance WHERE record_kind = ? AND field = ? AND record_id IN ({listed})",
                       [entity, field])
            columns = db.columns("provenance")
            for record_id in ids:
                row = {"record_kind": entity, "record_id": record_id, "field": field, "value": correction["value"],
                       "rule": f"correction:{correction['correction_id']}"}
                db.execute(f"INSERT INTO provenance ({', '.join(quote(c) for c in row if c in columns)}) "
                           f"VALUES ({', '.join('?' for c in row if c in columns)})",
                           [v for c, v in row.items() if c in columns])
        applied[int(correction["correction_id"])] = len(ids)
    return applied


def _hashes(run: Run, db: RunDB, table: str, key: str, kinds: dict[str, str], present: set[str]) -> dict[str, set]:
    """Golden id -> the HMACs of its emails, phones and name."""
    out: dict[str, set] = {}
    for field, kind in kinds.items():
        if kind not in KINDS:
            continue
        for column in (field, f"{field}_other"):
            if column not in present:
                continue
            rows = db.rows(f"SELECT {quote(key)}, {quote(column)} FROM {table} WHERE {quote(column)} IS NOT NULL")
            parts = {v: [p for p in str(v).split("; ") if p.strip()] for _, v in rows}
            found = suppression.digests(run.workspace, KINDS[kind], {p for ps in parts.values() for p in ps})
            for record_id, value in rows:
                out.setdefault(record_id, set()).update(h for p in parts[value] for h in found[p])
    return out
