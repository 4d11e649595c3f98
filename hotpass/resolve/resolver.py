"""``resolve``: score candidate pairs with Splink, cluster them under people's decisions.

Everything happens in the run database: the matching table is built there,
Splink scores on the same connection, and the results are tables:

``pairs``
    every scored pair (probability at least the profile's ``predict_floor``),
    ``key_l`` < ``key_r``: ``match_probability``, ``match_weight``, ``mw_<comparison>``
    (log2 Bayes factor of each comparison, ``mw_tf_adj_name`` the name's term-frequency
    adjustment; with the prior they sum to ``match_weight``), ``gamma_<comparison>``
    (level, -1 when a value is missing), ``blocked_by`` (index of the first blocking rule
    that found the pair), ``band`` ("auto", "review", "apart") and ``decision`` ("same",
    "different" or NULL).
``clusters``
    record_key, cluster_id (smallest key in the cluster), cluster_size.
``review_queue``
    undecided review-band pairs, most uncertain first, with ``same_cluster``.

A cached model is reused when its structure matches the current settings (see
:func:`hotpass.resolve.settings.fingerprint`); only the prior is estimated
again, because it depends on how many records there are.
With labels (reviewers' pairwise decisions, at least ``MIN_LABELS``), m is
then re-estimated from them (:mod:`hotpass.resolve.labels`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from hotpass.resolve import settings as rs
from hotpass.resolve import training
from hotpass.resolve.cache import ScoreCache, score_key
from hotpass.resolve.clustering import Conflict, Constraints, cluster_with_conflicts
from hotpass.resolve.features import TABLE as FEATURES
from hotpass.resolve.features import build as build_features
from hotpass.resolve.features import build_fields, tf_name_core
from hotpass.resolve.labels import MIN_LABELS, retrain_m
from hotpass.resolve.session import SCORED, SplinkSession, digest
from hotpass.rundb import RunDB, quote

Progress = Callable[[str, float, str], None]
PAIRS, CLUSTERS, REVIEW = "pairs", "clusters", "review_queue"
#: Notes that start with this are blocking rules left out; they become warning findings.
SKIPPED_RULE = "Blocking rule skipped:"


@dataclass
class Resolution:
    """What resolution found besides its tables: the model and what to tell the operator.

    ``model``: the Splink model (``save_model_to_json``); ``trained``: False when a cached
    model was used; ``conflicts``: must-links refused because of a cannot-link; ``notes``:
    what training could not estimate, Splink's warnings, blocking rules left out; ``labels``:
    how many decided pairs re-estimated m (0: none).
    """

    model: dict
    trained: bool
    records: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: int = 0


class _Clock:
    """Times steps and reports progress as the "resolve" stage."""

    def __init__(self, progress: Progress | None):
        self.progress = progress or (lambda stage, fraction, message: None)
        self.timings: dict[str, float] = {}

    def step(self, name: str, fraction: float, message: str, func, *args, **kwargs):
        self.progress("resolve", fraction, message)
        began = time.perf_counter()
        result = func(*args, **kwargs)
        self.timings[name] = round(time.perf_counter() - began, 3)
        return result


def usable_model(model: dict | None, spec: rs.ModelSpec) -> bool:
    """True when ``model`` was trained with the comparisons and blocking rules of ``spec``."""
    if not model or "comparisons" not in model:
        return False
    return rs.fingerprint(model) == rs.fingerprint(rs.splink_settings(spec).create_settings_dict("duckdb"))


def resolve(db: RunDB, profile, orgs: str, contacts: str | None = None,
            constraints: Constraints | None = None, model: dict | None = None, retrain: bool = False,
            progress: Progress | None = None, scores: ScoreCache | None = None,
            entity: str | None = None, labels: pd.DataFrame | None = None) -> Resolution:
    """Score, band and cluster the records of table ``orgs`` (see the module docstring).

    ``entity``: whose resolution settings to use (the profile's first entity that stands alone
    by default). ``contacts``: the contact records, whose people count as evidence with the
    built-in organisation comparisons. ``model``: a model from an earlier run, reused unless
    ``retrain`` or its settings differ. ``scores``: where the last run's scored pairs are kept;
    reused when the records and the model are the same as then, so only clustering runs again.
    ``labels``: decided pairs (:func:`hotpass.resolve.labels.labels_frame`); with at least
    ``MIN_LABELS`` of them, m is re-estimated from them after the usual training.
    """
    clock = _Clock(progress)
    constraints = constraints or Constraints()
    entity = entity or profile.primary
    spec = rs.ModelSpec.from_profile(profile, entity)
    if spec.built_in:
        records = clock.step("features", 0.0, "Preparing matching features", build_features, db, profile, orgs,
                             contacts, spec)
    else:
        records = clock.step("features", 0.0, "Preparing matching features", build_fields, db, spec, orgs)
    plural = profile.plural(entity)
    notes: list[str] = []
    if not spec.built_in:
        spec = _without_empty_fields(db, spec, notes)
    if records < 2:
        _no_pairs(db)
        notes.append(f"Fewer than two {plural.replace('_', ' ')} records: nothing to resolve.")
        trained, used = False, 0
        model = model or {}
    else:
        usable = labels if labels is not None and len(labels) >= MIN_LABELS and labels["clerical_match_score"].any() \
            else None
        if labels is not None and usable is None:
            notes.append(f"{len(labels)} decided pairs in this run: retraining from labels needs {MIN_LABELS}, "
                         "some of them decided the same.")
        model, trained = _score(db, profile, model, retrain, spec, clock, notes, scores, usable)
        used = len(usable) if usable is not None else 0
    _band(db, spec, constraints)
    conflicts = clock.step("cluster", 0.9, "Clustering", _cluster, db, spec, constraints)
    notes.extend(conflict.message for conflict in conflicts)
    _review(db)
    found = db.value(f"SELECT count(DISTINCT cluster_id) FROM {CLUSTERS}")
    clock.progress("resolve", 1.0, f"Resolved {records:,} records into {found:,} {plural.replace('_', ' ')}")
    return Resolution(model, trained, records, clock.timings, conflicts, notes, used)


def _score(db: RunDB, profile, model: dict | None, retrain: bool, spec: rs.ModelSpec, clock: _Clock,
           notes: list[str], scores: ScoreCache | None, labels: pd.DataFrame | None = None) -> tuple[dict, bool]:
    """(model, trained), with table ``scored_pairs``: reuse ``model`` when it fits, else train;
    with ``labels``, re-estimate m from them (trained is then True); then predict. With ``scores``,
    pairs the same model scored on the same records are read back."""
    reuse = model is not None and not retrain and usable_model(model, spec)
    if model is not None and not retrain and not reuse:
        notes.append("The cached model was trained with other settings: trained a new one.")
    frame_digest = digest(db) if scores is not None else ""
    stored_model = model  # what the workspace holds; the prior is re-estimated from it
    if reuse and scores is not None and labels is None:
        cached = clock.step("predict", 0.1, "Reading the last run's scores", scores.get,
                            score_key(frame_digest, stored_model, spec), db, SCORED)
        if cached is not None:
            notes.append("Records and model unchanged since the last run: its scores were reused.")
            used, kept_notes = cached
            notes.extend(kept_notes)
            return used, False
    tf_core = tf_name_core(db, profile) if spec.built_in else None
    with SplinkSession(db, spec, tf_core) as session:
        if reuse:
            model = clock.step("prior", 0.1, "Reusing the cached model", _reprior, session, model, spec)
        else:
            model, found = clock.step("train", 0.05, "Training the model", training.train, session, spec,
                                      lambda f, m: clock.progress("resolve", 0.05 + 0.6 * f, m))
            notes.extend(found)
        if labels is not None:
            model = clock.step("labels", 0.65, f"Re-estimating m from {len(labels):,} decided pairs", retrain_m,
                               session, model, labels, spec)
            reuse = False
        clock.step("predict", 0.7, "Scoring candidate pairs", session.predict, model)
        notes.extend(session.notes)
        skipped = [skipped_note(rule, estimate, spec) for rule, estimate in session.skipped]
        notes.extend(skipped)
    if scores is not None:
        key = score_key(frame_digest, stored_model if reuse else model, spec)
        clock.step("store", 0.85, "Keeping the scores for the next run", scores.put, key, db, SCORED, model,
                   skipped)
    return model, not reuse


def skipped_note(rule: str, estimate: int, spec: rs.ModelSpec) -> str:
    """The note for a blocking rule left out because of ``resolution.max_comparisons``."""
    return (f"{SKIPPED_RULE} {rule} would add about {estimate:,} candidate pairs, more than "
            f"resolution.max_comparisons ({spec.max_comparisons:,}) allows; pairs only it finds are "
            "not compared (make the rule stricter or raise the setting)")


def _without_empty_fields(db: RunDB, spec: rs.ModelSpec, notes: list[str]) -> rs.ModelSpec:
    """``spec`` without the comparisons of fields no record has (the files have no such column),
    unless that would leave nothing to compare or block on."""
    fields = [c.field for c in spec.comparisons_of_fields]
    if not fields:
        return spec
    counts = db.rows(f"SELECT {', '.join(f'count({quote(f)})' for f in fields)} FROM {FEATURES}")[0]
    empty = {f for f, n in zip(fields, counts, strict=True) if not n}
    lighter = spec.without(empty)
    if not empty or not (lighter.comparisons and lighter.blocking_rules and lighter.training_rules):
        return spec
    if not lighter.deterministic_rules:  # the prior then falls back as it does when they find nothing
        lighter = replace(lighter, deterministic_rules=spec.deterministic_rules)
    notes.append(f"Not compared: {', '.join(sorted(empty))} (no record has a value).")
    return lighter


def _no_pairs(db: RunDB) -> None:
    db.create(SCORED, "SELECT NULL::VARCHAR AS key_l, NULL::VARCHAR AS key_r, NULL::DOUBLE AS match_probability, "
                      "NULL::DOUBLE AS match_weight, NULL::VARCHAR AS blocked_by WHERE false")


def _reprior(session: SplinkSession, model: dict, spec: rs.ModelSpec) -> dict:
    """``model`` with its prior estimated again on this session's records."""
    prior = training.estimate_prior(session.linker(model), session.records, spec)
    out = training.tidy(model)
    out["probability_two_random_records_match"] = training.rounded(prior)
    return out


