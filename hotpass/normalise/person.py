"""Person names and roles.

``parse_person_name`` strips leading titles ("Mr", "Dr", "Capt") into a
separate value and fixes the case of names typed in one case, keeping name
particles ("van der Merwe") and prefixes ("O'Brien", "McDonald") right.
``normalise_role`` fixes case and whitespace of a job title, keeping acronyms
("CEO", "CFI") in capitals.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from hotpass.normalise.casing import ROLE_ACRONYMS, SMALL_WORDS, capitalise, fix_case, title_words
from hotpass.normalise.result import MISSING, Result, clean_text, fold

_TITLE_SPELLINGS = {
    "Mr": "mr mister", "Mrs": "mrs", "Ms": "ms", "Miss": "miss", "Mx": "mx", "Dr": "dr doctor",
    "Prof": "prof professor", "Capt": "capt captain cpt", "Rev": "rev revd reverend",
    "Sir": "sir", "Adv": "adv advocate", "Hon": "hon", "Col": "col", "Maj": "maj", "Lt": "lt",
    "Cdr": "cdr cmdr", "Gen": "gen", "Sgt": "sgt", "Brig": "brig", "Mnr": "mnr", "Mev": "mev",
    "Mej": "mej", "Ds": "ds",
}  # fmt: skip
TITLES = {word: title for title, words in _TITLE_SPELLINGS.items() for word in words.split()}
PARTICLES = frozenset(
    "van der den de du da das dos del della di le la von ter ten te bin ibn".split()
)
_EDGE = " ,;:-–—/&+|"
_NO_VOWELS = re.compile(r"^[^aeiouy]{1,3}$", re.IGNORECASE)


class PersonName(NamedTuple):
    """A normalised person name and the title taken off it."""

    result: Result
    title: str | None


def split_title(name: str) -> tuple[str | None, str]:
    """("Dr", "Jane Doe") for "Dr. Jane Doe"; several titles are joined ("Capt Dr")."""
    titles: list[str] = []
    words = name.split(" ")
    while len(words) > 1 and fold(words[0]) in TITLES:
        rest = " ".join(words[1:]).strip(_EDGE)
        if not rest:
            break
        titles.append(TITLES[fold(words[0])])
        words = rest.split(" ")
    return (" ".join(titles) or None), " ".join(words)


def _person_word(word: str, position: int, upper: bool) -> str:
    """Case of one word of a name typed in one case."""
    bare = fold(word)
    if position and bare in PARTICLES:
        return word.lower()
    if upper and _NO_VOWELS.match(bare or "aeiou") and word.isalpha():
        return word
    return capitalise(word, mc=True)


def fix_person_case(name: str) -> str:
    """Fix the case of a name typed in one case ("JOHN VAN DER MERWE" -> "John van der Merwe")."""

    def fixer(text: str) -> str:
        upper = text.isupper()
        return " ".join(_person_word(w, i, upper) for i, w in enumerate(text.split(" ")))

    return fix_case(name, fixer)


def parse_person_name(value: str) -> PersonName:
    """The cleaned name without titles, and the titles."""
    text = clean_text(value).strip(_EDGE)
    if not text:
        return PersonName(MISSING, None)
    title, name = split_title(text)
    if fold(name) in TITLES:
        return PersonName(Result((), "person.junk"), TITLES[fold(name)])
    fixed = fix_person_case(name)
    problem = None if any(ch.isalpha() for ch in fixed) else "person.invalid"
    if fixed == value:
        return PersonName(Result((fixed,), None, problem), None)
    rule = "person.title" if title else "person.case" if fixed != name else "person.whitespace"
    return PersonName(Result((fixed,), rule, problem), title)


def normalise_person_name(value: str) -> Result:
    """The cleaned person name (titles removed; see :func:`parse_person_name`)."""
    return parse_person_name(value).result


def normalise_role(value: str) -> Result:
    """A job title with whitespace and case fixed ("chief flight instructor", "CEO")."""
    text = clean_text(value).strip(_EDGE)
    if not text:
        return MISSING
    if text.isupper() and " " not in text and len(text) <= 4:
        fixed = text  # a lone short word in capitals is an acronym ("AM", "CFI", "HOT")
    else:
        fixed = fix_case(text, lambda t: title_words(t, ROLE_ACRONYMS, SMALL_WORDS))
    if fixed == value:
        return Result((fixed,))
    rule = "role.case" if fixed != text else "role.whitespace"
    return Result((fixed,), rule)
