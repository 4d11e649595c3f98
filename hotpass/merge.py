"""Survivorship: one golden organisation per cluster, each field saying where it came from.

For every field of a cluster, the candidate values of its member records are
ranked by the profile's rules (``merge.rule_order``): validity (the value
passes its normaliser without a problem), agreement (how many records give
it), source priority, recency (the record's last interaction) and completeness
(how filled the record is). Ties fall to the earliest source row, so the same
inputs always give the same golden record. The rule that decided is recorded,
and fields where members disagree are listed as conflicts. Phones, emails and
websites keep every other distinct value in ``<field>_other``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from hotpass.profile import Profile
from hotpass.text import is_missing

MULTI_KINDS = {"phone", "email", "website", "id"}  # several values are kept, not a conflict
SKIP = {"record_id", "record_key", "source_file", "source_sha256", "source_sheet", "source_row", "org_record"}


@dataclass
class Golden:
    """Golden records with field-level provenance and the conflicts found."""

    records: pd.DataFrame
    provenance: pd.DataFrame  # golden_id, field, value, source_file, source_sheet, source_row, record_key, rule
    conflicts: pd.DataFrame  # golden_id, field, values


@lru_cache(maxsize=8)
def _normaliser(region: str):
    from hotpass.normalise import Normaliser

    return Normaliser(region=region)


@lru_cache(maxsize=1_000_000)
def _valid(kind: str, value: str, region: str) -> bool:
    result = _normaliser(region).normalise(kind, value)
    return result.problem is None and bool(result.values)


def _candidates(rows: list[dict], field: str) -> list[tuple[str, dict]]:
    out = []
    for row in rows:
        value = row.get(field)
        if not is_missing(value):
            out.append((str(value), row))
        other = row.get(f"{field}_other")
        if not is_missing(other):
            out.extend((part.strip(), row) for part in str(other).split(";") if part.strip())
    return out


def _scores(value: str, row: dict, kind: str, counts: Counter, profile: Profile) -> dict[str, object]:
    return {
        # Validity depends on the value alone, so it cannot separate candidates that all agree.
        "validity": len(counts) == 1 or _valid(kind, value, profile.phone_region),
        "agreement": counts[value],
        "source_priority": row["_priority"],
        "recency": row.get("last_interaction") or "",
        "completeness": row["_filled"],
    }


def _rank(candidates: list[tuple[str, dict]], kind: str, profile: Profile) -> list[tuple[str, dict, str]]:
    """Candidates best first, each with the rule that put it ahead of the next one."""
    if len(candidates) == 1:
        return [(candidates[0][0], candidates[0][1], "only value")]
    counts = Counter(value for value, _row in candidates)
    order = profile.merge.rule_order
    scored = [(value, row, _scores(value, row, kind, counts, profile)) for value, row in candidates]
    scored.sort(key=lambda item: (tuple(_neg(item[2][r]) for r in order), item[1]["_order"]))
    ranked = []
    for i, (value, row, score) in enumerate(scored):
        nxt = next((s for v, _r, s in scored[i + 1:] if v != value), None)
        rule = "only value" if nxt is None else next(
            (r for r in order if score[r] != nxt[r]), "earliest source")
        ranked.append((value, row, rule))
    return ranked


def _neg(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return -value
    return _Reversed(value)


class _Reversed(str):
    """Sorts strings descending (most recent date first)."""

    def __lt__(self, other: str) -> bool:
        return str.__gt__(self, other)


def group_rows(rows: list[dict], key: str) -> dict[object, list[dict]]:
    """Rows grouped by ``rows[i][key]``, groups in order of first appearance (fast, no pandas)."""
    groups: dict[object, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def golden_id(cluster_id: str, prefix: str = "ORG") -> str:
    """A readable, stable id for a cluster (its smallest record key decides it)."""
    return f"{prefix}-{cluster_id.split(':', 1)[-1][:12].upper()}"


def _prepare(orgs: pd.DataFrame, clusters: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    frame = orgs.copy()
    cluster_of = dict(zip(clusters["record_key"], clusters["cluster_id"]))
    frame["_golden"] = [golden_id(cluster_of.get(k, k)) for k in frame["record_key"]]
    frame["_priority"] = priorities(frame["source_file"], profile)
    fields = [f for f in profile.organisation_fields if f in frame]
    frame["_filled"] = frame[fields].notna().sum(axis=1).astype(int)
    frame["_order"] = range(len(frame))
    return frame


def priorities(files: pd.Series, profile: Profile) -> list[int]:
    """The source priority of each row's file (each distinct file matched once)."""
    of = {f: profile.priority_of(f) for f in files.drop_duplicates()}
    return [of[f] for f in files]


