"""A profile without a phone region (person) reads national numbers as the country nearly all
numbers written with a country code share, and says so; a mixed list keeps them as written."""

from __future__ import annotations

from hotpass.pipeline import refine_sheets
from hotpass.profile import load_profile
from tests.conftest import make_sheet

HEADERS = ["Surname", "Given names", "E-mail address", "Cell"]


def _refined(phones: list[str]) -> tuple[list[str], list[tuple]]:
    rows = [[f"Surname{i}", f"Given{i}", f"p{i}@example.org", phone] for i, phone in enumerate(phones)]
    result = refine_sheets([make_sheet(HEADERS, rows, file="members.csv", sheet="csv")],
                           load_profile("person"), stop="normalise")
    try:
        values = [v for (v,) in result.db.rows("SELECT phone FROM person_records ORDER BY source_row")]
        found = result.db.rows("SELECT code, new FROM findings WHERE code = 'normalise.phone.region_inferred'")
        return values, found
    finally:
        result.close()


def test_national_numbers_follow_the_country_the_international_ones_share():
    values, found = _refined(["082 555 0101", "+27 82 555 0404", "(072) 555 0303", "0027 83 555 0202"])
    assert values == ["+27825550101", "+27825550404", "+27725550303", "+27835550202"]
    assert found == [("normalise.phone.region_inferred", "ZA")]


def test_mixed_countries_or_a_single_international_number_infer_nothing():
    values, found = _refined(["082 555 0101", "+27 82 555 0404", "+44 20 7946 0018", "020 7946 0019"])
    assert values[0] == "082 555 0101" and values[1] == "+27825550404" and values[2] == "+442079460018"
    assert found == []
    values, found = _refined(["082 555 0101", "+27 82 555 0404"])
    assert values == ["082 555 0101", "+27825550404"] and found == []
