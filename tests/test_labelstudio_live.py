"""Label Studio round trip against a real server: the `label-studio` package from PyPI, started on
loopback with SQLite in a temporary folder (scripts/setup.sh installs it into .venv-labelstudio).

An admin (legacy token, as the server's organisation allows them) and an annotator who signs up
through the organisation's invite link and makes a personal access token; the review queue of a
refined sample workspace goes out with ``hotpass review push``, the annotator labels through the
API, ``hotpass review pull`` brings the verdicts back and the next refine honours them.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from label_studio_sdk import LabelStudio
from label_studio_sdk.label_interface import LabelInterface

from hotpass import Users, labelstudio, review
from hotpass.pipeline import refine
from hotpass.profile import load_profile
from hotpass.samples import generate_samples
from hotpass.samples.people import write_people
from hotpass.workspace import Workspace
from tests.conftest import ROOT
from tests.test_app_browser import full_screenshot, log_in, running_app, settle
from tests.test_app_multiuser import chromium
from tests.test_app_pages import PASSWORD, logged_in, opened, texts, workspace_copy

SERVER = ROOT / ".venv-labelstudio" / "bin" / "label-studio"
ADMIN = "admin@example.org"
ADMIN_PASSWORD = "hotpass-admin-pass-1"
ADMIN_TOKEN = "hotpass0legacy0token0for0tests0000000001"
STARTUP_SECONDS = 240
HOTPASS = [sys.executable, "-m", "hotpass.cli"]


@dataclass
class Live:
    """A running Label Studio: where, the admin's legacy token, and the server's log."""

    url: str
    token: str
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"label-studio exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"label-studio did not answer at {url} within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Live:
    """Label Studio on a free loopback port, with SQLite and its files in a temporary folder, a fixed
    admin and legacy token (the organisation is made with legacy tokens allowed); stopped after."""
    if not SERVER.is_file():
        pytest.fail(f"{SERVER} is missing: run `bash scripts/setup.sh` (it installs label-studio)")
    root = tmp_path_factory.mktemp("labelstudio")
    port, log = _free_port(), root / "server.log"
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LABEL_STUDIO_BASE_DATA_DIR": str(root / "data"), "LABEL_STUDIO_USERNAME": ADMIN,
           "LABEL_STUDIO_PASSWORD": ADMIN_PASSWORD, "LABEL_STUDIO_USER_TOKEN": ADMIN_TOKEN,
           "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true", "LATEST_VERSION_CHECK": "false",
           "COLLECT_ANALYTICS": "false", "LABEL_STUDIO_HOST": url}
    with log.open("wb") as out:
        proc = subprocess.Popen([str(SERVER), "start", "--no-browser", "--internal-host", "127.0.0.1",
                                 "--port", str(port)], cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait(url, proc, log)
        yield Live(url, ADMIN_TOKEN, log)
    finally:
        _stop(proc)


@contextmanager
def _session(url: str) -> Iterator[httpx.Client]:
    """A browser-like session: cookies, and the CSRF token from the login page."""
    with httpx.Client(base_url=url, timeout=30) as client:
        client.get("/user/login/")
        yield client


def _form(client: httpx.Client, path: str, **fields) -> httpx.Response:
    fields["csrfmiddlewaretoken"] = client.cookies.get("csrftoken")
    return client.post(path, data=fields, headers={"Referer": f"{client.base_url}{path}"})


def _personal_token(client: httpx.Client) -> str:
    made = client.post("/api/token/", headers={"X-CSRFToken": client.cookies.get("csrftoken"),
                                               "Referer": f"{client.base_url}/"})
    assert made.status_code == 201, made.text
    return made.json()["token"]


def sign_up_annotator(live: Live, email: str) -> str:
    """An annotator joins through the organisation's invite link, as a person would in the browser,
    and makes a personal access token (a JWT); returns it."""
    invite = httpx.get(f"{live.url}/api/invite", headers={"Authorization": f"Token {live.token}"}).json()
    with _session(live.url) as client:
        joined = _form(client, f"/user/signup/?token={invite['token']}", email=email,
                       password="annotator-pass-123", how_find_us="", allow_newsletters="")
        assert joined.status_code == 302, joined.text[:500]
        return _personal_token(client)


def admin_personal_token(live: Live) -> str:
    with _session(live.url) as client:
        assert _form(client, "/user/login/", email=ADMIN, password=ADMIN_PASSWORD).status_code == 302
        return _personal_token(client)


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory) -> list[Path]:
    return generate_samples(tmp_path_factory.mktemp("lssamples"), rows=600, seed=7).files


@pytest.fixture(scope="module")
def workspace_dir(tmp_path_factory, sample_files, aviation) -> Path:
    """A workspace with one refined run of the synthetic samples (review pairs pending)."""
    root = tmp_path_factory.mktemp("lsws")
    with Workspace(root / "ws") as ws:
        refine(sample_files, aviation, workspace=ws)
        assert len(review.queue(ws)) >= 3
    return root / "ws"


def cli(*args, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOTPASS_LABEL_STUDIO")}
    return subprocess.run([*HOTPASS, *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={**clean, "GX_ANALYTICS_ENABLED": "false", **(env or {})})


def _choices(config: str) -> dict[str, str]:
    """The labelling config's choices by their first word: {"same": "Same organisation", ...}."""
    return {value.split()[0].lower(): value for value in re.findall(r'<Choice value="([^"]+)"', config)}


