"""The typed profile: every setting Hotpass uses, with a default and help text.

A profile is a :class:`Profile` instance; the YAML files under ``profiles/``
are saved instances of it. ``Profile.from_yaml`` lays a (possibly partial)
YAML document over the defaults, validates everything, and raises one
:class:`~hotpass.errors.ProfileError` listing every problem with its key path.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator,
)

from hotpass import defaults
from hotpass.errors import ProfileError

FieldKind = Literal[
    "text", "org_name", "legal_suffix", "person_name", "persons", "first_name", "last_name",
    "role", "phone", "email", "website", "domain", "region", "town", "country", "date",
    "number", "category", "id", "link",
]
SheetRole = Literal["organisation", "contact", "mixed", "ignore"]

PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"
EXPECTATIONS_DIR = PROFILES_DIR.parent / "data_expectations"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True)


class FieldSpec(_Model):
    """A canonical field: what kind of value it holds and what sources call it."""

    kind: FieldKind = Field("text", description="Which normaliser and validator the field gets.")
    label: str = Field("", description="Human-readable name shown in the workbench and exports.")
    synonyms: list[str] = Field(
        default_factory=list,
        description="Source column headers that mean this field (compared after folding case, "
        "spaces and punctuation).",
    )
    required: bool = Field(False, description="A record without this field is flagged as incomplete.")


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


#: Columns of the matching frame (see :mod:`hotpass.resolve.features`) that blocking and
#: training rules may use; list columns are compared by their elements.
MATCHING_COLUMNS = (
    "name_key", "name_core", "name_tail", "name_t1", "name_t2", "name_t3", "name_core2",
    "name_code", "name_t1_variants", "phones", "emails", "org_domain", "region", "town",
    "legal_suffix", "people", "people_full", "contact_points",
)
LIST_COLUMNS = ("phones", "emails", "people", "people_full", "contact_points", "name_t1_variants")
#: SQL functions a rule expression may call.
RULE_FUNCTIONS = ("substr", "left", "right", "lower", "length")
Comparison = Literal[
    "name", "phones", "emails", "org_domain", "region", "town", "legal_suffix", "people"
]
_RULE_TOKEN = re.compile(r"[a-z_][a-z0-9_]*|\d+|[(),]|\s+")


def check_rule_expression(expr: str) -> str:
    """``expr`` when it is a column of the matching frame or a function of one, else ValueError.

    Only lower-case names, numbers, commas and brackets are allowed, so a profile
    (which operators may upload) can never carry arbitrary SQL into a query.
    """
    text = expr.strip()
    tokens = _RULE_TOKEN.findall(text)
    if not text or "".join(tokens) != text:
        raise ValueError(f"{expr!r}: only column names, {', '.join(RULE_FUNCTIONS)}() and numbers")
    words = [t for t in tokens if t[0].isalpha() or t[0] == "_"]
    for word in words:
        is_call = re.search(rf"\b{word}\s*\(", text) is not None
        if is_call and word in RULE_FUNCTIONS:
            continue
        if word not in MATCHING_COLUMNS:
            raise ValueError(f"{expr!r}: {word!r} is not a matching column")
        if word in LIST_COLUMNS and text != word:
            raise ValueError(f"{expr!r}: list column {word!r} must stand alone in a rule")
    if not any(w in MATCHING_COLUMNS for w in words):
        raise ValueError(f"{expr!r}: names no matching column")
    if text.count("(") != text.count(")"):
        raise ValueError(f"{expr!r}: unbalanced brackets")
    return text


Rule = list[str]


def _rules(value: list[Rule]) -> list[Rule]:
    if not value:
        raise ValueError("at least one rule is needed")
    for rule in value:
        if not rule:
            raise ValueError("a rule needs at least one column")
    return [[check_rule_expression(expr) for expr in rule] for rule in value]


class ResolutionSettings(_Model):
    """Duplicate resolution: the Splink model (comparisons, blocking, training) and thresholds."""

    match_threshold: float = Field(
        0.92, gt=0, lt=1, description="Pairs at or above this match probability merge automatically."
    )
    review_threshold: float = Field(
        0.5, gt=0, lt=1, description="Pairs between this and match_threshold go to the review queue."
    )
    comparisons: list[Comparison] = Field(
        default_factory=lambda: [
            "name", "phones", "emails", "org_domain", "region", "town", "legal_suffix", "people"
        ],
        description="Evidence compared for each candidate pair, in the order explanations show "
        "it: name (without legal suffix), phones, emails, org_domain (website or own mail "
        "domain, never free-mail), region, town, legal_suffix, people (the records' contacts). "
        "name is required.",
    )
    similarity: dict[Literal["name", "region", "town"], float] = Field(
        default_factory=lambda: {"name": 0.9, "region": 0.9, "town": 0.88},
        description="Jaro-Winkler similarity at or above which name, region or town count as "
        "nearly equal (a level below exact agreement).",
    )
    blocking_rules: list[Rule] = Field(
        default_factory=lambda: [
            ["phones"], ["emails"], ["org_domain"], ["contact_points"],
            ["substr(name_t1, 1, 3)", "substr(name_t2, 1, 3)"], ["name_code"],
            ["name_core", "substr(name_tail, 1, 1)"], ["substr(name_t1, 1, 1)", "name_core2"],
            ["name_t1_variants"],
        ],
        description="Which pairs are scored at all: a pair is a candidate when both records "
        "agree on every expression of at least one rule. An expression is a matching column "
        "(see docs/profiles.md) or substr/left/right/lower/length of one; list columns "
        "(phones, emails, people, people_full, contact_points, name_t1_variants) match on any "
        "shared element and must stand alone.",
    )
    deterministic_rules: list[Rule] = Field(
        default_factory=lambda: [["phones"], ["emails"], ["org_domain"]],
        description="Rules whose pairs are nearly all true matches; with deterministic_recall "
        "they estimate how likely two random records are to match (the prior).",
    )
    deterministic_recall: float = Field(
        0.75, gt=0, le=1, description="Share of all true matches the deterministic rules are assumed to find."
    )
    training_rules: list[Rule] = Field(
        default_factory=lambda: [["name_key"], ["region"]],
        description="One expectation-maximisation session per rule estimates m on the pairs it "
        "finds; each session cannot train the comparisons its rule uses, so use at least two "
        "rules on different evidence.",
    )
    max_pairs_for_u: int = Field(
        1_000_000, ge=10_000, description="Random pairs sampled to estimate u probabilities."
    )
    em_max_pairs: int = Field(
        500_000, ge=1_000, description="Most pairs one expectation-maximisation session uses."
    )
    m_floor: float = Field(
        0.01, gt=0, lt=0.5, description="Smallest m probability any comparison level may have, "
        "so that no single disagreement rules a match out."
    )
    predict_floor: float = Field(
        0.01, gt=0, lt=1, description="Scored pairs below this match probability are not kept "
        "(they would stay apart anyway); must be below review_threshold."
    )
    max_comparisons: int = Field(
        30_000_000, ge=1_000, description="Most candidate pairs one run scores. Splink's estimate "
        "of each blocking rule's pairs is checked first; a rule that would take the total above "
        "this is skipped, with a warning finding naming it, instead of exhausting memory."
    )
    variant_max_records: int = Field(
        20, ge=1, description="A first-word spelling variant (one letter deleted) shared by more "
        "records than this is too common to block on."
    )
    seed: int = Field(42, description="Seed for sampling, so training is repeatable.")
    generic_name_words: list[str] = Field(
        default_factory=defaults.generic_name_words,
        description="Words that say what an organisation does rather than which one it is "
        "('school', 'trading'); a name's distinctive part is what comes before the first of them.",
    )

    @field_validator("blocking_rules", "deterministic_rules", "training_rules")
    @classmethod
    def _check_rules(cls, value: list[Rule]) -> list[Rule]:
        return _rules(value)

    @field_validator("comparisons")
    @classmethod
    def _name_first_class(cls, value: list[str]) -> list[str]:
        if "name" not in value:
            raise ValueError("the name comparison is required")
        if len(set(value)) != len(value):
            raise ValueError("a comparison may appear only once")
        return value

    @field_validator("similarity")
    @classmethod
    def _similarities(cls, value: dict[str, float]) -> dict[str, float]:
        for key, number in value.items():
            if not 0 < number < 1:
                raise ValueError(f"{key}: similarity must be between 0 and 1")
        return {**{"name": 0.9, "region": 0.9, "town": 0.88}, **value}

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> ResolutionSettings:
        if self.review_threshold >= self.match_threshold:
            raise ValueError("review_threshold must be below match_threshold")
        if self.predict_floor >= self.review_threshold:
            raise ValueError("predict_floor must be below review_threshold")
        return self


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
    organisation_fields: dict[str, float] = Field(
        default_factory=lambda: {
            "name": 3, "phone": 2, "email": 2, "website": 1, "region": 1, "town": 1
        },
        description="Organisation fields scored, with their weight in completeness.",
    )
    contact_fields: dict[str, float] = Field(
        default_factory=lambda: {"full_name": 2, "email": 2, "phone": 1, "mobile": 1, "role": 1},
        description="Contact fields scored, with their weight in completeness.",
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
        "", description="Folder of expectation suites (organisations.json, contacts.json); "
        "empty means data_expectations/<profile name>/, or data_expectations/generic/ when "
        "there is none. A relative path is read from the profile file's folder.",
    )
    blocking: list[str] = Field(
        default_factory=lambda: [
            "organisations.organisation_id_unique", "organisations.name_present",
            "contacts.contact_id_unique",
        ],
        description="Expectations (table.name) whose failure stops the deliverable being "
        "published unless the operator overrides with a written reason.",
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


class Profile(_Model):
    """Everything Hotpass needs to know about one kind of source data."""

    _folder: Path | None = PrivateAttr(default=None)  # where the YAML file was read from
    name: str = Field(..., min_length=1, description="Short name used on the command line and in the workbench.")
    description: str = Field("", description="What sources this profile is for.")
    country: str = Field("South Africa", description="Country written when a record has none.")
    phone_region: str = Field(
        "ZA", min_length=2, max_length=2, description="ISO 3166 region used to read phone numbers without a country code."
    )
    organisation_fields: dict[str, FieldSpec] = Field(
        default_factory=defaults.organisation_fields,
        description="Canonical organisation fields, keyed by field name.",
    )
    contact_fields: dict[str, FieldSpec] = Field(
        default_factory=defaults.contact_fields,
        description="Canonical contact fields, keyed by field name.",
    )
    region_aliases: dict[str, list[str]] = Field(
        default_factory=defaults.region_aliases,
        description="Canonical region name -> other spellings that mean it.",
    )
    placeholders: list[str] = Field(
        default_factory=defaults.placeholders,
        description="Values treated as missing wherever they appear (compared case-insensitively).",
    )
    legal_suffixes: list[str] = Field(
        default_factory=defaults.legal_suffixes,
        description="Legal-form suffixes separated from organisation names, in canonical spelling.",
    )
    free_mail_domains: list[str] = Field(
        default_factory=defaults.free_mail_domains,
        description="Mail domains that never identify an organisation.",
    )
    social_domains: list[str] = Field(
        default_factory=defaults.social_domains,
        description="Domains of social-media sites, never taken as an organisation's own domain.",
    )
    source_priorities: dict[str, int] = Field(
        default_factory=dict,
        description="File-name glob -> priority; higher wins when merged records disagree.",
    )
    sheet_roles: dict[str, SheetRole] = Field(
        default_factory=dict,
        description="'file-glob::sheet-glob' -> role, overriding the detected sheet role.",
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Reading files.")
    mapping: MappingSettings = Field(default_factory=MappingSettings, description="Column mapping.")
    merge: MergeSettings = Field(default_factory=MergeSettings, description="Golden-record survivorship.")
    resolution: ResolutionSettings = Field(
        default_factory=ResolutionSettings,
        description="Duplicate resolution thresholds and training.",
    )
    quality: QualitySettings = Field(
        default_factory=QualitySettings, description="Per-record quality score and flags."
    )
    validation: ValidationSettings = Field(
        default_factory=ValidationSettings,
        description="Expectation suites and the publish gate.",
    )
    report: ReportSettings = Field(default_factory=ReportSettings, description="The quality report.")
    enrichment: EnrichmentSettings = Field(
        default_factory=EnrichmentSettings, description="Enrichment providers and approval."
    )

    @field_validator("organisation_fields")
    @classmethod
    def _organisation_has_name(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        if "name" not in value:
            raise ValueError("must define a 'name' field")
        return value

    @field_validator("contact_fields")
    @classmethod
    def _contact_has_link(cls, value: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        if not any(spec.kind == "link" for spec in value.values()):
            raise ValueError("must define a field of kind 'link' (the organisation link)")
        return value

    @field_validator("sheet_roles")
    @classmethod
    def _sheet_role_keys(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [key for key in value if "::" not in key]
        if bad:
            raise ValueError(f"keys must look like 'file-glob::sheet-glob', not {bad}")
        return value

    @model_validator(mode="after")
    def _scored_fields_exist(self) -> Profile:
        for kind, scored, fields in (
            ("organisation", self.quality.organisation_fields, self.organisation_fields),
            ("contact", self.quality.contact_fields, self.contact_fields),
        ):
            unknown = sorted(set(scored) - set(fields))
            if unknown:
                raise ValueError(f"quality.{kind}_fields names fields the profile does not define: {unknown}")
        return self

    def __eq__(self, other: object) -> bool:
        """Profiles are equal when their settings are (where they were read from does not count)."""
        if not isinstance(other, Profile):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # mutable settings: not hashable

    # --- reading and writing -------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<dict>") -> Profile:
        """Validate ``data`` laid over the defaults; raise one ProfileError listing every problem."""
        if not isinstance(data, dict):
            raise ProfileError(source, ["the document must be a mapping of settings"])
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ProfileError(source, [_describe(err) for err in exc.errors()]) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> Profile:
        """Load a profile from a YAML file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProfileError(str(path), [f"cannot read file: {exc.strerror or exc}"]) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ProfileError(str(path), [f"not valid YAML: {exc}"]) from None
        profile = cls.from_dict(data or {}, source=str(path))
        profile._folder = path.resolve().parent
        return profile

    def to_dict(self) -> dict[str, Any]:
        """The profile as plain data (what ``to_yaml`` writes)."""
        return self.model_dump(mode="json")

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The profile as YAML; written to ``path`` when given."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    # --- questions the stages ask ---------------------------------------------

    def resolve_path(self, setting: str, shipped: Path) -> Path:
        """A file a setting names: ``shipped`` when empty, else relative to the profile's folder."""
        if not setting:
            return shipped
        path = Path(setting).expanduser()
        return path if path.is_absolute() else (self._folder or Path.cwd()) / path

    def anchored(self) -> Profile:
        """A copy whose file settings (expectation suites, area codes, gazetteer) are absolute
        paths, so it means the same when saved elsewhere (a run's folder)."""
        copy = self.model_copy(deep=True)
        copy._folder = self._folder
        for section, setting in (("validation", "expectations_dir"), ("enrichment", "area_codes"),
                                 ("enrichment", "gazetteer")):
            value = getattr(getattr(copy, section), setting)
            if value:
                setattr(getattr(copy, section), setting, str(self.resolve_path(value, Path(value)).resolve()))
        return copy

    def expectations_dir(self) -> Path:
        """The folder of this profile's expectation suites (see ``validation.expectations_dir``)."""
        chosen = self.validation.expectations_dir
        if chosen:
            path = Path(chosen).expanduser()
            return path if path.is_absolute() else (self._folder or Path.cwd()) / path
        own = EXPECTATIONS_DIR / self.name
        return own if own.is_dir() else EXPECTATIONS_DIR / "generic"

    def fields(self, kind: str) -> dict[str, FieldSpec]:
        """The fields of one record kind: 'organisation' or 'contact'."""
        return self.organisation_fields if kind == "organisation" else self.contact_fields

    def link_field(self) -> str:
        """The contact field that names the contact's organisation."""
        return next(name for name, spec in self.contact_fields.items() if spec.kind == "link")

    def priority_of(self, file_name: str) -> int:
        """The source priority of a file: the highest matching glob, else 0."""
        hits = [p for glob, p in self.source_priorities.items() if fnmatch.fnmatch(file_name.lower(), glob.lower())]
        return max(hits, default=0)

    def role_override(self, file_name: str, sheet: str) -> str | None:
        """The role the profile forces on a sheet, if any."""
        for key, role in self.sheet_roles.items():
            file_glob, sheet_glob = key.split("::", 1)
            if fnmatch.fnmatch(file_name.lower(), file_glob.lower()) and fnmatch.fnmatch(
                sheet.lower(), sheet_glob.lower()
            ):
                return role
        return None


