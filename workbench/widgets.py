"""Small pieces several pages draw: the profile picker, links to other pages, error lists."""

from __future__ import annotations

import streamlit as st

from hotpass import ProfileError, can, load_profile
from workbench import auth, fitting, nav, services, state, tuning
from workbench.text import md

PROFILE_CHOICE = "profile_choice"
_PROFILE_PROBLEM = "hp.profile_problem"


def profile_picker(label: str = "Profile") -> None:
    """Choose the profile this user reads and maps with (shipped or saved in the workspace); with
    files uploaded, the profiles ranked by how well they fit them, the best preselected unless the
    user chose one."""
    options = tuning.choices(services.workspace_dir())
    preselected = state.preselect()
    current = state.chosen()
    st.session_state[PROFILE_CHOICE] = current.label if current.label in options else None
    st.selectbox(
        label,
        list(options),
        key=PROFILE_CHOICE,
        on_change=_choose,
        args=(options,),
        placeholder=current.label,
        help="Column synonyms, thresholds and source priorities. Tune them on Profile & mapping.",
    )
    fit_ranking(current.label, preselected)
    problem = st.session_state.pop(_PROFILE_PROBLEM, None) or current.problem
    if problem:
        show_profile_error(problem)


def fit_ranking(in_use: str, preselected: str | None) -> None:
    """How well each profile fits the uploaded files, best first (nothing before an upload)."""
    ranked = state.fits()
    if not ranked:
        return
    lines = "\n".join(f"- {md(line)}" for line in fitting.ranking_lines(ranked, in_use))
    note = (f"**{md(preselected)}** was chosen for your files because it fits them best; choose "
            "another above to change it.\n\n" if preselected else "")
    st.caption(f"{note}How well each profile fits your files:\n{lines}")


@auth.guarded("tune")
def _choose(options: dict) -> None:
    label = st.session_state.get(PROFILE_CHOICE)
    if not label:
        return
    try:
        state.set_profile(load_profile(options[label]), label, by_name=True)
    except ProfileError as exc:
        st.session_state[_PROFILE_PROBLEM] = exc


def show_profile_error(exc: ProfileError, problems: list[str] | None = None) -> None:
    """One st.error naming the profile and listing every problem with its key path."""
    items = "\n".join(f"- `{p}`" for p in (problems if problems is not None else exc.problems))
    st.error(f"Profile {exc.source}: {len(exc.problems)} problem(s)\n\n{items}")


def link(page: str, label: str, icon: str | None = None) -> None:
    """A link to another page, drawn only when this user's role may open it."""
    spec = nav.PAGES.get(page)
    user = state.user()
    if spec is not None and user is not None and can(user.role, spec.action):
        st.page_link(spec.path, label=label, icon=icon)


def notice(key: str, slot=None) -> None:
    """The outcome of the last action (left by a callback with :func:`tell` under ``key``), shown
    once, in ``slot`` when given (drawn on every run, so the elements below keep their place)."""
    kind, message = st.session_state.pop(key, (None, None))
    if kind:
        getattr(slot if slot is not None else st, kind)(message)


def tell(key: str, kind: str, message: str) -> None:
    """Leave the outcome of an action for the next run's :func:`notice` (``kind``: success, info,
    warning or error)."""
    st.session_state[key] = (kind, message)
