"""The Admin page's Label Studio part: the server's URL, token and project, and push/pull buttons.

The token is kept in the workspace (only its last four characters are ever
shown back); saving is for admins and audited without the token. Push and
pull call :mod:`hotpass.labelstudio`, as ``hotpass review push``/``pull`` do.
"""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError, labelstudio
from workbench import auth, services

NOTICE = "hp.labelstudio.notice"


def section(username: str) -> None:
    """The setting form, what is saved, and the push, pull and check buttons."""
    st.subheader("Label Studio")
    found = st.session_state.pop(NOTICE, None)
    if found:
        getattr(st, found[0])(found[1])
    with services.workspace() as ws:
        current = labelstudio.saved(ws)
    st.caption("Reviewers can label the review queue in a Label Studio server: push sends the "
               "pending pairs to a project, pull brings completed annotations back as decisions "
               "by `label-studio:<annotator>`. Use a personal access token, or a legacy token if "
               "the organisation allows them. See docs/workbench.md.")
    st.session_state.setdefault("labelstudio_url", current.get("url", ""))
    st.session_state.setdefault("labelstudio_project", current.get("project") or labelstudio.DEFAULT_PROJECT)
    with st.form("labelstudio_settings"):
        cols = st.columns([3, 2, 2])
        cols[0].text_input("Server URL", placeholder="http://127.0.0.1:8080", key="labelstudio_url")
        cols[1].text_input("Token", type="password", key="labelstudio_token",
                           placeholder=f"saved: {labelstudio.masked(current.get('token'))}",
                           help="Leave empty to keep the saved token. It is never shown back.")
        cols[2].text_input("Project", key="labelstudio_project")
        st.form_submit_button("Save Label Studio setting", on_click=_save, args=(username,),
                              key="labelstudio_save")
    if current.get("url"):
        st.caption(f"Saved: {current['url']} · project {current.get('project')!r} · token "
                   f"{labelstudio.masked(current.get('token'))}")
    ready = bool(current.get("url") and current.get("token"))
    cols = st.columns(3)
    cols[0].button("Check connection", key="labelstudio_check", disabled=not ready, on_click=_check)
    cols[1].button("Push review queue", key="labelstudio_push", disabled=not ready, on_click=_push,
                   args=(username,))
    cols[2].button("Pull annotations", key="labelstudio_pull", disabled=not ready, on_click=_pull,
                   args=(username,))


def _tell(kind: str, message: str) -> None:
    st.session_state[NOTICE] = (kind, message)


@auth.guarded("admin")
def _save(username: str) -> None:
    token = (st.session_state.get("labelstudio_token") or "").strip() or None
    st.session_state["labelstudio_token"] = ""  # the token field never holds a saved token
    try:
        with services.workspace() as ws:
            labelstudio.save(ws, username, st.session_state.get("labelstudio_url") or "", token,
                             st.session_state.get("labelstudio_project"))
            st.session_state["labelstudio_url"] = labelstudio.saved(ws)["url"]
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    _tell("success", "Label Studio setting saved" + (" with the new token." if token else "."))


@auth.guarded("review")
def _check() -> None:
    try:
        with services.workspace() as ws:
            server = labelstudio.server(ws)
        who = labelstudio.connect(server).users.whoami()
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    _tell("success", f"Label Studio at {server.url} accepts the token (user {who.email}).")


def _with_server(action, username: str):
    """``action(ws, server, by=username)`` against the saved server; None (and the error told)
    when it fails."""
    try:
        with services.workspace() as ws:
            return action(ws, labelstudio.server(ws), by=username)
    except HotpassError as exc:
        _tell("error", str(exc))
        return None


@auth.guarded("review")
def _push(username: str) -> None:
    result = _with_server(labelstudio.push, username)
    if result is None:
        return
    _tell("success", f"Pushed {result.pushed} pairs to project {result.project_id} at {result.url} "
                     f"({result.already} were already there).")


@auth.guarded("review")
def _pull(username: str) -> None:
    result = _with_server(labelstudio.pull, username)
    if result is None:
        return
    skipped = "; ".join(result.skipped[:5]) + (" …" if len(result.skipped) > 5 else "")
    _tell("success", f"Pulled {len(result.decided)} decisions ({len(result.skipped)} skipped"
                     f"{': ' + skipped if skipped else ''}; {result.unchanged} pulled before). "
                     "The next run applies them.")
