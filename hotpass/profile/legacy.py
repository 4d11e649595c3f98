"""Profiles written before entity types: organisation_fields, contact_fields and resolution at the top.

:func:`entities_of` turns those keys (and the defaults) into ``entities``: an
``organisation`` resolved with Splink and ``contact`` records that belong to
it. Profiles are saved in the new shape; old files still load.
"""

from __future__ import annotations

from hotpass import defaults

#: Top-level keys of the old shape.
LEGACY_KEYS = ("organisation_fields", "contact_fields", "resolution")
#: Fields scored for quality by default, with their weights.
ORGANISATION_QUALITY = {"name": 3, "phone": 2, "email": 2, "website": 1, "region": 1, "town": 1}
CONTACT_QUALITY = {"full_name": 2, "email": 2, "phone": 1, "mobile": 1, "role": 1}
#: Contact fields that identify one person within an organisation (never an office line).
IDENTIFYING = ("email", "mobile", "whatsapp")


def default_entities() -> dict:
    """Organisations with their contacts: the entities of the shipped profiles."""
    return entities_of({})


def entities_of(data: dict) -> dict:
    """The ``entities`` of a profile document in the old shape (missing parts take defaults)."""
    quality = data.get("quality") if isinstance(data.get("quality"), dict) else {}
    contacts = _old_contact_rules(data.get("contact_fields", defaults.contact_fields()))
    organisations = data.get("organisation_fields", defaults.organisation_fields())
    return {
        "organisation": {
            "label": "Organisation", "plural": "organisations", "id_prefix": "ORG",
            "fields": organisations,
            "quality_fields": quality.get("organisation_fields", _present(ORGANISATION_QUALITY, organisations)),
            "resolution": data.get("resolution", {}),
        },
        "contact": {
            "label": "Contact", "plural": "contacts", "id_prefix": "CON", "parent": "organisation",
            "fields": contacts,
            "quality_fields": quality.get("contact_fields", _present(CONTACT_QUALITY, contacts)),
        },
    }


def _present(weights: dict, fields) -> dict:
    """The default weights of the fields a document declares."""
    return {k: v for k, v in weights.items() if not isinstance(fields, dict) or k in fields}


def _old_contact_rules(fields) -> dict:
    """What the engine used to do with contact fields by their names, said in the profile: a full
    name made of first and last name; email, mobile and WhatsApp identify one person."""
    if not isinstance(fields, dict):
        return fields
    out = dict(fields)
    parts = [f for f in ("first_name", "last_name") if f in out]
    if isinstance(out.get("full_name"), dict) and parts:
        out["full_name"] = {"from_fields": parts, **out["full_name"]}
    for name in IDENTIFYING:
        if isinstance(out.get(name), dict):
            out[name] = {"identifies": True, **out[name]}
    return out


def upgrade(data: dict) -> dict:
    """A profile document in the new shape: old keys moved into ``entities``."""
    if not isinstance(data, dict):
        return data
    old = [k for k in LEGACY_KEYS if k in data]
    quality = data.get("quality")
    old_quality = isinstance(quality, dict) and any(k in quality for k in ("organisation_fields", "contact_fields"))
    if "entities" in data:
        if old or old_quality:
            raise ValueError(f"give either entities or the old {', '.join(old or ['quality.*_fields'])}, not both")
        return data
    out = {k: v for k, v in data.items() if k not in LEGACY_KEYS}
    out["entities"] = entities_of(data)
    if old_quality:
        out["quality"] = {k: v for k, v in quality.items() if k not in ("organisation_fields", "contact_fields")}
    return out
