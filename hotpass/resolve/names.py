"""Name and domain helpers of the matching table: each runs once per distinct value.

``name_parts`` splits an organisation name (legal suffix already removed)
into the keys blocking and comparison use: the name key without filler words,
its distinctive leading words (``core``) and the generic words after them
(``tail``), its first three words, the core's second word, a typo-tolerant
code (each of the first two words' letters sorted) and the first word's
one-letter deletions. :class:`DomainRules` decides which domains may name an
organisation (never free-mail, social or dotless ones).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd
from rapidfuzz.distance import DamerauLevenshtein

from hotpass.normalise import name_key, registrable_domain
from hotpass.text import is_missing

FILLER_WORDS = frozenset({"the", "of", "and"})
PHONE_COLUMNS = ("phone", "phone_other", "unassigned_mobile", "unassigned_mobile_other")
EMAIL_COLUMNS = ("email", "email_other")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_MIN_BRAND = 5  # free-mail brands at least this long are refused under any suffix ("gmail.co.za")


def fold_words(words) -> list[str]:
    """Generic name words as name keys spell them (lower case, no punctuation)."""
    return [w for word in words for w in (_name_key_cached(str(word)) or "").split()]


def name_parts(name: str, generic_words: frozenset[str]) -> tuple:
    """(name_key, core, tail, t1, t2, t3, core2, code, deletions of t1) of one name."""
    key = _name_key_cached(name)
    core, tail = _core_and_tail(key, generic_words)
    return (key, core, tail, _word(key, 0), _word(key, 1), _word(key, 2), _word(core, 1),
            _name_code(key), list(_deletions(_word(key, 0))))


@lru_cache(maxsize=200_000)
def _name_key_cached(name: str) -> str | None:
    words = [w for w in name_key(name).split() if w not in FILLER_WORDS]
    return " ".join(words) or None


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


def core_frequencies(pairs: Iterable[tuple[str | None, str | None]], generic_words) -> pd.DataFrame:
    """How often each distinctive part names a different organisation.

    Returns columns ``name_core`` and ``tf_name_core``.

    Records of one organisation repeat its name, so counting records would make
    every duplicated name look common. Instead a core counts once per distinct
    kind of tail it appears with (the generic word the tail starts with):
    "vaal aviation", "vaal flight school" -> 2; "tetawa flight", "tetawa flight
    academy" -> 1. Frequencies are those counts over their total.
    """
    generic_words = frozenset(generic_words)
    kinds: dict[str, set] = {}
    for core, tail in pairs:
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


def town_key(value: str) -> str | None:
    """A town as matching compares it: case folded, spaces collapsed."""
    return " ".join(str(value).casefold().split()) or None


def _suffixes(domain: str) -> set[str]:
    """``domain`` and every parent of it: "a.b.co.za" -> {"a.b.co.za", "b.co.za", "co.za", "za"}."""
    labels = domain.split(".")
    return {".".join(labels[i:]) for i in range(len(labels))}


class DomainRules:
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
