"""Speed of the workbook export against a bare xlsxwriter constant_memory write.

    .venv/bin/python benchmarks/bench_export.py --rows 100000

The target is at most 1.3x the bare write of the same frame with the same
header and number formats (no width fitting, no links, values already typed).
Prints CPU seconds of both (steadier than wall time on a shared machine) and
the ratio, for typed frames and for record-style text frames.
"""

from __future__ import annotations

import gc
import argparse
import sys
import tempfile
from pathlib import Path
import time
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import save  # noqa: E402

from hotpass.export import Table, write_workbook
from hotpass.export.sheet import HEADER_FILL, NUMBER_FORMATS
from hotpass.export.xlsx import WORKBOOK_OPTIONS

KINDS = {"d0": "date", "d1": "datetime", "i0": "integer", "n0": "number", "n1": "number"}
KINDS["p0"] = "percent"


def columns(rows: int) -> dict[str, list]:
    """14 text columns (5% blank) and 6 typed columns, as plain Python lists."""
    rng = np.random.default_rng(1)
    data: dict[str, list] = {}
    for i in range(14):
        values = [f"value {i} {x}" for x in rng.integers(0, 10**6, rows)]
        for j in rng.integers(0, rows, rows // 20):
            values[j] = None
        data[f"t{i}"] = values
    start = datetime(2020, 1, 1)
    data["d0"] = [start + timedelta(days=int(x)) for x in rng.integers(0, 2000, rows)]
    data["d1"] = [start + timedelta(minutes=int(x)) for x in rng.integers(0, 10**6, rows)]
    data["i0"] = rng.integers(0, 10**6, rows).tolist()
    for name in ("n0", "n1", "p0"):
        data[name] = rng.random(rows).tolist()
    return data


def bare_write(path, data: dict[str, list]) -> None:
    """The reference: xlsxwriter's own API, one call per non-blank cell."""
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    ws = workbook.add_worksheet("Data")
    header = workbook.add_format(
        {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "valign": "top"}
    )
    formats, writers = [], []
    for name in data:
        kind = KINDS.get(name)
        formats.append(workbook.add_format({"num_format": NUMBER_FORMATS[kind]}) if kind else None)
        dated = kind in ("date", "datetime")
        writers.append(ws.write_datetime if dated else ws.write_number if kind else ws.write_string)
    for col, name in enumerate(data):
        ws.write_string(0, col, name, header)
    for row, values in enumerate(zip(*data.values()), start=1):
        for col, value in enumerate(values):
            if value is not None:
                writers[col](row, col, value, formats[col])
    ws.freeze_panes(1, 0)
    workbook.close()


def bare_tables(path, tables: list) -> None:
    """Plain xlsxwriter writing the same tables: the same header style and number formats, a frozen
    header and a filter, one ``worksheet.write`` per non-blank cell (no width fitting, links or
    text cleaning). The reference the pipeline benchmark compares its export stage with."""
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    header = workbook.add_format(
        {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "valign": "top"}
    )
    number = {kind: workbook.add_format({"num_format": f}) for kind, f in NUMBER_FORMATS.items()}
    for table in tables:
        ws = workbook.add_worksheet(table.name)
        frame = table.frame
        formats = [number.get(table.kind_of(c)) for c in frame.columns]
        for col, name in enumerate(table.headers()):
            ws.write_string(0, col, name, header)
        write = ws.write
        for row, values in enumerate(zip(*(frame[c].tolist() for c in frame.columns)), start=1):
            for col, value in enumerate(values):
                if value is None or value is pd.NA or value != value:  # blank, NA or NaN
                    continue
                write(row, col, value, formats[col])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(frame), max(len(frame.columns) - 1, 0))
    workbook.close()


def timed(action) -> float:
    """CPU seconds taken by ``action()`` (steadier than wall time on a shared machine)."""
    gc.collect()
    start = time.process_time()
    action()
    return time.process_time() - start


def compare(rows: int, text_frame: bool, workdir: Path) -> dict:
    """CPU seconds of the bare write and of ``write_workbook``, best of two, interleaved."""
    data = columns(rows)
    frame = pd.DataFrame(data)
    if text_frame:  # record frames hold text: ISO dates and decimal strings
        frame["d0"] = [d.date().isoformat() for d in data["d0"]]
        frame["d1"] = [d.isoformat(timespec="minutes") for d in data["d1"]]
        for name in ("i0", "n0", "n1", "p0"):
            frame[name] = [repr(v) for v in data[name]]
    table = Table("Data", frame, KINDS)
    bare, ours = [], []
    for _ in range(2):
        bare.append(timed(lambda: bare_write(workdir / "bare.xlsx", data)))
        ours.append(timed(lambda: write_workbook(workdir / "ours.xlsx", [table])))
    return {"bare_cpu_s": round(min(bare), 2), "hotpass_cpu_s": round(min(ours), 2),
            "ratio": round(min(ours) / min(bare), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description="export vs bare xlsxwriter")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    results = {"rows": args.rows, "columns": 20}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("typed", False), ("iso_text", True)):
            results[name] = compare(args.rows, text, Path(tmp))
            r = results[name]
            print(f"{name:<9} bare {r['bare_cpu_s']:.2f} s  hotpass {r['hotpass_cpu_s']:.2f} s  "
                  f"ratio {r['ratio']:.2f}x (target <= 1.3x)")
    print(f"results: {save(f'export-{args.rows}', results)}")


if __name__ == "__main__":
    main()
