"""The sheets of a user's uploads, their roles and where their columns go (no Streamlit).

What the machine makes of an upload set under one profile (:class:`Detected`:
each sheet's role with its reason, key and date columns, the column targets,
and what each column's values look like) is worked out once per upload set and
profile. The roles, key columns and targets the user chose by hand (their
mapping recipe, kept in the workspace by :mod:`workbench.kept`) are laid over
it on every change by :func:`map_uploads`; a role chosen by hand has
``role_method`` "manual".
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pandas as pd

from hotpass import (
    NOT_RECORDS,
    OTHER_ROLES,
    ColumnLook,
    MappingError,
    Profile,
    SheetMapping,
    look_at_columns,
    map_sheet,
    map_sheets,
    set_target,
)

IGNORE = "(ignore)"
#: Roles whose rows attach to a record through a key column.
KEYED = ("side_table", "activity_log")
_OTHER_LABELS = {
    "side_table": "Side table: adds details to records through a key column",
    "activity_log": "Activity log: dated events about records",
    "lookup": "Lookup list: never records",
    "ignore": "Ignore: not read",
}
_METHODS = {"detected": "Detected", "profile": "Set by the profile",
            "saved": "From a saved mapping", "manual": "Chosen by hand"}


@dataclass
class Detected:
    """What the machine made of an upload set: a mapping and the column looks of each sheet."""

    mappings: list[SheetMapping]
    looks: list[list[ColumnLook]]


@dataclass
class Mapped:
    """The readable workbooks of a user, their sheets and one mapping per sheet (in order)."""

    workbooks: list = field(default_factory=list)
    sheets: list = field(default_factory=list)
    mappings: list[SheetMapping] = field(default_factory=list)
    looks: list[list[ColumnLook]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # choices made by hand that no longer fit
    version: str = ""

    def mapping_of(self, file: str, sheet: str) -> SheetMapping | None:
        return next((m for m in self.mappings if m.file == file and m.sheet == sheet), None)

    def looks_of(self, file: str, sheet: str) -> list[ColumnLook]:
        found = [i for i, s in enumerate(self.sheets) if s.file == file and s.sheet == sheet]
        return self.looks[found[0]] if found and found[0] < len(self.looks) else []


def sheets_of(uploads: list) -> list:
    """The sheets of the readable uploads, file by file."""
    return [sheet for u in uploads if u.workbook is not None for sheet in u.workbook.sheets]


def detect(sheets: list, profile: Profile) -> Detected:
    """Each sheet's role and column targets (the sheets of a workbook classified together) and the
    look of each column's values."""
    return Detected(map_sheets(sheets, profile), [look_at_columns(s, profile) for s in sheets])


def map_uploads(uploads: list, profile: Profile, edits: dict, roles: dict,
                columns: dict | None = None, detected: Detected | None = None) -> Mapped:
    """The sheets of the readable uploads as ``detected`` (worked out now when not given), with the
    roles, key and date columns (``columns``: (file, sheet) -> (key, date)) and targets chosen by
    hand laid over it."""
    workbooks = [u.workbook for u in uploads if u.workbook is not None]
    sheets = sheets_of(uploads)
    detected = detected or detect(sheets, profile)
    columns, allowed = columns or {}, role_options(profile)
    mapped = Mapped(workbooks, sheets, looks=detected.looks)
    for sheet, found in zip(sheets, detected.mappings, strict=True):
        role = roles.get((sheet.file, sheet.sheet))
        if role is not None and role not in allowed:
            mapped.problems.append(f"{sheet.file} · {sheet.sheet}: profile {profile.name} has no "
                                   f"role {role!r}, so the detected role is used")
            role = None
        key, date = columns.get((sheet.file, sheet.sheet), (None, None))
        mapped.mappings.append(copy.deepcopy(found) if role is None
                               else by_hand(sheet, profile, found, role, key, date))
    for (file, sheet, source), target in edits.items():
        mapping = mapped.mapping_of(file, sheet)
        if mapping is None or mapping.role in NOT_RECORDS:
            continue
        try:
            set_target(mapping, source, target, profile)
        except MappingError as exc:
            mapped.problems.append(f"{exc} (a change made by hand was dropped)")
    return mapped


def by_hand(sheet, profile: Profile, found: SheetMapping, role: str, key: str | None = None,
            date: str | None = None) -> SheetMapping:
    """``sheet`` mapped with the role (and key and date columns) chosen by hand."""
    if role == found.role:
        mapping = copy.deepcopy(found)
    else:
        chosen = SheetMapping(sheet.file, sheet.sheet, role, "manual", key=key, date=date)
        mapping = map_sheet(sheet, profile, chosen)
    if role in KEYED:
        mapping.key = key if key in sheet.columns else mapping.key
        mapping.date = date if date in sheet.columns else mapping.date
    mapping.role_method, mapping.confidence = "manual", 1.0
    mapping.reason = (f"chosen by hand; detected as {role_label(found.role, profile, short=True)} "
                      f"({found.confidence:.0%} sure): {found.reason}")
    return mapping


