"""Stage ``resolve``: duplicate organisations found with Splink, honouring people's decisions.

The decisions in force are copied from the workspace into the run's
``decisions`` table (so the run shows what it honoured), the cached model is
reused unless the request says retrain, and the last run's scores are reused
when nothing changed. When the request says retrain from labels, the pairwise
decisions on this run's records re-estimate the model's m (meta
``resolution``: ``labels`` says how many were used). See :mod:`hotpass.resolve` for the tables it writes.
Decisions that contradict each other, and blocking rules left out to bound
the number of pairs, are findings.
"""

from __future__ import annotations

import pandas as pd

from hotpass.profile import Profile
from hotpass.resolve import (
    CLUSTERS,
    PAIRS,
    REVIEW,
    SKIPPED_RULE,
    Constraints,
    ScoreCache,
    labels_frame,
    load_model,
    resolve,
    save_model,
)
from hotpass.run import Run
from hotpass.stages.names import CONTACT, ORG, entity_table, layout, records_table
from hotpass.validate.engine import warm_up

DECISION_COLUMNS = ["decision_id", "kind", "record_key", "other_key", "members", "reviewer", "note",
                    "created_at"]


def run(run: Run, profile: Profile) -> int:
    """Stage ``resolve`` (see the module docstring); returns the number of records resolved."""
    db = run.db
    db.clear_findings("resolve")
    warm_up()  # Great Expectations loads while Splink works, ready for the validate stage
    ws = run.workspace
    decisions = ws.decisions() if ws is not None else pd.DataFrame(columns=DECISION_COLUMNS)
    db.write("decisions", decisions[DECISION_COLUMNS].astype(object).assign(
        decision_id=decisions["decision_id"].astype("int64")))
    constraints = ws.constraints() if ws is not None else Constraints()
    lay = layout(profile)
    total = 0
    for entity in sorted(profile.top_entities(), key=lambda e: e == profile.primary):  # the primary's last
        contacts = records_table(CONTACT) if entity == ORG and lay.contact else None
        model = load_model(ws.directory, profile, entity) if ws is not None and not run.request.retrain else None
        scores = ScoreCache(ws.directory, profile, entity) if ws is not None else None
        labels = _labels(db, decisions, records_table(entity)) if run.request.retrain_from_labels else None
        found = resolve(db, profile, records_table(entity), contacts, constraints, model, run.request.retrain,
                        run.report, scores, entity, labels)
        if ws is not None and found.trained:
            save_model(ws.directory, profile, found.model, entity)
        suffix = "" if entity == profile.primary else f":{entity}"
        db.set_meta(f"model{suffix}", found.model)
        db.set_meta(f"resolution{suffix}", {"trained": found.trained, "notes": found.notes,
                                             "timings": found.timings, "labels": found.labels})
        db.add_findings("resolve", finding_rows(found))
        if entity != profile.primary:
            for table in (PAIRS, CLUSTERS, REVIEW):
                db.create(entity_table(table, profile, entity), f"SELECT * FROM {table}")
                db.drop(table)
        total += found.records
    return total


def _labels(db, decisions: pd.DataFrame, table: str) -> pd.DataFrame:
    """The pairwise decisions whose two records are both in ``table``, as labels."""
    return labels_frame(decisions, (row[0] for row in db.rows(f"SELECT record_key FROM {table}")))


def finding_rows(found) -> list[tuple]:
    """Decisions that contradict each other and blocking rules left out are warning findings;
    training notes are not (they vary with the cache)."""
    rows = [("resolve.decision_conflict", "warning", c.message, *[None] * 7) for c in found.conflicts]
    rows += [("resolve.blocking_rule_skipped", "warning", note, *[None] * 7) for note in found.notes
             if note.startswith(SKIPPED_RULE)]
    return rows
