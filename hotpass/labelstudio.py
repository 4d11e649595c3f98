"""Label Studio over its API: push the review queue to a project, pull annotations back as decisions.

The server, its token and the project title come from the caller (the CLI's
``--url``/``--token``), else the workspace's setting (saved on the Admin page),
else ``$HOTPASS_LABEL_STUDIO_URL`` / ``$HOTPASS_LABEL_STUDIO_TOKEN``. A token is
a legacy API token (the organisation must allow legacy tokens) or a personal
access token (a JWT; the SDK exchanges it for short-lived access tokens). No
message, audit row or log line carries the token.

Pushing adds the pending pairs the project does not hold yet; pulling turns
each completed annotation into a decision by ``label-studio:<annotator email>``
and remembers it (table ``label_studio_pulls``), so pulling again adds nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from hotpass import review
from hotpass.errors import HotpassError
from hotpass.workspace.database import now

ENV_URL = "HOTPASS_LABEL_STUDIO_URL"
ENV_TOKEN = "HOTPASS_LABEL_STUDIO_TOKEN"
DEFAULT_PROJECT = "Hotpass review"
#: The workspace-wide setting lives in ``user_state`` under this owner (no login can be named so).
SETTINGS_OWNER = "(workspace)"
SETTINGS_KEY = "label_studio"
TIMEOUT = 60.0
BATCH = 1000  # tasks per import request


class LabelStudioError(HotpassError):
    """Label Studio is not configured, does not answer, or refused a request."""


@dataclass(frozen=True)
class Server:
    """Where to push and pull: the server's URL, a token (never shown) and the project title."""

    url: str
    token: str = field(repr=False)
    project: str = DEFAULT_PROJECT


@dataclass
class PushResult:
    """What a push did: the project, the tasks added and the pairs it already held."""

    url: str
    project_id: int
    pushed: int
    already: int


@dataclass
class PullResult:
    """What a pull did: new decisions, annotations not turned into one (with why), and how many
    annotations earlier pulls had already taken."""

    decided: list[int]
    skipped: list[str]
    unchanged: int


# --- the setting -----------------------------------------------------------------------------------


def check_url(url: str) -> str:
    """``url`` without a trailing slash; a clear error unless it is an http(s) address."""
    url = (url or "").strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
        raise LabelStudioError(f"Label Studio URL {url!r} is not an http:// or https:// address")
    return url


def masked(token: str | None) -> str:
    """How a saved token is shown: its last four characters at most."""
    if not token:
        return "(none)"
    return f"…{token[-4:]}" if len(token) >= 12 else "(set)"


def saved(workspace) -> dict:
    """The workspace's Label Studio setting: ``url``, ``token``, ``project`` (empty when none)."""
    return workspace.get_state(SETTINGS_OWNER, SETTINGS_KEY, {}) or {}


def save(workspace, by: str, url: str, token: str | None = None, project: str | None = None) -> None:
    """Save the setting; ``token`` None keeps the saved one. Audited as ``labelstudio.settings``
    with the URL and whether the token changed, never the token."""
    current = saved(workspace)
    value = {"url": check_url(url), "token": current.get("token") if token is None else token.strip(),
             "project": (project or "").strip() or current.get("project") or DEFAULT_PROJECT}
    with workspace.transaction():
        workspace.set_state(SETTINGS_OWNER, SETTINGS_KEY, value)
        workspace.audit(by, "labelstudio.settings", url=value["url"], project=value["project"],
                        token="changed" if token is not None and token.strip() != current.get("token")
                        else "kept")


def server(workspace, url: str | None = None, token: str | None = None, project: str | None = None) -> Server:
    """The server to use: the arguments, else the saved setting, else the environment."""
    stored = saved(workspace)
    url = url or stored.get("url") or os.environ.get(ENV_URL)
    token = token or stored.get("token") or os.environ.get(ENV_TOKEN)
    if not url:
        raise LabelStudioError(f"no Label Studio URL: pass --url, save one on the Admin page or set {ENV_URL}")
    url = check_url(url)
    if not token:
        raise LabelStudioError(f"no token for Label Studio at {url}: pass --token, save one on the Admin page "
                               f"or set {ENV_TOKEN}")
    return Server(url, token, project or stored.get("project") or DEFAULT_PROJECT)


