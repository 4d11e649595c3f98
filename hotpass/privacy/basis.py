"""The lawful basis, consent and marketing choice of each person record.

A record's lawful basis is, in order: what its file's lawful-basis column says
(read as one of the POPIA s11 grounds, :data:`~hotpass.profile.LAWFUL_BASES`);
``consent`` when its consent column says yes; else the basis declared for its
file's upload, its purpose's, or the profile's default (when that basis is
consent and the consent column says no, the record has none). A basis that
came from a declaration gets the declaration as its consent source and its
date as the consent date, when the file gives none. Marketing is ``opt-out``
when the opt-out column says yes or the marketing column says no,
``opt-in`` when the marketing column says yes; ``opt_out`` is ``yes`` for
every record that opted out, the flag exports carry.
"""

from __future__ import annotations

from hotpass.profile import LAWFUL_BASES
from hotpass.text import fold, words

YES = {"yes", "y", "true", "t", "1", "x", "ja", "consented", "given", "agreed", "agree", "optedin", "optin",
       "subscribed", "granted", "accepted", "ok"}
NO = {"no", "n", "false", "f", "0", "nee", "refused", "declined", "withdrawn", "optedout", "optout",
      "unsubscribed", "revoked", "denied", "none"}
_BASIS_WORDS = [
    ("legitimate_interest", ("legitimate",)),
    ("data_subject_interest", ("vital", "datasubject", "subjectsinterest")),
    ("public_law_duty", ("public",)),
    ("legal_obligation", ("legal", "law", "statutory", "statute", "regulatory", "obligation")),
    ("contract", ("contract", "contractual", "agreement", "membership", "member")),
    ("consent", ("consent", "consented")),
]


def parse_basis(value: object) -> str | None:
    """One of the POPIA s11 codes for ``value`` ("Consent", "legitimate interests", "s11(1)(b)"), or None."""
    folded = fold(value)
    if not folded:
        return None
    for code in LAWFUL_BASES:
        if folded == fold(code):
            return code
    letters = {"s111a": "consent", "s111b": "contract", "s111c": "legal_obligation",
               "s111d": "data_subject_interest", "s111e": "public_law_duty", "s111f": "legitimate_interest"}
    if folded in letters:
        return letters[folded]
    for code, hints in _BASIS_WORDS:
        if any(hint in folded for hint in hints):
            return code
    return None


def yes_no(value: object) -> bool | None:
    """True for a yes (yes, y, true, 1, x, opted in ...), False for a no, None for anything else."""
    text = "".join(words(value))
    if not text:
        return None
    return True if text in YES else False if text in NO else None


def declared_source(declaration: dict) -> str | None:
    """The consent source written for a record whose basis came from its file's declaration."""
    return _declared_source(declaration)


def _declared_source(declaration: dict) -> str | None:
    if not declaration.get("lawful_basis"):
        return None
    purpose = declaration.get("purpose") or "no purpose"
    who = f" by {declaration['declared_by']}" if declaration.get("declared_by") else ""
    return f"declared for the upload ({purpose}){who}"
