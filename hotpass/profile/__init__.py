"""The typed profile: every setting Hotpass uses, with a default and help text.

A profile is a :class:`Profile` instance; the YAML files under ``profiles/``
are saved instances of it. It declares the entities it resolves (by default
organisations with their contacts; any named type with any fields), each with
its fields, what it belongs to, and how its duplicates are found.
``Profile.from_yaml`` lays a (possibly partial) YAML document over the
defaults, validates everything, and raises one
:class:`~hotpass.errors.ProfileError` listing every problem with its key path.
Documents in the older shape (``organisation_fields``, ``contact_fields``,
``resolution`` at the top) still load (:mod:`hotpass.profile.legacy`).
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from hotpass import defaults
from hotpass.errors import ProfileError
from hotpass.profile import legacy
from hotpass.profile.entities import EntitySpec
from hotpass.profile.fields import KIND_HELP, FieldKind, FieldSpec, _Model
from hotpass.profile.privacy import BASIS_FIELDS, LAWFUL_BASES, PrivacySettings, PurposeSpec, check_privacy
from hotpass.profile.resolution import (
    BUILT_IN_HELP,
    LIST_COLUMNS,
    MATCHING_COLUMNS,
    METHOD_HELP,
    RULE_FUNCTIONS,
    ComparisonSpec,
    ResolutionSettings,
    check_rule_expression,
)
from hotpass.profile.sections import (
    EnrichmentSettings,
    IngestSettings,
    MappingSettings,
    MergeSettings,
    QualitySettings,
    ReportSettings,
    ValidationSettings,
)

PROFILES_DIR = Path(__file__).resolve().parent.parent.parent / "profiles"
EXPECTATIONS_DIR = PROFILES_DIR.parent / "data_expectations"
#: Sheet roles besides an entity's name: a row per parent with its children, tables that add to
#: an entity, dated events about one, lists that are never records, and sheets left out.
OTHER_ROLES = ("mixed", "side_table", "activity_log", "lookup", "ignore")
#: Country packs: the country-specific defaults a profile opts into.
PACKS = ("za", "none")

__all__ = [
    "BUILT_IN_HELP", "EXPECTATIONS_DIR", "KIND_HELP", "LIST_COLUMNS", "MATCHING_COLUMNS", "METHOD_HELP",
    "OTHER_ROLES", "PROFILES_DIR", "RULE_FUNCTIONS", "ComparisonSpec", "EnrichmentSettings", "EntitySpec",
    "BASIS_FIELDS", "FieldKind", "FieldSpec", "IngestSettings", "LAWFUL_BASES", "PrivacySettings", "PurposeSpec", "MappingSettings", "MergeSettings", "Profile", "QualitySettings",
    "ReportSettings", "ResolutionSettings", "ValidationSettings", "available_profiles", "check_rule_expression",
    "load_profile", "settings_reference",
]


class Profile(_Model):
    """Everything Hotpass needs to know about one kind of source data."""

    _folder: Path | None = PrivateAttr(default=None)  # where the YAML file was read from
    name: str = Field(..., min_length=1, description="Short name used on the command line and in the workbench.")
    description: str = Field("", description="What sources this profile is for.")
    country_pack: Literal["za", "none"] = Field(
        "za", description="Country-specific defaults the profile opts into: za (South Africa: the nine "
        "provinces as region names, +27 phone numbers, the shipped area-code and town tables for "
        "enrichment) or none (no region list, phone numbers read in international form unless "
        "phone_region is set, no area-code or town tables).",
    )
    country: str = Field("South Africa", description="Country written when a record has none (empty: none).")
    phone_region: str = Field(
        "ZA", min_length=2, max_length=2,
        description="ISO 3166 region used to read phone numbers without a country code (ZZ: none "
        "chosen; when 90% or more of a run's numbers written with a country code, at least 2, share "
        "one country, the others are read as that country's, with an info finding; else only numbers "
        "written with their country code are read).",
    )
    entities: dict[str, EntitySpec] = Field(
        default_factory=legacy.default_entities,
        description="The kinds of record this profile resolves, keyed by entity name (organisation, "
        "contact, person ...): their fields, what they belong to, and how duplicates are found.",
    )
    region_aliases: dict[str, list[str]] = Field(
        default_factory=defaults.region_aliases,
        description="Canonical region name -> other spellings that mean it (empty: regions are kept as "
        "written, tidied).",
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
        default_factory=defaults.free_mail_domains, description="Mail domains that never identify an organisation.",
    )
    social_domains: list[str] = Field(
        default_factory=defaults.social_domains,
        description="Domains of social-media sites, never taken as an organisation's own domain.",
    )
    source_priorities: dict[str, int] = Field(
        default_factory=dict, description="File-name glob -> priority; higher wins when merged records disagree.",
    )
    sheet_roles: dict[str, str] = Field(
        default_factory=dict,
        description="'file-glob::sheet-glob' -> role, overriding the detected sheet role: an entity's "
        "name, or " + ", ".join(OTHER_ROLES) + ".",
    )
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Reading files.")
    mapping: MappingSettings = Field(default_factory=MappingSettings, description="Column mapping.")
    merge: MergeSettings = Field(default_factory=MergeSettings, description="Golden-record survivorship.")
    quality: QualitySettings = Field(default_factory=QualitySettings, description="Per-record quality score and flags.")
    validation: ValidationSettings = Field(default_factory=ValidationSettings,
                                           description="Expectation suites and the publish gate.")
    report: ReportSettings = Field(default_factory=ReportSettings, description="The quality report.")
    enrichment: EnrichmentSettings = Field(default_factory=EnrichmentSettings,
                                           description="Enrichment providers and approval.")
    privacy: PrivacySettings = Field(default_factory=PrivacySettings,
                                     description="Personal data: purposes, lawful basis, retention.")

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = legacy.upgrade(data)
        if data.get("country_pack") == "none":
            data = {"region_aliases": {}, "phone_region": "ZZ", "country": "", **data}
        return data

    @field_validator("sheet_roles")
    @classmethod
    def _sheet_role_keys(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [key for key in value if "::" not in key]
        if bad:
            raise ValueError(f"keys must look like 'file-glob::sheet-glob', not {bad}")
        return value

    @model_validator(mode="after")
    def _relations(self) -> Profile:
        if not self.entities:
            raise ValueError("entities: declare at least one entity")
        if not any(e.parent is None for e in self.entities.values()):
            raise ValueError("entities: at least one entity must stand alone (no parent)")
        for name, entity in self.entities.items():
            if entity.parent is not None:
                _check_child(name, entity, self.entities)
            elif not entity.fields:
                raise ValueError(f"entities.{name}.fields: declare at least one field")
            elif entity.resolution.built_in() and name != "organisation":
                raise ValueError(f"entities.{name}.resolution.comparisons: the built-in organisation "
                                 "comparisons are for the entity called organisation; compare this "
                                 "entity's fields with {field, method}")
        roles = {*self.entities, *OTHER_ROLES}
        bad = sorted({r for r in self.sheet_roles.values() if r not in roles})
        if bad:
            raise ValueError(f"sheet_roles: unknown role(s) {bad}; use one of {sorted(roles)}")
        problems = check_privacy(self.privacy, self.entities)
        if problems:
            raise ValueError("; ".join(problems))
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
            raise ProfileError(source, [_describe(err) for err in exc.errors() if not _other_branch(err)]) from None

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

    # --- entities ---------------------------------------------------------------

    def entity(self, name: str) -> EntitySpec:
        """One entity by name (KeyError when the profile has none)."""
        return self.entities[name]

    def top_entities(self) -> list[str]:
        """Entities that stand alone (their duplicates are found with Splink), in profile order."""
        return [name for name, e in self.entities.items() if e.parent is None]

    def children(self, parent: str | None = None) -> list[str]:
        """Entities that belong to another (to ``parent`` when given), in profile order."""
        return [name for name, e in self.entities.items()
                if e.parent is not None and (parent is None or e.parent == parent)]

    def fields(self, entity: str) -> dict[str, FieldSpec]:
        """The fields of one entity ({} when the profile has no such entity)."""
        return self.entities[entity].fields if entity in self.entities else {}

    def plural(self, entity: str) -> str:
        """What many records of ``entity`` are called (its table and sheet)."""
        return self.entities[entity].plural or f"{entity}s"

    def label(self, entity: str) -> str:
        """What one record of ``entity`` is called."""
        return self.entities[entity].label or entity.replace("_", " ").capitalize()

    def id_prefix(self, entity: str) -> str:
        """The prefix of golden ids of ``entity``."""
        return self.entities[entity].id_prefix or entity[:3].upper()

    def entity_of_table(self, table: str) -> str | None:
        """The entity whose plural is ``table`` (an output table or suite name), or None."""
        return next((name for name in self.entities if self.plural(name) == table), None)

    @property
    def primary(self) -> str:
        """The first entity that stands alone: organisation in the shipped profiles."""
        return self.top_entities()[0]

    @property
    def resolution(self) -> ResolutionSettings:
        """The resolution settings of the first entity that stands alone."""
        return self.entities[self.primary].resolution

    @property
    def organisation_fields(self) -> dict[str, FieldSpec]:
        """The fields of the ``organisation`` entity ({} when there is none)."""
        return self.fields("organisation")

    @property
    def contact_fields(self) -> dict[str, FieldSpec]:
        """The fields of the ``contact`` entity ({} when there is none)."""
        return self.fields("contact")

    def link_field(self, entity: str = "contact") -> str | None:
        """The field of ``entity`` that names its parent record."""
        return self.entities[entity].link_field() if entity in self.entities else None

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

    def expectations_dir(self) -> Path | None:
        """The folder of this profile's expectation suites, or None: suites made from its fields
        (see ``validation.expectations_dir``)."""
        chosen = self.validation.expectations_dir
        if chosen:
            path = Path(chosen).expanduser()
            return path if path.is_absolute() else (self._folder or Path.cwd()) / path
        own = EXPECTATIONS_DIR / self.name
        return own if own.is_dir() else None

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


def _check_child(name: str, entity: EntitySpec, entities: dict[str, EntitySpec]) -> None:
    if entity.parent not in entities or entity.parent == name:
        raise ValueError(f"entities.{name}.parent: {entity.parent!r} is not another entity of the profile")
    if entities[entity.parent].parent is not None:
        raise ValueError(f"entities.{name}.parent: {entity.parent!r} belongs to another entity itself")
    parent = entities[entity.parent]
    if (name, entity.parent) != ("contact", "organisation") or not parent.resolution.built_in():
        raise ValueError(f"entities.{name}.parent: records that belong to another are supported for "
                         "'contact' records of an 'organisation' resolved with the built-in organisation "
                         "comparisons; declare other entities without a parent")
    if entity.link_field() is None:
        raise ValueError(f"entities.{name}.fields: must define a field of kind 'link' (the {entity.parent} link)")


def _other_branch(err: dict[str, Any]) -> bool:
    """Whether ``err`` is the branch of a comparison that does not apply: a built-in name's error
    for a {field, method} entry, or the other way round."""
    loc = [str(part) for part in err.get("loc", ())]
    if any(part.startswith("literal[") for part in loc):
        return isinstance(err.get("input"), dict)
    return "ComparisonSpec" in loc and err.get("type") == "model_type" and isinstance(err.get("input"), str)


def _describe(err: dict[str, Any]) -> str:
    path = ".".join(str(part) for part in err.get("loc", ())
                    if not str(part).startswith(("function-", "literal[")) and str(part) != "ComparisonSpec") \
        or "<profile>"
    message = err.get("msg", "invalid")
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    if err.get("type") == "extra_forbidden":
        message = "unknown setting"
    if err.get("type") == "literal_error" and ".comparisons." in f".{path}.":
        message += " (a built-in organisation comparison), or {field: <a declared field>, method: ...}"
    choices = _CHOICES.get(str(err.get("loc", ("",))[-1])) if err.get("type") == "literal_error" else None
    if choices:
        given = err.get("input")
        message = f"{given!r} is not one of the choices:" + "".join(f"\n      {k}: {v}" for k, v in choices.items())
    return f"{path}: {message}"


#: Settings whose value is one of a closed list: the list with its help, shown when a value is wrong.
_CHOICES = {"kind": KIND_HELP, "method": METHOD_HELP}


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
    """Every setting as (dotted key, default, help), nested models, entities and fields included."""
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
        if model is Profile and name == "entities":
            rows.extend(settings_reference(EntitySpec, f"{key}.*."))
        if model is EntitySpec and name == "resolution":
            rows.extend(settings_reference(ResolutionSettings, f"{key}."))
        if model is EntitySpec and name == "fields":
            rows.extend(settings_reference(FieldSpec, f"{key}.*."))
        if model is ResolutionSettings and name == "comparisons":
            rows.extend(settings_reference(ComparisonSpec, f"{key}.*."))
        if model is PrivacySettings and name == "purposes":
            rows.extend(settings_reference(PurposeSpec, f"{key}.*."))
    return rows


def _default_text(info) -> str:
    if info.default_factory is not None:
        value = info.default_factory()
        text = repr(value)
        return "(see generic.yaml)" if isinstance(value, (dict, list)) and (len(value) > 3 or len(text) > 80) \
            else text
    return repr(info.default)
