"""Which profile fits the user's files best (no Streamlit).

The profiles offered (shipped, then saved in the workspace) are ranked once
per upload set with :func:`hotpass.rank_profiles`; the best is preselected
unless the user chose a profile themselves, and only once per upload set, so
a choice the user makes afterwards is never undone.
"""

from __future__ import annotations

from pathlib import Path

from hotpass import Fit, ProfileError, load_profile, rank_profiles
from workbench import kept, tuning


def rank(sheets: list, choices: dict[str, Path]) -> list[Fit]:
    """The profiles of ``choices`` (label -> YAML file) by how well they fit ``sheets``, best first;
    the default profile wins a tie, and a profile that no longer loads is left out."""
    if not sheets:
        return []
    profiles = {}
    for label in sorted(choices, key=lambda label: label != tuning.DEFAULT):
        try:
            profiles[label] = load_profile(choices[label])
        except ProfileError:
            continue
    return rank_profiles(sheets, profiles)


def preselect(ws, username: str, fits: list[Fit], upload_set: str) -> str | None:
    """Use the best-fitting profile for ``upload_set`` unless the user chose one (done once per
    upload set); returns the label of the profile preselected for these files, else None."""
    if not fits or fits[0].score <= 0 or kept.chose_profile(ws, username):
        return None
    if kept.fitted_for(ws, username) != upload_set:
        kept.set_profile_choice(ws, username, fits[0].profile, fitted=upload_set)
    return kept.profile_choice(ws, username)["label"]


def ranking_lines(fits: list[Fit], in_use: str) -> list[str]:
    """One line per profile: label, fit and why, the one in use marked."""
    return [f"{fit.profile}: fits {fit.score:.0%} ({fit.reason})"
            + (" · in use" if fit.profile == in_use else "") for fit in fits]
