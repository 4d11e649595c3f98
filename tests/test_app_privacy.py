"""The Privacy page (admins) and the purpose picked on the Upload page."""

from __future__ import annotations

import hashlib
import io
import json

import pandas as pd

from hotpass.privacy import purposes, suppression
from tests.test_app import drop_zone, pages
from tests.test_app_pages import logged_in, master, opened, texts, ws_dir  # noqa: F401 (fixtures)


def test_only_admins_open_the_privacy_page(ws_dir):  # noqa: F811
    assert "privacy" in pages(logged_in("adm1"))
    for name in ("vie1", "ope1", "rev1"):
        assert "privacy" not in pages(logged_in(name))


def test_an_admin_suppresses_a_person_sees_the_register_and_purges_after_a_dry_run(ws_dir):  # noqa: F811
    at = logged_in("adm1", "privacy")
    assert "email: 0" in texts(at.caption)
    at.text_input(key="privacy_email").input("Someone@Example.ORG")
    at.text_input(key="privacy_reason").input("objection")
    at.button(key="privacy_suppress_submit").click().run()
    assert not at.exception
    assert "1 identifier(s) added" in texts(at.success)
    assert "email: 1" in texts(at.caption)
    register = at.dataframe[0].value
    assert {"profile", "entity", "field", "lawful_bases"} <= set(register.columns)
    assert ("contact", "email") in set(zip(register["entity"], register["field"], strict=True))
    assert not [b for b in at.button if b.key == "privacy_purge_now"]  # the dry run comes first
    at.button(key="privacy_purge_dry").click().run()
    assert "Would remove 0 run(s)" in texts(at.markdown)
    assert at.button(key="privacy_purge_now").disabled  # nothing past retention
    with opened(ws_dir) as ws:
        assert suppression.is_suppressed(ws, email="someone@example.org")
        assert ws.audit_log("privacy.suppress", "adm1").shape[0] == 1
        ws.execute("UPDATE runs SET started_at = '2001-01-01 00:00:00', finished_at = '2001-01-01 00:00:00' "
                   "WHERE run_id = 1")
    at = logged_in("adm1", "privacy")
    at.button(key="privacy_purge_dry").click().run()
    assert "Would remove 1 run(s)" in texts(at.markdown)
    at.button(key="privacy_purge_now").click().run()
    assert not at.exception and "Purged 1 run(s)" in texts(at.success)
    with opened(ws_dir) as ws:
        assert ws.run(1)["status"] == "purged" and ws.run(2)["status"] != "purged"
        detail = json.loads(ws.audit_log("privacy.purge")["detail"][0])
    assert detail["runs"] == 1 and not (ws_dir / "runs" / "1").exists()


def test_the_upload_page_keeps_the_purpose_of_each_file(ws_dir):  # noqa: F811
    at = logged_in("ope1", "upload")
    assert at.selectbox(key="upload_purpose").value == "supplier_due_diligence"
    at.selectbox(key="upload_purpose").set_value("marketing")
    at.selectbox(key="upload_lawful_basis").set_value("consent").run()
    buffer = io.BytesIO()
    pd.DataFrame({"Organisation": ["Skyward Flight School"], "Email": ["info@skyward.example"]}).to_excel(
        buffer, index=False)
    data = buffer.getvalue()
    drop_zone(at).set_value([("orgs.xlsx", data, "application/octet-stream")]).run()
    assert not at.exception
    assert any("Purpose: Marketing · lawful basis when a row gives none: consent" in str(c.value)
               for c in at.caption)
    with opened(ws_dir) as ws:
        found = purposes.declared(ws, hashlib.sha256(data).hexdigest(), "ope1")
        assert ws.audit_log("upload.purpose", "ope1").shape[0] == 1
    assert (found.purpose, found.lawful_basis) == ("marketing", "consent")
