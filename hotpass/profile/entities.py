"""Entities: the kinds of record a profile resolves, their fields, and how they relate."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from hotpass.profile.fields import FieldSpec, _Model
from hotpass.profile.resolution import (
    LIST_COLUMNS,
    MATCHING_COLUMNS,
    ResolutionSettings,
    check_rule_expression,
)

_PLURAL = re.compile(r"[a-z][a-z0-9_]*")
#: Field kinds whose values are lists joined with "; " (their columns block on any shared element).
LIST_KINDS = ("phone", "email")


class EntitySpec(_Model):
    """One kind of record: its fields, what it belongs to, how duplicates are found, how it is named."""

    label: str = Field("", description="What one record is called (Organisation, Person).")
    plural: str = Field("", description="What many are called; names the output table, sheet and "
                        "files (organisations, people): lower-case letters, digits and _. Empty: "
                        "the entity's name and an s.")
    id_prefix: str = Field("", description="Prefix of golden record ids (ORG, CON, PER). Empty: the "
                           "first three letters of the entity's name.")
    parent: str | None = Field(
        None, description="The entity these records belong to (contacts belong to an organisation): "
        "they are linked to it by their field of kind link and deduplicated within it. Empty: the "
        "entity stands alone and its duplicates are found with Splink (see `resolution`).",
    )
    fields: dict[str, FieldSpec] = Field(default_factory=dict, description="The entity's fields, keyed "
                                         "by field name.")
    quality_fields: dict[str, float] = Field(
        default_factory=dict, description="Fields scored for completeness and validity, with their "
        "weight in the quality score.",
    )
    resolution: ResolutionSettings | None = Field(
        None, description="How duplicates are found, for an entity that stands alone (no parent): "
        "comparisons, blocking and training rules, thresholds. Left out: the built-in organisation "
        "comparisons and rules.",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_resolution(cls, data):
        if isinstance(data, dict) and data.get("parent") is None and data.get("resolution") is None:
            data = {**data, "resolution": {}}
        return data

    @field_validator("plural")
    @classmethod
    def _plural_is_a_name(cls, value: str) -> str:
        if value and not _PLURAL.fullmatch(value):
            raise ValueError("use lower-case letters, digits and _, starting with a letter")
        return value

    @model_validator(mode="after")
    def _references(self) -> EntitySpec:
        unknown = sorted(set(self.quality_fields) - set(self.fields))
        if unknown:
            raise ValueError(f"quality_fields names fields the entity does not define: {unknown}")
        for name, spec in self.fields.items():
            missing = [f for f in spec.from_fields if f not in self.fields or f == name]
            if missing:
                raise ValueError(f"fields.{name}.from_fields: not other fields of the entity: {missing}")
        if self.parent is None:
            self._check_resolution()
        elif self.resolution is not None:
            raise ValueError("resolution: an entity with a parent is deduplicated within its parent; "
                             "leave resolution out")
        return self

    def _check_resolution(self) -> None:
        settings = self.resolution
        if settings.built_in() and self.fields.get("name") is None or settings.built_in() and \
                self.fields["name"].kind != "org_name":
            raise ValueError("resolution.comparisons: the built-in organisation comparisons need a field "
                             "'name' of kind org_name; compare declared fields with {field, method} instead")
        for comparison in settings.comparisons:
            if not isinstance(comparison, str) and comparison.field not in self.fields:
                raise ValueError(f"resolution.comparisons: {comparison.field!r} is not a field of the entity "
                                 f"(fields: {', '.join(self.fields)})")
        columns, lists = self.matching_columns()
        for setting, rules in settings.rules().items():
            for rule in rules:
                for expr in rule:
                    try:
                        check_rule_expression(expr, columns, lists)
                    except ValueError as exc:
                        raise ValueError(f"resolution.{setting}: {exc}") from None

    def matching_columns(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(columns rules may name, those holding lists) for this entity."""
        own = tuple(f for f in self.fields if f not in MATCHING_COLUMNS)
        lists = tuple(f for f in own if self.fields[f].kind in LIST_KINDS)
        if self.resolution is not None and self.resolution.built_in():
            return (*MATCHING_COLUMNS, *own), (*LIST_COLUMNS, *lists)
        return own, lists

    def field_of_kind(self, *kinds: str) -> str | None:
        """The first field of one of ``kinds``, or None."""
        return next((name for name, spec in self.fields.items() if spec.kind in kinds), None)

    def name_field(self) -> str | None:
        """The field that names a record (an organisation's or a person's name), or None."""
        return self.field_of_kind("org_name", "person_name", "persons") or self.field_of_kind(
            "last_name", "first_name")

    def link_field(self) -> str | None:
        """The field naming the parent record (kind ``link``)."""
        return self.field_of_kind("link")
