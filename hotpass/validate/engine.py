"""The one seam to Great Expectations: import it quietly, build expectations, run a suite.

Great Expectations takes seconds to import, so nothing here imports it at module
level; :func:`gx` does on first use, with analytics off.
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import Any

import pandas as pd


def gx():
    """The ``great_expectations`` module, imported on first use with analytics off."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations

    return great_expectations


def warm_up() -> threading.Thread:
    """Import Great Expectations in a background thread (seconds of work), so that it is ready
    when validation starts; returns the thread."""
    thread = threading.Thread(target=_quiet_import, name="import-great-expectations", daemon=True)
    thread.start()
    return thread


def _quiet_import() -> None:
    try:
        gx()
    except Exception:  # noqa: BLE001 - the validate stage imports again and reports the error
        pass


def build_expectation(config: dict):
    """A GX expectation object from its configuration; raises when GX cannot build it."""
    gx()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    kwargs, meta = dict(config.get("kwargs", {})), dict(config.get("meta", {}))
    return ExpectationConfiguration(type=config["type"], kwargs=kwargs, meta=meta).to_domain_obj()


class Runner:
    """One fresh ephemeral GX context (progress bars off) with one pandas data source."""

    def __init__(self):
        module = gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = module.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        self.source = self.context.data_sources.add_pandas("hotpass")
        self.runs = 0

    def run(self, table: str, frame: pd.DataFrame, expectations: list[dict],
            parameters: dict[str, Any], examples: int) -> dict[str, dict]:
        """Run ``expectations`` on ``frame``; ``meta.name`` -> outcome.

        An outcome has ``success``, ``element_count``, ``unexpected_count``,
        ``examples`` (distinct failing values, missing ones left out) and
        ``message`` (what went wrong when GX raised for that expectation, else "").
        """
        module = gx()
        self.runs += 1
        name = f"{table}-{self.runs}"  # names are unique within a context
        built = [build_expectation(e) for e in expectations]
        suite = self.context.suites.add(module.ExpectationSuite(name=name, expectations=built))
        batch = self.source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
        definition = module.ValidationDefinition(name=name, data=batch, suite=suite)
        with warnings.catch_warnings():
            # pandas warns about capturing groups in a regex GX hands to str.contains
            warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression")
            result = definition.run(
                batch_parameters={"dataframe": frame},
                expectation_parameters=parameters,
                result_format={"result_format": "BASIC", "partial_unexpected_count": examples},
            )
        return {r.expectation_config.meta["name"]: _outcome(r, len(frame)) for r in result.results}


def _outcome(result, rows: int) -> dict:
    summary = result.result or {}
    values = summary.get("partial_unexpected_list") or []
    return {
        "success": bool(result.success),
        "element_count": int(summary.get("element_count", rows) or 0),
        "unexpected_count": int(summary.get("unexpected_count", 0) or 0),
        "examples": _distinct_text(values),
        "message": _exception_message(result.exception_info),
    }


def _distinct_text(values: list) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value is None or (isinstance(value, float) and value != value):
            continue
        seen.setdefault(str(value), None)
    return list(seen)


def _exception_message(info: Any) -> str:
    """The exception text(s) in a result's ``exception_info`` (flat or keyed by metric)."""
    if not isinstance(info, dict):
        return ""
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [
        str(entry.get("exception_message") or "exception raised")
        for entry in entries
        if isinstance(entry, dict) and entry.get("raised_exception")
    ]
    return "; ".join(dict.fromkeys(messages))
