"""The Splink model Hotpass trains, built from the profile's ``resolution`` settings.

The profile chooses the comparisons, their similarity levels, the blocking,
deterministic and training rules, and the training numbers (see
:class:`hotpass.profile.ResolutionSettings`); how each comparison's levels are
written is defined and explained here.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from hotpass.profile import LIST_COLUMNS

#: Smallest u probability, as a share of the pairs sampled for u (one pair in ...).
U_FLOOR_PAIRS = 1.0
#: Share of records the EM sampler probes to count a rule's pairs.
EM_PROBE = 0.1
#: Digits kept in trained probabilities, so equal inputs give equal models.
DIGITS = 12
#: Version of the comparisons below; a cached model of another version is retrained.
MODEL_VERSION = "hotpass-resolve-2"

Rule = tuple[str, ...]


@dataclass(frozen=True)
class FieldComparison:
    """A comparison of one declared field with a method of Splink's comparison library."""

    field: str
    method: str
    thresholds: tuple[float, ...] = ()
    term_frequency: bool = False


@dataclass(frozen=True)
class ModelSpec:
    """Everything in the profile's ``resolution`` section the resolver reads."""

    match: float
    review: float
    comparisons: tuple[str, ...]
    similarity: tuple[tuple[str, float], ...]
    blocking_rules: tuple[Rule, ...]
    deterministic_rules: tuple[Rule, ...]
    deterministic_recall: float
    training_rules: tuple[Rule, ...]
    max_pairs_for_u: int
    em_max_pairs: int
    m_floor: float
    predict_floor: float
    seed: int
    max_comparisons: int = 30_000_000

    comparisons_of_fields: tuple[FieldComparison, ...] = ()
    link_type: str = "dedupe_only"
    lists: tuple[str, ...] = LIST_COLUMNS

    @classmethod
    def from_profile(cls, profile, entity: str | None = None) -> ModelSpec:
        """The model of ``entity`` (the profile's first entity that stands alone by default)."""
        spec = profile.entity(entity or profile.primary)
        res = spec.resolution

        def rules(found):
            return tuple(tuple(rule) for rule in found)

        fields = tuple(FieldComparison(c.field, c.method, tuple(c.thresholds), c.term_frequency)
                       for c in res.comparisons if not isinstance(c, str))
        return cls(
            match=res.match_threshold,
            review=res.review_threshold,
            comparisons=tuple(c if isinstance(c, str) else c.field for c in res.comparisons),
            similarity=tuple(sorted(res.similarity.items())),
            blocking_rules=rules(res.blocking_rules),
            deterministic_rules=rules(res.deterministic_rules),
            deterministic_recall=res.deterministic_recall,
            training_rules=rules(res.training_rules),
            max_pairs_for_u=int(res.max_pairs_for_u),
            em_max_pairs=int(res.em_max_pairs),
            m_floor=res.m_floor,
            predict_floor=res.predict_floor,
            seed=int(res.seed),
            max_comparisons=int(res.max_comparisons),
            comparisons_of_fields=fields,
            link_type=res.mode,
            lists=feature_lists(spec),
        )

    def without(self, fields: set[str]) -> ModelSpec:
        """This model without the comparisons of ``fields`` and the rules that name them (fields no
        record has: Splink would sample and train levels that can never be seen)."""
        if not fields:
            return self
        mentions = re.compile(r"\b(" + "|".join(map(re.escape, sorted(fields))) + r")\b")

        def keep(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
            return tuple(rule for rule in rules if not any(mentions.search(expr) for expr in rule))

        return replace(
            self,
            comparisons=tuple(c for c in self.comparisons if c not in fields),
            comparisons_of_fields=tuple(c for c in self.comparisons_of_fields if c.field not in fields),
            blocking_rules=keep(self.blocking_rules),
            deterministic_rules=keep(self.deterministic_rules),
            training_rules=keep(self.training_rules),
        )

    def field_comparison(self, name: str) -> FieldComparison | None:
        """The comparison of declared field ``name``, or None (a built-in comparison)."""
        return next((c for c in self.comparisons_of_fields if c.field == name), None)

    @property
    def built_in(self) -> bool:
        """Whether the built-in organisation comparisons are used (and their matching columns)."""
        return any(self.field_comparison(c) is None for c in self.comparisons)

    def similar(self, column: str) -> float:
        return dict(self.similarity)[column]

    def training_signature(self) -> str:
        """A hash of the settings that change training but not the model's structure."""
        shape = [
            self.deterministic_rules, self.deterministic_recall, self.training_rules,
            self.max_pairs_for_u, self.em_max_pairs, self.m_floor, self.seed,
        ]
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:16]


