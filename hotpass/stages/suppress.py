"""Stages ``screen``, ``suppress``, ``basis``, ``consent`` and ``privacy``: personal data under control.

``screen`` (after ``map``): each file's purpose (its upload's declaration, the
request's, or the profile's default; :mod:`hotpass.privacy.purposes`) says
which columns it may use; the values of every other column are removed from
the sheet tables and the column from ``column_map`` (finding
``privacy.column_dropped`` names it). Rows naming a person on the workspace's
suppression list (by email, phone or name, hashed) are removed from the sheet
tables too, before any record is built.

``suppress`` (after ``keys``): the same check on the normalised person records
(what ``screen`` could not see: a name built from given name and surname, a
person split out of a cell of several), removing them from the record tables,
the raw tables, the sheet tables and the findings.

``basis`` (after ``suppress``) fills each person record's lawful basis,
consent and marketing choice; ``consent`` (after ``merge``) makes an opt-out
of any record of a golden person that person's; ``privacy`` (after
``validate``) adds the counts to the run's summary. Counts only: no value.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from hotpass.privacy import basis, purposes, suppression
from hotpass.profile import Profile
from hotpass.run import Run
from hotpass.rundb import literal, quote
from hotpass.stages.names import golden_table, layout, member_table, raw_table, records_table

NAME_KINDS = ("person_name", "first_name", "last_name")
ID_KINDS = {"email": "email", "phone": "phone", "person_name": "name"}
META = "privacy"


def personal_entities(profile: Profile) -> list[str]:
    """Entities whose records are people: they have a name field of a person."""
    return [e for e in profile.entities if any(s.kind in NAME_KINDS for s in profile.fields(e).values())]


def _fields(profile: Profile, entity: str, *kinds: str) -> list[str]:
    return [name for name, spec in profile.fields(entity).items() if spec.kind in kinds]


# --- screen ---------------------------------------------------------------------------------------


def screen(run: Run, profile: Profile) -> int:
    """Stage ``screen`` (see the module docstring); returns the number of source rows removed."""
    db = run.db
    db.clear_findings("screen")
    sheets = db.rows("SELECT s.sheet_id, s.file, s.sha256, s.sheet, r.role FROM sheets s "
                     "JOIN sheet_roles r USING (sheet_id) ORDER BY s.sheet_id")
    files, dropped, findings = {}, 0, []
    listed = suppression.kinds(run.workspace) if run.workspace is not None else {}
    removed = 0
    for sheet_id, file, sha256, sheet, role in sheets:
        declared = purposes.for_file(run.workspace, sha256, run.request, profile)
        files[file] = {**declared.to_dict(), "lawful_basis": purposes.basis_of(declared, profile)}
        columns = db.rows("SELECT position, source, entity, field FROM column_map WHERE sheet_id = ? "
                          "ORDER BY position", [sheet_id])
        for position, source, entity, field in columns:
            if purposes.allowed(profile, declared.purpose, entity, field):
                continue
            rewrite(db, f"sheet_{int(sheet_id)}", blank=[f"c{int(position)}"])
            db.execute("DELETE FROM column_map WHERE sheet_id = ? AND position = ?", [sheet_id, position])
            findings.append(("privacy.column_dropped", "info",
                             f"not used for the purpose {declared.purpose}: its values were dropped",
                             file, sheet, None, source, None, None, None))
            dropped += 1
        if any(listed.values()):
            removed += _screen_rows(run, profile, listed, int(sheet_id), file, sheet, role)
    db.add_findings("screen", findings)
    db.set_meta(META, {"files": files, "columns_dropped": dropped, "rows_suppressed": removed})
    return removed


def _screen_rows(run: Run, profile: Profile, listed: dict, sheet_id: int, file: str, sheet: str, role: str) -> int:
    """Remove the rows of one sheet that name a suppressed person (by the raw values of its columns)."""
    db = run.db
    personal = personal_entities(profile)
    mapped = db.rows("SELECT position, entity, field FROM column_map WHERE sheet_id = ? AND entity IS NOT NULL",
                     [sheet_id])
    by_kind: dict[str, list[int]] = {"email": [], "phone": [], "name": []}
    firsts, lasts, personal_columns = [], [], {}
    for position, entity, field in mapped:
        if entity not in personal or field not in profile.fields(entity):
            continue
        personal_columns.setdefault(entity, []).append(int(position))
        kind = profile.fields(entity)[field].kind
        if kind in ID_KINDS:
            by_kind[ID_KINDS[kind]].append(int(position))
        firsts += [int(position)] if kind == "first_name" else []
        lasts += [int(position)] if kind == "last_name" else []
    expressions = [(kind, f"c{p}") for kind, positions in by_kind.items() for p in positions]
    if firsts and lasts:
        expressions.append(("name", f"concat_ws(' ', c{firsts[0]}, c{lasts[0]})"))
    rows: set[int] = set()
    for kind, expr in expressions:
        if not listed.get(kind):
            continue
        values = [v for (v,) in db.rows(f"SELECT DISTINCT {expr} FROM sheet_{sheet_id} WHERE {expr} IS NOT NULL")]
        hits = [v for v, found in suppression.digests(run.workspace, kind, values, profile.phone_region).items()
                if found & listed[kind]]
        if hits:
            placeholders = ", ".join("?" for _ in hits)
            rows.update(r for (r,) in db.rows(f"SELECT source_row FROM sheet_{sheet_id} WHERE {expr} IN ({placeholders})",
                                              hits))
    if rows:
        own = role in personal
        columns = sorted({p for positions in personal_columns.values() for p in positions})
        _forget_rows(run, sheet_id, file, sheet, sorted(rows), None if own else columns)
    return len(rows)


def _forget_rows(run: Run, sheet_id: int, file: str, sheet: str, rows: list[int], columns: list[int] | None) -> None:
    """Delete source rows (or, with ``columns``, blank those columns of them) and their findings."""
    db = run.db
    listed = ", ".join(str(int(r)) for r in rows)
    if columns is None:
        rewrite(db, f"sheet_{int(sheet_id)}", keep=f"source_row NOT IN ({listed})")
    elif columns:
        rewrite(db, f"sheet_{int(sheet_id)}", blank=[f"c{int(p)}" for p in columns], where=f"source_row IN ({listed})")
    rewrite(db, "findings", keep=f"NOT (coalesce(file = {literal(file)} AND sheet = {literal(sheet)} "
            f"AND \"row\" IN ({listed}), false))")


def rewrite(db, table: str, keep: str = "true", blank: list[str] = (), where: str = "true") -> None:
    """Write ``table`` again with only the rows ``keep`` and the columns ``blank`` emptied (where
    ``where``): a new table, not a delete, so the database file keeps no copy of what went."""
    columns = db.columns(table)
    select = ", ".join(f"CASE WHEN {where} THEN NULL ELSE {quote(c)} END AS {quote(c)}" if c in blank else quote(c)
                       for c in columns)
    db.execute(f"CREATE OR REPLACE TABLE {quote(table)} AS SELECT {select} FROM {quote(table)} "
               f"WHERE {keep} ORDER BY rowid")


# --- suppress -------------------------------------------------------------------------------------


def run(run: Run, profile: Profile) -> int:
    """Stage ``suppress`` (see the module docstring); returns the number of person records removed."""
    listed = suppression.kinds(run.workspace) if run.workspace is not None else {}
    removed = 0
    if any(listed.values()):
        for entity in personal_entities(profile):
            if entity in layout(profile).entities and run.db.has(records_table(entity)):
                removed += _suppress_records(run, profile, entity, listed)
    state = run.db.meta(META, {}) or {}
    run.db.set_meta(META, {**state, "records_suppressed": removed})
    return removed


def _suppress_records(run: Run, profile: Profile, entity: str, listed: dict) -> int:
    db = run.db
    table = records_table(entity)
    present = set(db.columns(table))
    hits: set[str] = set()
    checks = [(ID_KINDS[kind], field) for kind in ID_KINDS for field in _fields(profile, entity, kind)]
    firsts, lasts = _fields(profile, entity, "first_name"), _fields(profile, entity, "last_name")
    expressions = [(kind, quote(f)) for kind, f in checks if f in present]
    expressions += [(kind, quote(f + "_other")) for kind, f in checks if f + "_other" in present]
    if firsts and lasts and firsts[0] in present and lasts[0] in present:
        expressions.append(("name", f"concat_ws(' ', {quote(firsts[0])}, {quote(lasts[0])})"))
    for kind, expr in expressions:
        if not listed.get(kind):
            continue
        values = [v for (v,) in db.rows(f"SELECT DISTINCT {expr} FROM {table} WHERE {expr} IS NOT NULL")]
        split = {v: [p for p in str(v).split("; ") if p.strip()] for v in values}
        found = suppression.digests(run.workspace, kind, {p for parts in split.values() for p in parts},
                                    profile.phone_region)
        bad = [v for v, parts in split.items() if any(found[p] & listed[kind] for p in parts)]
        if bad:
            marks = ", ".join("?" for _ in bad)
            hits.update(r for (r,) in db.rows(f"SELECT record_id FROM {table} WHERE {expr} IN ({marks})", bad))
    if not hits:
        return 0
    ids = ", ".join(literal(r) for r in sorted(hits))
    sources = db.rows(f"SELECT DISTINCT sheet_id, source_file, source_sheet, source_row FROM {raw_table(entity)} "
                      f"WHERE record_id IN ({ids})") if "sheet_id" in db.columns(raw_table(entity)) else []
    roles = dict(db.rows("SELECT sheet_id, role FROM sheet_roles"))
    for sheet_id, file, sheet, row in sources:
        columns = None if roles.get(sheet_id) == entity else [
            int(p) for (p,) in db.rows("SELECT position FROM column_map WHERE sheet_id = ? AND entity = ?",
                                       [sheet_id, entity])]
        _forget_rows(run, int(sheet_id), file, sheet, [int(row)], columns)
    for source_file, sheet, row in db.rows(f"SELECT source_file, source_sheet, source_row FROM {table} "
                                           f"WHERE record_id IN ({ids})"):
        rewrite(db, "findings", keep=f"NOT (coalesce(file = {literal(source_file)} AND sheet = {literal(sheet)} "
                f"AND \"row\" = {int(row)}, false))")
    rewrite(db, table, keep=f"record_id NOT IN ({ids})")
    rewrite(db, raw_table(entity), keep=f"record_id NOT IN ({ids})")
    return len(hits)


# --- lawful basis, consent, summary ------------------------------------------------------------------


def fill_basis(run: Run, profile: Profile) -> int:
    """Stage ``basis``: each person record's lawful basis, consent and marketing choice
    (:mod:`hotpass.privacy.basis`: Python reads each distinct value once, SQL does the rest);
    returns the number of records without a lawful basis."""
    db = run.db
    files = (db.meta(META, {}) or {}).get("files", {})
    missing, counts = 0, {}
    for entity in personal_entities(profile):
        table = records_table(entity)
        if not db.has(table) or not set(purposes.BASIS_FIELDS) <= set(db.columns(table)):
            continue
        _lookups(run, table, files)
        db.execute(f"UPDATE {table} SET lawful_basis = b.lawful_basis, consent = b.consent, "
                   f"consent_source = b.consent_source, consent_date = b.consent_date, marketing = b.marketing, "
                   f"opt_out = b.opt_out FROM ({_BASIS_SQL.format(table=table)}) b "
                   f"WHERE {table}.record_id = b.record_id")
        db.drop("_basis_codes", "_yes_no", "_declared")
        for code, number in db.rows(f"SELECT coalesce(lawful_basis, 'none'), count(*) FROM {table} GROUP BY 1"):
            counts[code] = counts.get(code, 0) + int(number)
        missing += int(db.value(f"SELECT count(*) FROM {table} WHERE lawful_basis IS NULL") or 0)
        counts["opt_out"] = counts.get("opt_out", 0) + int(
            db.value(f"SELECT count(*) FROM {table} WHERE opt_out = 'yes'") or 0)
    state = db.meta(META, {}) or {}
    db.set_meta(META, {**state, "bases": {k: v for k, v in counts.items() if k != "none"}, "without_basis": missing})
    return missing


_BASIS_SQL = """
    SELECT record_id, coalesce(given, CASE WHEN said_consent THEN 'consent' END, fallback) AS lawful_basis,
           CASE WHEN said_consent THEN 'yes' WHEN NOT said_consent THEN 'no' END AS consent,
           CASE WHEN source IS NULL AND from_declaration THEN declared_source ELSE source END AS consent_source,
           CASE WHEN consent_date IS NULL AND from_declaration THEN declared_date ELSE consent_date END
               AS consent_date,
           CASE WHEN opted_out OR NOT coalesce(wants, true) THEN 'opt-out' WHEN wants THEN 'opt-in' END AS marketing,
           CASE WHEN opted_out OR NOT coalesce(wants, true) THEN 'yes' END AS opt_out
    FROM (
        SELECT *, given IS NULL AND NOT coalesce(said_consent, false) AND fallback IS NOT NULL AS from_declaration
        FROM (
            SELECT t.record_id, bc.code AS given, c.answer AS said_consent, t.consent_source AS source,
                   t.consent_date, m.answer AS wants, o.answer AS opted_out, d.source AS declared_source,
                   d.date AS declared_date,
                   CASE WHEN d.basis = 'consent' AND c.answer = false THEN NULL ELSE d.basis END AS fallback
            FROM {table} t
            LEFT JOIN _basis_codes bc ON bc.value = t.lawful_basis
            LEFT JOIN _yes_no c ON c.value = t.consent
            LEFT JOIN _yes_no m ON m.value = t.marketing
            LEFT JOIN _yes_no o ON o.value = t.opt_out
            LEFT JOIN _declared d ON d.source_file = t.source_file))
