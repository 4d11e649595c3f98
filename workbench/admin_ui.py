"""The Admin page's parts: users and roles (through :class:`hotpass.users.Users`) and the audit log.

Every change is made in a button callback, so the tables drawn afterwards are
current; a new or reset password is kept in the session only until it has
been shown once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from hotpass import ROLES, HotpassError, Users, random_password
from workbench import auth, paging, services

NOTICE = "hp.admin.notice"
ALL = "(all)"
AUDIT_PAGE = "admin_audit_page"
AUDIT_SIZE = 50


def notice() -> None:
    """The outcome of the last change; a password is shown here once and then forgotten."""
    found = st.session_state.pop(NOTICE, None)
    if not found:
        return
    kind, message, secret = found
    getattr(st, kind)(message)
    if secret:
        st.code(secret, language=None)
        st.caption("Shown once: copy it now and hand it over safely. Ask them to change it.")


def _tell(kind: str, message: str, secret: str | None = None) -> None:
    st.session_state[NOTICE] = (kind, message, secret)


def users_table(users) -> pd.DataFrame:
    """Every account: name, role, when made and failed logins since the last one (never a hash)."""
    rows = [{"username": u.username, "name": u.name, "role": u.role, "created": u.created_at,
             "failed logins": u.failed_logins} for u in users]
    return pd.DataFrame(rows, columns=["username", "name", "role", "created", "failed logins"])


def add_form(admin: str) -> None:
    """A new account with a generated password (shown once)."""
    with st.form("admin_add", clear_on_submit=True):
        st.markdown("**Add a user**")
        cols = st.columns(3)
        cols[0].text_input("Username", key="admin_new_username")
        cols[1].text_input("Full name (optional)", key="admin_new_name")
        cols[2].selectbox("Role", ROLES, key="admin_new_role")
        st.form_submit_button("Add user", type="primary", on_click=_add, args=(admin,),
                              key="admin_add_submit")


@auth.guarded("admin")
def _add(admin: str) -> None:
    username = (st.session_state.get("admin_new_username") or "").strip()
    name = (st.session_state.get("admin_new_name") or "").strip() or None
    role = st.session_state.get("admin_new_role")
    _change(lambda users: users.add(username, role, name=name, by=admin),
            f"User {username.lower()!r} added as {role}. Their password:", secret=True)


def manage(users, admin: str) -> None:
    """Change one account: role, password, lock, or remove it."""
    if not users:
        return
    st.markdown("**Change a user**")
    names = [u.username for u in users]
    username = st.selectbox("User", names, key="admin_user")
    current = next(u for u in users if u.username == username)
    cols = st.columns([2, 1, 1, 1, 1], vertical_alignment="bottom")
    role = cols[0].selectbox("Role", ROLES, index=ROLES.index(current.role),
                             key=f"admin_role_{username}")
    cols[1].button("Change role", key="admin_set_role", disabled=role == current.role,
                   on_click=_change, args=(lambda u: u.set_role(username, role, by=admin),
                                           f"{username} is now {role}."))
    cols[2].button("Reset password", key="admin_reset", on_click=_reset, args=(username, admin))
    cols[3].button("Unlock", key="admin_unlock", on_click=_change,
                   help="Forget their failed logins, so no address is held back from trying.",
                   args=(lambda u: u.unlock(username, by=admin), f"{username} is unlocked."))
    sure = cols[4].checkbox("Sure?", key=f"admin_remove_sure_{username}",
                            disabled=username == admin)
    cols[4].button("Remove", key="admin_remove", disabled=not sure or username == admin,
                   on_click=_change, args=(lambda u: u.remove(username, by=admin),
                                           f"{username} was removed."),
                   help="You cannot remove yourself; the last admin cannot be removed.")


@auth.guarded("admin")
def _reset(username: str, admin: str) -> None:
    password = random_password()
    _change(lambda users: users.set_password(username, password, by=admin) or password,
            f"New password for {username!r} (their failed logins and any lock are cleared):",
            secret=True)


@auth.guarded("admin")
def _change(action, message: str, secret: bool = False) -> None:
    try:
        with services.workspace() as ws:
            result = action(Users(ws))
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    _tell("success", message, result if secret else None)


def audit_filters(log: pd.DataFrame) -> dict:
    """Action, user and date range (UTC days) of the audit lines to show."""
    cols = st.columns(3)
    actions = [ALL, *sorted(log["action"].dropna().unique())]
    action = cols[0].selectbox("Action", actions, key="admin_audit_action")
    people = [ALL, *sorted(log["username"].dropna().unique())]
    username = cols[1].selectbox("User", people, key="admin_audit_user")
    today = datetime.now(UTC).date()
    days = cols[2].date_input("Between (UTC)", (today - timedelta(days=30), today),
                              min_value=date(2000, 1, 1), max_value=today + timedelta(days=1),
                              key="admin_audit_days")
    days = tuple(days) if isinstance(days, list | tuple) else (days,)
    chosen = {"action": None if action == ALL else action,
              "username": None if username == ALL else username,
              "start": days[0] if days else None, "end": days[-1] if days else None}
    paging.follow(AUDIT_PAGE, tuple(chosen.values()))
    return chosen


def audit_rows(log: pd.DataFrame, action=None, username=None, start=None, end=None) -> pd.DataFrame:
    """The audit lines matching the filters, newest first."""
    keep = pd.Series(True, index=log.index)
    if action:
        keep &= log["action"] == action
    if username:
        keep &= log["username"] == username
    stamps = pd.to_datetime(log["logged_at"])
    if start is not None:
        keep &= stamps >= pd.Timestamp(start)
    if end is not None:
        keep &= stamps < pd.Timestamp(end) + pd.Timedelta(days=1)
    return log[keep].reset_index(drop=True)


def audit_table(rows: pd.DataFrame) -> None:
    """One page of audit lines."""
    page = paging.pager(len(rows), AUDIT_PAGE, size=AUDIT_SIZE, label="lines")
    st.dataframe(paging.page_of(rows, page, AUDIT_SIZE), hide_index=True, width="stretch",
                 key="admin_audit_table")
