"""Constrained clustering on hand-made pairs: decisions first, cannot-links hold through chains."""

from __future__ import annotations

import pandas as pd

from hotpass.resolve import Constraints, cluster, cluster_with_conflicts


def pairs(*rows):
    """A pairs frame from (key_l, key_r, probability) rows."""
    return pd.DataFrame(rows, columns=["key_l", "key_r", "match_probability"])


def cluster_of(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["record_key"], frame["cluster_id"]))


def test_edges_at_or_above_threshold_join_and_cluster_ids_are_smallest_keys():
    frame = cluster(
        ["a", "b", "c", "d"], pairs(("a", "b", 0.95), ("c", "d", 0.92), ("b", "c", 0.91)), 0.92
    )
    assert cluster_of(frame) == {"a": "a", "b": "a", "c": "c", "d": "c"}
    assert frame["cluster_size"].tolist() == [2, 2, 2, 2]
    assert frame["record_key"].tolist() == ["a", "b", "c", "d"]


def test_cannot_link_splits_a_chain():
    # A-B and B-C are strong, but a person said A and C are different.
    scored = pairs(("A", "B", 0.99), ("B", "C", 0.98))
    frame = cluster(["A", "B", "C"], scored, 0.92, Constraints(cannot_link=[("C", "A")]))
    clusters = cluster_of(frame)
    assert clusters["A"] != clusters["C"]
    assert clusters["A"] == clusters["B"]  # the stronger link wins the contested record


def test_cannot_link_holds_through_a_long_chain():
    keys = [f"k{i}" for i in range(6)]
    scored = pairs(*[(keys[i], keys[i + 1], 0.99 - i / 100) for i in range(5)])
    frame = cluster(keys, scored, 0.5, Constraints(cannot_link=[("k0", "k5")]))
    clusters = cluster_of(frame)
    assert clusters["k0"] != clusters["k5"]
    assert len(set(clusters.values())) == 2


def test_must_link_joins_records_the_model_scored_low_or_never():
    scored = pairs(("a", "b", 0.02))
    frame = cluster(["a", "b", "c"], scored, 0.92, Constraints(must_link=[("a", "b"), ("c", "a")]))
    assert set(cluster_of(frame).values()) == {"a"}


def test_conflicting_decisions_are_reported_not_raised():
    constraints = Constraints(must_link=[("a", "b"), ("b", "c")], cannot_link=[("a", "c")])
    frame, conflicts = cluster_with_conflicts(["a", "b", "c"], pairs(), 0.92, constraints)
    clusters = cluster_of(frame)
    assert clusters["a"] != clusters["c"]
    assert [(c.must_link, c.cannot_link) for c in conflicts] == [(("b", "c"), ("a", "c"))]
    assert "marked different" in conflicts[0].message


def test_same_inputs_in_any_order_give_the_same_clusters():
    rows = [("a", "b", 0.95), ("b", "c", 0.95), ("d", "e", 0.97), ("c", "d", 0.93)]
    constraints = Constraints(cannot_link=[("a", "e")])
    first = cluster(["a", "b", "c", "d", "e"], pairs(*rows), 0.92, constraints)
    second = cluster(["e", "d", "c", "b", "a"], pairs(*reversed(rows)), 0.92, constraints)
    pd.testing.assert_frame_equal(first, second)


def test_decided_pairs_are_ordered_and_different_wins():
    constraints = Constraints(must_link=[("b", "a")], cannot_link=[("a", "b"), ("d", "c")])
    assert constraints.decided() == {("a", "b"): "different", ("c", "d"): "different"}
