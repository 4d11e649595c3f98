"""Run the three sheet writers, one after another or in forked processes.

Each writer has its own random generator and writes its own part of
truth_records.csv, so the files are byte-identical whichever way they ran.
Forking shares the population with the children without copying it up front.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
from pathlib import Path

from hotpass.samples._crm import write_crm
from hotpass.samples._legacy import write_legacy
from hotpass.samples._population import Population
from hotpass.samples._regulator import write_regulator
from hotpass.samples._sheets import RECORD_COLUMNS, TruthRecords
from hotpass.samples._truth import write_contacts, write_organisations

WRITERS = (write_regulator, write_crm, write_legacy)
PARALLEL_FROM_ROWS = 100_000
_JOB: tuple | None = None  # what forked workers inherit: (population, out_dir, parts, rngs)


def choose_workers(workers: int | None, rows: int) -> int:
    """1 (in this process) unless asked, or the sample is big and forking is safe here."""
    if workers is not None:
        return max(1, int(workers))
    if rows < PARALLEL_FROM_ROWS or (os.cpu_count() or 1) < 2:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1  # forking a threaded process (a web server, say) can deadlock
    return 3


def write_all(pop: Population, out: Path, rngs: list, workers: int) -> list[Path]:
    """The three workbooks, truth_records.csv, truth_organisations.csv and truth_contacts.csv."""
    global _JOB
    parts = [out / f".truth_records.part{k}.csv" for k in range(len(WRITERS))]
    _JOB = (pop, out, parts, rngs)
    try:
        if workers <= 1:
            files = [_write_one(k) for k in range(len(WRITERS))]
            _write_population(pop, out)
        else:
            with multiprocessing.get_context("fork").Pool(min(workers, len(WRITERS))) as pool:
                pending = [pool.apply_async(_write_one, (k,)) for k in (2, 1, 0)]  # longest first
                _write_population(pop, out)
                files = [job.get() for job in reversed(pending)]
        _concatenate(parts, out / "truth_records.csv")
    finally:
        _JOB = None
        for part in parts:
            part.unlink(missing_ok=True)
    return files


def _write_one(k: int) -> Path:
    pop, out, parts, rngs = _JOB
    truth = TruthRecords(parts[k], header=False)
    try:
        return WRITERS[k](pop, out, truth, rngs[k])
    finally:
        truth.close()


def _write_population(pop: Population, out: Path) -> None:
    write_organisations(pop, out / "truth_organisations.csv")
    write_contacts(pop, out / "truth_contacts.csv")


def _concatenate(parts: list[Path], target: Path) -> None:
    with target.open("w", newline="", encoding="utf-8") as handle:
        handle.write(",".join(RECORD_COLUMNS) + "\n")
        for part in parts:
            with part.open(encoding="utf-8", newline="") as source:
                shutil.copyfileobj(source, handle, 1 << 20)
