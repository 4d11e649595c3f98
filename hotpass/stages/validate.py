"""Stages ``validate`` and ``gate``: quality scores, expectation suites, the scorecard, the publish gate.

``validate`` scores every golden record (:mod:`hotpass.quality`: weighted
completeness and strict validity, minus conflict and pending-review
penalties), adds ``quality_score`` and ``quality_flags`` to
``out_organisations`` and ``out_contacts``, writes ``out_quality`` (one row per
record, lowest first), runs the profile's Great Expectations suites
(:mod:`hotpass.validate`; failures become findings) into ``out_validation``,
compares raw and refined measures into ``scorecard``, and counts the run into
the ``summary`` meta value.

``gate`` decides whether the deliverable may be published: not when a
blocking expectation failed, unless the request gives a written reason,
which is audited. The verdict is the ``gate`` meta value.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from hotpass import quality
from hotpass.profile import Profile
from hotpass.resolve import PAIRS, REVIEW
from hotpass.run import Run
from hotpass.rundb import RunDB
from hotpass.stages import measure
from hotpass.stages.names import (
    CONTACT,
    ORG,
    entity_table,
    id_column,
    layout,
    member_table,
    out_table,
    records_table,
)
from hotpass.validate import validate_tables
from hotpass.validate.result import COLUMNS as VALIDATION_COLUMNS
from hotpass.validate.result import Validation

SCORE_COLUMNS = ("quality_score", "quality_flags")


def tables_of(profile: Profile) -> dict[str, str]:
    """Each entity's plural -> its output table, for the entities a run of ``profile`` has."""
    return {profile.plural(e): out_table(profile, e) for e in layout(profile).entities}


def run(run: Run, profile: Profile) -> int:
    """Stage ``validate`` (see the module docstring); returns the number of records scored."""
    db = run.db
    db.clear_findings("validate")
    frames, parts = {}, []
    for entity in layout(profile).entities:
        name, table = profile.plural(entity), out_table(profile, entity)
        frame = db.frame(table)
        scores = quality.score(frame, name, profile, _pending(db, profile, entity))
        frames[name] = _with_scores(frame, scores)
        db.write(table, frames[name])
        parts.append((entity, _join(frames[name], scores), id_column(entity),
                      "full_name" if entity == CONTACT else profile.entity(entity).name_field()))
    db.write("out_quality", quality.quality_table(parts))
    validation = validate_tables(frames, profile)
    db.write("out_validation", validation.results)
    db.add_findings("validate", validation.findings()._rows)
    db.write("scorecard", scorecard(db, profile))
    db.set_meta("summary", summary(run, profile, frames))
    return sum(len(f) for f in frames.values())


def _pending(db: RunDB, profile: Profile, entity: str) -> set[str]:
    """Golden records of ``entity`` (one that stands alone) with a record in a pair waiting for review."""
    if profile.entity(entity).parent is not None:
        return set()
    review = entity_table(REVIEW, profile, entity)
    members = "member_of" if entity == ORG else member_table(entity)
    if not db.has(review) or not db.has(members):
        return set()
    rows = db.rows(f"""SELECT DISTINCT m.{id_column(entity)} FROM {members} m
                       WHERE m.record_key IN (SELECT key_l FROM {review} UNION SELECT key_r FROM {review})""")
    return {r[0] for r in rows}


