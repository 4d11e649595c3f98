"""kill -9 at any point of a refine: nothing saved is lost, outputs appear as a whole or not at all.

A real ``hotpass refine`` process is held at a named point (``HOTPASS_PAUSE_AT``,
:mod:`hotpass.checkpoints`) and killed with SIGKILL there. The workspace keeps
every decision, approval, user and audit entry; each output folder holds the
previous complete set or the new complete set; the next run cleans what the
killed one left and gives the same tables and bytes as a run never killed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from hotpass.enrich import ProposalStore
from hotpass.export.atomic import TEMP_NAME
from hotpass.export.staging import JOURNAL, MARK
from hotpass.samples import generate_samples
from hotpass.users import Users
from hotpass.workspace import Workspace

#: Output folders of the CLI runs below, relative to the case folder.
FOLDERS = ("out", "out/csv", "out/pq")
#: Files whose bytes must repeat exactly (the report carries the time it was made).
EXACT = (".csv", ".parquet", ".xlsx")


def refine(case: Path, files: list[str], pause: str | None = None, env_extra: dict | None = None,
           **popen) -> subprocess.Popen:
    """``hotpass refine`` of ``files`` in ``case`` (workspace ``ws``, outputs under ``out``)."""
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", **(env_extra or {})}
    env.pop("HOTPASS_PAUSE_AT", None)
    if pause:
        env.update(HOTPASS_PAUSE_AT=pause, HOTPASS_PAUSED=str(case / "paused"))
    command = [sys.executable, "-m", "hotpass", "refine", *files, "-p", "aviation", "-o", "out/deliverable.xlsx",
               "--csv-dir", "out/csv", "--parquet-dir", "out/pq", "-w", "ws", "-q"]
    return subprocess.Popen(command, cwd=case, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)


def finished(process: subprocess.Popen) -> None:
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, out + err


def visible(case: Path) -> dict[str, dict[str, str]]:
    """Per output folder: file name -> SHA-256 (name only for the report), hidden files left out."""
    found = {}
    for folder in FOLDERS:
        path = case / folder
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")) \
            if path.exists() else []
        found[folder] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.suffix in EXACT else "" for p in files}
    return found


def leftovers(case: Path) -> list[str]:
    """Staging folders, journals and temporary files anywhere under ``case``."""
    return [str(p.relative_to(case)) for p in case.rglob("*")
            if MARK in p.name or p.name == JOURNAL or TEMP_NAME.match(p.name) or p.name.endswith(".tmp")]


def tables(case: Path, run_id: int) -> dict[str, str]:
    """Every table of a stored run (``meta`` aside: it holds timings and the run's own paths) as a digest
    of its rows in their stored order."""
    con = duckdb.connect(str(case / "ws" / "runs" / str(run_id) / "run.duckdb"), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        digests = {}
        for name in names:
            if name == "meta":
                continue
            rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
            text = repr(rows).replace(str(case), "<case>")  # the input files' paths
            digests[name] = hashlib.sha256(text.encode()).hexdigest()
        return digests
    finally:
        con.close()


def saved_state(case: Path) -> dict:
    """What the workspace holds that a run must never lose."""
    with Workspace(case / "ws") as ws:
        return {"decisions": ws.decisions()[["decision_id", "kind", "record_key", "other_key", "reviewer"]]
                .to_dict("records"),
                "approved": ProposalStore(ws).frame(status="approved")["proposal_id"].tolist(),
                "users": sorted((u.username, u.role) for u in Users(ws).list()),
                "audit": ws.query("SELECT audit_id, action, username FROM audit ORDER BY audit_id")}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A workspace after one complete run of three workbooks, with a decision, an approval, a user
    and an audit entry of its own; and the tables and outputs of an unkilled run of two of them."""
    base = tmp_path_factory.mktemp("durability") / "base"
    base.mkdir()
    samples = generate_samples(base / "in", rows=120, seed=5)
    every = [str(Path("in") / f.name) for f in samples.files]
    finished(refine(base, every))
    with Workspace(base / "ws") as ws:
        ws.decide("different", "org:durable-a", "org:durable-b", reviewer="ann")
        Users(ws).add("durable", "reviewer", "a long enough password 1", by="ann")
        ws.audit("ann", "test.durable", note="kept through kill -9")
        proposals = ProposalStore(ws).frame()
        assert len(proposals), "the sample should give an enrichment proposal to approve"
        ProposalStore(ws).decide([int(proposals["proposal_id"].iloc[0])], "approved", reviewer="ann")
    reference = base.parent / "reference"
    shutil.copytree(base, reference)
    fewer = every[:2]
    finished(refine(reference, fewer))
    return {"base": base, "before": visible(base), "every": every, "fewer": fewer, "after": visible(reference),
            "tables": tables(reference, 2), "state": saved_state(base)}


POINTS = ["ingest", "resolve", "export:0.5", "report", "commit", "commit-moved"]


@pytest.mark.parametrize("point", POINTS)
def test_a_refine_killed_at_any_point_loses_nothing_and_the_next_run_is_whole(world, tmp_path, point):
    case = tmp_path / "case"
    shutil.copytree(world["base"], case)
    process = refine(case, world["fewer"], pause=point, start_new_session=True)
    deadline = time.monotonic() + 300
    while not (case / "paused").exists():
        assert process.poll() is None, f"ended before {point}: {process.communicate()}"
        assert time.monotonic() < deadline, f"never reached {point}"
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL

    kept = saved_state(case)
    for what, before in world["state"].items():
        missing = [item for item in before if item not in kept[what]]
        assert not missing, f"kill at {point} lost {what}: {missing}"
    now = visible(case)
    for folder in FOLDERS:
        assert now[folder] in (world["before"][folder], world["after"][folder]), \
            f"{folder} after a kill at {point} is neither the previous set nor the new one"
    if point != "commit-moved":
        assert now == world["before"], f"nothing should have moved before the commit ({point})"
    else:  # the workbook's folder moved, the CSV folder not yet: the next run finishes the move
        assert now["out"] == world["after"]["out"] and now["out/csv"] == world["before"]["out/csv"]
    if point in ("export:0.5", "report", "commit", "commit-moved"):
        assert leftovers(case), "the kill should have left a staging folder behind"

    finished(refine(case, world["fewer"]))
    assert visible(case) == world["after"]
    assert leftovers(case) == []
    assert tables(case, 3) == world["tables"], "the run after the kill gives other tables"
    with Workspace(case / "ws") as ws:
        assert ws.run(2)["status"] in ("running", "failed")  # failed once its heartbeat is 60 s old
        assert ws.run(3)["status"] == "ok"


def test_the_same_inputs_give_the_same_tables_and_bytes(world, tmp_path):
    """Each under another hash seed: two runs of the same files in one workspace that both follow a
    run of those files (so what changed is the same too), and a first run in a fresh workspace
    against the first run of the base one: the same tables, and CSV, Parquet and workbook files
    byte for byte."""
    again = tmp_path / "again"
    shutil.copytree(world["base"], again)
    fresh = tmp_path / "fresh"
    shutil.copytree(world["base"] / "in", fresh / "in")
    every = world["every"]  # in the same order: the order of the files gives the records their ids
    seen = []
    for case, seed in ((again, "1"), (again, "2"), (again, "3"), (fresh, "4")):
        finished(refine(case, every, env_extra={"PYTHONHASHSEED": seed}))
        seen.append(visible(case))
    differ = sorted(f"{folder}/{name}" for folder in FOLDERS for name in {*seen[1][folder], *seen[2][folder]}
                    if seen[1][folder].get(name) != seen[2][folder].get(name))
    # the workbook's Summary names the run it was compared with ("0 change(s) since run 3")
    assert differ == ["out/deliverable.xlsx"], "a run of the same files in the same workspace wrote other bytes"
    assert seen[3] == world["before"], "a first run in a fresh workspace wrote other bytes than the first"
    assert any(name.endswith(".parquet") for name in seen[1]["out/pq"]) and "changes.csv" in seen[1]["out/csv"]
    assert tables(again, 3) == tables(again, 4)
    assert tables(fresh, 1) == tables(world["base"], 1)