def _annotate(client: LabelStudio, task_id: int, choice: str, note: str) -> None:
    client.annotations.create(task_id, result=[
        {"from_name": "verdict", "to_name": "left", "type": "choices", "value": {"choices": [choice]}},
        {"from_name": "note", "to_name": "left", "type": "textarea", "value": {"text": [note]}}])


def test_push_annotate_pull_and_refine(live, workspace_dir, sample_files, tmp_path, aviation):
    ws_dir = tmp_path / "ws"
    subprocess.run(["cp", "-r", str(workspace_dir), str(ws_dir)], check=True)
    with Workspace(ws_dir) as ws:
        config, pending = review.label_config(ws), review.queue(ws)
        pairs = [tuple(sorted(p)) for p in zip(pending["key_l"], pending["key_r"], strict=True)]
        together = {pair: pair[1] in review.cluster_members(ws, pair[0]) for pair in pairs}
    # "same" on a pair the machine left apart; "different" on one it joined through a chain, if any
    same = next(pair for pair in pairs if not together[pair])
    different = next((pair for pair in pairs if together[pair]), None) or next(p for p in pairs if p != same)
    unsure = next(pair for pair in pairs if pair not in (same, different))
    admin = LabelStudio(base_url=live.url, api_key=live.token)  # a legacy token
    project = admin.projects.create(title="Hotpass live test", label_config=config)

    pushed = cli("review", "push", "--url", live.url, "--token", live.token, "--project", "Hotpass live test",
                 "-w", ws_dir)
    assert pushed.returncode == 0, pushed.stderr
    assert f"pushed {len(pending)} pairs to project {project.id}" in pushed.stdout
    again = cli("review", "push", "--url", live.url, "--token", live.token, "--project", "Hotpass live test",
                "-w", ws_dir)
    assert f"pushed 0 pairs to project {project.id}" in again.stdout and f"({len(pending)} already" in again.stdout

    tasks = list(admin.tasks.list(project=project.id))
    by_pair = {tuple(sorted((t.data["key_l"], t.data["key_r"]))): t for t in tasks}
    assert set(by_pair) == set(pairs)
    interface = LabelInterface(config)
    for task in tasks:
        interface.validate_task({"data": task.data})
        assert "source:" in task.data["left"] and "match probability" in task.data["evidence"]

    email = "ann.annotator@example.org"
    annotator = LabelStudio(base_url=live.url, api_key=sign_up_annotator(live, email))  # a personal access token
    assert annotator.users.whoami().email == email
    choices = _choices(config)
    assert set(choices) == {"same", "different", "not"}
    _annotate(annotator, by_pair[same].id, choices["same"], "one school")
    _annotate(annotator, by_pair[different].id, choices["different"], "two schools")
    _annotate(annotator, by_pair[unsure].id, choices["not"], "")

    env = {"HOTPASS_LABEL_STUDIO_URL": live.url, "HOTPASS_LABEL_STUDIO_TOKEN": live.token}
    pulled = cli("review", "pull", "--project", "Hotpass live test", "-w", ws_dir, env=env)
    assert pulled.returncode == 0, pulled.stderr
    assert "2 decisions pulled, 1 skipped, 0 pulled before" in pulled.stdout
    assert "no verdict (not sure)" in pulled.stderr
    second = cli("review", "pull", "--project", "Hotpass live test", "-w", ws_dir, env=env)
    assert "0 decisions pulled, 0 skipped, 3 pulled before" in second.stdout, second.stdout + second.stderr

    with Workspace(ws_dir) as ws:
        decisions = ws.decisions()
        assert len(decisions) == 2
        got = {tuple(sorted((r.record_key, r.other_key))): r for r in decisions.itertuples(index=False)}
        assert got[same].kind == "same" and got[different].kind == "different"
        assert set(decisions["reviewer"]) == {f"label-studio:{email}"}
        assert got[same].note.endswith(f"task {by_pair[same].id}: one school")
        refine(sample_files, aviation, workspace=ws)
        assert same[1] in review.cluster_members(ws, same[0])
        assert different[1] not in review.cluster_members(ws, different[0])
        queued = review.queue(ws)
        left = {tuple(sorted(p)) for p in zip(queued["key_l"], queued["key_r"], strict=True)}
        assert same not in left and different not in left
        actions = ws.audit_log()["action"].tolist()
        assert actions.count("labelstudio.push") == 2 and actions.count("labelstudio.pull") == 2
    _assert_no_token(ws_dir / "workspace.sqlite", live.token)


