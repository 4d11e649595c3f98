"""How an entity's duplicates are found: Splink comparisons, blocking and training rules, thresholds.

Comparisons are either the built-in organisation evidence (``name``, ``phones``,
``emails``, ``org_domain``, ``region``, ``town``, ``legal_suffix``, ``people``:
derived matching columns of an entity with an ``org_name`` field) or a
comparison of any declared field with a method of Splink's comparison library
(:class:`ComparisonSpec`). Rules are expressions over the entity's matching
columns: its field names, the built-in columns when it has them, and
substr/left/right/lower/length of one of them. Which names exist depends on the
entity, so :func:`check_rule_names` runs where the entity is known.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from hotpass import defaults
from hotpass.profile.fields import _Model

#: Columns the built-in organisation comparisons derive (see :mod:`hotpass.resolve.features`).
MATCHING_COLUMNS = (
    "name_key", "name_core", "name_tail", "name_t1", "name_t2", "name_t3", "name_core2",
    "name_code", "name_t1_variants", "phones", "emails", "org_domain", "region", "town",
    "legal_suffix", "people", "people_full", "contact_points",
)
LIST_COLUMNS = ("phones", "emails", "people", "people_full", "contact_points", "name_t1_variants")
#: SQL functions a rule expression may call.
RULE_FUNCTIONS = ("substr", "left", "right", "lower", "length")
BuiltIn = Literal["name", "phones", "emails", "org_domain", "region", "town", "legal_suffix", "people"]
BUILT_IN_HELP = {
    "name": "organisation name without legal suffix: distinctive words, then the generic tail",
    "phones": "any shared E.164 number (phones, and mobiles left on the organisation)",
    "emails": "any shared email address",
    "org_domain": "website or own mail domain (never free-mail)",
    "region": "province/region, exact or nearly equal",
    "town": "town, exact or nearly equal",
    "legal_suffix": "legal form",
    "people": "the records' contacts: a shared phone or address, a shared person",
}
Method = Literal["exact", "jaro_winkler", "levenshtein", "damerau_levenshtein", "name", "date_of_birth",
                 "postcode", "email", "id", "array"]
METHOD_HELP = {
    "exact": "equal or not",
    "jaro_winkler": "equal, then Jaro-Winkler similarity at each of `thresholds` (default 0.92, 0.8)",
    "levenshtein": "equal, then Levenshtein distance at each of `thresholds` (default 1, 2)",
    "damerau_levenshtein": "equal, then Damerau-Levenshtein distance (a swap counts once) at each of "
                           "`thresholds` (default 1, 2)",
    "name": "Splink's name comparison: equal, then Jaro-Winkler at `thresholds` (default 0.92, 0.88, 0.7), "
            "with term frequencies",
    "date_of_birth": "Splink's date of birth comparison: equal, one typo, within a month, a year, 10 years",
    "postcode": "Splink's postcode comparison: full code, sector, district, area",
    "email": "Splink's email comparison: equal, equal user name, fuzzy",
    "id": "an identifier: equal, then one transposition or typo (Damerau-Levenshtein 1)",
    "array": "fields holding several values joined with '; ': any value shared",
}
_RULE_TOKEN = re.compile(r"[a-z_][a-z0-9_]*|\d+|[(),]|\s+")


SIMILARITY_METHODS = ("jaro_winkler", "name")
DISTANCE_METHODS = ("levenshtein", "damerau_levenshtein")


class ComparisonSpec(_Model):
    """One comparison of a declared field, with a method of Splink's comparison library."""

    field: str = Field(..., description="The field compared (a field of the entity, composite ones too).")
    method: Method = Field("exact", description="How the two values are compared: " + "; ".join(
        f"{k} ({v})" for k, v in METHOD_HELP.items()) + ".")
    thresholds: list[float] = Field(
        default_factory=list, description="Similarities (jaro_winkler, name: between 0 and 1, highest "
        "first) or distances (levenshtein, damerau_levenshtein: whole numbers, lowest first) of the "
        "levels between equal and different; empty means the method's default.",
    )
    term_frequency: bool = Field(False, description="Agreement on a rare value counts for more than on "
                                 "a common one (term frequency adjustment on exact agreement).")

    @model_validator(mode="after")
    def _thresholds_fit(self) -> ComparisonSpec:
        found = self.thresholds
        if not found:
            return self
        if self.method in SIMILARITY_METHODS:
            if not all(0 < t < 1 for t in found) or found != sorted(found, reverse=True):
                raise ValueError(f"thresholds: {self.method} takes similarities between 0 and 1, highest "
                                 f"first (for example [0.92, 0.8]), not {found}")
        elif self.method in DISTANCE_METHODS:
            if not all(t >= 1 and float(t).is_integer() for t in found) or found != sorted(found):
                raise ValueError(f"thresholds: {self.method} takes whole distances from 1, lowest first "
                                 f"(for example [1, 2]), not {found}")
        else:
            raise ValueError(f"thresholds: {self.method} has fixed levels; leave thresholds out")
        return self


