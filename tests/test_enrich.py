"""Enrichment end to end: proposals change nothing until approved; approvals and rejections last."""

from __future__ import annotations

import filecmp

import openpyxl
import pandas as pd
import pytest

from hotpass.enrich import ProposalStore
from hotpass.pipeline import refine
from hotpass.samples import generate_samples
from hotpass.text import is_missing
from hotpass.workspace import Workspace

TABLES = ["organisations.csv", "contacts.csv", "provenance.csv", "clusters.csv", "source_map.csv"]


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    return generate_samples(tmp_path_factory.mktemp("enrich"), rows=400, seed=5).files


def _without_providers(profile):
    quiet = profile.model_copy(deep=True)
    quiet.enrichment.providers = []
    return quiet


def _org(refined, org_id: str) -> pd.Series:
    return refined.organisations.set_index("organisation_id").loc[org_id]


def test_pending_proposals_change_no_data(sources, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        proposed = refine(sources, aviation, workspace=ws, csv_dir=tmp_path / "with")
        assert len(ProposalStore(ws).frame("pending")) > 0
    with Workspace(tmp_path / "ws2") as ws:
        refine(sources, _without_providers(aviation), workspace=ws, csv_dir=tmp_path / "without")
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "with", tmp_path / "without", TABLES, shallow=False)
    assert mismatch == [] and errors == [], mismatch
    assert set(proposed.enrichment["status"]) == {"pending"}
    assert proposed.enrichment_summary["filled"] == {}


def test_approved_values_flow_in_and_survive_reruns_rejected_ones_never_return(sources, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        first = refine(sources, aviation, workspace=ws)
        store = ProposalStore(ws)
        pending = store.frame("pending")
        websites = pending[pending["field"] == "website"]
        regions = pending[pending["field"] == "region"]
        assert len(websites) and len(regions)
        take, drop = websites.iloc[0], regions.iloc[0]
        assert is_missing(_org(first, take.record_id)["website"])
        store.decide([take.proposal_id], "approved", "alice", note="checked the site")
        store.decide([drop.proposal_id], "rejected", "alice")

        second = refine(sources, aviation, workspace=ws)
        assert _org(second, take.record_id)["website"] == take.proposed
        rules = second.provenance[(second.provenance["record_id"] == take.record_id)
                                  & (second.provenance["field"] == "website")]["rule"].tolist()
        assert rules == [f"enrichment:{take.provider}"]
        again = store.frame()
        same = again[(again["field"] == drop.field) & (again["proposed"] == drop.proposed)
                     & (again["record_id"] == drop.record_id)]
        assert same["proposal_id"].tolist() == [drop.proposal_id]  # the rejected value is not proposed again
        sheet = second.enrichment.set_index("proposal_id")
        assert sheet.loc[take.proposal_id, "outcome"] == "applied"
        assert sheet.loc[drop.proposal_id, "status"] == "rejected"
        assert is_missing(_org(second, drop.record_id)["region"])

        third = refine(sources, aviation, workspace=ws)
        assert _org(third, take.record_id)["website"] == take.proposed
        assert store.frame("rejected")["proposal_id"].tolist() == [drop.proposal_id]

        store.undo([take.proposal_id], "alice")
        fourth = refine(sources, aviation, workspace=ws)
        assert is_missing(_org(fourth, take.record_id)["website"])
        actions = set(ws.audit_log()["action"])
    assert {"enrich.approve", "enrich.reject", "enrich.undo"} <= actions


def test_auto_approval_is_recorded_as_such(sources, aviation, tmp_path):
    auto = aviation.model_copy(deep=True)
    auto.enrichment.auto_approve = {"town_region": 0.0}
    with Workspace(tmp_path / "ws") as ws:
        refined = refine(sources, auto, workspace=ws)
        rows = ProposalStore(ws).frame(provider="town_region")
    assert len(rows) and set(rows["status"]) == {"approved"} and set(rows["reviewer"]) == {"auto"}
    assert refined.enrichment_summary["filled"].get("region", 0) > 0


def test_the_enrichment_sheet_lists_every_proposal(sources, aviation, tmp_path):
    with Workspace(tmp_path / "ws") as ws:
        refined = refine(sources, aviation, workspace=ws, output=tmp_path / "out.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["Enrichment"].iter_rows(
        values_only=True))
    assert rows[0][:6] == ("proposal_id", "status", "outcome", "record_kind", "record_id", "field")
    assert len(rows) - 1 == len(refined.enrichment) > 0
    assert all(row[10] for row in rows[1:])  # every proposal has its evidence


def test_a_reference_list_proposes_values_for_the_records_it_matches(sources, aviation, tmp_path):
    base = refine(sources, _without_providers(aviation))
    lacking = base.organisations[base.organisations["website"].map(is_missing)
                                 & ~base.organisations["phone"].map(is_missing)].head(5)
    register = tmp_path / "register.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Organisation Name", "Telephone", "Web Site", "Province"])
    for row in lacking.itertuples(index=False):
        sheet.append([row.name, row.phone, f"www.{row.organisation_id.lower()}.example.org", row.region])
    book.save(register)
    only_reference = aviation.model_copy(deep=True)
    only_reference.enrichment.providers = ["reference_list"]
    refined = refine(sources, only_reference, references=[register])
    found = refined.enrichment[refined.enrichment["field"] == "website"]
    assert set(found["record_id"]) == set(lacking["organisation_id"])
    assert all("register.xlsx" in e for e in found["evidence"])
