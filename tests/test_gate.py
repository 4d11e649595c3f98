"""The publish gate end to end: a suite that fails on purpose blocks, an override publishes and is audited,
`hotpass validate` re-checks the deliverable, and the real run's report renders offline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from hotpass.profile import EXPECTATIONS_DIR, load_profile
from hotpass.workspace import Workspace
from tests.test_cli import hotpass
from tests.test_report_browser import ARTIFACTS, browser, open_offline  # noqa: F401  (fixtures)

REASON = "Regulator list has no websites yet; agreed with compliance on 2026-11-22"
FAILING = "organisations.website_present"


@pytest.fixture(scope="module")
def strict(tmp_path_factory) -> dict:
    """Samples, and a profile whose extra blocking expectation (every organisation has a website) fails."""
    root = tmp_path_factory.mktemp("gate")
    assert hotpass("init", root / "s", "--rows", 300).returncode == 0
    suites = root / "suites"
    shutil.copytree(EXPECTATIONS_DIR / "aviation", suites)
    orgs = json.loads((suites / "organisations.json").read_text(encoding="utf-8"))
    orgs["expectations"].append({
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "website"},
        "meta": {"name": "website_present", "description": "Every organisation has a website"},
    })
    (suites / "organisations.json").write_text(json.dumps(orgs, indent=1), encoding="utf-8")
    profile = load_profile("aviation").to_dict()
    profile["name"] = "strict"
    profile["validation"]["expectations_dir"] = "suites"
    profile["validation"]["blocking"].append(FAILING)
    (root / "strict.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    return {"root": root, "files": sorted((root / "s").glob("*.xlsx")), "profile": root / "strict.yaml"}


def refine(strict: dict, out: Path, *extra) -> object:
    return hotpass("refine", *strict["files"], "--profile", strict["profile"], "--output", out,
                   "--workspace", strict["root"] / "ws", "--report", out.parent / "report", *extra)


@pytest.fixture(scope="module")
def blocked(strict):
    out = strict["root"] / "blocked" / "out.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"the deliverable published last month")
    return out, refine(strict, out)


@pytest.fixture(scope="module")
def overridden(strict, blocked):
    out = strict["root"] / "published" / "out.xlsx"
    return out, refine(strict, out, "--override-gate", REASON)


def test_a_failing_blocking_expectation_stops_publishing(blocked):
    out, result = blocked
    assert result.returncode == 2, result.stderr
    assert FAILING in result.stderr and "not published" in result.stderr
    assert out.read_bytes() == b"the deliverable published last month"  # nothing saved is lost
    assert not list(out.parent.glob("*.csv"))
    report = json.loads((out.parent / "report" / "quality-report.json").read_text(encoding="utf-8"))
    assert report["published"] is False
    assert [b["id"] for b in report["gate"]["blocked_by"]] == [FAILING]
    assert "not published" in (out.parent / "report" / "quality-report.html").read_text(encoding="utf-8").lower()


def test_the_blocked_run_is_recorded(strict, blocked):
    with Workspace(strict["root"] / "ws") as ws:
        runs = ws.runs()
    assert "blocked" in set(runs["status"])


def test_an_override_with_a_reason_publishes_and_is_audited(strict, overridden):
    out, result = overridden
    assert result.returncode == 0, result.stderr
    assert out.is_file() and "reason recorded" in result.stderr
    with Workspace(strict["root"] / "ws") as ws:
        log = ws.audit_log("publish.override")
    assert len(log) == 1
    detail = json.loads(log.iloc[0]["detail"])
    assert detail["reason"] == REASON and detail["expectations"] == [FAILING]
    report = json.loads((out.parent / "report" / "quality-report.json").read_text(encoding="utf-8"))
    assert report["published"] is True and report["gate"]["override"]["reason"] == REASON


def test_an_empty_override_reason_does_not_publish(strict, tmp_path):
    result = refine(strict, tmp_path / "out.xlsx", "--override-gate", "   ")
    assert result.returncode == 2
    assert not (tmp_path / "out.xlsx").exists()


def test_validate_rechecks_a_deliverable(strict, overridden):
    out, _ = overridden
    failing = hotpass("validate", out, "--profile", strict["profile"])
    assert failing.returncode == 2, failing.stdout + failing.stderr
    assert f"[FAIL] {FAILING}" in failing.stdout
    passing = hotpass("validate", out, "--profile", "aviation")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "0 blocking" in passing.stdout


def test_validate_refuses_a_file_that_is_not_a_deliverable(strict, tmp_path):
    result = hotpass("validate", strict["files"][0])
    assert result.returncode == 1
    assert "not a Hotpass deliverable" in result.stderr


def test_quality_and_validation_sheets_carry_conditional_formatting_rules(overridden):
    out, _ = overridden
    book = openpyxl.load_workbook(out)
    for sheet in ("Quality", "Organisations", "Contacts"):
        ws = book[sheet]
        header = [c.value for c in ws[1]]
        column = openpyxl.utils.get_column_letter(header.index("quality_score") + 1)
        rules = {str(cf.sqref): [r.type for r in cf.rules] for cf in ws.conditional_formatting}
        assert rules.get(f"{column}2:{column}{ws.max_row}") == ["colorScale"], (sheet, rules)
    validation = book["Validation"]
    rules = [r for cf in validation.conditional_formatting for r in cf.rules]
    assert [(r.type, r.operator, r.formula) for r in rules] == [("cellIs", "equal", ['"failed"'])]
    results = [row[0] for row in validation.iter_rows(min_row=2, values_only=True)]
    assert results[0] == "failed" and set(results) == {"failed", "passed"}


def test_summary_has_the_before_after_scorecard(overridden):
    out, _ = overridden
    rows = list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Before / after")
    assert rows[start][:4] == ("Before / after", "Raw input", "Refined", "Change")
    scorecard = {row[0]: row[1:4] for row in rows[start + 1:] if row[0]}
    raw, refined, change = scorecard["Organisation phone valid"]
    assert raw < 0.5 < 0.95 < refined  # raw phones are not E.164; refined ones are
    assert change == pytest.approx((refined - raw) * 100)


@pytest.mark.browser
def test_the_real_report_renders_offline_with_its_charts(open_offline, overridden):  # noqa: F811
    out, _ = overridden
    page, attempted, errors = open_offline(out.parent / "report" / "quality-report.html")
    charts = page.locator(".plotly-graph-div").count()
    assert charts >= 5
    assert page.locator(".js-plotly-plot .main-svg").evaluate_all(
        "svgs => new Set(svgs.map(s => s.closest('.plotly-graph-div').id)).size") == charts
    assert attempted == [] and errors == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "quality-report-run.png"), full_page=True)
