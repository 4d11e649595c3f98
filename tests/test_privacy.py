"""Personal data under control (issue 17): suppression, purposes, lawful basis, retention, register."""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

import hotpass
from hotpass.cli import app
from hotpass.normalise.email import normalise_email
from hotpass.normalise.phone import normalise_phone
from hotpass.privacy import purposes, register, retention, suppression
from hotpass.workspace.database import now

HEADER = ["Member No", "First name", "Surname", "Email", "Mobile", "Date of birth", "ID number", "Consent",
          "Consent source", "Consent date", "Opt out", "Lawful basis", "Shoe size"]
PEOPLE = [
    ["M001", "Thandi", "Mokoena", "thandi.mokoena@example.org", "082 555 0101", "1985-02-03", "8502030000081",
     "Yes", "Website form", "2024-03-01", "No", "", "5"],
    ["M002", "Pieter", "Vanderbijl", "pieter.vanderbijl@example.net", "+27 82 555 0102", "1979-11-12",
     "7911120000082", "", "", "", "", "Contract", "11"],
    ["M003", "Aisha", "Khan", "aisha.khan@example.com", "0825550103", "1990-07-21", "9007210000083",
     "", "", "", "Yes", "", "7"],
    ["M004", "Thandi", "Mokoena", "Thandi.Mokoena@Example.org", "082-555-0101", "1985-02-03", "8502030000081",
     "", "", "", "", "", "5"],
]
#: The suppressed person's identifiers as they appear anywhere (lower-cased for the search).
PIETER = ("vanderbijl", "pieter.vanderbijl", "5550102", "555 0102", "555-0102", "7911120000082")


def people_workbook(path: Path, rows=PEOPLE, header=HEADER) -> Path:
    pd.DataFrame(rows, columns=header).to_excel(path, index=False)
    return path


@pytest.fixture(scope="module")
def person():
    return hotpass.load_profile("person")


def refine(files, profile, ws, out: Path, **options):
    result = hotpass.refine(files, profile, output=out / "people.xlsx", csv_dir=out / "csv",
                            parquet_dir=out / "parquet", report_dir=out / "report", workspace=ws,
                            username="operator", raise_blocked=False, **options)
    with result:
        return Ran(result.run_id, result.summary)


class Ran:
    """What a test needs of a finished run once its database is closed."""

    def __init__(self, run_id, summary):
        self.run_id, self.summary = run_id, summary


