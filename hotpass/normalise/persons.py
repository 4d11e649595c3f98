"""Cells that name several people, each with an optional role.

``split_persons("Ian Dyson (Director); Mark Smith (Chief Flight Instructor)")``
gives two :class:`Person` records. People are separated by new lines, ``;``,
``/``, ``|``, ``,``, `` and `` and ``&`` (outside parentheses); a role is
written in parentheses, after " - " / " – ", or after a comma ("John Smith,
CEO"). A piece that is only a role word ("Marketing" in "Sales and
Marketing") joins the previous person's role. Placeholders name nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from hotpass.normalise.person import PARTICLES, normalise_role, parse_person_name
from hotpass.normalise.placeholders import is_placeholder, placeholder_keys
from hotpass.normalise.result import MISSING, Result, clean_lines, fold

ROLE_WORDS = frozenset(
    "director directors manager managers ceo cfo coo cto cio md gm owner owners founder cofounder "
    "partner principal head chief instructor instructors cfi accountable accountant accounts "
    "secretary administrator admin administration assistant coordinator officer president "
    "chairman chairperson chair treasurer trustee pilot examiner sales marketing operations ops "
    "reception receptionist bookings finance hr engineer technician supervisor lead proprietor "
    "shareholder pa executive consultant representative rep dean teacher lecturer registrar "
    "bursar quality safety compliance training maintenance office deputy vice senior junior "
    "nominated postholder member contact primary general management board ato amo".split()
)
_SEPARATORS = re.compile(r"(\n|;|/|\||,|\s+and\s+|\s*&\s*|\s+\+\s+)", re.IGNORECASE)
_PARENS = re.compile(r"\(([^()]*)\)")
_DASH = re.compile(r"\s+[-–—]\s+")
_WORD = re.compile(r"[^\W\d_]+")
_STRAY = re.compile(r"[()\[\]{}]")
_MASK = re.compile("\x00(\\d+)\x00")
_EDGE = " ,;:-–—/&+|"


class Person(NamedTuple):
    """One person named in a cell."""

    full_name: str
    first_name: str | None
    last_name: str | None
    role: str | None
    title: str | None = None


@lru_cache(maxsize=16)
def _keys(placeholders: tuple[str, ...]) -> frozenset[str]:
    return placeholder_keys(placeholders)


def split_persons(cell: str, placeholders: Iterable[str] = ()) -> list[Person]:
    """Every person named in ``cell``, in order; placeholders and empty pieces are skipped."""
    keys = _keys(tuple(placeholders))
    text = clean_lines(cell or "")
    if not text or is_placeholder(text, keys):
        return []
    pieces = _pieces(text)
    people: list[Person] = []
    for separator, piece in pieces:
        if not piece or is_placeholder(piece, keys):
            continue
        if people and is_role(piece):
            people[-1] = _add_role(people[-1], separator, piece)
            continue
        person = _person(piece, keys)
        if person is not None:
            people.append(person)
    return people


def _pieces(text: str) -> list[tuple[str, str]]:
    """(separator before, piece) pairs, splitting outside parentheses only."""
    saved: list[str] = []

    def mask(match: re.Match) -> str:
        saved.append(match.group())
        return f"\x00{len(saved) - 1}\x00"

    masked = _PARENS.sub(mask, text)
    parts = _SEPARATORS.split(masked)
    pairs = [("", parts[0])] + [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    restored = [
        (sep, _MASK.sub(lambda m: saved[int(m.group(1))], p).strip(_EDGE)) for sep, p in pairs
    ]
    return _surname_first(restored)


def _surname_first(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Read "Smith, John" as one person written surname first."""
    if len(pairs) == 2 and pairs[1][0] == ",":
        (_, last), (_, first) = pairs
        if " " not in last + first and last.isalpha() and first.isalpha() and not is_role(first):
            return [("", f"{first} {last}")]
    return pairs


def is_role(text: str) -> bool:
    """True when ``text`` reads as a job title rather than a name ("Chief Flight Instructor")."""
    if "(" in text or _DASH.search(text):
        return False
    words = [fold(word) for word in _WORD.findall(text)]
    return bool(words) and any(word in ROLE_WORDS for word in words)


def _add_role(person: Person, separator: str, role: str) -> Person:
    joiner = {"/": "/", ",": ", ", "&": " & "}.get(
        separator.strip().lower(), f" {separator.strip()} "
    )
    if separator == "\n" or separator.strip() == ";":
        joiner = "; "
    combined = f"{person.role}{joiner}{role}" if person.role else role
    return person._replace(role=normalise_role(combined).value)


def _person(piece: str, keys: frozenset[str]) -> Person | None:
    """One person from a piece such as "Mr Sipho Ndlovu (Owner)" or "John Smith - CEO"."""
    piece = " ".join(w for w in piece.split() if "@" not in w and not any(c.isdigit() for c in w))
    name, role = _name_and_role(piece)
    while _SEPARATORS.search(name):  # only left over by stray brackets; never split a name
        name = _SEPARATORS.sub(" ", name)
    parsed = parse_person_name(name)
    full = parsed.result.value
    if not full or sum(ch.isalpha() for ch in full) < 2 or is_placeholder(full, keys):
        return None
    first, last = _first_last(full, parsed.title)
    role_value = normalise_role(role).value if role else None
    return Person(full, first, last, role_value, parsed.title)


def _name_and_role(piece: str) -> tuple[str, str | None]:
    """Split a piece into the name and the role(s) written beside it."""
    roles = [r for r in _PARENS.findall(piece) if any(ch.isalpha() for ch in r) and "@" not in r]
    name = " ".join(_STRAY.sub(" ", _PARENS.sub(" ", piece)).split()).strip(_EDGE)
    parts = _DASH.split(name, maxsplit=1)
    if len(parts) == 2:
        name, roles = parts[0], [*roles, parts[1]]
    while ":" in name:
        left, _, right = name.partition(":")
        if is_role(left):
            name, roles = right, [left, *roles]
        elif is_role(right):
            name, roles = left, [*roles, right]
        else:
            break
    roles = [r.strip(_EDGE) for r in roles if r.strip(_EDGE)]
    return name.strip(_EDGE), ", ".join(roles) or None


def _first_last(full: str, title: str | None) -> tuple[str | None, str | None]:
    words = full.split(" ")
    if len(words) == 1:
        return (None, full) if title else (full, None)
    if fold(words[0]) in PARTICLES:
        return None, full
    return words[0], " ".join(words[1:])


def normalise_persons_cell(value: str) -> Result:
    """A people cell with whitespace tidied line by line (it is split later, by records)."""
    text = clean_lines(value)
    if not text:
        return MISSING
    return Result((text,), None if text == value else "persons.whitespace")
