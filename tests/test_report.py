"""The quality report renderers: JSON, Markdown, one self-contained HTML page, and mask()."""

from __future__ import annotations

import copy
import json
import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotpass.errors import ExportError
from hotpass.report import mask, render_html, render_json, render_markdown, write_report

PLOTLY_MARKER = "* plotly.js v"  # the banner comment at the top of the bundle
HOSTILE = "<script>alert(1)</script>"


def example_report() -> dict:
    """A realistic report for an aviation run, as the lead's builder would produce it."""
    org_fields = {"name": 0.998, "registration": 0.71, "website": 0.64, "email": 0.82,
                  "phone": 0.93, "address": 0.77, "region": 0.88, "category": 0.95}
    contact_fields = {"first_name": 0.97, "last_name": 0.99, "email": 0.86, "phone": 0.74,
                      "role": 0.52}
    completeness = [{"table": "organisations", "field": f, "filled": s}
                    for f, s in org_fields.items()]
    completeness += [{"table": "contacts", "field": f, "filled": s}
                     for f, s in contact_fields.items()]
    validity = [
        {"table": "organisations", "field": "phone", "checked": 4743, "valid": 0.995},
        {"table": "organisations", "field": "email", "checked": 4182, "valid": 0.981},
        {"table": "organisations", "field": "website", "checked": 3264, "valid": 0.962},
        {"table": "contacts", "field": "email", "checked": 6880, "valid": 0.974},
        {"table": "contacts", "field": "phone", "checked": 5920, "valid": 0.989},
    ]
    edges = list(range(0, 101, 10))
    return {
        "title": "Hotpass quality report",
        "profile": "aviation",
        "generated_at": "2026-11-22T18:00:00",
        "run_id": 3,
        "files": ["crm_export.xlsx", "legacy_contacts.xlsx", "regulator_list.xlsx"],
        "published": False,
        "gate": {
            "blocked_by": [{"id": "organisations.name_present",
                            "description": "Every organisation has a name", "unexpected_count": 3}],
            "override": None,
        },
        "totals": {"source_rows": 10000, "organisation_records": 7581, "contact_records": 9000,
                   "organisations": 5100, "contacts": 8000},
        "completeness": completeness,
        "validity": validity,
        "scores": {
            "organisations": {"mean": 81.2, "median": 84.0, "low": 120, "low_score": 60,
                              "histogram": {"edges": edges, "counts": [
                                  2, 5, 14, 31, 68, 210, 640, 1180, 1690, 1260]}},
            "contacts": {"mean": 76.4, "median": 78.0, "low": 640, "low_score": 60,
                         "histogram": {"edges": edges, "counts": [
                             12, 40, 96, 180, 312, 640, 1410, 2150, 2020, 1140]}},
        },
        "duplicates": {"organisation_records": 7581, "organisations": 5100, "pairs_scored": 20000,
                       "merged_automatically": 2400, "decided_same": 3, "decided_different": 2,
                       "pending_review": 40},
        "scorecard": [
            {"measure": "Phones in E.164", "raw": 0.12, "refined": 0.99, "unit": "share"},
            {"measure": "Valid email addresses", "raw": 0.81, "refined": 0.97, "unit": "share"},
            {"measure": "Websites with a scheme", "raw": 0.35, "refined": 0.96, "unit": "share"},
            {"measure": "Regions standardised", "raw": 0.42, "refined": 0.88, "unit": "share"},
            {"measure": "Organisation rows", "raw": 7581, "refined": 5100, "unit": "count"},
            {"measure": "Contact rows", "raw": 9000, "refined": 8000, "unit": "count"},
            {"measure": "Mean quality score", "raw": 58.3, "refined": 81.2, "unit": "score"},
        ],
        "validation": [
            {"id": "organisations.phone_e164", "table": "organisations",
             "description": "Phone numbers are E.164", "column": "phone", "success": False,
             "blocking": False, "unexpected_count": 3, "unexpected_percent": 0.06,
             "examples": ["+27 ** *** **67", "+27 ** *** **01", "0** *** **12"]},
            {"id": "organisations.registration_unique", "table": "organisations",
             "description": "Registration numbers are unique", "column": "registration",
             "success": True, "blocking": True, "unexpected_count": 0, "unexpected_percent": 0.0,
             "examples": []},
            {"id": "organisations.name_present", "table": "organisations",
             "description": "Every organisation has a name", "column": "name", "success": False,
             "blocking": True, "unexpected_count": 3, "unexpected_percent": 0.06,
             "examples": ["", "", ""]},
            {"id": "contacts.email_valid", "table": "contacts", "description": "Emails are valid",
             "column": "email", "success": True, "blocking": False, "unexpected_count": 0,
             "unexpected_percent": 0.0, "examples": []},
        ],
        "findings": [
            {"code": "normalise.phone.invalid", "severity": "warning", "count": 120, "examples": [
                {"file": "legacy_contacts.xlsx", "sheet": "Contacts", "row": 14, "column": "Phone",
                 "message": "Phone number could not be read", "value": "0** *** **12"},
                {"file": "crm_export.xlsx", "sheet": "Organisations", "row": 207, "column": "Tel",
                 "message": "Phone number has too few digits", "value": "***45"}]},
            {"code": "normalise.email.invalid", "severity": "warning", "count": 64, "examples": [
                {"file": "crm_export.xlsx", "sheet": "Organisations", "row": 33, "column": "E-mail",
                 "message": "Email address is not valid", "value": "in***@sk***.co.za"}]},
            {"code": "ingest.header_guessed", "severity": "info", "count": 2, "examples": [
                {"file": "regulator_list.xlsx", "sheet": "AOC holders", "row": 3, "column": None,
                 "message": "Header row found on row 3", "value": ""}]},
            {"code": "validate.blocking_failed", "severity": "error", "count": 1, "examples": [
                {"file": None, "sheet": None, "row": None, "column": "name",
                 "message": "3 organisations have no name", "value": ""}]},
            {"code": "normalise.website.scheme_added", "severity": "info", "count": 1880,
             "examples": []},
        ],
        "enrichment": {"proposed": 10, "approved": 6, "rejected": 1, "pending": 3,
                       "filled": {"website": 4, "region": 2}},
        "masked": True,
    }


