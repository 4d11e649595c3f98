"""Unit tests for hotpass.normalise: real-world messy values and the frame driver."""

from __future__ import annotations

import socket

import pandas as pd
import pytest

from hotpass import defaults
from hotpass.normalise import (
    Normaliser,
    Person,
    Result,
    email_domain,
    is_free_mail,
    is_placeholder,
    is_social,
    name_key,
    normalise_country,
    normalise_date,
    normalise_domain,
    normalise_email,
    normalise_frame,
    normalise_legal_suffix,
    normalise_number,
    normalise_org_name,
    normalise_person_name,
    normalise_phone,
    normalise_region,
    normalise_role,
    normalise_text,
    normalise_town,
    normalise_website,
    organisation_domain,
    parse_org_name,
    parse_person_name,
    phone_type,
    placeholder_keys,
    region_index,
    registrable_domain,
    split_legal_suffix,
    split_persons,
)
from hotpass.profile import Profile

SUFFIXES = defaults.legal_suffixes()
SOCIAL = defaults.social_domains()
REGIONS = region_index(defaults.region_aliases())
PLACEHOLDERS = defaults.placeholders()
CTX = Normaliser()


# --- placeholders -------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "-",
        "- -",
        " -- ",
        "N/A",
        "n / a",
        "#N/A",
        "(unknown)",
        "Not Publicly Listed",
        "TBC.",
        "Web form",
        "...",
        "-- --",
        "?",
    ],
)
def test_placeholders_become_missing(value):
    assert CTX.normalise("text", value) == Result((), "placeholder")
    assert CTX.normalise("phone", value).values == ()


@pytest.mark.parametrize("value", ["Value", "ref", "Nancy", "No 1 Flight School", "A-"])
def test_words_that_only_resemble_placeholders_are_kept(value):
    assert not is_placeholder(value, placeholder_keys(PLACEHOLDERS))


def test_zero_is_a_number_not_a_placeholder():
    assert CTX.normalise("number", "0").values == ("0",)
    assert CTX.normalise("phone", "0") == Result((), "placeholder")


def test_blank_text_is_missing_without_a_rule():
    assert CTX.normalise("text", "   \t ") == Result(())


def test_a_value_that_becomes_a_placeholder_is_missing():
    assert CTX.normalise("person_name", "Mr n/a").values == ()


# --- phones ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("082 123 4567", "+27821234567"),
        ("+27 (0)82 123 4567", "+27821234567"),
        ("0027821234567", "+27821234567"),
        ("27821234567", "+27821234567"),
        ("27821234567.0", "+27821234567"),
        ("2.7821234567E+10", "+27821234567"),
        ("821234567", "+27821234567"),
        ("(011) 555-1234", "+27115551234"),
        ("Tel: 021 555 0000", "+27215550000"),
        ("021 555 0000 (office hours)", "+27215550000"),
        ("+44 20 7946 0958", "+442079460958"),
        ("082-123-4567", "+27821234567"),
    ],
)
def test_phones_become_e164(value, expected):
    result = normalise_phone(value, "ZA")
    assert result == Result((expected,), "phone.e164")


def test_extension_is_dropped_with_its_own_rule():
    assert normalise_phone("011 555 1234 ext 12") == Result(
        ("+27115551234",), "phone.extension_dropped"
    )
    assert normalise_phone("011 555 1234, ext. 12").values == ("+27115551234",)


@pytest.mark.parametrize("separator", [" / ", ";", ", ", " or ", "\n", " & ", " and ", "  "])
def test_several_phones_in_one_cell(separator):
    result = normalise_phone(f"011 555 1234{separator}082 123 4567")
    assert result == Result(("+27115551234", "+27821234567"), "phone.split")


def test_suffix_shorthand_expands():
    assert normalise_phone("082 123 4567/8") == Result(
        ("+27821234567", "+27821234568"), "phone.shorthand"
    )
    assert normalise_phone("011 555 1234/35").values == ("+27115551234", "+27115551235")


def test_labels_and_repeats():
    result = normalise_phone("Tel 021 555 0000 / Fax 021 555 0001 / Tel 021 555 0000")
    assert result.values == ("+27215550000", "+27215550001")


