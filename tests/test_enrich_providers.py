"""The offline enrichment providers and their lookup tables, on hand-built frames and a sample."""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from hotpass.enrich.base import EnrichContext
from hotpass.enrich.providers import (
    OFFLINE_PROVIDERS,
    AreaCodeRegionProvider,
    ContactDetailsProvider,
    EmailDomainProvider,
    TownRegionProvider,
    offline_providers,
)
from hotpass.enrich.tables import (
    AREA_CODES,
    TOWNS,
    area_code_of,
    load_area_codes,
    load_gazetteer,
    load_numbering_plan,
)
from hotpass.errors import ProfileError
from hotpass.normalise import registrable_domain
from hotpass.text import fold, is_missing

ORG_COLUMNS = ["organisation_id", "name", "region", "town", "website", "domain", "email",
               "email_other", "phone", "phone_other", "source_rows", "record_keys"]
CONTACT_COLUMNS = ["contact_id", "organisation_id", "full_name", "role", "email", "phone",
                   "mobile", "source_rows", "record_keys"]
PROVENANCE_COLUMNS = ["record_kind", "record_id", "field", "value", "rule", "source_file",
                      "source_sheet", "source_row", "record_key"]


def frame(columns: list[str], rows: list[dict]) -> pd.DataFrame:
    """Object columns, None kept as None."""
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})


def org(oid: str = "ORG-1", **values) -> dict:
    keys = f"org:{oid.lower()}a; org:{oid.lower()}b"
    return {"organisation_id": oid, "name": f"Org {oid}", "record_keys": keys, **values}


def person(cid: str, oid: str = "ORG-1", **values) -> dict:
    return {"contact_id": cid, "organisation_id": oid, "full_name": f"Person {cid}", **values}


def context(profile, orgs: list[dict], people=(), provenance=()) -> EnrichContext:
    prov = frame(PROVENANCE_COLUMNS, list(provenance)) if provenance else None
    return EnrichContext(frame(ORG_COLUMNS, orgs), frame(CONTACT_COLUMNS, list(people)), prov,
                         profile)


def proposals(provider, ctx: EnrichContext) -> dict:
    """(record_id, field) -> proposal; a provider proposes one value per record and field."""
    made = provider.propose(ctx)
    keyed = {(p.record_id, p.field): p for p in made}
    assert len(keyed) == len(made)
    return keyed


def proposed(provider, ctx: EnrichContext) -> dict[str, str]:
    """record_id -> proposed value, for providers of one field."""
    return {rid: p.proposed for (rid, _), p in proposals(provider, ctx).items()}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- the tables ----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile_name", ["aviation", "generic"])
def test_tables_load_and_every_region_is_canonical(profile_name, request):
    profile = request.getfixturevalue(profile_name)
    canonical = set(profile.region_aliases)
    codes = load_area_codes(AREA_CODES, profile)
    towns = load_gazetteer(TOWNS, profile)
    assert {r for regions in codes.values() for r in regions} <= canonical
    assert {r for regions in towns.values() for r in regions} == canonical
    with open(TOWNS, encoding="utf-8") as handle:
        assert len({row["town"] for row in csv.DictReader(handle)}) >= 400


def test_numbering_plan_has_geographic_codes_and_tells_mobiles_apart():
    codes = load_area_codes()
    geographic = ["10", "11", "12", "13", "14", "15", "16", "17", "18", "21", "22", "23", "27",
                  "28", "31", "32", "33", "34", "35", "36", "39", *map(str, range(40, 50)), "51",
                  "53", "54", "56", "57", "58"]
    assert all(codes[c] for c in geographic)
    assert codes["11"] == ["Gauteng"] and codes["21"] == ["Western Cape"]
    assert codes["31"] == ["KwaZulu-Natal"] and codes["15"] == ["Limpopo"]
    assert all(len(codes[c]) > 1 for c in ("12", "14", "16", "39", "53"))
    for code in ("60", "71", "72", "73", "74", "76", "78", "79", "81", "82", "83", "84", "87",
                 "800", "860"):
        assert codes[code] == [], code
    plan = load_numbering_plan()
    assert all(e.note.startswith("non-geographic") for e in plan.values() if not e.regions)
    assert area_code_of("+27821234567", plan) == "82"
    assert area_code_of("+27115551234", plan) == "11"
    assert area_code_of("+27860123456", plan) == "860"
    assert area_code_of("+441234567890", plan) is None
    assert area_code_of("011 555 1234", plan) is None


