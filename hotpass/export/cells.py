"""Turn one value into something safe to put in a cell.

Pure functions shared by the workbook, CSV and Parquet writers: text
cleaning (XML-illegal characters, Excel's cell length limit), CSV formula
neutralising, hyperlink vetting, and number/date parsing with a fallback to
text so no value is ever lost or turned into a formula.
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import date, datetime, time
from decimal import Decimal

#: Excel's limit on the length of a cell, in UTF-16 code units.
EXCEL_CELL_LIMIT = 32_767
#: Appended to text cut at :data:`EXCEL_CELL_LIMIT`.
TRUNCATION_MARKER = " …[truncated]"
#: Excel's limit on the length of a hyperlink target.
EXCEL_URL_LIMIT = 2_079

# Characters XML 1.0 cannot hold: control characters, lone surrogates, U+FFFE/U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: First characters that make a spreadsheet read a cell as a formula: ASCII and full-width
#: = + - @, tab and CR (the OWASP list) and NUL (OWASP ASVS 5.0, 1.2.10), also after leading spaces.
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A plain number (E.164 phones and negative numbers among them): data, never escaped.
CSV_NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_CSV_NUMBER = re.compile(CSV_NUMBER)
_FORMULA_STARTS = ("=", "+", "-", "@")
_HTTP = re.compile(r"https?://[^\s/?#\"<>\\^`{|}]+[^\s\"<>\\^`{|}]*", re.IGNORECASE)
_EMAIL = re.compile(
    r"[^\s@:;,<>\"'()\[\]\\/]+@[^\s@:;,<>\"'()\[\]\\/?#=]+\.[^\s@:;,<>\"'()\[\]\\/?#=.]+"
)
_MAX_EXACT_INT = 2**53


def csv_safe(value: str) -> str:
    """Prefix ``'`` when a spreadsheet app would run ``value`` as a formula.

    A value whose first character (after any spaces) is ``=``, ``+``, ``-``, ``@``
    (ASCII or full-width), TAB, CR or NUL is prefixed (the OWASP advice for CSV
    injection), unless it is a plain number such as an E.164 phone (``+27...``)
    or ``-2.5`` (spaces around it allowed), which is data; anything else is
    returned as is.
    """
    if value and value.lstrip(" ").startswith(CSV_TRIGGERS) and not _CSV_NUMBER.fullmatch(value.strip(" ")):
        return "'" + value
    return value


def utf16_len(value: str) -> int:
    """Length of ``value`` as Excel counts it (UTF-16 code units)."""
    if value.isascii():
        return len(value)
    return len(value.encode("utf-16-le")) // 2


def truncate(value: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    """Cut ``value`` to ``limit`` UTF-16 units, ending with :data:`TRUNCATION_MARKER`."""
    if utf16_len(value) <= limit:
        return value
    keep = max(limit - len(TRUNCATION_MARKER), 0)
    head = value.encode("utf-16-le")[: keep * 2].decode("utf-16-le", errors="ignore")
    return head + TRUNCATION_MARKER


def strip_illegal(value: str) -> str:
    """Remove characters XML 1.0 cannot hold (control characters, lone surrogates)."""
    return _ILLEGAL_XML.sub("", value)


def has_illegal(value: str) -> bool:
    """True when ``value`` holds a character :func:`strip_illegal` would remove."""
    return _ILLEGAL_XML.search(value) is not None


def clean_text(value: str) -> str:
    """Text fit for a cell: illegal characters removed, cut at Excel's limit."""
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
    if len(value) > EXCEL_CELL_LIMIT // 2:
        value = truncate(value)
    return value


def to_text(value: object) -> str:
    """Show a non-text value as text (``5.0`` -> ``"5"``, dates in ISO form)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def link_target(value: str, kind: str) -> str | None:
    """The hyperlink for ``value`` in a ``url``/``email`` column, or None for plain text.

    Only ``http(s)://`` links and ``mailto:`` links to a well-formed address
    qualify; ``javascript:``, ``file:``, anything starting like a formula,
    containing spaces or longer than Excel allows stays plain text.
    """
    if not value or value.startswith(_FORMULA_STARTS) or len(value) > EXCEL_URL_LIMIT:
        return None
    if value[:7].lower() == "mailto:":
        address = value[7:]
    elif kind == "email":
        address = value
    elif _HTTP.fullmatch(value) and not has_illegal(value):
        return value
    else:
        return None
    if address.startswith(_FORMULA_STARTS) or not _EMAIL.fullmatch(address):
        return None
    target = "mailto:" + address
    return target if len(target) <= EXCEL_URL_LIMIT else None


def to_number(value: object, kind: str) -> int | float | None:
    """``value`` as an Excel number for an ``integer``/``number``/``percent`` column.

    Returns None when it is not a finite number (the caller writes it as
    text), and for integers Excel cannot hold exactly (beyond 2**53).
    Strings are accepted in plain decimal form, and ``"25%"`` in a percent
    column means 0.25.
    """
    if type(value) is str:
        number = _parse_number(value, kind)
    elif type(value) is float:
        number = value
    elif type(value) is int:
        return value if -_MAX_EXACT_INT <= value <= _MAX_EXACT_INT else None
    elif isinstance(value, bool):
        return int(value)
    elif isinstance(value, numbers.Integral):  # numpy integers
        return to_number(int(value), kind)
    elif isinstance(value, Decimal | numbers.Real):
        number = float(value)
    else:
        return None
    if number is None or not math.isfinite(number):
        return None
    if kind == "integer" and number.is_integer() and abs(number) <= _MAX_EXACT_INT:
        return int(number)
    return number


def _parse_number(text: str, kind: str) -> float | None:
    """Parse a plain ASCII decimal string (``"25%"`` allowed for percents)."""
    if "_" in text or not text.isascii():  # float() would accept "1_0" and other digits
        return None
    try:
        return float(text)
    except ValueError:
        pass
    text = text.strip()
    if kind == "percent" and text.endswith("%"):
        try:
            return float(text[:-1]) / 100
        except ValueError:
            return None
    return None


def to_datetime(value: object) -> datetime | None:
    """``value`` as a naive datetime Excel can show, or None to keep it as text.

    Accepts datetimes (time zone dropped, wall time kept), dates and ISO 8601
    strings; dates before 1900 are refused because Excel cannot show them.
    """
    if isinstance(value, datetime):
        moment = value
        if hasattr(moment, "to_pydatetime"):  # pandas Timestamp: nanoseconds are dropped
            moment = moment.to_pydatetime(warn=False)
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)
    return moment if moment.year >= 1900 else None
