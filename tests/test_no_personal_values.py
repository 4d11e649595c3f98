"""No personal value leaves the data: logs, spans, error messages and the audit log carry none.

Two refines (a people workbook written here with the person profile, and the
aviation sample with the aviation profile) run with every logger at DEBUG
captured, OpenTelemetry spans captured by the SDK's in-memory exporter, the
CLI's own output and ``--trace`` spans read, and the workspace's audit log,
run summaries and stage messages read; then inputs that fail on their values
are refined and their error messages read. None of the names, emails and
phones in the inputs may appear in any of them.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import hotpass
from hotpass import telemetry
from hotpass.errors import HotpassError
from hotpass.samples import generate_samples
from hotpass.workspace import Workspace

PEOPLE = [  # full name, email, mobile as typed
    ("Thandiwe Mokoena", "thandiwe.mokoena@example.test", "082 555 0142"),
    ("Pieter van der Merwe", "pieter.vdmerwe@example.test", "083 555 0177"),
    ("Ayesha Patel", "ayesha.patel@example.test", "+27 84 555 0190"),
    ("Lerato Dlamini", "lerato.dlamini@example.test", "072 555 0123"),
    ("Johannes Botha", "jbotha@example.test", "0615550168"),
    ("Nomvula Khumalo", "nomvula.k@example.test", "079 555 0111"),
]


def people_workbook(path: Path) -> Path:
    """The people above, two of them twice (a typo and another phone format), with member numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Members"
    sheet.append(["Member No", "Full Name", "Email", "Mobile", "Date of Birth"])
    for number, (name, email, phone) in enumerate(PEOPLE, start=1):
        sheet.append([f"M{number:04d}", name, email, phone, f"19{70 + number}-0{number}-1{number}"])
    sheet.append(["M0101", "Thandiwe Mokoena", "THANDIWE.MOKOENA@example.test", "+27825550142", "1971-01-11"])
    sheet.append(["M0102", "Pieter van der Merve", "pieter.vdmerwe@example.test", "0835550177", "1972-02-12"])
    book.save(path)
    return path


def digits(phone: str) -> str:
    """The national significant number (the last nine digits) of a South African phone."""
    return re.sub(r"\D", "", phone)[-9:]


def sample_values(files: list[Path]) -> set[str]:
    """Personal values of the aviation sample: people's full names, every email, every phone."""
    found = set()
    for file in files:
        for sheet in openpyxl.load_workbook(file, read_only=True).worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            header = next((i for i, r in enumerate(rows) if sum(v is not None for v in r) >= 4), 0)
            heads = [str(h or "").lower() for h in rows[header]]
            for row in rows[header + 1:]:
                cells = dict(zip(heads, row, strict=False))
                for head, value in cells.items():
                    text = str(value or "").strip()
                    if "@" in text:
                        found.add(text)
                    elif any(w in head for w in ("phone", "tel", "cell", "mobile")) and len(digits(text)) == 9:
                        found.add(digits(text))
                    elif "manager" in head and " " in text:
                        found.add(text)
                first, last = cells.get("first name"), cells.get("last name")
                if first and last and len(str(first)) > 1:
                    found.add(f"{first} {last}")
    return found


def known_values(files: list[Path]) -> set[str]:
    values = sample_values(files)
    for name, email, phone in PEOPLE:
        values |= {name, email, digits(phone), "+27" + digits(phone), phone}
    return {v for v in values if len(v) >= 6}


def leaks(texts: list[str], values: set[str]) -> list[tuple[str, str]]:
    """(value, where) for each known value found in the texts; phones also match with their digits
    spaced, dashed or bracketed as typed."""
    found = []
    for text in texts:
        lowered = text.lower()
        bare = re.sub(r"[\s()\-]", "", lowered)
        for value in values:
            if value.lower() in lowered or (value.isdigit() and value in bare):
                found.append((value, text[:200]))
    return found


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    telemetry.use_provider(provider)
    yield exporter
    telemetry.use_provider()
    provider.shutdown()


