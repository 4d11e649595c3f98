"""The Hotpass workbench: `streamlit run app.py` (or `hotpass app`).

The frame: page config, first-start admin, login, the sidebar, and the pages
this user's role may open, rebuilt on every run. Pages live in app_pages/
(not pages/: Streamlit runs a pages/ folder's scripts on their own, without
this frame, until st.navigation is first called); the work is done by the
hotpass library.
"""

from __future__ import annotations

import streamlit as st

from hotpass import Users
from workbench import auth, nav, services, state
from workbench.auth import Login

st.set_page_config(page_title="Hotpass workbench", page_icon=":material/filter_alt:", layout="wide")


def first_start() -> None:
    """With no users at all, create `admin` and print its password to the terminal, once."""
    with services.workspace() as ws:
        password = Users(ws).ensure_admin()
    if password:
        print(f"Hotpass: created user admin with password {password} — shown once", flush=True)  # noqa: T201


def sidebar(login: Login, user) -> bool:
    """User, role, workspace and the logout button; True when the user logged out."""
    with st.sidebar:
        st.markdown(f"**{user.name}**  \n`{user.username}` · {user.role}")
        st.caption(f"Workspace: `{services.workspace_dir()}`")
        if st.button("Log out", key="logout_button", icon=":material/logout:"):
            login.logout(user)
            return True
    return False


def navigation(role: str):
    """The pages of this role, by section."""
    return st.navigation(
        {
            section: [st.Page(p.path, title=p.title, icon=p.icon, default=p.default) for p in pages]
            for section, pages in nav.allowed(role).items()
        }
    )


first_start()
login = Login()
user = login.user()
if user is not None and sidebar(login, user):
    user = login.user()
state.set_user(user)
if user is None:  # only the login form: no page of the app is reachable
    st.navigation(
        [st.Page(lambda: None, title="Log in", url_path="login")], position="hidden"
    ).run()
else:
    auth.refusal()  # an action refused at its click (role or session changed meanwhile)
    navigation(user.role).run()