def _leading_words(side: str, other: str) -> str:
    """SQL: the first n words of ``name_tail_<side>``, n = the shorter tail's word count."""
    words = f"string_split(name_tail_{side}, ' ')"
    shorter = f"least(len({words}), len(string_split(name_tail_{other}, ' ')))"
    return f"array_to_string(list_slice({words}, 1, {shorter}), ' ')"


#: Tails agree when one is missing, or their common leading words differ by at most two typos
#: ("flight centre" and "filght" agree; "flight school" and "aviation academy" do not).
TAILS_AGREE = (
    "(name_tail_l IS NULL OR name_tail_r IS NULL"
    f" OR damerau_levenshtein({_leading_words('l', 'r')}, {_leading_words('r', 'l')}) <= 2)"
)


def name_comparison(similarity: float = 0.9):
    """Organisation name without legal suffix: distinctive words first, then the generic tail.

    Agreement on a distinctive part that few records share counts more (term
    frequency adjustment on ``name_core``).
    """
    core_tf = {"tf_adjustment_column": "name_core", "tf_adjustment_weight": 1.0}
    return cl.CustomComparison(
        [
            cll.NullLevel("name_key"),
            cll.ExactMatchLevel("name_key"),
            cll.CustomLevel(
                f"name_core_l = name_core_r AND {TAILS_AGREE}",
                "same distinctive words, tails agree",
            ).configure(**core_tf),
            cll.CustomLevel(
                f"damerau_levenshtein(name_core_l, name_core_r) <= 1 AND {TAILS_AGREE}",
                "distinctive words one typo apart, tails agree",
            ),
            cll.ExactMatchLevel("name_core").configure(**core_tf),
            cll.JaroWinklerLevel("name_key", similarity),
            cll.ElseLevel(),
        ],
        output_column_name="name",
    )


def _exact_or_close(column: str, similarity: float):
    """Exact, nearly equal (Jaro-Winkler), else."""
    return cl.CustomComparison(
        [
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.JaroWinklerLevel(column, similarity),
            cll.ElseLevel(),
        ],
        output_column_name=column,
    )


#: Field kinds whose values are lists joined with "; " (see hotpass.profile.entities.LIST_KINDS).
LIST_KINDS = ("phone", "email")


def feature_lists(entity) -> tuple[str, ...]:
    """The matching columns of ``entity`` (an EntitySpec) that hold lists: the built-in ones when it
    uses the built-in comparisons, and its phone and email fields unless compared by a method that
    reads one value (an email compared with the email method)."""
    methods = {c.field: c.method for c in entity.resolution.comparisons if not isinstance(c, str)}
    own = tuple(name for name, field in entity.fields.items()
                if name not in LIST_COLUMNS and (methods.get(name) == "array" or
                                                 (field.kind in LIST_KINDS and name not in methods)))
    built_in = any(isinstance(c, str) for c in entity.resolution.comparisons)
    return (*LIST_COLUMNS, *own) if built_in else own


#: Each method's levels between exact agreement and disagreement, when the profile gives none.
DEFAULT_THRESHOLDS = {"jaro_winkler": (0.92, 0.8), "levenshtein": (1, 2), "damerau_levenshtein": (1, 2),
                      "name": (0.92, 0.88, 0.7), "id": (1,), "array": (1,)}


def field_comparison(c: FieldComparison):
    """The Splink comparison of one declared field (see ``METHOD_HELP`` in the profile)."""
    found = c.thresholds or DEFAULT_THRESHOLDS.get(c.method, ())
    whole = [int(t) for t in found]
    made = {
        "exact": lambda: cl.ExactMatch(c.field),
        "jaro_winkler": lambda: cl.JaroWinklerAtThresholds(c.field, list(found)),
        "levenshtein": lambda: cl.LevenshteinAtThresholds(c.field, whole),
        "damerau_levenshtein": lambda: cl.DamerauLevenshteinAtThresholds(c.field, whole),
        "name": lambda: cl.NameComparison(c.field, jaro_winkler_thresholds=list(found)),
        "date_of_birth": lambda: cl.DateOfBirthComparison(c.field, input_is_string=True),
        "postcode": lambda: cl.PostcodeComparison(c.field),
        "email": lambda: cl.EmailComparison(c.field),
        "id": lambda: cl.DamerauLevenshteinAtThresholds(c.field, whole),
        "array": lambda: cl.ArrayIntersectAtSizes(c.field, whole),
    }[c.method]()
    if c.term_frequency:
        made = made.configure(term_frequency_adjustments=True)
    return made


