"""Hotpass: refine messy organisation and contact workbooks into one governed list.

The public API. The workbench's pages and the CLI import from here, never from
deep modules. Names are imported on first use, so ``import hotpass`` stays fast
(the login page needs neither pandas nor DuckDB).
"""

from __future__ import annotations

import importlib

__version__ = "0.2.0"

_API = {
    # errors
    "HotpassError": "hotpass.errors",
    "InputFileError": "hotpass.errors",
    "ProfileError": "hotpass.errors",
    "MappingError": "hotpass.errors",
    "ExportError": "hotpass.errors",
    "PublishBlocked": "hotpass.errors",
    "UserError": "hotpass.errors",
    "WorkspaceError": "hotpass.errors",
    # profiles
    "Profile": "hotpass.profile",
    "METHOD_HELP": "hotpass.profile",
    "load_profile": "hotpass.profile",
    "available_profiles": "hotpass.profile",
    "OTHER_ROLES": "hotpass.profile",
    # reading and mapping
    "read_workbook": "hotpass.ingest",
    "SourceWorkbook": "hotpass.ingest",
    "SourceSheet": "hotpass.ingest",
    "known_headers": "hotpass.stages.sources",
    "SheetMapping": "hotpass.mapping",
    "ColumnMapping": "hotpass.mapping",
    "map_sheet": "hotpass.mapping",
    "map_sheets": "hotpass.mapping",
    "NOT_RECORDS": "hotpass.mapping",
    "set_target": "hotpass.mapping",
    "find_saved": "hotpass.mapping",
    "save_mappings": "hotpass.mapping",
    "load_mappings": "hotpass.mapping",
    "Fit": "hotpass.fit",
    "rank_profiles": "hotpass.fit",
    "ColumnLook": "hotpass.fit",
    "look_at_columns": "hotpass.fit",
    # runs
    "STAGES": "hotpass.pipeline",
    "LABELS": "hotpass.pipeline",
    "refine": "hotpass.pipeline",
    "execute": "hotpass.pipeline",
    "publish": "hotpass.pipeline",
    "Request": "hotpass.run",
    "SourceFile": "hotpass.run",
    "RunResult": "hotpass.result",
    "open_run": "hotpass.result",
    "latest_finished": "hotpass.result",
    "run_changes": "hotpass.changes",
    "submit": "hotpass.worker",
    # the workspace, users, review and enrichment
    "Workspace": "hotpass.workspace",
    "Users": "hotpass.users",
    "User": "hotpass.users",
    "ROLES": "hotpass.users",
    "can": "hotpass.users",
    "random_password": "hotpass.users",
    "Sessions": "hotpass.sessions",
    "review": "hotpass.review",
    "label_accuracy": "hotpass.review",
    "display_id": "hotpass.keys",
    "mask": "hotpass.report.mask",
    "labelstudio": "hotpass.labelstudio",
    "MIN_LABELS": "hotpass.resolve.labels",
    "ProposalStore": "hotpass.enrich",
    # reports and deliverables
    "build_report": "hotpass.report.build",
    "write_report": "hotpass.report",
    "read_deliverable": "hotpass.deliverable",
    "golden_tables": "hotpass.deliverable",
    "validate_tables": "hotpass.validate",
    "generate_samples": "hotpass.samples",
    "run_checks": "hotpass.doctor",
    "export_tables": "hotpass.stages.deliver",
    "report_charts": "hotpass.report.figures",
    "is_missing": "hotpass.text",
    "fold": "hotpass.text",
    "configure_telemetry": "hotpass.telemetry",
    # personal data (POPIA)
    "LAWFUL_BASES": "hotpass.profile",
    "suppress": "hotpass.privacy.suppression",
    "suppression_counts": "hotpass.privacy.suppression",
    "purge": "hotpass.privacy.retention",
    "register_rows": "hotpass.privacy.register",
    "register_markdown": "hotpass.privacy.register",
    "REGISTER_COLUMNS": "hotpass.privacy.register",
    "declare_purpose": "hotpass.privacy.purposes",
    "declared_purpose": "hotpass.privacy.purposes",
    "check_purpose": "hotpass.privacy.purposes",
    "is_suppressed": "hotpass.privacy.suppression",
    "unsuppress": "hotpass.privacy.suppression",
    "register_csv": "hotpass.privacy.register",
    "Subject": "hotpass.privacy.dsar_match",
    "SubjectError": "hotpass.privacy.dsar_match",
    "search_subject": "hotpass.privacy.dsar",
    "export_subject": "hotpass.privacy.dsar",
    "correct_subject": "hotpass.privacy.dsar",
    "erase_subject": "hotpass.privacy.dsar_erase",
}
#: Facade names that differ from the name in their module.
_RENAMED = {"configure_telemetry": "configure", "suppression_counts": "counts", "register_rows": "rows",
            "register_markdown": "to_markdown", "REGISTER_COLUMNS": "COLUMNS", "declare_purpose": "declare",
            "declared_purpose": "declared", "check_purpose": "check", "register_csv": "to_csv", "search_subject": "search", "export_subject": "export",
            "correct_subject": "correct", "erase_subject": "erase"}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        module = importlib.import_module(_API[name])
        value = module if module.__name__ == f"hotpass.{name}" else getattr(module, _RENAMED.get(name, name))
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hotpass' has no attribute {name!r}")
