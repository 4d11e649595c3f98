"""Hotpass: refine messy organisation and contact workbooks into one governed list.

The public API. Pages and the CLI import from here, never from deep modules.
Names are imported on first use, so ``import hotpass`` stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "HotpassError": "hotpass.errors",
    "InputFileError": "hotpass.errors",
    "ProfileError": "hotpass.errors",
    "MappingError": "hotpass.errors",
    "ExportError": "hotpass.errors",
    "Finding": "hotpass.findings",
    "Findings": "hotpass.findings",
    "Profile": "hotpass.profile",
    "load_profile": "hotpass.profile",
    "available_profiles": "hotpass.profile",
    "read_workbook": "hotpass.ingest",
    "SourceWorkbook": "hotpass.ingest",
    "SourceSheet": "hotpass.ingest",
    "SheetMapping": "hotpass.mapping",
    "ColumnMapping": "hotpass.mapping",
    "map_sheet": "hotpass.mapping",
    "set_target": "hotpass.mapping",
    "save_mappings": "hotpass.mapping",
    "load_mappings": "hotpass.mapping",
    "Refined": "hotpass.pipeline",
    "refine": "hotpass.pipeline",
    "read_sources": "hotpass.pipeline",
    "map_sources": "hotpass.pipeline",
    "refine_sheets": "hotpass.pipeline",
    "write_outputs": "hotpass.pipeline",
    "generate_samples": "hotpass.samples",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hotpass' has no attribute {name!r}")
