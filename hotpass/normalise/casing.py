"""Fixing the case of text typed all in capitals or all in lower case.

Mixed-case text is left alone: whoever typed "ABC Flight School" or
"van der Merwe" meant it. Text in one case is title-cased word by word, with
acronyms in upper case and small joining words in lower case. Every fix is
checked to be stable (fixing the result changes nothing), so odd Unicode
casing can never make a normaliser flip-flop.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

ACRONYMS = frozenset(
    "sa rsa za usa uk eu cc npc npo plc llc llp soc rf ngo nhs ato caa sacaa atns amo mro fbo "
    "ppl cpl atpl uav rpas ifr vfr ceo cfo coo cto cio cmo cfi hr ict hod vp qa bee bbbee seta "
    "sars tv fm ii iii iv vi vii viii ix xi".split()
)
# In job titles a few more short words are acronyms ("IT Manager", "PA to the MD").
ROLE_ACRONYMS = ACRONYMS | {"it", "md", "gm", "pa", "pr"}
SMALL_WORDS = frozenset(
    "a an and as at by de del der den du en for from in into la le of on or "
    "the to van vir von with".split()
)
COMMON_SHORT = frozenset(
    "a an and as at by de del der den du en for from in into la le of on or the to van vir von "
    "with air sky sun top fly new old big bay one two six ten red way art car bus eco pro hub inn "
    "spa zoo dog cat pet tea bar fit gym kid our all my we go up fun jet oak ash elm sea "
    "co st mt ave rd die oos wes kus dal berg kop vlei bos hof ark joy key net web "
    "mr mrs ms dr jnr snr ltd pty inc is it us be do get own via far out hot max run can man men "
    "son day eye law pay see yes act age aid arm box boy fox hat ice lab low map mix oil pan pop "
    "raw row set ski spy toy war win hi".split()
)
_PIECES = re.compile(r"([-'’.])")


def one_case(text: str) -> bool:
    """True when ``text`` has letters and all of them are upper case, or all lower case."""
    upper, lower = text.upper(), text.lower()
    return upper != lower and text in (upper, lower)


def capitalise(word: str, mc: bool = False) -> str:
    """Capitalise each piece of a word: "o'brien" -> "O'Brien", "j.p." -> "J.P."."""
    out = [_upper_first_letter(piece) for piece in _PIECES.split(word.lower())]
    if mc:
        out = [
            p[:2] + p[2:3].upper() + p[3:] if p.startswith("Mc") and len(p) > 3 else p for p in out
        ]
    return "".join(out)


def _upper_first_letter(piece: str) -> str:
    """Upper-case the first letter of ``piece`` ("(pty)" -> "(Pty)")."""
    for index, ch in enumerate(piece):
        if ch.isalpha():
            return piece[:index] + ch.upper() + piece[index + 1 :]
    return piece


def title_words(
    text: str,
    acronyms: Collection[str] = ACRONYMS,
    small_words: Collection[str] = SMALL_WORDS,
    keep_short_upper: bool = False,
) -> str:
    """Title-case ``text`` word by word (see the module docstring)."""
    words = text.split(" ")
    out = []
    for position, word in enumerate(words):
        bare = "".join(ch for ch in word.lower() if ch.isalnum())
        if any(ch.isdigit() for ch in word):
            out.append(word)
        elif bare in acronyms:
            out.append(word.upper())
        elif position and bare in small_words:
            out.append(word.lower())
        elif keep_short_upper and word.isupper() and len(bare) <= 3 and bare not in COMMON_SHORT:
            out.append(word)
        else:
            out.append(capitalise(word))
    return " ".join(out)


def fix_case(text: str, fixer: Callable[[str], str]) -> str:
    """``fixer(text)`` when ``text`` is all in one case and the fix is stable; else ``text``."""
    if not one_case(text):
        return text
    fixed = fixer(text)
    if one_case(fixed) and fixer(fixed) != fixed:
        return text
    return fixed


def fix_org_case(text: str) -> str:
    """Case fix for organisation names, towns and similar proper names."""
    return fix_case(text, lambda t: title_words(t, keep_short_upper=t.isupper()))
