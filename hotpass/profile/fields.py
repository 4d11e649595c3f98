"""Fields and entities: what a profile's records hold and how kinds of record relate."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FieldKind = Literal[
    "text", "org_name", "legal_suffix", "person_name", "persons", "first_name", "last_name",
    "role", "phone", "email", "website", "domain", "region", "town", "country", "date",
    "number", "category", "id", "link", "postcode", "address",
]
#: What each kind of field holds (shown where a profile is validated or edited).
KIND_HELP = {
    "text": "free text, whitespace tidied",
    "org_name": "an organisation's name; a legal suffix at its end is split off",
    "legal_suffix": "a legal form: (Pty) Ltd, CC, Inc ...",
    "person_name": "one person's full name; titles are split off",
    "persons": "a cell that may name several people, each with an optional role",
    "first_name": "a given name",
    "last_name": "a surname",
    "role": "a job title or position",
    "phone": "telephone numbers, made E.164 with the profile's phone region",
    "email": "email addresses",
    "website": "web addresses, made https://",
    "domain": "internet domains",
    "region": "a province, state or region, matched to the profile's region names",
    "town": "a town, city or suburb",
    "country": "a country",
    "date": "a date, made ISO (yyyy-mm-dd)",
    "number": "a number",
    "category": "one of a list of values",
    "id": "an identifier (account number, ID number, code)",
    "link": "the id or name of the record this one belongs to (a contact's organisation)",
    "postcode": "a postal code, upper-cased without inner spaces",
    "address": "a street address or an address line",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True)


class FieldSpec(_Model):
    """A canonical field: what kind of value it holds and what sources call it."""

    kind: FieldKind = Field("text", description="Which normaliser and validator the field gets: "
                            + "; ".join(f"{k} ({v})" for k, v in KIND_HELP.items()) + ".")
    label: str = Field("", description="Human-readable name shown in the workbench and exports.")
    synonyms: list[str] = Field(
        default_factory=list,
        description="Source column headers that mean this field (compared after folding case, "
        "spaces and punctuation).",
    )
    required: bool = Field(False, description="A record without this field is flagged as incomplete.")
    from_fields: list[str] = Field(
        default_factory=list,
        description="A composite field: when a record has no value of its own, its value is the "
        "normalised values of these fields of the same record, joined with `separator` (a full "
        "name from given name and surname, an address from its lines).",
    )
    separator: str = Field(" ", description="What joins the parts of a composite field.")
    identifies: bool = Field(
        False, description="For records that belong to another (contacts): two records of one parent "
        "sharing this value are the same person when their names agree (a personal email or mobile; "
        "never an office line).",
    )