# --- talking to the server -------------------------------------------------------------------------


def _detail(server: Server, exc: ApiError) -> str:
    body = exc.body
    text = body.get("detail") or body.get("validation_errors") or body if isinstance(body, dict) else body
    text = " ".join(str(text or "").split())[:300]
    return text.replace(server.token, "***") if server.token else text


@contextmanager
def _calls(server: Server, doing: str) -> Iterator[None]:
    """Turn the SDK's and httpx's failures into one LabelStudioError naming the URL (not the token)."""
    try:
        yield
    except ApiError as exc:
        detail = _detail(server, exc)
        if exc.status_code in (401, 403):
            raise LabelStudioError(
                f"Label Studio at {server.url} refused the token while {doing} (HTTP {exc.status_code}: "
                f"{detail}); check the token on the Admin page, --token or {ENV_TOKEN}. A legacy token "
                "works only when the organisation allows legacy tokens") from None
        raise LabelStudioError(f"Label Studio at {server.url} failed while {doing} "
                               f"(HTTP {exc.status_code}: {detail})") from None
    except httpx.HTTPError as exc:
        raise LabelStudioError(f"Label Studio at {server.url} does not answer while {doing} "
                               f"({type(exc).__name__}); is it running, and is the URL right?") from None
    except ValueError as exc:  # an answer that is not Label Studio's JSON (another server at the URL)
        raise LabelStudioError(f"{server.url} did not answer as Label Studio while {doing} "
                               f"({type(exc).__name__})") from None


def connect(server: Server) -> LabelStudio:
    """A client for ``server``, after checking that it answers and accepts the token."""
    with _calls(server, "checking the token"):
        client = LabelStudio(base_url=server.url, api_key=server.token, timeout=TIMEOUT)
        client.users.whoami()
    return client


def _project(client: LabelStudio, server: Server, config: str | None):
    """The project titled ``server.project``; made (or its labelling config updated) when
    ``config`` is given, else None when there is none."""
    found = [p for p in client.projects.list(title=server.project) if p.title == server.project]
    if not found:
        if config is None:
            return None
        return client.projects.create(title=server.project, label_config=config,
                                      description="Pairs of records Hotpass could not decide alone.")
    project = client.projects.get(found[0].id)
    if config is not None and " ".join(project.label_config.split()) != " ".join(config.split()):
        project = client.projects.update(project.id, label_config=config)
    return project


def _pair(data: dict) -> tuple[str, str]:
    return tuple(sorted((str(data.get("key_l")), str(data.get("key_r")))))


def _tasks(client: LabelStudio, project_id: int) -> list[dict]:
    return [task.model_dump() for task in client.tasks.list(project=project_id, fields="all")]


# --- push and pull ---------------------------------------------------------------------------------


def push(workspace, server: Server, limit: int | None = None, by: str | None = None) -> PushResult:
    """Add the pending review pairs (most uncertain first, at most ``limit``) to the project,
    making it with the workspace's labelling config when missing; pairs it holds are not added."""
    tasks = review.label_studio_tasks(workspace, limit)
    config = review.label_config(workspace)
    client = connect(server)
    with _calls(server, f"pushing to project {server.project!r}"):
        project = _project(client, server, config)
        present = {_pair(task["data"]) for task in _tasks(client, project.id)}
        new = [task for task in tasks if _pair(task["data"]) not in present]
        for start in range(0, len(new), BATCH):
            client.projects.import_tasks(id=project.id, request=new[start:start + BATCH])
    workspace.audit(by, "labelstudio.push", url=server.url, project_id=project.id, tasks=len(new),
                    already=len(tasks) - len(new))
    return PushResult(server.url, int(project.id), len(new), len(tasks) - len(new))


