"""HTML fragments of the report: header, banner, totals, tables. All text is escaped here."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from hotpass.report import grids as g
from hotpass.report import sections as s

_LONG_WORD = re.compile(r"\S{25,}")
_BREAKS = re.compile(r"([._])(?=\S)")


def esc(value: object) -> str:
    """``value`` as HTML text (None as nothing)."""
    return html.escape("" if value is None else str(value), quote=True)


def breakable(value: object) -> str:
    """Escaped text whose long words (codes, file names) may wrap after ``.`` and ``_``."""
    return _LONG_WORD.sub(lambda word: _BREAKS.sub(r"\1<wbr>", word.group(0)), esc(value))


def header(report: Mapping) -> str:
    """Title, profile, time, run and files, and the masking note."""
    facts = "".join(f"<div><dt>{esc(name)}</dt><dd>{esc(value)}</dd></div>"
                    for name, value in s.facts(report))
    note = s.masking_note(report)
    note_html = f'<p class="note">{esc(note)}</p>' if note else ""
    title = f"<h1>{esc(s.title(report))}</h1>"
    return f'<header>{title}<dl class="facts">{facts}</dl>{note_html}</header>'


def banner(report: Mapping) -> str:
    """The publish status, prominent: green, amber (override) or red (blocked)."""
    status = s.status(report)
    details = "".join(f"<li>{esc(detail)}</li>" for detail in status.details)
    listed = f"<ul>{details}</ul>" if details else ""
    return (f'<section class="banner banner-{status.kind}" role="status" id="status">'
            f"<h2>{esc(status.headline)}</h2>{listed}</section>")


def toc(drawn: list[s.Section] | None = None) -> str:
    """Links to every section drawn (all of them by default)."""
    shown = s.SECTIONS if drawn is None else drawn
    links = "".join(f'<a href="#{section.key}">{esc(section.title)}</a>' for section in shown)
    return f'<nav class="toc">{links}</nav>'


def totals(report: Mapping) -> str:
    """The totals strip: one card per count."""
    cards = "".join(f'<div class="total"><div class="value">{esc(value)}</div>'
                    f'<div class="name">{esc(name)}</div></div>'
                    for name, value in g.totals(report))
    return f'<section class="totals" id="totals">{cards}</section>' if cards else ""


def table(grid: g.Grid) -> str:
    """``grid`` as an HTML table (caption as a heading), numbers right-aligned, badges drawn."""
    head = "".join(f"<th{_num(grid, i)}>{esc(h)}</th>" for i, h in enumerate(grid.headers))
    body = "".join("<tr>" + "".join(_cell(grid, i, cell) for i, cell in enumerate(row)) + "</tr>"
                   for row in grid.rows)
    caption = f"<h3>{esc(grid.caption)}</h3>" if grid.caption else ""
    return (f'<div class="grid">{caption}<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div></div>")


def section(part: s.Section, report: Mapping, chart: str) -> str:
    """One section card: heading, intro, chart beside its first table, other tables below."""
    grids = [grid for grid in part.grids(report) if grid.rows]
    tables = [table(grid) for grid in grids]
    if chart:
        first = tables.pop(0) if tables else ""
        split = f'<div class="split"><div class="chart">{chart}</div><div>{first}</div></div>'
        tables.insert(0, split)
    body = "".join(tables) or '<p class="empty">None.</p>'
    return (f'<section class="card" id="{esc(part.key)}"><h2>{esc(part.title)}</h2>'
            f'<p class="intro">{esc(part.intro)}</p>{body}</section>')


def _num(grid: g.Grid, index: int) -> str:
    return ' class="num"' if index in grid.numeric else ""


def _cell(grid: g.Grid, index: int, cell: str | list[str]) -> str:
    if isinstance(cell, list) or index in grid.code:
        values = cell if isinstance(cell, list) else [cell] if cell else []
        return "<td>" + "".join(_chip(item) for item in values) + "</td>"
    if index in grid.badges and cell:
        slug = re.sub(r"[^a-z0-9]+", "-", cell.lower()).strip("-")
        return f'<td><span class="badge badge-{slug}">{esc(cell)}</span></td>'
    if index in grid.numeric:
        return f'<td class="num">{esc(cell)}</td>'
    return f"<td>{breakable(cell)}</td>"


def _chip(item: str) -> str:
    """One example value, shown on one line (cut with an ellipsis, in full on hover)."""
    return f'<span class="chip" title="{esc(item)}">{esc(item)}</span>'
