"""The operator confirms: sheet roles and key columns on Upload, sample values and their kinds on
Profile & mapping, profiles ranked by fit (AppTest)."""

from __future__ import annotations

import pytest

from hotpass import Workspace
from hotpass.samples import generate_samples
from hotpass.samples.people import write_people
from tests import test_app
from tests.test_app import (
    XLSX,
    drop_zone,
    logged_in,
    opened,
    role_box,
    sheet_mapping,
    texts,
    uploaded,
)
from workbench import kept

ws_dir, workbooks = test_app.ws_dir, test_app.workbooks  # the fixtures of the workbench's AppTests


@pytest.fixture(scope="module")
def next_month(tmp_path_factory):
    """Another CRM export under the same file name, with other rows (next month's file)."""
    files = generate_samples(tmp_path_factory.mktemp("next-month"), rows=200, seed=5).files
    crm = next(f for f in files if f.name == "crm_export.xlsx")
    return (crm.name, crm.read_bytes(), XLSX)


def summary_row(at, sheet: str) -> dict:
    table = at.dataframe[0].value  # the Sheets table on Upload
    return table[table["sheet"] == sheet].iloc[0].to_dict()


def key_box(at, where: str, file: str, sheet: str):
    role = role_box(at, where, file, sheet)
    return at.selectbox(key=str(role.key).removesuffix("_role") + "_key")


def test_a_role_changed_on_upload_is_kept_and_used_again_for_next_months_file(
        ws_dir, workbooks, next_month):
    at = uploaded(logged_in("ope1"), [workbooks[1]])  # crm_export.xlsx
    role = role_box(at, "upload", "crm_export.xlsx", "Contact Info")
    assert role.value == "contact" and "Detected, " in texts(at.caption)
    assert "Side table: adds details to records through a key column" in role.options
    role.select("side_table").run()
    assert not at.exception
    key = key_box(at, "upload", "crm_export.xlsx", "Contact Info")
    key.select("Org ID").run()
    found = sheet_mapping(at, "crm_export.xlsx", "Contact Info")
    assert (found.role, found.role_method, found.key) == ("side_table", "manual", "Org ID")
    assert all(c.target is None for c in found.columns)
    row = summary_row(at, "Contact Info")
    assert (row["role"], row["role from"], row["key column"]) == ("side table", "manual", "Org ID")
    assert row["why"].startswith("chosen by hand; detected as contact (")
    with opened(ws_dir) as ws:
        assert kept.roles(ws, "ope1") == {("crm_export.xlsx", "Contact Info"): "side_table"}
        assert kept.role_columns(ws, "ope1") == {("crm_export.xlsx", "Contact Info"):
                                                 ("Org ID", None)}
    next(b for b in at.button if str(b.key).startswith("remove_")).click().run()
    drop_zone(at).set_value(next_month).run()  # next month: same file and sheet names
    assert not at.exception and len(at.tabs) == 2
    again = sheet_mapping(at, "crm_export.xlsx", "Contact Info")
    assert (again.role, again.role_method, again.key) == ("side_table", "manual", "Org ID")
    assert summary_row(at, "Contact Info")["data rows"] != 73  # another file indeed


def test_a_sheet_marked_ignore_on_upload_makes_no_records_and_maps_nothing(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), workbooks)
    role_box(at, "upload", "legacy_contacts.xlsx", "Contacts DB").select("ignore").run()
    found = sheet_mapping(at, "legacy_contacts.xlsx", "Contacts DB")
    assert (found.role, found.role_method) == ("ignore", "manual")
    at.switch_page("app_pages/mapping.py").run()
    assert role_box(at, "map", "legacy_contacts.xlsx", "Contacts DB").value == "ignore"
    editors = [d.key for d in at.data_editor if str(d.key).startswith("map_")]
    assert [k.split("_")[1] for k in editors] == ["0", "1", "2"]  # the ignored sheet (3): no editor
    assert "This sheet makes no records of its own" in texts(at.caption)
    looks = next(d.value for d in at.dataframe
                 if "looks like" in d.value.columns and not str(d.key).startswith("map_"))
    assert looks["source column"].tolist()[:2] == ["School / Business", "Contact Person(s)"]


def test_each_column_shows_sample_values_and_what_they_look_like(ws_dir, workbooks):
    at = uploaded(logged_in("ope1"), [workbooks[1]])
    at.switch_page("app_pages/mapping.py").run()
    table = at.data_editor[0].value  # crm_export.xlsx · Organisation
    sheet = at.session_state["hp.mapped"].sheets[0]
    assert sheet.sheet == "Organisation"
    kinds = dict(zip(table["source column"], table["looks like"], strict=True))
    assert (kinds["Website URL"], kinds["Main Phone"], kinds["Province"], kinds["Company Name"],
            kinds["Last Activity"]) == ("website", "phone", "region", "name", "date")
    for column in ("Company Name", "Province"):
        firsts = list(dict.fromkeys(v for v in sheet.frame[column] if v))[:3]
        shown = table.loc[table["source column"] == column, "sample values"].iloc[0]
        assert shown == " · ".join(firsts)


def test_the_best_fitting_profile_is_preselected_unless_the_user_chose_one(ws_dir, workbooks,
                                                                           tmp_path):
    at = uploaded(logged_in("ope1"), workbooks)
    assert at.selectbox(key="profile_choice").value == "aviation"
    ranking = texts(at.caption)
    assert "**aviation** was chosen for your files because it fits them best" in ranking
    lines = [line for line in ranking.splitlines() if ": fits " in line]
    assert [line.split(":")[0].removeprefix("- ") for line in lines] == [
        "aviation", "generic", "person"]
    assert lines[0].endswith("· in use")
    at.selectbox(key="profile_choice").select("generic").run()  # the user chooses
    person = write_people(tmp_path, n=120, fmt="xlsx")[0]
    drop_zone(at).set_value((person.name, person.read_bytes(), XLSX)).run()
    assert at.selectbox(key="profile_choice").value == "generic"  # a choice is never undone
    assert "was chosen for your files" not in texts(at.caption)
    with opened(ws_dir) as ws:
        assert kept.chose_profile(ws, "ope1")
    other = uploaded(logged_in("adm1"), [(person.name, person.read_bytes(), XLSX)])
    assert other.selectbox(key="profile_choice").value == "person"
    with Workspace(ws_dir) as ws:
        assert kept.profile_choice(ws, "adm1")["label"] == "person"
        assert not kept.chose_profile(ws, "adm1")