def test_gazetteer_folds_names_and_keeps_ambiguity():
    towns = load_gazetteer()
    assert towns[fold("Nelspruit")] == ["Mpumalanga"] == towns[fold("Mbombela")]
    assert towns[fold("Port Elizabeth")] == ["Eastern Cape"]
    assert towns[fold("Rand Airport")] == ["Gauteng"]
    assert towns[fold("Virginia")] == ["Free State", "KwaZulu-Natal"]
    assert towns[fold("Middelburg")] == ["Eastern Cape", "Mpumalanga"]
    for place in ("Lanseria", "Midrand", "Brits", "Germiston", "Pretoria", "Wonderboom",
                  "Grand Central", "Stellenbosch", "Morningstar", "Port Alfred", "Margate",
                  "Tempe", "Upington", "Polokwane", "Hoedspruit", "Potchefstroom", "Klerksdorp",
                  "Kimberley", "Bloemfontein", "George", "Plettenberg Bay", "Oudtshoorn"):
        assert len(towns[fold(place)]) == 1, place


def test_bad_tables_raise_one_profile_error_listing_every_problem(tmp_path, aviation):
    with pytest.raises(ProfileError, match="file not found"):
        load_area_codes(tmp_path / "none.csv")
    with pytest.raises(ProfileError, match="missing column"):
        load_gazetteer(write(tmp_path / "t.csv", "place,province\nX,Gauteng\n"))
    text = "code,region,note\n11,Gautang,\n21,,\n021,Western Cape,\nx1,Gauteng,\n"
    with pytest.raises(ProfileError) as raised:
        load_area_codes(write(tmp_path / "codes.csv", text), aviation)
    problems = raised.value.problems
    assert len(problems) == 4
    assert "'Gautang' is not one of" in problems[0] and "non-geographic" in problems[1]
    assert "listed twice" in problems[2] and "digits" in problems[3]
    unchecked = write(tmp_path / "ok.csv", "code,region,note\n11,Gautang,x\n")
    assert load_area_codes(unchecked) == {"11": ["Gautang"]}  # regions are checked for a profile
    with pytest.raises(ProfileError, match="Gautang"):
        load_gazetteer(write(tmp_path / "towns.csv", "town,region,alias\nSpringz,Gautang,\n"),
                       aviation)