def _describe(err: dict[str, Any]) -> str:
    path = ".".join(str(part) for part in err.get("loc", ())) or "<profile>"
    message = err.get("msg", "invalid")
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if err.get("type") == "extra_forbidden":
        message = "unknown setting"
    return f"{path}: {message}"


def available_profiles(directory: Path = PROFILES_DIR) -> dict[str, Path]:
    """Profile name -> YAML path for every profile shipped in ``directory``."""
    return {path.stem: path for path in sorted(directory.glob("*.yaml"))}


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a shipped profile by name, or any profile by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in {".yaml", ".yml"} or candidate.exists():
        return Profile.from_yaml(candidate)
    shipped = available_profiles()
    if str(name_or_path) in shipped:
        return Profile.from_yaml(shipped[str(name_or_path)])
    names = ", ".join(shipped) or "none"
    raise ProfileError(str(name_or_path), [f"no such profile file or name (shipped profiles: {names})"])


def settings_reference(model: type[BaseModel] = Profile, prefix: str = "") -> list[tuple[str, str, str]]:
    """Every setting as (dotted key, default, help), nested models and field specs included."""
    rows = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        annotation = info.annotation
        nested = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if nested is not None:
            rows.append((key, "", info.description or ""))
            rows.extend(settings_reference(nested, f"{key}."))
            continue
        default = "" if info.is_required() else _default_text(info)
        rows.append((key, default, info.description or ""))
        if model is Profile and name in ("organisation_fields", "contact_fields"):
            rows.extend(settings_reference(FieldSpec, f"{key}.*."))
    return rows


def _default_text(info) -> str:
    if info.default_factory is not None:
        value = info.default_factory()
        return "(see generic.yaml)" if isinstance(value, (dict, list)) and len(value) > 3 else repr(value)
    return repr(info.default)
