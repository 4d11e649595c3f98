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


def tree_rss_mb() -> float:
    """Memory of this process and all its live descendants (worker pools), in MB: the sum of their
    proportional set sizes (:func:`pss_mb`), so pages forked workers share are counted once."""
    total, stack = 0.0, [os.getpid()]
    while stack:
        pid = stack.pop()
        total += pss_mb(pid)
        stack += _children(pid)
    return total


def peak_children_mb() -> float:
    """Peak resident memory of any finished child process (the isolated parser), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class PeakSampler:
    """Samples the RSS of this process and its workers every few milliseconds while a block runs."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mb())
            time.sleep(self.interval)

    @contextmanager
    def running(self):
        self.peak = tree_rss_mb()
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self._stop.clear()
            self.peak = max(self.peak, tree_rss_mb())


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
                     "peak_rss_mb": round(sampler.peak, 1)}


def machine() -> dict:
    """What the numbers were measured on."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def save(name: str, payload: dict) -> Path:
    """Write ``payload`` to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
