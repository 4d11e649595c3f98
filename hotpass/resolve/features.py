"""The frame Splink sees: one row per organisation record, matching evidence only.

Every value is derived from the normalised record frame and the profile:

``unique_id``
    the record's stable ``record_key``.
``name_key``
    the name (legal suffix already removed) as a matching key, without the
    filler words ``the``, ``of`` and ``and``.
``name_core``, ``name_tail``
    the distinctive leading words of the name and the generic words after them
    ("blue sky" + "flight academy"); a word is generic when it is, or is one
    typo away from, one of the profile's ``resolution.generic_name_words`` (the first
    word never is).
``name_t1``, ``name_t2``, ``name_t3``, ``name_core2``, ``name_code``, ``name_t1_variants``
    the first three words of ``name_key``, the second distinctive word, a
    typo-tolerant code (the letters
    of each of the first two words in sorted order) and the first word with
    and without each of its letters (words of four letters or more; variants
    that more than ``resolution.variant_max_records`` records share are dropped): for
    blocking only.
``phones``
    sorted E.164 numbers from ``phone``, ``phone_other`` and the people's mobiles
    left on the organisation; numbers that did not normalise are left out.
``emails``
    sorted, lower-cased addresses from ``email`` and ``email_other``.
``org_domain``
    the website's registrable domain, else the most common mail domain of the
    record's addresses; never a free-mail, social or dotless domain.
``region``, ``town``, ``legal_suffix``
    canonical province, the folded town name and the canonical legal suffix.
``people``, ``people_full``, ``contact_points``
    when contact records are given: the linked people as "initial surname"
    and "first name surname" keys, and their own phone numbers and addresses
    (see :mod:`hotpass.resolve.people`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd
from rapidfuzz.distance import DamerauLevenshtein

from hotpass.normalise import name_key, registrable_domain
from hotpass.profile import MATCHING_COLUMNS
from hotpass.resolve.people import people_columns
from hotpass.text import is_missing

FILLER_WORDS = frozenset({"the", "of", "and"})
PHONE_COLUMNS = ("phone", "phone_other", "unassigned_mobile", "unassigned_mobile_other")
EMAIL_COLUMNS = ("email", "email_other")
FEATURE_COLUMNS = ("unique_id", *MATCHING_COLUMNS)
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MIN_BRAND = 5  # free-mail brands at least this long are refused under any suffix ("gmail.co.za")


def features(orgs: pd.DataFrame, profile, contacts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The matching frame for ``orgs`` (see the module docstring), in record order.

    ``contacts`` (optional) are the contact records, linked to ``orgs`` by
    ``org_record`` = ``record_id``; without them ``people`` and
    ``contact_points`` are empty.
    """
    column = _column_getter(orgs)
    domains = _DomainRules(profile.free_mail_domains, profile.social_domains)
    names = [_name_key(v) for v in column("name")]
    emails = [_emails(row) for row in zip(*(column(c) for c in EMAIL_COLUMNS))]
    generic_words = frozenset(fold_words(profile.resolution.generic_name_words))
    split = [_core_and_tail(n, generic_words) for n in names]
    first_words = [_word(n, 0) for n in names]
    values = {
        "unique_id": column("record_key"),
        "name_key": names,
        "name_core": [core for core, _ in split],
        "name_tail": [tail for _, tail in split],
        "name_t1": first_words,
        "name_t2": [_word(n, 1) for n in names],
        "name_t3": [_word(n, 2) for n in names],
        "name_core2": [_word(core, 1) for core, _ in split],
        "name_code": [_name_code(n) for n in names],
        "name_t1_variants": _variants(first_words, profile.resolution.variant_max_records),
        "phones": [_phones(row) for row in zip(*(column(c) for c in PHONE_COLUMNS))],
        "emails": emails,
        "org_domain": [domains.org_domain(d, e) for d, e in zip(column("domain"), emails)],
        "region": [_text(v) for v in column("region")],
        "town": [_town(v) for v in column("town")],
        "legal_suffix": [_text(v) for v in column("legal_suffix")],
        **people_columns(orgs, contacts),
    }
    # object columns keep None as None (pandas would otherwise infer a string dtype with NaN)
    frame = pd.DataFrame({name: pd.Series(col, dtype=object) for name, col in values.items()})
    frame.attrs["generic_words"] = sorted(generic_words)  # JSON-friendly: DuckDB serialises attrs
    return frame


def fold_words(words) -> list[str]:
    """Generic name words as name keys spell them (lower case, no punctuation)."""
    return [w for word in words for w in (_name_key_cached(str(word)) or "").split()]


def _text(value) -> str | None:
    return None if is_missing(value) else str(value).strip()


def _column_getter(orgs: pd.DataFrame):
    """``column(name)`` -> list of values, all None when the column is absent."""

    def column(name: str) -> list:
        if name in orgs.columns:
            return orgs[name].tolist()
        return [None] * len(orgs)

    return column


def _split(value) -> list[str]:
    """The values of a cell that may hold several, joined with "; "."""
    if is_missing(value):
        return []
    return [part.strip() for part in str(value).split(";") if part.strip()]


@lru_cache(maxsize=200_000)
def _name_key_cached(name: str) -> str | None:
    words = [w for w in name_key(name).split() if w not in FILLER_WORDS]
    return " ".join(words) or None


