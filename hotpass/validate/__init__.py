"""Validation: run Great Expectations suites on the golden records.

    suites = load_suites(profile)            # data_expectations/<profile>/*.json, checked
    validation = validate_tables({"organisations": orgs, "contacts": contacts}, profile, suites)
    validation.results                       # one row per expectation
    validation.blocking_failures()           # what stops publishing
    validation.findings()                    # one finding per failed expectation

Great Expectations is imported on first use, never when this package is imported.
"""

from __future__ import annotations

from hotpass.validate.result import COLUMNS, Validation
from hotpass.validate.run import validate_tables
from hotpass.validate.suites import PARAMETERS, TABLES, Suite, load_suites

__all__ = [
    "COLUMNS", "PARAMETERS", "TABLES", "Suite", "Validation", "load_suites", "validate_tables",
]