def test_tables_are_read_again_when_the_file_changes(tmp_path):
    path = write(tmp_path / "towns.csv", "town,region,alias\nSpringz,Gauteng,\n")
    assert load_gazetteer(path) == {"springz": ["Gauteng"]}
    write(path, "town,region,alias\nSpringz,Free State,\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert load_gazetteer(path) == {"springz": ["Free State"]}


def test_offline_providers_are_all_there_and_offline(aviation):
    made = offline_providers(aviation)
    assert [p.name for p in made] == list(OFFLINE_PROVIDERS)
    assert set(OFFLINE_PROVIDERS) == {"email_domain", "contact_details", "area_code_region",
                                      "town_region"}
    assert all(not p.needs_network and p.fields for p in made)


def test_a_profile_may_name_its_own_tables(tmp_path, aviation):
    profile = aviation.model_copy(deep=True)
    profile.enrichment.gazetteer = str(write(tmp_path / "t.csv", "town,region,alias\nX,Gauteng,\n"))
    town = next(p for p in offline_providers(profile) if p.name == "town_region")
    assert proposed(town, context(profile, [org(town="X"), org("ORG-2", town="Kimberley")])) == {
        "ORG-1": "Gauteng"}


# --- email_domain --------------------------------------------------------------------------------


def test_website_and_domain_from_the_organisations_own_addresses(aviation):
    source = {"record_kind": "organisation", "record_id": "ORG-1", "field": "email",
              "value": "info@blue-sky.co.za", "source_file": "crm.xlsx", "source_sheet": "Orgs",
              "source_row": 7}
    ctx = context(aviation, [org(email="info@blue-sky.co.za",
                                 email_other="Jo@Blue-Sky.co.za; x@gmail.com")],
                  [person("C1", email="pilot@mail.blue-sky.co.za")], [source])
    got = proposals(EmailDomainProvider(), ctx)
    website, domain = got["ORG-1", "website"], got["ORG-1", "domain"]
    assert (website.proposed, domain.proposed) == ("https://blue-sky.co.za", "blue-sky.co.za")
    assert website.current is None and website.record_keys == ("org:org-1a", "org:org-1b")
    assert "info@blue-sky.co.za (organisation email, crm.xlsx | Orgs | row 7)" in website.evidence
    assert "contact Person C1" in website.evidence and "1 free-mail" in website.evidence
    assert 0.5 <= website.confidence < domain.confidence <= 0.9


def test_domain_from_the_website(aviation):
    ctx = context(aviation, [org(website="https://www.blue-sky.co.za/about", email="i@x.co.za")])
    got = proposals(EmailDomainProvider(), ctx)
    assert list(got) == [("ORG-1", "domain")]
    assert got["ORG-1", "domain"].proposed == "blue-sky.co.za"
    assert got["ORG-1", "domain"].confidence >= 0.9


def test_a_social_page_is_not_an_own_website(aviation):
    ctx = context(aviation, [org(website="https://www.facebook.com/bluesky",
                                 email="info@blue-sky.co.za")])
    got = proposals(EmailDomainProvider(), ctx)
    assert list(got) == [("ORG-1", "domain")]
    assert got["ORG-1", "domain"].proposed == "blue-sky.co.za"


@pytest.mark.parametrize("emails", [
    "bluesky@gmail.com", "bluesky@gmail.co.za", "bluesky@mweb.co.za", "bluesky@linkedin.com",
    "a@one.co.za; b@two.co.za", "a@one.co.za; b@one.co.za; c@two.co.za", "not-an-address",
])
def test_no_website_from_free_mail_social_or_competing_domains(aviation, emails):
    first, _, rest = emails.partition("; ")
    ctx = context(aviation, [org(email=first, email_other=rest or None)])
    assert EmailDomainProvider().propose(ctx) == []


def test_a_clearly_dominant_own_domain_is_proposed_with_less_confidence(aviation):
    ctx = context(aviation, [
        org(email="a@one.co.za", email_other="b@one.co.za; c@one.co.za; d@two.co.za"),
        org("ORG-2", email="a@three.co.za", email_other="b@three.co.za; c@three.co.za")])
    got = proposals(EmailDomainProvider(), ctx)
    assert got["ORG-1", "domain"].proposed == "one.co.za"
    assert "two.co.za (1)" in got["ORG-1", "domain"].evidence
    assert got["ORG-1", "domain"].confidence < got["ORG-2", "domain"].confidence


def test_a_mail_domain_many_organisations_share_is_a_providers(aviation):
    orgs = [org(f"ORG-{i}", email=f"office{i}@isp-mail.co.za") for i in range(3)]
    assert EmailDomainProvider().propose(context(aviation, orgs)) == []
    assert len(EmailDomainProvider().propose(context(aviation, orgs[:2]))) == 4


def test_records_with_website_and_domain_get_nothing(aviation):
    ctx = context(aviation, [org(website="https://a.co.za", domain="a.co.za", email="x@b.co.za")])
    assert EmailDomainProvider().propose(ctx) == []


# --- contact_details -----------------------------------------------------------------------------


def test_email_prefers_a_role_address_at_the_organisations_domain(aviation):
    people = [person("C1", email="jane@blue-sky.co.za"),
              person("C2", email="Bookings@blue-sky.co.za"),
              person("C3", email="info@blue-sky.co.za"), person("C4", email="info@other.co.za"),
              person("C5", email="jane@gmail.com")]
    ctx = context(aviation, [org(domain="blue-sky.co.za", phone="+27115550000")], people)
    got = proposals(ContactDetailsProvider(), ctx)
    assert list(got) == [("ORG-1", "email")]
    assert got["ORG-1", "email"].proposed == "info@blue-sky.co.za"
    assert "role address" in got["ORG-1", "email"].evidence
    assert got["ORG-1", "email"].confidence >= 0.8


def test_email_falls_back_to_a_personal_address_with_low_confidence(aviation):
    ctx = context(aviation, [org(phone="+27115550000")], [person("C1", email="jo@blue-sky.co.za")])
    got = proposals(ContactDetailsProvider(), ctx)
    assert got["ORG-1", "email"].proposed == "jo@blue-sky.co.za"
    assert 0.5 <= got["ORG-1", "email"].confidence < 0.7


def test_no_email_from_free_mail_or_another_domain(aviation):
    ctx = context(aviation, [org(website="https://blue-sky.co.za", phone="+27115550000")],
                  [person("C1", email="info@gmail.com"), person("C2", email="info@other.co.za")])
    assert ContactDetailsProvider().propose(ctx) == []


def test_phone_is_the_landline_contacts_share(aviation):
    people = [person("C1", phone="+27215551234", mobile="+27821112222"),
              person("C2", phone="+27215551234"), person("C3", phone="+27445550000")]
    got = proposals(ContactDetailsProvider(), context(aviation, [org(email="i@x.co.za")], people))
    assert got["ORG-1", "phone"].proposed == "+27215551234"
    assert "2 contact(s)" in got["ORG-1", "phone"].evidence
    assert "area code 021" in got["ORG-1", "phone"].evidence


@pytest.mark.parametrize("numbers", [
    ["+27821112222", "+27821112222"],  # a mobile, even in the phone column and shared
    ["+27711112222"], ["+27611112222"], ["+27841112222"], ["+27800123456"], ["+27871234567"],
    ["+27215551234", "+27115551234"],  # two landlines, one contact each
])
def test_no_phone_from_mobiles_non_geographic_or_competing_numbers(aviation, numbers):
    people = [person(f"C{i}", phone=n) for i, n in enumerate(numbers)]
    ctx = context(aviation, [org(email="info@x.co.za")], people)
    assert ContactDetailsProvider().propose(ctx) == []


def test_one_contacts_landline_has_less_confidence_and_must_fit_the_region(aviation):
    people = [person("C1", phone="+27215551234")]
    got = proposals(ContactDetailsProvider(), context(aviation, [org(email="i@x.co.za")], people))
    assert got["ORG-1", "phone"].confidence < 0.7
    elsewhere = context(aviation, [org(email="i@x.co.za", region="Gauteng")], people)
    assert ContactDetailsProvider().propose(elsewhere) == []


def test_records_with_email_and_phone_get_nothing(aviation):
    people = [person("C1", email="info@x.co.za", phone="+27215551234"),
              person("C2", phone="+27215551234")]
    ctx = context(aviation, [org(email="a@x.co.za", phone="+27115550000")], people)
    assert ContactDetailsProvider().propose(ctx) == []


# --- area_code_region ----------------------------------------------------------------------------


def test_region_from_a_single_region_area_code(aviation):
    ctx = context(aviation, [org(phone="+27115551234"), org("ORG-2", phone="+27215551234",
                                                            phone_other="+27215559999"),
                             org("ORG-3", phone="+27315551234", region="Gauteng")])
    got = proposals(AreaCodeRegionProvider(), ctx)
    assert {rid: p.proposed for (rid, _), p in got.items()} == {"ORG-1": "Gauteng",
                                                                 "ORG-2": "Western Cape"}
    assert "area code 011" in got["ORG-1", "region"].evidence


@pytest.mark.parametrize("phones,town", [
    ("+27821234567", None),  # a mobile
    ("+27145551234", None),  # 014: North West, Limpopo, Gauteng
    ("+27125551234", None),  # 012: Gauteng, North West
    ("+27115551234; +27215551234", None),  # landlines in two regions
    ("+27115551234", "Durban"),  # the town says otherwise
    ("+4420555512", None),
    ("011 555 1234", None),  # not normalised
])
def test_no_region_from_mobiles_ambiguous_or_contradicted_area_codes(aviation, phones, town):
    first, _, rest = phones.partition("; ")
    ctx = context(aviation, [org(phone=first, phone_other=rest or None, town=town)])
    assert AreaCodeRegionProvider().propose(ctx) == []


def test_a_town_picks_one_region_of_a_shared_area_code(aviation):
    ctx = context(aviation, [org(phone="+27122571234", town="Brits"),
                             org("ORG-2", phone="+27122571234", town="Middelburg")])
    assert proposed(AreaCodeRegionProvider(), ctx) == {"ORG-1": "North West"}


# --- town_region ---------------------------------------------------------------------------------


def test_region_from_the_town_and_its_other_spellings(aviation):
    ctx = context(aviation, [
        org(town="Nelspruit"), org("ORG-2", town="  PLETTENBERG-BAY "),
        org("ORG-3", town="Lanseria Airport"), org("ORG-4", town="Germiston, Rand Airport"),
        org("ORG-5", town="Virginia, Durban"), org("ORG-6", town="Kimberley", region="X")])
    assert proposed(TownRegionProvider(), ctx) == {
        "ORG-1": "Mpumalanga", "ORG-2": "Western Cape", "ORG-3": "Gauteng", "ORG-4": "Gauteng",
        "ORG-5": "KwaZulu-Natal"}


def test_an_ambiguous_town_needs_the_area_code(aviation):
    ctx = context(aviation, [
        org(town="Middelburg"), org("ORG-2", town="Middelburg", phone="+27132431234"),
        org("ORG-3", town="Virginia", phone="+27315551234"),
        org("ORG-4", town="Heidelberg", phone="+27825551234"), org("ORG-5", town="Atlantis X")])
    got = proposals(TownRegionProvider(), ctx)
    assert {rid: p.proposed for (rid, _), p in got.items()} == {"ORG-2": "Mpumalanga",
                                                                 "ORG-3": "KwaZulu-Natal"}
    assert got["ORG-2", "region"].confidence < 0.9
    assert "area code 013" in got["ORG-2", "region"].evidence


def test_a_town_the_area_code_contradicts_has_low_confidence(aviation):
    ctx = context(aviation, [org(town="Kimberley", phone="+27115551234")])
    got = proposals(TownRegionProvider(), ctx)
    assert got["ORG-1", "region"].proposed == "Northern Cape"
    assert got["ORG-1", "region"].confidence <= 0.6


def test_providers_never_change_the_frames(aviation):
    people = [person("C1", email="info@x.co.za", phone="+27215551234"),
              person("C2", phone="+27215551234")]
    ctx = context(aviation, [org(town="Middelburg", phone="+27132431234"),
                             org("ORG-2", email="a@y.co.za")], people)
    before = (ctx.organisations.copy(deep=True), ctx.contacts.copy(deep=True))
    assert sum(len(p.propose(ctx)) for p in offline_providers(aviation)) >= 4
    pd.testing.assert_frame_equal(before[0], ctx.organisations)
    pd.testing.assert_frame_equal(before[1], ctx.contacts)


# --- a generated sample, measured against the generator's truth ----------------------------------


@pytest.fixture(scope="module")
def refined_sample(tmp_path_factory):
    from hotpass.pipeline import refine
    from hotpass.profile import load_profile
    from hotpass.samples import generate_samples

    gen = generate_samples(tmp_path_factory.mktemp("enrich-sample"), rows=600, seed=3)
    return gen, refine(gen.files, load_profile("aviation"))


def true_org_ids(organisations: pd.DataFrame, truth_records: Path) -> dict[str, str]:
    """Golden organisation id -> the generator's org_id that most of its source rows belong to."""
    truth = pd.read_csv(truth_records, dtype=str, keep_default_na=False)
    columns = (truth[c] for c in ("source_file", "source_sheet", "source_row", "org_id"))
    owner = {(f, s, str(int(float(r)))): o for f, s, r, o in zip(*columns, strict=True) if o}
    out = {}
    for oid, rows in zip(organisations["organisation_id"], organisations["source_rows"],
                         strict=True):
        votes = Counter()
        for part in str(rows).split(";"):
            file, sheet, row = (x.strip() for x in part.split("|"))
            found = owner.get((file, sheet, row.removeprefix("row ").strip()))
            votes.update([found] if found else [])
        if votes:
            out[oid] = votes.most_common(1)[0][0]
    return out


def correct(p, true: pd.Series) -> bool:
    """Whether a proposal agrees with the truth about its organisation:

    website, domain: the same registrable domain as the true domain (else website);
    region: the true region; phone: the true phone; email: the true email, or an
    address at the true domain (a real address of the organisation, if perhaps
    not the one the generator made its main one).
    """
    true_domain = registrable_domain(true["domain"] or true["website"] or "-")
    if p.field in ("website", "domain"):
        return registrable_domain(p.proposed) == true_domain
    if p.field == "region":
        return p.proposed == true["region"]
    if p.field == "phone":
        return p.proposed == "+" + true["phone_e164"].lstrip("+")
    if p.field == "email":
        at_domain = registrable_domain(p.proposed.rpartition("@")[2]) == true_domain
        return p.proposed.lower() == true["email"].lower() or at_domain
    raise AssertionError(p.field)


@pytest.mark.slow
def test_proposals_on_a_sample_are_right_and_fill_the_gaps(refined_sample, aviation):
    gen, refined = refined_sample
    golden = refined.organisations
    ctx = EnrichContext(golden, refined.contacts, refined.provenance, aviation)
    before = [frame.copy(deep=True) for frame in (ctx.organisations, ctx.contacts, ctx.provenance)]
    made = [p for provider in offline_providers(aviation) for p in provider.propose(ctx)]
    for was, now in zip(before, (ctx.organisations, ctx.contacts, ctx.provenance), strict=True):
        pd.testing.assert_frame_equal(was, now)  # providers never change data

    truth = pd.read_csv(gen.truth_organisations, dtype=str, keep_default_na=False)
    truth = truth.set_index("org_id")
    owner = true_org_ids(golden, gen.truth_records)
    judged = [(p, correct(p, truth.loc[owner[p.record_id]])) for p in made]
    assert len(judged) > 100
    precision = sum(ok for _, ok in judged) / len(judged)
    assert precision >= 0.95, [p for p, ok in judged if not ok][:5]
    by_id = golden.set_index("organisation_id")
    assert all(is_missing(by_id.at[p.record_id, p.field]) and p.current is None for p in made)
    assert all(p.record_keys and p.evidence and 0.5 <= p.confidence <= 1 for p in made)

    for field in ("website", "region"):  # half of what the golden records lack and truth knows
        lacking = {oid for oid, value in zip(golden["organisation_id"], golden[field], strict=True)
                   if is_missing(value) and truth.at[owner[oid], field]}
        filled = {p.record_id for p, ok in judged if ok and p.field == field} & lacking
        assert len(filled) >= len(lacking) / 2, (field, len(filled), len(lacking))