@pytest.mark.parametrize("value", ["Web form", "call reception", "see website", "+"])
def test_phone_junk_without_digits(value):
    assert normalise_phone(value) == Result((), "phone.junk")


@pytest.mark.parametrize("value", ["12345", "0000000000000000", "12345/6"])
def test_invalid_phones_are_kept_and_flagged(value):
    assert normalise_phone(value) == Result((value,), None, "phone.invalid")


def test_invalid_part_next_to_valid_number():
    result = normalise_phone("021 555 0000; Room 12")
    assert result == Result(("+27215550000", "Room 12"), "phone.split", "phone.invalid")


def test_invalid_phone_whitespace_is_tidied():
    assert normalise_phone("  123   45 ") == Result(
        ("123 45",), "phone.whitespace", "phone.invalid"
    )


def test_e164_is_left_alone():
    assert normalise_phone("+27821234567") == Result(("+27821234567",))


def test_phone_type():
    assert phone_type("+27821234567") == "mobile"
    assert phone_type("+27115551234") == "landline"
    assert phone_type("+27800123456") == "other"
    assert phone_type("not a number") == "other"


# --- emails ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected, rule",
    [
        ("  John.Smith@Example.CO.ZA ", "John.Smith@example.co.za", "email.lowercase_domain"),
        ("mailto:info@example.co.za", "info@example.co.za", "email.cleaned"),
        ("<info@example.co.za>", "info@example.co.za", "email.cleaned"),
        ('"info@example.co.za"', "info@example.co.za", "email.cleaned"),
        ("info@example.co.za.", "info@example.co.za", "email.cleaned"),
        ("MAILTO:<Info@X.COM>.", "Info@x.com", "email.cleaned"),
        ("John Smith <John@Example.com>", "John@example.com", "email.cleaned"),
        ("Email: info@x.co.za", "info@x.co.za", "email.cleaned"),
        ("info@example.co.za", "info@example.co.za", None),
    ],
)
def test_emails_are_cleaned(value, expected, rule):
    assert normalise_email(value) == Result((expected,), rule)


@pytest.mark.parametrize("separator", ["; ", ",", " / ", "\n", " "])
def test_several_emails_in_one_cell(separator):
    assert normalise_email(f"a@x.com{separator}b@y.co.za") == Result(
        ("a@x.com", "b@y.co.za"), "email.split"
    )


@pytest.mark.parametrize("value", ["john@@x.com", "info@example", "no email given", "a..b@x.com"])
def test_invalid_emails_are_kept_and_flagged(value):
    assert normalise_email(value) == Result((value,), None, "email.invalid")


def test_email_helpers():
    assert email_domain("A.B@Gmail.COM") == "gmail.com"
    assert email_domain("nothing") is None
    free = defaults.free_mail_domains()
    assert is_free_mail("gmail.com", free) and is_free_mail("Mail.Gmail.com", free)
    assert not is_free_mail("notgmail.com", free) and not is_free_mail(None, free)


# --- websites -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("www.example.co.za", "https://www.example.co.za"),
        ("http://Example.co.za/", "https://example.co.za"),
        ("example.co.za", "https://example.co.za"),
        ("HTTP://EXAMPLE.COM:8080/A/", "https://example.com:8080/A"),
        (
            "https://www.Example.co.za:443/Path/?utm_source=x&id=3#top",
            "https://www.example.co.za/Path?id=3",
        ),
        ("https//example.com", "https://example.com"),
        ("see www.example.co.za", "https://www.example.co.za"),
    ],
)
def test_websites_become_canonical(value, expected):
    assert normalise_website(value, SOCIAL) == Result((expected,), "website.canonical")


def test_canonical_website_is_unchanged():
    assert normalise_website("https://example.co.za/about", SOCIAL) == Result(
        ("https://example.co.za/about",)
    )


def test_social_pages_are_kept_but_flagged():
    result = normalise_website("https://www.facebook.com/SomeSchool", SOCIAL)
    assert result == Result(("https://www.facebook.com/SomeSchool",), None, "website.social")
    assert organisation_domain(result.value, SOCIAL) is None
    assert is_social("foo.wixsite.com", SOCIAL) and not is_social("example.co.za", SOCIAL)


