"""The validate stage: quality scores, expectation suites, the scorecard and the publish gate.

``assess`` runs on the refined tables (golden organisations and contacts):
it scores every record (:mod:`hotpass.quality`), runs the profile's
Great Expectations suites (:mod:`hotpass.validate`), turns failures into
findings, and compares the raw input with the refined output. ``gate``
decides whether the deliverable may be published.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from hotpass import quality
from hotpass.errors import PublishBlocked
from hotpass.profile import Profile

SCORE_COLUMNS = ("quality_score", "quality_flags")


def raw_measures(records, profile: Profile) -> list[quality.FieldMeasure]:
    """Completeness and validity of the records as read, before normalisation."""
    return quality.measure(records.organisations, "organisations", profile) + quality.measure(
        records.contacts, "contacts", profile
    )


def assess(refined, profile: Profile, raw: list[quality.FieldMeasure]) -> None:
    """Score, validate and compare ``refined`` in place (see the module docstring)."""
    from hotpass.validate import validate_tables

    pending = quality.pending_organisations(refined.review, _golden_of_keys(refined))
    scored = {}
    for table in ("organisations", "contacts"):
        frame = getattr(refined, table)
        scored[table] = quality.score(frame, table, profile, pending)
        setattr(refined, table, _with_scores(frame, scored[table]))
    refined.quality = quality.quality_table(
        _join(refined.organisations, scored["organisations"]),
        _join(refined.contacts, scored["contacts"]),
    )
    refined.validation = validate_tables(
        {"organisations": refined.organisations, "contacts": refined.contacts}, profile
    )
    found = refined.validation.findings().to_frame()
    refined.findings = pd.concat([refined.findings, found], ignore_index=True) if len(found) else refined.findings
    refined.scorecard = scorecard(raw, refined, profile)
    refined.summary = _summary(refined, profile)


def _golden_of_keys(refined) -> pd.DataFrame | None:
    clusters = refined.clusters
    if clusters is None:
        return None
    return clusters[["record_key", "organisation_id"]]


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


def scorecard(raw: list[quality.FieldMeasure], refined, profile: Profile) -> pd.DataFrame:
    """Before/after: counts, weighted completeness and validity of checked fields, raw vs refined."""
    rows = [
        ("Organisation rows", _rows(raw, "organisations"), len(refined.organisations), "count"),
        ("Contact rows", _rows(raw, "contacts"), len(refined.contacts), "count"),
    ]
    after = quality.measure(refined.organisations, "organisations", profile) + quality.measure(
        refined.contacts, "contacts", profile
    )
    for table in ("organisations", "contacts"):
        label = table[:-1].capitalize()
        rows.append((f"{label} scored fields filled (weighted)", _completeness(raw, table, profile),
                     _completeness(after, table, profile), "share"))
    refined_by = {(m.table, m.field): m for m in after}
    for m in raw:
        if m.kind in quality.CHECKED_KINDS and (m.table, m.field) in refined_by:
            label = f"{m.table[:-1].capitalize()} {m.field} valid"
            rows.append((label, m.valid_share if m.filled else None,
                         _share(refined_by[(m.table, m.field)]), "share"))
    return pd.DataFrame(rows, columns=["measure", "raw", "refined", "unit"])


def _share(m: quality.FieldMeasure) -> float | None:
    return m.valid_share if m.filled else None


def _rows(measures: list[quality.FieldMeasure], table: str) -> int:
    return next((m.rows for m in measures if m.table == table), 0)


def _completeness(measures: list[quality.FieldMeasure], table: str, profile: Profile) -> float | None:
    weights = profile.quality.organisation_fields if table == "organisations" else profile.quality.contact_fields
    mine = [(weights[m.field], m.filled_share) for m in measures if m.table == table and m.field in weights]
    total = sum(w for w, _ in mine)
    return round(sum(w * s for w, s in mine) / total, 4) if total else None


def _summary(refined, profile: Profile) -> list[tuple[str, object]]:
    """The run summary with findings recounted and quality and validation lines added."""
    severities = refined.findings["severity"].value_counts() if len(refined.findings) else {}
    keep = [(k, v) for k, v in refined.summary
            if not str(k).startswith(("Findings (", "Quality", "Expectations", "Enrichment"))]
    enriched = getattr(refined, "enrichment_summary", None) or {}
    if enriched:
        keep += [("Enrichment: proposed this run", enriched["proposed"]),
                 ("Enrichment: pending approval", enriched["pending"]),
                 ("Enrichment: fields filled", sum(enriched["filled"].values()))]
    orgs = refined.organisations
    scores = orgs["quality_score"] if "quality_score" in orgs and len(orgs) else pd.Series(dtype=float)
    results = refined.validation.results
    failed = results[~results["success"]]
    return keep + [
        ("Quality score, mean (organisations)", round(float(scores.mean()), 1) if len(scores) else 0.0),
        (f"Quality: organisations below {profile.quality.low_score:g}",
         int((scores < profile.quality.low_score).sum())),
        ("Expectations run", len(results)),
        ("Expectations failed", len(failed)),
        ("Expectations failed (blocking)", int(failed["blocking"].sum())),
        ("Findings (info)", int(severities.get("info", 0))),
        ("Findings (warning)", int(severities.get("warning", 0))),
        ("Findings (error)", int(severities.get("error", 0))),
    ]


def gate(refined, override: str | None = None, username: str | None = None, workspace=None) -> None:
    """Allow publishing, or raise :class:`PublishBlocked` naming the failed blocking expectations.

    With an ``override`` reason the deliverable is published anyway; the
    reason, the user and the expectations are written to the audit log.
    """
    blocking = refined.validation.blocking_failures() if refined.validation is not None else pd.DataFrame()
    failures = [(row.id, f"{int(row.unexpected_count):,} failing" if not row.message else row.message)
                for row in blocking.itertuples(index=False)]
    refined.gate = {
        "blocked_by": [
            {"id": row.id, "description": row.description, "unexpected_count": int(row.unexpected_count)}
            for row in blocking.itertuples(index=False)
        ],
        "override": None,
    }
    if not failures:
        refined.published = True
        return
    reason = (override or "").strip()
    if not reason:
        refined.published = False
        raise PublishBlocked(failures)
    at = datetime.now().replace(microsecond=0).isoformat()
    refined.gate["override"] = {"reason": reason, "user": username or "unknown", "at": at}
    refined.published = True
    if workspace is not None:
        workspace.audit(username, "publish.override", run_id=refined.run_id, reason=reason,
                        expectations=[eid for eid, _ in failures])
