"""Measuring helpers for the benchmark scripts: wall time and peak memory per stage."""

from __future__ import annotations

import json
import platform
import resource
import threading
import time
from contextlib import contextmanager
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_children_mb() -> float:
    """Peak resident memory of any finished child process (the isolated parser), in MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class PeakSampler:
    """Samples this process's RSS every few milliseconds while a block runs."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(self.interval)

    @contextmanager
    def running(self):
        self.peak = rss_mb()
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self._stop.clear()
            self.peak = max(self.peak, rss_mb())


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
    import os

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}


def save(name: str, payload: dict) -> Path:
    """Write ``payload`` to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
