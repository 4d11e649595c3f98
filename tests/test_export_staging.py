"""Outputs moved into place as a whole; what killed writers left is cleaned, what live ones hold is not."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hotpass.export.atomic import atomic_path, stale_temp
from hotpass.export.staging import JOURNAL, MANIFEST, MARK, Staging, apply, clean


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def staged_names(folder) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if MARK in p.name)


def test_a_new_folder_appears_in_one_step_with_its_manifest(tmp_path):
    staging = Staging()
    inner = staging.folder(tmp_path / "csv", "csv")
    (inner / "a.csv").write_text("a\n")
    staging.claim("csv", [inner / "a.csv"])
    assert not (tmp_path / "csv").exists(), "nothing is visible before the commit"
    staging.commit()
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [MANIFEST, "a.csv"]
    assert json.loads((tmp_path / "csv" / MANIFEST).read_text()) == {"csv": ["a.csv"]}
    assert staged_names(tmp_path / "csv") == []


def test_into_an_existing_folder_the_old_set_is_replaced_and_other_files_kept(tmp_path):
    out = tmp_path / "out"
    for names in (["old.csv", "both.csv"], ["both.csv", "new.csv"]):
        staging = Staging()
        for name in names:
            staging.file(out / name, "csv").write_text(name)
        out.mkdir(exist_ok=True)
        (out / "mine.txt").write_text("the operator's own file")
        staging.commit()
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "both.csv", "mine.txt", "new.csv"]
    assert (out / "both.csv").read_text() == "both.csv"


def test_a_failed_run_discards_its_staging_and_changes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("previous")
    staging = Staging()
    staging.file(out / "report.html", "report").write_text("half")
    staging.discard()
    assert (out / "report.html").read_text() == "previous"
    assert staged_names(out) == []


def _abandoned(out, journal: bool):
    """A staging folder left by a killed process (its lock gone with it), with or without a journal."""
    staged = out.parent / f".{out.name}{MARK}.{dead_pid()}.abcd1234"
    staged.mkdir()
    (staged / "new.csv").write_text("new")
    if journal:
        plan = {"target": str(out), "staged": str(staged), "whole": False, "moves": ["new.csv"],
                "remove": ["old.csv"], "manifest": {"csv": ["new.csv"]}}
        (staged / JOURNAL).write_text(json.dumps(plan))
    return staged


@pytest.mark.parametrize("journal", [False, True])
def test_clean_removes_or_finishes_what_a_killed_run_left(tmp_path, journal):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("old")
    staged = _abandoned(out, journal)
    assert clean([out]) == 1
    assert not staged.exists()
    expected = ["new.csv"] if journal else ["old.csv"]  # a journal means the move had begun: finish it
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == expected


def test_a_journal_can_be_applied_twice(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    staged = _abandoned(out, journal=True)
    plan = json.loads((staged / JOURNAL).read_text())
    apply(plan)
    apply(plan)
    assert (out / "new.csv").read_text() == "new"


def test_clean_leaves_a_live_runs_staging_and_temporary_files_alone(tmp_path):
    out = tmp_path / "out"
    staging = Staging()
    inner = staging.folder(out, "csv")
    old = 1_000_000_000  # 2001: far older than the grace period, so only the lock protects them
    os.utime(inner, (old, old))
    out.mkdir()
    with atomic_path(out / "a.csv") as temp:
        os.utime(temp, (old, old))
        assert clean([out]) == 0
        assert inner.exists() and temp.exists() and not stale_temp(temp)
    staging.discard()


def test_temporary_files_of_dead_writers_are_removed(tmp_path):
    pid = dead_pid()
    names = [f".a.csv.{pid}-0123456789ab.tmp", f".a.csv.{pid}-0123456789ab.tmp.raw",
             ".b.xlsx.0123456789ab.tmp", f".values.parquet.{pid}.tmp"]
    for name in names:
        (tmp_path / name).write_text("partial")
    (tmp_path / ".hidden-but-mine").write_text("kept")
    (tmp_path / "data.tmp").write_text("kept: not a name Hotpass writes")
    assert clean([tmp_path]) == len(names)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden-but-mine", "data.tmp"]


def test_a_folder_whose_parent_cannot_be_written_is_staged_inside_it(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.csv").write_text("old")
    monkeypatch.setattr(os, "access", lambda path, mode: os.fspath(path) != os.fspath(tmp_path))
    staging = Staging()
    inner = staging.file(out / "new.csv", "csv")
    assert inner.parent.parent == out and inner.parent.name.startswith(MARK)
    inner.write_text("new")
    staging.commit()
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "new.csv", "old.csv"]
    left = out / f"{MARK}.{dead_pid()}.abcd1234"  # one a killed run left inside
    left.mkdir()
    assert clean([out]) == 1 and not left.exists()
