"""What changed between two runs: clusters merged and split, records moved, added and removed,
fields changed and enrichments applied.

The previous run's database is attached read-only to the current run's
connection, so the comparison is SQL over both. Golden records are matched
between runs by their member record keys (a golden id changes when its
members change): each record key present in both runs links its previous
golden record to its current one. A record edited in place gets a new key
(keys hash what a record says); a new key and a vanished key on the same row
of the same sheet of the same file family are taken as one record.

From the links, per entity:

- ``cluster_merged``: a current golden record whose members came from two or
  more previous ones, each of which went wholly into it;
- ``cluster_split``: a previous golden record whose members went to two or more
  current ones, each made only of its members;
- ``record_moved``: any other record that changed golden record, apart from
  those that stayed with the largest part of their previous golden record;
- ``record_added`` / ``record_removed``: keys found in one run only;
- ``field_changed``: a field of a golden record matched one to one whose value
  changed (merged and split records are not compared field by field);
- ``enrichment_applied``: a value from an approved enrichment the previous run
  did not apply (it is not also listed as a field change).

Contacts are grouped within their organisation, so they follow its clusters:
only their records and fields are compared.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from hotpass.errors import WorkspaceError
from hotpass.keys import file_family
from hotpass.rundb import RunDB, literal, quote
from hotpass.stages.names import CONTACT, ORG, golden_table, id_column, member_table, records_table

TABLE = "changes"
KINDS = ("cluster_merged", "cluster_split", "record_moved", "record_added", "record_removed", "field_changed",
         "enrichment_applied")
COLUMNS = ["kind", "entity", "golden_id", "previous_id", "record_key", "field", "before", "after", "message"]
#: Golden columns that are bookkeeping, not what a record says.
BOOKKEEPING = ("source_count", "source_rows", "record_keys")
_PREVIOUS, _CURRENT = "_previous", "_current"
_TEMP = ("_chg_members", "_chg_families", "_chg_ident", "_chg_edges", "_chg_pairs", "_chg_fields", "_chg_enriched")


def compare(db: RunDB, previous: str | Path) -> int:
    """Write the ``changes`` table of ``db``'s run against the run database ``previous``
    (attached read-only); returns the number of changes."""
    _attach(db, previous, _PREVIOUS)
    try:
        return _write(db, db.value("SELECT current_database()"), _PREVIOUS)
    finally:
        db.execute(f"DETACH {_PREVIOUS}")


def run_changes(previous_db: str | Path, current_db: str | Path) -> pd.DataFrame:
    """The changes from the run stored in ``previous_db`` to the one in ``current_db`` (both run
    database files, opened read-only), one row per change."""
    with RunDB() as db:
        _attach(db, current_db, _CURRENT)
        _attach(db, previous_db, _PREVIOUS)
        _write(db, _CURRENT, _PREVIOUS)
        return db.frame(TABLE)


def _attach(db: RunDB, path: str | Path, name: str) -> None:
    """Attach the run database ``path`` read-only as ``name``; WorkspaceError when it cannot be read."""
    try:
        db.execute(f"ATTACH {literal(str(path))} AS {name} (READ_ONLY)")
    except duckdb.Error as exc:
        raise WorkspaceError(f"{path}: cannot read ({str(exc).splitlines()[0][:200]})") from None


def empty(db: RunDB) -> int:
    """An empty ``changes`` table (a first run)."""
    columns = ", ".join(f"NULL::VARCHAR AS {c}" for c in COLUMNS)
    return db.create(TABLE, f"SELECT {columns} WHERE false")


def counts(db: RunDB) -> dict[str, int]:
    """Changes per kind, in :data:`KINDS` order (kinds with none left out)."""
    found = dict(db.rows(f"SELECT kind, count(*) FROM {TABLE} GROUP BY kind"))
    return {kind: int(found[kind]) for kind in KINDS if kind in found}


# --- the comparison --------------------------------------------------------------------------------


def _write(db: RunDB, cur: str, prev: str) -> int:
    entities = [e for e in _entities(db, cur) if _has(db, prev, golden_table(e)) and _has(db, prev, members_of(e))]
    if not entities:
        return empty(db)
    try:
        _members(db, entities, cur, prev)
        _links(db)
        _fields(db, entities, cur, prev)
        _enriched(db, cur, prev)
        parts = [_merged(), _split(), _moved(), _added(), _removed(), _changed(), _enrichments()]
        order = ", ".join(literal(k) for k in KINDS)
        return db.create(TABLE, f"""
            SELECT {', '.join(COLUMNS)} FROM ({' UNION ALL BY NAME '.join(parts)})
            ORDER BY list_position([{order}], kind), entity, golden_id, previous_id, record_key, field""")
    finally:
        db.drop(*_TEMP)


def members_of(entity: str) -> str:
    """The table of an entity's record keys and golden ids."""
    return {ORG: "member_of", CONTACT: "contact_member_of"}.get(entity, member_table(entity))