def comparisons(spec: ModelSpec) -> list:
    """The profile's comparisons, in its order (the order the waterfall shows them)."""
    made = {
        "name": lambda: name_comparison(spec.similar("name")),
        "phones": lambda: cl.ArrayIntersectAtSizes("phones", [1]),
        "emails": lambda: cl.ArrayIntersectAtSizes("emails", [1]),
        "org_domain": lambda: cl.ExactMatch("org_domain"),
        "region": lambda: _exact_or_close("region", spec.similar("region")),
        "town": lambda: _exact_or_close("town", spec.similar("town")),
        "legal_suffix": lambda: cl.ExactMatch("legal_suffix"),
        "people": people_comparison,
    }
    return [field_comparison(spec.field_comparison(name)) if spec.field_comparison(name) else made[name]()
            for name in spec.comparisons]


def people_comparison():
    """The people linked to the records: a shared phone or address, a shared person, or none."""
    return cl.CustomComparison(
        [
            cll.CustomLevel(
                '("people_l" IS NULL AND "contact_points_l" IS NULL) '
                'OR ("people_r" IS NULL AND "contact_points_r" IS NULL)',
                "no people on one of the records",
            ).configure(is_null_level=True),
            cll.ArrayIntersectLevel("contact_points", 1).configure(
                label_for_charts="a person's phone or email shared"
            ),
            cll.ArrayIntersectLevel("people_full", 1).configure(
                label_for_charts="a person's full name shared"
            ),
            cll.ArrayIntersectLevel("people", 1).configure(
                label_for_charts="a person's initial and surname shared"
            ),
            cll.ElseLevel(),
        ],
        output_column_name="people",
    )


def splink_rule(rule: Rule, lists: tuple[str, ...] = LIST_COLUMNS):
    """A profile rule as a Splink blocking rule: list columns match on any shared element."""
    return block_on(*rule, arrays_to_explode=[e for e in rule if e in lists] or None)


def blocking_rules(spec: ModelSpec) -> list:
    """Candidate pairs: by default shared exact evidence, or names alike in one of several ways."""
    return [splink_rule(rule, spec.lists) for rule in spec.blocking_rules]


def deterministic_rules(spec: ModelSpec) -> list:
    """Rules whose pairs are nearly all matches: used to estimate the prior."""
    return [splink_rule(rule, spec.lists) for rule in spec.deterministic_rules]


def training_rules(spec: ModelSpec) -> list:
    """EM sessions: each leaves out the comparisons its rule blocks on.

    By default same name trains every comparison but the name; same region
    trains the name (and the rest again) on pairs chosen without looking at
    names, phones or mail, so their variation is seen as it is across all records.
    """
    return [splink_rule(rule, spec.lists) for rule in spec.training_rules]


#: Comparisons whose u is estimated only on pairs from different regions (nearly
#: never matches), so the sample's few true matches do not inflate rare levels.
U_FROM_OTHER_REGIONS = ("name", "phones", "emails", "org_domain", "legal_suffix", "people")
_OTHER_REGIONS = (
    '"region_l" IS NULL OR "region_r" IS NULL'
    ' OR jaro_winkler_similarity("region_l", "region_r") >= 0.9'
)


def u_settings(spec: ModelSpec) -> dict:
    """Settings for estimating u: comparisons in ``U_FROM_OTHER_REGIONS`` treat a pair
    as missing unless both regions are known and differ, so only such pairs are counted
    (when the profile compares regions at all)."""
    settings = splink_settings(spec).create_settings_dict("duckdb")
    for comp in settings["comparisons"]:
        if comp["output_column_name"] in u_from_other_regions(spec):
            null = comp["comparison_levels"][0]
            null["sql_condition"] = f"({null['sql_condition']}) OR {_OTHER_REGIONS}"
    return settings


def u_from_other_regions(spec: ModelSpec) -> tuple[str, ...]:
    """The comparisons whose u is counted on pairs from different regions only."""
    return U_FROM_OTHER_REGIONS if "region" in spec.comparisons else ()


def splink_settings(spec: ModelSpec) -> SettingsCreator:
    """The untrained Splink settings."""
    linking = spec.link_type != "dedupe_only"
    return SettingsCreator(
        link_type=spec.link_type,
        unique_id_column_name="unique_id",
        **({"source_dataset_column_name": "source_dataset"} if linking else {}),
        comparisons=comparisons(spec),
        blocking_rules_to_generate_predictions=blocking_rules(spec),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=[],
    )


def fingerprint(model: dict) -> str:
    """A hash of a model's structure (comparisons and blocking), not its trained values."""
    keep = ("sql_condition", "is_null_level", "label_for_charts")
    shape = {
        "version": MODEL_VERSION,
        "link_type": model.get("link_type"),
        "blocking": [
            r.get("blocking_rule") for r in model.get("blocking_rules_to_generate_predictions", [])
        ],
        "comparisons": [
            [{k: level.get(k) for k in keep} for level in comp["comparison_levels"]]
            for comp in model.get("comparisons", [])
        ],
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True).encode()).hexdigest()[:16]