@pytest.mark.parametrize(
    "value",
    [
        "Example Flight School",
        "www.example .co.za",
        "info@example.co.za",
        "localhost",
        "ftp://x.com",
        "co.za",
    ],
)
def test_invalid_websites_are_kept_and_flagged(value):
    assert normalise_website(value, SOCIAL) == Result((value,), None, "website.invalid")


def test_several_websites():
    result = normalise_website("www.a.co.za; www.b.co.za", SOCIAL)
    assert result == Result(("https://www.a.co.za", "https://www.b.co.za"), "website.split")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://www.example.co.za/x", "example.co.za"),
        ("example.co.za", "example.co.za"),
        ("info@example.co.za", "example.co.za"),
        ("shop.example.com:8080", "example.com"),
        ("co.za", None),
        ("", None),
        ("not a host", None),
    ],
)
def test_registrable_domain(value, expected):
    assert registrable_domain(value) == expected


def test_organisation_domain():
    assert organisation_domain("https://www.example.co.za/about", SOCIAL) == "example.co.za"
    assert organisation_domain("https://sites.google.com/view/school", SOCIAL) is None
    assert organisation_domain("", SOCIAL) is None


def test_domain_kind():
    assert normalise_domain("www.Example.co.za") == Result(("example.co.za",), "domain.canonical")
    assert normalise_domain("@example.co.za").values == ("example.co.za",)
    assert normalise_domain("facebook.com", SOCIAL) == Result(
        ("facebook.com",), None, "domain.social"
    )
    assert normalise_domain("nope") == Result(("nope",), None, "domain.invalid")


def test_tldextract_never_touches_the_network(monkeypatch):
    from hotpass.normalise import website

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    website._extractor.cache_clear()
    website._registrable.cache_clear()
    assert registrable_domain("https://shop.fresh-example.org.za") == "fresh-example.org.za"
    extractor = website._extractor()
    assert tuple(extractor.suffix_list_urls) == ()


# --- regions --------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected, rule",
    [
        ("Gauteng", "Gauteng", None),
        ("gauteng", "Gauteng", "region.alias"),
        (" GP ", "Gauteng", "region.alias"),
        ("K.Z.N.", "KwaZulu-Natal", "region.alias"),
        ("Kwazulu-Natal", "KwaZulu-Natal", "region.alias"),
        ("north-west", "North West", "region.alias"),
        ("Wes-Kaap", "Western Cape", "region.alias"),
        ("Gauteg", "Gauteng", "region.fuzzy"),
        ("Mpumalanaga", "Mpumalanga", "region.fuzzy"),
        ("Guateng", "Gauteng", "region.fuzzy"),  # two letters swapped
    ],
)
def test_regions(value, expected, rule):
    assert normalise_region(value, REGIONS) == Result((expected,), rule)


def test_unknown_region_is_kept_and_flagged():
    assert normalise_region("Narnia", REGIONS) == Result(("Narnia",), None, "region.unknown")
    assert normalise_region("XZ", REGIONS).problem == "region.unknown"


def test_several_regions():
    assert normalise_region("Gauteng / limpopo", REGIONS) == Result(
        ("Gauteng", "Limpopo"), "region.split"
    )


# --- organisation names ------------------------------------------------------------