def _assert_no_token(path: Path, *tokens: str) -> None:
    with sqlite3.connect(path) as con:
        dump = "\n".join(con.iterdump())
    for token in tokens:
        assert token not in dump


def test_clear_errors_name_the_url_never_the_token(live, workspace_dir, tmp_path):
    down = f"http://127.0.0.1:{_free_port()}"
    wrong = "not-the-right-token-000111"
    for url, token, expected in [(down, live.token, "does not answer"), (live.url, wrong, "refused the token")]:
        for command in ("push", "pull"):
            run = cli("review", command, "--url", url, "--token", token, "-w", workspace_dir)
            assert run.returncode == 1 and f"Label Studio at {url} {expected}" in run.stderr
            assert token not in run.stderr + run.stdout
    missing = cli("review", "pull", "--url", live.url, "--token", live.token, "--project", "No such project",
                  "-w", workspace_dir)
    assert missing.returncode == 1 and "has no project 'No such project'" in missing.stderr
    unset = cli("review", "push", "-w", workspace_dir)
    assert unset.returncode == 1 and "no Label Studio URL" in unset.stderr


def test_no_token_in_the_logs_even_at_debug(live, workspace_dir, caplog):
    wrong = "not-the-right-token-222333"
    with caplog.at_level(logging.DEBUG), Workspace(workspace_dir) as ws:
        labelstudio.connect(labelstudio.Server(live.url, live.token))
        with pytest.raises(labelstudio.LabelStudioError):
            labelstudio.pull(ws, labelstudio.Server(live.url, wrong))
    assert "HTTP Request" in caplog.text or "api/current-user" in caplog.text  # logging was on
    assert live.token not in caplog.text and wrong not in caplog.text


