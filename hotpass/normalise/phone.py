"""Phone numbers -> E.164 (``+27821234567``) with the profile's default region.

One cell may hold several numbers ("011 555 1234 / 082 123 4567"), labels
("Tel:"), extensions ("ext 12", dropped), a suffix shorthand ("082 123 4567/8"
-> ...4567 and ...4568), or a number that lost its leading zero in Excel
("821234567") or was stored as a float ("27821234567.0").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

from hotpass.normalise.result import MISSING, Result, clean_lines, clean_text

_SEPARATOR = re.compile(r"\s*(?:[/;,|&\n\\]|\bor\b|\band\b)\s*", re.IGNORECASE)
_RUN = re.compile(
    r"\+?\(?\d[\d\s().\-–]*\d(?:\s*(?:ext|extn|extension|x|#)\.?\s*\d{1,6})?", re.IGNORECASE
)
_EXTENSION_ONLY = re.compile(r"^(?:ext|extn|extension|x)\.?\s*\d{1,6}$", re.IGNORECASE)
_SHORTHAND = re.compile(r"^\d{1,4}$")
_FLOAT = re.compile(r"^\s*(\+?\d+)\.0*\s*$")
_SCIENTIFIC = re.compile(r"^\s*\d(?:\.\d+)?[eE]\+?\d{1,2}\s*$")
_FILLER = re.compile(r"[\s\-–.]+")
_MIN_DIGITS = 5  # a shorter run of digits is not taken for a phone number at all
# phonenumbers accepts a few 5- and 6-digit numbers (e.g. "+2782123"); real numbers are longer.
_MIN_NATIONAL_DIGITS = 7
_MAX_TOKENS = 24
_RULES = ("shorthand", "split", "extension_dropped", "e164")


def normalise_phone(value: str, region: str = "ZA") -> Result:
    """Every phone number in ``value`` as E.164; unreadable numbers kept with ``phone.invalid``."""
    lines = clean_lines(_unfloat(value))
    if not lines:
        return MISSING
    if not any(ch.isdigit() for ch in lines):
        return Result((), "phone.junk")
    values: list[str] = []
    flags: set[str] = set()
    invalid = False
    previous: PhoneNumber | None = None
    for part in _SEPARATOR.split(lines):
        numbers, leftovers = _read_part(part, previous, region, flags)
        values.extend(phonenumbers.format_number(n, PhoneNumberFormat.E164) for n in numbers)
        previous = numbers[-1] if numbers else previous
        values.extend(leftovers)
        invalid = invalid or bool(leftovers)
    if previous is None:
        return _invalid(value, "; ".join(lines.split("\n")))
    return _result(value, tuple(dict.fromkeys(values)), flags, invalid)


def _read_part(
    part: str, previous: PhoneNumber | None, region: str, flags: set[str]
) -> tuple[list[PhoneNumber], list[str]]:
    """(valid numbers, invalid texts) for one separated part of a cell."""
    if not any(ch.isdigit() for ch in part):
        return [], []
    if previous is not None and _EXTENSION_ONLY.match(part):
        flags.add("extension_dropped")
        return [], []
    if previous is not None and _SHORTHAND.match(part):
        number = _expand_shorthand(previous, part)
        if number is not None:
            flags.add("shorthand")
            return [number], []
    numbers, bad = [], []
    for run in _RUN.finditer(part):
        found = _parse_run(run.group(), region)
        if found:
            numbers.extend(found)
        elif sum(ch.isdigit() for ch in run.group()) >= _MIN_DIGITS:
            bad.append(clean_text(_unfloat(run.group())))
    if any(number.extension for number in numbers):
        flags.add("extension_dropped")
    if not numbers:
        return [], [clean_text(_unfloat(part))]
    return numbers, bad


def _parse(text: str, region: str) -> PhoneNumber | None:
    """A valid number read from ``text``, or None."""
    if not any(ch.isalpha() for ch in text):
        text = _FILLER.sub("", text)
    return _parse_cached(text, region)


@lru_cache(maxsize=65536)
def _parse_cached(text: str, region: str) -> PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if len(phonenumbers.national_significant_number(number)) < _MIN_NATIONAL_DIGITS:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _parse_run(run: str, region: str) -> list[PhoneNumber]:
    """One number, or several written one after another ("011 555 1234 082 123 4567")."""
    number = _parse(run, region)
    if number is not None:
        return [number]
    tokens = re.findall(r"\+?\d+", run)[:_MAX_TOKENS]
    found, start = [], 0
    while start < len(tokens):
        for end in range(len(tokens), start, -1):
            number = _parse(" ".join(tokens[start:end]), region)
            if number is not None:
                found.append(number)
                start = end
                break
        else:
            return []
    return found


def _expand_shorthand(previous: PhoneNumber, tail: str) -> PhoneNumber | None:
    """The previous number with its last digits replaced by ``tail`` ("082 123 4567/8")."""
    national = phonenumbers.national_significant_number(previous)
    if len(tail) >= len(national):
        return None
    return _parse(f"+{previous.country_code}{national[: -len(tail)]}{tail}", "ZZ")


def _unfloat(value: str) -> str:
    """Undo a number stored as a float: "27821234567.0" or "2.7821234567E+10"."""
    match = _FLOAT.match(value)
    if match:
        return match.group(1)
    if _SCIENTIFIC.match(value):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value
        if number == number.to_integral_value():
            return str(int(number))
    return value


def _invalid(original: str, text: str) -> Result:
    """Keep unreadable text as it was written (tidied), flagged ``phone.invalid``."""
    if text == original:
        return Result((text,), None, "phone.invalid")
    rule = "phone.whitespace" if text == clean_text(original) else "phone.cleaned"
    return Result((text,), rule, "phone.invalid")


def _result(original: str, values: tuple[str, ...], flags: set[str], invalid: bool) -> Result:
    problem = "phone.invalid" if invalid else None
    if values == (original,):
        return Result(values, None, problem)
    if len(values) > 1 and "shorthand" not in flags:
        flags.add("split")
    flags.add("e164")
    rule = next(name for name in _RULES if name in flags)
    return Result(values, f"phone.{rule}", problem)


def phone_type(e164: str) -> str:
    """The line type of a normalised number: "mobile", "landline" or "other"."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return "other"
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return "mobile"
    if kind == PhoneNumberType.FIXED_LINE:
        return "landline"
    return "other"