def texts_of(out: Path) -> dict[str, str]:
    """Every output file as lower-cased text: workbook XML, CSV, Parquet values, report HTML/MD/JSON."""
    found = {}
    for path in sorted(out.rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                found[str(path)] = " ".join(book.read(n).decode("utf-8", "ignore") for n in book.namelist())
        elif path.suffix == ".parquet":
            found[str(path)] = pd.read_parquet(path).astype(str).to_csv()
        elif path.is_file():
            found[str(path)] = path.read_text("utf-8", errors="ignore")
    return {k: v.lower() for k, v in found.items()}


def holding(out: Path, needles=PIETER) -> list[str]:
    return sorted({f"{name}: {n}" for name, text in texts_of(out).items() for n in needles if n in text})


def test_suppression_survives_reimport_and_a_second_upload(tmp_path, person):
    first = people_workbook(tmp_path / "members.xlsx")
    second = people_workbook(tmp_path / "members-2025.xlsx", [
        ["A17", "PIETER", "VANDERBIJL", "PIETER.VANDERBIJL@EXAMPLE.NET", "(082) 555-0102", "1979-11-12",
         "", "", "", "", "", "", ""],
        ["A18", "Lerato", "Dube", "lerato@example.org", "083 555 0199", "1992-05-05", "", "", "", "", "", "", ""]])
    with hotpass.Workspace(tmp_path / "ws") as ws:
        refine([first], person, ws, tmp_path / "before")
        assert holding(tmp_path / "before"), "the person is in the outputs before being suppressed"
        added = suppression.suppress(ws, email="Pieter.Vanderbijl@Example.NET", phone="082 555 0102",
                                     reason="objection", username="admin")
        assert added == 2
        again = refine([first], person, ws, tmp_path / "again")
        other = refine([second], person, ws, tmp_path / "second")
    for out in ("again", "second"):
        assert list((tmp_path / out).rglob("*.xlsx")) and list((tmp_path / out).rglob("*.parquet"))
        assert list((tmp_path / out).rglob("*.csv")) and list((tmp_path / out).rglob("*.html"))
        assert holding(tmp_path / out) == []
    assert dict(again.summary)["Suppressed people left out"] == 1
    assert dict(other.summary)["Suppressed people left out"] == 1
    people = pd.read_parquet(tmp_path / "again" / "parquet" / "people.parquet")
    assert sorted(people["full_name"]) == ["Aisha Khan", "Thandi Mokoena"]
    lerato = pd.read_parquet(tmp_path / "second" / "parquet" / "people.parquet")
    assert list(lerato["full_name"]) == ["Lerato Dube"]


def test_the_workspace_never_holds_a_suppressed_persons_values(tmp_path, person):
    book = people_workbook(tmp_path / "members.xlsx")
    workspace = tmp_path / "ws"
    with hotpass.Workspace(workspace) as ws:
        suppression.suppress(ws, email="pieter.vanderbijl@example.net", reason="erasure", username="admin")
        refine([book], person, ws, tmp_path / "out")
        digest = suppression.digest(ws, "email", "PIETER.VANDERBIJL@example.net ")
        assert digest in suppression.hashes(ws)
        assert suppression.is_suppressed(ws, email=" Pieter.Vanderbijl@EXAMPLE.net")
        assert not suppression.is_suppressed(ws, email="aisha.khan@example.com")
    assert (workspace / suppression.KEY_FILE).stat().st_mode & 0o077 == 0
    for path in workspace.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            for needle in (b"pieter", b"vanderbijl", b"5550102", b"7911120000082"):
                assert needle not in data, f"{path} holds {needle!r}"
    assert holding(tmp_path / "out") == []


def test_identifiers_are_normalised_before_hashing(tmp_path):
    with hotpass.Workspace(tmp_path / "ws") as ws:
        assert suppression.digest(ws, "email", "A.B@Example.ORG") == suppression.digest(ws, "email", " a.b@example.org")
        assert suppression.digest(ws, "phone", "082 555 0101") == suppression.digest(ws, "phone", "+27 (82) 555-0101")
        assert suppression.digest(ws, "name", "Thandi  MOKOENA") == suppression.digest(ws, "name", "thandi mokoena")
        assert suppression.digest(ws, "email", "a@b.org") != suppression.digest(ws, "name", "a@b.org")
        with pytest.raises(ValueError, match="reason"):
            suppression.suppress(ws, email="a@b.org", reason=" ", username="admin")
        with pytest.raises(ValueError, match="email, a phone number or a name"):
            suppression.suppress(ws, reason="x", username="admin")
        assert suppression.suppress(ws, email="a@b.org", reason="x", username="admin") == 1
        assert suppression.suppress(ws, email="A@B.ORG", reason="again", username="admin") == 0
        assert suppression.unsuppress(ws, email="a@b.org", username="admin") == 1
        assert not suppression.is_suppressed(ws, email="a@b.org")
        detail = " ".join(ws.audit_log()["detail"])
    assert "a@b.org" not in detail.lower()
    assert b"a@b.org" not in (tmp_path / "ws" / "workspace.sqlite").read_bytes().lower()


@pytest.mark.parametrize("kind, value", [
    ("phone", "082 555 0101"), ("phone", "+27 82 555 0102"), ("phone", "021.555.0200"), ("phone", "0825550103"),
    ("phone", "+44 20 7946 0958"), ("phone", "+1 415-555-2671"), ("email", "A.B@Example.ORG"),
    ("email", "o'neil+tag@mail.example.co.za")])
def test_the_quick_reading_of_plain_values_is_the_normalisers(kind, value):
    quick = suppression._quick(kind, value, "ZA")
    expected = sorted({v.lower() for v in normalise_email(value).values}) if kind == "email" else \
        sorted({v for v in normalise_phone(value, "ZA").values if v.startswith("+")})
    assert quick == expected


def test_lawful_basis_from_the_workbook_and_from_the_upload_default(tmp_path, person):
    book = people_workbook(tmp_path / "members.xlsx")
    with hotpass.Workspace(tmp_path / "ws") as ws:
        refine([book], person, ws, tmp_path / "out", privacy={"purpose": "member_administration",
                                                                "lawful_basis": "legitimate_interest"})
    people = pd.read_parquet(tmp_path / "out" / "parquet" / "people.parquet").set_index("full_name")
    assert people.loc["Thandi Mokoena", "lawful_basis"] == "consent"  # Consent: Yes
    assert people.loc["Thandi Mokoena", "consent_source"] == "Website form"
    assert people.loc["Thandi Mokoena", "consent_date"] == "2024-03-01"
    assert people.loc["Pieter Vanderbijl", "lawful_basis"] == "contract"  # the Lawful basis column
    assert people.loc["Aisha Khan", "lawful_basis"] == "legitimate_interest"  # the upload's default
    assert "declared for the upload (member_administration)" in people.loc["Aisha Khan", "consent_source"]
    assert people.loc["Aisha Khan", "opt_out"] == "yes" and people.loc["Aisha Khan", "marketing"] == "opt-out"
    assert pd.isna(people.loc["Thandi Mokoena", "opt_out"])
    csv_people = pd.read_csv(tmp_path / "out" / "csv" / "people.csv", dtype=str)
    assert {"lawful_basis", "consent_source", "consent_date", "marketing", "opt_out"} <= set(csv_people.columns)


def test_an_upload_declaration_is_read_by_the_run(tmp_path, person):
    book = people_workbook(tmp_path / "members.xlsx")
    with hotpass.Workspace(tmp_path / "ws") as ws:
        purposes.declare(ws, "operator", hashlib.sha256(book.read_bytes()).hexdigest(), "marketing", "consent",
                         "newsletter sign-up")
        result = refine([book], person, ws, tmp_path / "out")
        declared = purposes.uploads(ws)
    assert [d["purpose"] for d in declared] == ["marketing"]
    assert dict(result.summary)["Purpose"] == "marketing"
    people = pd.read_parquet(tmp_path / "out" / "parquet" / "people.parquet")
    assert "date_of_birth" in people.columns and people["date_of_birth"].isna().all()
    assert set(people["lawful_basis"]) == {"consent", "contract"}  # Aisha: the declared consent


def test_columns_outside_the_purpose_never_reach_the_run_database(tmp_path, person):
    book = people_workbook(tmp_path / "members.xlsx")
    with hotpass.Workspace(tmp_path / "ws") as ws:
        result = refine([book], person, ws, tmp_path / "out", privacy={"purpose": "marketing"})
        database = ws.run_dir(result.run_id) / "run.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        dropped = {row[0] for row in con.execute(
            "SELECT \"column\" FROM findings WHERE code = 'privacy.column_dropped'").fetchall()}
        for (table,) in con.execute("SHOW TABLES").fetchall():
            text = con.execute(f'SELECT * FROM "{table}"').df().astype(str).to_csv()
            for value in ("1985-02-03", "8502030000081", "7911120000082", "Shoe size"):
                if table != "findings" and table != "sheets" and table != "meta":
                    assert value not in text, f"{table} holds {value}"
    assert {"Member No", "Date of birth", "ID number", "Shoe size"} <= dropped
    data = database.read_bytes()
    assert b"8502030000081" not in data and b"1985-02-03" not in data
    assert holding(tmp_path / "out", ("8502030000081", "1985-02-03", "1979-11-12")) == []


