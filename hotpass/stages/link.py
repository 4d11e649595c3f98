"""Stages ``link`` and ``keys``: contacts find their organisation; every record gets its stable key.

``link`` points each contact of a contact sheet at an organisation record:
its link value is matched to an organisation's source ID in the same file,
then to an organisation name (legal suffix ignored) in the same file, then to
a name in any file. Contacts that match nothing are findings. When no
sheet of the run lists organisations at all (a contacts export on its own),
each distinct organisation name the people's rows give becomes an organisation
record first (its provenance the first row naming it), so the people have
organisations to belong to.

``keys`` gives every record a key that survives re-uploading an edited
workbook (rows inserted above, columns reordered): a hash of the file's family
name, the sheet and the record's folded fields (see :mod:`hotpass.keys`);
identical records of one sheet are told apart by their order.

Python folds each distinct value once; the matching and hashing are SQL.
"""

from __future__ import annotations

import pyarrow as pa

from hotpass.keys import file_family
from hotpass.normalise import name_key, parse_org_name, split_legal_suffix
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import literal, quote, text_column
from hotpass.stages.names import CONTACT, ORG, key_prefix, layout, records_table
from hotpass.text import fold


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
    if not layout(profile).contact:
        return 0
    orgs, contacts = records_table(ORG), records_table(CONTACT)
    field = profile.link_field()
    if field not in db.columns(contacts) or not db.count(contacts):
        return 0
    suffixes = profile.legal_suffixes
    if not db.count(orgs):
        _organisations_from_people(run, profile, orgs, contacts, field)
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


def _organisations_from_people(run: Run, profile: Profile, orgs: str, contacts: str, field: str) -> None:
    """One organisation record per distinct name the contacts' link column gives (values that
    look like identifiers, with digits and no space, are left to the findings)."""
    db = run.db
    values = [v for v in _distinct(run, contacts, field)
              if any(ch.isalpha() for ch in v) and (" " in v.strip() or not any(ch.isdigit() for ch in v))]
    if not values:
        return
    parsed = [parse_org_name(v, profile.legal_suffixes) for v in values]
    db.write("_people_orgs", pa.Table.from_arrays(
        [text_column(values), text_column([p.result.value for p in parsed]),
         text_column([p.legal_suffix for p in parsed])], names=["value", "name", "legal_suffix"]))
    suffix = ", p.legal_suffix" if "legal_suffix" in db.columns(orgs) else ""
    db.execute(f"""
        INSERT INTO {orgs} BY NAME
        SELECT printf('O%07d', row_number() OVER (ORDER BY f.source_file, f.source_sheet,
                      f.source_row)) AS record_id,
               f.source_file, f.source_sha256, f.source_sheet, f.source_row, p.name{suffix}
        FROM _people_orgs p
        JOIN (SELECT c.{quote(field)} AS value, arg_min(c.source_file, c.record_id) AS source_file,
                     arg_min(c.source_sha256, c.record_id) AS source_sha256,
                     arg_min(c.source_sheet, c.record_id) AS source_sheet,
                     arg_min(c.source_row, c.record_id) AS source_row
              FROM {contacts} c GROUP BY 1) f USING (value)
        WHERE p.name IS NOT NULL""")
    made = db.count(orgs)
    db.add_findings("link", [(
        "link.organisations_from_people", "info",
        f"no sheet lists organisations: {made} organisation(s) were made from the names in the "
        f"people's {field} column", None, None, None, field, None, None, None)])
    db.drop("_people_orgs")


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
    for entity in layout(profile).entities:
        total += _keys(run, records_table(entity), list(profile.fields(entity)), key_prefix(entity))
    run.db.drop("_folds", "_families")
    return total


def _keys(run: Run, table: str, fields: list[str], prefix: str) -> int:
    """``record_key`` of every record of ``table``: its fields are unpivoted into one long table,
    each distinct value folded once (a batch at a time), then pivoted back per record and hashed."""
    db = run.db
    present = [f for f in fields if f in db.columns(table)]
    parts = [f"SELECT record_id, -1 AS pos, source_sheet AS value FROM {table}"]
    parts += [f"SELECT record_id, {i} AS pos, {quote(c)} AS value FROM {table} WHERE {quote(c)} IS NOT NULL"
              for i, c in enumerate(present)]
    db.create("_key_parts", " UNION ALL ".join(parts))
    _fold_values(run)
    _lookup(run, "_families", _distinct(run, table, "source_file"), file_family)
    pivot = ", ".join(f"max(f.key) FILTER (WHERE p.pos = {i}) AS k{i}" for i in range(-1, len(present)))
    content = " || chr(31) || ".join(f"coalesce(w.k{i}, '')" for i in range(len(present))) or "''"
    db.create("_keys", f"""
        WITH wide AS (SELECT p.record_id, {pivot.replace('k-1', 'sheet')} FROM _key_parts p
                      JOIN _folds f ON f.value = p.value GROUP BY p.record_id),
        base AS (
            SELECT t.record_id, left(sha1(fam.key || chr(30) || coalesce(w.sheet, '') || chr(30) || {content}), 16)
                   AS base
            FROM {table} t JOIN _families fam ON fam.value = t.source_file LEFT JOIN wide w USING (record_id))
        SELECT record_id, {literal(prefix)} || base || CASE WHEN n > 1 THEN '-' || n ELSE '' END AS record_key
        FROM (SELECT *, row_number() OVER (PARTITION BY base ORDER BY record_id) AS n FROM base)""")
    if "record_key" not in db.columns(table):
        db.execute(f"ALTER TABLE {table} ADD COLUMN record_key VARCHAR")
    db.execute(f"UPDATE {table} t SET record_key = k.record_key FROM _keys k WHERE k.record_id = t.record_id")
    db.drop("_keys", "_key_parts")
    return db.count(table)


#: Distinct values folded (and held in memory) at a time.
FOLD_BATCH = 200_000


def _fold_values(run: Run) -> None:
    """``_folds`` (value, key): every distinct value of ``_key_parts`` folded, a batch at a time."""
    db = run.db
    total = db.create("_fold_todo", "SELECT row_number() OVER (ORDER BY value) AS n, value FROM "
                                    "(SELECT DISTINCT value FROM _key_parts WHERE value IS NOT NULL)")
    db.create("_folds", "SELECT NULL::VARCHAR AS value, NULL::VARCHAR AS key WHERE false")
    for start in range(0, total, FOLD_BATCH):
        values = [r[0] for r in db.rows("SELECT value FROM _fold_todo WHERE n > ? AND n <= ? ORDER BY n",
                                        [start, start + FOLD_BATCH])]
        _lookup(run, "_fold_batch", values, fold)
        db.execute("INSERT INTO _folds SELECT * FROM _fold_batch")
    db.drop("_fold_todo", "_fold_batch")