@pytest.mark.parametrize(
    "value, base, suffix",
    [
        ("ABC Aviation (Pty) Ltd", "ABC Aviation", "(Pty) Ltd"),
        ("ABC Aviation Pty Ltd", "ABC Aviation", "(Pty) Ltd"),
        ("ABC AVIATION (PTY) LTD", "ABC Aviation", "(Pty) Ltd"),
        ("ABC Aviation Pty. Ltd.", "ABC Aviation", "(Pty) Ltd"),
        ("ACME (PTY)LTD", "Acme", "(Pty) Ltd"),
        ("Sky High (Proprietary) Limited", "Sky High", "(Pty) Ltd"),
        ("Sky High Proprietary Limited", "Sky High", "(Pty) Ltd"),
        ("Joe Trading CC", "Joe Trading", "CC"),
        ("joe trading cc", "Joe Trading", "CC"),
        ("Joe Trading C.C.", "Joe Trading", "CC"),
        ("Helping Hands NPC", "Helping Hands", "NPC"),
        ("Helping Hands NPO", "Helping Hands", "NPO"),
        ("Acme, Inc.", "Acme", "Inc"),
        ("Acme Ltd", "Acme", "Ltd"),
        ("Acme Limited", "Acme", "Limited"),
        ("Acme (RF) (Pty) Ltd", "Acme", "(RF) (Pty) Ltd"),
        ("Eskom SOC Ltd", "Eskom", "SOC Ltd"),
        ("Cape Town Flying Club - NPC", "Cape Town Flying Club", "NPC"),
        ("ABC Flight School", "ABC Flight School", None),
        ("Ltd", "Ltd", None),
        ("(Pty) Ltd", "(Pty) Ltd", None),
    ],
)
def test_legal_suffixes(value, base, suffix):
    assert split_legal_suffix(parse_org_name(value, SUFFIXES).result.value, SUFFIXES)[1] is None
    parsed = parse_org_name(value, SUFFIXES)
    assert (parsed.result.value, parsed.legal_suffix) == (base, suffix)
    assert normalise_org_name(value, SUFFIXES).values == (base,)


def test_split_legal_suffix_keeps_original_case():
    assert split_legal_suffix("abc flying (pty) ltd", SUFFIXES) == ("abc flying", "(Pty) Ltd")


def test_thousands_of_trailing_suffixes_all_come_off():
    # Each suffix used to re-read the whole name: a cell like this took minutes.
    base, suffix = split_legal_suffix("abc flying" + " (pty) ltd." * 20_000, SUFFIXES)
    assert base == "abc flying"
    assert suffix == " ".join(["(Pty) Ltd"] * 20_000)
    assert split_legal_suffix("Pty(Pty)", SUFFIXES) == ("Pty(Pty)", None)


@pytest.mark.parametrize(
    "value, expected, rule",
    [
        ("  ABC   Flight  School ", "ABC Flight School", "name.whitespace"),
        ("ABC Flight School", "ABC Flight School", None),
        ("THE SCHOOL OF FLIGHT", "The School of Flight", "name.case"),
        ("43 AIR SCHOOL", "43 Air School", "name.case"),
        ("BLUE SKY AVIATION ACADEMY SA", "Blue Sky Aviation Academy SA", "name.case"),
        ("ATC FLIGHT TRAINING", "ATC Flight Training", "name.case"),
        ("cape town flying club", "Cape Town Flying Club", "name.case"),
        ('"Sky Academy"', "Sky Academy", "name.punctuation"),
        ("eBay Aviation", "eBay Aviation", None),
    ],
)
def test_org_name_case_and_whitespace(value, expected, rule):
    assert normalise_org_name(value, SUFFIXES) == Result((expected,), rule)


def test_legal_suffix_kind():
    assert normalise_legal_suffix("pty ltd", SUFFIXES) == Result(
        ("(Pty) Ltd",), "legal_suffix.canonical"
    )
    assert normalise_legal_suffix("(Proprietary) Limited", SUFFIXES).values == ("(Pty) Ltd",)
    assert normalise_legal_suffix("CC", SUFFIXES) == Result(("CC",))
    assert normalise_legal_suffix("Weird", SUFFIXES).problem == "legal_suffix.unknown"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Café Aviation & Sons", "cafe aviation and sons"),
        ("O'Brien's A.B.C. Flight-School", "obriens abc flight school"),
        ("  THE   Flying   Club ", "the flying club"),
        ("Jo'burg Air", "joburg air"),
    ],
)
def test_name_key(value, expected):
    assert name_key(value) == expected


