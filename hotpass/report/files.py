"""The report as JSON, and all three files written atomically into one folder."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import Path

from hotpass.export import atomic_path
from hotpass.export.atomic import export_error


def render_json(report: Mapping) -> str:
    """The report as indented JSON, keys in their given order; NaN becomes null."""
    plain = _plain(report)
    return json.dumps(plain, indent=2, sort_keys=False, ensure_ascii=False, default=_scalar)


def write_report(
    report: Mapping, directory: str | Path, stem: str = "quality-report"
) -> dict[str, Path]:
    """Write ``<stem>.json``, ``<stem>.md`` and ``<stem>.html`` into ``directory``.

    The folder is created if missing; each file is written in full or not at
    all. A file that cannot be written raises :class:`ExportError` naming it.
    """
    from hotpass.report.markdown import render_markdown
    from hotpass.report.page import render_html

    folder = Path(directory)
    renderers = {"json": (".json", render_json), "markdown": (".md", render_markdown),
                 "html": (".html", render_html)}
    _make_folder(folder)
    written = {}
    for kind, (suffix, render) in renderers.items():
        written[kind] = _write(folder / f"{stem}{suffix}", render(report))
    return written


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise export_error(folder, error) from error


def _write(path: Path, text: str) -> Path:
    text = text if text.endswith("\n") else text + "\n"
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8", newline="\n")
    return path


def _plain(value: object) -> object:
    """``value`` with non-finite floats as None, so the JSON stays standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _scalar(value: object) -> object:
    """numpy values as Python numbers and lists, dates as ISO text, anything else as text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return _plain(value.tolist())
    return str(value)

