"""Stage ``merge``: golden organisations and contacts, each field saying where it came from.

One golden organisation per cluster (id ``ORG-`` and the first twelve
characters of the cluster's smallest record key), in order of first
appearance in the sources. Contacts attach to the golden organisation of
their organisation record and are deduplicated within it: two contact
records are the same person when they share an email address or a mobile
number and their names agree (or one has no name), or when their full names
agree; a shared office line never joins two people. A person's id is
``CON-`` and a hash of their smallest record key.

Fields are chosen by :mod:`hotpass.stages.survivorship`. Writes
``golden_organisation``, ``golden_contact``, ``provenance`` (record_kind,
record_id, field, value, rule, source file, sheet, row, record key) and
``conflicts`` (organisation_id, field, values).
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from hotpass.normalise import name_key
from hotpass.profile import Profile
from hotpass.resolve import CLUSTERS
from hotpass.run import Run
from hotpass.rundb import RunDB, literal, quote, text_column
from hotpass.stages import survivorship
from hotpass.stages.names import (
    CONTACT,
    ORG,
    entity_table,
    golden_table,
    id_column,
    layout,
    member_table,
    records_table,
)
from hotpass.text import fold, is_missing

SKIP = {"record_id", "record_key", "source_file", "source_sha256", "source_sheet", "source_row", "org_record"}
NAMES = ("full_name", "first_name", "last_name")


def run(run: Run, profile: Profile) -> int:
    """Stage ``merge`` (see the module docstring); returns the number of golden records."""
    db = run.db
    lay = layout(profile)
    db.drop("provenance")  # every entity appends to it: a stage run again starts it afresh
    _priorities(db, lay.entities, profile)
    if lay.organisation:
        organisations(db, profile)
    if lay.contact:
        contacts(db, profile)
    for entity in lay.generic:
        standalone(db, profile, entity)
    db.drop("_priorities")
    return sum(db.count(golden_table(e)) for e in lay.entities)


def conflicts_table(entity: str) -> str:
    """Where the fields an entity's merged records disagreed on are listed."""
    return "conflicts" if entity == ORG else f"conflicts_{entity}"


def _priorities(db: RunDB, entities: tuple[str, ...], profile: Profile) -> None:
    union = " UNION ".join(f"SELECT DISTINCT source_file FROM {records_table(e)}" for e in entities)
    files = [r[0] for r in db.rows(union)] if union else []
    db.write("_priorities", pd.DataFrame({"source_file": files,
                                          "priority": [profile.priority_of(f) for f in files]}),
             types={"source_file": pa.string(), "priority": pa.int64()})


def _filled(fields: list[str]) -> str:
    return " + ".join(f"(t.{quote(f)} IS NOT NULL)::INT" for f in fields) or "0"


def _recency(columns: list[str]) -> str:
    return "coalesce(t.last_interaction, '')" if "last_interaction" in columns else "''"


# --- organisations ----------------------------------------------------------------------------


def organisations(db: RunDB, profile: Profile) -> None:
    """``golden_organisation``, its provenance and conflicts, and ``member_of``."""
    _standalone(db, profile, ORG, CLUSTERS, "member_of")


def standalone(db: RunDB, profile: Profile, entity: str) -> None:
    """``golden_<entity>`` of an entity that stands alone, its provenance, conflicts and members."""
    _standalone(db, profile, entity, entity_table(CLUSTERS, profile, entity), member_table(entity))


def _standalone(db: RunDB, profile: Profile, entity: str, clusters: str, members: str) -> None:
    """One golden record per cluster of ``clusters`` (id ``<prefix>-`` and the first twelve
    characters of the cluster's smallest record key), in order of first appearance."""
    table = records_table(entity)
    columns = db.columns(table)
    fields = {f: s.kind for f, s in profile.fields(entity).items() if f in columns}
    cluster = "coalesce(c.cluster_id, t.record_key)"
    gid = (f"{literal(profile.id_prefix(entity) + '-')} || upper(left(CASE WHEN contains({cluster}, ':') THEN "
           f"substr({cluster}, strpos({cluster}, ':') + 1) ELSE {cluster} END, 12))")
    db.create("_m", f"""
        SELECT {gid} AS gid, row_number() OVER (ORDER BY t.record_id) AS r_order, t.*,
               p.priority AS _priority, {_filled(list(fields))} AS _filled, {_recency(columns)} AS _recency
        FROM {table} t LEFT JOIN {clusters} c USING (record_key) JOIN _priorities p USING (source_file)""")
    survivorship.rank(db, "_m", fields, profile.merge.rule_order, profile.phone_region)
    ranked = set(fields) | {f"{f}_other" for f in fields}
    carried = [c for c in columns if c not in ranked and c not in SKIP and not c.startswith("_")]
    _golden(db, entity, fields, carried, "max(m.gid)")
    _conflicts(db, entity, fields)
    _provenance(db, entity, fields)
    db.execute(f"CREATE OR REPLACE TABLE {members} AS SELECT record_id, record_key, gid AS {id_column(entity)} "
               "FROM _m ORDER BY r_order")
    db.drop("_m", "_ranked", "_winners")


