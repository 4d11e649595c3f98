"""Normalise many distinct values on every core.

Each distinct (kind, value) pair is normalised once. When there are many
(tens of thousands at 100k source rows, mostly phones and emails), they are
split between worker processes.

Workers are forked where the platform can, because a spawned worker first
re-runs the parent's main script: under Streamlit that is the workbench's
app.py. A forked worker only runs the normalisers. Each kind is normalised
once here first, so the modules the normalisers load lazily are already
loaded when the workers are forked. A pool that cannot start or breaks falls
back to this process, with the same results.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from itertools import chain
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_all_start_methods, get_context

from hotpass.normalise.context import Normaliser
from hotpass.normalise.result import Result

#: Fewer distinct values than this are normalised here: starting the workers costs about a second
#: (at 10k source rows, about 38,000 distinct values, a pool is no faster).
PARALLEL_MIN = 50_000
#: Values sent to a worker at a time.
CHUNK = 2_000

Pair = tuple[str, str]
Read = tuple[Result, "str | None"]
_log = logging.getLogger(__name__)
_worker_ctx: Normaliser | None = None


def usable_cpus() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def read_all(ctx: Normaliser, pairs: list[Pair], workers: int | None = None) -> dict[Pair, Read]:
    """``ctx.read(kind, value)`` for every pair, in worker processes when there are many."""
    out: dict[Pair, Read] = {}
    for batch, results in read_batches(ctx, [pairs], workers):
        out.update(zip(batch, results, strict=True))
    return out


def read_batches(ctx: Normaliser, batches: Iterable[list[Pair]], workers: int | None = None,
                 total: int | None = None) -> Iterator[tuple[list[Pair], list[Read]]]:
    """(batch, what each pair of it became) for every batch, in order, so the caller holds one
    batch at a time. One pool of worker processes serves every batch when there are many values
    (``total``, when known, decides; else the first batch's size)."""
    workers = usable_cpus() if workers is None else workers
    batches = iter(batches)
    first = next(batches, None)
    if first is None:
        return
    if workers < 2 or (total if total is not None else len(first)) < PARALLEL_MIN:
        for batch in (first, *batches):
            yield batch, [ctx.read(*pair) for pair in batch]
        return
    for kind, value in {kind: (kind, value) for kind, value in reversed(first)}.values():
        ctx.read(kind, value)  # lazy imports happen before the fork
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    pending = None  # the batch being read when a pool breaks: read again here
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context(method), initializer=_start,
                                 initargs=(ctx,)) as pool:
            for batch in chain([first], batches):
                pending = batch
                chunks = [batch[i : i + CHUNK] for i in range(0, len(batch), CHUNK)]
                results = [r for found in pool.map(_read_chunk, chunks) for r in found]
                pending = None
                yield batch, results
    except (BrokenProcessPool, OSError) as error:
        _log.warning("normalising in this process: worker pool failed (%s)", type(error).__name__)
        for batch in chain([pending] if pending is not None else [], batches):
            yield batch, [ctx.read(*pair) for pair in batch]


def _start(ctx: Normaliser) -> None:
    """Worker initialiser: keep the profile's settings for every chunk."""
    global _worker_ctx
    _worker_ctx = ctx


def _read_chunk(pairs: list[Pair]) -> list[Read]:
    """Normalise one chunk in a worker."""
    assert _worker_ctx is not None
    return [_worker_ctx.read(kind, value) for kind, value in pairs]
