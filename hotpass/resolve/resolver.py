"""``resolve``: score candidate pairs with Splink, cluster them under people's decisions.

The resolver owns one in-memory DuckDB connection per call and closes it at
the end. A cached model is reused when its structure matches the current
settings (see :func:`hotpass.resolve.settings.fingerprint`); only the prior is
estimated again, because it depends on how many records there are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from hotpass.resolve import settings as rs
from hotpass.resolve import training
from hotpass.resolve.clustering import Conflict, Constraints, cluster_with_conflicts
from hotpass.resolve.features import features
from hotpass.resolve.session import SplinkSession

Progress = Callable[[str, float, str], None]


@dataclass
class Resolution:
    """What the resolve stage found.

    ``pairs``: one row per scored candidate pair (probability at least
    ``PREDICT_FLOOR``), sorted by ``key_l`` < ``key_r``: ``match_probability``,
    ``match_weight``, ``mw_<comparison>`` (log2 Bayes factor of each comparison,
    ``mw_tf_adj_name`` the name's term-frequency adjustment; with the prior,
    :func:`~hotpass.resolve.training.prior_weight`, they sum to
    ``match_weight``), ``gamma_<comparison>`` (level, -1 when a value is
    missing), ``blocked_by`` (index of the first blocking rule that found the
    pair), ``band`` ("auto", "review", "apart") and ``decision`` ("same",
    "different" or None). ``clusters``: record_key, cluster_id (smallest key in
    the cluster), cluster_size. ``review``: undecided review-band pairs, most
    uncertain first, with ``same_cluster``. ``model``: the Splink model
    (``save_model_to_json``); ``trained``: False when a cached model was used.
    ``conflicts``: must-links refused because of a cannot-link; ``notes``: what
    training could not estimate and Splink's warnings.
    """

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    review: pd.DataFrame
    model: dict
    trained: bool
    timings: dict[str, float] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Clock:
    """Times steps and reports progress as the "resolve" stage."""

    def __init__(self, progress: Progress | None):
        self.progress = progress or (lambda stage, fraction, message: None)
        self.timings: dict[str, float] = {}
        self.start = time.perf_counter()

    def step(self, name: str, fraction: float, message: str, func, *args, **kwargs):
        self.progress("resolve", fraction, message)
        began = time.perf_counter()
        result = func(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - began, 3)
        return result

    def report(self, fraction: float, message: str) -> None:
        self.progress("resolve", fraction, message)


def usable_model(model: dict | None) -> bool:
    """True when ``model`` was trained with the comparisons and blocking rules in use now."""
    if not model or "comparisons" not in model:
        return False
    return rs.fingerprint(model) == rs.fingerprint(
        rs.splink_settings().create_settings_dict("duckdb")
    )


def resolve(
    orgs: pd.DataFrame,
    profile,
    constraints: Constraints | None = None,
    model: dict | None = None,
    retrain: bool = False,
    progress: Progress | None = None,
    contacts: pd.DataFrame | None = None,
) -> Resolution:
    """Score, band and cluster the organisation records ``orgs`` (one row per source record).

    ``model``: a model from an earlier run (``Resolution.model``), reused unless
    ``retrain`` or its settings differ. ``contacts``: the contact records, whose
    people count as evidence (see :mod:`hotpass.resolve.people`).
    """
    clock = _Clock(progress)
    constraints = constraints or Constraints()
    frame = clock.step(
        "features", 0.0, "Preparing matching features", features, orgs, profile, contacts
    )
    if len(frame) < 2:
        return _trivial(frame, model, constraints, clock)
    thresholds = rs.Thresholds.from_profile(profile)
    notes: list[str] = []
    model, trained, pairs = _score(frame, model, retrain, thresholds, clock, notes)
    keys = frame["unique_id"].tolist()
    found = (keys, pairs, thresholds.match, constraints)
    clusters, conflicts = clock.step("cluster", 0.9, "Clustering", cluster_with_conflicts, *found)
    pairs = with_decisions(pairs, constraints)
    notes.extend(conflict.message for conflict in conflicts)
    clock.timings["total"] = round(time.perf_counter() - clock.start, 3)
    organisations = clusters["cluster_id"].nunique()
    clock.report(1.0, f"Resolved {len(keys):,} records into {organisations:,} organisations")
    review = review_queue(pairs, clusters)
    return Resolution(pairs, clusters, review, model, trained, clock.timings, conflicts, notes)


def _score(
    frame: pd.DataFrame,
    model: dict | None,
    retrain: bool,
    thresholds: rs.Thresholds,
    clock: _Clock,
    notes: list[str],
) -> tuple[dict, bool, pd.DataFrame]:
    """(model, trained, scored pairs): reuse ``model`` when it fits, else train; then predict."""
    reuse = model is not None and not retrain and usable_model(model)
    if model is not None and not retrain and not reuse:
        notes.append("The cached model was trained with other settings: trained a new one.")
    with SplinkSession(frame) as session:
        if reuse:
            model = clock.step("prior", 0.1, "Reusing the cached model", _reprior, session, model)
        else:
            model, found = clock.step(
                "train",
                0.05,
                "Training the model",
                training.train,
                session,
                thresholds,
                lambda f, m: clock.report(0.05 + 0.6 * f, m),
            )
            notes.extend(found)
        pairs = clock.step(
            "predict", 0.7, "Scoring candidate pairs", session.predict, model, thresholds
        )
        notes.extend(session.notes)
    return model, not reuse, pairs


def _trivial(
    frame: pd.DataFrame, model: dict | None, constraints: Constraints, clock: _Clock
) -> Resolution:
    """Fewer than two records: nothing to compare, every record is its own organisation."""
    pairs = pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("key_l", "key_r", "band", "decision")}
    )
    pairs[["match_probability", "match_weight"]] = pd.DataFrame(columns=["a", "b"], dtype=float)
    clusters, conflicts = cluster_with_conflicts(
        frame["unique_id"].tolist(), pairs, 1.0, constraints
    )
    clock.timings["total"] = round(time.perf_counter() - clock.start, 3)
    clock.report(1.0, f"Resolved {len(frame)} record(s)")
    return Resolution(
        pairs,
        clusters,
        pairs.copy(),
        model or {},
        False,
        clock.timings,
        conflicts,
        ["Fewer than two organisation records: nothing to resolve."],
    )


def _reprior(session: SplinkSession, model: dict) -> dict:
    """``model`` with its prior estimated again on this session's records."""
    prior = training.estimate_prior(session.linker(model), len(session.frame))
    out = training.tidy(model)
    out["probability_two_random_records_match"] = training.rounded(prior)
    return out


def with_decisions(pairs: pd.DataFrame, constraints: Constraints) -> pd.DataFrame:
    """``pairs`` plus a ``decision`` column: "same", "different" or None."""
    decided = constraints.decided()
    out = pairs.copy()
    out["decision"] = pd.Series(
        [decided.get((a, b)) for a, b in zip(out["key_l"], out["key_r"])],
        index=out.index,
        dtype=object,
    )
    return out


def review_queue(pairs: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Undecided review-band pairs, most uncertain first (|match weight| ascending, then keys)."""
    queue = pairs[(pairs["band"] == "review") & pairs["decision"].isna()].copy()
    cluster_of = dict(zip(clusters["record_key"], clusters["cluster_id"]))
    queue["uncertainty"] = queue["match_weight"].abs()
    queue["same_cluster"] = [
        cluster_of.get(a) == cluster_of.get(b) for a, b in zip(queue["key_l"], queue["key_r"])
    ]
    queue = queue.sort_values(["uncertainty", "key_l", "key_r"], kind="mergesort")
    return queue.drop(columns=["uncertainty"]).reset_index(drop=True)