# --- people -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, name, title, rule",
    [
        ("JOHN SMITH", "John Smith", None, "person.case"),
        ("john van der merwe", "John van der Merwe", None, "person.case"),
        ("VAN DER MERWE", "Van der Merwe", None, "person.case"),
        ("o'brien", "O'Brien", None, "person.case"),
        ("MCDONALD", "McDonald", None, "person.case"),
        ("Mr. John Smith", "John Smith", "Mr", "person.title"),
        ("Capt Dr J. Botha", "J. Botha", "Capt Dr", "person.title"),
        ("JP SMITH", "JP Smith", None, "person.case"),
        ("van der Merwe", "van der Merwe", None, None),
        ("McDonald", "McDonald", None, None),
        ("  sipho   ndlovu ", "Sipho Ndlovu", None, "person.case"),
    ],
)
def test_person_names(value, name, title, rule):
    parsed = parse_person_name(value)
    assert parsed.result == Result((name,), rule)
    assert parsed.title == title
    assert normalise_person_name(value).values == (name,)


def test_title_only_is_no_name():
    assert normalise_person_name("Mr.") == Result((), "person.junk")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("chief flight instructor", "Chief Flight Instructor"),
        ("CEO", "CEO"),
        ("ceo", "CEO"),
        ("ACCOUNTABLE MANAGER", "Accountable Manager"),
        ("HEAD OF TRAINING", "Head of Training"),
        ("- Owner ", "Owner"),
        ("AM", "AM"),  # accountable manager: an unknown acronym stays as typed
        ("HOT", "HOT"),
        ("OWNER", "Owner"),
    ],
)
def test_roles(value, expected):
    assert normalise_role(value).values == (expected,)


def test_role_placeholder_is_missing():
    assert CTX.normalise("role", "Unknown") == Result((), "placeholder")


def _people(cell: str) -> list[tuple]:
    return [
        (p.full_name, p.first_name, p.last_name, p.role) for p in split_persons(cell, PLACEHOLDERS)
    ]


@pytest.mark.parametrize(
    "cell, expected",
    [
        (
            "Ian Dyson (Director); Mark Smith (Chief Flight Instructor)",
            [
                ("Ian Dyson", "Ian", "Dyson", "Director"),
                ("Mark Smith", "Mark", "Smith", "Chief Flight Instructor"),
            ],
        ),
        (
            "John Smith - CEO, Jane Doe - Accountable Manager",
            [
                ("John Smith", "John", "Smith", "CEO"),
                ("Jane Doe", "Jane", "Doe", "Accountable Manager"),
            ],
        ),
        (
            "J. Botha / P. Naidoo",
            [("J. Botha", "J.", "Botha", None), ("P. Naidoo", "P.", "Naidoo", None)],
        ),
        (
            "Mr Sipho Ndlovu (Owner) and Mrs T. Ndlovu",
            [("Sipho Ndlovu", "Sipho", "Ndlovu", "Owner"), ("T. Ndlovu", "T.", "Ndlovu", None)],
        ),
        (
            "Sarah Jones\nPeter Parker",
            [("Sarah Jones", "Sarah", "Jones", None), ("Peter Parker", "Peter", "Parker", None)],
        ),
        (
            "John Smith - Sales and Marketing",
            [("John Smith", "John", "Smith", "Sales and Marketing")],
        ),
        ("Jane Doe (Owner/Director)", [("Jane Doe", "Jane", "Doe", "Owner/Director")]),
        ("John Smith, CEO", [("John Smith", "John", "Smith", "CEO")]),
        ("CEO: John Smith", [("John Smith", "John", "Smith", "CEO")]),
        ("Smith, John", [("John Smith", "John", "Smith", None)]),
        (
            "Capt. Piet van der Merwe – Chief Pilot",
            [("Piet van der Merwe", "Piet", "van der Merwe", "Chief Pilot")],
        ),
        (
            "JOHN SMITH (CEO) & MARY VAN DER MERWE (CFO)",
            [
                ("John Smith", "John", "Smith", "CEO"),
                ("Mary van der Merwe", "Mary", "van der Merwe", "CFO"),
            ],
        ),
        ("John Smith 082 123 4567", [("John Smith", "John", "Smith", None)]),
        ("Unknown; Peter Pan", [("Peter Pan", "Peter", "Pan", None)]),
        ("Mrs Ndlovu", [("Ndlovu", None, "Ndlovu", None)]),
        ("Sipho", [("Sipho", "Sipho", None, None)]),
    ],
)
def test_split_persons(cell, expected):
    assert _people(cell) == expected


