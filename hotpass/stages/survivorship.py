"""Survivorship in SQL: each field of a golden record chooses among its members' values.

For every field of a group (a cluster of organisation records, or the records
of one person), the candidate values (the field and each part of its
``<field>_other``) are ranked by the profile's rules (``merge.rule_order``):
validity (the value passes its normaliser without a problem), agreement (how
many candidates give it), source priority, recency (the record's last
interaction) and completeness (how filled the record is). Ties fall to the
earliest source row, so the same inputs always give the same golden record.
The rule that put the winner ahead of the best other value is recorded; the
other values are kept in ``<field>_other`` for kinds that hold several
(phones, emails, websites, ids) and listed as conflicts for the rest.

A reviewer's field pick (a ``pick`` decision in the run's ``decisions`` table:
the record whose value of a field must win) comes before every rule: the
picked record's own value of that field wins its group (the latest pick when
a group holds several), with the rule ``reviewer pick``. A pick on a record
with no value for the field changes nothing.

One window query ranks every candidate; Python only checks the validity of
distinct values where a group's members disagree.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa

from hotpass.normalise import Normaliser
from hotpass.rundb import RunDB, literal, quote, text_column

#: Kinds where several values are kept, not a conflict.
MULTI_KINDS = ("phone", "email", "website", "id")
#: The score each rule ranks on, best first, and how it is compared.
RULE_KEYS = {"validity": "validity", "agreement": "agreement", "source_priority": "_priority",
             "recency": "_recency", "completeness": "_filled"}


@lru_cache(maxsize=8)
def _normaliser(region: str) -> Normaliser:
    return Normaliser(region=region)


def _valid(kind: str, value: str, region: str) -> bool:
    result = _normaliser(region).normalise(kind, value)
    return result.problem is None and bool(result.values)


def rank(db: RunDB, members: str, fields: dict[str, str], rule_order: list[str], region: str) -> None:
    """Rank every candidate value of ``members`` (see the module docstring).

    ``members`` has columns gid, r_order, record_key, source_file, source_sheet, source_row,
    _priority, _filled, _recency and each field of ``fields`` (name -> kind) with its optional
    ``<field>_other``. Writes ``_ranked`` (one row per candidate with its rank) and
    ``_winners`` (gid, field, value, rule, provenance, others, conflict).
    """
    _candidates(db, members, fields)
    _validity(db, region)
    _picks(db)
    keys = ", ".join(["_pick DESC", *(f"{RULE_KEYS[r]} DESC" for r in rule_order)])
    db.create("_ranked", f"""
        WITH c AS (
            SELECT c.*, count(*) OVER (PARTITION BY gid, field, value) AS agreement,
                   count(DISTINCT value) OVER (PARTITION BY gid, field) AS n_values
            FROM _cand c WHERE NOT trivial)
        SELECT *, row_number() OVER (PARTITION BY gid, field ORDER BY {keys}, r_order, pos) AS rnk
        FROM (SELECT c.*, (n_values = 1 OR coalesce(v.valid, false)) AS validity, coalesce(k.pick, 0) AS _pick
              FROM c LEFT JOIN _validity v ON v.kind = c.kind AND v.value = c.value
              LEFT JOIN _picks k ON k.record_key = c.record_key AND k.field = c.field AND c.pos = 0)""")
    rule = " ".join(f"WHEN w.{RULE_KEYS[r]} IS DISTINCT FROM n.{RULE_KEYS[r]} THEN {literal(r)}"
                    for r in rule_order)
    db.create("_winners", f"""
        WITH w AS (SELECT * FROM _ranked WHERE rnk = 1),
        n AS (SELECT r.* FROM _ranked r JOIN w ON w.gid = r.gid AND w.field = r.field AND r.value <> w.value
              QUALIFY row_number() OVER (PARTITION BY r.gid, r.field ORDER BY r.rnk) = 1),
        dv AS (SELECT gid, field, value, min(rnk) AS first FROM _ranked GROUP BY ALL),
        lists AS (SELECT gid, field, count(*) AS n,
                         string_agg(value, '; ' ORDER BY first) FILTER (WHERE first > 1) AS others,
                         string_agg(value, ' | ' ORDER BY first) AS all_values
                  FROM dv GROUP BY ALL)
        SELECT w.gid, w.field, w.kind, w.value, w.record_key, w.source_file, w.source_sheet, w.source_row,
               CASE WHEN n.gid IS NULL THEN 'only value' WHEN w._pick > 0 THEN 'reviewer pick' {rule}
                    ELSE 'earliest source' END AS rule,
               l.others, CASE WHEN l.n > 1 THEN l.all_values END AS conflict
        FROM w LEFT JOIN n ON n.gid = w.gid AND n.field = w.field
        JOIN lists l ON l.gid = w.gid AND l.field = w.field
        UNION ALL
        SELECT gid, field, kind, value, record_key, source_file, source_sheet, source_row, 'only value',
               NULL, NULL
        FROM _cand WHERE trivial""")
    db.drop("_cand", "_validity", "_picks")


def _picks(db: RunDB) -> None:
    """``_picks``: record_key, field and the id of the latest active pick of each (none when the
    run kept no decisions)."""
    if db.has("decisions") and {"kind", "record_key", "other_key"} <= set(db.columns("decisions")):
        db.create("_picks", """SELECT record_key::VARCHAR AS record_key, other_key::VARCHAR AS field,
                                      max(decision_id)::BIGINT AS pick
                               FROM decisions WHERE kind::VARCHAR = 'pick' AND other_key IS NOT NULL GROUP BY ALL""")
    else:
        db.create("_picks", "SELECT NULL::VARCHAR AS record_key, NULL::VARCHAR AS field, NULL::BIGINT AS pick "
                            "WHERE false")


def _candidates(db: RunDB, members: str, fields: dict[str, str]) -> None:
    """``_cand``: one row per candidate value of every field of every member; ``trivial`` when it is
    the only candidate of its group's field (a group of one record, no other values): it wins
    without ranking."""
    columns = set(db.columns(members))
    db.create("_sizes", f"SELECT gid, count(*) AS size FROM {members} GROUP BY gid")
    source = f"{members} JOIN _sizes USING (gid)"
    base = "gid, r_order, record_key, source_file, source_sheet, source_row, _priority, _filled, _recency"
    selects = []
    for name, kind in fields.items():
        other = name + "_other"
        alone = f"size = 1 AND {quote(other)} IS NULL" if other in columns else "size = 1"
        head = f"SELECT {base}, {literal(name)} AS field, {literal(kind)} AS kind"
        selects.append(f"{head}, {quote(name)} AS value, 0 AS pos, {alone} AS trivial FROM {source} "
                       f"WHERE {quote(name)} IS NOT NULL")
        if other in columns:
            parts = f"list_filter(list_transform(string_split({quote(other)}, ';'), lambda x: trim(x)), lambda x: x <> '')"
            selects.append(f"SELECT {base}, field, kind, value, pos, false FROM (SELECT {base}, "
                           f"{literal(name)} AS field, {literal(kind)} AS kind, unnest({parts}) AS value, "
                           f"generate_subscripts({parts}, 1) AS pos FROM {members} "
                           f"WHERE {quote(other)} IS NOT NULL)")
    if not selects:
        selects = [f"SELECT {base}, NULL::VARCHAR AS field, NULL::VARCHAR AS kind, NULL::VARCHAR AS value, "
                   f"0 AS pos, true AS trivial FROM {members} WHERE false"]
    db.create("_cand", " UNION ALL ".join(selects))
    db.drop("_sizes")


def _validity(db: RunDB, region: str) -> None:
    """``_validity``: whether each distinct value of a disagreeing group passes its normaliser."""
    rows = db.rows("""
        SELECT DISTINCT kind, value FROM _cand
        WHERE NOT trivial AND (gid, field) IN (
            SELECT gid, field FROM _cand WHERE NOT trivial GROUP BY ALL HAVING count(DISTINCT value) > 1)""")
    valid = [_valid(kind, value, region) for kind, value in rows]
    db.write("_validity", pa.Table.from_arrays(
        [text_column([r[0] for r in rows]), text_column([r[1] for r in rows]), pa.array(valid, type=pa.bool_())],
        names=["kind", "value", "valid"]))


def wide(db: RunDB, fields: dict[str, str], present_others: set[str]) -> str:
    """SQL columns turning ``_winners`` back into one row per gid: each field, and
    ``<field>_other`` for the multi-value kinds in ``present_others``."""
    out = []
    for name, kind in fields.items():
        out.append(f"max(value) FILTER (WHERE field = {literal(name)}) AS {quote(name)}")
        if kind in MULTI_KINDS and name in present_others:
            out.append(f"max(others) FILTER (WHERE field = {literal(name)}) AS {quote(name + '_other')}")
    return ", ".join(out)


def fields_with_values(db: RunDB) -> set[str]:
    """The fields some golden record has a value for."""
    return {row[0] for row in db.rows("SELECT DISTINCT field FROM _winners")}
