"""Training the Splink model honestly, and tidying the trained model.

1. The prior (probability that two random records match) is estimated from
   the pairs that share a phone, an email address or a domain, assuming those
   rules find ``DETERMINISTIC_RECALL`` of all matches.
2. u probabilities come from random sampling (``max_pairs_for_u`` pairs,
   seeded; Splink samples by a hash of the record key, so the sample is the
   same on every run). A random sample holds a few true matches, and for rare,
   telling levels (same phone, same name) they would be most of what it sees.
   So the comparisons in ``U_FROM_OTHER_REGIONS`` count only sampled pairs
   whose regions are known and differ (almost never matches); region and town,
   which depend on region, count every pair and are corrected for the matches
   expected among them: ``u = (observed - prior * m) / (1 - prior)``.
   No u falls below one sampled pair.
3. m probabilities come from expectation maximisation, one session per
   training rule (u fixed); each session leaves out the comparison it blocks on.
4. No level may have m below ``M_FLOOR`` (EM cannot see every kind of
   disagreement; none should be damning), and every probability is rounded to
   ``DIGITS`` significant digits so that equal inputs give equal models.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from splink import Linker

from hotpass.resolve import settings as rs

LEVEL_NOT_OBSERVED = "level not observed in training dataset"


def estimate_prior(linker: Linker) -> float:
    """The prior from the deterministic rules; written into ``linker``."""
    linker.training.estimate_probability_two_random_records_match(
        rs.deterministic_rules(), recall=rs.DETERMINISTIC_RECALL
    )
    return float(linker._settings_obj._probability_two_random_records_match)


def run_em(linker: Linker) -> None:
    """One EM session per training rule (u fixed, m estimated)."""
    for rule in rs.training_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=rs.EM_MAX_PAIRS, record_sample_proportion=rs.EM_PROBE
        )


def train(new_linker: Callable[[dict | None], Linker], thresholds: rs.Thresholds,
          progress: Callable[[float, str], None]) -> dict:
    """Train a model; ``new_linker(settings)`` gives a linker (untrained settings when None)."""
    progress(0.0, "Estimating the prior")
    prior = estimate_prior(new_linker(None))
    progress(0.1, "Estimating u by random sampling")
    sampler = new_linker(rs.u_settings())
    sampler.training.estimate_u_using_random_sampling(max_pairs=thresholds.max_pairs_for_u, seed=thresholds.seed)
    sampled = sampler.misc.save_model_to_json()
    u_floor = rs.U_FLOOR_PAIRS / thresholds.max_pairs_for_u
    structure = rs.splink_settings().create_settings_dict("duckdb")
    progress(0.7, "Estimating m by expectation maximisation")
    linker = new_linker(assemble(structure, None, sampled, prior, u_floor))
    run_em(linker)
    return assemble(linker.misc.save_model_to_json(), linker.misc.save_model_to_json(), sampled, prior, u_floor)


def assemble(structure: dict, trained: dict | None, sampled: dict, prior: float, u_floor: float) -> dict:
    """``structure`` with m from ``trained`` (floored) and u from ``sampled`` (corrected, floored)."""
    model = tidy(structure)
    model["probability_two_random_records_match"] = rounded(prior)
    for i, comp in enumerate(model["comparisons"]):
        levels = _levels(comp)
        u_seen = [_prob(lv.get("u_probability")) for lv in _levels(sampled["comparisons"][i])]
        m = [_prob(lv.get("m_probability")) for lv in _levels(trained["comparisons"][i])] if trained else None
        if comp["output_column_name"] not in rs.U_FROM_OTHER_REGIONS and m is not None:
            u_seen = [(us - prior * ms) / (1 - prior) for us, ms in zip(u_seen, _normalised(m))]
        u = _normalised([max(value, u_floor) for value in u_seen])
        for j, level in enumerate(levels):
            level["u_probability"] = rounded(u[j])
            if m is not None:
                level["m_probability"] = rounded(_normalised([max(v, rs.M_FLOOR) for v in m])[j])
    return model


def _levels(comp: dict) -> list[dict]:
    return [level for level in comp["comparison_levels"] if not level.get("is_null_level")]


def tidy(model: dict) -> dict:
    """A copy of ``model`` without run-specific values (the linker's random id)."""
    out = {key: value for key, value in model.items() if key != "linker_uid"}
    out["comparisons"] = [
        {**comp, "comparison_levels": [dict(level) for level in comp["comparison_levels"]]}
        for comp in model["comparisons"]
    ]
    return out


def _prob(value) -> float:
    """A probability from a saved model; unobserved or missing counts as 0."""
    if value is None or value == LEVEL_NOT_OBSERVED:
        return 0.0
    value = float(value)
    return 0.0 if math.isnan(value) else value


def _normalised(values: list[float]) -> list[float]:
    total = sum(values)
    return [v / total for v in values] if total > 0 else [1 / len(values)] * len(values)


def rounded(value: float) -> float:
    """``value`` to ``DIGITS`` significant digits."""
    return float(f"{value:.{rs.DIGITS}g}")


def prior_weight(model: dict) -> float:
    """The prior as a match weight (log2 of its odds): where every waterfall starts."""
    p = float(model["probability_two_random_records_match"])
    return math.log2(p / (1 - p))


def describe(model: dict) -> list[dict]:
    """Each non-null level's m, u and match weight, for notes and reports."""
    rows = []
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = _prob(level.get("m_probability")), _prob(level.get("u_probability"))
            weight = math.log2(m / u) if m > 0 and u > 0 else None
            rows.append({"comparison": comp["output_column_name"], "level": level.get("label_for_charts"),
                         "m": m, "u": u, "match_weight": weight})
    return rows
