"""Data-subject requests: search, export, correct and erase one person across a whole workspace.

The workspace holds two refines of uploaded files: the synthetic aviation
sample and a people workbook written here, which holds one contact of the
sample again (another spelling of their email, their mobile in local form,
their name in capitals) beside people of its own.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hotpass.cli import app
from hotpass.pipeline import refine
from hotpass.privacy import suppression
from hotpass.privacy.dsar import Subject, correct, export, output_files, search
from hotpass.privacy.dsar_erase import erase
from hotpass.privacy.dsar_match import Matcher
from hotpass.profile import load_profile
from hotpass.samples import generate_samples
from hotpass.workspace import Workspace

OTHERS = [("Pieter", "van der Merwe", "pieter.vdm@example.net", "083 555 0202"),
          ("Thandi", "Nkosi", "thandi.nkosi@example.com", "084 555 0303")]


def _person(samples) -> dict:
    """A contact of the sample with an email and a mobile whose name nobody else has."""
    truth = pd.read_csv(samples.truth_contacts, dtype=str)
    truth["name"] = truth["first_name"] + " " + truth["last_name"]
    single = truth[truth["name"].map(truth["name"].value_counts()) == 1]
    chosen = single[single["email"].notna() & single["mobile_e164"].notna()].iloc[0]
    return {"email": chosen["email"], "phone": chosen["mobile_e164"], "name": chosen["name"],
            "first": chosen["first_name"], "last": chosen["last_name"]}


def _people_workbook(path: Path, person: dict) -> Path:
    """Members: the chosen person (email upper-cased, mobile as 0xx xxx xxxx) and two others."""
    local = "0" + person["phone"][3:5] + " " + person["phone"][5:8] + " " + person["phone"][8:]
    rows = [(person["first"].upper(), person["last"].upper(), person["email"].upper(), local, "12 Oak Street")]
    rows += [(first, last, email, phone, "1 Elm Road") for first, last, email, phone in OTHERS]
    frame = pd.DataFrame(rows, columns=["First Name", "Surname", "Email Address", "Mobile", "Street Address"])
    frame.to_excel(path, index=False, sheet_name="Members")
    return path


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    """A workspace with two refines of uploads (aviation sample; people workbook) and a decision
    about the person's record, and the person."""
    root = tmp_path_factory.mktemp("dsar")
    samples = generate_samples(root / "samples", rows=120, seed=3)
    person = _person(samples)
    people = _people_workbook(root / "members.xlsx", person)
    with Workspace(root / "ws") as ws:
        aviation = [ws.add_upload("ann", f.name, f.read_bytes())["path"] for f in samples.files]
        refine(aviation, load_profile("aviation"), workspace=ws, username="ann").close()
        members = ws.add_upload("ann", people.name, people.read_bytes())["path"]
        refine([members], load_profile("person"), workspace=ws, username="ann").close()
        found = search(ws, Subject.of(email=person["email"]), audit=False)
        other = search(ws, Subject.of(email=OTHERS[0][2]), audit=False)
        ws.decide("different", sorted(found.keys)[0], sorted(other.keys)[0], reviewer="ann")
    return root, person


@pytest.fixture
def workspace(master, tmp_path):
    root, person = master
    shutil.copytree(root / "ws", tmp_path / "ws")
    return tmp_path / "ws", person


def _subject(person: dict) -> Subject:
    return Subject.of(email=person["email"], phone=person["phone"], name=person["name"])


# --- matching ------------------------------------------------------------------------------------


def test_a_subject_is_normalised_like_the_pipeline():
    subject = Subject.of(email=" Zanele.Mokoena@Example.ORG ", phone="082 555 0199", name="  Zánele  MOKOENA ")
    assert (subject.email, subject.phone, subject.name) == ("zanele.mokoena@example.org", "+27825550199",
                                                            "zanele mokoena")
    matcher = Matcher(subject)
    assert matcher.cell("27825550199.0") == {"phone": "exact"}
    assert matcher.cell("+27 (0)82 555 0199 / 011 222 3333") == {"phone": "exact"}
    assert matcher.cell("1825550199") == {}
    assert matcher.cell("xzanele.mokoena@example.org") == {}
    assert matcher.cell("Mokoena, Zanele") == {"name": "exact"}
    assert matcher.cell("Zanelle Mokoena") == {"name": "possible"}
    assert matcher.row({"given": "ZANELE", "family": "Mokoena", "other": "x"}) == {
        "given": {"name": "exact"}, "family": {"name": "exact"}}
    assert matcher.redact("Zanele Mokoena (CEO); Piet Pompies") == "(CEO); Piet Pompies"
    assert matcher.redact("zanele.mokoena@example.org; thandi@example.com") == "thandi@example.com"


