"""Training the Splink model honestly, and tidying the trained model.

1. The prior (probability that two random records match) is estimated from
   the pairs that share a phone, an email address or a domain, assuming those
   rules find ``deterministic_recall`` (profile) of all matches.
2. u probabilities come from random sampling (``max_pairs_for_u`` pairs,
   seeded; Splink samples by a hash of the record key, so the sample is the
   same on every run). A random sample holds a few true matches, and for rare,
   telling levels (same phone, same name) they would be most of what it sees.
   So the comparisons in ``U_FROM_OTHER_REGIONS`` (when regions are compared) count only sampled pairs
   whose regions are known and differ (almost never matches); region and town,
   which depend on region, count every pair and are corrected for the matches
   expected among them: ``u = (observed - prior * m) / (1 - prior)``, never below a tenth
   of the observed share (a prior overestimated on a small, odd file would otherwise make
   agreeing on a province decisive). No u falls below one sampled pair.
3. m probabilities come from expectation maximisation, one session per
   training rule (u fixed); each session leaves out the comparison it blocks on.
4. No level may have m below the profile's ``m_floor`` (EM cannot see every kind of
   disagreement; none should be damning), and every probability is rounded to
   ``DIGITS`` significant digits so that equal inputs give equal models.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from splink import Linker
from splink.internals.exceptions import SplinkException

from hotpass.resolve import settings as rs

LEVEL_NOT_OBSERVED = "level not observed in training dataset"


def estimate_prior(linker: Linker, records: int, spec: rs.ModelSpec) -> float:
    """The prior from the deterministic rules, never below one expected match among all pairs."""
    pairs = max(records * (records - 1) / 2, 1)
    try:
        linker.training.estimate_probability_two_random_records_match(
            rs.deterministic_rules(spec), recall=spec.deterministic_recall
        )
    except ValueError:  # few records: the rules found more matches than the recall allows
        linker.training.estimate_probability_two_random_records_match(
            rs.deterministic_rules(spec), recall=1.0
        )
    found = float(linker.misc.save_model_to_json()["probability_two_random_records_match"])
    return min(max(found, 1 / pairs), 0.5)


def run_em(
    new_linker: Callable[[dict | None], Linker], model: dict, spec: rs.ModelSpec
) -> tuple[dict, list[str]]:
    """One EM session per training rule on one linker (u fixed, m estimated); Splink keeps the
    median of the sessions' estimates. A session without pairs is skipped (and noted); the
    linker is rebuilt from the model as it was, because a failed session leaves it changed.
    (On tiny samples EM can also drive an m to underflow, which Splink refuses with ValueError.)"""
    notes = []
    linker = new_linker(model)
    for rule in rs.training_rules(spec):
        before = linker.misc.save_model_to_json()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule,
                estimate_without_term_frequencies=True,
                max_pairs=spec.em_max_pairs,
                record_sample_proportion=rs.EM_PROBE,
            )
        except (SplinkException, ValueError) as exc:  # no pairs, or EM drove a level to zero
            sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
            reason = str(exc).splitlines()[0][:160]
            notes.append(
                f"EM could not train on pairs where {sql} ({reason}); that session was skipped."
            )
            linker = new_linker(tidy(before))
    return linker.misc.save_model_to_json(), notes


def train(
    session, spec: rs.ModelSpec, progress: Callable[[float, str], None]
) -> tuple[dict, list[str]]:
    """Train a model on ``session`` (a :class:`~hotpass.resolve.session.SplinkSession`).

    Returns the model and notes on what could not be estimated.
    """
    new_linker = session.linker
    progress(0.0, "Estimating the prior")
    prior = estimate_prior(new_linker(None), session.records, spec)
    progress(0.1, "Estimating u by random sampling")
    sampler = new_linker(rs.u_settings(spec))
    sampler.training.estimate_u_using_random_sampling(
        max_pairs=spec.max_pairs_for_u, seed=spec.seed
    )
    sampled = sampler.misc.save_model_to_json()
    structure = rs.splink_settings(spec).create_settings_dict("duckdb")
    progress(0.7, "Estimating m by expectation maximisation")
    trained, notes = run_em(new_linker, assemble(structure, None, sampled, prior, spec), spec)
    found = fallbacks(trained, sampled, spec.m_floor)
    return assemble(trained, trained, sampled, prior, spec), notes + found


def fallbacks(trained: dict, sampled: dict, m_floor: float) -> list[str]:
    """Notes for levels whose m or u was not estimated and fell back to its floor."""
    notes = []
    for comp, seen in zip(trained["comparisons"], sampled["comparisons"], strict=True):
        for level, u_level in zip(_levels(comp), _levels(seen), strict=True):
            where = f"{comp['output_column_name']}: {level.get('label_for_charts')}"
            if _prob(level.get("m_probability")) < m_floor:
                notes.append(f"{where}: EM saw too few matches at this level; m set to {m_floor}.")
            if _prob(u_level.get("u_probability")) == 0:
                notes.append(
                    f"{where}: no sampled pair reached this level; u set to one sampled pair."
                )
    return notes


def assemble(
    structure: dict, trained: dict | None, sampled: dict, prior: float, spec: rs.ModelSpec
) -> dict:
    """``structure`` with m from ``trained`` (floored), u from ``sampled`` (corrected, floored)."""
    model = tidy(structure)
    model["probability_two_random_records_match"] = rounded(prior)
    u_floor = rs.U_FLOOR_PAIRS / spec.max_pairs_for_u
    from_other_regions = rs.u_from_other_regions(spec)
    for i, comp in enumerate(model["comparisons"]):
        levels = _levels(comp)
        u_seen = [_prob(lv.get("u_probability")) for lv in _levels(sampled["comparisons"][i])]
        m = (
            [_prob(lv.get("m_probability")) for lv in _levels(trained["comparisons"][i])]
            if trained
            else None
        )
        if comp["output_column_name"] not in from_other_regions and m is not None:
            u_seen = [max((us - prior * ms) / (1 - prior), us / 10)
                      for us, ms in zip(u_seen, _normalised(m), strict=False)]
        u = _normalised([max(value, u_floor) for value in u_seen])
        for j, level in enumerate(levels):
            level["u_probability"] = rounded(u[j])
            if m is not None:
                level["m_probability"] = rounded(_normalised([max(v, spec.m_floor) for v in m])[j])
    return model


def _levels(comp: dict) -> list[dict]:
    return [level for level in comp["comparison_levels"] if not level.get("is_null_level")]


def tidy(model: dict) -> dict:
    """A copy of ``model`` without run-specific values (the linker's random id), and with
    probabilities EM drove towards zero raised to ``TINY`` so Splink accepts them again."""
    out = {key: value for key, value in model.items() if key != "linker_uid"}
    out["comparisons"] = [
        {**comp, "comparison_levels": [_clamped(level) for level in comp["comparison_levels"]]}
        for comp in model["comparisons"]
    ]
    return out


TINY = 1e-12


def _clamped(level: dict) -> dict:
    out = dict(level)
    for key in ("m_probability", "u_probability"):
        if isinstance(out.get(key), float) and out[key] < TINY:
            out[key] = TINY
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
            rows.append(
                {
                    "comparison": comp["output_column_name"],
                    "level": level.get("label_for_charts"),
                    "m": m,
                    "u": u,
                    "match_weight": weight,
                }
            )
    return rows


def floor_m(model: dict, m_floor: float) -> dict:
    """``model`` with each comparison's m floored at ``m_floor``, normalised and rounded."""
    out = tidy(model)
    for comp in out["comparisons"]:
        levels = _levels(comp)
        m = _normalised([max(_prob(level.get("m_probability")), m_floor) for level in levels])
        for level, value in zip(levels, m, strict=True):
            level["m_probability"] = rounded(value)
    return out
