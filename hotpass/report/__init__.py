"""The quality report: one plain-data dict rendered as JSON, Markdown and HTML.

The public API::

    write_report(report, directory, stem="quality-report") -> {"json": p, "markdown": p, "html": p}
    render_json(report) -> str
    render_markdown(report) -> str
    render_html(report) -> str      # one self-contained page, plotly.js inline once
    mask(value, kind) -> str        # kind: email, phone, name, person, text

The report dict holds ``title``, ``profile``, ``generated_at``, ``run_id``,
``files``, ``published``, ``gate``, ``totals``, ``completeness``,
``validity``, ``scores``, ``duplicates``, ``scorecard``, ``validation``,
``findings``, ``enrichment``, ``changes`` (what changed since the previous
run; None on a first run, whose report has no such section) and ``masked``;
any of them may be missing or empty. The renderers are pure functions of the dict; every piece of text
from it is escaped. plotly is imported only when HTML is rendered.
"""

from __future__ import annotations

from hotpass.report.files import render_json, write_report
from hotpass.report.markdown import render_markdown
from hotpass.report.mask import mask


def render_html(report: dict) -> str:
    """The report as one self-contained HTML page (plotly is imported here, on first use)."""
    from hotpass.report.page import render_html as render

    return render(report)


__all__ = ["mask", "render_html", "render_json", "render_markdown", "write_report"]
