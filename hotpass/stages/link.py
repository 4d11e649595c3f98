"""Stages ``link`` and ``keys``: contacts find their organisation; every record gets its stable key.

``link`` points each contact of a contact sheet at an organisation record:
its link value is matched to an organisation's source ID in the same file,
then to an organisation name (legal suffix ignored) in the same file, then to
a name in any file. Contacts that match nothing are findings.

``keys`` gives every record a key that survives re-uploading an edited
workbook (rows inserted above, columns reordered): a hash of the file's family
name, the sheet and the record's folded fields (see :mod:`hotpass.keys`);
identical records of one sheet are told apart by their order.

Python folds each distinct value once; the matching and hashing are SQL.
"""

from __future__ import annotations

import pyarrow as pa

from hotpass.keys import file_family
from hotpass.mapping import CONTACT, ORG
from hotpass.normalise import name_key, split_legal_suffix
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import literal, quote, text_column
from hotpass.stages.normalise import records_table
from hotpass.text import fold

KEY_PREFIX = {ORG: "org:", CONTACT: "contact:"}


def _lookup(run: Run, name: str, values: list[str], function) -> None:
    """Table ``name`` (value, key): ``function`` of each distinct value."""
    keys = [function(v) for v in values]
    run.db.write(name, pa.Table.from_arrays([text_column(values), text_column(keys)], names=["value", "key"]))


def _distinct(run: Run, table: str, column: str) -> list[str]:
    return [row[0] for row in run.db.rows(
        f"SELECT DISTINCT {quote(column)} FROM {table} WHERE {quote(column)} IS NOT NULL")]


def link(run: Run, profile: Profile) -> int:
    """Stage ``link`` (see the module docstring); returns the number of contacts linked here."""
    db = run.db
    db.clear_findings("link")
    orgs, contacts = records_table(ORG), records_table(CONTACT)
    field = profile.link_field()
    if field not in db.columns(contacts) or not db.count(contacts):
        return 0
    suffixes = profile.legal_suffixes
    _lookup(run, "_link_id", _distinct(run, contacts, field), fold)
    _lookup(run, "_link_name", _distinct(run, contacts, field),
            lambda v: name_key(split_legal_suffix(str(v), suffixes)[0]))
    has_id = "source_id" in db.columns(orgs)
    _lookup(run, "_org_id", _distinct(run, orgs, "source_id") if has_id else [], fold)
    _lookup(run, "_org_name", _distinct(run, orgs, "name"), name_key)
    id_join = ("LEFT JOIN (SELECT o.source_file, k.key, max(o.record_id) AS record_id FROM "
               f"{orgs} o JOIN _org_id k ON k.value = o.source_id GROUP BY ALL) by_id "
               "ON by_id.source_file = c.source_file AND by_id.key = li.key") if has_id else \
        "LEFT JOIN (SELECT NULL AS record_id) by_id ON false"
    db.create("_links", f"""
        WITH names AS (SELECT o.source_file, k.key, o.record_id FROM {orgs} o JOIN _org_name k
                       ON k.value = o.name)
        SELECT c.record_id, coalesce(by_id.record_id, by_file.record_id, by_any.record_id) AS org_record
        FROM {contacts} c
        JOIN _link_id li ON li.value = c.{quote(field)}
        JOIN _link_name ln ON ln.value = c.{quote(field)}
        {id_join}
        LEFT JOIN (SELECT source_file, key, min(record_id) AS record_id FROM names GROUP BY ALL) by_file
               ON by_file.source_file = c.source_file AND by_file.key = ln.key
        LEFT JOIN (SELECT key, min(record_id) AS record_id FROM names GROUP BY ALL) by_any
               ON by_any.key = ln.key
        WHERE c.org_record IS NULL""")
    db.execute(f"UPDATE {contacts} c SET org_record = l.org_record FROM _links l "
               "WHERE l.record_id = c.record_id AND l.org_record IS NOT NULL")
    _link_findings(run, contacts, field)
    linked = db.value("SELECT count(*) FROM _links WHERE org_record IS NOT NULL")
    db.drop("_links", "_link_id", "_link_name", "_org_id", "_org_name")
    return int(linked)


def _link_findings(run: Run, contacts: str, field: str) -> None:
    run.db.insert_findings("link", f"""
        SELECT 'records.contact_without_organisation', 'warning', 'this person''s row names no organisation',
               source_file, source_sheet, source_row, NULL, NULL, NULL, NULL
        FROM {contacts} WHERE org_record IS NULL AND {quote(field)} IS NULL ORDER BY record_id""")
    rows = run.db.rows(f"SELECT record_id, {quote(field)} FROM {contacts} "
                       f"WHERE org_record IS NULL AND {quote(field)} IS NOT NULL ORDER BY record_id")
    messages = {value: f"no organisation matches {field} {value!r}" for _, value in rows}
    run.db.write("_unlinked", pa.Table.from_arrays(
        [text_column(list(messages)), text_column(list(messages.values()))], names=["value", "message"]))
    run.db.insert_findings("link", f"""
        SELECT 'records.unlinked_contact', 'warning', u.message, c.source_file, c.source_sheet, c.source_row,
               {literal(field)}, NULL, NULL, NULL
        FROM {contacts} c JOIN _unlinked u ON u.value = c.{quote(field)}
        WHERE c.org_record IS NULL ORDER BY c.record_id""")
    run.db.drop("_unlinked")


def keys(run: Run, profile: Profile) -> int:
    """Stage ``keys`` (see the module docstring); returns the number of records keyed."""
    total = 0
    for entity in (ORG, CONTACT):
        total += _keys(run, records_table(entity), list(profile.fields(entity)), KEY_PREFIX[entity])
    run.db.drop("_folds", "_families")
    return total


def _keys(run: Run, table: str, fields: list[str], prefix: str) -> int:
    db = run.db
    present = [f for f in fields if f in db.columns(table)]
    values = sorted({v for f in [*present, "source_sheet"] for v in _distinct(run, table, f)})
    _lookup(run, "_folds", values, fold)
    _lookup(run, "_families", _distinct(run, table, "source_file"), file_family)
    joins = [f"LEFT JOIN _folds f{i} ON f{i}.value = t.{quote(c)}" for i, c in enumerate(present)]
    parts = " || chr(31) || ".join(f"coalesce(f{i}.key, '')" for i in range(len(present))) or "''"
    db.create("_keys", f"""
        WITH base AS (
            SELECT t.record_id, left(sha1(fam.key || chr(30) || coalesce(sh.key, '') || chr(30) || {parts}), 16)
                   AS base
            FROM {table} t JOIN _families fam ON fam.value = t.source_file
            LEFT JOIN _folds sh ON sh.value = t.source_sheet {' '.join(joins)})
        SELECT record_id, {literal(prefix)} || base || CASE WHEN n > 1 THEN '-' || n ELSE '' END AS record_key
        FROM (SELECT *, row_number() OVER (PARTITION BY base ORDER BY record_id) AS n FROM base)""")
    if "record_key" not in db.columns(table):
        db.execute(f"ALTER TABLE {table} ADD COLUMN record_key VARCHAR")
    db.execute(f"UPDATE {table} t SET record_key = k.record_key FROM _keys k WHERE k.record_id = t.record_id")
    db.drop("_keys")
    return db.count(table)
