"""Logging in and out, sessions kept in the workspace, and the role check before every action.

A login starts a session in the workspace (:class:`hotpass.sessions.Sessions`)
and hands its random token to the browser in the ``hotpass_login`` cookie
(set by the cookie component of extra-streamlit-components, read back from
``st.context.cookies``). On every run the token is looked up again: a session
that was ended (logout, a password or role change, the account removed) or has
expired gives the login form, so a copied cookie is worth nothing after
logout. Each page load counts as use: a session unused for
``$HOTPASS_SESSION_IDLE_MINUTES`` (default 60) has expired, and none lasts
more than 12 hours.

Button callbacks run before ``app.py``, so each one that changes anything is
wrapped in :func:`guarded`: it reads this session and the user's role from the
workspace at the moment of the click, and refuses (audited as ``denied``)
when either no longer allows the action.

Failed logins are throttled per username and per client (:mod:`hotpass.logins`).
The client is the address the browser connects from (``st.context.ip_address``;
``local`` for localhost), or, behind a reverse proxy, the last address in the
header named by ``$HOTPASS_CLIENT_HEADER`` (such as ``X-Forwarded-For``, which
only the proxy can be trusted to set). It is kept only as a keyed hash.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
from datetime import datetime, timedelta

import extra_streamlit_components as stx
import streamlit as st

from hotpass import Sessions, User, Users, can
from workbench import services, state

COOKIE_NAME = "hotpass_login"
CLIENT_HEADER_ENV = "HOTPASS_CLIENT_HEADER"
IDLE_ENV = "HOTPASS_SESSION_IDLE_MINUTES"
TOKEN = "hotpass_session"  # this browser session's token (no "hp." prefix: state.clear keeps it)
DENIED = "hotpass_denied"  # the last refusal, shown once by app.py
_FAILED = "hotpass_login_failed"


def client_id(key: str) -> str:
    """An opaque id (keyed by ``key``) of the address this browser connects from (see the
    module's docstring)."""
    header = os.environ.get(CLIENT_HEADER_ENV)
    address = st.context.ip_address
    if header:
        address = str(st.context.headers.get(header) or "").split(",")[-1].strip()
    address = address if isinstance(address, str) and address else "local"
    return hmac.new(key.encode("utf-8"), address.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def sessions(ws) -> Sessions:
    """The workspace's sessions, with the idle time ``$HOTPASS_SESSION_IDLE_MINUTES`` sets (minutes,
    more than 0; the default when unset or not a number)."""
    try:
        minutes = float(os.environ.get(IDLE_ENV, ""))
    except ValueError:
        minutes = 0
    return Sessions(ws, minutes) if 0 < minutes < float("inf") else Sessions(ws)


def secure_cookie(url: str | None) -> bool:
    """Whether the login cookie is marked Secure (sent over HTTPS only): when the browser reached
    the workbench over HTTPS. (It cannot be HttpOnly: the browser component sets it from script.)"""
    return bool(url) and url.lower().startswith("https://")


def session_user(ws) -> User | None:
    """The user this browser session is logged in as now, read from the workspace; else None."""
    name = Sessions(ws).username(st.session_state.get(TOKEN))
    return Users(ws).get(name) if name else None


class Login:
    """The login form and cookie of one script run (the cookie component is drawn once a run)."""

    def __init__(self):
        self.cookies = stx.CookieManager(key="hotpass_cookies")
        self.key = services.cookie_key()  # made on the first start; keys the client ids

    def user(self) -> User | None:
        """The logged-in user (this session's token, else the cookie's), else None and the form."""
        token = st.session_state.get(TOKEN) or st.context.cookies.get(COOKIE_NAME)
        with services.workspace() as ws:
            name = Sessions(ws).username(token)
            user = Users(ws).get(name) if name else None
            if user is not None:
                sessions(ws).seen(token)
        if user is not None:
            st.session_state[TOKEN] = token
            return user
        if st.session_state.pop(TOKEN, None):  # ended elsewhere: forget what this session loaded
            state.clear()
            st.session_state[DENIED] = "Your session has ended. Log in again."
        return self._form()

    def _form(self) -> User | None:
        middle = st.columns([1, 2, 1])[1]
        slot = middle.empty()
        with slot.container():
            submitted, username, password = _draw_form()
        if submitted:
            user = self._log_in(username, password)
            if user is not None:
                slot.empty()
                return user
        with middle:
            _explain()
        return None

    def _log_in(self, username: str, password: str) -> User | None:
        client = client_id(self.key)
        with services.workspace() as ws:
            users = Users(ws)
            result = users.login(username.strip(), password.strip(), client)
            user = users.get(username.strip()) if result.ok else None
            if user is None:
                st.session_state[_FAILED] = result.throttled or -1
                return None
            token = sessions(ws).start(user.username, client)
        st.session_state.pop(_FAILED, None)
        st.session_state.pop(DENIED, None)
        st.session_state[TOKEN] = token
        expires = datetime.now() + timedelta(hours=Sessions.HOURS)
        self.cookies.set(COOKIE_NAME, token, expires_at=expires, same_site="strict",
                         secure=secure_cookie(st.context.url))
        return user

    def logout(self, user: User) -> None:
        """End this session in the workspace, delete the cookie, forget what was loaded; audited."""
        with services.workspace() as ws:
            Sessions(ws).end(st.session_state.pop(TOKEN, None), "logout")
            ws.audit(user.username, "logout")
        try:
            self.cookies.delete(COOKIE_NAME, key="hotpass_cookie_delete")
        except KeyError:  # the browser had no cookie (a login from the form in this session)
            pass
        state.clear()


def _draw_form() -> tuple[bool, str, str]:
    st.title("Hotpass workbench")
    with st.form("login", border=True):
        st.subheader("Log in")
        username = st.text_input("Username", key="login_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Log in", type="primary", key="login_submit")
    return submitted, username, password


def _explain() -> None:
    failed = st.session_state.get(_FAILED)
    ended = st.session_state.pop(DENIED, None)
    if failed and failed > 0:
        st.error(f"Too many failed logins for this username from your address. Try again in "
                 f"{failed} minute(s), from another address, or ask an admin to run "
                 "`hotpass users unlock NAME`.")
    elif failed:
        st.error("Wrong username or password.")
    else:
        if ended:
            st.warning(ended)
        st.caption(
            "Accounts are made with `hotpass users add NAME --role ROLE`. On the very first start "
            "Hotpass creates `admin` and prints its password once in the server's terminal."
        )


def require(action: str) -> User:
    """The logged-in user when their role may do ``action``; otherwise say so and stop the page."""
    user = state.user()
    if user is None or not can(user.role, action):
        with services.workspace() as ws:
            ws.audit(user.username if user else None, "denied", needs=action, what="page",
                     reason=f"role {user.role}" if user else "not logged in")
        st.error(f"Your role may not {action} here. Ask an admin for another role.")
        st.stop()
    return user


def allowed(action: str, what: str) -> User | None:
    """The user of this session when, read from the workspace now, their session is open and their
    role may ``action``; otherwise None, the refusal audited as ``denied`` and told once."""
    with services.workspace() as ws:
        user = session_user(ws)
        if user is not None and can(user.role, action):
            return user
        stale = state.user()
        who = user.username if user else (stale.username if stale else None)
        why = "session ended" if user is None else f"role {user.role}"
        ws.audit(who, "denied", needs=action, what=what, reason=why)
    st.session_state[DENIED] = (f"Not done: your {why} may not {action}. "
                                "Ask an admin if you need to.") if user else (
        "Not done: your session has ended. Log in again.")
    return None


def guarded(action: str):
    """Wrap a button callback so it runs only when :func:`allowed` says so at the click."""
    def wrap(callback):
        @functools.wraps(callback)
        def checked(*args, **kwargs):
            if allowed(action, callback.__qualname__) is not None:
                return callback(*args, **kwargs)
            return None
        return checked
    return wrap


def refusal() -> None:
    """Show the last refusal of an action, once (app.py, above the page)."""
    message = st.session_state.pop(DENIED, None)
    if message:
        st.error(message)