def _band(db: RunDB, spec: rs.ModelSpec, constraints: Constraints) -> None:
    """Table ``pairs``: the scored pairs with their band and people's decision."""
    decided = constraints.decided()
    db.write("_decided", pd.DataFrame([(a, b, d) for (a, b), d in decided.items()],
                                      columns=["key_l", "key_r", "decision"], dtype=object))
    db.create(PAIRS, f"""
        SELECT s.*, CASE WHEN s.match_probability >= {spec.match!r} THEN 'auto'
                         WHEN s.match_probability >= {spec.review!r} THEN 'review' ELSE 'apart' END AS band,
               d.decision
        FROM {SCORED} s LEFT JOIN _decided d USING (key_l, key_r) ORDER BY s.key_l, s.key_r""")
    db.drop("_decided", SCORED)


def _cluster(db: RunDB, spec: rs.ModelSpec, constraints: Constraints) -> list[Conflict]:
    """Table ``clusters`` from the pairs at or above the match threshold and people's decisions."""
    keys = [row[0] for row in db.rows(f"SELECT unique_id FROM {FEATURES}")]
    edges = db.frame(f"SELECT key_l, key_r, match_probability FROM {PAIRS} "
                     f"WHERE match_probability >= {spec.match!r}")
    clusters, conflicts = cluster_with_conflicts(keys, edges, spec.match, constraints)
    db.write(CLUSTERS, clusters)
    return conflicts


