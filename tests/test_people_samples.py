"""The synthetic people lists: deterministic, corrupted in every field, honest truth; the bare
Splink baseline of benchmarks/bench_people.py finds their duplicates."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from hotpass.samples.people import (
    COLUMNS,
    FIELDS,
    dedupe_set,
    link_set,
    pairwise_f1,
    true_pairs,
    write_people,
)

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def dedupe():
    return dedupe_set(2000, seed=3)


def _originals_beside_duplicates(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(each duplicate's original, the duplicates), row for row."""
    person = frame["rec_id"].str.split("-").str[1]
    is_original = frame["rec_id"].str.endswith("-org")
    originals = frame[is_original].set_index(person[is_original])
    duplicates = frame[~is_original]
    return originals.loc[person[~is_original]].reset_index(drop=True), duplicates.reset_index(drop=True)


def test_the_same_seed_gives_the_same_people_and_another_seed_others():
    first, truth = dedupe_set(300, seed=5)
    again, truth_again = dedupe_set(300, seed=5)
    pd.testing.assert_frame_equal(first, again)
    assert truth == truth_again
    other, _ = dedupe_set(300, seed=6)
    assert not first.equals(other)
    a, b, _ = link_set(200, seed=5)
    a2, b2, _ = link_set(200, seed=5)
    pd.testing.assert_frame_equal(a, a2)
    pd.testing.assert_frame_equal(b, b2)


def test_a_dedupe_set_is_febrl3_shaped(dedupe):
    frame, truth = dedupe
    assert list(frame.columns) == COLUMNS and len(frame) == 2000 and frame["rec_id"].is_unique
    assert frame["rec_id"].str.endswith("-org").sum() == 800  # 40% originals
    assert set(truth) == set(frame["rec_id"])
    assert all(truth[r] == int(r.split("-")[1]) for r in frame["rec_id"])
    sizes = pd.Series(truth).value_counts()
    assert sizes.max() <= 6 and (sizes == 1).sum() < len(sizes) / 4  # up to five duplicates each
    assert len(true_pairs(truth)) == int((sizes * (sizes - 1) // 2).sum())
    assert all(frame[c].notna().any() for c in COLUMNS)
    assert frame["address_2"].isna().mean() > 0.4  # the second address line is mostly empty
    assert frame["date_of_birth"].dropna().str.fullmatch(r"\d{8}").mean() > 0.97
    assert frame["postcode"].dropna().str.fullmatch(r"\d{4}").mean() > 0.9


def test_duplicates_are_corrupted_in_every_field(dedupe):
    originals, duplicates = _originals_beside_duplicates(dedupe[0])
    differs = {f: (originals[f].fillna("") != duplicates[f].fillna("")).mean() for f in FIELDS}
    assert all(share > 0.03 for share in differs.values()), differs
    assert differs["given_name"] > 0.2 and differs["surname"] > 0.2
    changed = (originals[FIELDS].fillna("") != duplicates[FIELDS].fillna("")).sum(axis=1)
    assert changed.min() >= 1 and changed.mean() < 3.5  # a few modifications, never none
    swapped = (originals["given_name"] == duplicates["surname"]) & (originals["surname"] == duplicates["given_name"])
    assert swapped.any()


def test_a_link_set_is_febrl4_shaped():
    a, b, truth = link_set(500, seed=2)
    assert len(a) == len(b) == 500 and list(a.columns) == list(b.columns) == COLUMNS
    assert a["rec_id"].str.endswith("-org").all() and b["rec_id"].str.endswith("-dup-0").all()
    pairs = true_pairs(truth)
    assert len(pairs) == 500 and all(x.endswith("-dup-0") != y.endswith("-dup-0") for x, y in pairs)
    assert list(a["rec_id"]) != sorted(a["rec_id"], key=lambda r: int(r.split("-")[1]))  # shuffled
    differs = (a.sort_values("rec_id")[FIELDS].fillna("").to_numpy()
               != b.sort_values("rec_id")[FIELDS].fillna("").to_numpy()).sum(axis=1)
    assert differs.min() >= 1 and differs.max() <= 4


def test_files_are_written_with_a_header_and_text_cells(tmp_path):
    [csv] = write_people(tmp_path, "dedupe", n=120, seed=1)
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    assert list(frame.columns) == COLUMNS and len(frame) == 120
    paths = write_people(tmp_path / "x", "link", n=80, seed=1, fmt="xlsx")
    assert [p.name for p in paths] == ["people_a.xlsx", "people_b.xlsx"]
    sheet = openpyxl.load_workbook(paths[0], read_only=True)["People"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS and len(rows) == 81
    assert all(isinstance(v, str) for row in rows[1:] for v in row if v is not None)
    with pytest.raises(ValueError):
        write_people(tmp_path, "both")


def test_pairwise_scores():
    truth = true_pairs({"a": 1, "b": 1, "c": 1, "d": 2, "e": None})
    assert truth == {("a", "b"), ("a", "c"), ("b", "c")}
    assert pairwise_f1(truth, truth)["f1"] == 1.0
    scores = pairwise_f1([("b", "a"), ("d", "c")], truth)
    assert scores["precision"] == 0.5 and scores["recall"] == pytest.approx(1 / 3)
    assert scores["f1"] == pytest.approx(0.4) and scores["false_negatives"] == 2


@pytest.mark.slow
def test_the_bare_splink_baseline_finds_the_duplicates(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import bench_people

    frame, truth = dedupe_set(600, seed=4)
    clusters = bench_people.bare_clusters([frame], seed=4)
    assert pairwise_f1(true_pairs(clusters), true_pairs(truth))["f1"] > 0.9
    a, b, link_truth = link_set(300, seed=4)
    clusters = bench_people.bare_clusters([a, b], seed=4)
    assert pairwise_f1(true_pairs(clusters), true_pairs(link_truth))["f1"] > 0.9
    sys.modules.pop("bench_people", None)
