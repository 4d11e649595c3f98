"""Normalise many distinct values on every core.

Each distinct (kind, value) pair is normalised once. When there are many
(tens of thousands at 100k source rows, mostly phones and emails), they are
split between worker processes. Workers are spawned, not forked, so a
multi-threaded host (the workbench) is never forked mid-lock; a pool that
cannot start or breaks falls back to this process, with the same results.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

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
    workers = usable_cpus() if workers is None else workers
    if workers < 2 or len(pairs) < PARALLEL_MIN:
        return {pair: ctx.read(*pair) for pair in pairs}
    chunks = [pairs[i : i + CHUNK] for i in range(0, len(pairs), CHUNK)]
    out: dict[Pair, Read] = {}
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start,
                                 initargs=(ctx,)) as pool:
            for chunk, results in zip(chunks, pool.map(_read_chunk, chunks), strict=True):
                out.update(zip(chunk, results, strict=True))
    except (BrokenProcessPool, OSError) as error:
        _log.warning("normalising in this process: worker pool failed (%s)", type(error).__name__)
        return {pair: out[pair] if pair in out else ctx.read(*pair) for pair in pairs}
    return out


def _start(ctx: Normaliser) -> None:
    """Worker initialiser: keep the profile's settings for every chunk."""
    global _worker_ctx
    _worker_ctx = ctx


def _read_chunk(pairs: list[Pair]) -> list[Read]:
    """Normalise one chunk in a worker."""
    assert _worker_ctx is not None
    return [_worker_ctx.read(kind, value) for kind, value in pairs]