@pytest.mark.parametrize(
    "cell", ["Unknown", "- -", "Not Publicly Listed", "", "  ", "john@x.com", "123"]
)
def test_cells_naming_nobody(cell):
    assert split_persons(cell, PLACEHOLDERS) == []


def test_person_carries_title():
    assert split_persons("Dr Ann Lee (HOD)")[0] == Person("Ann Lee", "Ann", "Lee", "HOD", "Dr")


# --- towns, countries, dates, numbers, text ----------------------------------------------


def test_towns():
    assert normalise_town("JOHANNESBURG") == Result(("Johannesburg",), "town.case")
    assert normalise_town("  port elizabeth ") == Result(("Port Elizabeth",), "town.case")
    assert normalise_town("Plettenberg  Bay") == Result(("Plettenberg Bay",), "town.whitespace")


@pytest.mark.parametrize(
    "value", ["SA", "RSA", "ZA", "za", "South Africa", "south africa", "Suid-Afrika", "S.A."]
)
def test_south_africa(value):
    assert normalise_country(value).values == ("South Africa",)


def test_other_countries():
    assert normalise_country("namibia") == Result(("Namibia",), "country.alias")
    assert normalise_country("UK").values == ("United Kingdom",)
    assert normalise_country("Narnia") == Result(("Narnia",), None, "country.unknown")


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-01",
        "01/03/2024",
        "1/3/2024",
        "1/3/24",
        "01.03.2024",
        "1 March 2024",
        "1 Mar 2024",
        "March 1, 2024",
        "Friday, 1st March 2024",
        "01-Mar-24",
        "2024-03-01T10:00:00",
        "2024-03-01 00:00:00",
        "2024/03/01",
        "45352",
        "45352.0",
        "20240301",
        "1 March 2024 10:15",
    ],
)
def test_dates(value):
    expected_rule = None if value == "2024-03-01" else "date.iso"
    assert normalise_date(value) == Result(("2024-03-01",), expected_rule)


def test_month_first_only_when_day_first_is_impossible():
    assert normalise_date("03/13/2024").values == ("2024-03-13",)
    assert normalise_date("03/04/2024").values == ("2024-04-03",)


@pytest.mark.parametrize("value", ["31/02/2024", "soon", "2024", "Q1 2024"])
def test_invalid_dates_are_kept(value):
    assert normalise_date(value) == Result((value,), None, "date.invalid")


@pytest.mark.parametrize(
    "value, expected, rule",
    [
        ("1,234", "1234", "number.thousands"),
        ("1 234 567", "1234567", "number.thousands"),
        ("1,234.50", "1234.50", "number.thousands"),
        ("1.234,50", "1234.50", "number.thousands"),
        ("12.0", "12", "number.float"),
        ("1,5", "1.5", "number.decimal_comma"),
        ("-3", "-3", None),
        ("12.50", "12.50", None),
    ],
)
def test_numbers(value, expected, rule):
    assert normalise_number(value) == Result((expected,), rule)


def test_invalid_number():
    assert normalise_number("about 5") == Result(("about 5",), None, "number.invalid")


def test_text_only_collapses_whitespace():
    assert normalise_text("  Some\u00a0 text\n here ") == Result(
        ("Some text here",), "text.whitespace"
    )
    assert CTX.normalise("category", " Flight  School ") == Result(
        ("Flight School",), "category.whitespace"
    )
    assert CTX.normalise("id", "ABC-001") == Result(("ABC-001",))


def test_persons_cell_is_only_tidied():
    assert CTX.normalise("persons", " Ann  Lee \n\n Bob Ng ") == Result(
        ("Ann Lee\nBob Ng",), "persons.whitespace"
    )


# --- the bound context ------------------------------------------------------------------------


def test_from_profile_binds_settings():
    profile = Profile(
        name="t", phone_region="GB", placeholders=["nothing"], legal_suffixes=["GmbH"]
    )
    ctx = Normaliser.from_profile(profile)
    assert ctx.normalise("phone", "020 7946 0958").values == ("+442079460958",)
    assert ctx.normalise("text", "Nothing") == Result((), "placeholder")
    assert ctx.normalise("text", "n/a").values == ("n/a",)
    assert ctx.read("org_name", "Acme GmbH") == (Result(("Acme",), "name.legal_suffix"), "GmbH")
    assert ctx.read("org_name", "Acme (Pty) Ltd")[1] is None