def _review(db: RunDB) -> None:
    """Table ``review_queue``: undecided review-band pairs, most uncertain first."""
    db.create(REVIEW, f"""
        SELECT p.*, cl.cluster_id IS NOT DISTINCT FROM cr.cluster_id AS same_cluster
        FROM {PAIRS} p
        LEFT JOIN {CLUSTERS} cl ON cl.record_key = p.key_l
        LEFT JOIN {CLUSTERS} cr ON cr.record_key = p.key_r
        WHERE p.band = 'review' AND p.decision IS NULL
        ORDER BY abs(p.match_weight), p.key_l, p.key_r""")


@dataclass
class Resolved:
    """A resolution of record frames (:func:`resolve_frames`): its tables as frames."""

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    review: pd.DataFrame
    model: dict
    trained: bool
    timings: dict[str, float] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def resolve_frames(orgs: pd.DataFrame, profile, constraints: Constraints | None = None,
                   model: dict | None = None, retrain: bool = False, progress: Progress | None = None,
                   contacts: pd.DataFrame | None = None, scores: ScoreCache | None = None,
                   entity: str | None = None, labels: pd.DataFrame | None = None) -> Resolved:
    """:func:`resolve` on record frames (``orgs`` with record_id and record_key, ``contacts`` with
    org_record) in a database of their own; for tests, benchmarks and reference lists."""
    with RunDB() as db:
        db.write("_orgs", orgs)
        if contacts is not None:
            db.write("_contacts", contacts)
        started = time.perf_counter()
        found = resolve(db, profile, "_orgs", "_contacts" if contacts is not None else None, constraints, model,
                        retrain, progress, scores, entity, labels)
        found.timings["total"] = round(time.perf_counter() - started, 3)
        return Resolved(db.frame(PAIRS), db.frame(CLUSTERS), db.frame(REVIEW), found.model, found.trained,
                        found.timings, found.conflicts, found.notes)
