"""Expectation suites on golden records: real Great Expectations, no mocks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hotpass.errors import ProfileError
from hotpass.validate import COLUMNS, Suite, load_suites, validate_tables

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def golden(tmp_path_factory, aviation):
    """The refined golden tables of a generated sample."""
    from hotpass.pipeline import refine
    from hotpass.samples import generate_samples

    gen = generate_samples(tmp_path_factory.mktemp("validate"), rows=600, seed=3)
    refined = refine(gen.files, aviation)
    return {"organisations": refined.organisations, "contacts": refined.contacts}


def organisations(**changes) -> pd.DataFrame:
    """Five valid golden organisations; ``changes`` replaces whole columns."""
    data = {
        "organisation_id": ["ORG-1", "ORG-2", "ORG-3", "ORG-4", "ORG-5"],
        "name": ["Kelneron Air", "Fedaya Aero", "Royal Ibis", "Blue Summit", "Sky Falcon"],
        "phone": ["+27112584160", "+27712254781", "+27814582772", None, "+27115550101"],
        "email": ["info@kelneron.co.za", None, "ops@royalibis.org.za", "a@b.com", None],
        "website": ["https://kelneron.co.za", None, "https://royalibis.org.za/about", None, None],
        "domain": ["kelneron.co.za", None, "royalibis.org.za", None, None],
        "region": ["Gauteng", "Western Cape", None, "Limpopo", "Gauteng"],
        "last_interaction": ["2023-02-06", None, None, None, "2019-10-01"],
        "status": ["Active", None, "Suspended", None, None],
        "source_rows": ["a.xlsx | S | row 2"] * 5,
    }
    data.update(changes)
    return pd.DataFrame(data, dtype=object)


def contacts(**changes) -> pd.DataFrame:
    """Three valid golden contacts of the organisations above."""
    data = {
        "contact_id": ["CON-1", "CON-2", "CON-3"],
        "organisation_id": ["ORG-1", "ORG-1", "ORG-3"],
        "full_name": ["Sibusiso Mahlangu", "Adele Cloete", "Chris Naicker"],
        "email": ["s@kelneron.co.za", None, None],
        "phone": [None, "+27112584160", None],
        "mobile": ["+27821234567", None, None],
        "whatsapp": [None, None, None],
        "source_rows": ["a.xlsx | C | row 2"] * 3,
    }
    data.update(changes)
    return pd.DataFrame(data, dtype=object)


def tables(**changes) -> dict[str, pd.DataFrame]:
    """Both tables, with ``changes`` made to the organisations."""
    return {"organisations": organisations(**changes), "contacts": contacts()}


def row(validation, ident: str) -> pd.Series:
    """The result row of one expectation id (``table.name``)."""
    hits = validation.results[validation.results["id"] == ident]
    assert len(hits) == 1, ident
    return hits.iloc[0]


def write_suite(folder: Path, table: str, expectations: list[dict]) -> Path:
    path = folder / f"{table}.json"
    path.write_text(json.dumps({"name": table, "expectations": expectations, "meta": {}}))
    return path


def expectation(name: str | None, kind: str = "expect_column_values_to_not_be_null",
                **kwargs) -> dict:
    meta = {"name": name} if name is not None else {}
    return {"type": kind, "kwargs": kwargs or {"column": "name"}, "meta": meta}


def profile_with_suites(profile, folder: Path, blocking: list[str] | None = None):
    p = profile.model_copy(deep=True)
    p.validation.expectations_dir = str(folder)
    p.validation.blocking = blocking or []
    return p


# --- the shipped suites ------------------------------------------------------------


@pytest.mark.parametrize("name", ["aviation", "generic"])
def test_shipped_suites_load_with_names_and_descriptions(name, request):
    profile = request.getfixturevalue(name)
    suites = load_suites(profile)
    assert [s.table for s in suites] == ["organisations", "contacts"]
    assert profile.expectations_dir().name == name
    for suite in suites:
        assert isinstance(suite, Suite) and suite.path.is_file()
        for item in suite.expectations:
            assert item["meta"]["name"] and item["meta"]["description"]
    ids = {f"{s.table}.{n}" for s in suites for n in s.names()}
    assert set(profile.validation.blocking) <= ids


def test_sample_golden_tables_pass_every_blocking_expectation(golden, aviation):
    validation = validate_tables(golden, aviation)
    results = validation.results
    assert list(results.columns) == COLUMNS
    assert validation.blocking_failures().empty
    suites = load_suites(aviation)
    assert list(results["id"]) == [f"{s.table}.{n}" for s in suites for n in s.names()]
    assert results["message"].eq("").all()
    assert results["element_count"].eq(results["table"].map(lambda t: len(golden[t]))).all()
    assert results.dtypes["success"] == "bool" and results.dtypes["blocking"] == "bool"
    assert results.dtypes["unexpected_count"] == "int64"
    assert results.dtypes["unexpected_percent"] == "float64"
    # what fails in the sample are its real flaws (short phones, broken emails), shown by example
    for failed in validation.failed().itertuples():
        assert not failed.blocking and failed.unexpected_count > 0 and failed.examples
    assert validation.seconds > 0
    assert validation.to_frame().equals(results)


def test_sample_contacts_all_belong_to_organisations(golden, aviation):
    validation = validate_tables(golden, aviation)
    assert row(validation, "contacts.contact_has_organisation").success
    assert row(validation, "contacts.contact_id_unique").success


# --- counts, examples, findings ----------------------------------------------------------


def test_counts_percent_and_examples_of_bad_phones(aviation):
    phones = ["+27112584160", "011 555 0101", "+27814582772", "0825550101", "+27115550101"]
    validation = validate_tables(tables(phone=phones), aviation)
    phone = row(validation, "organisations.phone_e164")
    assert not phone.success and not phone.blocking
    assert (phone.element_count, phone.unexpected_count) == (5, 2)
    assert phone.unexpected_percent == pytest.approx(40.0)
    assert phone.examples == "011 555 0101; 0825550101"
    assert phone.column == "phone" and phone.type == "expect_column_values_to_match_regex"
    assert phone.message == ""
    assert list(validation.failed()["id"]) == ["organisations.phone_e164"]
    [finding] = list(validation.findings())
    assert finding.code == "validation.organisations.phone_e164"
    assert finding.severity == "warning"
    assert finding.sheet == "Organisations" and finding.column == "phone"
    assert finding.message.startswith("2 of 5 organisations (40.0%) fail: ")
    assert finding.message.endswith("; e.g. 011 555 0101; 0825550101")


def test_blank_and_whitespace_text_counts_as_missing(aviation):
    frame = organisations(phone=["", "   ", "+27814582772", None, "\t"],
                          email=["", None, "ops@royalibis.org.za", " ", None])
    validation = validate_tables({"organisations": frame, "contacts": contacts()}, aviation)
    assert row(validation, "organisations.phone_e164").success
    assert row(validation, "organisations.email_valid").success
    present = row(validation, "organisations.phone_mostly_present")
    assert present.unexpected_count == 4 and not present.success
    assert present.examples == ""  # missing values are not shown as examples
    assert frame.loc[0, "phone"] == ""  # the caller's frame is untouched


def test_examples_are_distinct_and_limited_by_the_profile(aviation):
    p = aviation.model_copy(deep=True)
    p.validation.examples = 2
    bad = ["x1", "x1", "x2", "x3", "+27115550101"]
    validation = validate_tables(tables(phone=bad), p)
    phone = row(validation, "organisations.phone_e164")
    assert phone.unexpected_count == 4
    assert phone.examples == "x1"  # the first two failing values, once each


def test_duplicate_organisation_id_is_a_blocking_error(aviation):
    ids = ["ORG-1", "ORG-2", "ORG-3", "ORG-2", "ORG-5"]
    validation = validate_tables({"organisations": organisations(organisation_id=ids),
                                  "contacts": contacts()}, aviation)
    unique = row(validation, "organisations.organisation_id_unique")
    assert not unique.success and unique.blocking
    assert unique.unexpected_count == 2 and unique.examples == "ORG-2"
    assert list(validation.blocking_failures()["id"]) == ["organisations.organisation_id_unique"]
    findings = validation.findings().to_frame()
    assert list(findings["code"]) == ["validation.organisations.organisation_id_unique"]
    assert list(findings["severity"]) == ["error"]
    assert findings.loc[0, "column"] == "organisation_id"


def test_contact_without_existing_organisation_fails(aviation):
    frame = contacts(organisation_id=["ORG-1", "ORG-404", None])
    validation = validate_tables({"organisations": organisations(), "contacts": frame}, aviation)
    linked = row(validation, "contacts.contact_has_organisation")
    assert not linked.success and linked.column == "organisation_id"
    assert linked.unexpected_count == 1 and linked.examples == "ORG-404"
    present = row(validation, "contacts.organisation_id_present")
    assert present.unexpected_count == 1  # the null is caught by the not-null expectation


def test_region_must_be_canonical(aviation):
    frame = organisations(region=["Gauteng", "Guateng", "GP", None, "Free State"])
    validation = validate_tables({"organisations": frame, "contacts": contacts()}, aviation)
    region = row(validation, "organisations.region_canonical")
    assert region.unexpected_count == 2 and region.examples == "Guateng; GP"


# --- missing tables and columns --------------------------------------------------


def test_missing_column_fails_that_expectation_only(aviation):
    frame = organisations().drop(columns=["website"])
    validation = validate_tables({"organisations": frame, "contacts": contacts()}, aviation)
    website = row(validation, "organisations.website_well_formed")
    assert not website.success
    assert "website" in website.message and "not in the organisations table" in website.message
    others = validation.results[validation.results["id"] != "organisations.website_well_formed"]
    assert others["success"].all() and others["message"].eq("").all()
    [finding] = list(validation.findings())
    assert "could not be checked" in finding.message and "website" in finding.message


def test_missing_table_fails_its_expectations(aviation):
    validation = validate_tables({"organisations": organisations()}, aviation)
    on_contacts = validation.results[validation.results["table"] == "contacts"]
    assert len(on_contacts) and not on_contacts["success"].any()
    assert on_contacts["message"].str.contains("table contacts was not given").all()
    assert list(validation.blocking_failures()["id"]) == ["contacts.contact_id_unique"]


def test_empty_tables_pass(aviation):
    empty = {"organisations": organisations().iloc[0:0], "contacts": contacts().iloc[0:0]}
    validation = validate_tables(empty, aviation)
    assert validation.results["success"].all(), validation.failed()[["id", "message"]]
    assert validation.results["element_count"].eq(0).all()


def test_gx_error_on_one_expectation_is_reported_not_raised(aviation, tmp_path):
    bad = expectation("name_mean", "expect_column_mean_to_be_between", column="name",
                      min_value=1, max_value=100)
    ok = expectation("name_present")
    write_suite(tmp_path, "organisations", [bad, ok])
    p = profile_with_suites(aviation, tmp_path)
    validation = validate_tables({"organisations": organisations()}, p)
    mean = row(validation, "organisations.name_mean")
    assert not mean.success and "mean" in mean.message  # text has no mean: GX raised
    assert row(validation, "organisations.name_present").success
    [finding] = list(validation.findings())
    assert finding.code == "validation.organisations.name_mean"
    assert "could not be checked" in finding.message


# --- suite files that are wrong -------------------------------------------------------


@pytest.mark.parametrize(
    ("expectations", "blocking", "words"),
    [
        ([expectation("a", "expect_column_values_to_be_nuul")], [],
         ["organisations.json", "(a)", "unknown expectation type 'expect_column_values_to_be_nuul'"]
         ),
        ([expectation(None)], [], ["organisations.json", "expectations[0]", "meta.name is missing"]
         ),
        ([expectation("a"), expectation("a")], [], ["organisations.json", "(a)", "used twice"]),
        ([expectation("a")], ["organisations.nope"], ["validation.blocking", "'organisations.nope'"]
         ),
        ([expectation("a", column="name", colum="x")], [], ["organisations.json", "(a)", "colum"]),
        ([expectation("a", "expect_column_values_to_be_in_set", column="region",
                      value_set={"$PARAMETER": "regions"})], [],
         ["organisations.json", "unknown $PARAMETER ['regions']"]),
        ([expectation("a b")], [], ["organisations.json", "letters, digits"]),
        ([expectation("a", "expect_column_values_to_match_regex", column="name", regex="(")], [],
         ["organisations.json", "(a)", "invalid regex"]),
    ],
)
def test_bad_suite_raises_profile_error_naming_file_and_expectation(
    aviation, tmp_path, expectations, blocking, words
):
    write_suite(tmp_path, "organisations", expectations)
    with pytest.raises(ProfileError) as caught:
        load_suites(profile_with_suites(aviation, tmp_path, blocking))
    for word in words:
        assert word in str(caught.value)


def test_every_problem_of_every_file_is_listed_at_once(aviation, tmp_path):
    write_suite(tmp_path, "organisations", [expectation(None), expectation("b", "expect_nothing")])
    (tmp_path / "contacts.json").write_text("{not json")
    with pytest.raises(ProfileError) as caught:
        load_suites(profile_with_suites(aviation, tmp_path, ["organisations.gone", "contacts.x"]))
    problems = caught.value.problems
    assert len(problems) == 4, problems  # contacts.x is not blamed: its file is unreadable
    assert any("contacts.json: not valid JSON" in p for p in problems)
    assert any("'organisations.gone'" in p for p in problems)
    assert caught.value.source == str(tmp_path)


@pytest.mark.parametrize("content", ["[]", '{"name": "x"}', '{"expectations": {}}'])
def test_suite_without_expectation_list_is_rejected(aviation, tmp_path, content):
    (tmp_path / "organisations.json").write_text(content)
    with pytest.raises(ProfileError, match="organisations.json: must be an object"):
        load_suites(profile_with_suites(aviation, tmp_path))


def test_unknown_table_file_and_empty_folder_are_rejected(aviation, tmp_path):
    with pytest.raises(ProfileError, match="no suite files"):
        load_suites(profile_with_suites(aviation, tmp_path))
    write_suite(tmp_path, "organisations_old", [expectation("a")])
    with pytest.raises(ProfileError, match="organisations_old.json: unknown table"):
        load_suites(profile_with_suites(aviation, tmp_path))
    with pytest.raises(ProfileError, match="does not exist"):
        load_suites(profile_with_suites(aviation, tmp_path / "missing"))


def test_suite_written_by_gx_itself_loads(aviation, tmp_path):
    """The file format is ExpectationSuite.to_json_dict()."""
    import great_expectations as gx

    gx.get_context(mode="ephemeral")
    suite = gx.ExpectationSuite(name="organisations")
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(
        column="name", meta={"name": "name_present", "description": "has a name"}))
    (tmp_path / "organisations.json").write_text(json.dumps(suite.to_json_dict()))
    p = profile_with_suites(aviation, tmp_path, ["organisations.name_present"])
    [loaded] = load_suites(p)
    validation = validate_tables({"organisations": organisations()}, p, [loaded])
    assert list(validation.results["id"]) == ["organisations.name_present"]
    assert validation.results.loc[0, "description"] == "has a name"
    first = validation.results.iloc[0]
    assert first.success and first.blocking


def test_two_suites_for_one_table_both_run(aviation, tmp_path):
    first = Suite("organisations", tmp_path / "a.json", [expectation("name_present")])
    second = Suite("organisations", tmp_path / "b.json",
                   [expectation("id_present", column="organisation_id")])
    validation = validate_tables({"organisations": organisations()}, aviation, [first, second])
    assert list(validation.results["expectation"]) == ["name_present", "id_present"]
    assert validation.results["success"].all()


def test_description_is_generated_when_missing(aviation, tmp_path):
    write_suite(tmp_path, "organisations", [expectation("name_present")])
    p = profile_with_suites(aviation, tmp_path)
    validation = validate_tables({"organisations": organisations()}, p)
    assert validation.results.loc[0, "description"] == "name: column values to not be null"


# --- import cost ---------------------------------------------------------------------


def test_importing_validate_does_not_import_great_expectations():
    code = "import hotpass.validate, sys; assert 'great_expectations' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_validation_writes_nothing_to_stderr(tmp_path):
    """No progress bars, no analytics chatter."""
    code = (
        "import pandas as pd\n"
        "from hotpass.profile import load_profile\n"
        "from hotpass.validate import validate_tables\n"
        "frame = pd.DataFrame({'organisation_id': ['a', 'b'], 'name': ['x', None]}, dtype=object)\n"
        "v = validate_tables({'organisations': frame}, load_profile('generic'))\n"
        "assert len(v.results)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
