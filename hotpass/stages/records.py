"""Stage ``records``: mapped sheets become organisation and contact records, with provenance.

An organisation sheet gives one organisation per row; a contact sheet gives
the people each row names; a mixed sheet gives both, each person pointing at
the organisation of its row (``org_record``). A cell naming several people
becomes several contacts: row details split into as many parts as there are
people are shared out, the rest stay on the organisation as
``unassigned_<field>`` (never on the wrong person).

Everything is SQL over the ``sheet_<id>`` tables, except where Python must
look at text: the people in each distinct name cell, and the few rows that
name several people. Writes ``organisation_raw`` and ``contact_raw``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pandas as pd
import pyarrow as pa

from hotpass.normalise import split_persons
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import literal, quote
from hotpass.stages.attach import attach
from hotpass.stages.names import CONTACT, ORG, layout, raw_table

PROVENANCE = ["source_file", "source_sha256", "source_sheet", "source_row"]
PERSON_FIELDS = ("full_name", "first_name", "last_name")
SHARED_FIELDS = ("organisation_link", "source_id")
UNASSIGNED = "unassigned_"
#: What a name cell says on a spreadsheet's totals line (folded: lower case, letters only).
TOTAL_LABELS = ("total", "totals", "grandtotal", "subtotal", "sum", "count")
_SPLIT = re.compile(r"\s*(?:;|/|\n|,|\bor\b|&)\s*")


class _Sheet:
    """One mapped sheet: its id, role, provenance and which columns feed which field."""

    def __init__(self, row: tuple, columns: list[tuple]):
        self.id, self.file, self.sha256, self.sheet, self.role, labels = row
        self.labels = json.loads(labels)
        self.targets: dict[str, dict[str, list[int]]] = {ORG: {}, CONTACT: {}}
        self.extras: list[int] = []
        for position, entity, field in columns:
            if entity is None:
                self.extras.append(position)
            else:
                self.targets.setdefault(entity, {}).setdefault(field, []).append(position)

    def expr(self, positions: list[int]) -> str:
        """SQL for a field fed by ``positions``: one column as it is, several joined with "; "."""
        if len(positions) == 1:
            return f"c{positions[0]}"
        return "nullif(concat_ws('; ', " + ", ".join(f"c{p}" for p in positions) + "), '')"

    def not_total(self, profile: Profile, entity: str) -> str:
        """SQL true for rows that are not a totals line: the entity's name cell says "Total"
        (or "Grand total" ...) and every other mapped cell is empty or a number."""
        name = profile.entity(entity).name_field()
        names = self.targets.get(entity, {}).get(name, []) if name else []
        if not names:
            return "true"
        labels = ", ".join(f"'{label}'" for label in TOTAL_LABELS)
        said = " OR ".join(f"regexp_replace(lower(c{p}), '[^a-z]', '', 'g') IN ({labels})" for p in names)
        others = sorted({p for fields in self.targets.values() for ps in fields.values() for p in ps} - set(names))
        plain = " AND ".join(f"(c{p} IS NULL OR TRY_CAST(replace(replace(c{p}, ',', ''), ' ', '') AS DOUBLE) "
                             "IS NOT NULL)" for p in others) or "true"
        return f"NOT (({said}) AND {plain})"

    def provenance(self) -> str:
        return (f"{self.id}::BIGINT AS sheet_id, {literal(self.file)} AS source_file, "
                f"{literal(self.sha256)} AS source_sha256, {literal(self.sheet)} AS source_sheet, "
                "source_row")


def _sheets(run: Run) -> list[_Sheet]:
    rows = run.db.rows("SELECT s.sheet_id, s.file, s.sha256, s.sheet, r.role, s.columns FROM sheets s "
                       "JOIN sheet_roles r USING (sheet_id) ORDER BY s.sheet_id")
    out = []
    for row in rows:
        columns = run.db.rows("SELECT position, entity, field FROM column_map WHERE sheet_id = ? "
                              "ORDER BY position", [row[0]])
        out.append(_Sheet(row, columns))
    return out


def build(run: Run, profile: Profile) -> int:
    """Stage ``records`` (see the module docstring); returns the number of records."""
    db = run.db
    db.clear_findings("records")
    sheets = _sheets(run)
    lay = layout(profile)
    if lay.organisation:
        org_sheets = [s for s in sheets if s.role in (ORG, "mixed")]
        _organisation_rows(run, profile, org_sheets)
        leftovers = _contacts(run, profile, [s for s in sheets if s.role in (CONTACT, "mixed")]) \
            if lay.contact else pd.DataFrame(columns=["sheet_id", "source_row", "field", "value"])
        _organisations(run, profile, org_sheets, leftovers)
    for entity in lay.generic:
        _entity_records(run, profile, entity, [s for s in sheets if s.role == entity])
    _total_rows(run, profile, sheets, lay)
    _not_records(run, sheets)
    attach(run, profile, sheets, tuple(e for e in lay.entities if profile.entity(e).parent is None))
    return sum(db.count(raw_table(e)) for e in lay.entities)


def _not_records(run: Run, sheets: list[_Sheet]) -> None:
    """Lookup lists and ignored sheets make no record; each says so once."""
    why = {"lookup": ("records.lookup_sheet", "a lookup list (categories, settings): its values are never records"),
           "ignore": ("records.sheet_ignored", "no column names a record of the profile's entities")}
    reasons = dict(run.db.rows("SELECT sheet_id, reason FROM sheet_roles"))
    rows = [(why[s.role][0], "info" if s.role == "lookup" else "warning",
             f"{why[s.role][1]} ({reasons[s.id]})" if reasons.get(s.id) else why[s.role][1],
             s.file, s.sheet, None, None, None, None, None) for s in sheets if s.role in why]
    run.db.add_findings("records", rows)


def _entity_records(run: Run, profile: Profile, entity: str, sheets: list[_Sheet]) -> None:
    """``<entity>_raw`` for an entity that stands alone: one record per row of its sheets that has
    any of its fields filled, with every field of the entity and the sheets' extra columns. A row
    holding nothing but an ID makes no record (``records.id_only_row`` says which)."""
    specs = profile.fields(entity)
    fields = list(specs)
    selects, extras = [], []
    for sheet in sheets:
        mapped = sheet.targets.get(entity, {})
        parts = [sheet.provenance()]
        parts += [f"{sheet.expr(mapped[name])} AS {quote(name)}" for name in fields if name in mapped]
        parts += [f"c{p} AS {quote('extra:' + sheet.labels[p])}" for p in sheet.extras]
        extras += [f"extra:{sheet.labels[p]}" for p in sheet.extras]
        ids = [sheet.expr(p) for name, p in mapped.items() if specs[name].kind in ("id", "link")]
        rest = [sheet.expr(p) for name, p in mapped.items() if specs[name].kind not in ("id", "link")]
        rest += [f"c{p}" for p in sheet.extras]
        filled = " OR ".join(f"{e} IS NOT NULL" for e in rest) or "false"
        if ids:
            _id_only_rows(run, sheet, " OR ".join(f"{e} IS NOT NULL" for e in ids), filled)
        selects.append(f"SELECT {', '.join(parts)} FROM sheet_{sheet.id} "
                       f"WHERE ({filled}) AND {sheet.not_total(profile, entity)}")
    base = ", ".join(f"NULL::VARCHAR AS {quote(c)}" for c in ["source_file", "source_sha256", "source_sheet"])
    empty = f"SELECT NULL::BIGINT AS sheet_id, {base}, NULL::BIGINT AS source_row WHERE false"
    union = " UNION ALL BY NAME ".join(selects or [empty])
    present = set(run.db.columns_of(f"SELECT * FROM ({union})"))
    select = [quote(c) for c in ["record_id", *PROVENANCE]]
    select += [quote(n) if n in present else f"NULL::VARCHAR AS {quote(n)}" for n in fields]
    select += [quote(c) for c in dict.fromkeys(extras)]
    letter = profile.id_prefix(entity)[:1].upper() or "R"
    run.db.create(raw_table(entity), f"""
        SELECT {', '.join(select)} FROM (
            SELECT printf('{letter}%07d', row_number() OVER (ORDER BY sheet_id, source_row)) AS record_id, *
            FROM ({union})) ORDER BY record_id""")


def _total_rows(run: Run, profile: Profile, sheets: list[_Sheet], lay) -> None:
    """An info finding for each totals line left out of a record sheet."""
    rows = []
    for sheet in sheets:
        entity = ORG if sheet.role == "mixed" and lay.organisation else sheet.role
        if entity not in profile.entities or profile.entity(entity).parent is not None:
            continue
        condition = sheet.not_total(profile, entity)
        if condition == "true":
            continue
        for (row,) in run.db.rows(f"SELECT source_row FROM sheet_{sheet.id} WHERE NOT ({condition}) "
                                  "ORDER BY source_row"):
            rows.append(("records.total_row", "info", "a totals line, not a record: it was left out",
                         sheet.file, sheet.sheet, row, None, None, None, None))
    run.db.add_findings("records", rows)


def _id_only_rows(run: Run, sheet: _Sheet, has_id: str, filled: str) -> None:
    """One warning for the rows of ``sheet`` that hold an ID and nothing else (no record is made)."""
    rows = [r for (r,) in run.db.rows(f"SELECT source_row FROM sheet_{sheet.id} "
                                      f"WHERE ({has_id}) AND NOT ({filled}) ORDER BY source_row")]
    if rows:
        shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
        run.db.add_findings("records", [(
            "records.id_only_row", "warning",
            f"{len(rows)} row(s) hold an ID and nothing else, so they make no record: row(s) {shown}",
            sheet.file, sheet.sheet, rows[0], None, None, None, None)])


# --- organisations ----------------------------------------------------------------------------


def _organisation_rows(run: Run, profile: Profile, sheets: list[_Sheet]) -> None:
    """``_org_rows``: one row per organisation row of every sheet, mapped fields and extras."""
    selects = []
    for sheet in sheets:
        fields = sheet.targets[ORG]
        parts = [sheet.provenance()]
        parts += [f"{sheet.expr(fields[name])} AS {quote(name)}" for name in profile.organisation_fields
                  if name in fields]
        parts += [f"c{p} AS {quote('extra:' + sheet.labels[p])}" for p in sheet.extras]
        where = f" WHERE {sheet.not_total(profile, ORG)}"
        if sheet.role == "mixed":
            filled = [f"{sheet.expr(positions)} IS NOT NULL" for positions in fields.values()]
            where += " AND (" + (" OR ".join(filled) if filled else "false") + ")"
        selects.append(f"SELECT {', '.join(parts)} FROM sheet_{sheet.id}{where}")
    base = ", ".join(f"NULL::VARCHAR AS {quote(c)}" for c in ["source_file", "source_sha256", "source_sheet"])
    empty = f"SELECT NULL::BIGINT AS sheet_id, {base}, NULL::BIGINT AS source_row WHERE false"
    union = " UNION ALL BY NAME ".join(selects or [empty])
    run.db.create("_org_rows", f"SELECT printf('O%07d', row_number() OVER (ORDER BY sheet_id, source_row)) "
                               f"AS record_id, * FROM ({union})")


def _organisations(run: Run, profile: Profile, sheets: list[_Sheet], leftovers: pd.DataFrame) -> None:
    """``organisation_raw``: the organisation rows with every profile field, extras and the
    contact details no single person could claim (``unassigned_<field>``)."""
    db = run.db
    present = set(db.columns("_org_rows"))
    columns = ["record_id", *PROVENANCE]
    select = [quote(c) for c in columns]
    for name in profile.organisation_fields:
        select.append(quote(name) if name in present else f"NULL::VARCHAR AS {quote(name)}")
    extras = []
    for sheet in sheets:  # extras and unassigned details in the order sheets bring them
        extras += [f"extra:{sheet.labels[p]}" for p in sheet.extras]
        extras += sorted(f"{UNASSIGNED}{f}" for f in
                         leftovers.loc[leftovers["sheet_id"] == sheet.id, "field"].unique())
    extras = list(dict.fromkeys(extras))
    join = ""
    if len(leftovers):
        db.write("_leftovers", leftovers, types={"sheet_id": pa.int64(), "source_row": pa.int64()})
        fields = sorted(leftovers["field"].unique())
        pivot = ", ".join(f"max(value) FILTER (WHERE field = {literal(f)}) AS {quote(UNASSIGNED + f)}"
                          for f in fields)
        db.create("_unassigned", f"SELECT sheet_id, source_row, {pivot} FROM _leftovers GROUP BY ALL")
        join = " LEFT JOIN _unassigned u USING (sheet_id, source_row)"
    select += [quote(c) for c in extras]
    db.create(raw_table(ORG), f"SELECT {', '.join(select)} FROM _org_rows{join} ORDER BY record_id")
    db.drop("_org_rows", "_leftovers", "_unassigned")


# --- contacts ---------------------------------------------------------------------------------


def _contacts(run: Run, profile: Profile, sheets: list[_Sheet]) -> pd.DataFrame:
    """``contact_raw``: the people every contact or mixed row names; returns the leftovers
    (sheet_id, source_row, field, value) that stay on organisations."""
    db = run.db
    fields = list(profile.contact_fields)
    _contact_rows(run, list(dict.fromkeys([*fields, *PERSON_FIELDS])), sheets)
    _split_cells(run, profile)
    details = [f for f in fields if f not in PERSON_FIELDS and f not in SHARED_FIELDS]
    shared, leftovers = _share_out(run, details)
    db.write("_shared", shared, types={"sheet_id": pa.int64(), "source_row": pa.int64(), "idx": pa.int64()})
    assigned = []
    for name in fields:
        if name in PERSON_FIELDS:
            assigned.append(f"p.{quote(name)}")
        elif name == "role":
            assigned.append("CASE WHEN p.n = 1 THEN coalesce(p.role, r.role) ELSE s.role END AS role")
        elif name in details:
            assigned.append(f"CASE WHEN p.n = 1 THEN r.{quote(name)} ELSE s.{quote(name)} END AS {quote(name)}")
        else:
            assigned.append(f"r.{quote(name)}")
    db.create(raw_table(CONTACT), f"""
        SELECT printf('C%07d', row_number() OVER (ORDER BY r.sheet_id, r.source_row, p.idx)) AS record_id,
               r.source_file, r.source_sha256, r.source_sheet, r.source_row, r.org_record,
               {', '.join(assigned)}
        FROM _contact_rows r JOIN _people p USING (sheet_id, source_row)
        LEFT JOIN _shared s USING (sheet_id, source_row, idx)
        ORDER BY record_id""")
    db.drop("_contact_rows", "_people", "_shared", "_persons")
    return leftovers


def _contact_rows(run: Run, fields: list[str], sheets: list[_Sheet]) -> None:
    """``_contact_rows``: every contact field of every contact or mixed row, the organisation
    record of the row (mixed sheets) and whether any detail is filled."""
    selects = []
    for sheet in sheets:
        mapped = sheet.targets[CONTACT]
        parts = [sheet.provenance(), f"{literal(sheet.role)} AS role_of_sheet"]
        for name in fields:
            parts.append(f"{sheet.expr(mapped[name])} AS {quote(name)}" if name in mapped
                         else f"NULL::VARCHAR AS {quote(name)}")
        selects.append(f"SELECT {', '.join(parts)} FROM sheet_{sheet.id}")
    columns = ", ".join(f"NULL::VARCHAR AS {quote(c)}" for c in
                        ["source_file", "source_sha256", "source_sheet", "role_of_sheet", *fields])
    empty = f"SELECT NULL::BIGINT AS sheet_id, NULL::BIGINT AS source_row, {columns} WHERE false"
    union = " UNION ALL BY NAME ".join(selects or [empty])
    run.db.create("_contact_rows", f"""
        SELECT c.*, o.record_id AS org_record FROM ({union}) c
        LEFT JOIN _org_rows o ON o.sheet_id = c.sheet_id AND o.source_row = c.source_row""")


@lru_cache(maxsize=200_000)
def _split(cell: str, placeholders: tuple[str, ...]) -> tuple:
    return tuple(split_persons(cell, placeholders))


def _split_cells(run: Run, profile: Profile) -> None:
    """``_persons`` (each distinct people cell and the people in it) and ``_people`` (the people of
    each row: from its people cell, else its first and last name, else nobody)."""
    db = run.db
    placeholders = tuple(profile.placeholders)
    cells = [row[0] for row in db.rows("SELECT DISTINCT full_name FROM _contact_rows "
                                       "WHERE full_name IS NOT NULL")]
    rows = [(cell, i, p.full_name, p.first_name, p.last_name, p.role)
            for cell in cells for i, p in enumerate(_split(cell, placeholders))]
    columns = list(zip(*rows, strict=False)) if rows else [[]] * 6
    names = ["cell", "idx", "full_name", "first_name", "last_name", "role"]
    arrays = [pa.array(list(c), type=pa.int64() if n == "idx" else pa.string()) for n, c in zip(names, columns, strict=False)]
    db.write("_persons", pa.Table.from_arrays(arrays, names=names))
    db.create("_people", """
        WITH split AS (
            SELECT r.sheet_id, r.source_row, p.idx, count(*) OVER (PARTITION BY r.sheet_id, r.source_row) AS n,
                   p.full_name, p.first_name, p.last_name, p.role
            FROM _contact_rows r JOIN _persons p ON p.cell = r.full_name)
        SELECT * FROM split
        UNION ALL
        SELECT r.sheet_id, r.source_row, 0, 1, NULL, r.first_name, r.last_name, NULL
        FROM _contact_rows r ANTI JOIN split s USING (sheet_id, source_row)
        WHERE r.first_name IS NOT NULL OR r.last_name IS NOT NULL
        UNION ALL
        SELECT r.sheet_id, r.source_row, 0, 1, NULL, NULL, NULL, NULL
        FROM _contact_rows r ANTI JOIN split s USING (sheet_id, source_row)
        WHERE r.first_name IS NULL AND r.last_name IS NULL AND r.role_of_sheet = 'contact'
          AND (""" + _any_detail(run) + ")")


def _any_detail(run: Run) -> str:
    columns = [c for c in run.db.columns("_contact_rows") if c not in
               ("sheet_id", "source_row", "source_file", "source_sha256", "source_sheet", "role_of_sheet",
                "org_record", *PERSON_FIELDS, *SHARED_FIELDS)]
    return " OR ".join(f"r.{quote(c)} IS NOT NULL" for c in columns) or "false"


def _share_out(run: Run, details: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """For rows naming several people: each detail split into one part per person when it can be
    (else left for the organisation, with a finding). Returns (shared, leftovers)."""
    db = run.db
    cols = ", ".join(f"r.{quote(d)}" for d in details)
    rows = db.rows(f"""
        SELECT r.sheet_id, r.source_row, r.source_file, r.source_sheet, max(p.n),
               list(p.role ORDER BY p.idx) {', ' + cols if cols else ''}
        FROM _contact_rows r JOIN _people p USING (sheet_id, source_row)
        WHERE p.n > 1 GROUP BY ALL ORDER BY r.sheet_id, r.source_row""")
    shared, left, findings = [], [], []
    for sheet_id, source_row, file, sheet, n, roles, *values in rows:
        people = [{"role": role} for role in roles]
        kept = []
        for name, value in zip(details, values, strict=False):
            if value is None:
                continue
            parts = [p for p in _SPLIT.split(str(value)) if p]
            if len(parts) == n:
                for person, part in zip(people, parts, strict=False):
                    person[name] = part
            else:
                kept.append(name)
                left.append((sheet_id, source_row, name, value))
        if kept:
            findings.append(("records.unassigned_contact_detail",
                             "warning", f"{n} people share this row; kept {', '.join(kept)} on the organisation",
                             file, sheet, int(source_row), None, None, None, None))
        for idx, person in enumerate(people):
            shared.append((sheet_id, source_row, idx, *[person.get(d) for d in details]))
    db.add_findings("records", findings)
    names = ["sheet_id", "source_row", "idx", *details]
    shared_frame = pd.DataFrame(shared, columns=names) if shared else pd.DataFrame(
        {n: pd.Series(dtype="int64" if i < 3 else object) for i, n in enumerate(names)})
    left_frame = pd.DataFrame(left, columns=["sheet_id", "source_row", "field", "value"])
    return shared_frame, left_frame

