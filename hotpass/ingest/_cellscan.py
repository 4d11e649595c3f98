"""Find xlsx/xlsm cells whose value a reader cannot give: formulas never calculated, errors.

Runs inside the parse child beside :mod:`hotpass.ingest._child` and, like it,
imports only the standard library at the top (defusedxml inside functions).
calamine reads a formula cell by its cached value; a formula saved by a program
that does not calculate (openpyxl, scripts) has none, and an error value
(``#N/A``, ``#REF!``) reads as empty. Both would vanish silently.

Each worksheet part is read in 1 MB blocks cut after a complete cell, and only
the cells around a ``<f>`` tag or a ``t="e"`` attribute are looked at (about
0.3 s per 50 MB of sheet XML; the cost grows with formula cells, not with
cells). A part whose cells cannot be found that way (prefixed tags, cells
without a reference) is parsed as a stream instead (defusedxml iterparse: no
DTD, no entities, elements freed row by row).
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile

MAX_CELLS = 1000  # cells reported per sheet; the rest are counted
CHUNK = 1 << 20
MAX_CARRY = 256 << 20  # a cell longer than this is not looked for
_NEEDLES = (b"<f", b't="e"', b"t='e'")  # hits are checked cell by cell
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_ATTR_R = re.compile(rb"\sr\s*=\s*[\"']([A-Za-z]{1,3})(\d{1,7})[\"']")
_ATTR_T = re.compile(rb"\st\s*=\s*[\"'](\w+)[\"']")
_F = re.compile(rb"<f(?:\s[^>]*)?(?:/>|>(.*?)</f>)", re.S)
_V = re.compile(rb"<v(?:\s[^>]*)?(?:/>|>(.*?)</v>)", re.S)
_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})$")
_TEXT_TYPES = {"str", "s", "inlineStr"}


def scan_workbook(path: str, names: list[str]) -> tuple[dict, str | None]:
    """({sheet name: (cells, total)}, problem) for the named worksheets of an xlsx.

    ``cells`` holds ``(row, column index, kind, text)`` with Excel row numbers,
    0-based columns, kind ``"no_value"`` (text: the formula) or ``"error"`` (text:
    the error). ``problem`` is a one-line reason when the scan could not run.
    """
    if not zipfile.is_zipfile(path):
        return {}, None
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _sheet_parts(archive)
            found = {}
            for name in names:
                member = parts.get(name)
                if member:
                    found[name] = _scan_bytes(archive, member) or _parse_part(archive, member)
            return found, None
    except Exception as exc:  # noqa: BLE001 - a failed check must not fail the read
        return {}, f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> archive member of its worksheet XML."""
    from defusedxml.ElementTree import fromstring

    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels if _local(r.tag) == "Relationship"}
    book = fromstring(archive.read("xl/workbook.xml"))
    parts = {}
    for sheet in book.iter():
        if _local(sheet.tag) != "sheet":
            continue  # the relationship id's namespace differs in Strict OOXML: match by name
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid)
        if target:
            member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            parts[sheet.get("name", "")] = posixpath.normpath(member)
    return parts


class _NotPlain(Exception):
    """The part's cells cannot be found by bytes: parse it as XML."""


def _scan_bytes(archive: zipfile.ZipFile, member: str) -> tuple[list, int] | None:
    """(up to MAX_CELLS problem cells, their total) of one part; None if it needs parsing."""
    cells, total, carry, first = [], 0, b"", True
    with archive.open(member) as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            text = carry + block
            if first:
                root = _ROOT.search(text)
                if root is None or root.group(1):
                    return None
                first = False
            end = text.rfind(b"</c>") + 4
            if end < 4:
                if len(text) > MAX_CARRY:
                    raise ValueError(f"a cell of {member} is longer than {MAX_CARRY >> 20} MB")
                carry = text
                continue
            try:
                total = _scan_text(text[:end], cells, total)
            except _NotPlain:
                return None
            carry = text[end:]
    return cells, total