Rule = list[str]


def check_rule_expression(expr: str, columns: tuple[str, ...] = MATCHING_COLUMNS,
                          lists: tuple[str, ...] = LIST_COLUMNS) -> str:
    """``expr`` when it is one of ``columns`` or a function of one, else ValueError.

    Only lower-case names, numbers, commas and brackets are allowed, so a profile (which
    operators may upload) can never carry arbitrary SQL into a query.
    """
    text = expr.strip()
    tokens = _RULE_TOKEN.findall(text)
    if not text or "".join(tokens) != text:
        raise ValueError(f"{expr!r}: only column names, {', '.join(RULE_FUNCTIONS)}() and numbers")
    words = [t for t in tokens if t[0].isalpha() or t[0] == "_"]
    for word in words:
        if re.search(rf"\b{word}\s*\(", text) is not None and word in RULE_FUNCTIONS:
            continue
        if word not in columns:
            raise ValueError(f"{expr!r}: {word!r} is not a matching column (use one of: {', '.join(columns)})")
        if word in lists and text != word:
            raise ValueError(f"{expr!r}: list column {word!r} must stand alone in a rule")
    if not any(w in columns for w in words):
        raise ValueError(f"{expr!r}: names no matching column")
    if text.count("(") != text.count(")"):
        raise ValueError(f"{expr!r}: unbalanced brackets")
    return text


def _syntax(value: list[Rule]) -> list[Rule]:
    if not value:
        raise ValueError("at least one rule is needed")
    for rule in value:
        if not rule:
            raise ValueError("a rule needs at least one column")
        for expr in rule:
            if "".join(_RULE_TOKEN.findall(expr.strip())) != expr.strip() or not expr.strip():
                raise ValueError(f"{expr!r}: only column names, {', '.join(RULE_FUNCTIONS)}() and numbers")
    return [[expr.strip() for expr in rule] for rule in value]


class ResolutionSettings(_Model):
    """Duplicate resolution: the Splink model (comparisons, blocking, training) and thresholds."""

    mode: Literal["dedupe_only", "link_only", "link_and_dedupe"] = Field(
        "dedupe_only", description="dedupe_only finds duplicates within and across all files; "
        "link_only links records of different files only (never two of one file); "
        "link_and_dedupe does both.",
    )
    match_threshold: float = Field(
        0.92, gt=0, lt=1, description="Pairs at or above this match probability merge automatically."
    )
    review_threshold: float = Field(
        0.5, gt=0, lt=1, description="Pairs between this and match_threshold go to the review queue."
    )
    comparisons: list[BuiltIn | ComparisonSpec] = Field(
        default_factory=lambda: [
            "name", "phones", "emails", "org_domain", "region", "town", "legal_suffix", "people"
        ],
        description="Evidence compared for each candidate pair, in the order explanations show it. "
        "Either a built-in organisation comparison (" + "; ".join(
            f"{k}: {v}" for k, v in BUILT_IN_HELP.items()) + "; name is then required), or "
        "{field, method, thresholds, term_frequency} for any declared field.",
    )
    similarity: dict[Literal["name", "region", "town"], float] = Field(
        default_factory=lambda: {"name": 0.9, "region": 0.9, "town": 0.88},
        description="Jaro-Winkler similarity at or above which the built-in name, region or town "
        "comparisons count as nearly equal (a level below exact agreement).",
    )
    blocking_rules: list[Rule] = Field(
        default_factory=lambda: [
            ["phones"], ["emails"], ["org_domain"], ["contact_points"],
            ["substr(name_t1, 1, 3)", "substr(name_t2, 1, 3)"], ["name_code"],
            ["name_core", "substr(name_tail, 1, 1)"], ["substr(name_t1, 1, 1)", "name_core2"],
            ["name_t1_variants"],
        ],
        description="Which pairs are scored at all: a pair is a candidate when both records agree on "
        "every expression of at least one rule. An expression is a matching column (a field of the "
        "entity, or with the built-in organisation comparisons one of the columns in "
        "docs/profiles.md) or substr/left/right/lower/length of one; list columns match on any "
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
        return _syntax(value)

    @field_validator("comparisons")
    @classmethod
    def _comparisons(cls, value: list) -> list:
        if not value:
            raise ValueError("at least one comparison is needed")
        names = [c if isinstance(c, str) else c.field for c in value]
        if len(set(names)) != len(names):
            raise ValueError("a comparison (or a field) may appear only once")
        if any(isinstance(c, str) for c in value) and "name" not in value:
            raise ValueError("the name comparison is required with the built-in organisation comparisons")
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

    def built_in(self) -> bool:
        """Whether the built-in organisation comparisons are used."""
        return any(isinstance(c, str) for c in self.comparisons)

    def rules(self) -> dict[str, list[Rule]]:
        """Every rule list by setting name."""
        return {"blocking_rules": self.blocking_rules, "deterministic_rules": self.deterministic_rules,
                "training_rules": self.training_rules}