def test_context_splits_persons_with_profile_placeholders():
    ctx = Normaliser.from_profile(Profile(name="t", placeholders=["nobody"]))
    assert [p.full_name for p in ctx.split_persons("Nobody; Ann Lee; Not Known")] == [
        "Ann Lee",
        "Not Known",
    ]
    assert [p.full_name for p in CTX.split_persons("Unknown; Ann Lee / n/a")] == ["Ann Lee"]


def test_unknown_kind_collapses_whitespace():
    assert CTX.normalise("something_new", " a  b ") == Result(("a b",), "something_new.whitespace")


# --- frames -------------------------------------------------------------------------------------


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": ["a.xlsx"] * 5,
            "source_sheet": ["Schools"] * 5,
            "source_row": [2, 3, 4, 5, 6],
            "name": ["ABC AVIATION (PTY) LTD", "Sky Flying cc", None, "n/a", "Acme Ltd"],
            "legal_suffix": [None, "NPC", None, None, ""],
            "phone": ["011 555 1234 / 082 123 4567", "12345", "web form", None, "+27821234567"],
            "region": ["gp", "Narnia", "", None, "Gauteng"],
            "contact": ["Mr John (CEO)", " Ann  Lee ", None, "unknown", "Bob"],
            "amount": ["0", "1,234", None, "12.0", float("nan")],
        }
    )


KINDS = {
    "name": "org_name",
    "legal_suffix": "legal_suffix",
    "phone": "phone",
    "region": "region",
    "contact": "persons",
    "amount": "number",
    "absent": "text",
}


def test_normalise_frame_values():
    out, _ = normalise_frame(_frame(), KINDS, CTX)
    assert out["name"].tolist() == ["ABC Aviation", "Sky Flying", None, None, "Acme"]
    assert out["legal_suffix"].tolist() == ["(Pty) Ltd", "NPC", None, None, "Ltd"]
    assert out["phone"].tolist() == ["+27115551234", "12345", None, None, "+27821234567"]
    assert out["phone_other"].tolist() == ["+27821234567", None, None, None, None]
    assert out["region"].tolist() == ["Gauteng", "Narnia", None, None, "Gauteng"]
    assert out["contact"].tolist() == ["Mr John (CEO)", "Ann Lee", None, None, "Bob"]
    assert out["amount"].tolist() == ["0", "1234", None, "12", None]
    assert "region_other" not in out.columns and "absent" not in out.columns
    for column in ("name", "phone", "phone_other", "region", "legal_suffix", "amount"):
        assert out[column].dtype == object


def test_normalise_frame_does_not_touch_its_input():
    frame = _frame()
    before = frame.copy()
    normalise_frame(frame, KINDS, CTX)
    pd.testing.assert_frame_equal(frame, before)


def test_normalise_frame_findings():
    _, findings = normalise_frame(_frame(), KINDS, CTX)
    table = findings.to_frame()
    phone = table[(table["column"] == "phone") & (table["row"] == 2)].iloc[0]
    assert phone["code"] == "normalise.phone.split" and phone["severity"] == "info"
    assert phone["original"] == "011 555 1234 / 082 123 4567"
    assert phone["new"] == "+27115551234; +27821234567"
    assert (phone["file"], phone["sheet"], phone["rule"]) == ("a.xlsx", "Schools", "phone.split")
    invalid = table[table["code"] == "normalise.phone.invalid"].iloc[0]
    assert invalid["severity"] == "warning" and invalid["row"] == 3
    assert set(table["code"]) >= {
        "normalise.placeholder",
        "normalise.region.unknown",
        "normalise.name.legal_suffix",
        "normalise.number.thousands",
    }
    unchanged = table[(table["column"] == "region") & (table["row"] == 6)]
    assert unchanged.empty


