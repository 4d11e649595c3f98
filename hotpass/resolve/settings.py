"""The Splink model Hotpass trains, built from the profile's ``resolution`` settings.

The profile chooses the comparisons, their similarity levels, the blocking,
deterministic and training rules, and the training numbers (see
:class:`hotpass.profile.ResolutionSettings`); how each comparison's levels are
written is defined and explained here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

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

    @classmethod
    def from_profile(cls, profile) -> ModelSpec:
        res = profile.resolution

        def rules(found):
            return tuple(tuple(rule) for rule in found)

        return cls(
            match=res.match_threshold,
            review=res.review_threshold,
            comparisons=tuple(res.comparisons),
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
        )

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
    return [made[name]() for name in spec.comparisons]


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


def splink_rule(rule: Rule):
    """A profile rule as a Splink blocking rule: list columns match on any shared element."""
    return block_on(*rule, arrays_to_explode=[e for e in rule if e in LIST_COLUMNS] or None)


def blocking_rules(spec: ModelSpec) -> list:
    """Candidate pairs: by default shared exact evidence, or names alike in one of several ways."""
    return [splink_rule(rule) for rule in spec.blocking_rules]


def deterministic_rules(spec: ModelSpec) -> list:
    """Rules whose pairs are nearly all matches: used to estimate the prior."""
    return [splink_rule(rule) for rule in spec.deterministic_rules]


def training_rules(spec: ModelSpec) -> list:
    """EM sessions: each leaves out the comparisons its rule blocks on.

    By default same name trains every comparison but the name; same region
    trains the name (and the rest again) on pairs chosen without looking at
    names, phones or mail, so their variation is seen as it is across all records.
    """
    return [splink_rule(rule) for rule in spec.training_rules]


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
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
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
