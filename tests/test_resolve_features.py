"""The matching features: free mail never names an organisation; names split into core and tail."""

from __future__ import annotations

import pandas as pd

from hotpass.resolve import features
from hotpass.resolve.features import SHARED_DOMAIN_NAMES
from hotpass.resolve.names import core_frequencies, fold_words
from hotpass.resolve.people import person_keys


def orgs(*rows: dict) -> pd.DataFrame:
    """Organisation records with the columns the resolver reads; missing values are None."""
    columns = [
        "record_id",
        "record_key",
        "name",
        "legal_suffix",
        "region",
        "town",
        "website",
        "domain",
        "email",
        "email_other",
        "phone",
        "phone_other",
    ]
    frame = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], dtype=object)
    frame["record_id"] = [f"O{i:07d}" for i in range(1, len(frame) + 1)]
    frame["record_key"] = [row.get("record_key", f"org:{i:016x}") for i, row in enumerate(rows)]
    return frame


def test_free_mail_and_social_domains_never_become_org_domain(aviation):
    frame = features(
        orgs(
            {"name": "A", "email": "bob@gmail.com"},
            {"name": "B", "email": "ann@yahoo.co.za; info@gmail.com"},
            {"name": "C", "email": "x@GMAIL.co.za"},  # a free-mail brand under another suffix
            {"name": "D", "email": "y@iafrica"},  # truncated free-mail address without a suffix
            {"name": "E", "domain": "facebook.com", "email": "z@mail.webmail.co.za"},
            {"name": "F", "domain": "gmail.com"},
            {"name": "G", "email": "ops@skyway.co.za", "email_other": "me@gmail.com"},
            {"name": "H", "domain": "skyway-aviation.co.za", "email": "ops@other.co.za"},
        ),
        aviation,
    )
    assert frame["org_domain"].tolist() == [None] * 6 + ["skyway.co.za", "skyway-aviation.co.za"]
    free = set(aviation.free_mail_domains)
    assert not any(d in free for d in frame["org_domain"].dropna())


def test_a_domain_that_many_different_names_use_names_none_of_them(aviation):
    shared = [{"name": f"Supplier {i}", "email": f"accounts{i}@isp.co.za"}
              for i in range(SHARED_DOMAIN_NAMES)]
    branches = [{"name": f"Skyway {town}", "domain": "skyway.co.za"} for town in ("Durban", "George")]
    frame = features(orgs(*shared, *branches, {"name": "Skyway", "email": "ops@skyway.co.za"}), aviation)
    assert frame["org_domain"].tolist() == [None] * SHARED_DOMAIN_NAMES + ["skyway.co.za"] * 3
    fewer = features(orgs(*shared[:-1]), aviation)
    assert set(fewer["org_domain"]) == {"isp.co.za"}, "one fewer name: still an organisation's domain"


def test_phones_keep_e164_numbers_only_and_lists_are_sorted(aviation):
    frame = features(
        orgs({"name": "A", "phone": "+27115550000", "phone_other": "011 555; +27821234567"}),
        aviation,
    )
    assert frame.at[0, "phones"] == ["+27115550000", "+27821234567"]
    assert frame.at[0, "emails"] is None


def test_name_key_core_and_tail(aviation):
    frame = features(
        orgs(
            {"name": "The Blue Sky Flight Academy"},
            {"name": "Blue Sky Fligth"},  # a typo in a generic word still ends the core
            {"name": "Zasarix"},
            {"name": "Mnisi & Bezuidenhout Aviation Training"},
        ),
        aviation,
    )
    assert frame["name_key"].tolist() == [
        "blue sky flight academy",
        "blue sky fligth",
        "zasarix",
        "mnisi bezuidenhout aviation training",
    ]
    assert frame["name_core"].tolist() == ["blue sky", "blue sky", "zasarix", "mnisi bezuidenhout"]
    assert frame["name_tail"].tolist() == ["flight academy", "fligth", None, "aviation training"]


def test_core_frequencies_count_kinds_of_tail_not_records(aviation):
    pairs = zip(["vaal", "vaal", "tetawa", "tetawa", "tetawa"],
                ["aviation", "flight school", "flight", "flight academy", "flihgt"])
    words = fold_words(aviation.resolution.generic_name_words)
    tf = dict(zip(*core_frequencies(pairs, words).T.values))
    assert tf == {"tetawa": 1 / 3, "vaal": 2 / 3}


def test_people_keys_and_contact_points(aviation):
    assert person_keys("Riaan", "Olivier", None) == ("r olivier", "riaan olivier")
    assert person_keys("R.", "Olivier", None) == ("r olivier", None)
    assert person_keys(None, None, "Gavin Du Plessis") == ("g duplessis", "gavin duplessis")
    contacts = pd.DataFrame(
        {
            "org_record": ["O0000001", "O0000001", None],
            "first_name": ["Riaan", "S", "X"],
            "last_name": ["Olivier", "Venter", "Y"],
            "full_name": [None, None, None],
            "mobile": ["+27821234567", None, "+27820000000"],
            "email": [None, "SV@Example.com", None],
        }
    )
    frame = features(orgs({"name": "A"}, {"name": "B"}), aviation, contacts)
    assert frame.at[0, "people"] == ["r olivier", "s venter"]
    assert frame.at[0, "people_full"] == ["riaan olivier"]
    assert frame.at[0, "contact_points"] == ["+27821234567", "sv@example.com"]
    assert frame.at[1, "people"] is None