def test_a_request_without_a_usable_key_is_refused():
    from hotpass.privacy.dsar_match import SubjectError

    with pytest.raises(SubjectError, match="give an email, a phone or a name"):
        Subject.of()
    with pytest.raises(SubjectError, match="phone"):
        Subject.of(phone="not a number at all")


# --- search and export ---------------------------------------------------------------------------


def test_search_finds_the_person_in_every_place_they_are_held(workspace):
    path, person = workspace
    with Workspace(path) as ws:
        found = search(ws, _subject(person), username="dpo")
        log = ws.audit_log("subject.search")
    assert not found.notes
    tables = {(p.run_id, p.location) for p in found.exact if p.area == "run table"}
    for run_id in (1, 2):
        assert {(run_id, "provenance"), (run_id, "findings"), (run_id, "norm_values"),
                (run_id, "clusters") if run_id == 2 else (run_id, "contact_member_of")} <= tables
        assert any(location.startswith("sheet_") for r, location in tables if r == run_id)
    assert {(1, "contact_records"), (1, "golden_contact"), (1, "out_contacts")} <= tables
    assert {(2, "person_records"), (2, "golden_person"), (2, "out_people"), (2, "members_person")} <= tables
    outputs = {(p.run_id, Path(p.location).suffix) for p in found.exact if p.area == "run output"}
    assert {(1, ".xlsx"), (1, ".csv"), (1, ".parquet"), (2, ".xlsx"), (2, ".csv"), (2, ".parquet")} <= outputs
    uploads = {Path(p.location).name for p in found.exact if p.area == "upload"}
    assert "members.xlsx" in uploads and uploads & {"crm_export.xlsx", "legacy_contacts.xlsx"}
    assert ("workspace", "decisions") in {(p.area, p.location) for p in found.exact}
    assert found.runs == [1, 2]
    entry = log.iloc[0]
    detail = json.loads(entry["detail"])
    assert entry["username"] == "dpo" and detail["places"] == len(found.exact) and detail["keys"] == [
        "email", "phone", "name"]
    _no_values(entry["detail"], person)


def _no_values(text: str, person: dict) -> None:
    low = text.lower()
    assert person["email"].lower() not in low and person["phone"][3:] not in low
    assert person["last"].lower() not in low


