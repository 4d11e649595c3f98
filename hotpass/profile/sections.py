"""The settings of the stages: reading files, mapping, survivorship, quality, validation, reports,
enrichment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from hotpass.profile.fields import _Model


class IngestSettings(_Model):
    """How workbooks are opened and where their header is looked for."""

    header_scan_rows: int = Field(
        30, ge=1, le=500, description="How many top rows are searched for the header row."
    )
    max_file_mb: float = Field(200, gt=0, description="Largest input file accepted, in MB.")
    max_uncompressed_mb: float = Field(
        2000, gt=0, description="Largest total uncompressed size of an xlsx archive, in MB."
    )
    max_compression_ratio: float = Field(
        200, gt=1, description="Largest ratio of uncompressed to compressed size for one archive member."
    )
    max_archive_members: int = Field(
        2000, ge=10, description="Most files an xlsx archive may contain."
    )
    max_shared_strings: int = Field(
        5_000_000, ge=1000, description="Most shared strings a workbook may declare."
    )
    max_rows: int = Field(1_048_576, ge=1, description="Most rows one sheet may declare or hold.")
    max_columns: int = Field(500, ge=1, description="Most columns one sheet may declare or hold.")
    parse_memory_mb: int = Field(
        4096, ge=256, description="Memory limit of the child process that parses an untrusted file, in MB."
    )


class MappingSettings(_Model):
    """How source columns are matched to canonical fields."""

    fuzzy_min_score: float = Field(
        80, ge=0, le=100, description="Lowest rapidfuzz score (0-100) at which a header is mapped fuzzily."
    )
    confident_score: float = Field(
        92, ge=0, le=100, description="Mappings below this confidence are highlighted for review."
    )


MergeRule = Literal["validity", "agreement", "source_priority", "recency", "completeness"]


class MergeSettings(_Model):
    """Survivorship: how a golden record chooses each field among its sources."""

    rule_order: list[MergeRule] = Field(
        default_factory=lambda: ["validity", "agreement", "source_priority", "recency", "completeness"],
        description="Rules that rank candidate values, most important first: validity (passes its "
        "normaliser), agreement (records giving it), source_priority, recency (last interaction), "
        "completeness (how filled the record is). Ties go to the earliest source row.",
    )

    @field_validator("rule_order")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a rule may appear only once")
        return value


class QualitySettings(_Model):
    """How each golden record's quality score (0-100) and flags are worked out."""

    completeness_weight: float = Field(
        0.6, ge=0, description="Share of the score given by completeness (weighted share of the "
        "scored fields that are filled).",
    )
    validity_weight: float = Field(
        0.4, ge=0, description="Share of the score given by validity (share of the filled scored "
        "fields whose value passes its check: E.164 phone, email, https website, canonical region).",
    )
    conflict_penalty: float = Field(
        5, ge=0, le=100, description="Points taken off for each field whose sources disagreed."
    )
    max_conflict_penalty: float = Field(
        20, ge=0, le=100, description="Most points conflicts can take off one record."
    )
    pending_review_penalty: float = Field(
        15, ge=0, le=100, description="Points taken off an organisation with a pair still waiting "
        "for review.",
    )
    low_score: float = Field(
        60, ge=0, le=100, description="Records scoring below this are flagged low_quality."
    )

    @model_validator(mode="after")
    def _weights(self) -> QualitySettings:
        if self.completeness_weight + self.validity_weight <= 0:
            raise ValueError("completeness_weight and validity_weight cannot both be 0")
        return self


class ValidationSettings(_Model):
    """Great Expectations suites run on the golden records, and the publish gate."""

    expectations_dir: str = Field(
        "", description="Folder of expectation suites, one file per entity named by its plural "
        "(organisations.json, contacts.json); empty means data_expectations/<profile name>/, or "
        "suites made from the profile's fields when there is none. A relative path is read from "
        "the profile file's folder.",
    )
    blocking: list[str] = Field(
        default_factory=lambda: [
            "organisations.organisation_id_unique", "organisations.name_present",
            "contacts.contact_id_unique",
        ],
        description="Expectations (table.name, the table being an entity's plural) whose failure "
        "stops the deliverable being published unless the operator overrides with a written reason.",
    )
    examples: int = Field(5, ge=0, le=50, description="Failing values kept per expectation.")


class ReportSettings(_Model):
    """The quality report (HTML, Markdown, JSON)."""

    mask_personal: bool = Field(
        True, description="Mask personal values (names, emails, phones) in the report's examples."
    )
    examples: int = Field(3, ge=0, le=20, description="Examples shown per finding type.")


class EnrichmentSettings(_Model):
    """Enrichment: providers propose values for empty fields; people approve them."""

    providers: list[str] = Field(
        default_factory=lambda: ["email_domain", "contact_details", "area_code_region", "town_region",
                                 "reference_list"],
        description="Providers that may propose values: email_domain (website and domain from the "
        "organisation's own email addresses, and domain from website), contact_details "
        "(organisation email and landline from its contacts), area_code_region (region from a "
        "landline's area code), town_region (region from the town gazetteer), reference_list "
        "(values from a reference list given with --reference).",
    )
    allow_network: bool = Field(
        False, description="Allow providers that need the network (none ship yet). Off: personal "
        "data never leaves the machine.",
    )
    min_confidence: float = Field(
        0.5, ge=0, le=1, description="Proposals below this confidence are not made."
    )
    auto_approve: dict[str, float] = Field(
        default_factory=dict,
        description="Provider -> confidence at or above which its proposals are approved "
        "automatically (recorded as auto-approved). Empty: a person approves everything.",
    )
    area_codes: str = Field(
        "", description="CSV of telephone area codes and their regions (code, region, note); empty "
        "means the shipped South African table profiles/za/area_codes.csv. A relative path is read "
        "from the profile file's folder.",
    )
    gazetteer: str = Field(
        "", description="CSV of towns and their regions (town, region, alias); empty means the "
        "shipped profiles/za/towns.csv. A relative path is read from the profile file's folder.",
    )


