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

import numpy as np
import pandas as pd

from hotpass.resolve import settings as rs
from hotpass.resolve import training
from hotpass.resolve.cache import ScoreCache, score_key
from hotpass.resolve.clustering import Conflict, Constraints, cluster_with_conflicts
from hotpass.resolve.features import features
from hotpass.resolve.session import SplinkSession, digest

Progress = Callable[[str, float, str], None]


@dataclass
class Resolution:
    """What the resolve stage found.

    ``pairs``: one row per scored candidate pair (probability at least
    the profile's ``predict_floor``), sorted by ``key_l`` < ``key_r``: ``match_probability``,
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


def usable_model(model: dict | None, spec: rs.ModelSpec) -> bool:
    """True when ``model`` was trained with the comparisons and blocking rules of ``spec``."""
    if not model or "comparisons" not in model:
        return False
    return rs.fingerprint(model) == rs.fingerprint(
        rs.splink_settings(spec).create_settings_dict("duckdb")
    )


def resolve(
    orgs: pd.DataFrame,
    profile,
    constraints: Constraints | None = None,
    model: dict | None = None,
    retrain: bool = False,
    progress: Progress | None = None,
    contacts: pd.DataFrame | None = None,
    scores: ScoreCache | None = None,
) -> Resolution:
    """Score, band and cluster the organisation records ``orgs`` (one row per source record).

    ``model``: a model from an earlier run (``Resolution.model``), reused unless
    ``retrain`` or its settings differ. ``contacts``: the contact records, whose
    people count as evidence (see :mod:`hotpass.resolve.people`). ``scores``:
    where the last run's scored pairs are kept; reused when the records and the
    model are the same as then, so only clustering runs again.
    """
    clock = _Clock(progress)
    constraints = constraints or Constraints()
    frame = clock.step(
        "features", 0.0, "Preparing matching features", features, orgs, profile, contacts
    )
    if len(frame) < 2:
        return _trivial(frame, model, constraints, clock)
    spec = rs.ModelSpec.from_profile(profile)
    notes: list[str] = []
    model, trained, pairs = _score(frame, model, retrain, spec, clock, notes, scores)
    pairs = with_band(pairs, spec)
    keys = frame["unique_id"].tolist()
    found = (keys, pairs, spec.match, constraints)
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
    spec: rs.ModelSpec,
    clock: _Clock,
    notes: list[str],
    scores: ScoreCache | None = None,
) -> tuple[dict, bool, pd.DataFrame]:
    """(model, trained, scored pairs): reuse ``model`` when it fits, else train; then predict.

    With ``scores``, pairs the same model scored on the same frame are read back.
    """
    reuse = model is not None and not retrain and usable_model(model, spec)
    if model is not None and not retrain and not reuse:
        notes.append("The cached model was trained with other settings: trained a new one.")
    frame_digest = digest(frame) if scores is not None else ""
    stored_model = model  # what the workspace holds; the prior is re-estimated from it
    if reuse and scores is not None:
        cached = clock.step(
            "predict", 0.1, "Reading the last run's scores", scores.get,
            score_key(frame_digest, stored_model, spec),
        )
        if cached is not None:
            notes.append("Records and model unchanged since the last run: its scores were reused.")
            pairs, used, kept_notes = cached
            notes.extend(kept_notes)
            return used, False, pairs
    with SplinkSession(frame, spec) as session:
        if reuse:
            model = clock.step(
                "prior", 0.1, "Reusing the cached model", _reprior, session, model, spec
            )
        else:
            model, found = clock.step(
                "train",
                0.05,
                "Training the model",
                training.train,
                session,
                spec,
                lambda f, m: clock.report(0.05 + 0.6 * f, m),
            )
            notes.extend(found)
        pairs = clock.step(
            "predict", 0.7, "Scoring candidate pairs", session.predict, model
        )
        notes.extend(session.notes)
        skipped = [skipped_note(rule, pairs_estimate, spec) for rule, pairs_estimate in session.skipped]
        notes.extend(skipped)
    if scores is not None:
        key = score_key(frame_digest, stored_model if reuse else model, spec)
        clock.step(
            "store", 0.85, "Keeping the scores for the next run", scores.put, key, pairs, model, skipped
        )
    return model, not reuse, pairs


#: Notes that start with this are blocking rules left out; outputs turn them into warning findings.
SKIPPED_RULE = "Blocking rule skipped:"


def skipped_note(rule: str, estimate: int, spec: rs.ModelSpec) -> str:
    """The note for a blocking rule left out because of ``resolution.max_comparisons``."""
    return (f"{SKIPPED_RULE} {rule} would add about {estimate:,} candidate pairs, more than "
            f"resolution.max_comparisons ({spec.max_comparisons:,}) allows; pairs only it finds are "
            "not compared (make the rule stricter or raise the setting)")


def with_band(pairs: pd.DataFrame, spec: rs.ModelSpec) -> pd.DataFrame:
    """``pairs`` with ``band``: "auto" at or above the match threshold, "review" at or above
    the review threshold, else "apart"."""
    out = pairs.copy()
    p = out["match_probability"].to_numpy(dtype=float)
    bands = np.select([p >= spec.match, p >= spec.review], ["auto", "review"], "apart")
    out["band"] = pd.Series(bands, index=out.index, dtype=object)
    return out


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


def _reprior(session: SplinkSession, model: dict, spec: rs.ModelSpec) -> dict:
    """``model`` with its prior estimated again on this session's records."""
    prior = training.estimate_prior(session.linker(model), len(session.frame), spec)
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
