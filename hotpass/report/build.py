"""The quality report's data: a plain dict built from a refined run (rendered by :mod:`hotpass.report`).

Personal values in examples (findings' values, failing expectation values)
are masked when the profile says so (``report.mask_personal``, on by
default); region names are not personal and stay readable.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from hotpass import quality
from hotpass.profile import Profile
from hotpass.report import changes
from hotpass.text import is_missing

#: Value kinds shown unmasked: they describe places, not people or organisations.
PUBLIC_KINDS = ("region", "country", "category")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def build_report(refined, profile: Profile, generated_at: datetime | None = None) -> dict:
    """The report dict for ``refined`` (see ``hotpass/report/__init__.py`` for the schema)."""
    masker = _Masker(profile)
    summary = dict(refined.summary)
    return {
        "title": "Hotpass quality report",
        "profile": profile.name,
        "generated_at": (generated_at or datetime.now()).replace(microsecond=0).isoformat(),
        "run_id": refined.run_id,
        "files": list(getattr(refined, "files", []) or []),
        "published": bool(refined.published),
        "gate": refined.gate or {"blocked_by": [], "override": None},
        "totals": {
            "source_rows": int(summary.get("Source rows", 0)),
            **{f"{entity}_records": int(summary.get(f"{profile.label(entity)} records", 0) or 0)
               for entity in refined.entities.values() if entity in profile.entities},
            **{plural: len(frame) for plural, frame in refined.golden.items()},
        },
        **_fields(refined, profile),
        "scores": {plural: _scores(frame, profile) for plural, frame in refined.golden.items()},
        "duplicates": _duplicates(refined, profile, summary),
        "scorecard": _records(refined.scorecard),
        "validation": _validation(refined, profile, masker),
        "findings": _findings(refined.findings, profile.report.examples, masker),
        "enrichment": getattr(refined, "enrichment_summary", None),
        "changes": changes.build(refined, profile, masker),
        "masked": masker.on,
    }


def _fields(refined, profile: Profile) -> dict:
    completeness, validity = [], []
    for table, frame in refined.golden.items():
        for m in quality.measure(frame, table, profile):
            completeness.append({"table": table, "field": m.field, "filled": round(m.filled_share, 4)})
            if m.kind in quality.CHECKED_KINDS:
                validity.append({"table": table, "field": m.field, "checked": m.filled,
                                 "valid": round(m.valid_share, 4)})
    return {"completeness": completeness, "validity": validity}


def _scores(frame: pd.DataFrame, profile: Profile) -> dict:
    low = profile.quality.low_score
    values = frame["quality_score"].astype(float) if "quality_score" in frame else pd.Series(dtype=float)
    counts, edges = np.histogram(values.to_numpy(), bins=np.arange(0, 101, 10))
    return {
        "mean": round(float(values.mean()), 1) if len(values) else None,
        "median": round(float(values.median()), 1) if len(values) else None,
        "low": int((values < low).sum()),
        "low_score": low,
        "histogram": {"edges": [int(e) for e in edges], "counts": [int(c) for c in counts]},
    }


def _duplicates(refined, profile: Profile, summary: dict) -> dict:
    """How the primary entity's records became golden records (its pairs are the ones scored)."""
    pairs = refined.pairs if refined.pairs is not None else pd.DataFrame(columns=["band", "decision"])
    decisions = pairs["decision"].value_counts() if "decision" in pairs else {}
    primary = profile.primary
    plural = profile.plural(primary)
    return {
        f"{primary}_records": int(summary.get(f"{profile.label(primary)} records", 0) or 0),
        plural: len(refined.golden.get(plural, ())),
        "pairs_scored": len(pairs),
        "merged_automatically": int((pairs["band"] == "auto").sum()) if "band" in pairs else 0,
        "decided_same": int(decisions.get("same", 0)),
        "decided_different": int(decisions.get("different", 0)),
        "pending_review": len(refined.review) if refined.review is not None else 0,
    }


