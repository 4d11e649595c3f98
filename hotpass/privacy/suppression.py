"""The suppression list: people kept out of every export of every later run, stored hashed.

An entry is an HMAC-SHA256 of one identifier of a person (an email, a phone
number or a name), keyed with a secret kept beside the workspace
(``<workspace>/.privacy_key``, made on first use, readable by its owner only):
the list can say whether a value is on it, never what is on it. Values are
normalised before hashing so another spelling of the same identifier hashes
the same: an email trimmed and lower-cased, a phone made E.164 by the
project's phone normaliser (numbers without a country code read as
``DEFAULT_REGION``), a name folded (case, accents, punctuation and spacing
ignored, the words in order).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import phonenumbers

from hotpass.errors import WorkspaceError
from hotpass.normalise.email import normalise_email
from hotpass.normalise.phone import normalise_phone
from hotpass.privacy import tables
from hotpass.text import words
from hotpass.workspace.database import now

KEY_FILE = ".privacy_key"
KINDS = ("email", "phone", "name")
#: The region a phone number without a country code is read in, when no other is given.
DEFAULT_REGION = "ZA"


def _key(ws) -> bytes:
    """The workspace's secret (made on first use: 32 random bytes, hex, mode 0600)."""
    path = Path(ws.directory) / KEY_FILE
    try:
        if not path.is_file():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return path.read_text().strip().encode()
    except FileExistsError:  # another process made it meanwhile
        return path.read_text().strip().encode()
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot read or make the privacy key ({exc.strerror or exc})") from None


def normal(kind: str, value: object, region: str = DEFAULT_REGION) -> list[str]:
    """The normalised forms of ``value`` as ``kind`` (several when a cell holds several emails or phones)."""
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}; use one of {', '.join(KINDS)}")
    text = "" if value is None else str(value).strip()
    if not text:
        return []
    quick = _quick(kind, text, region)
    if quick is not None:
        return quick
    if kind == "email":
        found = normalise_email(text).values
        return sorted({v.strip().lower() for v in found}) or [text.lower()]
    if kind == "phone":
        readings = normalise_phone(text, region if region and region != "ZZ" else DEFAULT_REGION).values
        return sorted({v for v in readings if v.startswith("+")}) or [d for d in ["".join(
            c for c in text if c.isdigit())] if d]
    folded = " ".join(words(text))
    return [folded] if folded else []


_PLAIN_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PLAIN_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{6,22}")


def _quick(kind: str, text: str, region: str) -> list[str] | None:
    """The normalised form of a plainly written email or phone number without the full normaliser
    (the same form it gives, hundreds of times faster); None when the value needs it."""
    if kind == "email" and _PLAIN_EMAIL.fullmatch(text):
        return [text.lower()]
    if kind == "phone" and _PLAIN_PHONE.fullmatch(text):
        digits = "".join(c for c in text if c.isdigit())
        if text.startswith("+") and 10 <= len(digits) <= 15:
            return [f"+{digits}"]
        code = _country_code(region if region and region != "ZZ" else DEFAULT_REGION)
        if code and digits.startswith("0") and not digits.startswith("00") and len(digits) == 10:
            return [f"+{code}{digits[1:]}"]
    return None


@lru_cache(maxsize=64)
def _country_code(region: str) -> int:
    return phonenumbers.country_code_for_region(region)


def digest_normal(key: bytes, kind: str, normalised: str) -> str:
    """The hash of an already normalised value."""
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def digest(ws, kind: str, value: str) -> str:
    """The hash of ``value`` as ``kind`` (email, phone or name), after normalising it (the first
    value, when it holds several); ValueError when nothing identifying is left."""
    forms = normal(kind, value)
    if not forms:
        raise ValueError(f"no {kind} to hash")
    return digest_normal(_key(ws), kind, forms[0])


def digests(ws, kind: str, values: Iterable[object], region: str = DEFAULT_REGION) -> dict[object, set[str]]:
    """Every value -> the hashes of its normalised forms (for many values at once)."""
    key = _key(ws)
    return {value: {digest_normal(key, kind, form) for form in normal(kind, value, region)} for value in values}


def _given(email, phone, name) -> list[tuple[str, str]]:
    pairs = [(kind, form) for kind, value in (("email", email), ("phone", phone), ("name", name))
             if value for form in normal(kind, value)]
    if not pairs:
        raise ValueError("give an email, a phone number or a name to suppress")
    return pairs


def suppress(ws, *, email: str | None = None, phone: str | None = None, name: str | None = None,
             reason: str, username: str) -> int:
    """Put a person on the suppression list by each identifier given; returns how many hashes were
    added (one already listed is not added again). Audited with counts only."""
    if not (reason or "").strip():
        raise ValueError("a reason is needed to suppress a person")
    tables.ensure(ws)
    key = _key(ws)
    added = 0
    with ws.transaction():
        for kind, form in _given(email, phone, name):
            value = digest_normal(key, kind, form)
            if ws.query("SELECT 1 FROM suppression WHERE digest = ? AND removed_at IS NULL", [value]):
                continue
            ws.execute("INSERT INTO suppression (digest, kind, reason, username, created_at) VALUES (?, ?, ?, ?, ?)",
                       [value, kind, reason.strip(), username, now()])
            added += 1
        ws.audit(username, "privacy.suppress", added=added)
    return added


def unsuppress(ws, *, email: str | None = None, phone: str | None = None, name: str | None = None,
               username: str) -> int:
    """Take identifiers off the suppression list; returns how many hashes were removed (audited)."""
    tables.ensure(ws)
    key = _key(ws)
    removed = 0
    with ws.transaction():
        for kind, form in _given(email, phone, name):
            removed += ws.execute("UPDATE suppression SET removed_at = ?, removed_by = ? "
                                  "WHERE digest = ? AND removed_at IS NULL",
                                  [now(), username, digest_normal(key, kind, form)]).rowcount
        ws.audit(username, "privacy.unsuppress", removed=removed)
    return removed


def hashes(ws) -> set[str]:
    """Every hash on the suppression list."""
    if not _ready(ws):
        return set()
    return {row[0] for row in ws.query("SELECT digest FROM suppression WHERE removed_at IS NULL")}


def kinds(ws) -> dict[str, set[str]]:
    """The hashes on the list by kind (email, phone, name)."""
    out: dict[str, set[str]] = {kind: set() for kind in KINDS}
    if _ready(ws):
        for value, kind in ws.query("SELECT digest, kind FROM suppression WHERE removed_at IS NULL"):
            out.setdefault(kind, set()).add(value)
    return out


def is_suppressed(ws, *, email: str | None = None, phone: str | None = None, name: str | None = None) -> bool:
    """Whether any identifier given is on the suppression list."""
    listed = hashes(ws)
    if not listed:
        return False
    key = _key(ws)
    return any(digest_normal(key, kind, form) in listed for kind, form in _given(email, phone, name))


def counts(ws) -> dict[str, int]:
    """How many hashes of each kind are on the list (and removed from it): no values."""
    out = {kind: 0 for kind in KINDS} | {"removed": 0}
    if _ready(ws):
        for kind, removed, number in ws.query(
                "SELECT kind, removed_at IS NOT NULL, count(*) FROM suppression GROUP BY 1, 2"):
            out["removed" if removed else kind] = out.get("removed" if removed else kind, 0) + number
    return out


def _ready(ws) -> bool:
    if not getattr(ws, "read_only", False):
        tables.ensure(ws)
        return True
    return tables.exists(ws, "suppression")