def test_normalise_frame_accepts_a_profile_and_person_titles():
    frame = pd.DataFrame({"person": ["Dr Ann Lee", "Bob Ng"], "other": ["x", "y"]})
    out, findings = normalise_frame(frame, {"person": "person_name"}, Profile(name="t"))
    assert out["person"].tolist() == ["Ann Lee", "Bob Ng"]
    assert out["person_title"].tolist() == ["Dr", None]
    assert findings.codes() == ["normalise.person.title"]
    assert findings.to_frame()["row"].isna().all()


def test_normalise_frame_with_pandas_string_dtype():
    frame = pd.DataFrame({"email": pd.array(["A@X.COM", None, "a@x.com; b@y.com"], dtype="string")})
    out, _ = normalise_frame(frame, {"email": "email"}, CTX)
    assert out["email"].tolist() == ["A@x.com", None, "a@x.com"]
    assert out["email_other"].tolist() == [None, None, "b@y.com"]


def test_normalise_frame_caches_repeated_values(monkeypatch):
    calls = []
    original = Normaliser.read

    def counting(self, kind, value):
        calls.append(value)
        return original(self, kind, value)

    monkeypatch.setattr(Normaliser, "read", counting)
    frame = pd.DataFrame({"phone": ["082 123 4567"] * 1000 + ["011 555 1234"] * 1000})
    normalise_frame(frame, {"phone": "phone"}, CTX)
    assert sorted(calls) == ["011 555 1234", "082 123 4567"]


# --- codes are documented ---------------------------------------------------------------------------


def test_every_rule_and_problem_code_is_documented():
    import re
    from pathlib import Path

    from hotpass import normalise
    from hotpass.normalise import PROBLEMS, RULES, describe

    package = Path(normalise.__file__).parent
    source = "\n".join(p.read_text() for p in package.glob("*.py") if p.name != "codes.py")
    pattern = r'"((?:[a-z_]+)\.[a-z_0-9]+|placeholder)"'
    used = {c for c in re.findall(pattern, source) if c.split(".")[0] in _CODE_PREFIXES}
    used |= {f"phone.{name}" for name in ("shorthand", "split", "extension_dropped", "e164")}
    assert used - set(RULES) - set(PROBLEMS) == set()
    assert set(RULES).isdisjoint(PROBLEMS)
    assert describe("normalise.phone.e164") == RULES["phone.e164"]
    assert describe("category.whitespace") == "Whitespace was tidied."


_CODE_PREFIXES = {
    "placeholder", "phone", "email", "website", "domain", "region", "name", "legal_suffix",
    "person", "persons", "role", "town", "country", "date", "number",
}  # fmt: skip


def test_worker_processes_give_the_same_results_as_this_process(monkeypatch, caplog):
    from hotpass.normalise import parallel

    pairs = [("phone", "082 555 0199"), ("phone", "+27 11 555 0100 ext 4"), ("email", "Info@Example.CO.ZA"),
             ("org_name", "ACME AVIATION (PTY) LTD"), ("website", "www.example.co.za"), ("region", "GP"),
             ("phone", "n/a"), ("person_name", "Dr. jane van der merwe")] * 3
    pairs = list(dict.fromkeys(pairs))
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    assert parallel.read_all(CTX, pairs, workers=2) == {pair: CTX.read(*pair) for pair in pairs}
    assert "worker pool failed" not in caplog.text  # the workers did it, not the fallback


def test_batches_share_one_pool_and_a_broken_pool_loses_no_batch(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    from hotpass.normalise import parallel

    pairs = [("phone", f"011 555 {i:04d}") for i in range(30)] + [("email", f"a{i}@b.co.za") for i in range(9)]
    batches = [pairs[i:i + 10] for i in range(0, len(pairs), 10)]
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "CHUNK", 4)
    got = list(parallel.read_batches(CTX, iter(batches), workers=2))
    assert [b for b, _ in got] == batches
    assert [r for _, rs in got for r in rs] == [CTX.read(*p) for p in pairs]

    class Broken:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, *args):
            raise BrokenProcessPool("gone")

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Broken)
    got = list(parallel.read_batches(CTX, iter(batches), workers=2))
    assert [b for b, _ in got] == batches  # the batch being read when the pool broke is read here
    assert [r for _, rs in got for r in rs] == [CTX.read(*p) for p in pairs]
