"""The Splink model Hotpass trains: comparisons, blocking rules and training rules.

Only ``match_threshold``, ``review_threshold``, ``max_pairs_for_u`` and
``seed`` come from the profile (``profile.resolution``); everything else is a
default defined and explained here, chosen on the generated samples. The
constants are candidates for profile settings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

#: Predictions below this probability are not kept (they would all be "apart").
PREDICT_FLOOR = 0.01
#: Recall assumed for "shares a phone, an email address or a domain" when the
#: prior (probability that two random records match) is estimated from them.
DETERMINISTIC_RECALL = 0.75
#: Smallest m probability a level may have: no single disagreement is damning.
M_FLOOR = 0.01
#: Smallest u probability, as a share of the pairs sampled for u (one pair in ...).
U_FLOOR_PAIRS = 1.0
#: Digits kept in trained probabilities, so equal inputs give equal models.
DIGITS = 12
#: Words that describe what an organisation does rather than which one it is.
NAME_GENERIC_WORDS = frozenset(
    """
    academy aero aeronautical air aircraft airways avionics aviation aviators cabin centre center
    charter charters club college components crew engineering executive flight flyers flying gliding
    helicopter helicopters institute international jet jets maintenance microlight organisation
    organization pilot propeller safari school services simulator skills solutions sport taxi
    technical training
    company consulting enterprises group holdings trading trust
    """.split()
)
#: Version of the comparisons below; a cached model of another version is retrained.
MODEL_VERSION = "hotpass-resolve-1"


@dataclass(frozen=True)
class Thresholds:
    """The profile's resolution settings the resolver reads."""

    match: float
    review: float
    max_pairs_for_u: int
    seed: int

    @classmethod
    def from_profile(cls, profile) -> Thresholds:
        res = profile.resolution
        return cls(
            res.match_threshold, res.review_threshold, int(res.max_pairs_for_u), int(res.seed)
        )


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


def name_comparison():
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
            cll.JaroWinklerLevel("name_key", 0.9),
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


def comparisons() -> list:
    """Every comparison, in the order the waterfall shows them."""
    return [
        name_comparison(),
        cl.ArrayIntersectAtSizes("phones", [1]),
        cl.ArrayIntersectAtSizes("emails", [1]),
        cl.ExactMatch("org_domain"),
        _exact_or_close("region", 0.9),
        _exact_or_close("town", 0.88),
        cl.ExactMatch("legal_suffix"),
        people_comparison(),
    ]


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


def blocking_rules() -> list:
    """Candidate pairs: shared exact evidence, or names alike in one of several ways."""
    return [
        block_on("phones", arrays_to_explode=["phones"]),
        block_on("emails", arrays_to_explode=["emails"]),
        block_on("org_domain"),
        block_on("contact_points", arrays_to_explode=["contact_points"]),
        block_on("substr(name_t1, 1, 3)", "substr(name_t2, 1, 3)"),
        block_on("name_code"),
        block_on("name_core", "substr(name_tail, 1, 1)"),
        block_on("substr(name_t1, 1, 1)", "name_core2"),
        block_on("name_t1_variants", arrays_to_explode=["name_t1_variants"]),
    ]


def deterministic_rules() -> list:
    """Rules whose pairs are nearly all matches: used to estimate the prior."""
    return blocking_rules()[:3]


#: Most pairs one EM session may use (Splink samples records deterministically above it).
EM_MAX_PAIRS = 500_000
#: Share of records the EM sampler probes to count a rule's pairs.
EM_PROBE = 0.1


def training_rules() -> list:
    """EM sessions: each leaves out the comparison its rule blocks on.

    Same name trains every comparison but the name; same region trains the name
    (and the rest again) on pairs chosen without looking at names, phones or
    mail, so their variation is seen as it is across all records.
    """
    return [block_on("name_key"), block_on("region")]


#: Comparisons whose u is estimated only on pairs from different regions (nearly
#: never matches), so the sample's few true matches do not inflate rare levels.
U_FROM_OTHER_REGIONS = ("name", "phones", "emails", "org_domain", "legal_suffix", "people")
_OTHER_REGIONS = (
    '"region_l" IS NULL OR "region_r" IS NULL'
    ' OR jaro_winkler_similarity("region_l", "region_r") >= 0.9'
)


def u_settings() -> dict:
    """Settings for estimating u: comparisons in ``U_FROM_OTHER_REGIONS`` treat a pair
    as missing unless both regions are known and differ, so only such pairs are counted."""
    settings = splink_settings().create_settings_dict("duckdb")
    for comp in settings["comparisons"]:
        if comp["output_column_name"] in U_FROM_OTHER_REGIONS:
            null = comp["comparison_levels"][0]
            null["sql_condition"] = f"({null['sql_condition']}) OR {_OTHER_REGIONS}"
    return settings


def splink_settings() -> SettingsCreator:
    """The untrained Splink settings."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
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
