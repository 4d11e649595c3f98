"""Logging in and out with streamlit-authenticator 0.4.2, users kept in the workspace.

streamlit-authenticator keeps the login in session state and a signed cookie
(a JWT) so a reload stays logged in. Hotpass changes three things:

- the password check is :meth:`hotpass.users.Users.verify`, which counts
  failures in the workspace and refuses a locked account (the library's own
  counter lives in the ``Authenticate`` object, which is rebuilt every run);
- the form is drawn here, in a placeholder that is cleared on success, so the
  page shows at once without a rerun that could drop the cookie being set;
- the account is read again from the users table on every run: a removed or
  locked user is logged out, and the role always comes from the table.
"""

from __future__ import annotations

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from hotpass import User, Users, can
from workbench import services, state

COOKIE_NAME = "hotpass_login"
COOKIE_DAYS = 0.5  # a stolen cookie is valid until it expires: logout cannot revoke it server-side
_ATTEMPT = "hp.auth.attempt"  # the username last typed at the form


def _check_credentials(username: str, password: str) -> bool:
    """The password check streamlit-authenticator calls: counted, audited, locks honoured."""
    st.session_state[_ATTEMPT] = username
    with services.workspace() as ws:
        return Users(ws).verify(username, password)


class Login:
    """One streamlit-authenticator per script run (a second one would repeat its widget keys)."""

    def __init__(self):
        with services.workspace() as ws:
            credentials = Users(ws).credentials()
        self.authenticator = stauth.Authenticate(
            credentials,
            cookie_name=COOKIE_NAME,
            cookie_key=services.cookie_key(),
            cookie_expiry_days=COOKIE_DAYS,
            auto_hash=False,
            login_sleep_time=0,
        )
        model = self.authenticator.authentication_controller.authentication_model
        model.check_credentials = _check_credentials

    def user(self) -> User | None:
        """The logged-in user (from the cookie or this session), else None and the form."""
        try:
            self.authenticator.login(location="unrendered")
        except LoginError:  # a cookie for an account that is gone or locked
            st.session_state["logout"] = True  # ignore the cookie for the rest of this session
        user = self._current()
        if user is None:
            user = self._form()
        return user

    def _current(self) -> User | None:
        if not st.session_state.get("authentication_status"):
            return None
        with services.workspace() as ws:
            users = Users(ws)
            user = users.get(st.session_state.get("username") or "")
            if user is not None and not user.locked():
                return user
        self.authenticator.logout(location="unrendered")
        state.clear()
        return None

    def _form(self) -> User | None:
        middle = st.columns([1, 2, 1])[1]
        slot = middle.empty()
        with slot.container():
            submitted, username, password = _draw_form()
        if submitted:
            st.session_state[_ATTEMPT] = None
            self.authenticator.authentication_controller.login(username, password)
            user = self._current()
            if user is not None:
                slot.empty()
                self.authenticator.cookie_controller.set_cookie()
                return user
        with middle:
            _explain_failure()
        return None

    def logout(self, user: User) -> None:
        """Log out: forget the login and everything this session loaded; audited."""
        self.authenticator.logout(location="unrendered")
        state.clear()
        with services.workspace() as ws:
            ws.audit(user.username, "logout")


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


def _explain_failure() -> None:
    if st.session_state.get("authentication_status") is False:
        attempt = st.session_state.get(_ATTEMPT)
        with services.workspace() as ws:
            locked = bool(attempt) and Users(ws).locked(attempt)
        if locked:
            st.error(
                f"The account {attempt.lower()!r} is locked after {Users.MAX_FAILURES} failed "
                "logins. "
                f"Try again in {Users.LOCK_MINUTES} minutes, or ask an admin to run "
                f"`hotpass users unlock {attempt.lower()}`."
            )
        else:
            st.error("Wrong username or password.")
    else:
        st.caption(
            "Accounts are made with `hotpass users add NAME --role ROLE`. On the very first start "
            "Hotpass creates `admin` and prints its password once in the server's terminal."
        )


def require(action: str) -> User:
    """The logged-in user when their role may do ``action``; otherwise say so and stop the page."""
    user = state.user()
    if user is None or not can(user.role, action):
        st.error(f"Your role may not {action} here. Ask an admin for another role.")
        st.stop()
    return user
