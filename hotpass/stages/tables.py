"""Stage ``tables``: the deliverable's tables, built from the golden records and resolution.

``out_organisations`` and ``out_contacts`` (with the organisation's name)
are the golden records; ``out_clusters`` has one row per organisation record
(its golden organisation, cluster size, best match inside the cluster and the
people's say); ``out_review`` is the review queue with both records' main
fields and source rows side by side; ``out_source_map`` traces every source
row to the golden records it fed. Each is sorted the way an operator reads it.
"""

from __future__ import annotations

from hotpass.profile import Profile
from hotpass.resolve import PAIRS, REVIEW
from hotpass.run import Run
from hotpass.rundb import RunDB, literal, quote
from hotpass.stages.names import (
    CONTACT,
    ORG,
    golden_table,
    id_column,
    layout,
    member_table,
    out_table,
    records_table,
)

REVIEW_FIELDS = ("name", "legal_suffix", "phone", "email", "website", "region", "town", "source_id")
#: How many of an entity's fields the Review sheet shows side by side when it has no built-in list.
REVIEW_WIDTH = 8


def build(run: Run, profile: Profile) -> int:
    """Stage ``tables`` (see the module docstring); returns the number of source map rows."""
    db = run.db
    lay = layout(profile)
    if lay.organisation:
        db.create("out_organisations", f"SELECT * FROM {golden_table(ORG)}")
    if lay.contact:
        contacts(db)
    for entity in lay.generic:
        db.create(out_table(profile, entity), f"SELECT * FROM {golden_table(entity)}")
    db.set_meta("entity_tables", [[profile.plural(e), out_table(profile, e), e] for e in lay.entities])
    primary = profile.primary
    clusters(db, primary, _members(primary), _name_field(profile, primary))
    review(db, primary, _review_fields(profile, primary))
    return source_map(db, profile)


def _members(entity: str) -> str:
    return "member_of" if entity == ORG else member_table(entity)


def _name_field(profile: Profile, entity: str) -> str | None:
    return profile.entity(entity).name_field()


def _review_fields(profile: Profile, entity: str) -> list[str]:
    """The fields the Review sheet shows for both records of a pair."""
    if entity == ORG:
        return list(REVIEW_FIELDS)
    spec = profile.entity(entity)
    compared = [c.field for c in spec.resolution.comparisons if not isinstance(c, str)]
    named = [f for f in (spec.name_field(),) if f]
    return list(dict.fromkeys([*named, *compared, *spec.fields]))[:REVIEW_WIDTH]


def contacts(db: RunDB) -> None:
    """``out_contacts``: golden contacts with their organisation's name after its id."""
    columns = [c for c in db.columns(golden_table(CONTACT)) if c not in ("contact_id", "organisation_id")]
    rest = ", ".join(f"c.{quote(c)}" for c in columns)
    db.create("out_contacts", f"""
        SELECT c.contact_id, c.organisation_id, o.name AS organisation_name, {rest}
        FROM {golden_table(CONTACT)} c LEFT JOIN {golden_table(ORG)} o USING (organisation_id)
        ORDER BY c.rowid""")


def source_map(db: RunDB, profile: Profile) -> int:
    """``out_source_map``: every source row and the golden records it fed."""
    lay = layout(profile)
    parts = []
    if lay.organisation:
        parts.append(f"""
            SELECT o.source_file, o.source_sheet, o.source_row, 'organisation' AS record_kind,
                   m.organisation_id, NULL::VARCHAR AS contact_id, 0 AS part, o.record_id
            FROM {records_table(ORG)} o JOIN member_of m USING (record_id)""")
    if lay.contact:
        parts.append(f"""
            SELECT c.source_file, c.source_sheet, c.source_row, 'contact' AS record_kind, m.organisation_id,
                   k.contact_id, 1 AS part, c.record_id
            FROM {records_table(CONTACT)} c LEFT JOIN member_of m ON m.record_id = c.org_record
            LEFT JOIN contact_member_of k ON k.record_id = c.record_id""")
    for i, entity in enumerate(lay.generic, start=2):
        parts.append(f"""
            SELECT r.source_file, r.source_sheet, r.source_row, {literal(entity)} AS record_kind,
                   m.{id_column(entity)}, {i} AS part, r.record_id
            FROM {records_table(entity)} r JOIN {member_table(entity)} m USING (record_id)""")
    ids = [c for c in dict.fromkeys(["organisation_id"] * lay.organisation + ["contact_id"] * lay.contact
                                    + [id_column(e) for e in lay.generic])]
    union = " UNION ALL BY NAME ".join(parts)
    return db.create("out_source_map", f"""
        SELECT source_file, source_sheet, source_row, record_kind, {', '.join(ids)} FROM ({union})
        ORDER BY source_file, source_sheet, source_row, record_kind, part, record_id""")