def _golden(db: RunDB, entity: str, fields: dict[str, str], carried: list[str], parent: str | None) -> None:
    """``golden_<entity>``: one row per gid of ``_m``, in order of first appearance."""
    wide = survivorship.wide(db, fields, survivorship.fields_with_values(db))
    extra = ""
    columns = [f"g.gid AS {id_column(entity)}", *(["g.parent AS organisation_id"] if entity == CONTACT else []),
               *_wide_columns(db, fields)]
    if carried:
        pivots = ", ".join(f"string_agg(v, '; ' ORDER BY first) FILTER (WHERE col = {literal(c)}) "
                           f"AS {quote(c)}" for c in carried)
        unpivot = " UNION ALL ".join(f"SELECT gid, {literal(c)} AS col, {quote(c)} AS v, r_order FROM _m "
                                     f"WHERE {quote(c)} IS NOT NULL" for c in carried)
        db.create("_carried", f"""SELECT gid, {pivots} FROM (SELECT gid, col, v, min(r_order) AS first
                                   FROM ({unpivot}) GROUP BY ALL) GROUP BY gid""")
        extra = " LEFT JOIN _carried x USING (gid)"
        columns += [f"x.{quote(c)}" for c in carried]
    columns += ["NULL::VARCHAR AS conflicts"] if entity != CONTACT else []
    columns += ["g.source_count", "g.source_rows", "g.record_keys"]
    db.create(golden_table(entity), f"""
        WITH g AS (SELECT gid, min(r_order) AS first, {parent or 'NULL'} AS parent, count(*) AS source_count,
                          string_agg(source_file || ' | ' || source_sheet || ' | row ' || source_row, '; '
                                     ORDER BY r_order) AS source_rows,
                          string_agg(record_key, '; ' ORDER BY r_order) AS record_keys
                   FROM _m m GROUP BY gid),
             w AS (SELECT gid, {wide or 'NULL AS _none'} FROM _winners GROUP BY gid)
        SELECT {', '.join(columns)}
        FROM g LEFT JOIN w USING (gid){extra} ORDER BY g.first""")
    db.drop("_carried")


def _wide_columns(db: RunDB, fields: dict[str, str]) -> list[str]:
    present = survivorship.fields_with_values(db)
    out = []
    for name, kind in fields.items():
        out.append(f"w.{quote(name)}" if present else f"NULL::VARCHAR AS {quote(name)}")
        if kind in survivorship.MULTI_KINDS and name in present:
            out.append(f"w.{quote(name + '_other')}")
    return out


def _conflicts(db: RunDB, entity: str, fields: dict[str, str]) -> None:
    """The conflicts table and ``conflicts`` column: fields (not multi-valued) whose members disagreed."""
    position = " ".join(f"WHEN {literal(f)} THEN {i}" for i, f in enumerate(fields)) or "WHEN NULL THEN 0"
    multi = ", ".join(literal(k) for k in survivorship.MULTI_KINDS)
    ident, table = id_column(entity), conflicts_table(entity)
    db.create(table, f"""
        SELECT w.gid AS {ident}, w.field, w.conflict AS "values"
        FROM _winners w JOIN (SELECT gid, min(r_order) AS first FROM _m GROUP BY gid) g USING (gid)
        WHERE w.conflict IS NOT NULL AND w.kind NOT IN ({multi})
        ORDER BY g.first, CASE w.field {position} END""")
    db.execute(f"""UPDATE {golden_table(entity)} t SET conflicts = c.fields FROM (
                   SELECT {ident}, string_agg(field, ', ' ORDER BY CASE field {position} END) AS fields
                   FROM {table} GROUP BY {ident}) c WHERE c.{ident} = t.{ident}""")


def _provenance(db: RunDB, entity: str, fields: dict[str, str]) -> None:
    """Append the winners' provenance to ``provenance`` (golden record order, then field order)."""
    position = " ".join(f"WHEN {literal(f)} THEN {i}" for i, f in enumerate(fields))
    order = "min(person_order)" if entity == CONTACT else "min(r_order)"
    select = f"""
        SELECT {literal(entity)} AS record_kind, w.gid AS record_id, w.field, w.value, w.rule,
               w.source_file, w.source_sheet, w.source_row, w.record_key
        FROM _winners w JOIN (SELECT gid, {order} AS first FROM _m GROUP BY gid) g USING (gid)
        ORDER BY g.first, CASE w.field {position or 'WHEN NULL THEN 0'} END"""
    if not db.has("provenance"):
        db.create("provenance", select)
    else:
        db.execute(f"INSERT INTO provenance {select}")


