"""Finding the header row of a sheet and cleaning its labels.

Sources often carry title rows above the real header ("Civil Aviation
Authority — Register of ...", "Extracted 2024-05-01", a blank row). The header
is the row that best looks like one: wide, mostly short unique text, followed
by rows of similar width, and the first row of its block (the row above it is
narrow). Cells whose folded text is a known synonym from the profile add a
strong bonus, but detection works without them.
"""

from __future__ import annotations

import re
import unicodedata

_NUMERIC = re.compile(r"^[\s+\-(]*\d[\d\s.,:/\-()%]*$")
_DATA_LIKE = re.compile(r"@|://|^www\.", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_BELOW = 5  # rows looked at under a candidate header
MAX_LABEL = 60  # header labels longer than this look like data or titles


def fold_header(text: str) -> str:
    """Fold a header for comparison: lower-case, no accents, no punctuation or spaces.

    >>> fold_header("E-mail Address")
    'emailaddress'
    """
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def spelled_out(header: str) -> str:
    """A header with "#" read as "no", as people mean it ("Member #" is "Member No"); for matching
    headers to synonyms (``fold_header`` itself folds values too, and keeps "#" out)."""
    return str(header).replace("#", " no ")


def column_letter(index: int) -> str:
    """Excel column letters of a 0-based column index: 0 -> 'A', 27 -> 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_numeric(text: str) -> bool:
    """Does the text read as a number, date or time ("0821234567", "2024-05-01", "12.5%")?"""
    return bool(_NUMERIC.match(text))


def _row_score(cells: list[str], widest: int, known: set[str]) -> float | None:
    """How header-like the non-empty ``cells`` of one row are; None if not a candidate."""
    count = len(cells)
    text = [c for c in cells if not is_numeric(c)]
    if not text:
        return None
    short = [c for c in text if len(c) <= MAX_LABEL and not _DATA_LIKE.search(c)]
    known_share = sum(fold_header(c) in known for c in cells) / count if known else 0.0
    return (
        2.0 * count / widest
        + len(text) / count
        + 0.5 * len({c.casefold() for c in cells}) / count
        + 0.5 * len(short) / count
        + 3.0 * known_share
    )


def cell_shape(value: str | None) -> str | None:
    """A coarse kind of a cell: number, e-mail, web address or text."""
    if value is None:
        return None
    if is_numeric(value):
        return "number"
    if "@" in value:
        return "email"
    return "web" if _DATA_LIKE.search(value) else "text"


def _likeness(shapes: list[list[str | None]], i: int) -> float:
    """Share of row ``i``'s cells shaped like most cells below them (data rows: near 1)."""
    same = total = 0
    for j, shape in enumerate(shapes[i]):
        below = [row[j] for row in shapes[i + 1 : i + 1 + _BELOW] if j < len(row) and row[j]]
        if shape is None or not below:
            continue
        total += 1
        same += shape == max(set(below), key=below.count)
    return same / total if total else 1.0  # nothing below to contrast with: no evidence


def detect_header(
    rows: list[list[str | None]], scan: int, known: set[str] | None = None
) -> int | None:
    """Index (into ``rows``) of the header among the first ``scan`` rows, or None.

    ``rows`` are the non-empty rows of a sheet from the top, values text or None.
    None means no row has any text cell (a purely numeric/date table).
    """
    known = known or set()
    widths = [sum(v is not None for v in row) for row in rows]
    shapes = [[cell_shape(v) for v in row] for row in rows]
    top = min(scan, len(rows))
    widest = max(widths[: top + _BELOW], default=0)
    best, best_score = None, float("-inf")
    for i in range(top):
        score = _row_score([v for v in rows[i] if v is not None], widest, known)
        if score is None:
            continue
        below = widths[i + 1 : i + 1 + _BELOW]
        if below:
            score += sum(w >= 0.5 * widths[i] for w in below) / len(below)
        if i > 0 and widths[i - 1] >= widths[i]:
            score -= 1.0  # a row under a row at least as wide as itself is data
        score -= _likeness(shapes, i) + 0.01 * i
        if score > best_score + 1e-9:
            best, best_score = i, score
    return best


def clean_label(value: str | None) -> str:
    """A header cell as a label: whitespace runs (newlines too) collapsed, stripped."""
    return _SPACES.sub(" ", value).strip() if value else ""


def dedupe_labels(labels: list[str]) -> list[tuple[str, str]]:
    """Rename repeated labels 'Phone', 'Phone (2)', ...; returns (original, new) per renaming.

    ``labels`` is changed in place; repeats are compared case-insensitively.
    """
    seen = {label.casefold() for label in labels}
    counts: dict[str, int] = {}
    renamed = []
    for i, label in enumerate(labels):
        key = label.casefold()
        counts[key] = counts.get(key, 0) + 1
        if counts[key] == 1:
            continue
        number = counts[key]
        while f"{label} ({number})".casefold() in seen:
            number += 1
        labels[i] = f"{label} ({number})"
        seen.add(labels[i].casefold())
        renamed.append((label, labels[i]))
    return renamed
