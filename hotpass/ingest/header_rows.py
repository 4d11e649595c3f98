"""Headers over several rows: merged header cells and group labels above the field row.

Operators' sheets often label groups of columns in a row above the field
labels ("Contact" over Name | Email | Phone) and merge header cells: a merged
cell keeps its value in the top-left cell only. :func:`read_header` gives each
column of the header row one label: a merged header value is copied to every
column the merge covers, and group labels are joined to the labels below them
("Contact Name"), or left off where the profile knows only the lower label
("Town" under "Location"), unless that would repeat a label.

A row directly above the header is a group row only when it looks like one:
short, non-numeric labels over used columns, fewer than the header's, at least
one of them spanning several columns (merged, or followed by blank cells), and
not a single title spanning the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice, pairwise

from hotpass.ingest.headers import cell_shape, clean_label, column_letter, fold_header, is_numeric
from hotpass.ingest.model import RawSheet

MAX_GROUP_ROWS = 2  # group rows looked for above the field row
MAX_GROUP_LABEL = 40
MAX_GROUP_WORDS = 5


@dataclass
class Header:
    """The labels of one sheet's header and how they were read."""

    cells: list[str | None]  # one label (or None) per column position of the sheet
    index: int  # position of the field row (the lowest header row) in the sheet's top rows
    rows: list[int]  # Excel rows read as the header, top first
    spread: list[str] = field(default_factory=list)  # merged ranges whose value was copied
    groups: list[str] = field(default_factory=list)  # group labels joined to the labels below


def read_header(raw: RawSheet, top: list[list[str | None]], index: int, known: set[str]) -> Header:
    """The header found at ``top[index]`` (the sheet's top rows), merges spread, group rows joined.

    When that row repeats labels over the row below it ("Contact", "Contact" over
    "Name", "Email") and the row below is labels over data, the row below is the field row.
    """
    numbers = raw.row_numbers[: len(top)]
    if _field_row_below(top, numbers, index):
        index += 1
    rows = dict(zip(numbers, top, strict=True))
    lower, spread = _spread(rows, numbers[index], raw.merged, raw.first_col, len(top[index]))
    cells = [clean_label(c) or None for c in lower]
    header = Header(cells=cells, index=index, rows=[numbers[index]], spread=spread)
    used = [
        bool(label) or any(v is not None for v in islice(column, index + 1, None))
        for label, column in zip(cells, raw.columns, strict=True)
    ]
    uppers = []
    i = index - 1
    while i >= 0 and len(uppers) < MAX_GROUP_ROWS and numbers[i] == numbers[i + 1] - 1:
        upper, upper_spread = _spread(rows, numbers[i], raw.merged, raw.first_col, len(top[i]))
        group = _group_row(top[i], upper, header.cells, used)
        if group is None:
            break
        uppers.insert(0, group)
        header.rows.insert(0, numbers[i])
        header.spread += upper_spread
        i -= 1
    if uppers:
        header.cells, header.groups = _join(uppers, header.cells, known)
    return header


def _spread(
    rows: dict[int, list], number: int, merged: list, first_col: int, width: int
) -> tuple[list[str | None], list[str]]:
    """Row ``number``'s cells, each blank cell inside a merged range given the range's value."""
    cells = list(rows[number][:width])
    spread = []
    for r0, c0, r1, c1 in merged:
        if not r0 + 1 <= number <= r1 + 1 or (r0 == r1 and c0 == c1):
            continue
        origin = rows.get(r0 + 1)
        pos0 = c0 - first_col
        value = origin[pos0] if origin is not None and 0 <= pos0 < len(origin) else None
        if value is None:
            continue
        for pos in range(max(pos0, 0), min(c1 - first_col + 1, width)):
            if cells[pos] is None:
                cells[pos] = value
        spread.append(f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}")
    return cells, spread