def test_purge_removes_what_is_past_retention_and_keeps_the_rest(tmp_path, person):
    book = people_workbook(tmp_path / "members.xlsx")
    with hotpass.Workspace(tmp_path / "ws") as ws:
        old = refine([book], person, ws, tmp_path / "old").run_id
        new = refine([book], person, ws, tmp_path / "new").run_id
        upload = ws.add_upload("operator", "members.xlsx", book.read_bytes())
        aged = now() - timedelta(days=person.privacy.retention_days + 5)
        ws.execute("UPDATE runs SET started_at = ?, finished_at = ? WHERE run_id = ?", [aged, aged, old])
        ws.execute("UPDATE uploads SET uploaded_at = ? WHERE upload_id = ?", [aged, upload["upload_id"]])
        dry = retention.purge(ws, dry_run=True, username="admin", profile=person)
        assert dry.runs == [old] and (ws.run_dir(old) / "run.duckdb").is_file()
        assert (tmp_path / "old" / "people.xlsx").is_file()
        done = retention.purge(ws, username="admin", profile=person)
        status = {r["run_id"]: r["status"] for r in ws.query_dicts("SELECT run_id, status FROM runs")}
        audit = ws.audit_log("privacy.purge")
        assert ws.uploads("operator") == []
    assert done.runs == [old] and done.counts()["uploads"] == 1
    assert status[old] == "purged" and status[new] != "purged"
    assert not (tmp_path / "ws" / "runs" / str(old)).exists()
    assert not list((tmp_path / "old").rglob("*.xlsx")) and not list((tmp_path / "old").rglob("*.parquet"))
    assert (tmp_path / "ws" / "runs" / str(new) / "run.duckdb").is_file()
    assert (tmp_path / "new" / "people.xlsx").is_file() and (tmp_path / "new" / "csv" / "people.csv").is_file()
    assert len(audit) == 1 and json.loads(audit["detail"][0])["runs"] == 1
    report = Path(done.report_path).read_text()
    assert f"run {old}" in report and "thandi" not in report.lower()