def _scan_text(text: bytes, cells: list, total: int) -> int:
    """Add the problem cells of ``text`` (complete cells) to ``cells``; the new total."""
    starts = set()
    for needle in _NEEDLES:
        at = text.find(needle)
        while at >= 0:
            starts.add(text.rfind(b"<c ", 0, at))
            at = text.find(needle, at + 1)
    starts.discard(-1)
    for start in sorted(starts):
        close = text.find(b">", start)
        stop = close + 1 if text[close - 1 : close] == b"/" else text.find(b"</c>", start)
        problem = _byte_problem(text[start:close], text[close + 1 : max(stop, close + 1)])
        if problem:
            total += 1
            if len(cells) < MAX_CELLS:
                cells.append(problem)
    return total


def _byte_problem(attrs: bytes, body: bytes) -> tuple | None:
    """(row, col, kind, text) when the cell's bytes show a formula without value or an error."""
    ref = _ATTR_R.search(attrs)
    if ref is None:
        raise _NotPlain
    kind = _ATTR_T.search(attrs)
    formula, value = _F.search(body), _V.search(body)
    found = _verdict(
        kind.group(1).decode("ascii") if kind else "n",
        None if formula is None else _unescape(formula.group(1)),
        None if value is None else _unescape(value.group(1)),
    )
    if found is None:
        return None
    row, col = _position(ref.group(1).decode("ascii") + ref.group(2).decode("ascii"), 0, -1)
    return (row, col, *found)


def _unescape(raw: bytes | None) -> str:
    return html.unescape(raw.decode("utf-8", "replace")) if raw else ""


def _parse_part(archive: zipfile.ZipFile, member: str) -> tuple[list, int]:
    """(up to MAX_CELLS problem cells, their total) of one worksheet part."""
    from defusedxml.ElementTree import iterparse

    cells, total, row, col, data = [], 0, 0, -1, None
    with archive.open(member) as handle:
        for event, elem in iterparse(handle, events=("start", "end")):
            tag = _local(elem.tag)
            if event == "start":
                if tag == "row":
                    row, col = _int(elem.get("r"), row + 1), -1
                elif tag == "sheetData":
                    data = elem
                continue
            if tag == "c":
                row, col = _position(elem.get("r"), row, col)
                problem = _element_problem(elem)
                if problem:
                    total += 1
                    if len(cells) < MAX_CELLS:
                        cells.append((row, col, *problem))
                elem.clear()
            elif tag == "row" and data is not None:
                data.clear()
    return cells, total


def _int(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() else default


def _position(ref: str | None, row: int, col: int) -> tuple[int, int]:
    """(row, 0-based column) of a cell from its reference, else the next column of the row."""
    match = _REF.match(ref or "")
    if not match:
        return row, col + 1
    index = 0
    for ch in match.group(1).upper():
        index = index * 26 + ord(ch) - 64
    return int(match.group(2)), index - 1


def _element_problem(cell) -> tuple[str, str] | None:
    """The problem of a parsed ``<c>`` element, if any."""
    formula = value = None
    for child in cell:
        tag = _local(child.tag)
        if tag == "f":
            formula = child.text or ""
        elif tag == "v":
            value = child.text or ""
    return _verdict(cell.get("t", "n"), formula, value)


def _verdict(kind: str, formula: str | None, value: str | None) -> tuple[str, str] | None:
    """("no_value", formula) or ("error", value) for a cell a reader cannot give a value for.

    ``formula``/``value``: the text of the cell's ``<f>``/``<v>``, None when absent.
    A formula whose value is empty has none, unless its result is text (``t="str"``).
    """
    if kind == "e":
        return "error", (value or "").strip()[:100]
    if formula is None:
        return None
    if value is None or (not value and kind not in _TEXT_TYPES):
        text = formula.strip()[:200]
        return "no_value", f"={text}" if text else ""  # "": a shared formula's dependent cell
    return None
