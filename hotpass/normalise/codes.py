"""Every rule (what changed a value) and problem (why a kept value is suspect), explained.

Findings use ``normalise.<rule>`` (severity info) or ``normalise.<problem>``
(severity warning) as their code. Kinds that only collapse whitespace (text,
category, id, link and unknown kinds) use the rule ``<kind>.whitespace``.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    "placeholder": "A placeholder such as 'n/a' or '- -' was treated as missing.",
    "phone.e164": "The phone number was rewritten in E.164 form (+27821234567).",
    "phone.split": "The cell held several phone numbers; the extra ones moved to <column>_other.",
    "phone.shorthand": "A suffix shorthand such as '082 123 4567/8' was expanded to two numbers.",
    "phone.extension_dropped": "An extension ('ext 12') was dropped from the number.",
    "phone.junk": "Text without any digits was removed from a phone field.",
    "phone.whitespace": "Whitespace was tidied.",
    "phone.cleaned": "Separators or text around an unreadable number were tidied.",
    "email.lowercase_domain": "The domain of the address was lower-cased.",
    "email.cleaned": "'mailto:', brackets, quotes, trailing dots or words were removed.",
    "email.split": "The cell held several addresses; the extra ones moved to <column>_other.",
    "email.whitespace": "Whitespace was tidied.",
    "website.canonical": "The website was rewritten as https://host/path.",
    "website.split": "The cell held several websites; the extra ones moved to <column>_other.",
    "website.whitespace": "Whitespace was tidied.",
    "domain.canonical": "The value was reduced to its registrable domain.",
    "domain.whitespace": "Whitespace was tidied.",
    "region.alias": "A known spelling or abbreviation was replaced by the canonical region.",
    "region.fuzzy": "A misspelt region was matched to the canonical name (score >= 90).",
    "region.split": "The cell named several regions; the extra ones moved to <column>_other.",
    "region.whitespace": "Whitespace was tidied.",
    "name.legal_suffix": "A legal suffix such as '(Pty) Ltd' was moved to legal_suffix.",
    "name.case": "A name typed all in capitals or all in lower case was title-cased.",
    "name.punctuation": "Quotes or punctuation around the name were removed.",
    "name.whitespace": "Whitespace was tidied.",
    "legal_suffix.canonical": "The legal suffix was written in its canonical spelling.",
    "legal_suffix.whitespace": "Whitespace was tidied.",
    "person.title": "A title such as 'Mr' or 'Dr' was taken off the name.",
    "person.case": "A name typed all in capitals or all in lower case was fixed.",
    "person.junk": "The value held only a title, not a name.",
    "person.whitespace": "Whitespace or punctuation around the name was tidied.",
    "persons.whitespace": "Whitespace was tidied line by line.",
    "role.case": "A role typed all in capitals or all in lower case was fixed.",
    "role.whitespace": "Whitespace or punctuation around the role was tidied.",
    "town.case": "A town typed all in capitals or all in lower case was title-cased.",
    "town.whitespace": "Whitespace was tidied.",
    "country.alias": "A country code or other spelling was replaced by the English name.",
    "country.case": "A country typed all in capitals or all in lower case was title-cased.",
    "country.whitespace": "Whitespace was tidied.",
    "date.iso": "The date was rewritten as YYYY-MM-DD.",
    "date.whitespace": "Whitespace was tidied.",
    "number.thousands": "Thousands separators were removed.",
    "number.decimal_comma": "A decimal comma was replaced by a decimal point.",
    "number.float": "A trailing '.0' left by a spreadsheet float was removed.",
    "number.whitespace": "Whitespace was tidied.",
}

PROBLEMS: dict[str, str] = {
    "phone.invalid": "Digits that do not form a valid phone number; kept as written.",
    "email.invalid": "Not a syntactically valid email address; kept as written.",
    "website.invalid": "Not a website (no public suffix, spaces in the host...); kept.",
    "website.social": "A social-media or directory page, not the organisation's own site.",
    "domain.invalid": "Not a registrable domain; kept as written.",
    "domain.social": "A social-media or directory domain, not the organisation's own.",
    "region.unknown": "Not a region of this profile; kept as written.",
    "legal_suffix.unknown": "Not one of the profile's legal suffixes; kept as written.",
    "person.invalid": "A person name without letters; kept as written.",
    "country.unknown": "Not a known country name; kept as written.",
    "date.invalid": "Not a readable date; kept as written.",
    "number.invalid": "Not a number; kept as written.",
}


def describe(code: str) -> str:
    """The explanation of a rule or problem code (with or without the "normalise." prefix)."""
    code = code.removeprefix("normalise.")
    if code in RULES or code in PROBLEMS:
        return RULES.get(code) or PROBLEMS[code]
    if code.endswith(".whitespace"):
        return "Whitespace was tidied."
    return "Unknown normalisation code."
