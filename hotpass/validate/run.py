"""Run the expectation suites on the golden tables."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from hotpass.validate.result import Validation, results_frame
from hotpass.validate.suites import Suite, columns_of, load_suites, parameters_of

#: The mark :func:`lower_in_set` puts in place of a value found in its set.
IN_SET = "\u2063in-set\u2063"


def validate_tables(tables: dict[str, pd.DataFrame], profile,
                    suites: list[Suite] | None = None) -> Validation:
    """Run each suite on its table (``{"organisations": df, "contacts": df}``).

    A missing table or column fails the expectations that need it, with a
    message; GX errors on one expectation do not stop the others.
    """
    start = time.perf_counter()
    suites = load_suites(profile) if suites is None else suites
    blocking = set(profile.validation.blocking)
    rows: list[dict] = []
    runner = None
    for suite in suites:
        outcomes: dict[str, dict] = {}
        frame = tables.get(suite.table)
        runnable = _runnable(suite, frame, outcomes)
        if runnable:
            if runner is None:
                from hotpass.validate.engine import Runner

                runner = Runner()
            outcomes.update(_run(runner, suite.table, frame, runnable, tables, profile))
        rows.extend(_row(suite.table, e, outcomes, blocking) for e in suite.expectations)
    return Validation(results=results_frame(rows), seconds=time.perf_counter() - start)


def _runnable(suite: Suite, frame: pd.DataFrame | None, outcomes: dict[str, dict]) -> list[dict]:
    """The expectations that can run on ``frame``; the others get a failed outcome."""
    if frame is None:
        outcomes.update({name: _failure(f"table {suite.table} was not given")
                         for name in suite.names()})
        return []
    runnable = []
    for expectation in suite.expectations:
        absent = [c for c in columns_of(expectation) if c not in frame.columns]
        if absent:
            names = ", ".join(absent)
            outcomes[expectation["meta"]["name"]] = _failure(
                f"column {names} is not in the {suite.table} table", len(frame)
            )
        else:
            runnable.append(expectation)
    return runnable


def _run(runner, table: str, frame: pd.DataFrame, expectations: list[dict],
         tables: dict[str, pd.DataFrame], profile) -> dict[str, dict]:
    # a table-level expectation (row count, column set) needs the whole frame
    whole = any(not columns_of(e) for e in expectations)
    columns = [] if whole else list(dict.fromkeys(c for e in expectations for c in columns_of(e)))
    used = set().union(*(parameters_of(e.get("kwargs")) for e in expectations))
    parameters = suite_parameters(tables, profile, used)
    prepared = prepare(frame, columns)
    expectations = [lower_in_set(e, prepared, parameters) for e in expectations]
    still_used = set().union(*(parameters_of(e.get("kwargs")) for e in expectations))
    parameters = {name: values for name, values in parameters.items() if name in still_used}
    try:
        return runner.run(table, prepared, expectations, parameters, profile.validation.examples)
    except Exception as exc:  # a GX failure outside any one expectation fails them all
        message = f"Great Expectations failed: {' '.join(str(exc).split())}"
        return {e["meta"]["name"]: _failure(message, len(frame)) for e in expectations}


def lower_in_set(expectation: dict, frame: pd.DataFrame, parameters: dict[str, list]) -> dict:
    """An in-set check against a ``$PARAMETER`` set, rewritten so GX never sees the set.

    GX 1.24 re-serialises an expectation's kwargs hundreds of times per run, so a
    set of 100,000 organisation ids takes seconds. Instead, pandas marks the
    values that are in the set (added to ``frame`` as a new column) and GX checks
    that column against the one mark; failing values keep their own text.
    """
    kwargs = expectation.get("kwargs", {})
    value_set = kwargs.get("value_set")
    if expectation["type"] != "expect_column_values_to_be_in_set" or not (
        isinstance(value_set, dict) and set(value_set) == {"$PARAMETER"}
    ):
        return expectation
    values = parameters.get(value_set["$PARAMETER"], [])
    column = frame[kwargs["column"]]
    marked = f"{kwargs['column']} in ${value_set['$PARAMETER']}"
    # object arrays: pandas hashes them in C, while arrow strings box every set value
    member = pd.Series(column.to_numpy(dtype=object), dtype=object).isin(
        np.asarray(values, dtype=object)
    ).to_numpy()
    frame[marked] = column.where(~member, IN_SET)
    return {**expectation, "kwargs": {**kwargs, "column": marked, "value_set": [IN_SET]}}


def prepare(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy of the named columns (all when none are named), blank text missing, index 0..n-1.

    Text columns become pandas' arrow-backed ``str`` dtype, so GX's regex checks
    run in pyarrow without converting the column again for each expectation.
    """
    chosen = frame[columns] if columns else frame
    return pd.DataFrame(
        {name: _missing_blanks(chosen[name]).reset_index(drop=True) for name in chosen.columns}
    )


def _missing_blanks(column: pd.Series) -> pd.Series:
    """``column`` with empty and whitespace-only text as missing; text as ``str`` dtype."""
    kind = pd.api.types.infer_dtype(column, skipna=True) if column.dtype == object else None
    if isinstance(column.dtype, pd.StringDtype) or kind in ("string", "empty"):
        text = column.astype("str")
        return text.where(~text.str.strip().eq("").to_numpy(dtype=bool))
    if column.dtype == object:  # mixed values: only the text ones can be blank
        blank = [isinstance(v, str) and not v.strip() for v in column.to_numpy()]
        return column.where(~np.asarray(blank, dtype=bool), None)
    return column


def suite_parameters(tables: dict[str, pd.DataFrame], profile, names: set[str]) -> dict[str, list]:
    """Values of the ``$PARAMETER`` names used: canonical regions, organisation ids."""
    parameters: dict[str, list] = {}
    if "canonical_regions" in names:
        parameters["canonical_regions"] = list(profile.region_aliases)
    if "organisation_ids" in names:
        organisations = tables.get("organisations")
        ids = [] if organisations is None or "organisation_id" not in organisations else (
            organisations["organisation_id"].dropna().unique().tolist()
        )
        parameters["organisation_ids"] = ids
    return parameters


def _failure(message: str, rows: int = 0) -> dict:
    return {"success": False, "element_count": rows, "unexpected_count": 0, "examples": [],
            "message": message}


def _row(table: str, expectation: dict, outcomes: dict[str, dict], blocking: set[str]) -> dict:
    name = expectation["meta"]["name"]
    outcome = outcomes.get(name) or _failure("Great Expectations returned no result")
    columns = columns_of(expectation)
    count, unexpected = outcome["element_count"], outcome["unexpected_count"]
    return {
        "table": table,
        "expectation": name,
        "id": f"{table}.{name}",
        "type": expectation["type"],
        "column": ", ".join(columns) if columns else None,
        "description": expectation["meta"].get("description") or describe(expectation),
        "success": outcome["success"],
        "blocking": f"{table}.{name}" in blocking,
        "element_count": count,
        "unexpected_count": unexpected,
        "unexpected_percent": 100.0 * unexpected / count if count else 0.0,
        "examples": "; ".join(outcome["examples"]),
        "message": outcome["message"],
    }


def describe(expectation: dict) -> str:
    """A plain description made from the type: 'phone: values to match regex'."""
    text = expectation["type"].removeprefix("expect_").replace("_", " ")
    columns = columns_of(expectation)
    return f"{', '.join(columns)}: {text}" if columns else text