def _annotator(client: LabelStudio, server: Server, who, known: dict) -> str:
    """``label-studio:<email>`` of an annotation's author (``completed_by``: an id or a user)."""
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    if isinstance(who, int):
        if who not in known:
            with _calls(server, f"looking up user {who}"):
                known[who] = client.users.get(who).email or who
        who = known[who]
    return f"label-studio:{who if who is not None else 'unknown'}"


def _pulled(workspace, server: Server, project_id: int) -> dict[int, str | None]:
    rows = workspace.query("SELECT annotation_id, verdict FROM label_studio_pulls WHERE url = ? AND project_id = ?",
                           [server.url, project_id])
    return {int(annotation): verdict for annotation, verdict in rows}


def _remember(workspace, server, project_id, task_id, annotation_id, verdict, decision_id) -> None:
    workspace.execute(
        "INSERT INTO label_studio_pulls (url, project_id, annotation_id, task_id, verdict, decision_id, pulled_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url, project_id, annotation_id) DO UPDATE SET "
        "verdict = excluded.verdict, decision_id = coalesce(excluded.decision_id, label_studio_pulls.decision_id), "
        "pulled_at = excluded.pulled_at",
        [server.url, project_id, annotation_id, task_id, verdict, decision_id, now()])


def pull(workspace, server: Server, by: str | None = None) -> PullResult:
    """Turn the project's completed annotations into decisions by their annotators. An annotation
    pulled before with the same verdict is passed over; "Not sure", cancelled and already-decided
    pairs are listed in ``skipped``."""
    client = connect(server)
    with _calls(server, f"reading project {server.project!r}"):
        project = _project(client, server, None)
        if project is None:
            raise LabelStudioError(f"Label Studio at {server.url} has no project {server.project!r}; "
                                   "push the review queue first")
        tasks = _tasks(client, project.id)
    result = _take(workspace, client, server, int(project.id), tasks)
    workspace.audit(by, "labelstudio.pull", url=server.url, project_id=project.id,
                    decided=len(result.decided), skipped=len(result.skipped), unchanged=result.unchanged)
    return result


def _take(workspace, client, server: Server, project_id: int, tasks: list[dict]) -> PullResult:
    active = {tuple(sorted((r.record_key, r.other_key))): r.kind
              for r in workspace.decisions().itertuples(index=False) if r.other_key}
    seen, known, result = _pulled(workspace, server, project_id), {}, PullResult([], [], 0)
    for task in tasks:
        annotation, verdict, note = review.task_verdict(task)
        if annotation is None:
            continue
        if seen.get(int(annotation["id"]), "?") == verdict:
            result.unchanged += 1
            continue
        pair, label = _pair(task.get("data") or {}), f"task {task['id']}"
        reason = _unfit(pair, verdict, active)
        if reason:
            result.skipped.append(f"{label}: {reason}")
            _remember(workspace, server, project_id, task["id"], int(annotation["id"]), verdict, None)
            continue
        reviewer = _annotator(client, server, annotation.get("completed_by"), known)
        text = f"Label Studio {server.url} project {project_id} {label}" + (f": {note}" if note else "")
        with workspace.transaction():  # the decision and the memory of its annotation, or neither
            decision = workspace.decide(verdict, pair[0], pair[1], reviewer=reviewer, note=text)
            _remember(workspace, server, project_id, task["id"], int(annotation["id"]), verdict, decision)
        result.decided.append(decision)
        active[pair] = verdict
    return result


def _unfit(pair: tuple[str, str], verdict: str | None, active: dict) -> str | None:
    """Why an annotation makes no decision, or None when it makes one."""
    if "None" in pair:
        return "no record keys"
    if verdict is None:
        return "no verdict (not sure)"
    if pair in active:
        return "already decided" + ("" if active[pair] == verdict else f" as {active[pair]}; kept that")
    return None