MINIMAL = {"title": "Hotpass quality report", "profile": "generic"}


@pytest.fixture(scope="module")
def example():
    return example_report()


@pytest.fixture(scope="module")
def page(example):
    return render_html(example)


# --- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize("report", [example_report(), MINIMAL, {}])
def test_json_round_trips(report):
    assert json.loads(render_json(report)) == report


def test_json_is_deterministic_and_keeps_order(example):
    text = render_json(example)
    assert text == render_json(copy.deepcopy(example))
    assert list(json.loads(text)) == list(example)
    assert "\n  " in text  # indented


def test_json_turns_nan_into_null_and_numpy_into_numbers():
    np = pytest.importorskip("numpy")
    report = {"scores": {"organisations": {"mean": float("nan"), "low": np.int64(4),
                                           "counts": np.array([1, 2])}}}
    assert json.loads(render_json(report)) == {
        "scores": {"organisations": {"mean": None, "low": 4, "counts": [1, 2]}}}


# --- Markdown ---------------------------------------------------------------------------------

SECTION_HEADINGS = ["## Totals", "## Completeness", "## Validity", "## Quality scores",
                    "## Duplicates", "## Before and after", "## Validation", "## Findings",
                    "## Enrichment"]


def test_markdown_has_every_section_and_the_numbers(example):
    text = render_markdown(example)
    assert text.startswith("# Hotpass quality report\n")
    for heading in SECTION_HEADINGS:
        assert f"\n{heading}\n" in text
    assert "| Phones in E.164 | 12.0% | 99.0% | +87.0 pp |" in text
    assert "| Organisation rows | 7,581 | 5,100 | -2,481 |" in text
    assert "| Mean quality score | 58.3 | 81.2 | +22.9 |" in text
    assert "| organisations | phone | 93.0% |" in text
    assert "| Source rows | 10,000 |" in text
    assert "BLOCKED" in text


def test_markdown_puts_failed_blocking_expectations_first(example):
    text = render_markdown(example)
    rows = [line for line in text.splitlines() if line.startswith("| Failed") or
            line.startswith("| Passed")]
    assert [r.split(" | ")[0:2] for r in rows][:2] == [["| Failed", "Blocking"], ["| Failed", ""]]
    assert "0.06%" in text


