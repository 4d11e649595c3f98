"""The workbook's Provenance and Findings sheets are summaries; the full tables go beside it."""

import pandas as pd

from hotpass.rundb import RunDB
from hotpass.stages.deliver import findings_summary, provenance_summary


def _prov(rows):
    columns = ["record_kind", "record_id", "field", "value", "rule", "source_file", "source_sheet", "source_row",
               "record_key"]
    return pd.DataFrame(rows, columns=columns).astype({"source_row": "Int64"})


def test_provenance_is_counted_per_kind_field_and_rule_with_examples():
    db = RunDB()
    db.write("provenance", _prov([
        ("organisation", "ORG-A", "name", "Alpha Air", "only value", "a.xlsx", "S", 2, "k1"),
        ("organisation", "ORG-B", "name", "Beta Air", "agreement", "a.xlsx", "S", 3, "k2"),
        ("organisation", "ORG-C", "name", "Gamma", "only value", "b.xlsx", "T", 4, "k4"),
        ("organisation", "ORG-D", "website", "https://d.example", "enrichment:email_domain", None, None, None,
         None),
        ("contact", "CON-A", "full_name", "Ann Lee", "only value", "a.xlsx", "C", 2, "c1"),
    ]))
    sheet = provenance_summary(db)
    assert list(sheet.columns) == ["record_kind", "field", "rule", "count", "examples"]
    counts = {(k, f, r): n for k, f, r, n in sheet[["record_kind", "field", "rule", "count"]].itertuples(
        index=False)}
    assert counts == {("organisation", "name", "only value"): 2, ("organisation", "name", "agreement"): 1,
                      ("organisation", "website", "enrichment:email_domain"): 1,
                      ("contact", "full_name", "only value"): 1}
    first = sheet.iloc[0]
    assert (first.record_kind, first.field, first.rule) == ("organisation", "name", "only value")
    assert first.examples.splitlines() == ["ORG-A: Alpha Air (a.xlsx | S | row 2)", "ORG-C: Gamma (b.xlsx | T | row 4)"]
    website = sheet[sheet.field == "website"].iloc[0]
    assert website.examples == "ORG-D: https://d.example ()"


def test_findings_are_counted_per_code_worst_first_with_three_examples():
    db = RunDB()
    rows = [("normalise.phone.reformatted", "info", f"phone changed {i}", "a.xlsx", "S", i, "phone", None, None, None)
            for i in range(2, 7)]
    rows.append(("validation.organisations.name_present", "error", "2 of 9 fail", None, "Organisations", None,
                 "name", None, None, None))
    db.add_findings("test", rows)
    sheet = findings_summary(db)
    assert list(sheet.columns) == ["severity", "code", "count", "examples"]
    assert list(sheet["code"]) == ["validation.organisations.name_present", "normalise.phone.reformatted"]
    assert list(sheet["count"]) == [1, 5]
    assert sheet.iloc[1].examples.splitlines() == [
        "a.xlsx | S | row 2 | phone: phone changed 2", "a.xlsx | S | row 3 | phone: phone changed 3",
        "a.xlsx | S | row 4 | phone: phone changed 4"]


def test_empty_tables_give_the_header_only():
    db = RunDB()
    db.write("provenance", _prov([]))
    assert list(provenance_summary(db).columns) == ["record_kind", "field", "rule", "count", "examples"]
    assert len(findings_summary(db)) == 0