# --- contacts ---------------------------------------------------------------------------------


def contacts(db: RunDB, profile: Profile) -> None:
    """``golden_contact`` and its provenance: one per person per organisation."""
    table = records_table(CONTACT)
    columns = db.columns(table)
    fields = {f: s.kind for f, s in profile.contact_fields.items() if f in columns}
    _people(db, table, columns, [f for f, spec in profile.contact_fields.items() if spec.identifies])
    db.create("_m", f"""
        SELECT {literal(profile.id_prefix(CONTACT) + '-')} || upper(left(sha1(min(t.record_key)
                   OVER (PARTITION BY pg.person)), 12)) AS gid,
               pg.person_order, row_number() OVER (ORDER BY t.record_id) AS r_order, t.*,
               mo.organisation_id AS parent_id, p.priority AS _priority, {_filled(list(fields))} AS _filled,
               {_recency(columns)} AS _recency
        FROM {table} t JOIN _person_groups pg USING (record_id)
        LEFT JOIN member_of mo ON mo.record_id = t.org_record
        JOIN _priorities p USING (source_file)""")
    survivorship.rank(db, "_m", fields, profile.merge.rule_order, profile.phone_region)
    _golden(db, CONTACT, fields, [], "min(m.parent_id)")
    db.create("contact_member_of", "SELECT record_id, record_key, gid AS contact_id FROM _m ORDER BY r_order")
    db.execute(f"""CREATE OR REPLACE TABLE {golden_table(CONTACT)} AS SELECT c.* FROM {golden_table(CONTACT)} c
                   JOIN (SELECT gid, min(person_order) AS o FROM _m GROUP BY gid) g ON g.gid = c.contact_id
                   ORDER BY g.o""")
    _provenance(db, CONTACT, fields)
    db.drop("_m", "_ranked", "_winners", "_person_groups")


def _people(db: RunDB, table: str, columns: list[str], identifying: list[str]) -> None:
    """``_person_groups``: record_id, person (a group number) and person_order (where the person
    comes in the output: linked people by organisation, then in order of first appearance)."""
    wanted = [*identifying, *NAMES]
    select = ", ".join(f"t.{quote(c)}" if c in columns else f"NULL AS {quote(c)}" for c in wanted)
    rows = db.rows(f"SELECT t.record_id, mo.organisation_id, {select} FROM {table} t "
                   f"LEFT JOIN member_of mo ON mo.record_id = t.org_record ORDER BY t.record_id")
    by_org: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        if row[1] is not None:
            by_org.setdefault(row[1], []).append(i)
    person = [0] * len(rows)
    order = [0] * len(rows)
    next_person = 0
    for members in by_org.values():
        for group in _group_people([dict(zip(wanted, rows[i][2:], strict=True)) for i in members], identifying):
            for j in group:
                person[members[j]] = next_person
                order[members[j]] = next_person
            next_person += 1
    for i, row in enumerate(rows):
        if row[1] is None:
            person[i] = order[i] = next_person
            next_person += 1
    db.write("_person_groups", pa.Table.from_arrays(
        [text_column([r[0] for r in rows]), pa.array(person, type=pa.int64()), pa.array(order, type=pa.int64())],
        names=["record_id", "person", "person_order"]))


def _names_agree(a: dict, b: dict) -> bool:
    na, nb = a.get("full_name"), b.get("full_name")
    if is_missing(na) or is_missing(nb):
        return True
    if name_key(na) == name_key(nb):
        return True
    la, lb = fold(a.get("last_name")), fold(b.get("last_name"))
    fa, fb = fold(a.get("first_name"))[:1], fold(b.get("first_name"))[:1]
    return bool(la) and la == lb and fa == fb


def _group_people(rows: list[dict], identifying: list[str]) -> list[list[int]]:
    """One organisation's contact rows grouped into people (union-find over safe links), each group
    as row positions, groups in order of first row."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        keys = [(f, str(row[f]).lower()) for f in identifying if not is_missing(row.get(f))]
        if not is_missing(row.get("full_name")):
            keys.append(("name", name_key(row["full_name"])))
        for key in keys:
            j = seen.setdefault(key, i)
            if j != i and (key[0] == "name" or _names_agree(rows[find(j)], row)):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())
