"""The purpose each file is processed for, and the lawful basis declared with it.

An operator states, when uploading a file (or with ``hotpass refine
--purpose``), what it is processed for: one of the profile's purposes
(``privacy.purposes``), and the lawful basis of its people when the file says
none. Uploads keep theirs in the workspace (``upload_purposes``, by user and
file hash); a run reads, for each file, the declaration of its upload, else
the one its request carries, else the profile's ``privacy.default_purpose``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotpass.privacy import tables
from hotpass.profile import BASIS_FIELDS, LAWFUL_BASES, Profile
from hotpass.workspace.database import now

__all__ = ["BASIS_FIELDS", "Declaration"]


@dataclass(frozen=True)
class Declaration:
    """What one file is processed for, and the lawful basis declared for its people."""

    purpose: str | None = None
    lawful_basis: str | None = None
    consent_source: str | None = None
    declared_by: str | None = None
    declared_at: str | None = None

    def to_dict(self) -> dict:
        """As plain data (what a request carries)."""
        return {k: v for k, v in self.__dict__.items() if v}


def check(profile: Profile, purpose: str | None, lawful_basis: str | None) -> None:
    """ValueError naming the choices when the purpose or the basis is not one the profile knows."""
    profile.privacy.purpose(purpose)
    if lawful_basis and lawful_basis not in LAWFUL_BASES:
        raise ValueError(f"unknown lawful basis {lawful_basis!r}; use one of {', '.join(LAWFUL_BASES)}")


def declare(ws, username: str, sha256: str, purpose: str | None, lawful_basis: str | None = None,
            consent_source: str | None = None) -> None:
    """Keep the purpose (and lawful basis) ``username`` stated for the uploaded file ``sha256`` (audited)."""
    tables.ensure(ws)
    with ws.transaction():
        ws.execute("INSERT OR REPLACE INTO upload_purposes (username, sha256, purpose, lawful_basis, "
                   "consent_source, declared_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [username, sha256, purpose or None, lawful_basis or None, consent_source or None, now()])
        ws.audit(username, "upload.purpose", sha256=sha256[:12], purpose=purpose, lawful_basis=lawful_basis)


def declared(ws, sha256: str, username: str | None = None) -> Declaration | None:
    """The newest declaration for the file ``sha256`` (by ``username`` first, when given)."""
    if ws is None or (getattr(ws, "read_only", False) and not tables.exists(ws, "upload_purposes")):
        return None
    tables.ensure(ws)
    rows = ws.query_dicts("SELECT purpose, lawful_basis, consent_source, username, declared_at FROM upload_purposes "
                          "WHERE sha256 = ? ORDER BY username = ? DESC, declared_at DESC LIMIT 1",
                          [sha256, username or ""])
    if not rows:
        return None
    row = rows[0]
    return Declaration(row["purpose"], row["lawful_basis"], row["consent_source"], row["username"],
                       str(row["declared_at"]))


def for_file(ws, sha256: str, request, profile: Profile) -> Declaration:
    """What a run processes the file ``sha256`` for: its upload's declaration, else the request's,
    else the profile's default purpose."""
    found = declared(ws, sha256, getattr(request, "username", None))
    if found is not None:
        return found
    asked = getattr(request, "privacy", None) or {}
    if asked.get("purpose") or asked.get("lawful_basis"):
        return Declaration(asked.get("purpose"), asked.get("lawful_basis"), asked.get("consent_source"),
                           getattr(request, "username", None), str(now()))
    return Declaration(profile.privacy.default_purpose or None)


def allowed(profile: Profile, purpose: str | None, entity: str | None, field: str | None) -> bool:
    """Whether a column mapped to ``entity.field`` (None: mapped to no field) may be used for ``purpose``."""
    spec = profile.privacy.purposes.get(purpose) if purpose else None
    if spec is None:
        return True
    if field is None:
        return spec.extra_columns
    if field in BASIS_FIELDS or not spec.fields:
        return True
    return f"{entity}.{field}" in spec.fields or field in spec.fields


def basis_of(declaration: Declaration, profile: Profile) -> str | None:
    """The lawful basis assumed for a record its file gives none for."""
    spec = profile.privacy.purposes.get(declaration.purpose) if declaration.purpose else None
    return declaration.lawful_basis or (spec.lawful_basis if spec else None) or \
        profile.privacy.default_lawful_basis or None


def uploads(ws) -> list[dict]:
    """Every declaration kept (for the register): user, file hash, purpose, basis, when."""
    if getattr(ws, "read_only", False) and not tables.exists(ws, "upload_purposes"):
        return []
    tables.ensure(ws)
    return ws.query_dicts("SELECT * FROM upload_purposes ORDER BY declared_at")