def test_markdown_escapes_pipes_and_markup():
    report = {"findings": [{"code": "x", "severity": "info", "count": 1, "examples": [
        {"file": "a|b.xlsx", "message": f"{HOSTILE} [link](javascript:x) *bold*\nnext line",
         "value": "jo***@ex***.co.za"}]}]}
    text = render_markdown(report)
    row = next(line for line in text.splitlines() if "a\\|b.xlsx" in line)
    assert row.count(" | ") == 6  # 7 cells: the pipe in the file name did not add one
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\[link\\]" in text and "\\*bold\\*" in text
    assert row.endswith(" | `jo***@ex***.co.za` |")  # quoted values are code spans
    assert "next line" in row


def test_minimal_report_says_none_everywhere():
    text = render_markdown(MINIMAL)
    for heading in SECTION_HEADINGS:
        assert f"\n{heading}\n" in text
    assert text.count("None.") == len(SECTION_HEADINGS)
    assert "Publish status not recorded" in text


@pytest.mark.parametrize("report", [
    {}, None, {"totals": None, "gate": "x", "findings": [None, 3, {"examples": "oops"}]},
    {"scores": {"organisations": {"histogram": {"edges": [0, 50], "counts": [1, 2, 3]}},
                "contacts": None},
     "scorecard": [{"measure": "m", "raw": None, "refined": "n/a", "unit": "share"}],
     "validation": [{"success": None}], "enrichment": {"filled": None}, "published": True,
     "gate": {"override": {"reason": "board approved", "user": "alice"}}},
])
def test_odd_reports_render_without_crashing(report):
    assert render_markdown(report).startswith("# ")
    assert render_html(report).startswith("<!DOCTYPE html>")
    json.loads(render_json(report or {}))


# --- HTML -------------------------------------------------------------------------------------


def test_html_embeds_plotly_once_and_fetches_nothing(page):
    assert page.count(PLOTLY_MARKER) == 1
    assert "cdn.plot.ly/plotly" not in page
    assert "<script src" not in page.lower() and "<link" not in page.lower()
    assert "mathjax.js" not in page.lower()
    outside = _without_plotly(page)
    assert "cdn" not in outside.lower() and "http://" not in outside and "https://" not in outside


def test_html_has_a_chart_per_section(page):
    ids = re.findall(r'<div id="(chart-[a-z]+)" class="plotly-graph-div"', page)
    assert ids == ["chart-completeness", "chart-validity", "chart-scores", "chart-duplicates",
                   "chart-scorecard", "chart-findings", "chart-enrichment"]


def test_html_shows_the_blocked_banner_with_the_gate(page):
    assert 'class="banner banner-blocked"' in page
    assert "BLOCKED" in page and "organisations.name_present" in page


def test_html_shows_an_override_with_reason_and_user(example):
    report = dict(example, published=True,
                  gate={"blocked_by": example["gate"]["blocked_by"],
                        "override": {"reason": "Board & ops approved", "user": "alice",
                                     "at": "2026-11-22T18:05:00"}})
    page = render_html(report)
    assert 'class="banner banner-override"' in page
    assert "Override by alice at 2026-11-22T18:05:00: Board &amp; ops approved" in page


def test_html_escapes_hostile_text(example):
    report = copy.deepcopy(example)
    report["findings"][0]["examples"][0]["message"] = HOSTILE
    report["files"].append('"><img src=x onerror=alert(2)>.xlsx')
    report["completeness"].append({"table": "organisations", "field": HOSTILE, "filled": 0.5})
    page = render_html(report)
    outside = _without_plotly(page)
    assert HOSTILE not in outside and "<img" not in outside
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in outside  # in the examples table
    assert "&lt;script&gt;alert(1)&lt;\\u002fscript&gt;" in outside  # chart label, for plotly.js


def test_html_is_identical_for_the_same_report(example, page):
    assert render_html(copy.deepcopy(example)) == page


def test_minimal_html_has_no_charts_and_no_plotly():
    page = render_html(MINIMAL)
    assert PLOTLY_MARKER not in page and "plotly-graph-div" not in page
    assert page.count('<p class="empty">None.</p>') == 8


