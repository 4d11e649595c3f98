"""Reviewers' decisions as labels.

A ``same`` or ``different`` decision on two records is a pairwise label
(1 or 0). Labels re-estimate the model's m probabilities (Splink's
estimation from pairwise labels: the comparison levels of the pairs people
called the same), and measure the scored pairs: precision, recall and F1 at
each match threshold, so thresholds are set from evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from hotpass.resolve import settings as rs
from hotpass.resolve import training
from hotpass.resolve.features import TABLE as FEATURES

#: Fewest decided pairs (both records in the run) that retraining from labels needs.
MIN_LABELS = 10
#: The thresholds :func:`accuracy` reports by default.
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99)
LABELS_TABLE = "hotpass_labels"
LABEL_COLUMNS = ["key_l", "key_r", "clerical_match_score"]


def labels_frame(decisions: pd.DataFrame, keys: Iterable[str]) -> pd.DataFrame:
    """key_l < key_r, clerical_match_score (``same`` 1, ``different`` 0) of the pairwise
    decisions whose two records are both in ``keys``; the latest decision on a pair wins."""
    present = set(keys)
    rows = [(min(a, b), max(a, b), 1 if kind == "same" else 0)
            for kind, a, b in decisions[["kind", "record_key", "other_key"]].itertuples(index=False)
            if kind in ("same", "different") and isinstance(b, str) and a != b and a in present and b in present]
    frame = pd.DataFrame(rows, columns=LABEL_COLUMNS)
    return frame.drop_duplicates(["key_l", "key_r"], keep="last").reset_index(drop=True)


def splink_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """The labels people called the same, in the shape Splink's estimation reads (it takes
    every row as a match)."""
    same = labels[labels["clerical_match_score"] == 1]
    return pd.DataFrame({"source_dataset_l": FEATURES, "unique_id_l": same["key_l"].astype(str),
                         "source_dataset_r": FEATURES, "unique_id_r": same["key_r"].astype(str),
                         "clerical_match_score": 1.0})


def retrain_m(session, model: dict, labels: pd.DataFrame, spec: rs.ModelSpec) -> dict:
    """``model`` with m re-estimated from the labelled matches on ``session``'s records (levels
    the labels never reach keep their m), floored at the profile's ``m_floor`` and rounded."""
    db = session.db
    db.write(LABELS_TABLE, splink_labels(labels))
    try:
        linker = session.linker(model)
        linker.training.estimate_m_from_pairwise_labels(LABELS_TABLE)
        return training.floor_m(training.tidy(linker.misc.save_model_to_json()), spec.m_floor)
    finally:
        db.drop(LABELS_TABLE)


def accuracy(pairs: pd.DataFrame, labels: pd.DataFrame, thresholds: Iterable[float] = THRESHOLDS,
             current: float | None = None) -> pd.DataFrame:
    """Precision, recall and F1 of ``pairs`` (key_l, key_r, match_probability) against ``labels``
    (:func:`labels_frame`) at each threshold: a labelled pair is predicted the same when its
    probability is at or above the threshold (a pair that was not scored counts as 0).
    ``current`` (the profile's match threshold) is added to the thresholds and marked.
    Columns: threshold, labels, tp, fp, fn, tn, precision, recall, f1, current."""
    scored = pairs[["key_l", "key_r", "match_probability"]]
    joined = labels.merge(scored, on=["key_l", "key_r"], how="left")
    probability = joined["match_probability"].fillna(0.0)
    truth = joined["clerical_match_score"] == 1
    rows = []
    chosen = {round(float(t), 6) for t in thresholds} | ({round(float(current), 6)} if current is not None else set())
    for threshold in sorted(chosen):
        said = probability >= threshold
        tp, fp = int((said & truth).sum()), int((said & ~truth).sum())
        fn, tn = int((~said & truth).sum()), int((~said & ~truth).sum())
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else (0.0 if fp + fn else None)
        rows.append((threshold, len(joined), tp, fp, fn, tn, precision, recall, f1))
    frame = pd.DataFrame(rows, columns=["threshold", "labels", "tp", "fp", "fn", "tn", "precision", "recall",
                                        "f1"])
    frame["current"] = frame["threshold"] == (round(float(current), 6) if current is not None else None)
    return frame
