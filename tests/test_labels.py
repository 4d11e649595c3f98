"""Decisions as labels: the labels table, retraining from them, accuracy by threshold."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import hotpass
from hotpass.cli import app
from hotpass.pipeline import prepare_records
from hotpass.resolve import MIN_LABELS, accuracy, labels_frame
from hotpass.samples import record_truth

ROOT = Path(__file__).resolve().parents[1]


def _decisions(rows):
    return pd.DataFrame(rows, columns=["kind", "record_key", "other_key"])


def test_labels_come_from_pairwise_decisions_on_records_present():
    decisions = _decisions([
        ("same", "b", "a"),          # stored as a < b, label 1
        ("different", "a", "c"),     # label 0
        ("same", "a", "zz"),         # zz is not in this run
        ("split", "c", None),        # not pairwise
        ("same", "c", "b"),
        ("different", "b", "c"),     # the later decision on (b, c) wins
    ])
    labels = labels_frame(decisions, ["a", "b", "c"])
    assert labels.to_dict(orient="records") == [
        {"key_l": "a", "key_r": "b", "clerical_match_score": 1},
        {"key_l": "a", "key_r": "c", "clerical_match_score": 0},
        {"key_l": "b", "key_r": "c", "clerical_match_score": 0},
    ]


def test_accuracy_by_threshold_on_a_hand_made_case():
    pairs = pd.DataFrame({"key_l": ["a", "a", "b", "c"], "key_r": ["b", "c", "c", "d"],
                          "match_probability": [0.95, 0.7, 0.6, 0.3]})
    labels = pd.DataFrame({"key_l": ["a", "a", "b", "c", "d"], "key_r": ["b", "c", "c", "d", "e"],
                           "clerical_match_score": [1, 1, 0, 0, 1]})  # (d, e) was never scored
    table = accuracy(pairs, labels, thresholds=[0.5, 0.9], current=0.65).set_index("threshold")
    assert list(table.index) == [0.5, 0.65, 0.9]
    assert table["current"].tolist() == [False, True, False]
    at_half = table.loc[0.5]
    assert (at_half.tp, at_half.fp, at_half.fn, at_half.tn) == (2, 1, 1, 1)
    assert at_half.precision == pytest.approx(2 / 3) and at_half.recall == pytest.approx(2 / 3)
    at_current = table.loc[0.65]
    assert (at_current.tp, at_current.fp, at_current.fn) == (2, 0, 1)
    assert at_current.f1 == pytest.approx(0.8)
    assert table.loc[0.9, "recall"] == pytest.approx(1 / 3)


def test_retrain_from_labels_records_the_count_and_accuracy_reads_it(samples, aviation, tmp_path):
    orgs, _ = prepare_records(samples.files, aviation)
    truth = record_truth(orgs, samples.truth_records)
    with hotpass.Workspace(tmp_path / "ws") as ws:
        with hotpass.refine(samples.files, aviation, output=tmp_path / "a.xlsx", workspace=ws,
                            raise_blocked=False) as first:
            pairs = first.db.frame("SELECT key_l, key_r FROM pairs ORDER BY abs(match_weight), key_l, key_r")
        for a, b in pairs.head(MIN_LABELS + 2).itertuples(index=False):
            ws.decide("same" if truth[a] == truth[b] else "different", a, b, reviewer="test")
        with hotpass.refine(samples.files, aviation, output=tmp_path / "b.xlsx", workspace=ws,
                            raise_blocked=False, retrain_from_labels=True) as second:
            meta = second.db.meta("resolution")
        table = hotpass.label_accuracy(ws)
    assert meta["labels"] == MIN_LABELS + 2 and meta["trained"]
    assert set(table["labels"]) == {MIN_LABELS + 2}
    assert table["current"].sum() == 1
    assert table.loc[table["current"], "threshold"].item() == aviation.entities["organisation"].resolution.match_threshold
    shown = CliRunner().invoke(app, ["review", "accuracy", "--workspace", str(tmp_path / "ws")])
    assert shown.exit_code == 0, shown.output
    assert f"{MIN_LABELS + 2} labelled pairs" in shown.output and "*0.92" in shown.output


def test_the_labels_options_are_documented():
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "`--retrain-from-labels`" in doc
    assert "hotpass review accuracy" in doc