def _name_key(value) -> str | None:
    return None if is_missing(value) else _name_key_cached(str(value))


@lru_cache(maxsize=100_000)
def _generic(word: str, generic_words: frozenset[str]) -> str | None:
    """The generic word ``word`` spells, allowing one typo in words of five letters or more."""
    if word in generic_words:
        return word
    if len(word) < 5:
        return None
    close = [
        g
        for g in sorted(generic_words)
        if len(g) >= 5
        and abs(len(word) - len(g)) <= 1
        and DamerauLevenshtein.distance(word, g) <= 1
    ]
    return close[0] if close else None


def _core_and_tail(key: str | None, generic_words: frozenset[str]) -> tuple[str | None, str | None]:
    """(distinctive words, generic words after them) of a name key."""
    if not key:
        return None, None
    words = key.split()
    cut = next((i for i in range(1, len(words)) if _generic(words[i], generic_words)), len(words))
    return " ".join(words[:cut]), " ".join(words[cut:]) or None


def core_frequencies(frame: pd.DataFrame) -> pd.DataFrame:
    """How often each distinctive part names a different organisation.

    Returns columns ``name_core`` and ``tf_name_core``.

    Records of one organisation repeat its name, so counting records would make
    every duplicated name look common. Instead a core counts once per distinct
    kind of tail it appears with (the generic word the tail starts with):
    "vaal aviation", "vaal flight school" -> 2; "tetawa flight", "tetawa flight
    academy" -> 1. Frequencies are those counts over their total.
    """
    generic_words = frozenset(frame.attrs.get("generic_words", ()))
    kinds: dict[str, set] = {}
    for core, tail in zip(frame["name_core"], frame["name_tail"]):
        if isinstance(core, str):
            kinds.setdefault(core, set()).add(
                _generic(tail.split()[0], generic_words) if isinstance(tail, str) else None
            )
    counts = {core: len(found) for core, found in kinds.items()}
    total = sum(counts.values()) or 1
    cores = sorted(counts)
    return pd.DataFrame({"name_core": cores, "tf_name_core": [counts[c] / total for c in cores]})


def _word(key: str | None, index: int) -> str | None:
    words = key.split() if key else []
    return words[index] if len(words) > index else None


def _name_code(key: str | None) -> str | None:
    """Letters of the first two words, each sorted: survives swapped letters ("flihgt")."""
    if not key:
        return None
    return " ".join("".join(sorted(word)) for word in key.split()[:2])


@lru_cache(maxsize=100_000)
def _deletions(word) -> tuple[str, ...]:
    """``word`` and every string made by deleting one of its letters (words of 4+ letters)."""
    if not isinstance(word, str) or len(word) < 4:
        return ()
    return tuple(sorted({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}))


def _variants(first_words: list, max_records: int) -> list[list[str] | None]:
    """Deletion variants of each first word, without variants shared by more than
    ``max_records`` records."""
    per_record = [_deletions(w) for w in first_words]
    counts = Counter(v for variants in per_record for v in variants)
    kept = [[v for v in variants if counts[v] <= max_records] for variants in per_record]
    return [variants or None for variants in kept]


def _phones(cells: Iterable) -> list[str] | None:
    numbers = {p for cell in cells for p in _split(cell) if _E164.match(p)}
    return sorted(numbers) or None


def _emails(cells: Iterable) -> list[str] | None:
    addresses = {e.lower() for cell in cells for e in _split(cell) if "@" in e}
    return sorted(addresses) or None


def _town(value) -> str | None:
    if is_missing(value):
        return None
    return " ".join(str(value).casefold().split()) or None


def _suffixes(domain: str) -> set[str]:
    """``domain`` and every parent of it: "a.b.co.za" -> {"a.b.co.za", "b.co.za", "co.za", "za"}."""
    labels = domain.split(".")
    return {".".join(labels[i:]) for i in range(len(labels))}


class _DomainRules:
    """Decides which domains can identify an organisation."""

    def __init__(self, free_mail: Iterable[str], social: Iterable[str]):
        self.refused = {d.lower().strip(".") for d in (*free_mail, *social)}
        self.brands = frozenset(
            d.split(".")[0] for d in map(str.lower, free_mail) if len(d.split(".")[0]) >= _MIN_BRAND
        )
        self.usable = lru_cache(maxsize=100_000)(self._usable)

    def _usable(self, domain: str) -> str | None:
        """The registrable domain when it may name an organisation, else None.

        Free-mail and social domains never may, nor free-mail brands under any suffix.
        """
        found = registrable_domain(domain)
        if not found or "." not in found or _suffixes(found) & self.refused:
            return None
        return None if found.split(".")[0] in self.brands else found

    def org_domain(self, website_domain, emails: list[str] | None) -> str | None:
        """The website's domain when usable, else the commonest usable mail domain."""
        if not is_missing(website_domain):
            found = self.usable(str(website_domain).strip().lower())
            if found:
                return found
        counts = Counter(d for d in (self.usable(e.rpartition("@")[2]) for e in emails or ()) if d)
        if not counts:
            return None
        return min(counts, key=lambda d: (-counts[d], d))
