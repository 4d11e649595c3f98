"""benchmarks/bench_people.py stays wired: on small people lists, the shipped ``person`` profile
(``link_only`` for the link set) finds the duplicates through a real refinement, and the verdict
reads its results."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hotpass.samples.people import dedupe_set, link_set

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(BENCHMARKS))
        import bench_people

        yield bench_people
        sys.modules.pop("bench_people", None)


@pytest.mark.parametrize("kind", ["dedupe", "link"])
def test_the_person_profile_finds_the_duplicates(bench, kind, tmp_path):
    if kind == "dedupe":
        frame, truth = dedupe_set(600, seed=4)
        frames = [frame]
    else:
        a, b, truth = link_set(300, seed=4)
        frames = [a, b]
    found = bench.run_hotpass(frames, truth, tmp_path, stop="resolve")
    assert found["through"] == "resolve" and found["failed"] is None
    assert found["records_clustered"] == sum(len(f) for f in frames)
    assert found["resolve_seconds"] > 0
    assert {"train", "predict", "cluster"} <= set(found["resolve_steps"])
    assert found["f1"] >= 0.97, found
    assert found["precision"] >= 0.97 and found["recall"] >= 0.97


def test_the_link_set_is_refined_with_link_only(bench):
    assert bench.person_profile("link_only").entity("person").resolution.mode == "link_only"
    assert bench.person_profile("dedupe_only").entity("person").resolution.mode == "dedupe_only"


def test_the_fastest_run_of_each_side_is_judged(bench):
    bare = [{"seconds": 9.0, "f1": 0.995}, {"seconds": 6.0, "f1": 0.995}]
    hotpass = [{"seconds": 20.0, "resolve_seconds": 8.0, "f1": 0.993},
               {"seconds": 19.0, "resolve_seconds": 10.0, "f1": 0.993}]
    best = bench.fastest({"bare": bare, "hotpass": hotpass})
    assert best["bare"]["seconds"] == 6.0 and best["bare"]["all_seconds"] == [9.0, 6.0]
    assert best["hotpass"]["resolve_seconds"] == 8.0
    assert best["hotpass"]["all_resolve_seconds"] == [8.0, 10.0]
    verdict = bench.verdict(best["hotpass"], best["bare"])
    assert verdict["ratios"] == {"resolve / bare": 1.33, "end to end / bare": 3.33}
    assert all(verdict[k] for k in ("f1 >= 0.99", "f1 within 0.01 of bare", "resolve <= 1.5x bare"))
    slow = bench.verdict({**best["hotpass"], "resolve_seconds": 9.5, "f1": 0.988}, best["bare"])
    assert not slow["resolve <= 1.5x bare"] and not slow["f1 >= 0.99"]
    assert slow["f1 within 0.01 of bare"]
