"""Constrained clustering: people's decisions first, then the model's strongest links.

Edges are taken in a fixed order: every must-link (sorted), then every scored
pair at or above the threshold by probability (highest first, ties by keys).
Two clusters are joined unless that would put a cannot-link pair in one
cluster, however long the chain of links between them. A must-link refused
for that reason is a :class:`Conflict`, reported rather than raised.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Constraints:
    """Decisions people made in the review queue, as ``record_key`` pairs."""

    must_link: list[tuple[str, str]] = field(default_factory=list)
    cannot_link: list[tuple[str, str]] = field(default_factory=list)

    def decided(self) -> dict[tuple[str, str], str]:
        """(key_l, key_r) with key_l < key_r -> "same" or "different" ("different" wins)."""
        out = {ordered(a, b): "same" for a, b in self.must_link if a != b}
        out.update({ordered(a, b): "different" for a, b in self.cannot_link if a != b})
        return out


@dataclass(frozen=True)
class Conflict:
    """A must-link that was not applied because it would join a cannot-link pair."""

    must_link: tuple[str, str]
    cannot_link: tuple[str, str]

    @property
    def message(self) -> str:
        return (
            f"{self.must_link[0]} and {self.must_link[1]} were marked the same, but that would put "
            f"{self.cannot_link[0]} and {self.cannot_link[1]}, marked different, "
            "in one organisation"
        )


def ordered(a: str, b: str) -> tuple[str, str]:
    """A pair with the smaller key first."""
    return (a, b) if a <= b else (b, a)


class _Forest:
    """Union-find that refuses unions joining a cannot-link pair."""

    def __init__(self, keys: Iterable[str], cannot_link: Iterable[tuple[str, str]]):
        self.parent = {k: k for k in keys}
        self.apart: dict[str, set[str]] = {}
        self.why: dict[tuple[str, str], tuple[str, str]] = {}
        for a, b in sorted(ordered(*pair) for pair in cannot_link if pair[0] != pair[1]):
            for key in (a, b):
                self.parent.setdefault(key, key)
            self.apart.setdefault(a, set()).add(b)
            self.apart.setdefault(b, set()).add(a)
            self.why.setdefault((a, b), (a, b))
            self.why.setdefault((b, a), (a, b))

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> tuple[str, str] | None:
        """Join the clusters of a and b; returns the blocking cannot-link pair when refused."""
        self.parent.setdefault(a, a)
        self.parent.setdefault(b, b)
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if rb in self.apart.get(ra, ()):
            return self.why[(ra, rb)]
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        self.parent[gone] = keep
        for other in self.apart.pop(gone, set()):
            self.apart[other].discard(gone)
            self.apart[other].add(keep)
            self.apart.setdefault(keep, set()).add(other)
            self.why[(keep, other)] = self.why[(other, keep)] = self.why[(gone, other)]
        return None

    def clusters(self) -> pd.DataFrame:
        members: dict[str, list[str]] = {}
        for key in self.parent:
            members.setdefault(self.find(key), []).append(key)
        rows = [(key, min(keys), len(keys)) for keys in members.values() for key in keys]
        frame = pd.DataFrame(rows, columns=["record_key", "cluster_id", "cluster_size"])
        return frame.sort_values(["cluster_id", "record_key"], kind="mergesort").reset_index(
            drop=True
        )


def _edges(pairs: pd.DataFrame, threshold: float) -> list[tuple[str, str]]:
    """Pairs at or above ``threshold``, strongest first, ties by keys."""
    if pairs is None or pairs.empty:
        return []
    strong = pairs.loc[
        pairs["match_probability"] >= threshold, ["key_l", "key_r", "match_probability"]
    ]
    strong = strong.sort_values(
        ["match_probability", "key_l", "key_r"], ascending=[False, True, True], kind="mergesort"
    )
    return list(zip(strong["key_l"].tolist(), strong["key_r"].tolist(), strict=False))


def cluster_with_conflicts(
    keys: Iterable[str],
    pairs: pd.DataFrame,
    threshold: float,
    constraints: Constraints | None = None,
) -> tuple[pd.DataFrame, list[Conflict]]:
    """Clusters (record_key, cluster_id, cluster_size) and the must-links that were refused."""
    constraints = constraints or Constraints()
    forest = _Forest(keys, constraints.cannot_link)
    conflicts = []
    for a, b in sorted({ordered(a, b) for a, b in constraints.must_link if a != b}):
        blocked = forest.union(a, b)
        if blocked is not None:
            conflicts.append(Conflict((a, b), blocked))
    for a, b in _edges(pairs, threshold):
        forest.union(a, b)
    return forest.clusters(), conflicts


def cluster(
    keys: list[str], pairs: pd.DataFrame, threshold: float, constraints: Constraints | None = None
) -> pd.DataFrame:
    """Constrained clustering (see the module docstring).

    Conflicting decisions are returned by :func:`cluster_with_conflicts`.
    """
    return cluster_with_conflicts(keys, pairs, threshold, constraints)[0]
