"""Side tables and activity logs land on the records they reference (part of stage ``records``).

A *side table* (addresses, notes, codes keyed by a company ID or name) adds
its columns to the record each row references, as lines joined with "; " in
source order: column ``<sheet>: <label>`` on ``<entity>_raw``. An *activity
log* (orders, calls: dated rows keyed the same way) adds how many rows
reference the record (``<sheet>: rows``) and the latest date
(``<sheet>: last <date label>``, ISO). Both then travel like any other carried
column: merged records keep every line, and the deliverable shows them.

A row's key is matched, in order, to the source ID of a record of the same
file, to a source ID in any file, then to a record's name (folded; an
organisation's legal suffix ignored); the entity whose records the sheet's keys
match most is the one it attaches to. A row whose key matches no record is a
warning finding naming its file, sheet, row, column and value, so nothing is
silently dropped.
"""

from __future__ import annotations

import pyarrow as pa

from hotpass.normalise import name_key, split_legal_suffix
from hotpass.normalise.dates import parse_date
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import RunDB, literal, quote, text_column
from hotpass.stages.names import ORG, raw_table
from hotpass.text import fold

ROLES = ("side_table", "activity_log")


def attach(run: Run, profile: Profile, sheets, entities: tuple[str, ...]) -> int:
    """Attach every side table and activity log of ``sheets`` (the records stage's mapped sheets)
    to the records of one of ``entities`` (those that stand alone); returns the rows attached."""
    db = run.db
    roles = {row[0]: (row[1], row[2]) for row in db.rows("SELECT sheet_id, key, date FROM sheet_roles")}
    attached = 0
    for sheet in [s for s in sheets if s.role in ROLES]:
        key, date = roles.get(sheet.id, (None, None))
        if key not in sheet.labels:
            db.add_findings("records", [("records.side_table_without_key", "warning",
                                         f"this {sheet.role.replace('_', ' ')} names no key column, so its rows "
                                         "were not attached to any record", sheet.file, sheet.sheet,
                                         None, None, None, None, None)])
            continue
        attached += _attach_sheet(db, profile, sheet, sheet.labels.index(key), date, entities)
    db.drop("_ref_keys", "_targets", "_matched", "_dates")
    return attached


def _attach_sheet(db: RunDB, profile: Profile, sheet, key: int, date: str | None,
                  entities: tuple[str, ...]) -> int:
    values = [r[0] for r in db.rows(f"SELECT DISTINCT c{key} FROM sheet_{sheet.id} WHERE c{key} IS NOT NULL")]
    db.write("_ref_keys", pa.Table.from_arrays(
        [text_column(values), text_column([fold(v) for v in values]),
         text_column([name_key(split_legal_suffix(v, profile.legal_suffixes)[0]) for v in values])],
        names=["value", "id_key", "name_key"]))
    best = None
    for entity in entities:
        _targets(db, profile, entity)
        db.create("_matched", f"""
            SELECT r.source_row, r.c{key} AS value,
                   coalesce(same.record_id, anywhere.record_id, named.record_id) AS record_id
            FROM sheet_{sheet.id} r JOIN _ref_keys k ON k.value = r.c{key}
            LEFT JOIN (SELECT id_key, min(record_id) AS record_id FROM _targets
                       WHERE source_file = {literal(sheet.file)} GROUP BY id_key) same ON same.id_key = k.id_key
            LEFT JOIN (SELECT id_key, min(record_id) AS record_id FROM _targets GROUP BY id_key) anywhere
                   ON anywhere.id_key = k.id_key
            LEFT JOIN (SELECT name_key, min(record_id) AS record_id FROM _targets GROUP BY name_key) named
                   ON named.name_key = k.name_key""")
        found = int(db.value("SELECT count(*) FROM _matched WHERE record_id IS NOT NULL") or 0)
        if best is None or found > best[1]:
            best = (entity, found)
            db.create(f"_matched_{entity}", "SELECT * FROM _matched")
    if best is None:
        return 0
    entity, found = best
    for other in entities:
        if other != entity:
            db.drop(f"_matched_{other}")
    db.create("_matched", f"SELECT * FROM _matched_{entity}")
    db.drop(f"_matched_{entity}")
    _unmatched(db, profile, sheet, key, entity)
    if sheet.role == "side_table":
        _lines(db, sheet, key, entity)
    else:
        _activity(db, sheet, key, date, entity)
    return found


