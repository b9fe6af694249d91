"""Run a function over ranges of an input in worker processes, results in order.

Workers are forked, so they inherit the input instead of receiving it
through pipes; only the results travel back. Where processes cannot be
forked (Windows), the work runs in this process. The result does not depend
on the number of workers: ranges are cut the same way and their results are
concatenated in input order.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from typing import Any, TypeVar

S = TypeVar("S")
R = TypeVar("R")

_TASK: tuple[Callable[[Any, int, int], list[Any]], Any] | None = None


def available_cores() -> int:
    """The number of CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worker_count(jobs: int | None) -> int:
    """``jobs`` as a worker count: 0 or None means every available core."""
    return available_cores() if not jobs else max(1, jobs)


def map_ranges(func: Callable[[S, int, int], list[R]], shared: S, n: int, *, jobs: int = 1,
               chunk_size: int = 256, on_chunk: Callable[[int], None] | None = None) -> list[R]:
    """``func(shared, start, stop)`` over consecutive ranges of ``range(n)``, results flattened in order.

    Args:
        func: Returns one result per index of its range.
        shared: The input, inherited by forked workers (never pickled).
        n: Number of items.
        jobs: Worker processes; 1 runs in this process.
        chunk_size: Items per range.
        on_chunk: Called with the number of items of each range done.

    Example:
        >>> map_ranges(lambda xs, a, b: [x * 2 for x in xs[a:b]], [1, 2, 3], 3, chunk_size=2)
        [2, 4, 6]
    """
    global _TASK
    ranges = [(start, min(n, start + chunk_size)) for start in range(0, n, chunk_size)]
    results: list[R] = []
    if jobs <= 1 or len(ranges) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for start, stop in ranges:
            results.extend(func(shared, start, stop))
            if on_chunk:
                on_chunk(stop - start)
        return results
    _TASK = (func, shared)
    # Objects that exist at the fork are frozen out of the garbage collector:
    # otherwise a collection in a worker touches every one of them and copies
    # the whole parent's memory, page by page, into each worker.
    gc.freeze()
    collecting = gc.isenabled()
    gc.disable()  # nor do results, many small objects arriving at once, need collecting while they arrive
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(ranges))) as pool:
            for (start, stop), done in zip(ranges, pool.imap(_run, ranges)):
                results.extend(done)
                if on_chunk:
                    on_chunk(stop - start)
    finally:
        _TASK = None
        gc.unfreeze()
        if collecting:
            gc.enable()
    return results


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    func, shared = _TASK
    return func(shared, *bounds)