def test_saved_setting_is_used_and_the_token_is_never_shown_or_audited(live, workspace_dir, tmp_path):
    ws_dir = tmp_path / "ws"
    subprocess.run(["cp", "-r", str(workspace_dir), str(ws_dir)], check=True)
    with Workspace(ws_dir) as ws:
        with pytest.raises(labelstudio.LabelStudioError, match="not an http"):
            labelstudio.save(ws, "root", "ftp://example.org", live.token)
        labelstudio.save(ws, "root", live.url + "/", live.token, "Saved project")
        labelstudio.save(ws, "root", live.url)  # the token is kept
        chosen = labelstudio.server(ws)
        assert (chosen.url, chosen.token, chosen.project) == (live.url, live.token, "Saved project")
        assert live.token not in repr(chosen) and labelstudio.masked(live.token) == "…" + live.token[-4:]
        audited = ws.audit_log("labelstudio.settings")["detail"].tolist()
        assert len(audited) == 2 and all(live.token not in d for d in audited)
        assert '"token": "changed"' in audited[1] and '"token": "kept"' in audited[0]
    pushed = cli("review", "push", "-n", "2", "-w", ws_dir)
    assert pushed.returncode == 0 and "pushed 2 pairs" in pushed.stdout, pushed.stderr


def test_legacy_tokens_turned_off_in_the_organisation_are_refused_clearly(live, workspace_dir):
    """Newer Label Studio organisations refuse legacy tokens unless allowed (Organization → API
    tokens settings, ``/api/jwt/settings``); a personal access token still works."""
    owner = LabelStudio(base_url=live.url, api_key=admin_personal_token(live))
    settings = owner.jwt_settings.get()
    owner.jwt_settings.update(api_tokens_enabled=True, legacy_api_tokens_enabled=False,
                              api_token_ttl_days=settings.api_token_ttl_days or 365)
    try:
        with Workspace(workspace_dir) as ws, pytest.raises(labelstudio.LabelStudioError) as refused:
            labelstudio.push(ws, labelstudio.Server(live.url, live.token, "Refused"))
        assert "legacy token authentication has been disabled" in str(refused.value)
        assert live.token not in str(refused.value)
    finally:
        owner.jwt_settings.update(api_tokens_enabled=True, legacy_api_tokens_enabled=True,
                                  api_token_ttl_days=settings.api_token_ttl_days or 365)
    assert LabelStudio(base_url=live.url, api_key=live.token).users.whoami().email == ADMIN


@pytest.fixture
def app_workspace(workspace_dir, tmp_path, monkeypatch):
    """A copy of the refined workspace for the app, with an admin."""
    for directory in workspace_copy(workspace_dir, tmp_path, monkeypatch):
        with Workspace(directory) as ws:
            Users(ws).add("adm1", "admin", password=PASSWORD)
        yield directory


def test_admin_page_saves_the_setting_and_pushes_and_pulls(live, app_workspace):
    """The Admin page's Label Studio part, through AppTest, against the live server."""
    directory = app_workspace
    at = logged_in("adm1", "admin")
    assert at.button(key="labelstudio_push").disabled  # nothing saved yet
    at.text_input(key="labelstudio_url").input(live.url + "/")
    at.text_input(key="labelstudio_token").input(live.token)
    at.text_input(key="labelstudio_project").input("From the admin page")
    at.button(key="labelstudio_save").click().run()
    assert "Label Studio setting saved with the new token" in texts(at.success)
    shown = texts(at.caption) + texts(at.markdown) + texts(at.success) + \
        "".join(str(t.value) for t in at.text_input)
    assert "…" + live.token[-4:] in shown and live.token not in shown
    assert at.text_input(key="labelstudio_url").value == live.url

    at.button(key="labelstudio_check").click().run()
    assert f"Label Studio at {live.url} accepts the token (user {ADMIN})" in texts(at.success)
    at.button(key="labelstudio_push").click().run()
    assert "Pushed " in texts(at.success) and "(0 were already there)" in texts(at.success)

    admin = LabelStudio(base_url=live.url, api_key=live.token)
    project = next(p for p in admin.projects.list() if p.title == "From the admin page")
    task = next(iter(admin.tasks.list(project=project.id)))
    choice = _choices(project.label_config)["different"]
    _annotate(admin, task.id, choice, "checked in Label Studio")
    at.button(key="labelstudio_pull").click().run()
    assert "Pulled 1 decisions (0 skipped; 0 pulled before)" in texts(at.success), texts(at.success)
    at.button(key="labelstudio_pull").click().run()
    assert "Pulled 0 decisions (0 skipped; 1 pulled before)" in texts(at.success)

    with opened(directory) as ws:
        [decision] = ws.decisions().itertuples(index=False)
        assert decision.kind == "different" and decision.reviewer == f"label-studio:{ADMIN}"
        assert tuple(sorted((decision.record_key, decision.other_key))) == \
            tuple(sorted((task.data["key_l"], task.data["key_r"])))
        log = ws.audit_log()
        assert {"labelstudio.settings", "labelstudio.push", "labelstudio.pull"} <= set(log["action"])
        assert not log["detail"].str.contains(live.token, regex=False).any()