def _records(frame: pd.DataFrame | None) -> list[dict]:
    if frame is None:
        return []
    return [{k: (None if is_missing(v) else v) for k, v in row.items()} for row in frame.to_dict("records")]


def _validation(refined, profile: Profile, masker: _Masker) -> list[dict]:
    if refined.validation is None:
        return []
    results = refined.validation.results
    out = []
    for row in results.sort_values(["success", "blocking"], ascending=[True, False], kind="stable").itertuples():
        kind = masker.column_kind(row.table, row.column)
        examples = [] if is_missing(row.examples) else [e for e in str(row.examples).split("; ") if e]
        out.append({
            "id": row.id, "table": row.table, "description": row.description,
            "column": None if is_missing(row.column) else row.column,
            "success": bool(row.success), "blocking": bool(row.blocking),
            "unexpected_count": int(row.unexpected_count),
            "unexpected_percent": round(float(row.unexpected_percent), 2),
            "examples": [masker.mask(e, kind) for e in examples],
            "message": row.message or "",
        })
    return out


def _findings(findings: pd.DataFrame, examples: int, masker: _Masker) -> list[dict]:
    if findings is None or findings.empty:
        return []
    out = []
    for code, group in findings.groupby("code", sort=True):
        severity = min(group["severity"], key=lambda s: SEVERITY_ORDER.get(s, 3))
        kind = _kind_of_code(code)
        shown = []
        for row in group.head(examples).itertuples(index=False):
            shown.append({
                "file": _text(row.file), "sheet": _text(row.sheet),
                "row": None if is_missing(row.row) else int(row.row), "column": _text(row.column),
                "message": masker.message(str(row.message), kind, row.original, row.new),
                "value": masker.mask(row.original, kind),
            })
        out.append({"code": code, "severity": severity, "count": len(group), "examples": shown})
    return sorted(out, key=lambda f: (SEVERITY_ORDER.get(f["severity"], 3), -f["count"], f["code"]))


def _text(value) -> str | None:
    return None if is_missing(value) else str(value)


def _kind_of_code(code: str) -> str:
    """The value kind a finding code talks about: ``normalise.phone.invalid`` -> phone."""
    parts = code.split(".")
    if parts[0] == "validation":
        return "validation"
    return parts[1] if len(parts) > 2 and parts[0] == "normalise" else "text"


class _Masker:
    """Masks personal values unless the profile turns masking off."""

    def __init__(self, profile: Profile):
        self.on = profile.report.mask_personal
        self.kinds = {profile.plural(entity): {n: s.kind for n, s in profile.fields(entity).items()}
                      for entity in profile.entities}

    def column_kind(self, table: str, column) -> str:
        return self.kinds.get(table, {}).get(column, "text") if isinstance(column, str) else "text"

    def mask(self, value, kind: str) -> str:
        from hotpass.report import mask

        if is_missing(value):
            return ""
        text = str(value).lstrip("'")
        if not self.on or kind in PUBLIC_KINDS:
            return text
        return mask(text, _mask_kind(kind, text))

    def message(self, message: str, kind: str, original, new) -> str:
        """``message`` with the original and new values in it masked (a failed expectation's
        examples are dropped: the Validation section shows them masked)."""
        if not self.on or kind in PUBLIC_KINDS:
            return message
        if kind == "validation":
            return message.split("; e.g.")[0]
        for value in (original, new):
            if not is_missing(value) and str(value).strip():
                raw = str(value)
                for form in {raw, raw.lstrip("'")}:
                    if form:
                        message = message.replace(form, self.mask(form, kind))
        return message


def _mask_kind(kind: str, text: str) -> str:
    if kind in ("email",) or "@" in text:
        return "email"
    if kind == "phone" or (sum(c.isdigit() for c in text) >= 6 and not any(c.isalpha() for c in text)):
        return "phone"
    if kind in ("person", "person_name", "persons", "first_name", "last_name", "name"):
        return "name"
    return "text"
