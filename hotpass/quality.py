"""Per-record quality scores and flags, and the measures of the before/after scorecard.

A record's score (0-100) weighs completeness (the weighted share of the
profile's scored fields that are filled) against validity (the share of filled
scored fields whose value passes its check), then takes off points for fields
whose sources disagreed and for a pair still waiting for review (see
:class:`hotpass.profile.QualitySettings`). Checks are strict: a phone must be
E.164, an email an address, a website an http(s) URL, a region one of the
profile's canonical names. The same checks measure the raw input, so the
scorecard compares like with like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotpass.profile import Profile
from hotpass.text import is_missing

E164 = r"^\+[1-9]\d{6,14}$"
EMAIL = r"^[^@\s;,<>]+@[^@\s;,<>]+\.[A-Za-z]{2,}$"
WEBSITE = r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$"
PATTERNS = {"phone": E164, "email": EMAIL, "website": WEBSITE}
#: Kinds whose values are checked; any other filled value counts as valid.
CHECKED_KINDS = ("phone", "email", "website", "region")


def filled(values: pd.Series) -> np.ndarray:
    """True where a value is present (not null, not blank)."""
    text = values.astype(object).where(values.notna(), None)
    return np.array([v is not None and str(v).strip() != "" for v in text], dtype=bool)


def valid(values: pd.Series, kind: str, profile: Profile) -> np.ndarray:
    """True where a filled value passes its kind's check (False where empty)."""
    present = filled(values)
    text = values.astype(object).where(present, "").astype(str).str.strip()
    if kind in PATTERNS:
        ok = text.str.match(PATTERNS[kind], flags=re.IGNORECASE if kind != "phone" else 0)
        return present & ok.fillna(False).to_numpy(dtype=bool)
    if kind == "region" and profile.region_aliases:
        return present & text.isin(set(profile.region_aliases)).to_numpy(dtype=bool)
    return present


@dataclass(frozen=True)
class FieldMeasure:
    """How one field of one table fares: filled share, and the valid share of filled values."""

    table: str
    field: str
    kind: str
    rows: int
    filled: int
    valid: int

    @property
    def filled_share(self) -> float:
        return self.filled / self.rows if self.rows else 0.0

    @property
    def valid_share(self) -> float:
        return self.valid / self.filled if self.filled else 1.0


def measure(frame: pd.DataFrame, table: str, profile: Profile) -> list[FieldMeasure]:
    """Completeness and validity of every scored field of ``table`` (an entity's plural) that
    ``frame`` has."""
    specs = profile.fields(profile.entity_of_table(table) or "")
    out = []
    for field in _scored(profile, table):
        if field not in frame or field not in specs:
            continue
        kind = specs[field].kind
        column = frame[field]
        out.append(FieldMeasure(table, field, kind, len(frame), int(filled(column).sum()),
                                int(valid(column, kind, profile).sum())))
    return out


def _scored(profile: Profile, table: str) -> dict[str, float]:
    entity = profile.entity_of_table(table)
    return profile.entity(entity).quality_fields if entity else {}


def score(frame: pd.DataFrame, table: str, profile: Profile,
          pending: set[str] | None = None) -> pd.DataFrame:
    """``quality_score``, ``completeness``, ``validity`` and ``quality_flags`` for each row.

    ``frame`` is a golden table (``table`` is its entity's plural); its ``conflicts``
    column (", "-joined field names) costs points; ``pending`` holds the golden ids
    (``<entity>_id``) with a pair waiting for review.
    """
    settings = profile.quality
    entity = profile.entity_of_table(table) or ""
    specs = profile.fields(entity)
    weights = {f: w for f, w in _scored(profile, table).items() if f in specs}
    n = len(frame)
    total_weight = sum(weights.values()) or 1.0
    complete = np.zeros(n)
    checked = np.zeros(n)
    passed = np.zeros(n)
    flags: list[list[str]] = [[] for _ in range(n)]
    for field, weight in weights.items():
        column = frame[field] if field in frame else pd.Series([None] * n, index=frame.index)
        present = filled(column)
        ok = valid(column, specs[field].kind, profile)
        complete += weight * present
        checked += present
        passed += ok
        for i in np.flatnonzero(~present):
            flags[i].append(f"missing:{field}")
        for i in np.flatnonzero(present & ~ok):
            flags[i].append(f"invalid:{field}")
    completeness = complete / total_weight
    validity = np.divide(passed, checked, out=np.ones(n), where=checked > 0)
    share = settings.completeness_weight + settings.validity_weight
    points = 100 * (settings.completeness_weight * completeness + settings.validity_weight * validity) / share
    points -= _conflict_points(frame, flags, settings)
    points -= _pending_points(frame, f"{entity}_id", pending or set(), flags, settings)
    points = np.clip(points, 0, 100).round(1)
    for i in np.flatnonzero(points < settings.low_score):
        flags[i].append("low_quality")
    return pd.DataFrame({
        "quality_score": points,
        "completeness": completeness.round(3),
        "validity": validity.round(3),
        "quality_flags": pd.Series(["; ".join(f) if f else None for f in flags], index=frame.index,
                                   dtype=object),
    }, index=frame.index)


def _conflict_points(frame: pd.DataFrame, flags: list[list[str]], settings) -> np.ndarray:
    if "conflicts" not in frame:
        return np.zeros(len(frame))
    points = np.zeros(len(frame))
    for i, value in enumerate(frame["conflicts"].tolist()):
        fields = [] if is_missing(value) else [f.strip() for f in str(value).split(",") if f.strip()]
        flags[i].extend(f"conflict:{f}" for f in fields)
        points[i] = min(len(fields) * settings.conflict_penalty, settings.max_conflict_penalty)
    return points


def _pending_points(frame: pd.DataFrame, id_column: str, pending: set[str], flags: list[list[str]],
                    settings) -> np.ndarray:
    if not pending or id_column not in frame:
        return np.zeros(len(frame))
    waiting = frame[id_column].isin(pending).to_numpy(dtype=bool)
    for i in np.flatnonzero(waiting):
        flags[i].append("pending_review")
    return waiting * settings.pending_review_penalty


def quality_table(parts: list[tuple[str, pd.DataFrame, str, str | None]]) -> pd.DataFrame:
    """The Quality sheet: one row per golden record with its score and flags, lowest first.

    ``parts``: (entity, scored golden frame with completeness and validity, its id column, its name
    column or None), in profile order.
    """
    frames = []
    for entity, frame, id_column, name_column in parts:
        if frame is None or "quality_score" not in frame:
            continue
        frames.append(pd.DataFrame({
            "record_kind": entity,
            "record_id": frame[id_column].tolist(),
            "name": frame[name_column].tolist() if name_column in frame else None,
            "quality_score": frame["quality_score"].tolist(),
            "completeness": frame["completeness"].tolist(),
            "validity": frame["validity"].tolist(),
            "quality_flags": frame["quality_flags"].tolist(),
        }))
    if not frames:
        return pd.DataFrame(columns=["record_kind", "record_id", "name", "quality_score", "completeness",
                                     "validity", "quality_flags"])
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["quality_score", "record_kind", "record_id"], kind="stable", ignore_index=True)