# --- roles as the operator reads them ---------------------------------------------------------


def role_options(profile: Profile) -> list[str]:
    """The roles a sheet may take under ``profile``: its entities, then mixed (when an entity has
    children), side table, activity log, lookup and ignore."""
    return [*profile.entities, *(r for r in OTHER_ROLES if r != "mixed" or profile.children())]


def role_label(role: str, profile: Profile, short: bool = False) -> str:
    """What a role means, in words ("Organisation: one per row"); ``short``: its name only."""
    if short:
        return role.replace("_", " ")
    if role in profile.entities:
        return f"{profile.label(role)}: one per row"
    if role == "mixed":
        top = profile.primary
        child = next(iter(profile.children(top)), None)
        people = profile.plural(child).replace("_", " ") if child else "details"
        return f"Mixed: one {profile.label(top).lower()} per row with its {people}"
    return _OTHER_LABELS.get(role, role)


def role_note(mapping: SheetMapping) -> str:
    """Why the sheet has its role, in a line: who decided, how sure, and the reason."""
    sure = f", {mapping.confidence:.0%} sure" if mapping.role_method == "detected" else ""
    reason = mapping.reason.removeprefix("chosen by hand; ") if mapping.role_method == "manual" \
        else mapping.reason
    return f"{_METHODS.get(mapping.role_method, mapping.role_method)}{sure}: {reason}" if reason \
        else _METHODS.get(mapping.role_method, mapping.role_method)


def record_entities(role: str, profile: Profile) -> list[str]:
    """The entities a sheet of ``role`` gives records of (none for side tables, lookups, ...)."""
    if role in profile.entities:
        return [role]
    if role == "mixed":
        return [e for top in profile.top_entities() for e in (top, *profile.children(top))]
    return []


# --- column targets ---------------------------------------------------------------------------


def target_options(mapping: SheetMapping, profile: Profile) -> list[str]:
    """The targets a column of this sheet may take: its role's fields, and (ignore)."""
    options = [f"{entity}.{name}" for entity in record_entities(mapping.role, profile)
               for name in profile.fields(entity)]
    options += [c.target for c in mapping.columns if c.target and c.target not in options]
    return [IGNORE, *options]


def samples_text(look: ColumnLook | None, width: int = 40) -> str:
    """A column's first distinct values on one line, each cut to ``width`` characters."""
    if look is None:
        return ""
    return " · ".join(v if len(v) <= width else v[: width - 1] + "…" for v in look.samples)


def mapping_table(mapping: SheetMapping, profile: Profile,
                  looks: list[ColumnLook] | None = None) -> pd.DataFrame:
    """One row per source column: what its values look like, where it goes, how sure the machine
    is, whether to check."""
    confident = profile.mapping.confident_score
    looks = looks or []
    rows = [
        {
            "source column": c.source,
            "looks like": looks[i].kind if i < len(looks) else "",
            "sample values": samples_text(looks[i] if i < len(looks) else None),
            "target field": c.target or IGNORE,
            "confidence": round(float(c.confidence)),
            "method": c.method,
            "check": "⚠ check" if c.target and c.confidence < confident else "",
        }
        for i, c in enumerate(mapping.columns)
    ]
    return pd.DataFrame(rows, columns=["source column", "looks like", "sample values",
                                       "target field", "confidence", "method", "check"])


def changed_targets(mapping: SheetMapping, edited: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(source column, new target or None) for each row whose target the editor changed."""
    current = {c.source: c.target or IGNORE for c in mapping.columns}
    changes = []
    for source, target in zip(edited["source column"], edited["target field"], strict=True):
        target = target if isinstance(target, str) and target else IGNORE
        if source in current and current[source] != target:
            changes.append((source, None if target == IGNORE else target))
    return changes


def sheet_summary(mapped: Mapped, profile: Profile) -> pd.DataFrame:
    """One row per sheet: file, sheet, header row, data rows, role, who decided it and how sure,
    key column, columns to check, and why it has its role."""
    confident = profile.mapping.confident_score
    return pd.DataFrame(
        [
            {
                "file": s.file,
                "sheet": s.sheet,
                "header row": s.header_row or None,
                "data rows": len(s.frame),
                "role": role_label(m.role, profile, short=True),
                "role from": m.role_method,
                "sure": f"{m.confidence:.0%}",
                "key column": m.key or "",
                "to check": len(m.uncertain(confident)),
                "unmapped": len(m.extras()) if m.role not in NOT_RECORDS else None,
                "why": m.reason,
            }
            for s, m in zip(mapped.sheets, mapped.mappings, strict=True)
        ]
    )
