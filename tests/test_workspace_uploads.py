"""Uploads kept per user in the workspace: hostile names stay inside, same bytes once, removal."""

from __future__ import annotations

import hashlib
import json

import pytest

from hotpass.errors import WorkspaceError
from hotpass.workspace import Workspace
from hotpass.workspace.uploads import MAX_NAME_BYTES, safe_name

DATA = b"name,phone\nAcme,011 555 0100\n"


@pytest.fixture
def ws(tmp_path):
    with Workspace(tmp_path / "ws") as workspace:
        yield workspace


def _inside(ws, path) -> bool:
    return path.resolve().is_relative_to((ws.directory / "uploads").resolve())


def test_an_upload_is_kept_under_the_user_and_its_hash(ws):
    row = ws.add_upload("ann", "crm export.xlsx", DATA)
    digest = hashlib.sha256(DATA).hexdigest()
    assert row["path"] == ws.directory / "uploads" / "ann" / digest / "crm export.xlsx"
    assert row["path"].read_bytes() == DATA
    assert (row["upload_id"], row["username"], row["name"], row["sha256"], row["size"]) == (
        1, "ann", "crm export.xlsx", digest, len(DATA))
    assert row["removed_at"] is None and row["uploaded_at"] is not None
    assert not list(row["path"].parent.glob(".incoming-*")), "no temporary file is left behind"


@pytest.mark.parametrize("name, expected", [
    ("..", "upload"), (".", "upload"), ("", "upload"), ("   ", "upload"), (None, "upload"),
    ("/etc/passwd", "passwd"), ("../../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"),
    ("C:\\Users\\ann\\list.xlsx", "list.xlsx"), ("evil\x00.xlsx", "evil_.xlsx"),
    ("bell\x07\nnew\rline.csv", "bell__new_line.csv"), (".hidden.csv", "hidden.csv"),
    ("sub/..", "upload"), ("naïve café.xlsx", "naïve café.xlsx"), ("a\x7f", "a_"),
])
def test_hostile_names_are_made_safe(ws, name, expected):
    assert safe_name(name) == expected
    row = ws.add_upload("ann", name, DATA + str(name).encode())
    assert row["name"] == expected and row["path"].name == expected
    assert _inside(ws, row["path"]) and row["path"].is_file()


def test_a_very_long_name_is_cut_and_keeps_its_extension(ws):
    row = ws.add_upload("ann", "é" * 300 + ".xlsx", DATA)
    assert row["name"].endswith(".xlsx") and len(row["name"].encode()) <= MAX_NAME_BYTES
    assert row["path"].is_file()


def test_usernames_that_could_not_be_a_folder_are_refused(ws):
    for bad in ("..", "../ann", "", "a/b", None, ".hidden"):
        with pytest.raises(WorkspaceError, match="cannot keep uploads for the username"):
            ws.add_upload(bad, "a.csv", DATA)
    assert not (ws.directory / "uploads").exists()


def test_the_same_bytes_twice_reuse_the_active_row(ws):
    first = ws.add_upload("ann", "a.csv", DATA)
    again = ws.add_upload("ann", "renamed.csv", DATA)
    assert again == first and [u["upload_id"] for u in ws.uploads("ann")] == [1]
    assert not (first["path"].parent / "renamed.csv").exists()
    other = ws.add_upload("bob", "a.csv", DATA)  # another user: a row (and a file) of its own
    assert other["upload_id"] == 2 and other["path"] != first["path"]
    detail = json.loads(ws.audit_log(action="upload.add").at[1, "detail"])
    assert detail == {"reused": True, "size": len(DATA), "upload_id": 1}


def test_uploads_survive_reopening_in_upload_order(tmp_path):
    with Workspace(tmp_path) as ws:
        for i in range(3):
            ws.add_upload("ann", f"file{i}.csv", DATA + bytes([i]))
    with Workspace(tmp_path) as ws:
        assert [u["name"] for u in ws.uploads("ann")] == ["file0.csv", "file1.csv", "file2.csv"]
        assert ws.uploads("bob") == []


def test_removing_marks_the_row_and_deletes_the_file_when_unused(ws):
    kept = ws.add_upload("ann", "a.csv", DATA)
    ws.remove_upload("ann", kept["upload_id"])
    assert ws.uploads("ann") == [] and not kept["path"].exists() and not kept["path"].parent.exists()
    removed = ws.query("SELECT removed_at FROM uploads WHERE upload_id = ?", [kept["upload_id"]])[0][0]
    assert removed is not None
    again = ws.add_upload("ann", "a.csv", DATA)
    assert again["upload_id"] == 2 and again["path"].read_bytes() == DATA
    with pytest.raises(WorkspaceError, match="ann has no upload 1"):
        ws.remove_upload("ann", 1)
    with pytest.raises(WorkspaceError, match="bob has no upload 2"):
        ws.remove_upload("bob", 2)
    assert again["path"].exists(), "another user cannot remove it"


def test_the_audit_log_has_ids_and_sizes_but_no_names(ws):
    row = ws.add_upload("ann", "Jane Doe contacts.xlsx", DATA)
    ws.remove_upload("ann", row["upload_id"])
    log = ws.audit_log()
    assert log["action"].tolist() == ["upload.remove", "upload.add"]
    assert [json.loads(d) for d in log["detail"]] == [{"size": len(DATA), "upload_id": 1}] * 2
    assert "Jane" not in log.to_json()


def test_a_file_that_vanished_before_the_row_was_written_is_written_again(ws, monkeypatch):
    import hotpass.workspace.uploads as uploads

    real = uploads._write
    calls = []

    def write_then_lose(path, data):
        real(path, data)
        calls.append(path)
        if len(calls) == 1:
            path.unlink()  # another process removed it between the write and the transaction

    monkeypatch.setattr(uploads, "_write", write_then_lose)
    row = ws.add_upload("ann", "a.csv", DATA)
    assert len(calls) == 2 and row["path"].read_bytes() == DATA


# --- the workbench's drop zone with names that are not workbooks --------------------------------

from tests.test_app import drop_zone, logged_in, texts, ws_dir  # noqa: E402,F401  (ws_dir: a fixture)


@pytest.mark.parametrize("name", ["..", ".", "../..", "notes.txt", "/"])
def test_a_drop_named_like_a_folder_or_not_a_workbook_is_refused_with_its_name(ws_dir, name):
    at = logged_in("ope1")
    at.switch_page("app_pages/upload.py").run()
    drop_zone(at).set_value((name, DATA, "text/csv")).run()
    assert not at.exception
    assert f"{name}: not a workbook this page reads" in texts(at.error)
    with Workspace(ws_dir) as ws:
        assert ws.uploads("ope1") == []
    drop_zone(at).set_value(("good.csv", DATA, "text/csv")).run()  # the page still works
    assert not at.exception
    with Workspace(ws_dir) as ws:
        assert [u["name"] for u in ws.uploads("ope1")] == ["good.csv"]