def test_aviation_contacts_are_suppressed_and_their_organisation_kept(tmp_path):
    aviation = hotpass.load_profile("aviation")
    book = tmp_path / "crm.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame([["C1", "Skyward Flight School", "info@skyward.example", "011 555 0100"],
                      ["C2", "Blue Kite Aero Club", "hello@bluekite.example", "021 555 0200"]],
                     columns=["Account ID", "Organisation", "Email", "Phone"]).to_excel(writer, sheet_name="Organisations", index=False)
        pd.DataFrame([["C1", "Nomsa Zulu", "nomsa.zulu@skyward.example", "082 555 0301"],
                      ["C1", "Johan Brink", "johan.brink@skyward.example", "082 555 0302"],
                      ["C2", "Kagiso Molefe", "kagiso@bluekite.example", "082 555 0303"]],
                     columns=["Account ID", "Contact name", "Email", "Mobile"]).to_excel(writer, sheet_name="Contacts", index=False)
    with hotpass.Workspace(tmp_path / "ws") as ws:
        suppression.suppress(ws, email="JOHAN.BRINK@skyward.example", reason="objection", username="admin")
        result = refine([book], aviation, ws, tmp_path / "out", privacy={"lawful_basis": "legitimate_interest"})
    contacts = pd.read_parquet(tmp_path / "out" / "parquet" / "contacts.parquet")
    organisations = pd.read_parquet(tmp_path / "out" / "parquet" / "organisations.parquet")
    assert sorted(contacts["full_name"]) == ["Kagiso Molefe", "Nomsa Zulu"]
    assert set(contacts["lawful_basis"]) == {"legitimate_interest"}
    assert len(organisations) == 2
    assert holding(tmp_path / "out", ("johan brink", "johan.brink", "brink", "5550302")) == []
    assert dict(result.summary)["Suppressed people left out"] == 1


def test_register_and_cli(tmp_path, person, monkeypatch):
    book = people_workbook(tmp_path / "members.xlsx")
    workspace = tmp_path / "ws"
    with hotpass.Workspace(workspace) as ws:
        refine([book], person, ws, tmp_path / "out", privacy={"purpose": "member_administration"})
        rows = register.rows(ws)
    fields = {(r["entity"], r["field"]) for r in rows}
    assert ("person", "email") in fields and ("person", "lawful_basis") in fields
    assert all(r["retention_days"] == 365 and r["purposes"] == "member_administration" for r in rows)
    runner = CliRunner()
    w = ["--workspace", str(workspace)]
    done = runner.invoke(app, ["privacy", "suppress", "--email", "Aisha.Khan@example.com", "--reason", "objection", *w])
    assert done.exit_code == 0 and "1 identifier(s) added" in done.output
    counts = runner.invoke(app, ["privacy", "suppressed", *w])
    assert "email: 1" in counts.output and "aisha" not in counts.output.lower()
    markdown = runner.invoke(app, ["privacy", "register", *w])
    assert markdown.exit_code == 0 and "# Register of processing" in markdown.output
    assert "consent (1)" in markdown.output and "contract (3)" in markdown.output
    csv_file = tmp_path / "register.csv"
    assert runner.invoke(app, ["privacy", "register", "--format", "csv", "-o", str(csv_file), *w]).exit_code == 0
    assert list(pd.read_csv(csv_file).columns) == register.COLUMNS
    dry = runner.invoke(app, ["privacy", "purge", "--dry-run", *w])
    assert dry.exit_code == 0 and "Would remove 0 run(s)" in dry.output
    bad = runner.invoke(app, ["refine", str(book), "-p", "person", "-o", str(tmp_path / "x.xlsx"), "--purpose",
                              "gossip", *w])
    assert bad.exit_code == 1 and "member_administration" in bad.output


def test_a_purpose_naming_an_unknown_field_or_basis_is_refused(person):
    data = person.to_dict()
    data["privacy"]["purposes"]["marketing"]["fields"].append("shoe_size")
    with pytest.raises(hotpass.ProfileError, match=r"privacy.purposes.marketing.fields: no such field\(s\) \['shoe_size'\]"):
        hotpass.Profile.from_dict(data)
    data = person.to_dict()
    data["privacy"]["purposes"]["marketing"]["lawful_basis"] = "because"
    with pytest.raises(hotpass.ProfileError, match="'because' is not a lawful basis"):
        hotpass.Profile.from_dict(data)
    with pytest.raises(ValueError, match="unknown purpose 'gossip'"):
        purposes.check(person, "gossip", None)
    with pytest.raises(ValueError, match="unknown lawful basis 'vibes'"):
        purposes.check(person, "marketing", "vibes")