"""


def _lookups(run: Run, table: str, files: dict) -> None:
    """What each distinct lawful-basis and yes/no value means, and what each file declared, as tables."""
    db = run.db
    bases = [v for (v,) in db.rows(f"SELECT DISTINCT lawful_basis FROM {table} WHERE lawful_basis IS NOT NULL")]
    answers = [v for (v,) in db.rows(f"SELECT DISTINCT v FROM (SELECT consent AS v FROM {table} UNION "
                                     f"SELECT marketing FROM {table} UNION SELECT opt_out FROM {table}) "
                                     "WHERE v IS NOT NULL")]
    names = [f for (f,) in db.rows(f"SELECT DISTINCT source_file FROM {table} WHERE source_file IS NOT NULL")]
    db.write("_basis_codes", pd.DataFrame({"value": bases, "code": [basis.parse_basis(v) for v in bases]},
                                          dtype=object), types={"value": pa.string(), "code": pa.string()})
    db.write("_yes_no", pd.DataFrame({"value": answers, "answer": [basis.yes_no(v) for v in answers]}, dtype=object),
             types={"value": pa.string(), "answer": pa.bool_()})
    declared = [files.get(name) or {} for name in names]
    db.write("_declared", pd.DataFrame({
        "source_file": names, "basis": [d.get("lawful_basis") for d in declared],
        "source": [basis.declared_source(d) for d in declared],
        "date": [str(d.get("declared_at") or "")[:10] or None for d in declared]}, dtype=object),
        types={c: pa.string() for c in ("source_file", "basis", "source", "date")})


def golden_opt_out(run: Run, profile: Profile) -> int:
    """Stage ``consent``: a golden person one of whose records opted out of marketing has opted out."""
    changed = 0
    for entity in personal_entities(profile):
        golden, members = golden_table(entity), _member_table(entity)
        if not (run.db.has(golden) and run.db.has(members) and "opt_out" in run.db.columns(golden)):
            continue
        gid = f"{entity}_id"
        sets = "opt_out = 'yes'" + (", marketing = 'opt-out'" if "marketing" in run.db.columns(golden) else "")
        before = int(run.db.value(f"SELECT count(*) FROM {golden} WHERE opt_out = 'yes'") or 0)
        run.db.execute(f"""UPDATE {golden} SET {sets} WHERE {quote(gid)} IN (
            SELECT m.{quote(gid)} FROM {members} m JOIN {records_table(entity)} r USING (record_id)
            WHERE r.opt_out = 'yes')""")
        changed += int(run.db.value(f"SELECT count(*) FROM {golden} WHERE opt_out = 'yes'") or 0) - before
    return changed


def _member_table(entity: str) -> str:
    return "contact_member_of" if entity == "contact" else member_table(entity)


def summary(run: Run, profile: Profile) -> int:
    """Stage ``privacy``: the run's summary gains the privacy counts (no values)."""
    state = run.db.meta(META, {}) or {}
    purposes_used = sorted({f.get("purpose") or "none" for f in state.get("files", {}).values()})
    suppressed = int(state.get("rows_suppressed", 0)) + int(state.get("records_suppressed", 0))
    mine = [["Purpose", ", ".join(purposes_used) or "none"],
            ["Columns dropped for the purpose", int(state.get("columns_dropped", 0))],
            ["Suppressed people left out", suppressed],
            ["People without a lawful basis", int(state.get("without_basis", 0))],
            ["People opted out of marketing", int(state.get("bases", {}).get("opt_out", 0))]]
    names = {metric for metric, _ in mine}
    lines = [list(line) for line in run.db.meta("summary", []) or [] if line[0] not in names]
    run.db.set_meta("summary", lines + mine)
    return suppressed

