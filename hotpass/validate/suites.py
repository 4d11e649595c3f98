"""Expectation suites: one Great Expectations 1.x suite JSON file per golden table.

A suite file is what ``ExpectationSuite.to_json_dict()`` writes: ``{"name",
"expectations": [{"type", "kwargs", "meta": {"name", "description"}}], "meta"}``.
:func:`load_suites` reads every file of a profile's suite folder, checks all of
them and raises one :class:`~hotpass.errors.ProfileError` listing every problem.

Writing regexes: GX searches (``str.contains``), so anchor them with ``^...$``.
Text reaches GX as arrow-backed strings, where pandas runs a regex in pyarrow
unless it needs Python's ``re``: ``\\s``, lookarounds and back-references make
it about ten times slower, so spell whitespace out (``[ \\t\\r\\n]``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotpass.errors import ProfileError
from hotpass.validate.generated import suite_for

#: Tables the shipped profiles' suite files are written for (a suite file's stem is an entity's plural).
TABLES = ("organisations", "contacts")
#: Suite parameters (``{"$PARAMETER": name}``) that :func:`validate_tables` supplies.
PARAMETERS = ("canonical_regions", "organisation_ids")
#: Expectation keyword arguments that name a column of the table.
COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")

_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")


@dataclass
class Suite:
    """The expectations of one table, as written in its suite file."""

    table: str
    path: Path | None  # None: made from the profile's fields
    expectations: list[dict]

    def names(self) -> list[str]:
        """The ``meta.name`` of every expectation, in file order."""
        return [e["meta"]["name"] for e in self.expectations]


def columns_of(expectation: dict) -> list[str]:
    """The columns an expectation configuration names, in keyword order."""
    kwargs = expectation.get("kwargs", {})
    found: list[str] = []
    for key in COLUMN_KWARGS:
        value = kwargs.get(key)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
    return found


def parameters_of(value: Any) -> set[str]:
    """The ``$PARAMETER`` names used anywhere inside ``value``."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return {str(value["$PARAMETER"])}
        return set().union(*(parameters_of(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(parameters_of(v) for v in value)) if value else set()
    return set()


def load_suites(profile) -> list[Suite]:
    """Every suite of ``profile``: the files in ``profile.expectations_dir()``, checked, or when it
    has no suite folder, suites made from its fields (:mod:`hotpass.validate.generated`)."""
    folder = profile.expectations_dir()
    tables = [profile.plural(e) for e in profile.entities]
    if folder is None:
        suites = [Suite(table, None, found) for table, found in
                  (suite_for(profile, entity) for entity in profile.entities)]
        _check_blocking(profile, suites, set(), "the suites made from the profile's fields")
        return suites
    if not folder.is_dir():
        raise ProfileError(str(folder), ["validation.expectations_dir: folder does not exist"])
    paths = sorted(folder.glob("*.json"), key=lambda p: _table_order(p, tables))
    if not paths:
        raise ProfileError(str(folder), ["validation.expectations_dir: no suite files (*.json)"])
    problems: list[str] = []
    suites, unreadable = [], set()
    for path in paths:
        suite, found = _read_suite(path, tables)
        problems.extend(found)
        if suite is None:
            unreadable.add(path.stem)
        else:
            suites.append(suite)
    problems.extend(_blocking_problems(profile, suites, unreadable, str(folder)))
    if problems:
        raise ProfileError(str(folder), problems)
    return suites


def _blocking_problems(profile, suites: list[Suite], unreadable: set[str], where: str) -> list[str]:
    known = {f"{s.table}.{_name_of(e)}" for s in suites for e in s.expectations}
    return [f"validation.blocking: {item!r} is not an expectation of any suite in {where}"
            for item in profile.validation.blocking
            if item not in known and item.split(".", 1)[0] not in unreadable]


def _check_blocking(profile, suites: list[Suite], unreadable: set[str], where: str) -> None:
    problems = _blocking_problems(profile, suites, unreadable, where)
    if problems:
        raise ProfileError(profile.name, problems)


def _name_of(expectation: Any) -> str | None:
    meta = expectation.get("meta") if isinstance(expectation, dict) else None
    return meta.get("name") if isinstance(meta, dict) else None


def _table_order(path: Path, tables: list[str]) -> tuple[int, str]:
    return (tables.index(path.stem) if path.stem in tables else len(tables), path.stem)


def _read_suite(path: Path, tables: list[str]) -> tuple[Suite | None, list[str]]:
    """The suite in ``path`` (None when unusable) and the problems found in it."""
    where = path.name
    if path.stem not in tables:
        files = ", ".join(f"{t}.json" for t in tables)
        return None, [f"{where}: unknown table {path.stem!r} (suite files are {files}, one per entity)"]
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return None, [f"{where}: cannot read file: {exc.strerror or exc}"]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [f"{where}: not valid JSON: {exc}"]
    expectations = document.get("expectations") if isinstance(document, dict) else None
    if not isinstance(expectations, list):
        return None, [f"{where}: must be an object with an 'expectations' list"]
    problems: list[str] = []
    seen: set[str] = set()
    for index, expectation in enumerate(expectations):
        problems.extend(_check_expectation(expectation, f"{where}: expectations[{index}]", seen))
    return Suite(table=path.stem, path=path, expectations=expectations), problems


def _check_expectation(expectation: Any, where: str, seen: set[str]) -> list[str]:
    if not isinstance(expectation, dict):
        return [f"{where}: must be an object with type, kwargs and meta"]
    meta = expectation.get("meta") if isinstance(expectation.get("meta"), dict) else {}
    name = _name_of(expectation)
    problems = []
    if not isinstance(name, str) or not name:
        problems.append(f"{where}: meta.name is missing (every expectation needs a unique name)")
    else:
        where = f"{where} ({name})"
        if not _NAME.match(name):
            problems.append(f"{where}: meta.name may hold only letters, digits, '_' and '-'")
        if name in seen:
            problems.append(f"{where}: meta.name {name!r} is used twice in this file")
        seen.add(name)
    if "description" in meta and not isinstance(meta["description"], str):
        problems.append(f"{where}: meta.description must be text")
    unknown = parameters_of(expectation.get("kwargs")) - set(PARAMETERS)
    if unknown:
        known = ", ".join(PARAMETERS)
        problems.append(f"{where}: unknown $PARAMETER {sorted(unknown)} (known: {known})")
    problems.extend(f"{where}: {p}" for p in _regex_problems(expectation.get("kwargs")))
    problem = _gx_problem(expectation)
    if problem:
        problems.append(f"{where}: {problem}")
    return problems


def _regex_problems(kwargs: Any) -> list[str]:
    """Regular expressions in ``kwargs`` (regex, regex_list) that Python cannot compile."""
    if not isinstance(kwargs, dict):
        return []
    listed = kwargs.get("regex_list")
    found = [kwargs.get("regex"), *(listed if isinstance(listed, list) else [])]
    problems = []
    for pattern in found:
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"invalid regex {pattern!r}: {exc}")
    return problems


def _gx_problem(expectation: dict) -> str | None:
    """Why Great Expectations cannot build this expectation, or None when it can."""
    kind = expectation.get("type")
    kwargs = expectation.get("kwargs", {})
    if not isinstance(kind, str) or not kind:
        return "type is missing"
    if not isinstance(kwargs, dict):
        return "kwargs must be an object"
    from hotpass.validate.engine import build_expectation

    try:
        build_expectation(expectation)
    except Exception as exc:  # GX raises many kinds; each becomes one line
        return _gx_message(kind, exc)
    return None


def _gx_message(kind: str, exc: Exception) -> str:
    name = type(exc).__name__
    if name == "ExpectationNotFoundError":
        return f"unknown expectation type {kind!r}"
    text = " ".join(str(exc).split())
    if name == "ValidationError":
        return f"{kind}: invalid kwargs: {text}"
    return f"{kind}: {text}"