def _targets(db: RunDB, profile: Profile, entity: str) -> None:
    """``_targets`` (record_id, source_file, id_key, name_key): what references may name."""
    raw = raw_table(entity)
    columns = db.columns(raw)
    ident = "source_id" if "source_id" in columns else None
    name = profile.entity(entity).name_field()
    name = name if name in columns else None
    rows = db.rows(f"SELECT record_id, source_file, {quote(ident) if ident else 'NULL'}, "
                   f"{quote(name) if name else 'NULL'} FROM {raw}")
    org = entity == ORG

    def named(value):
        if value is None:
            return None
        return name_key(split_legal_suffix(value, profile.legal_suffixes)[0]) if org else fold(value)

    db.write("_targets", pa.Table.from_arrays(
        [text_column([r[0] for r in rows]), text_column([r[1] for r in rows]),
         text_column([fold(r[2]) if r[2] is not None else None for r in rows]),
         text_column([named(r[3]) for r in rows])],
        names=["record_id", "source_file", "id_key", "name_key"]))


def _unmatched(db: RunDB, profile: Profile, sheet, key: int, entity: str) -> None:
    label = sheet.labels[key]
    what = profile.label(entity).lower()
    db.insert_findings("records", f"""
        SELECT 'records.unmatched_reference', 'warning',
               'no {what} has ' || {literal(label)} || ' ' || value || '; the row was not attached',
               {literal(sheet.file)}, {literal(sheet.sheet)}, source_row, {literal(label)}, value, NULL, NULL
        FROM _matched WHERE record_id IS NULL ORDER BY source_row""")


def _add(db: RunDB, entity: str, columns: dict[str, str]) -> None:
    """Add ``columns`` (name -> the column of ``_attached``) to ``<entity>_raw``."""
    raw = raw_table(entity)
    present = set(db.columns(raw))
    for name, source in columns.items():
        if name not in present:
            db.execute(f"ALTER TABLE {raw} ADD COLUMN {quote(name)} VARCHAR")
        db.execute(f"UPDATE {raw} t SET {quote(name)} = a.{quote(source)} FROM _attached a "
                   "WHERE a.record_id = t.record_id")
    db.drop("_attached")


def _lines(db: RunDB, sheet, key: int, entity: str) -> None:
    """Each other column as the distinct lines of the rows referencing a record, in source order."""
    others = [p for p in range(len(sheet.labels)) if p != key]
    if not others:
        return
    aggregates = ", ".join(
        f"string_agg(c{p}, '; ' ORDER BY first) FILTER (WHERE c{p} IS NOT NULL AND first_{p}) AS a{p}"
        for p in others)
    firsts = ", ".join(f"row_number() OVER (PARTITION BY m.record_id, s.c{p} ORDER BY s.source_row) = 1 "
                       f"AS first_{p}" for p in others)
    db.create("_attached", f"""
        SELECT record_id, {aggregates} FROM (
            SELECT m.record_id, s.source_row AS first, {', '.join(f's.c{p}' for p in others)}, {firsts}
            FROM sheet_{sheet.id} s JOIN _matched m USING (source_row) WHERE m.record_id IS NOT NULL)
        GROUP BY record_id""")
    _add(db, entity, {f"{sheet.sheet}: {sheet.labels[p]}": f"a{p}" for p in others})


def _activity(db: RunDB, sheet, key: int, date: str | None, entity: str) -> None:
    """How many rows reference each record, and the latest date among them."""
    last = ""
    if date in sheet.labels:
        position = sheet.labels.index(date)
        values = [r[0] for r in db.rows(f"SELECT DISTINCT c{position} FROM sheet_{sheet.id} "
                                        f"WHERE c{position} IS NOT NULL")]
        iso = [_iso(v) for v in values]
        db.write("_dates", pa.Table.from_arrays([text_column(values), text_column(iso)], names=["value", "iso"]))
        last = ", max(d.iso) AS last_date"
        join = f" LEFT JOIN _dates d ON d.value = s.c{position}"
    else:
        join = ""
    db.create("_attached", f"""
        SELECT m.record_id, count(*)::VARCHAR AS n{last}
        FROM sheet_{sheet.id} s JOIN _matched m USING (source_row){join}
        WHERE m.record_id IS NOT NULL GROUP BY m.record_id""")
    columns = {f"{sheet.sheet}: rows": "n"}
    if last:
        columns[f"{sheet.sheet}: last {date}"] = "last_date"
    _add(db, entity, columns)


def _iso(value: str) -> str | None:
    """A date as YYYY-MM-DD (spreadsheet date-times and serial numbers included), None when it is not one."""
    found = parse_date(str(value).strip())
    return found.isoformat() if found is not None else None
