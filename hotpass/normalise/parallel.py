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
from concurrent.futures import ProcessPoolExecutor
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
    workers = usable_cpus() if workers is None else workers
    if workers < 2 or len(pairs) < PARALLEL_MIN:
        return {pair: ctx.read(*pair) for pair in pairs}
    first_of_kind = {kind: (kind, value) for kind, value in reversed(pairs)}.values()
    out = {pair: ctx.read(*pair) for pair in first_of_kind}  # lazy imports happen before the fork
    todo = [pair for pair in pairs if pair not in out]
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]
    method = "fork" if "fork" in get_all_start_methods() else "spawn"
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context(method), initializer=_start,
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