def test_export_holds_everything_found_in_json_markdown_and_html(workspace, tmp_path):
    path, person = workspace
    with Workspace(path) as ws:
        found = search(ws, _subject(person), audit=False)
        target = export(ws, found, tmp_path / "out" / "request.zip", username="dpo")
        entry = ws.audit_log("subject.export").iloc[0]
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == ["subject.json", "summary.html", "summary.md"]
        document = json.loads(archive.read("subject.json"))
        markdown = archive.read("summary.md").decode()
        page = archive.read("summary.html").decode()
    assert len(document["places"]) == len(found.places)
    golden = [p for p in document["places"] if p["location"] == "golden_person"]
    assert golden and golden[0]["values"]["email"].lower() == person["email"].lower()
    assert person["email"].lower() in markdown.lower() and person["email"].lower() in page.lower()
    import hashlib

    detail = json.loads(entry["detail"])
    assert detail["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    _no_values(entry["detail"], person)


def test_cli_search_lists_places_without_values(workspace):
    path, person = workspace
    result = CliRunner().invoke(app, ["subject", "search", "--email", person["email"].upper(), "-w", str(path)])
    assert result.exit_code == 0, result.output
    assert "place(s) hold this person" in result.output and "golden_person" in result.output
    assert person["email"].lower() not in result.output.lower()
    refused = CliRunner().invoke(app, ["subject", "erase", "--email", person["email"], "--reason", "r", "-w",
                                       str(path)], input="n\n")
    assert refused.exit_code == 1 and "not erased" in refused.output
    with Workspace(path) as ws:
        assert search(ws, Subject.of(email=person["email"]), audit=False).exact


# --- correct ---------------------------------------------------------------------------------


def test_a_correction_is_applied_to_the_golden_record_in_later_runs(workspace):
    path, person = workspace
    with Workspace(path) as ws:
        with pytest.raises(Exception, match="no field 'shoe_size'"):
            correct(ws, Subject.of(email=person["email"]), "shoe_size", "9", "dpo")
        correction_id = correct(ws, Subject.of(email=person["email"]), "address_1", "7 Corrected Lane", "dpo")
        upload = [u for u in ws.uploads("ann") if u["name"] == "members.xlsx"][0]
        result = refine([upload["path"]], load_profile("person"), workspace=ws, username="ann")
        golden = result.table("golden_person")
        provenance = result.table("provenance")
        result.close()
        entry = ws.audit_log("subject.correct").iloc[0]
    mine = golden[golden["email"].str.lower() == person["email"].lower()]
    assert list(mine["address_1"]) == ["7 Corrected Lane"]
    assert set(golden[golden["email"].str.lower() != person["email"].lower()]["address_1"]) == {"1 Elm Road"}
    rules = provenance[(provenance["record_id"] == mine.iloc[0]["person_id"]) & (provenance["field"] == "address_1")]
    assert list(rules["rule"]) == [f"correction:{correction_id}"]
    assert json.loads(entry["detail"])["field"] == "address_1"
    _no_values(entry["detail"], person)


# --- erase ---------------------------------------------------------------------------------------


def test_erasure_removes_the_person_everywhere_and_a_new_refine_does_not_bring_them_back(workspace):
    path, person = workspace
    subject = _subject(person)
    with Workspace(path) as ws:
        before = search(ws, subject, audit=False)
        others = search(ws, Subject.of(email=OTHERS[1][2]), audit=False)
        done = erase(ws, subject, reason="DSAR 2026-12 erasure", username="dpo")
        assert done.left == [] and done.runs == [1, 2] and done.suppressed == 3
        assert done.uploads_rewritten and not _inside(search(ws, subject, audit=False))
        # the runs of this copy of the workspace read the uploads of the original, outside it: listed, kept
        assert any("outside the workspace: not changed" in note for note in done.notes)
        files = [p for run_id in (1, 2) for p in output_files(ws, run_id)]
        uploads = [u["path"] for u in ws.uploads("ann")]
        assert {p.suffix for p in files} >= {".xlsx", ".csv", ".parquet", ".html"}
        for file in files + uploads:
            _scan_bytes(file, person)
        assert not ws.query("SELECT 1 FROM decisions")
        databases = [*path.glob("runs/*/run.duckdb"), *path.glob("workspace.sqlite*")]
        for database in databases:  # not even in a freed page
            assert person["email"].lower().encode() not in database.read_bytes().lower(), database
        assert suppression.is_suppressed(ws, email=person["email"])
        kept = search(ws, Subject.of(email=OTHERS[1][2]), audit=False)  # the other people are still there
        assert _where(kept) >= _where(others) - {("cache", None)}
        members = [u["path"] for u in ws.uploads("ann") if u["name"] == "members.xlsx"]
        refine(members, load_profile("person"), workspace=ws, username="ann").close()
        aviation = [u["path"] for u in ws.uploads("ann") if u["name"] != "members.xlsx"]
        refine(aviation, load_profile("aviation"), workspace=ws, username="ann").close()
        after = search(ws, subject, username="dpo")
        log = ws.audit_log()
    assert _inside(before) and not _inside(after), [p.where() for p in _inside(after)]
    erased = log[log["action"] == "subject.erase"].iloc[0]
    assert erased["username"] == "dpo" and json.loads(erased["detail"])["left"] == 0
    for text in log["detail"].dropna():
        _no_values(text, person)


def _inside(found) -> list:
    """The exact places inside the workspace (not the files a run read from elsewhere)."""
    return [p for p in found.exact if p.area != "source file"]


def _where(found) -> set:
    """(area, table or file kind) of what a search found."""
    return {(p.area, p.location if p.area == "run table" else Path(p.location).suffix or None) for p in found.exact
            if p.area != "cache"} | {("cache", None) for p in found.exact if p.area == "cache"}


def _scan_bytes(path: Path, person: dict) -> None:
    """The file holds no trace of the person's email, phone or name (any spelling the pipeline knows)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
                 if v is not None]
        book.close()
        text = "\n".join(cells)
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
        text = "\n".join(str(v) for v in frame.astype(str).to_numpy().ravel())
    else:
        text = path.read_bytes().decode("utf-8", "replace")
        if suffix == ".csv":
            text = "\n".join(",".join(r) for r in csv.reader(io.StringIO(text)))
    low = text.lower()
    digits = "".join(c for c in low if c.isdigit() or c == "\n")
    assert person["email"].lower() not in low, path
    assert person["phone"][3:] not in digits, path
    assert f"{person['first']} {person['last']}".lower() not in low, path