def _field_row_below(top: list[list[str | None]], numbers: list[int], index: int) -> bool:
    """Is the row under a header that repeats adjacent labels its field row, above data?"""
    if index + 2 >= len(top) or numbers[index + 1] != numbers[index] + 1:
        return False
    head, below, data = top[index], top[index + 1], top[index + 2 : index + 7]
    if not any(a is not None and clean_label(a) == clean_label(b) for a, b in pairwise(head)):
        return False
    labels = [clean_label(v) for v in below if v]
    if len(labels) < 2 or len(set(labels)) < len(labels):
        return False
    if not all(_is_label(v) and cell_shape(v) == "text" for v in labels):
        return False
    return any(  # somewhere the labels stand over numbers, e-mails or web addresses
        below[j] and sum(cell_shape(row[j]) not in (None, "text") for row in data) * 2 > len(data)
        for j in range(len(below))
    )


def _is_label(text: str) -> bool:
    return (
        len(text) <= MAX_GROUP_LABEL
        and len(text.split()) <= MAX_GROUP_WORDS
        and not is_numeric(text)
        and not text.endswith(":")
    )


def _group_row(
    upper: list[str | None], spread: list[str | None], lower: list[str | None], used: list[bool]
) -> list[str | None] | None:
    """The group label over each column, or None when the row does not label groups.

    ``upper``: the row as read; ``spread``: the same with its merged cells spread.
    """
    width = len(lower)
    if any(upper[width:]):
        return None  # text beyond the table: not a header row of it
    read = [clean_label(c) for c in upper[:width]] + [""] * (width - len(upper))
    starts = [p for p in range(width) if read[p] and (p == 0 or read[p - 1] != read[p])]
    if not starts or len(starts) >= sum(bool(c) for c in lower):
        return None
    if not all(used[p] and _is_label(read[p]) for p in starts):
        return None
    cells = [clean_label(c) for c in spread[:width]] + [""] * (width - len(spread))
    if spread == upper:  # nothing merged: a label covers the blank cells to its right
        cells = _carry(cells, lower, used)
    if max(cells.count(cells[p]) for p in starts) < 2:
        return None  # no label spans several columns
    if len(starts) == 1 and all(cells[p] for p in range(width) if used[p]):
        return None  # one title over the whole table
    return [c or None for c in cells]


def _carry(cells: list[str], lower: list[str | None], used: list[bool]) -> list[str]:
    """Unmerged group labels cover the blank cells to their right, up to the next label."""
    out, current = list(cells), ""
    for pos, text in enumerate(cells):
        if text:
            current = text if lower[pos] else ""  # a label alone in its column groups nothing
        elif current and used[pos] and lower[pos]:
            out[pos] = current
        else:
            current = ""
    return out


def _join(
    uppers: list[list[str | None]], lower: list[str | None], known: set[str]
) -> tuple[list[str | None], list[str]]:
    """One label per column from the group rows (top first) and the field row."""
    folded = [fold_header(c) for c in lower if c]
    repeated = {f for f in folded if folded.count(f) > 1}
    labels, groups = [], []
    for pos, below in enumerate(lower):
        parts = []
        for upper in uppers:
            text = upper[pos]
            if text and not any(fold_header(text) in fold_header(p) for p in parts):
                parts.append(text)
        if below and parts and fold_header(parts[-1]) in fold_header(below):
            parts.pop()  # "Contact" over "Contact Person"
        groups += [p for p in parts if p not in groups]
        labels.append(_choose(parts, below, known, repeated))
    return labels, groups


def _choose(parts: list[str], below: str | None, known: set[str], repeated: set[str]) -> str | None:
    """The joined label, or the lower one alone when only it says what the column is.

    The group is left off only when the profile knows the lower label but neither
    the joined label nor any group label, and the lower label is not repeated
    ("Town" under "Location"; "Phone" under "Contact" stays "Contact Phone").
    """
    if not parts:
        return below
    joined = " ".join(parts + ([below] if below else []))
    if not below or fold_header(joined) in known:
        return joined
    alone = fold_header(below)
    if alone in known and alone not in repeated and not any(fold_header(p) in known for p in parts):
        return below
    return joined