def test_plotly_is_imported_only_for_html():
    import subprocess
    import sys

    code = "import sys, hotpass.report; print(any(m.startswith('plotly') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_render_html_is_quick(example):
    start = time.perf_counter()
    render_html(example)
    assert time.perf_counter() - start < 5


def _without_plotly(page: str) -> str:
    """The page with the inline plotly.js bundle cut out (the bundle names its own URLs)."""
    start = page.index(PLOTLY_MARKER) if PLOTLY_MARKER in page else -1
    if start < 0:
        return page
    end = page.index("</script>", start)
    return page[:start] + page[end:]


# --- mask() -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, kind, expected", [
    ("john@example.co.za", "email", "jo***@ex***.co.za"),
    ("Jane.Doe@mail.example.com", "email", "Ja***@ma***.com"),
    ("+27821234567", "phone", "+27 ** *** **67"),
    ("+27 82 123 4567", "phone", "+27 ** *** **67"),
    ("0821234567", "phone", "0** *** **67"),
    ("+1 415 555 0100", "phone", "+1 *** *** **00"),
    ("John Smith", "name", "J*** S***"),
    ("van der Merwe", "person", "v*** d*** M***"),
    ("Skyways Charter", "text", "S***"),
    (None, "text", ""),
    ("", "email", ""),
    (float("nan"), "phone", ""),
    ("   ", "name", ""),
])
def test_mask_examples(value, kind, expected):
    assert mask(value, kind) == expected


def test_mask_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown mask kind"):
        mask("x", "website")


@given(st.text(min_size=3), st.sampled_from(["email", "phone", "name", "person", "text"]))
def test_mask_never_returns_a_long_original(value, kind):
    assert mask(value, kind) != value.strip() or len(value.strip()) <= 2


@given(st.from_regex(r"[a-z0-9.]{1,12}@[a-z0-9]{1,10}\.(com|org|co\.za|aero)", fullmatch=True))
def test_mask_email_keeps_the_tld(email):
    masked = mask(email, "email")
    assert masked != email
    assert masked.endswith("." + email.rsplit(".", 1)[1])
    assert masked.startswith(email[:2] if email.index("@") >= 2 else email[:1])


@given(st.from_regex(r"\+?[0-9 ]{0,4}[0-9]{7,12}", fullmatch=True))
def test_mask_phone_keeps_the_last_two_digits(phone):
    digits = "".join(c for c in phone if c.isdigit())
    masked = mask(phone, "phone")
    assert masked.endswith(digits[-2:]) and masked != phone.strip()
    assert sum(c.isdigit() for c in masked) <= 5  # country code (3 at most) and two digits


# --- write_report -----------------------------------------------------------------------------


def test_write_report_writes_three_files(example, tmp_path):
    folder = tmp_path / "reports" / "run-3"
    paths = write_report(example, folder)
    assert paths == {"json": folder / "quality-report.json",
                     "markdown": folder / "quality-report.md",
                     "html": folder / "quality-report.html"}
    assert json.loads(paths["json"].read_text(encoding="utf-8")) == example
    assert paths["markdown"].read_text(encoding="utf-8") == render_markdown(example)
    assert paths["html"].read_text(encoding="utf-8") == render_html(example)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in paths.values())


def test_write_report_uses_the_stem(tmp_path):
    paths = write_report(MINIMAL, tmp_path, stem="run-7")
    assert {p.name for p in paths.values()} == {"run-7.json", "run-7.md", "run-7.html"}


