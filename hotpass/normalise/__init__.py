"""Normalisers: pure functions ``value -> Result`` per field kind, and a frame-level driver.

Every normaliser is idempotent: normalising its first output value again
returns that value with ``rule`` None. Profile settings are plain arguments;
:class:`Normaliser` binds them from a profile (``Normaliser.from_profile``)
and dispatches on the field kind (``ctx.normalise("phone", value)``).
"""

from hotpass.normalise.codes import PROBLEMS, RULES, describe
from hotpass.normalise.context import Normaliser
from hotpass.normalise.dates import normalise_date, parse_date
from hotpass.normalise.email import email_domain, is_free_mail, normalise_email
from hotpass.normalise.frame import normalise_frame
from hotpass.normalise.orgname import (
    OrgName,
    name_key,
    normalise_legal_suffix,
    normalise_org_name,
    parse_org_name,
    split_legal_suffix,
)
from hotpass.normalise.person import (
    PersonName,
    normalise_person_name,
    normalise_role,
    parse_person_name,
)
from hotpass.normalise.persons import Person, normalise_persons_cell, split_persons
from hotpass.normalise.phone import normalise_phone, phone_type
from hotpass.normalise.placeholders import clean_placeholder, is_placeholder, placeholder_keys
from hotpass.normalise.region import normalise_region, region_index
from hotpass.normalise.result import Result
from hotpass.normalise.text import (
    normalise_country,
    normalise_number,
    normalise_text,
    normalise_town,
)
from hotpass.normalise.website import (
    canonical_url,
    is_social,
    normalise_domain,
    normalise_website,
    organisation_domain,
    registrable_domain,
)

__all__ = [
    "PROBLEMS",
    "RULES",
    "Normaliser",
    "OrgName",
    "Person",
    "PersonName",
    "Result",
    "canonical_url",
    "clean_placeholder",
    "describe",
    "email_domain",
    "is_free_mail",
    "is_placeholder",
    "is_social",
    "name_key",
    "normalise_country",
    "normalise_date",
    "normalise_domain",
    "normalise_email",
    "normalise_frame",
    "normalise_legal_suffix",
    "normalise_number",
    "normalise_org_name",
    "normalise_person_name",
    "normalise_persons_cell",
    "normalise_phone",
    "normalise_region",
    "normalise_role",
    "normalise_text",
    "normalise_town",
    "normalise_website",
    "organisation_domain",
    "parse_date",
    "parse_org_name",
    "parse_person_name",
    "phone_type",
    "placeholder_keys",
    "region_index",
    "registrable_domain",
    "split_legal_suffix",
    "split_persons",
]
