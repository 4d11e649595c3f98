"""The pipeline: one list of stages over one database per run; runs recorded, blocked, published, failed."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hotpass import pipeline
from hotpass.errors import HotpassError, PublishBlocked
from hotpass.pipeline import STAGE_NAMES, STAGES, execute, publish, refine
from hotpass.result import RUN_FILE, open_run
from hotpass.run import Request, Run
from hotpass.rundb import RunDB
from hotpass.workspace import Workspace
from tests.conftest import ROOT

PACKAGE = ROOT / "hotpass"


def test_the_stages_are_one_list_of_functions_of_run_and_profile():
    assert STAGE_NAMES == ["ingest", "map", "screen", "records", "measure", "normalise", "link", "keys",
                           "suppress", "basis", "resolve", "merge", "consent", "enrich", "corrections", "tables",
                           "changes",
                           "validate", "privacy", "gate", "export", "report"]
    for name, stage in STAGES:
        assert list(inspect.signature(stage).parameters) == ["run", "profile"], name


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The hotpass modules a file imports, anywhere in its code (``from pkg import sub`` is an
    import of ``pkg.sub``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            found.update(subs or {node.module})
            if len(subs) < len(node.names):
                found.add(node.module)
    return {name for name in found if name.split(".")[0] == "hotpass"}


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_there_is_no_import_cycle_in_the_library():
    modules = {_module_of(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        if name == "hotpass":  # the facade imports lazily, on attribute access
            continue
        own = set(modules)
        graph[name] = {m for m in _imports(path, own) if m in modules and m != name and m != "hotpass"
                       and not name.startswith(m + ".")}  # a package's own __init__ runs first anyway
    seen, stack, cycles = set(), [], []

    def visit(node):
        if node in stack:
            cycles.append(stack[stack.index(node):] + [node])
            return
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            visit(nxt)
        stack.pop()

    for module in sorted(graph):
        visit(module)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_the_library_never_imports_streamlit():
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "streamlit" for n in names), path
    code = ("import importlib, pkgutil, sys, hotpass\n"
            "for m in pkgutil.walk_packages(hotpass.__path__, 'hotpass.'):\n"
            "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_a_run_is_recorded_with_its_database_and_outputs(samples, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        with refine(samples.files, aviation, workspace=ws, username="olga") as result:
            run = ws.runs().iloc[0]
            assert (run["status"], run["username"]) == ("ok", "olga")
            assert json.loads(run["summary"])["Output organisations"] == len(result.organisations)
            assert (ws.run_dir(result.run_id) / RUN_FILE).is_file()
            assert Path(result.outputs["workbook"]).is_file() and Path(result.outputs["report_html"]).is_file()
            assert "mapping.sheet_role" in set(result.findings["code"])  # what reading and mapping found
            assert set(result.timings) == set(STAGE_NAMES)
        stages = ws.stages(result.run_id)
        assert list(stages["stage"]) == STAGE_NAMES and set(stages["status"]) == {"done"}


def test_a_blocked_run_is_stored_and_can_be_published_with_a_reason(samples, aviation, tmp_path):
    strict = aviation.model_copy(deep=True)
    strict.validation.blocking = [*strict.validation.blocking, "organisations.phone_e164"]
    with Workspace(tmp_path / "ws") as ws:
        with pytest.raises(PublishBlocked, match="phone_e164"):
            refine(samples.files, strict, workspace=ws, username="olga")
        run_id = int(ws.runs().iloc[0]["run_id"])
        assert ws.runs().iloc[0]["status"] == "blocked"
        with open_run(ws, run_id) as stored:
            assert not stored.published and "workbook" not in stored.outputs
            assert [b["id"] for b in stored.gate["blocked_by"]] == ["organisations.phone_e164"]
        with pytest.raises(ValueError, match="reason"):
            publish(ws, run_id, strict, "  ", "olga")
        with publish(ws, run_id, strict, "checked by hand", "olga") as published:
            assert published.published and Path(published.outputs["workbook"]).is_file()
        assert ws.runs().iloc[0]["status"] == "ok"
        detail = json.loads(ws.audit_log("publish.override").iloc[0]["detail"])
    assert detail["reason"] == "checked by hand"


def test_a_failed_stage_marks_the_run_and_the_stage_failed(samples, aviation, tmp_path, monkeypatch):
    def broken(run, profile):
        raise HotpassError("crm_export.xlsx: boom")

    stages = [(name, broken if name == "merge" else stage) for name, stage in STAGES]
    monkeypatch.setattr(pipeline, "STAGES", stages)
    with Workspace(tmp_path / "ws") as ws:
        with pytest.raises(HotpassError, match="boom"):
            refine(samples.files, aviation, workspace=ws, username="olga")
        run = ws.runs().iloc[0]
        assert run["status"] == "failed" and "boom" in json.loads(run["summary"])["error"]
        stages = ws.stages(int(run["run_id"])).set_index("stage")
        assert stages.loc["merge", "status"] == "failed" and stages.loc["resolve", "status"] == "done"


def test_any_stage_runs_again_from_its_inputs_with_the_same_tables(samples, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        with refine(samples.files, aviation, workspace=ws) as result:
            run_id = result.run_id
            before = {t: result.table(t) for t in ("golden_organisation", "golden_contact", "out_clusters")}
        db = RunDB(ws.run_dir(run_id) / RUN_FILE)
        run = Run(db, Request.from_dict(db.meta("request")), ws.run_dir(run_id), ws, run_id)
        execute(run, aviation, start="merge", stop="merge")
        execute(run, aviation, start="tables", stop="tables")
        for table, frame in before.items():
            if table.startswith("golden"):
                after = db.frame(table)
                if table == "golden_organisation":  # enrichment had filled approved values; none here
                    after = after[frame.columns]
                assert after.equals(frame), table
        assert db.frame("out_clusters").equals(before["out_clusters"])
        db.close()


def test_merge_run_again_keeps_one_provenance_row_per_field_of_a_people_list(tmp_path):
    from hotpass.profile import load_profile
    from hotpass.samples.people import write_people

    person = load_profile("person")
    with Workspace(tmp_path / "ws") as ws:
        with refine(write_people(tmp_path / "in", n=200), person, workspace=ws) as result:
            run_id, before = result.run_id, result.table("provenance")
        assert len(before) and not before.duplicated().any()
        db = RunDB(ws.run_dir(run_id) / RUN_FILE)
        run = Run(db, Request.from_dict(db.meta("request")), ws.run_dir(run_id), ws, run_id)
        execute(run, person, start="merge", stop="merge")
        assert db.frame("provenance").equals(before)  # was appended a second time
        db.close()


def test_the_cli_uses_the_library_through_its_facade():
    for name in ("cli.py", "cli_users.py", "cli_enrich.py", "cli_privacy.py", "cli_subject.py"):
        tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hotpass."):
                assert node.module in ("hotpass.cli_common", "hotpass.cli_enrich", "hotpass.cli_users",
                                       "hotpass.cli_privacy", "hotpass.cli_subject"), (
                    f"{name} imports {node.module}: use the facade (import hotpass)")