def test_write_report_raises_export_error_naming_the_path(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(ExportError, match="file.txt"):
        write_report(MINIMAL, blocker / "sub")
    assert blocker.read_text() == "not a folder"


def test_write_report_leaves_no_temp_file_when_a_write_fails(tmp_path):
    (tmp_path / "quality-report.md").mkdir()  # a folder where the Markdown file should go
    with pytest.raises(ExportError, match="quality-report.md"):
        write_report(MINIMAL, tmp_path)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


# --- what changed since the previous run ------------------------------------------------------


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two refines of the same samples with two decisions between them: a pair of one golden
    record decided different (a split) and two lone records decided the same (a merge)."""
    from hotpass import Workspace, load_profile, refine
    from hotpass.samples import generate_samples

    root = tmp_path_factory.mktemp("report-changes")
    files = generate_samples(root / "samples", rows=120, seed=3).files
    aviation = load_profile("aviation")
    with Workspace(root / "ws") as ws:
        with refine(files, aviation, workspace=ws, username="ann", raise_blocked=False) as first:
            clusters, first_report = first.clusters, first.outputs["report_json"]
        sizes = clusters.groupby("organisation_id")["record_key"].transform("size")
        pair = clusters[sizes == 2].head(2)
        lone = clusters[(sizes == 1)].head(2)
        ws.decide("different", *pair["record_key"], reviewer="ann")
        ws.decide("same", *lone["record_key"], reviewer="ann")
        with refine(files, aviation, workspace=ws, username="ann", raise_blocked=False) as second:
            changes = second.changes
            outputs = second.outputs
    return {"first": first_report, "outputs": outputs, "changes": changes, "pair": pair, "lone": lone}


@pytest.mark.slow
def test_the_report_lists_what_changed_since_the_previous_run_and_nothing_else(two_runs):
    report = json.loads(open(two_runs["outputs"]["report_json"], encoding="utf-8").read())
    changes = report["changes"]
    split_from = two_runs["pair"]["organisation_id"].iloc[0]
    merged_from = ", ".join(sorted(two_runs["lone"]["organisation_id"]))
    assert changes["since"] == 1 and changes["total"] == 2
    assert changes["counts"] == {"cluster_merged": 1, "cluster_split": 1}
    assert [(r["kind"], r["previous_id"]) for r in changes["rows"]] == [
        ("cluster_merged", merged_from), ("cluster_split", split_from)]
    stored = two_runs["changes"]
    assert [r["golden_id"] for r in changes["rows"]] == stored["golden_id"].tolist()
    text = open(two_runs["outputs"]["report_markdown"], encoding="utf-8").read()
    section = text.split("## What changed", 1)[1]
    assert "**Since run 1**" in section
    assert "| Clusters merged | 1 |" in section and "| Clusters split | 1 |" in section
    listed = [line for line in section.splitlines() if line.startswith("| Clusters ") and line.count(" | ") > 3]
    assert len(listed) == 2 and split_from in listed[1] and merged_from in listed[0]
    for kind in ("Records moved", "Records added", "Records removed", "Fields changed", "Enrichments"):
        assert kind not in section
    page = open(two_runs["outputs"]["report_html"], encoding="utf-8").read()
    assert '<section class="card" id="changes"><h2>What changed</h2>' in page
    assert '<a href="#changes">What changed</a>' in page and 'id="chart-changes"' in page
    assert split_from in page and merged_from in page


@pytest.mark.slow
def test_a_first_runs_report_has_no_what_changed_section(two_runs):
    report = json.loads(open(two_runs["first"], encoding="utf-8").read())
    assert report["changes"] is None
    assert "What changed" not in render_markdown(report) and "What changed" not in render_html(report)


def test_what_changed_masks_values_and_keeps_ids():
    from types import SimpleNamespace

    import pandas as pd

    from hotpass import load_profile
    from hotpass.report import changes
    from hotpass.report.build import _Masker

    aviation = load_profile("aviation")
    frame = pd.DataFrame([
        ("field_changed", "organisation", "ORG-1", "ORG-1", None, "email", "jo@example.co.za",
         "ann@example.co.za", "ORG-1 email: jo@example.co.za -> ann@example.co.za"),
        ("record_moved", "organisation", "ORG-2", "ORG-3", "org:ab", None, None, None,
         f"record org:ab (crm.xlsx | Orgs | row 4) moved {HOSTILE}"),
    ], columns=["kind", "entity", "golden_id", "previous_id", "record_key", "field", "before", "after",
                "message"])
    built = changes.build(SimpleNamespace(changes_since=4, changes=frame), aviation, _Masker(aviation))
    report = {"changes": built}
    assert built["counts"] == {"record_moved": 1, "field_changed": 1}
    text = render_markdown(report)
    assert "jo@example" not in text and "ann@example" not in text
    assert f"| Fields changed | organisation | ORG-1 | ORG-1 |  | email | `{mask('jo@example.co.za', 'email')}` |" in text
    assert "**Since run 4**" in text and "<script>" not in text and "org:ab" in text
    page = render_html(report)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert changes.build(SimpleNamespace(changes_since=None, changes=frame), aviation, _Masker(aviation)) is None