def decided_keys(db: RunDB) -> str:
    """SQL: each record key's latest active decision (kind, reviewer) from the ``decisions`` table."""
    if not db.has("decisions"):
        return "SELECT NULL::VARCHAR AS key, NULL::VARCHAR AS kind, NULL::VARCHAR AS reviewer WHERE false"
    return """
        SELECT key, arg_max(kind, decision_id) AS kind, arg_max(reviewer, decision_id) AS reviewer FROM (
            SELECT record_key AS key, kind, reviewer, decision_id FROM decisions WHERE record_key IS NOT NULL
            UNION ALL
            SELECT other_key, kind, reviewer, decision_id FROM decisions WHERE other_key IS NOT NULL)
        GROUP BY key"""


def clusters(db: RunDB, entity: str = ORG, members: str = "member_of", name_field: str | None = "name") -> None:
    """``out_clusters``: one row per record of ``entity`` with its cluster and the people's say."""
    table, ident = records_table(entity), id_column(entity)
    name = f"o.{quote(name_field)}" if name_field and name_field in db.columns(table) else "NULL::VARCHAR"
    db.create("out_clusters", f"""
        WITH best AS (
            SELECT key, max(p) AS p FROM (
                SELECT p.key_l AS key, p.match_probability AS p FROM {PAIRS} p
                JOIN {members} a ON a.record_key = p.key_l JOIN {members} b ON b.record_key = p.key_r
                WHERE a.{ident} = b.{ident}
                UNION ALL
                SELECT p.key_r, p.match_probability FROM {PAIRS} p
                JOIN {members} a ON a.record_key = p.key_l JOIN {members} b ON b.record_key = p.key_r
                WHERE a.{ident} = b.{ident}) GROUP BY key),
        decided AS ({decided_keys(db)})
        SELECT m.{ident}, count(*) OVER (PARTITION BY m.{ident}) AS cluster_size, o.record_key,
               o.source_file, o.source_sheet, o.source_row, {name} AS name, best.p AS best_match_probability,
               d.kind AS decision, d.reviewer
        FROM {table} o JOIN {members} m USING (record_id)
        LEFT JOIN best ON best.key = o.record_key LEFT JOIN decided d ON d.key = o.record_key
        ORDER BY m.{ident}, o.source_file, o.source_sheet, o.source_row, o.record_id""")


def review(db: RunDB, entity: str = ORG, fields: list[str] | tuple[str, ...] = REVIEW_FIELDS) -> None:
    """``out_review``: the review queue with both records' source rows and main fields."""
    table = records_table(entity)
    present = [f for f in fields if f in db.columns(table)]
    sides = []
    for side in ("l", "r"):
        sides.append(f"{side}.source_file || ' | ' || {side}.source_sheet || ' | row ' || {side}.source_row "
                     f"AS source_{side}")
        sides += [f"{side}.{quote(f)} AS {quote(f + '_' + side)}" for f in present]
    db.create("out_review", f"""
        SELECT q.*, {', '.join(sides)}
        FROM {REVIEW} q JOIN {table} l ON l.record_key = q.key_l
        JOIN {table} r ON r.record_key = q.key_r
        ORDER BY abs(q.match_weight), q.key_l, q.key_r""")


def sheet_columns(db: RunDB, table: str = "out_review") -> list[str]:
    """The Review sheet's columns: keys, probability and weight, both sides, each comparison's weight."""
    columns = db.columns(table)
    sides = [c for c in columns if c.endswith(("_l", "_r")) and c not in ("key_l", "key_r")]
    weights = [c for c in columns if c.startswith("mw_")]
    return ["key_l", "key_r", "match_probability", "match_weight", *sides, *weights]


__all__ = ["REVIEW_FIELDS", "build", "decided_keys", "literal", "sheet_columns"]
