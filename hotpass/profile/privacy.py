"""Privacy settings of a profile (POPIA): the purposes an upload may be processed for, the lawful
basis assumed when a file says none, and how long personal data is kept."""

from __future__ import annotations

from pydantic import Field, field_validator

from hotpass.profile.fields import _Model

#: The grounds of POPIA section 11(1) on which personal information may be processed, as codes.
LAWFUL_BASES = {
    "consent": "s11(1)(a): the data subject consents",
    "contract": "s11(1)(b): needed for a contract the data subject is party to",
    "legal_obligation": "s11(1)(c): an obligation imposed by law",
    "data_subject_interest": "s11(1)(d): protects a legitimate interest of the data subject",
    "public_law_duty": "s11(1)(e): a public body's duty under law",
    "legitimate_interest": "s11(1)(f): the legitimate interest of the responsible party or a third party",
}

#: Fields that record why a person may be processed at all: every purpose may use them, and on a
#: sheet of organisations and their people they are the person's.
BASIS_FIELDS = ("lawful_basis", "consent", "consent_source", "consent_date", "marketing", "opt_out")


def checked_basis(value: str) -> str:
    """``value`` when it is empty or one of :data:`LAWFUL_BASES`; else ValueError naming them."""
    if value and value not in LAWFUL_BASES:
        raise ValueError(f"{value!r} is not a lawful basis; use one of {', '.join(LAWFUL_BASES)}")
    return value

class PurposeSpec(_Model):
    """One purpose an upload may be processed for, and the fields it may use."""

    label: str = Field("", description="How the purpose is shown (default: its key).")
    description: str = Field("", description="What the data is processed for, for the register of processing.")
    fields: list[str] = Field(
        default_factory=list,
        description="The fields this purpose may use, as 'entity.field' or a field name of any "
        "entity; empty: every field. Source columns mapped to other fields are dropped before "
        "anything is stored (a privacy.column_dropped finding names each). The lawful-basis, "
        "consent and marketing fields are always kept.",
    )
    extra_columns: bool = Field(
        True, description="Whether source columns mapped to no field are kept (as extra columns); "
        "false drops them too.",
    )
    lawful_basis: str = Field(
        "", description="The lawful basis assumed for records of an upload with this purpose when "
        "neither the file nor the operator gives one (" + ", ".join(LAWFUL_BASES) + "; empty: none).",
    )

    @field_validator("lawful_basis")
    @classmethod
    def _basis(cls, value: str) -> str:
        return checked_basis(value)


def _default_purposes() -> dict[str, PurposeSpec]:
    return {"administration": PurposeSpec(
        label="Record administration",
        description="Keeping one accurate, deduplicated list of the records the files hold.")}


class PrivacySettings(_Model):
    """Personal data: purposes, the lawful basis assumed, and retention (see docs/privacy.md)."""

    purposes: dict[str, PurposeSpec] = Field(
        default_factory=_default_purposes,
        description="Purpose key -> the purpose an upload is processed for and the fields it may use.",
    )
    default_purpose: str = Field(
        "", description="The purpose of a file whose upload (or `hotpass refine --purpose`) stated "
        "none; empty: no purpose, every column is processed.",
    )
    default_lawful_basis: str = Field(
        "", description="The lawful basis of a person record when its file, its purpose and its "
        "upload give none (" + ", ".join(LAWFUL_BASES) + "; empty: none, the record is listed as "
        "without a basis).",
    )
    retention_days: int = Field(
        365, ge=1, le=36500,
        description="Days a run, its outputs and an upload are kept before `hotpass privacy purge` "
        "removes them.",
    )

    @field_validator("default_lawful_basis")
    @classmethod
    def _basis(cls, value: str) -> str:
        return checked_basis(value)

    def purpose(self, key: str | None) -> PurposeSpec | None:
        """The purpose called ``key`` (None for no key); ValueError naming the choices if unknown."""
        if not key:
            return None
        if key not in self.purposes:
            raise ValueError(f"unknown purpose {key!r}; this profile's purposes: {', '.join(self.purposes) or 'none'}")
        return self.purposes[key]


def check_privacy(settings: PrivacySettings, entities: dict) -> list[str]:
    """Problems with purposes naming fields the profile does not have."""
    problems = []
    if settings.default_purpose and settings.default_purpose not in settings.purposes:
        problems.append(f"privacy.default_purpose: {settings.default_purpose!r} is not one of the purposes")
    every = {f"{e}.{f}" for e, spec in entities.items() for f in spec.fields}
    names = {name.split(".", 1)[1] for name in every}
    for key, purpose in settings.purposes.items():
        bad = [f for f in purpose.fields if f not in every and f not in names]
        if bad:
            problems.append(f"privacy.purposes.{key}.fields: no such field(s) {bad}")
    return problems