def _with_scores(frame: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with quality_score and quality_flags placed before its lineage columns."""
    out = frame.drop(columns=[c for c in SCORE_COLUMNS if c in frame]).copy()
    at = next((out.columns.get_loc(c) for c in ("conflicts", "source_count") if c in out), len(out.columns))
    for offset, column in enumerate(SCORE_COLUMNS):
        out.insert(at + offset, column, scores[column].to_numpy())
    return out


def _join(frame: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    extra = scores[["completeness", "validity"]].reset_index(drop=True)
    return pd.concat([frame.reset_index(drop=True), extra], axis=1)


def validation_of(db: RunDB) -> Validation | None:
    """The run's expectation results (None before the validate stage ran)."""
    if not db.has("out_validation"):
        return None
    frame = db.frame("out_validation").reindex(columns=VALIDATION_COLUMNS)
    for column in ("success", "blocking"):
        frame[column] = frame[column].astype(bool)
    return Validation(results=frame, seconds=0.0)


# --- the scorecard and the summary --------------------------------------------------------------


def scorecard(db: RunDB, profile: Profile) -> pd.DataFrame:
    """Before/after: counts, weighted completeness and validity of checked fields, raw vs refined."""
    raw = measure.from_frame(db.frame("raw_measures")) if db.has("raw_measures") else []
    tables = tables_of(profile)
    after = [m for name, table in tables.items() for m in measure.measure(db, table, name, profile)]
    rows = [(f"{_label(profile, name)} rows", _rows(raw, name), db.count(table), "count")
            for name, table in tables.items()]
    for name in tables:
        rows.append((f"{_label(profile, name)} scored fields filled (weighted)", _completeness(raw, name, profile),
                     _completeness(after, name, profile), "share"))
    refined_by = {(m.table, m.field): m for m in after}
    for m in raw:
        if m.kind in quality.CHECKED_KINDS and (m.table, m.field) in refined_by:
            label = f"{_label(profile, m.table)} {m.field} valid"
            rows.append((label, m.valid_share if m.filled else None,
                         _share(refined_by[(m.table, m.field)]), "share"))
    return pd.DataFrame(rows, columns=["measure", "raw", "refined", "unit"])


def _label(profile: Profile, table: str) -> str:
    entity = profile.entity_of_table(table)
    return profile.label(entity) if entity else table


def _share(m: quality.FieldMeasure) -> float | None:
    return m.valid_share if m.filled else None


def _rows(measures: list[quality.FieldMeasure], table: str) -> int:
    return next((m.rows for m in measures if m.table == table), 0)


def _completeness(measures: list[quality.FieldMeasure], table: str, profile: Profile) -> float | None:
    entity = profile.entity_of_table(table)
    weights = profile.entity(entity).quality_fields if entity else {}
    mine = [(weights[m.field], m.filled_share) for m in measures if m.table == table and m.field in weights]
    total = sum(w for w, _ in mine)
    return round(sum(w * s for w, s in mine) / total, 4) if total else None


def summary(run: Run, profile: Profile, frames: dict[str, pd.DataFrame]) -> list[tuple[str, object]]:
    """The run's Summary lines (metric, value), in the order the Summary sheet shows them."""
    db = run.db
    lay = layout(profile)
    roles = dict(db.rows("SELECT role, count(*) FROM sheet_roles GROUP BY role"))
    lines = [
        ("Profile", profile.name),
        ("Files read", int(db.value("SELECT count(DISTINCT file) FROM sheets") or 0)),
        ("Sheets read", db.count("sheets")),
        *[(f"{profile.label(e)} sheets", int(roles.get(e, 0))) for e in lay.entities],
        *([("Mixed sheets", int(roles.get("mixed", 0)))] if lay.contact else []),
        ("Source rows", int(db.value("SELECT coalesce(sum(rows), 0) FROM sheets") or 0)),
        *[(f"{profile.label(e)} records", db.count(records_table(e))) for e in lay.entities],
        *[(f"Output {profile.plural(e).replace('_', ' ')}", len(frames[profile.plural(e)])) for e in lay.entities],
        ("Duplicate pairs merged automatically", int(db.value(f"SELECT count(*) FROM {PAIRS} WHERE band = 'auto'"))),
        ("Pairs waiting for review", db.count(REVIEW)),
    ]
    primary = profile.primary
    merged = db.count(records_table(primary)) - len(frames[profile.plural(primary)])
    lines.append((f"{profile.label(primary)} records merged into another", merged))
    if lay.contact:
        contacts = frames[profile.plural(CONTACT)]
        lines.append(("Contacts without an organisation",
                      int(contacts["organisation_id"].isna().sum()) if len(contacts) else 0))
    enriched = db.meta("enrichment_summary") or {}
    if enriched:
        lines += [("Enrichment: proposed this run", enriched["proposed"]),
                  ("Enrichment: pending approval", enriched["pending"]),
                  ("Enrichment: fields filled", sum(enriched["filled"].values()))]
    top = frames[profile.plural(primary)]
    scores = top["quality_score"] if "quality_score" in top and len(top) else pd.Series(dtype=float)
    results = validation_of(db).results
    failed = results[~results["success"]]
    severities = dict(db.rows("SELECT severity, count(*) FROM findings GROUP BY severity"))
    plural = profile.plural(primary).replace("_", " ")
    return lines + [
        (f"Quality score, mean ({plural})", round(float(scores.mean()), 1) if len(scores) else 0.0),
        (f"Quality: {plural} below {profile.quality.low_score:g}", int((scores < profile.quality.low_score).sum())),
        ("Expectations run", len(results)),
        ("Expectations failed", len(failed)),
        ("Expectations failed (blocking)", int(failed["blocking"].sum())),
        ("Findings (info)", int(severities.get("info", 0))),
        ("Findings (warning)", int(severities.get("warning", 0))),
        ("Findings (error)", int(severities.get("error", 0))),
    ]


# --- the gate -----------------------------------------------------------------------------------


def gate(run: Run, profile: Profile) -> int:
    """Stage ``gate`` (see the module docstring); returns the number of failed blocking expectations."""
    verdict = decide(run.db, run.request.override, run.request.username)
    if verdict["override"] and run.workspace is not None:
        run.workspace.audit(run.request.username, "publish.override", run_id=run.run_id,
                            reason=verdict["override"]["reason"],
                            expectations=[b["id"] for b in verdict["blocked_by"]])
    run.db.set_meta("gate", verdict)
    return len(verdict["blocked_by"])


def decide(db: RunDB, override: str | None, username: str | None) -> dict:
    """The gate's verdict: blocked_by (failed blocking expectations), override, published."""
    validation = validation_of(db)
    blocking = validation.blocking_failures() if validation is not None else pd.DataFrame()
    blocked_by = [{"id": row.id, "description": row.description, "unexpected_count": int(row.unexpected_count),
                   "message": row.message or ""} for row in blocking.itertuples(index=False)]
    reason = (override or "").strip()
    verdict = {"blocked_by": blocked_by, "override": None, "published": not blocked_by}
    if blocked_by and reason:
        at = datetime.now().replace(microsecond=0).isoformat()
        verdict.update(override={"reason": reason, "user": username or "unknown", "at": at}, published=True)
    return verdict
