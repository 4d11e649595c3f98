"""Choosing, tuning and saving profiles in the workbench (no Streamlit here).

Every change goes through :meth:`hotpass.profile.Profile.from_dict`, so a
tuned profile is checked like a YAML file and one ``ProfileError`` lists every
problem with its key path.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from hotpass import METHOD_HELP, Profile, ProfileError, available_profiles, load_profile

SAVED_DIR = "profiles"  # inside the workspace folder
DEFAULT = "generic"
SEPARATOR = ";"
THRESHOLDS = (  # (section, key, label)
    ("resolution", "match_threshold", "Merge pairs at or above (match threshold)"),
    ("resolution", "review_threshold", "Send pairs to review at or above (review threshold)"),
    ("mapping", "confident_score", "Mappings below this confidence are marked ⚠ check"),
    ("mapping", "fuzzy_min_score", "Lowest fuzzy header score that maps a column"),
)
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_SECTIONS = {
    "fields": "synonyms",
    "resolution": "thresholds",
    "mapping": "thresholds",
    "source_priorities": "priorities",
}


def choices(workspace_dir: Path) -> dict[str, Path]:
    """Label -> YAML file of every profile: shipped ones, then those saved in the workspace."""
    found = dict(available_profiles())
    for path in sorted((workspace_dir / SAVED_DIR).glob("*.yaml")):
        found[f"{path.stem} (saved)"] = path
    return found


def resolve(label: str, text: str | None,
            workspace_dir: Path) -> tuple[Profile, str, ProfileError | None]:
    """(profile, label, problem) of a kept choice: a tuned or uploaded profile's YAML ``text``,
    else the shipped or saved profile called ``label``; the default profile when that cannot be
    loaded."""
    try:
        if text:
            return from_upload(label, text.encode("utf-8")), label, None
        options = choices(workspace_dir)
        if label in options:
            return load_profile(options[label]), label, None
        problem = ProfileError(label, ["this profile is no longer in the workspace"])
    except ProfileError as exc:
        problem = exc
    instead = f"the {DEFAULT} profile is used instead until you choose another"
    problem = ProfileError(problem.source, [*problem.problems, instead])
    return load_profile(DEFAULT), DEFAULT, problem


def anchored(profile: Profile) -> Profile:
    """``profile`` with its file settings made absolute, so it reads the same from any folder."""
    return Profile.from_dict(_anchored(profile), source=profile.name)


def from_upload(name: str, data: bytes) -> Profile:
    """A profile from an uploaded YAML file; ``ProfileError`` lists every problem."""
    try:
        document = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(name, [f"not valid YAML: {exc}"]) from None
    return Profile.from_dict(document if document is not None else {}, source=name)


def synonym_table(profile: Profile) -> pd.DataFrame:
    """One row per field: record kind, field, label, kind and its synonyms joined by ';'."""
    return pd.DataFrame(
        [
            {
                "record": kind,
                "field": name,
                "label": spec.label,
                "kind": spec.kind,
                "synonyms": f"{SEPARATOR} ".join(spec.synonyms),
            }
            for kind in profile.entities
            for name, spec in profile.fields(kind).items()
        ]
    )


COMPARISON_COLUMNS = ["record", "field", "method", "thresholds", "term_frequency"]
METHODS = tuple(METHOD_HELP)


def comparison_entities(profile: Profile) -> list[str]:
    """Entities whose duplicates are found by comparing declared fields (editable comparisons);
    the built-in organisation comparisons are not edited here."""
    return [e for e in profile.top_entities() if not profile.entity(e).resolution.built_in()]


def comparison_table(profile: Profile) -> pd.DataFrame:
    """One row per field comparison: record, field, method, thresholds joined by ';', term frequency."""
    rows = [
        {"record": entity, "field": c.field, "method": c.method,
         "thresholds": f"{SEPARATOR} ".join(f"{t:g}" for t in c.thresholds),
         "term_frequency": bool(c.term_frequency)}
        for entity in comparison_entities(profile)
        for c in profile.entity(entity).resolution.comparisons
    ]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _comparisons(table: pd.DataFrame, entities: list[str]) -> dict[str, list[dict]]:
    """Edited comparison rows as each entity's ``resolution.comparisons`` (rows without a field are
    dropped; a threshold that is not a number is left for the profile check to report)."""
    out: dict[str, list[dict]] = {entity: [] for entity in entities}
    for row in table.itertuples(index=False):
        if not isinstance(row.field, str) or not row.field.strip() or row.record not in out:
            continue
        thresholds = [_number_or_text(part) for part in split_synonyms(row.thresholds)]
        out[row.record].append({"field": row.field.strip(), "method": row.method or "exact",
                                "thresholds": thresholds, "term_frequency": bool(row.term_frequency)})
    return out


def _number_or_text(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def priority_table(profile: Profile) -> pd.DataFrame:
    """Source priorities as rows of (file glob, priority)."""
    rows = [
        {"file glob": glob, "priority": priority}
        for glob, priority in profile.source_priorities.items()
    ]
    return pd.DataFrame(rows, columns=["file glob", "priority"])


def tuned(
    profile: Profile, synonyms: pd.DataFrame, thresholds: dict, priorities: pd.DataFrame,
    comparisons: pd.DataFrame | None = None,
) -> Profile:
    """``profile`` with edited synonyms, thresholds ((section, key) -> value), priorities and
    field comparisons (:func:`comparison_table`'s rows)."""
    data = _anchored(profile)
    if comparisons is not None:
        for entity, rows in _comparisons(comparisons, comparison_entities(profile)).items():
            data["entities"][entity]["resolution"]["comparisons"] = rows
    for row in synonyms.itertuples(index=False):
        data["entities"][row.record]["fields"][row.field]["synonyms"] = split_synonyms(row.synonyms)
    for (section, key), value in thresholds.items():
        if section == "resolution":  # the settings of the entity resolved first
            data["entities"][profile.primary]["resolution"][key] = value
        else:
            data[section][key] = value
    data["source_priorities"] = {
        str(glob).strip(): _number(priority)
        for glob, priority in zip(priorities["file glob"], priorities["priority"], strict=True)
        if isinstance(glob, str) and glob.strip()
    }
    return Profile.from_dict(data, source=f"profile {profile.name} as tuned")


def split_synonyms(text) -> list[str]:
    """'a; b;; c' -> ['a', 'b', 'c'] (empty or missing -> [])."""
    if not isinstance(text, str):
        return []
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def _number(value):
    """A whole number stays an int; anything else is left for the profile check to report."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number == int(number) else value


def group_problems(problems: list[str]) -> dict[str, list[str]]:
    """Problems by the part of the form they belong to: synonyms, thresholds, priorities, other."""
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        path = problem.split(":", 1)[0].split(".")
        if path[0] == "entities" and len(path) > 2:  # entities.<entity>.fields... / .resolution...
            path = path[2:]
        section = "comparisons" if path[:2] == ["resolution", "comparisons"] else _SECTIONS.get(path[0], "other")
        grouped.setdefault(section, []).append(problem)
    return grouped


def save(profile: Profile, name: str, workspace_dir: Path) -> Path:
    """Save ``profile`` as ``name`` in the workspace's profiles folder; returns the YAML file."""
    name = (name or "").strip()
    if not _NAME.fullmatch(name):
        raise ProfileError(
            name or "(no name)",
            [
                "name: use 1-40 lower-case letters, digits, '-' or '_', "
                "starting with a letter or digit"
            ],
        )
    if name in available_profiles():
        raise ProfileError(name, [f"name: {name!r} is a shipped profile; choose another name"])
    data = _anchored(profile)
    suites = profile.expectations_dir()
    if not data["validation"]["expectations_dir"] and suites is not None:  # keep the original's suites
        data["validation"]["expectations_dir"] = str(suites)
    renamed = Profile.from_dict({**data, "name": name}, source=name)
    folder = workspace_dir / SAVED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    renamed.to_yaml(path)
    return path


def _anchored(profile: Profile) -> dict:
    """The profile as data, file settings made absolute so they resolve from elsewhere too."""
    data = profile.to_dict()
    for section, key in (
        ("validation", "expectations_dir"),
        ("enrichment", "area_codes"),
        ("enrichment", "gazetteer"),
    ):
        if data[section][key]:
            data[section][key] = str(
                profile.resolve_path(data[section][key], Path(data[section][key]))
            )
    return data