def span_texts(exporter: InMemorySpanExporter) -> list[str]:
    texts = []
    for span in exporter.get_finished_spans():
        texts += [span.name, str(dict(span.attributes or {})), span.status.description or ""]
        for event in span.events:
            texts += [event.name, str(dict(event.attributes or {}))]
    return texts


def workspace_texts(directory: Path) -> list[str]:
    with Workspace(directory) as ws:
        rows = ws.query("SELECT action, detail FROM audit")
        rows += ws.query("SELECT status, summary FROM runs")
        rows += ws.query("SELECT stage, message FROM run_stages")
    texts = [" ".join(str(c) for c in row) for row in rows]
    logs = [p.read_text(errors="replace") for p in directory.glob("runs/*/worker.log")]
    return texts + logs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("personal")
    aviation = generate_samples(folder / "aviation", rows=120, seed=23).files
    people = people_workbook(folder / "members.xlsx")
    return {"folder": folder, "aviation": aviation, "people": people,
            "values": known_values([*aviation, people])}


def test_the_known_values_are_really_in_the_outputs(inputs, tmp_path):
    """The scan below would find them: they are in the deliverable it does not scan."""
    with Workspace(tmp_path / "ws") as ws:
        result = hotpass.refine([inputs["people"]], hotpass.load_profile("person"), output=tmp_path / "p.xlsx",
                                workspace=ws, raise_blocked=False)
        result.close()
    cells = [str(c) for s in openpyxl.load_workbook(tmp_path / "p.xlsx", read_only=True).worksheets
             for row in s.iter_rows(values_only=True) for c in row if c is not None]
    assert {name for name, _, _ in PEOPLE} <= {v for v, _ in leaks(cells, inputs["values"])}
    assert len(inputs["values"]) > 100


def test_a_refine_logs_and_traces_no_personal_value(inputs, tmp_path, caplog, spans):
    caplog.set_level(logging.DEBUG)
    with Workspace(tmp_path / "ws") as ws:
        for files, profile in (([inputs["people"]], "person"), (inputs["aviation"], "aviation")):
            result = hotpass.refine(files, hotpass.load_profile(profile), output=tmp_path / f"{profile}.xlsx",
                                    workspace=ws, raise_blocked=False, username="ann")
            result.close()
    assert len(spans.get_finished_spans()) > 20 and caplog.records
    texts = [r.getMessage() for r in caplog.records] + [str(r.args) for r in caplog.records]
    texts += span_texts(spans) + workspace_texts(tmp_path / "ws")
    assert leaks(texts, inputs["values"]) == []


