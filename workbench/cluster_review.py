"""The cluster review queue (no Streamlit): uncertain clusters of the latest run, one at a time.

A *review unit* is a set of records the latest run put in clusters that are
uncertain: the clusters joined by the run's review-band pairs (a cluster with a
review-band pair inside it, or two clusters a review-band pair joins, and so
on). Each unit is shown once. A review-band pair is *settled* when an active
decision covers it: "same" or "different" on the pair, both records joined by
"same" decisions (a "same for all"), or one of them split or moved away from
the other. A unit whose pairs are all settled leaves the queue.

Units come most informative first: the highest entropy of a pending pair's
match probability (a pair at 0.5 teaches the model most), then the sum over its
pending pairs, then its id, so the order is the same on every page load.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from hotpass import display_id, latest_finished, mask, review
from workbench import stored
from workbench.review_queue import Subject, subject_of
from workbench.text import is_missing

#: Where a reviewer's place in the queue is kept (workspace ``user_state``).
POSITION = "review.position"
BLIND = "review.blind"
#: Field kinds whose values are personal, and how they are masked for roles below reviewer.
PERSONAL = {
    "person_name": "name",
    "persons": "name",
    "first_name": "name",
    "last_name": "name",
    "email": "email",
    "phone": "phone",
}
#: Further kinds masked when the records are people (a date of birth, an id number, an address).
PEOPLE_KINDS = ("date", "id", "address", "text", "postcode")
EDGE_COLUMNS = ["key_l", "key_r", "match_probability", "band"]


@dataclass
class Latest:
    """The latest finished run as the review screen reads it."""

    run_id: int
    subject: Subject
    ident: str  # the golden id column (organisation_id, person_id)
    fields: list[str]  # shown fields, the one naming a record first, then the profile's others
    masks: dict[str, str]  # field -> mask kind, for personal values
    clusters: pd.DataFrame  # record_key, <ident>, name: every record of the run
    edges: pd.DataFrame  # key_l, key_r, match_probability, band: every scored pair
    table: str = "organisation_records"
    extra: dict = field(default_factory=dict)


def load(ws, run_id: int | None = None) -> Latest | None:
    """The latest finished run (or ``run_id``) for review; None when there is none."""
    run_id = latest_finished(ws) if run_id is None else run_id
    if run_id is None:
        return None
    with stored.opened(ws, run_id) as result:
        profile = result.profile
        clusters = result.table("out_clusters")
        ident = next((c for c in clusters.columns if c.endswith("_id")), "cluster_id")
        edges = (
            result.db.frame(f"SELECT {', '.join(EDGE_COLUMNS)} FROM pairs")
            if result.db.has("pairs")
            else pd.DataFrame(columns=EDGE_COLUMNS)
        )
        review_columns = result.db.columns("out_review") if result.db.has("out_review") else []
    entity = profile.primary if profile is not None else "organisation"
    fields = [c[:-2] for c in review_columns if c.endswith("_l") and c not in ("key_l", "source_l")]
    fields = list(
        dict.fromkeys([*fields, *(profile.fields(entity) if profile is not None else [])])
    )
    return Latest(
        run_id,
        subject_of(profile),
        ident,
        fields,
        masks_of(profile, entity),
        clusters[
            ["record_key", ident, "name", "source_file", "source_sheet", "source_row"]
            if "source_file" in clusters
            else ["record_key", ident, "name"]
        ],
        edges,
        review.records_table(entity),
    )


def masks_of(profile, entity: str) -> dict[str, str]:
    """Field -> mask kind of the personal fields of ``entity`` (names, emails, phones; for people
    also dates, ids and addresses)."""
    if profile is None:
        return {"email": "email", "phone": "phone"}
    spec = profile.entity(entity)
    people = (spec.fields[spec.name_field()].kind if spec.name_field() else "") in (
        "person_name",
        "persons",
        "first_name",
        "last_name",
    )
    out = {}
    for name, each in spec.fields.items():
        if each.kind in PERSONAL:
            out[name] = PERSONAL[each.kind]
        elif people and each.kind in PEOPLE_KINDS:
            out[name] = "text"
    if people:
        out["name"] = "name"
    return out


def masked(frame: pd.DataFrame, masks: dict[str, str], on: bool) -> pd.DataFrame:
    """``frame`` with the personal columns masked when ``on``."""
    if not on:
        return frame
    out = frame.copy()
    for column, kind in masks.items():
        if column in out.columns:
            out[column] = [mask(v, kind) for v in out[column]]
    return out


def entropy(p: float) -> float:
    """Binary entropy (bits) of a match probability: 1 at 0.5, 0 at 0 or 1."""
    if is_missing(p) or p <= 0.0 or p >= 1.0:
        return 0.0
    return -(p * math.log2(p) + (1 - p) * math.log2(1 - p))


class _Union:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class Settled:
    """What the active decisions say about pairs of records."""

    pairs: set = field(default_factory=set)  # sorted (a, b) decided same / different, or kept apart
    joined: _Union = field(default_factory=_Union)  # records joined by same (and move) decisions
    apart: dict = field(default_factory=dict)  # record -> the members it was split or moved from
    moved: dict = field(default_factory=dict)  # record -> the record it was moved to

    def covers(self, a: str, b: str) -> bool:
        """Whether a decision settles the pair (a, b)."""
        return tuple(sorted((a, b))) in self.pairs or self.joined.find(a) == self.joined.find(b)


def settled(decisions: pd.DataFrame) -> Settled:
    """The pairs settled by ``decisions`` (the workspace's active decisions)."""
    out = Settled()
    for row in decisions.itertuples(index=False):
        key, other = str(row.record_key), row.other_key
        if row.kind in ("same", "different"):
            out.pairs.add(tuple(sorted((key, str(other)))))
            if row.kind == "same":
                out.joined.join(key, str(other))
        elif row.kind in ("split", "move"):
            members = [m for m in json.loads(row.members or "[]") if m != key]
            out.apart[key] = set(members)
            out.pairs.update(tuple(sorted((key, m))) for m in members)
            if row.kind == "move":
                out.moved[key] = str(other)
                out.pairs.add(tuple(sorted((key, str(other)))))
    return out


def units(latest: Latest, decisions: pd.DataFrame) -> pd.DataFrame:
    """Every review unit of the run: unit (its id: the smallest golden id), members (record keys),
    pending (pairs not settled), score (highest entropy of a pending pair), total (their sum);
    pending units first, most informative first."""
    ident = latest.ident
    cluster_of = dict(zip(latest.clusters["record_key"], latest.clusters[ident], strict=True))
    band = latest.edges[latest.edges["band"] == "review"]
    joined = _Union()
    for a, b in zip(band["key_l"], band["key_r"], strict=True):
        if a in cluster_of and b in cluster_of:
            joined.join(cluster_of[a], cluster_of[b])
    if not joined.parent:
        return pd.DataFrame(columns=["unit", "members", "pairs", "pending", "score", "total"])
    decided = settled(decisions)
    by_cluster = latest.clusters.groupby(ident, sort=False)["record_key"].agg(list)
    rows: dict[str, dict] = {}
    for cluster in joined.parent:
        unit = joined.find(cluster)
        row = rows.setdefault(
            unit,
            {"unit": unit, "members": [], "pairs": 0, "pending": 0, "score": 0.0, "total": 0.0},
        )
        row["members"].extend(by_cluster.get(cluster, []))
    for a, b, p in zip(band["key_l"], band["key_r"], band["match_probability"], strict=True):
        if a not in cluster_of or b not in cluster_of:
            continue
        row = rows[joined.find(cluster_of[a])]
        row["pairs"] += 1
        if not decided.covers(a, b):
            row["pending"] += 1
            row["score"] = max(row["score"], entropy(float(p)))
            row["total"] += entropy(float(p))
    frame = pd.DataFrame(list(rows.values()))
    frame["members"] = [sorted(m) for m in frame["members"]]
    frame["open"] = frame["pending"] > 0
    frame = frame.sort_values(
        ["open", "score", "total", "unit"], ascending=[False, False, False, True]
    )
    return frame.drop(columns="open").reset_index(drop=True)


def pending(all_units: pd.DataFrame) -> pd.DataFrame:
    """The units still waiting for a decision, in queue order."""
    return all_units[all_units["pending"] > 0].reset_index(drop=True)


def position(queue: pd.DataFrame, saved: dict | None, run_id: int) -> int:
    """Where a reviewer resumes: the unit they were on when it still waits, else the one now at
    their place (the next one, when theirs was decided), else the first."""
    if queue.empty:
        return 0
    saved = saved or {}
    if saved.get("run") == run_id:
        hits = queue.index[queue["unit"] == saved.get("unit")]
        if len(hits):
            return int(hits[0])
        return min(int(saved.get("index", 0)), len(queue) - 1)
    return 0


def members(ws, latest: Latest, keys: list[str]) -> pd.DataFrame:
    """The records ``keys``: id (display), cluster, record_key, the shown fields, source row."""
    quoted = ", ".join("'" + k.replace("'", "''") + "'" for k in keys)
    with stored.opened(ws, latest.run_id) as result:
        present = [f for f in latest.fields if f in result.db.columns(latest.table)]
        select = ", ".join(f'r."{f}"' for f in present)
        frame = result.db.frame(
            f"SELECT r.record_key{', ' + select if select else ''}, r.source_file, r.source_sheet, "
            f"r.source_row FROM {latest.table} r WHERE r.record_key IN ({quoted}) "
            "ORDER BY r.record_key"
        )
    cluster_of = dict(
        zip(latest.clusters["record_key"], latest.clusters[latest.ident], strict=True)
    )
    frame.insert(0, "id", [display_id(k) for k in frame["record_key"]])
    frame.insert(1, "cluster", [cluster_of.get(k, "") for k in frame["record_key"]])
    frame["source"] = [
        f"{f} | {s} | row {r}"
        for f, s, r in zip(
            frame.pop("source_file"),
            frame.pop("source_sheet"),
            frame.pop("source_row"),
            strict=True,
        )
    ]
    return frame.reset_index(drop=True)


def label(row: pd.Series, fields: list[str]) -> str:
    """A member by its name (or first shown fields) and display id."""
    named = [str(row[f]) for f in fields[:1] if f in row and not is_missing(row[f])]
    return f"{' '.join(named) or '(no name)'} · {row['id']}"


def edges(ws, latest: Latest, keys: list[str]) -> pd.DataFrame:
    """Every scored pair among ``keys`` with its weights (``mw_*``), most uncertain first."""
    quoted = ", ".join("'" + k.replace("'", "''") + "'" for k in keys)
    with stored.opened(ws, latest.run_id) as result:
        frame = result.db.frame(
            f"SELECT * FROM pairs WHERE key_l IN ({quoted}) AND key_r IN ({quoted})"
        )
    if frame.empty:
        return frame
    frame["uncertainty"] = [entropy(float(p)) for p in frame["match_probability"]]
    return frame.sort_values(
        ["uncertainty", "key_l", "key_r"], ascending=[False, True, True]
    ).reset_index(drop=True)


def matrix(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Members x members: the match probability of each scored pair (NaN where none was scored)."""
    keys = list(names)
    out = pd.DataFrame(
        float("nan"), index=[names[k] for k in keys], columns=[names[k] for k in keys]
    )
    for a, b, p in zip(
        frame.get("key_l", []),
        frame.get("key_r", []),
        frame.get("match_probability", []),
        strict=True,
    ):
        if a in names and b in names:
            out.loc[names[a], names[b]] = out.loc[names[b], names[a]] = float(p)
    return out


def statuses(keys: list[str], decisions: pd.DataFrame) -> dict[str, str]:
    """What the active decisions say of each of ``keys`` (record -> words, for the members
    table): split out or moved away from the others, the fields whose value it keeps."""
    decided = settled(decisions)
    inside = set(keys)
    out = {}
    for key in keys:
        if key in decided.moved:
            out[key] = f"moved to {display_id(decided.moved[key])}"
        elif decided.apart.get(key, set()) & inside:
            out[key] = "split out"
    picks = decisions[(decisions["kind"] == "pick") & decisions["record_key"].isin(inside)]
    for key, fields in picks.groupby("record_key")["other_key"]:
        said = f"keeps {', '.join(dict.fromkeys(fields))}"
        out[key] = f"{out[key]}; {said}" if key in out else said
    return out


def joinable(keys: list[str], decisions: pd.DataFrame) -> list[str]:
    """The members a "same for all" joins: all but those split or moved away from the others."""
    decided = settled(decisions)
    inside = set(keys)
    return [k for k in keys if k not in decided.moved and not decided.apart.get(k, set()) & inside]


def search(latest: Latest, needle: str, exclude: list[str], limit: int = 50) -> pd.DataFrame:
    """Records of the run whose name or display id contains ``needle`` (any case), outside
    ``exclude``: record_key, id, name, cluster; at most ``limit``."""
    table = latest.clusters[~latest.clusters["record_key"].isin(exclude)]
    ids = table["record_key"].map(display_id)
    needle = (needle or "").strip().casefold()
    if needle:
        hit = (
            table["name"].fillna("").astype(str).str.casefold().str.contains(needle, regex=False)
            | ids.str.casefold().str.contains(needle, regex=False)
            | table["record_key"].str.casefold().str.contains(needle, regex=False)
        )
        table, ids = table[hit], ids[hit]
    return (
        pd.DataFrame(
            {
                "record_key": table["record_key"],
                "id": ids,
                "name": table["name"],
                "cluster": table[latest.ident],
            }
        )
        .head(limit)
        .reset_index(drop=True)
    )


def mine(ws, reviewer: str, limit: int = 10) -> pd.DataFrame:
    """This reviewer's latest active decisions, newest first, each record by its display id."""
    decisions = ws.decisions()
    rows = decisions[decisions["reviewer"] == reviewer].tail(limit).iloc[::-1]
    other = [
        ("field " + str(o)) if k == "pick" else display_id(o)
        for k, o in zip(rows["kind"], rows["other_key"], strict=True)
    ]
    return pd.DataFrame(
        {
            "decision": rows["decision_id"].astype(int),
            "kind": rows["kind"],
            "record": [display_id(k) for k in rows["record_key"]],
            "other": other,
            "note": ["" if is_missing(v) else str(v) for v in rows["note"]],
            "at": rows["created_at"],
        }
    ).reset_index(drop=True)


def sure(
    queue: pd.DataFrame, latest: Latest, decisions: pd.DataFrame, threshold: float
) -> pd.DataFrame:
    """Queued units whose every pending review-band pair has a match probability at or above
    ``threshold`` (what a bulk "same for all" would take), in queue order."""
    decided = settled(decisions)
    band = latest.edges[latest.edges["band"] == "review"]
    lowest: dict[str, float] = {}
    unit_of = {
        k: u for u, members in zip(queue["unit"], queue["members"], strict=True) for k in members
    }
    for a, b, p in zip(band["key_l"], band["key_r"], band["match_probability"], strict=True):
        if a in unit_of and not decided.covers(a, b):
            lowest[unit_of[a]] = min(lowest.get(unit_of[a], 1.0), float(p))
    keep = [lowest.get(u, 0.0) >= threshold for u in queue["unit"]]
    return queue[keep]
