"""The quality report as GitHub-flavoured Markdown: a heading and tables per section."""

from __future__ import annotations

import re
from collections.abc import Mapping

from hotpass.report import grids as g
from hotpass.report import sections as s

# Characters that Markdown would read as formatting, links or HTML inside a cell.
_SPECIAL = re.compile(r"([\\`*\[\]|])")


def render_markdown(report: Mapping) -> str:
    """The whole report as Markdown text ending in a newline."""
    report = report if isinstance(report, Mapping) else {}
    parts = [f"# {escape(s.title(report))}", _facts(report), _status(report), _totals(report)]
    for section in s.sections(report):
        parts.append(_section(section, report))
    return "\n\n".join(part for part in parts if part) + "\n"


def escape(value: object) -> str:
    """Cell text that Markdown shows literally: no pipes, links, emphasis, HTML or line breaks."""
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    text = _SPECIAL.sub(r"\\\1", "" if value is None else str(value))
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def table(grid: g.Grid) -> str:
    """``grid`` as a GitHub table, numbers right-aligned."""
    align = ["---:" if i in grid.numeric else "---" for i in range(len(grid.headers))]
    lines = [_row(grid.headers), "| " + " | ".join(align) + " |"]
    lines += [_row(row, grid.code) for row in grid.rows]
    return "\n".join(lines)


def code(value: object) -> str:
    """``value`` as a code span (shown literally), safe inside a table cell."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(cells: list, code_columns: tuple[int, ...] = ()) -> str:
    return "| " + " | ".join(_cell(cell, i in code_columns) for i, cell in enumerate(cells)) + " |"


def _cell(cell: str | list[str], literal: bool) -> str:
    if not literal:
        return escape(cell)
    return "; ".join(code(item) for item in (cell if isinstance(cell, list) else [cell]) if item)


def _facts(report: Mapping) -> str:
    lines = [f"- **{label}:** {escape(value)}" for label, value in s.facts(report)]
    note = s.masking_note(report)
    return "\n".join(lines) + (f"\n\n_{escape(note)}_" if note else "")


def _status(report: Mapping) -> str:
    status = s.status(report)
    details = "\n".join(f"- {escape(detail)}" for detail in status.details)
    return f"## Status\n\n**{escape(status.headline)}**" + (f"\n\n{details}" if details else "")


def _totals(report: Mapping) -> str:
    totals = g.totals(report)
    body = "\n".join(f"| {escape(name)} | {escape(value)} |" for name, value in totals)
    return "## Totals\n\n" + ("| Measure | Count |\n| --- | ---: |\n" + body if totals else "None.")


def _section(section: s.Section, report: Mapping) -> str:
    grids = section.grids(report)
    lines = [f"## {section.title}", escape(section.intro)]
    if s.is_empty(grids):
        lines.append("None.")
    for grid in grids:
        if grid.rows:
            lines.append((f"**{escape(grid.caption)}**\n\n" if grid.caption else "") + table(grid))
    return "\n\n".join(lines)
