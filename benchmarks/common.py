"""Measuring helpers for the benchmark scripts: wall time and peak memory per stage."""

from __future__ import annotations

import json
import os
import platform
import resource
import threading
import time
from contextlib import contextmanager
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def pss_mb(pid: int | str = "self") -> float:
    """Proportional set size of a process in MB: its private memory plus its share of pages it
    shares with others (a forked worker's copy-on-write pages count once across the processes,
    where RSS would count them in each); 0 when it has gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss_mb(pid)


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default) now, in MB; 0 when it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children(pid: int) -> list[int]:
    """Live child processes of ``pid``."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                out += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return out


def tree_rss_mb(proportional: bool = False) -> float:
    """Memory of this process and all its live descendants (worker pools), in MB: the sum of their
    resident sets, or with ``proportional`` of their proportional set sizes (:func:`pss_mb`), which
    count the pages forked workers share once (but take about 20 ms a read for a big process)."""
    total, stack = 0.0, [os.getpid()]
    while stack:
        pid = stack.pop()
        total += pss_mb(pid) if proportional else rss_mb(pid)
        stack += _children(pid)
    return total


def peak_children_mb() -> float:
    """Peak resident memory of any finished child process (the isolated parser), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class PeakSampler:
    """Samples the memory of this process and its workers while a block runs: the resident sets
    every ``interval`` seconds (cheap), the proportional set sizes every ``pss_interval`` seconds
    (an honest total when forked workers share pages, but dear to read)."""

    def __init__(self, interval: float = 0.02, pss_interval: float = 1.0):
        self.interval = interval
        self.pss_interval = pss_interval
        self.peak = 0.0  # resident sets summed: an upper bound
        self.peak_pss = 0.0
        self._stop = threading.Event()

    def _sample(self, proportional: bool) -> None:
        self.peak = max(self.peak, tree_rss_mb())
        if proportional:
            self.peak_pss = max(self.peak_pss, tree_rss_mb(proportional=True))

    def _loop(self) -> None:
        last = time.monotonic()
        while not self._stop.is_set():
            due = time.monotonic() - last >= self.pss_interval
            self._sample(due)
            last = time.monotonic() if due else last
            time.sleep(self.interval)

    @contextmanager
    def running(self):
        self.peak = self.peak_pss = 0.0
        self._sample(True)
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self._stop.clear()
            self._sample(True)


@contextmanager
def measure(results: dict, name: str, rows: int):
    """Time a block and record seconds, rows/s and peak RSS under ``results[name]``."""
    sampler = PeakSampler()
    start = time.perf_counter()
    with sampler.running():
        yield
    seconds = time.perf_counter() - start
    results[name] = {"seconds": round(seconds, 3), "rows": rows,
                     "rows_per_s": round(rows / seconds) if seconds else None,
                     "peak_pss_mb": round(sampler.peak_pss, 1), "peak_rss_mb": round(sampler.peak, 1)}


def machine() -> dict:
    """What the numbers were measured on."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def save(name: str, payload: dict) -> Path:
    """Write ``payload`` to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