def test_the_cli_and_its_trace_say_no_personal_value(inputs, tmp_path):
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    outputs = []
    for files, profile in (([inputs["people"]], "person"), (inputs["aviation"], "aviation")):
        done = subprocess.run([sys.executable, "-m", "hotpass", "refine", *map(str, files), "-p", profile,
                               "-o", str(tmp_path / f"{profile}.xlsx"), "-w", str(tmp_path / "ws"), "--trace"],
                              capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode in (0, 2), done.stderr
        assert "hotpass.stage.resolve" in done.stderr  # the spans were printed
        outputs += [done.stdout, done.stderr]
    assert leaks(outputs + workspace_texts(tmp_path / "ws"), inputs["values"]) == []


def failing_inputs(folder: Path) -> list[Path]:
    """Files that fail on their values, each holding the people above."""
    rows = "Full Name,Email,Mobile\n" + "".join(f"{n},{e},{p}\n" for n, e, p in PEOPLE)
    cut = folder / "cut-utf16.csv"
    cut.write_bytes(rows.encode("utf-16-be")[:-1])  # UTF-16 cut in the middle of a character
    headless = folder / "no-header.csv"  # no header row: the first person is where the header would be
    headless.write_text("".join(f"{n},{e},{p}\n" for n, e, p in PEOPLE), encoding="utf-8")
    binary = folder / "binary.csv"
    binary.write_bytes(b"\x00\x01" + rows.encode("utf-8") + b"\x00" * 64)
    named = folder / "named.xlsx"
    book = openpyxl.Workbook()
    book.active.title = PEOPLE[0][0][:31]  # a sheet named after a person, with nothing mappable
    book.active.append([PEOPLE[1][0], PEOPLE[1][1]])
    book.save(named)
    return [cut, headless, binary, named]


def test_errors_on_bad_values_name_the_file_and_place_but_no_personal_value(inputs, tmp_path, caplog, spans):
    caplog.set_level(logging.DEBUG)
    messages = []
    with Workspace(tmp_path / "ws") as ws:
        for path in failing_inputs(tmp_path):
            try:
                result = hotpass.refine([path], hotpass.load_profile("person"), output=tmp_path / "x.xlsx",
                                        workspace=ws, username="ann")
                result.close()
                messages.append(f"{path.name}: no error")
            except HotpassError as error:
                messages.append(str(error))
    people = {v for n, e, p in PEOPLE for v in (n, e, digits(p))}
    assert leaks(messages, people) == [], messages
    assert any("cut-utf16.csv" in m for m in messages)
    texts = [r.getMessage() for r in caplog.records] + span_texts(spans) + workspace_texts(tmp_path / "ws")
    assert leaks(texts, people) == []


def test_background_runs_log_no_personal_value(inputs, tmp_path):
    """The workbench's worker processes: their log files, stage messages and the audit log."""
    from hotpass.run import Request
    from hotpass.worker import submit

    profile = hotpass.load_profile("person")
    bad = failing_inputs(tmp_path)[0]
    with Workspace(tmp_path / "ws") as ws:
        ids = [submit(ws, Request.for_paths([path], username="ann"), profile) for path in (inputs["people"], bad)]
        deadline = time.monotonic() + 600
        while any(ws.run(i)["status"] in ("queued", "running") for i in ids):
            assert time.monotonic() < deadline, "the workers did not finish"
            time.sleep(0.5)
        assert [ws.run(i)["status"] for i in ids] == ["ok", "failed"]
    outputs = tmp_path / "ws" / "runs" / str(ids[0]) / "outputs"
    assert (outputs / f"hotpass-run-{ids[0]}.xlsx").is_file()  # moved into place as a whole
    assert not [p for p in outputs.parent.iterdir() if "staging" in p.name]
    people = {v for n, e, p in PEOPLE for v in (n, e, digits(p))}
    assert leaks(workspace_texts(tmp_path / "ws"), people) == []


def test_an_unexpected_error_quoting_a_value_is_masked_in_spans_and_the_workspace(inputs, tmp_path, spans,
                                                                                  monkeypatch):
    """A library error that quotes a value (DuckDB's conversion errors do) reaches the caller whole,
    but spans, the run's summary and its stage message get it with the quoted text masked."""
    from hotpass import pipeline

    def convert(run, profile):  # a real DuckDB error on a real value of the records
        run.db.rows("SELECT CAST(full_name AS INTEGER) FROM person_raw")

    stages = [(name, convert if name == "measure" else stage) for name, stage in pipeline.STAGES]
    monkeypatch.setattr(pipeline, "STAGES", stages)
    with Workspace(tmp_path / "ws") as ws, pytest.raises(Exception, match="Could not convert") as caught:
        hotpass.refine([inputs["people"]], hotpass.load_profile("person"), output=tmp_path / "x.xlsx",
                       workspace=ws, username="ann")
    people = {v for n, e, p in PEOPLE for v in (n, e, digits(p))}
    assert leaks([str(caught.value)], people), "the caller still gets the whole message"
    texts = span_texts(spans) + workspace_texts(tmp_path / "ws")
    assert any("Could not convert string '…'" in t for t in texts)
    assert leaks(texts, people) == []
