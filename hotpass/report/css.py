"""The HTML report's inline style sheet (system fonts only, nothing fetched)."""

CSS = """
:root {
  --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --paper: #ffffff; --ground: #f3f4f6;
  --blue: #2563eb; --green: #15803d; --green-bg: #dcfce7; --red: #b91c1c; --red-bg: #fee2e2;
  --amber: #b45309; --amber-bg: #fef3c7; --grey-bg: #f3f4f6;
}
* { box-sizing: border-box; }
html { background: var(--ground); }
body {
  margin: 0; color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
  Helvetica, Arial, sans-serif;
}
.page { max-width: 1240px; margin: 0 auto; padding: 32px 28px 48px; }
header h1 { margin: 0 0 8px; font-size: 28px; letter-spacing: -0.01em; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; color: var(--muted); }
.facts div { display: flex; gap: 6px; }
.facts dt { font-weight: 600; color: var(--ink); }
.facts dd { margin: 0; }
.note { margin: 8px 0 0; color: var(--muted); font-size: 14px; }
.banner {
  margin: 22px 0; padding: 16px 20px; border-radius: 10px; border-left: 8px solid;
}
.banner h2 { margin: 0; font-size: 21px; }
.banner ul { margin: 8px 0 0; padding-left: 20px; }
.banner-published { background: var(--green-bg); border-color: var(--green); color: #14532d; }
.banner-override { background: var(--amber-bg); border-color: var(--amber); color: #78350f; }
.banner-blocked { background: var(--red-bg); border-color: var(--red); color: #7f1d1d; }
.banner-unknown { background: var(--grey-bg); border-color: var(--muted); }
nav.toc { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 18px; }
nav.toc a {
  padding: 4px 12px; border: 1px solid var(--line); border-radius: 999px; background: var(--paper);
  color: var(--ink); text-decoration: none; font-size: 14px;
}
nav.toc a:hover { border-color: var(--blue); color: var(--blue); }
.totals {
  display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 14px;
  margin: 0 0 22px;
}
.total {
  background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px;
}
.total .value { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
.total .name { color: var(--muted); font-size: 14px; }
section.card {
  background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
  padding: 20px 24px 24px; margin: 0 0 22px;
}
section.card h2 { margin: 0 0 2px; font-size: 20px; }
.intro { margin: 0 0 14px; color: var(--muted); }
.empty { margin: 0; color: var(--muted); font-style: italic; }
.split {
  display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
  gap: 28px; align-items: start;
}
@media (max-width: 900px) { .split { grid-template-columns: minmax(0, 1fr); } }
.chart { min-width: 0; }
.grid + .grid, .split + .grid { margin-top: 18px; }
.grid h3 { margin: 0 0 6px; font-size: 15px; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td {
  padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top;
}
th { background: #f9fafb; font-weight: 600; white-space: nowrap; }
td { overflow-wrap: break-word; }
tbody tr:hover { background: #f9fafb; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge {
  display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: var(--grey-bg); color: var(--muted); white-space: nowrap;
}
.badge-failed, .badge-error, .badge-blocking { background: var(--red-bg); color: var(--red); }
.badge-passed { background: var(--green-bg); color: var(--green); }
.badge-warning { background: var(--amber-bg); color: var(--amber); }
.chip {
  display: inline-block; margin: 0 4px 4px 0; padding: 0 6px; border-radius: 4px;
  background: var(--grey-bg); font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  white-space: nowrap; max-width: 28ch; overflow: hidden; text-overflow: ellipsis;
  vertical-align: top;
}
@media print {
  html { background: #fff; }
  nav.toc { display: none; }
  section.card, .total { border-color: #d1d5db; }
}
footer { color: var(--muted); font-size: 13px; text-align: center; margin-top: 28px; }
"""
