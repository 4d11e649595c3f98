"""Who a data-subject request is about, and whether a cell holds them.

A :class:`Subject` is an email, a phone or a name (any of them), normalised as
the pipeline normalises them: emails case-folded, phones to E.164 with the
project's phone normaliser, names case-, accent- and space-folded into words.
A :class:`Matcher` says whether a cell (or a row) holds the subject — an exact
hit, or for a name a *possible* one (rapidfuzz above :data:`FUZZY_CUTOFF`) —
gives a SQL condition that keeps every row that could hold them (DuckDB
prefilters, Python decides), and removes the subject from a text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from rapidfuzz import fuzz

from hotpass.errors import HotpassError
from hotpass.normalise import normalise_email, normalise_phone
from hotpass.rundb import literal
from hotpass.text import is_missing, words

#: A name this similar (rapidfuzz token sort ratio, 0-100) to the subject's is a possible hit.
FUZZY_CUTOFF = 90
#: Jaro-Winkler similarity DuckDB uses to keep a cell for the fuzzy check.
PREFILTER_SIMILARITY = 0.85
EXACT, POSSIBLE = "exact", "possible"
_GAP = r"[\s\-.()]*"
_NOT_DIGITS = re.compile(r"\D+")


class SubjectError(HotpassError):
    """A data-subject request that cannot be made (no key, an unreadable email or phone)."""


@dataclass(frozen=True)
class Subject:
    """The person a request is about: normalised email, E.164 phone, folded name (any of them)."""

    email: str | None = None
    phone: str | None = None
    name: str | None = None

    @classmethod
    def of(cls, email: str | None = None, phone: str | None = None, name: str | None = None,
           region: str = "ZA") -> Subject:
        """A subject from what an operator typed; ``SubjectError`` when nothing usable is given."""
        found_email = _one(normalise_email(email).values, "email") if not is_missing(email) else None
        found_phone = _one(normalise_phone(str(phone), region).values, "phone") \
            if not is_missing(phone) else None
        if found_phone is not None and not found_phone.startswith("+"):
            raise SubjectError("the phone number cannot be read as a phone number")
        folded = " ".join(words(name)) if not is_missing(name) else ""
        if not is_missing(name) and not folded:
            raise SubjectError("the name has no letters or digits")
        subject = cls(found_email.casefold() if found_email else None, found_phone, folded or None)
        if not subject.kinds:
            raise SubjectError("give an email, a phone or a name to search for")
        return subject

    @property
    def kinds(self) -> tuple[str, ...]:
        """Which keys the request has: email, phone, name."""
        return tuple(k for k in ("email", "phone", "name") if getattr(self, k))

    def keys(self) -> dict[str, str]:
        """Key kind -> normalised value."""
        return {k: getattr(self, k) for k in self.kinds}


def _one(values: tuple[str, ...], what: str) -> str:
    if len(values) != 1:
        raise SubjectError(f"give exactly one {what} (found {len(values)})")
    return values[0]


def fold_name(value: object) -> str:
    """A name as the matcher compares it: folded words joined by one space."""
    return " ".join(words(value))


class Matcher:
    """Whether texts hold a subject (see the module docstring)."""

    def __init__(self, subject: Subject):
        self.subject = subject
        self.tokens = subject.name.split() if subject.name else []
        self.email = re.compile(r"(?<![\w.%+-])" + re.escape(subject.email) + r"(?![\w%+-]|\.\w)",
                                re.IGNORECASE) if subject.email else None
        self.national = ""
        self.phone = None
        if subject.phone:
            number = phonenumbers.parse(subject.phone)
            self.national = str(number.national_number)
            code = str(number.country_code)
            prefix = rf"(?:(?:\+|00)?{_GAP}{code}{_GAP}(?:0{_GAP})?|0{_GAP})?"
            self.phone = re.compile(r"(?<!\d)" + prefix + _GAP.join(self.national) + r"(?!\d)")
        self.name = re.compile(_name_pattern(self.tokens), re.IGNORECASE) if self.tokens else None
        self.reversed = re.compile(_name_pattern(self.tokens[-1:] + self.tokens[:-1]), re.IGNORECASE) \
            if len(self.tokens) > 1 else None

    # --- one cell, one row ------------------------------------------------------------------

    def maybe(self, text: str) -> bool:
        """A quick look: False when ``text`` cannot hold the subject (most texts)."""
        low = text.lower()
        if not low.isascii():
            low = unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode("ascii")
        if self.subject.email and self.subject.email in low:
            return True
        if self.national and self.national in _NOT_DIGITS.sub("", low):
            return True
        if self.tokens:
            return any(t in low for t in self.tokens) or len(low) <= 4 * len(self.subject.name)
        return False

    def cell(self, value: object) -> dict[str, str]:
        """Key kind -> exact/possible, for what ``value`` holds of the subject (empty: nothing)."""
        if is_missing(value):
            return {}
        text = str(value)
        if not self.maybe(text):
            return {}
        found = {}
        if self.email is not None and self.email.search(text):
            found["email"] = EXACT
        if self.phone is not None and self.phone.search(text):
            found["phone"] = EXACT
        if self.tokens:
            verdict = self._name(text)
            if verdict:
                found["name"] = verdict
        return found

    def _name(self, text: str) -> str | None:
        cell = words(text)
        if not cell:
            return None
        size = len(self.tokens)
        for order in (self.tokens, self.tokens[-1:] + self.tokens[:-1]):
            if any(cell[i:i + size] == order for i in range(len(cell) - size + 1)):
                return EXACT
        if size > 1 and len(cell) == size and sorted(cell) == sorted(self.tokens):
            return EXACT
        if len(cell) <= size + 2 and fuzz.token_sort_ratio(" ".join(cell), self.subject.name) >= FUZZY_CUTOFF:
            return POSSIBLE
        return None

    def row(self, values: dict[str, object]) -> dict[str, dict[str, str]]:
        """Column -> (key kind -> exact/possible) for one row; a name split over two cells (given
        name in one, surname in another) is an exact hit on both."""
        candidates = {c: str(v) for c, v in values.items() if not is_missing(v) and self.maybe(str(v))}
        hits = {column: found for column, value in candidates.items() if (found := self.cell(value))}
        if len(self.tokens) > 1 and len(candidates) > 1:
            folded = {column: fold_name(value) for column, value in candidates.items()}
            for split in range(1, len(self.tokens)):
                first, last = " ".join(self.tokens[:split]), " ".join(self.tokens[split:])
                given = [c for c, v in folded.items() if v == first]
                family = [c for c, v in folded.items() if v == last]
                if given and family:
                    for column in (*given, *family):
                        hits.setdefault(column, {})["name"] = EXACT
        return hits

    # --- SQL prefilter ----------------------------------------------------------------------

    def sql(self, column: str) -> str:
        """A DuckDB condition on the text expression ``column`` true for every cell that might hold
        the subject (and a few more: Python decides)."""
        parts = []
        if self.subject.email:
            parts.append(f"strpos(lower({column}), {literal(self.subject.email)}) > 0")
        if self.national:
            parts.append(f"strpos(regexp_replace({column}, '[^0-9]', '', 'g'), {literal(self.national)}) > 0")
        if self.tokens:
            folded = f"strip_accents(lower({column}))"
            long = [t for t in self.tokens if len(t) >= 3] or self.tokens
            parts += [f"strpos({folded}, {literal(t)}) > 0" for t in long]
            parts.append(f"(length({column}) < {4 * len(self.subject.name)} AND "
                         f"jaro_winkler_similarity({folded}, {literal(self.subject.name)}) >= {PREFILTER_SIMILARITY})")
        return "(" + " OR ".join(parts) + ")"

    # --- taking the subject out of a text ---------------------------------------------------

    def redact(self, value: object) -> str | None:
        """``value`` without the subject's email, phone and name (exact hits); None when nothing
        else is left, or when the subject cannot be cut out of it."""
        if is_missing(value):
            return None
        text = str(value)
        for pattern in (self.email, self.phone, self.name, self.reversed):
            if pattern is not None:
                text = pattern.sub("", text)
        text = _tidy(text)
        if not re.search(r"[^\W0_]", text) or EXACT in self.cell(text).values():
            return None
        return text


def _name_pattern(tokens: list[str]) -> str:
    """A name's words in order, any punctuation or space between them, whole words only."""
    return r"(?<!\w)" + r"[\W_]+".join(re.escape(t) for t in tokens) + r"(?!\w)"


_SEPARATORS = re.compile(r"\s*([;,/|&\n])\s*(?:[;,/|&\n]\s*)+")
_EDGES = re.compile(r"^[\s;,/|&:\-]+|[\s;,/|&:\-]+$")


def _tidy(text: str) -> str:
    """Separators left doubled or dangling by a removal, tidied."""
    text = unicodedata.normalize("NFC", text)
    text = _SEPARATORS.sub(lambda m: m.group(1) + " ", text)
    text = re.sub(r"\(\s*\)|<\s*>|\[\s*\]", "", text)
    return _EDGES.sub("", re.sub(r"[ \t]{2,}", " ", text)).strip()
