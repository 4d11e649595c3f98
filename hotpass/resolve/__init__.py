"""Deduplicate organisation records across all sources with Splink on DuckDB.

``resolve(db, profile, orgs, contacts, constraints, model, scores=...)`` builds the matching
table in the run database, scores candidate pairs, sorts them into bands (merge
automatically, review, keep apart) and clusters them, honouring people's decisions:
"different" is never merged, even through a chain of other links; "same" is always merged
unless that contradicts a "different", which is reported as a conflict.
"""

from __future__ import annotations

from hotpass.resolve.cache import ScoreCache, load_model, model_path, save_model
from hotpass.resolve.clustering import Conflict, Constraints, cluster, cluster_with_conflicts
from hotpass.resolve.features import features
from hotpass.resolve.labels import MIN_LABELS, accuracy, labels_frame
from hotpass.resolve.resolver import (
    CLUSTERS,
    PAIRS,
    REVIEW,
    SKIPPED_RULE,
    Resolution,
    Resolved,
    resolve,
    resolve_frames,
)
from hotpass.resolve.training import describe, prior_weight

__all__ = [
    "CLUSTERS",
    "MIN_LABELS",
    "PAIRS",
    "REVIEW",
    "SKIPPED_RULE",
    "Conflict",
    "Constraints",
    "Resolution",
    "Resolved",
    "ScoreCache",
    "accuracy",
    "cluster",
    "cluster_with_conflicts",
    "describe",
    "features",
    "labels_frame",
    "load_model",
    "model_path",
    "prior_weight",
    "resolve",
    "resolve_frames",
    "save_model",
]