def choose_fields(record_id: str, rows: list[dict], fields: dict, profile: Profile, prov: list,
                  conflicts: list | None = None) -> dict:
    """Each field's surviving value among ``rows``, recording provenance (and conflicts, when asked)."""
    out: dict[str, object] = {}
    single = rows[0] if len(rows) == 1 else None
    for field, spec in fields.items():
        if single is not None and is_missing(single.get(f"{field}_other")):  # the common case, kept cheap
            value = single.get(field)
            if is_missing(value):
                out[field] = None
                continue
            out[field] = value = str(value)
            prov.append((record_id, field, value, single["source_file"], single["source_sheet"],
                         int(single["source_row"]), single["record_key"], "only value"))
            if spec.kind in MULTI_KINDS:
                out[f"{field}_other"] = None
            continue
        candidates = _candidates(rows, field)
        if not candidates:
            out[field] = None
            continue
        ranked = _rank(candidates, spec.kind, profile)
        value, row, rule = ranked[0]
        out[field] = value
        prov.append((record_id, field, value, row["source_file"], row["source_sheet"], int(row["source_row"]),
                     row["record_key"], rule))
        distinct = list(dict.fromkeys(v for v, _r, _rule in ranked))
        if spec.kind in MULTI_KINDS:
            out[f"{field}_other"] = "; ".join(distinct[1:]) or None
        elif len(distinct) > 1 and conflicts is not None:
            conflicts.append((record_id, field, " | ".join(distinct)))
    return out


def lineage(rows: list[dict]) -> dict[str, object]:
    """How many source rows a golden record has, which, and their record keys."""
    return {
        "source_count": len(rows),
        "source_rows": "; ".join(f"{r['source_file']} | {r['source_sheet']} | row {r['source_row']}" for r in rows),
        "record_keys": "; ".join(r["record_key"] for r in rows),
    }


def _carry_extras(rows: list[dict], columns: list[str]) -> dict:
    """Columns no rule ranks (extras, unassigned details): every distinct value, in source order."""
    out = {}
    for column in columns:
        values = list(dict.fromkeys(str(r[column]) for r in rows if not is_missing(r.get(column))))
        out[column] = "; ".join(values) or None
    return out


def merge_organisations(orgs: pd.DataFrame, clusters: pd.DataFrame, profile: Profile) -> Golden:
    """One golden organisation per cluster, in order of first appearance in the sources."""
    frame = _prepare(orgs, clusters, profile)
    fields = {f: s for f, s in profile.organisation_fields.items() if f in frame}
    ranked_columns = set(fields) | {f"{f}_other" for f in fields}
    carried = [c for c in frame.columns if c not in ranked_columns and c not in SKIP and not c.startswith("_")]
    prov: list[tuple] = []
    conflicts: list[tuple] = []
    golden = []
    for gid, rows in group_rows(frame.to_dict("records"), "_golden").items():
        record = {"organisation_id": gid, **choose_fields(gid, rows, fields, profile, prov, conflicts)}
        record.update(_carry_extras(rows, carried))
        record.update(lineage(rows))
        golden.append(record)
    provenance = pd.DataFrame(prov, columns=["organisation_id", "field", "value", "source_file", "source_sheet",
                                             "source_row", "record_key", "rule"])
    conflict_frame = pd.DataFrame(conflicts, columns=["organisation_id", "field", "values"])
    counts = conflict_frame.groupby("organisation_id")["field"].agg(", ".join) if conflicts else {}
    records = pd.DataFrame(golden, dtype=object)
    records["conflicts"] = [counts.get(g) if len(counts) else None for g in records["organisation_id"]]
    return Golden(records, provenance, conflict_frame)