@pytest.mark.browser
def test_admin_sets_up_label_studio_in_a_real_browser(live, workspace_dir, tmp_path):
    """The same in Chromium; screenshots in test-artifacts/labelstudio-admin-*.png."""
    directory = tmp_path / "workspace"
    subprocess.run(["cp", "-r", str(workspace_dir), str(directory)], check=True)
    with Workspace(directory) as ws:
        Users(ws).add("ada", "admin", password=PASSWORD, name="Ada Admin")
    with running_app(directory, tmp_path / "app.log") as url, chromium() as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        log_in(page, url, "ada", "Ada Admin", password=PASSWORD)
        page.goto(f"{url}/admin")
        settle(page)
        page.get_by_role("textbox", name="Server URL").fill(live.url)
        page.get_by_role("textbox", name="Token").fill(live.token)
        page.get_by_role("textbox", name="Project").fill("From the browser")
        page.get_by_role("button", name="Save Label Studio setting").click()
        page.get_by_text("Label Studio setting saved with the new token").wait_for(timeout=30_000)
        settle(page)
        page.get_by_role("button", name="Push review queue").click()
        page.get_by_text("(0 were already there)").wait_for(timeout=60_000)
        settle(page)
        page.get_by_role("heading", name="Label Studio").scroll_into_view_if_needed()
        full_screenshot(page, "labelstudio-admin-pushed.png")
        assert live.token not in page.content()

        admin = LabelStudio(base_url=live.url, api_key=live.token)
        project = next(p for p in admin.projects.list() if p.title == "From the browser")
        task = next(iter(admin.tasks.list(project=project.id)))
        _annotate(admin, task.id, _choices(project.label_config)["same"], "")
        page.get_by_role("button", name="Pull annotations").click()
        page.get_by_text("Pulled 1 decisions").wait_for(timeout=60_000)
        settle(page)
        full_screenshot(page, "labelstudio-admin-pulled.png")
        assert live.token not in page.content()


def test_a_people_list_goes_round_with_its_own_words(live, tmp_path):
    """Not only organisations: a people-only list refined with the person profile."""
    files = write_people(tmp_path / "people", "dedupe", n=400, seed=3)
    with Workspace(tmp_path / "ws") as ws:
        refine(files, load_profile("person"), workspace=ws)
        pending = review.queue(ws)
        assert len(pending) >= 1
        server = labelstudio.Server(live.url, live.token, "People review")
        assert labelstudio.push(ws, server).pushed == len(pending)
        admin = LabelStudio(base_url=live.url, api_key=live.token)
        project = next(p for p in admin.projects.list() if p.title == "People review")
        choices = _choices(project.label_config)
        assert (choices["same"], choices["different"]) == ("Same person", "Different people")
        task = next(iter(admin.tasks.list(project=project.id)))
        _annotate(admin, task.id, choices["same"], "")
        result = labelstudio.pull(ws, server)
        [decision] = ws.decisions().itertuples(index=False)
        assert result.decided == [decision.decision_id] and decision.kind == "same"
        assert decision.reviewer == f"label-studio:{ADMIN}"
