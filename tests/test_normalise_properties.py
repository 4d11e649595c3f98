"""Property tests: normalisers are idempotent, keep valid values, and never raise."""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotpass import defaults
from hotpass.normalise import (
    Normaliser,
    name_key,
    normalise_email,
    normalise_frame,
    normalise_phone,
    normalise_region,
    region_index,
    split_persons,
)

CTX = Normaliser()
KINDS = sorted(
    "text org_name legal_suffix person_name persons first_name last_name role phone email "
    "website domain region town country date number category id link".split()
)
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like what sheets hold, plus arbitrary Unicode and control characters.
_FRAGMENTS = (
    "(Pty) Ltd| CC| and |www.|.co.za|gp|082 123 4567|Mr |n/a|0|mailto:|http://|https://www.|.com|"
    "?utm_source=x|:8080|ext |+27|(0)|Pty|Dr |van |Mc|o'|March |2024|-03-|/12/|45352|1,234|.0|"
    "E+10|Gauteng|K.Z.N.|SA|Ltd.|(CEO)| - "
).split("|")
MESSY_ALPHABET = st.sampled_from(
    list("abcXYZ019 .,;:/&()-–'@+#\n\t\x00\u00a0\u200bÉéßİıǅﬁ") + _FRAGMENTS
)
_PEOPLE = st.sampled_from(
    "John|SMITH|van|der|o'brien|Mc|Mr |Dr. | (CEO)| - | – |, |; | / |\n| and | & |Director|Sales|"
    ":|(|)|J.| |unknown|n/a|082 123 4567|a@b.co".split("|")
)
PEOPLE = st.lists(_PEOPLE, max_size=14).map("".join)
MESSY = st.one_of(st.text(), st.lists(MESSY_ALPHABET, max_size=12).map("".join))


def _assert_idempotent(kind: str, value: str) -> None:
    first = CTX.normalise(kind, value)
    for produced in first.values:
        again = CTX.normalise(kind, produced)
        assert again.values[:1] == (produced,), (kind, value, first, again)
        assert again.rule is None, (kind, value, first, again)


@pytest.mark.parametrize("kind", KINDS)
@QUICK
@given(value=MESSY)
def test_every_normaliser_is_idempotent(kind, value):
    _assert_idempotent(kind, value)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=10, deadline=None)
@given(piece=MESSY, times=st.integers(1000, 20000))
def test_huge_strings_never_raise(kind, piece, times):
    _assert_idempotent(kind, (piece or "x") * times)


@QUICK
@given(value=st.one_of(MESSY, PEOPLE))
def test_split_persons_never_raises_and_names_are_stable(value):
    for person in split_persons(value, defaults.placeholders()):
        assert person.full_name
        again = split_persons(person.full_name, defaults.placeholders())
        assert [p.full_name for p in again] == [person.full_name]


@pytest.mark.parametrize("kind", ["persons", "person_name", "role", "org_name"])
@QUICK
@given(value=PEOPLE)
def test_people_normalisers_are_idempotent(kind, value):
    _assert_idempotent(kind, value)


@QUICK
@given(rows=st.lists(st.tuples(MESSY, MESSY, MESSY, MESSY), min_size=1, max_size=8))
def test_normalising_a_normalised_frame_changes_nothing(rows):
    frame = pd.DataFrame(rows, columns=["phone", "email", "name", "region"], dtype=object)
    kinds = {"phone": "phone", "email": "email", "name": "org_name", "region": "region"}
    once, _ = normalise_frame(frame, kinds, CTX)
    twice, findings = normalise_frame(once, kinds, CTX)
    pd.testing.assert_frame_equal(once, twice)
    assert all(f.rule is None for f in findings)


_REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
_TYPES = [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]


@QUICK
@given(
    region=st.sampled_from(_REGIONS),
    kind=st.sampled_from(_TYPES),
    home=st.sampled_from(["ZA", "GB"]),
)
def test_valid_e164_numbers_survive(region, kind, home):
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None or len(phonenumbers.national_significant_number(example)) < 7:
        return  # very short numbers (a few small islands) are not accepted; see phone.py
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert normalise_phone(e164, home) == ((e164,), None, None)
    international = phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    assert normalise_phone(international, home).values == (e164,)


_LOCAL = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_%+-", min_size=1, max_size=20
)
_LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@QUICK
@given(
    local=_LOCAL,
    labels=st.lists(_LABEL, min_size=1, max_size=3),
    tld=st.sampled_from(["com", "co.za", "org", "net", "africa"]),
)
def test_valid_emails_round_trip(local, labels, tld):
    address = f"{local}@{'.'.join(labels)}.{tld}"
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        assert normalise_email(address) == ((address,), None, "email.invalid")
    else:
        assert normalise_email(address) == ((address,), None, None)
    assert normalise_email(f" mailto:<{address}> ").values == (address,)


@QUICK
@given(
    canonical=st.sampled_from(sorted(defaults.region_aliases())),
    case=st.sampled_from([str.upper, str.lower, str.title, lambda s: s]),
)
def test_canonical_regions_map_to_themselves(canonical, case):
    index = region_index(defaults.region_aliases())
    assert normalise_region(canonical, index) == ((canonical,), None, None)
    assert normalise_region(case(canonical), index).values == (canonical,)


@QUICK
@given(value=MESSY)
def test_name_key_is_stable(value):
    assert name_key(name_key(value)) == name_key(value)
