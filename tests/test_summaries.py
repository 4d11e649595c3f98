"""The workbook's compact Provenance sheet: one row for a record built from one row by one rule."""

import pandas as pd

from hotpass.outputs import EVERY_FIELD, provenance_sheet


def _prov(rows):
    columns = ["record_kind", "record_id", "field", "value", "rule", "source_file", "source_sheet", "source_row",
               "record_key"]
    return pd.DataFrame(rows, columns=columns).astype({"source_row": "Int64"})


def test_single_source_records_collapse_and_chosen_fields_are_listed():
    frame = _prov([
        ("organisation", "ORG-A", "name", "Alpha Air", "only value", "a.xlsx", "S", 2, "k1"),
        ("organisation", "ORG-A", "phone", "+27110000000", "only value", "a.xlsx", "S", 2, "k1"),
        ("organisation", "ORG-B", "name", "Beta Air", "only value", "a.xlsx", "S", 3, "k2"),
        ("organisation", "ORG-B", "phone", "+27110000001", "validity", "b.xlsx", "T", 9, "k3"),
        ("organisation", "ORG-C", "name", "Gamma", "only value", "a.xlsx", "S", 4, "k4"),
        ("organisation", "ORG-C", "region", "Gauteng", "source_priority", "a.xlsx", "S", 4, "k4"),
        ("organisation", "ORG-D", "website", "https://d.example", "enrichment:email_domain", None, None, None, None),
    ])
    sheet = provenance_sheet(frame)
    assert list(sheet.columns) == ["record_id", "field", "value", "source", "rule"]
    a = sheet[sheet.record_id == "ORG-A"]
    assert len(a) == 1 and pd.isna(a.iloc[0].value)
    assert a.drop(columns="value").to_dict("records") == [
        {"record_id": "ORG-A", "field": EVERY_FIELD, "source": "a.xlsx | S | row 2", "rule": "only value"}]
    b = sheet[sheet.record_id == "ORG-B"]
    assert list(b.field) == ["name", "phone"] and list(b.source) == ["a.xlsx | S | row 3", "b.xlsx | T | row 9"]
    assert list(sheet[sheet.record_id == "ORG-C"].rule) == ["only value", "source_priority"]
    d = sheet[sheet.record_id == "ORG-D"].iloc[0]
    assert d.rule == "enrichment:email_domain" and pd.isna(d.source)
    assert list(sheet.record_id) == ["ORG-A", "ORG-B", "ORG-B", "ORG-C", "ORG-C", "ORG-D"]  # order kept


def test_empty_provenance_gives_the_header_only():
    assert list(provenance_sheet(_prov([])).columns) == ["record_id", "field", "value", "source", "rule"]