def _entities(db: RunDB, cur: str) -> list[str]:
    stored = db.value(f"SELECT value FROM {cur}.main.meta WHERE key = 'entity_tables'")
    return [row[2] for row in json.loads(stored)] if stored else [ORG, CONTACT]


def _has(db: RunDB, catalog: str, table: str) -> bool:
    return bool(db.rows("SELECT 1 FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                        [catalog, table]))


def _members(db: RunDB, entities: list[str], cur: str, prev: str) -> None:
    """``_chg_ident``: every record of both runs (side c or p) with its golden id and the key it
    is matched by (a record edited in place takes the key it had)."""
    parts = [f"""SELECT {literal(side)} AS side, {literal(e)} AS entity, m.{quote(id_column(e))} AS gid,
                        m.record_key AS key, r.source_file AS file, r.source_sheet AS sheet, r.source_row AS row
                 FROM {cat}.main.{members_of(e)} m JOIN {cat}.main.{records_table(e)} r USING (record_id)"""
             for e in entities for side, cat in (("c", cur), ("p", prev))]
    db.create("_chg_members", " UNION ALL ".join(parts))
    files = [row[0] for row in db.rows("SELECT DISTINCT file FROM _chg_members WHERE file IS NOT NULL")]
    db.write("_chg_families", pd.DataFrame({"file": files, "family": [file_family(f) for f in files]}, dtype=object))
    db.create("_chg_ident", """
        WITH m AS (SELECT m.*, f.family FROM _chg_members m LEFT JOIN _chg_families f USING (file)),
        lone AS (SELECT m.*, count(*) OVER (PARTITION BY side, entity, family, sheet, row) AS on_row FROM m
                 WHERE NOT EXISTS (SELECT 1 FROM m x WHERE x.side <> m.side AND x.entity = m.entity
                                   AND x.key = m.key)),
        alias AS (SELECT n.entity, n.key, g.key AS old FROM lone n JOIN lone g
                  ON n.side = 'c' AND g.side = 'p' AND g.entity = n.entity AND g.family = n.family
                     AND g.sheet = n.sheet AND g.row = n.row
                  WHERE n.on_row = 1 AND g.on_row = 1)
        SELECT m.side, m.entity, m.gid, m.key, coalesce(a.old, m.key) AS ident, m.file, m.sheet, m.row
        FROM m LEFT JOIN alias a ON m.side = 'c' AND a.entity = m.entity AND a.key = m.key""")


def _links(db: RunDB) -> None:
    """``_chg_edges``: previous golden id -> current golden id with the records they share, and
    what kind of link it is (one to one, part of a merge, of a split, or tangled: records moved)."""
    db.create("_chg_edges", """
        WITH e AS (SELECT c.entity, p.gid AS pid, c.gid AS cid, count(*) AS n
                   FROM _chg_ident c JOIN _chg_ident p ON p.side = 'p' AND p.entity = c.entity AND p.ident = c.ident
                   WHERE c.side = 'c' GROUP BY ALL),
        f AS (SELECT *, count(*) OVER (PARTITION BY entity, cid) AS pids,
                     count(*) OVER (PARTITION BY entity, pid) AS cids FROM e)
        SELECT *, pids = 1 AND cids = 1 AS one,
               pids > 1 AND max(cids) OVER (PARTITION BY entity, cid) = 1 AS merge,
               cids > 1 AND max(pids) OVER (PARTITION BY entity, pid) = 1 AS split,
               row_number() OVER (PARTITION BY entity, pid ORDER BY n DESC, cid) = 1 AS main
        FROM f""")


def _fields(db: RunDB, entities: list[str], cur: str, prev: str) -> None:
    """``_chg_fields``: every field whose value changed on a golden record matched one to one (the
    pairs that differ at all are found in one join, then their fields compared one by one)."""
    db.create("_chg_fields", "SELECT NULL::VARCHAR AS entity, NULL::VARCHAR AS cid, NULL::VARCHAR AS pid, "
                             "NULL::VARCHAR AS field, NULL::VARCHAR AS before, NULL::VARCHAR AS after WHERE false")
    ids = {id_column(e) for e in entities}
    for e in entities:
        table, ident = golden_table(e), quote(id_column(e))
        before = db.columns_of(f"SELECT * FROM {prev}.main.{table}")
        common = [c for c in db.columns_of(f"SELECT * FROM {cur}.main.{table}")
                  if c in before and c not in ids and c not in BOOKKEEPING]
        if not common:
            continue
        sides = ", ".join(f"{s}.{quote(c)}::VARCHAR AS {quote(s + str(i))}"
                          for i, c in enumerate(common) for s in ("p", "c"))
        db.create("_chg_pairs", f"""
            SELECT e.entity, e.cid, e.pid, {sides}
            FROM _chg_edges e JOIN {prev}.main.{table} p ON p.{ident} = e.pid
            JOIN {cur}.main.{table} c ON c.{ident} = e.cid
            WHERE e.one AND e.entity = {literal(e)}
              AND {_row('p', common)} IS DISTINCT FROM {_row('c', common)}""")
        parts = [f"""SELECT entity, cid, pid, {literal(c)} AS field, p{i} AS before, c{i} AS after FROM _chg_pairs
                     WHERE p{i} IS DISTINCT FROM c{i}""" for i, c in enumerate(common)]
        db.execute(f"INSERT INTO _chg_fields {' UNION ALL '.join(parts)}")


def _row(side: str, columns: list[str]) -> str:
    return "row(" + ", ".join(f"{side}.{quote(c)}::VARCHAR" for c in columns) + ")"


def _enriched(db: RunDB, cur: str, prev: str) -> None:
    """``_chg_enriched``: enrichment values the current run applied that the previous one did not
    apply to the golden records it links to."""
    db.create("_chg_enriched", f"""
        SELECT c.record_kind AS entity, c.record_id AS cid, c.field, c.value, c.rule
        FROM {cur}.main.provenance c
        WHERE c.rule LIKE 'enrichment:%' AND NOT EXISTS (
            SELECT 1 FROM _chg_edges e JOIN {prev}.main.provenance p
                ON p.record_kind = e.entity AND p.record_id = e.pid
            WHERE e.entity = c.record_kind AND e.cid = c.record_id AND p.field = c.field
              AND p.value IS NOT DISTINCT FROM c.value AND p.rule = c.rule)""")


# --- one query per kind ----------------------------------------------------------------------------

_WHERE = "concat_ws(' | ', {t}.file, {t}.sheet, 'row ' || {t}.row)"


def _merged() -> str:
    return f"""
        SELECT 'cluster_merged' AS kind, entity, cid AS golden_id, string_agg(pid, ', ' ORDER BY pid) AS previous_id,
               string_agg(pid, ' and ' ORDER BY pid) || ' merged into ' || cid AS message
        FROM _chg_edges WHERE merge AND entity <> {literal(CONTACT)} GROUP BY entity, cid"""


def _split() -> str:
    return f"""
        SELECT 'cluster_split' AS kind, entity, string_agg(cid, ', ' ORDER BY cid) AS golden_id, pid AS previous_id,
               pid || ' split into ' || string_agg(cid, ' and ' ORDER BY cid) AS message
        FROM _chg_edges WHERE split AND entity <> {literal(CONTACT)} GROUP BY entity, pid"""


def _moved() -> str:
    return f"""
        SELECT 'record_moved' AS kind, e.entity, e.cid AS golden_id, e.pid AS previous_id, c.key AS record_key,
               'record ' || c.key || ' (' || {_WHERE.format(t='c')} || ') moved from ' || e.pid || ' to ' || e.cid
                   AS message
        FROM _chg_edges e
        JOIN _chg_ident c ON c.side = 'c' AND c.entity = e.entity AND c.gid = e.cid
        JOIN _chg_ident p ON p.side = 'p' AND p.entity = e.entity AND p.gid = e.pid AND p.ident = c.ident
        WHERE NOT (e.one OR e.merge OR e.split OR e.main) AND e.entity <> {literal(CONTACT)}"""


def _added() -> str:
    return f"""
        SELECT 'record_added' AS kind, c.entity, c.gid AS golden_id, c.key AS record_key,
               'record ' || c.key || ' (' || {_WHERE.format(t='c')} || ') added to ' || c.gid AS message
        FROM _chg_ident c WHERE c.side = 'c' AND NOT EXISTS (
            SELECT 1 FROM _chg_ident p WHERE p.side = 'p' AND p.entity = c.entity AND p.ident = c.ident)"""


def _removed() -> str:
    return f"""
        SELECT 'record_removed' AS kind, p.entity, p.gid AS previous_id, p.key AS record_key,
               'record ' || p.key || ' (' || {_WHERE.format(t='p')} || ') removed from ' || p.gid AS message
        FROM _chg_ident p WHERE p.side = 'p' AND NOT EXISTS (
            SELECT 1 FROM _chg_ident c WHERE c.side = 'c' AND c.entity = p.entity AND c.ident = p.ident)"""


def _changed() -> str:
    return """
        SELECT 'field_changed' AS kind, f.entity, f.cid AS golden_id, f.pid AS previous_id, f.field, f.before,
               f.after, f.cid || ' ' || f.field || ': ' || coalesce(f.before, '(empty)') || ' -> '
                   || coalesce(f.after, '(empty)') AS message
        FROM _chg_fields f WHERE NOT EXISTS (
            SELECT 1 FROM _chg_enriched x WHERE x.entity = f.entity AND x.cid = f.cid AND x.field = f.field)"""


def _enrichments() -> str:
    return """
        SELECT 'enrichment_applied' AS kind, x.entity, x.cid AS golden_id, f.pid AS previous_id, x.field,
               f.before, x.value AS after,
               x.cid || ' ' || x.field || ' set to ' || coalesce(x.value, '(empty)') || ' by '
                   || x.rule || coalesce(' (was ' || f.before || ')', '') AS message
        FROM _chg_enriched x LEFT JOIN _chg_fields f ON f.entity = x.entity AND f.cid = x.cid AND f.field = x.field"""
