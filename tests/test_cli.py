"""The command line, end to end: init, refine, profiles, doctor, and the acceptance checks."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from hotpass.text import fold

HOTPASS = [sys.executable, "-m", "hotpass.cli"]


def hotpass(*args, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    return subprocess.run([*HOTPASS, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=600)


@pytest.fixture(scope="module")
def refined(tmp_path_factory):
    """`hotpass init` then `hotpass refine` on the samples, as the issue's acceptance says."""
    root = tmp_path_factory.mktemp("cli")
    init = hotpass("init", root / "s")
    assert init.returncode == 0, init.stderr
    files = sorted((root / "s").glob("*.xlsx"))
    assert len(files) == 3
    out = root / "out.xlsx"
    result = hotpass("refine", *files, "--profile", "aviation", "--output", out, "--csv-dir", root / "csv",
                     "--parquet-dir", root / "parquet", "--workspace", root / "ws")
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    return root, out


def test_refine_writes_every_output(refined):
    root, out = refined
    assert out.is_file()
    assert sorted(p.name for p in (root / "csv").iterdir() if not p.name.startswith(".")) == [
        "clusters.csv", "contacts.csv", "enrichment.csv", "findings.csv", "organisations.csv", "provenance.csv",
        "quality.csv", "review.csv", "source_map.csv", "validation.csv"]
    assert len(list((root / "parquet").glob("*.parquet"))) == 10
    assert (root / "ws" / "last_mapping.json").is_file()
    assert sorted(p.name for p in root.glob("quality-report.*")) == [
        "quality-report.html", "quality-report.json", "quality-report.md"]


def test_workbook_sheets_styles_and_no_formulas(refined):
    _root, out = refined
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Organisations", "Contacts", "Quality", "Validation", "Enrichment", "Clusters",
                             "Review", "Provenance", "Source Map", "Findings", "Summary"]
    for ws in wb.worksheets:
        header = ws[1]
        assert header[0].font.b, ws.title
        assert header[0].fill.fgColor.rgb not in (None, "00000000"), ws.title
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref, ws.title
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {ws.title}!{cell.coordinate}"


def _sheet_rows(path: Path, title: str) -> list[dict]:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = wb[title].iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, r)) for r in rows]


def _truth(root: Path) -> list[dict]:
    with open(root / "s" / "truth_records.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_source_record_is_in_the_source_map(refined):
    root, out = refined
    mapped = {(r["source_file"], r["source_sheet"], int(r["source_row"])) for r in _sheet_rows(out, "Source Map")}
    truth = _truth(root)
    missing = [t for t in truth if (t["source_file"], t["source_sheet"], int(t["source_row"])) not in mapped]
    assert truth and not missing, missing[:5]


def test_valid_phones_come_out_in_e164(refined):
    root, out = refined
    found = defaultdict(set)
    for title in ("Organisations", "Contacts"):
        for row in _sheet_rows(out, title):
            phones = set()
            for key, value in row.items():
                if key and value and any(k in key for k in ("phone", "mobile", "whatsapp")):
                    phones.update(p.strip() for p in str(value).split(";"))
            for ref in str(row["source_rows"]).split("; "):
                found[ref].update(phones)
    expected = hits = 0
    for t in _truth(root):
        ref = f"{t['source_file']} | {t['source_sheet']} | row {t['source_row']}"
        for phone in filter(None, t["phones_e164"].split(";")):
            expected += 1
            hits += phone in found[ref]
    assert expected > 200
    assert hits / expected >= 0.99, f"{hits}/{expected} valid phones came out in E.164"


def test_no_placeholder_survives(refined, aviation):
    _root, out = refined
    placeholders = {fold(p) for p in aviation.placeholders} | {""}
    checked = 0
    for title, columns in (("Organisations", ("name", "email", "phone")),
                           ("Contacts", ("full_name", "first_name", "last_name", "role", "email", "phone", "mobile"))):
        for row in _sheet_rows(out, title):
            for column in columns:
                value = row.get(column)
                if value is not None:
                    checked += 1
                    assert fold(value) not in placeholders, f"{title}.{column} kept placeholder {value!r}"
    assert checked > 500


def test_csv_cells_cannot_run_as_formulas(refined):
    root, _out = refined
    for path in (root / "csv").glob("*.csv"):
        with open(path, encoding="utf-8-sig") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    if _is_number(cell):  # a negative number is data, not a formula
                        continue
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_saved_mapping_is_reapplied(refined, tmp_path):
    root, _out = refined
    files = sorted((root / "s").glob("*.xlsx"))
    result = hotpass("refine", *files, "--profile", "aviation", "--output", tmp_path / "again.xlsx",
                     "--mapping", root / "ws" / "last_mapping.json", "--workspace", tmp_path / "ws", "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_profiles_commands(tmp_path):
    listed = hotpass("profiles", "list")
    assert listed.returncode == 0 and "aviation" in listed.stdout and "generic" in listed.stdout
    shown = hotpass("profiles", "show", "aviation")
    assert shown.returncode == 0 and "phone_region: ZA" in shown.stdout
    assert hotpass("profiles", "validate", "generic").returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nresolution:\n  match_threshold: 7\nmapping:\n  nope: 1\n", encoding="utf-8")
    failed = hotpass("profiles", "validate", bad)
    assert failed.returncode == 1
    assert "resolution.match_threshold" in failed.stderr and "mapping.nope" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_doctor(tmp_path):
    result = hotpass("doctor", "--workspace", tmp_path / "ws")
    assert "[ok  ] python" in result.stdout
    assert "package splink" in result.stdout
    assert "workspace" in result.stdout
    assert result.returncode == 0, result.stdout


def test_help_is_fast_and_lists_commands():
    result = hotpass("--help")
    assert result.returncode == 0
    for command in ("refine", "init", "doctor", "profiles"):
        assert command in result.stdout


def test_refine_rejects_a_non_xlsx_output(tmp_path, samples):
    result = hotpass("refine", samples.files[0], "--output", tmp_path / "out.csv")
    assert result.returncode == 1
    assert "out.csv" in result.stderr and "Traceback" not in result.stderr


def test_refine_missing_file(tmp_path):
    result = hotpass("refine", tmp_path / "nope.xlsx", "--output", tmp_path / "out.xlsx")
    assert result.returncode == 1
    assert "nope.xlsx" in result.stderr and "Traceback" not in result.stderr
