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
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from .arrays import distinct_merged
from .candidates import band_pairs, bucket_pair_keys, keyed_bands, pairs_of

if TYPE_CHECKING:
    from .stages import RangeStages

S = TypeVar("S")
R = TypeVar("R")

_TASK: tuple[Callable[..., list[Any]], Any] | None = None  # what forked workers run (see _forked_pool)


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
               chunk_size: int = 256, on_chunk: Callable[[int, int], None] | None = None) -> list[R]:
    """``func(shared, start, stop)`` over consecutive ranges of ``range(n)``, results flattened in order.

    Args:
        func: Returns one result per index of its range.
        shared: The input, inherited by forked workers (never pickled).
        n: Number of items.
        jobs: Worker processes; 1 runs in this process.
        chunk_size: Items per range.
        on_chunk: Called with ``(start, stop)`` of each range done (in order here).

    Example:
        >>> map_ranges(lambda xs, a, b: [x * 2 for x in xs[a:b]], [1, 2, 3], 3, chunk_size=2)
        [2, 4, 6]
    """
    ranges = [(start, min(n, start + chunk_size)) for start in range(0, n, chunk_size)]
    results: list[R] = []
    if jobs <= 1 or len(ranges) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for start, stop in ranges:
            results.extend(func(shared, start, stop))
            if on_chunk:
                on_chunk(start, stop)
        return results
    with _forked_pool(func, shared, min(jobs, len(ranges))) as pool:
        for (start, stop), done in zip(ranges, pool.imap(_run, ranges)):
            results.extend(done)
            if on_chunk:
                on_chunk(start, stop)
    return results


def map_chunks(func: Callable[[S, list[Any]], list[R]], shared: S, chunks: Iterable[list[Any]], *,
               jobs: int = 1) -> Iterator[tuple[list[Any], list[R]]]:
    """``func(shared, chunk)`` over a stream of chunks; yields each chunk with its results, in order.

    The workers fork before the first chunk is taken (they inherit ``shared``),
    and a thread of this process takes the chunks while they work: a stream
    that is computed as it goes (the pairs a walk plans) overlaps their work.
    With one job, or where processes cannot be forked, it runs here.

    Example:
        >>> [done for _, done in map_chunks(lambda k, xs: [x * k for x in xs], 10, iter([[1, 2], [3]]))]
        [[10, 20], [30]]
    """
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for chunk in chunks:
            yield chunk, func(shared, chunk)
        return
    sent: deque[list[Any]] = deque()

    def sending() -> Iterator[list[Any]]:
        for chunk in chunks:
            sent.append(chunk)
            yield chunk

    with _forked_pool(func, shared, jobs) as pool:
        for done in pool.imap(_run_chunk, sending()):
            yield sent.popleft(), done


@contextmanager
def _forked_pool(func: Callable[..., list[Any]], shared: Any, jobs: int) -> Iterator[Any]:
    """A pool of ``jobs`` workers forked from this process, which inherit ``func`` and ``shared``
    (:func:`_run` and :func:`_run_chunk` call them)."""
    global _TASK
    _TASK = (func, shared)
    # Objects that exist at the fork are frozen out of the garbage collector:
    # otherwise a collection in a worker touches every one of them and copies
    # the whole parent's memory, page by page, into each worker.
    collecting = gc.isenabled()
    try:
        with frozen_objects():
            gc.disable()  # nor do results, many small objects arriving at once, need collecting while they arrive
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                yield pool
    finally:
        _TASK = None
        if collecting:
            gc.enable()


_BLAS: list[Any] = []  # the threadpoolctl controller, made on first use


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run NumPy's BLAS on one thread while the block runs.

    Its matrices here are tiny (paragraphs by shared terms), and OpenBLAS's
    threads cost more than they save: verifying 2,000 rewrite candidates took
    1.1–1.5 s with its default two threads and 0.55 s with one, and two
    worker processes no longer compete with each other's BLAS threads
    (:func:`map_ranges`'s workers always run in such a block: a forked
    process does not reliably keep OpenBLAS's setting). Blocks nest.
    """
    if not _BLAS:
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController())
    with _BLAS[0].limit(limits=1, user_api="blas"):
        yield


_FROZEN = [0]  # depth of nested frozen_objects blocks


@contextmanager
def frozen_objects() -> Iterator[None]:
    """Leave the objects that exist now out of garbage collections until the block ends.

    A long run holds millions of long-lived objects (documents, vectors); a
    full collection walks all of them, and the millions of small objects the
    later stages make trigger many. Blocks nest: the objects return to the
    collector when the outermost block ends.
    """
    gc.freeze()
    _FROZEN[0] += 1
    try:
        yield
    finally:
        _FROZEN[0] -= 1
        if not _FROZEN[0]:
            gc.unfreeze()


class Engine(Protocol):
    """Runs the range functions of the pipeline's stages: here (:class:`LocalEngine`) or elsewhere
    (:class:`dedupe.dask_engine.DaskEngine`). Results never depend on the engine."""

    workers: int
    fewest_pairs: int  # verifications in one batch worth sending to workers
    # Whether the workers see this process's objects (forked): then any pair costs the same to
    # send, and the cheap shingle tests run there too; else only the pairs that need paragraphs go.
    shares_memory: bool

    def map_ranges(self, func: Callable[[S, int, int], list[R]], shared: S, n: int, *, chunk_size: int,
                   on_chunk: Callable[[int, int], None] | None = None,
                   part: Callable[[S, int, int], S] | None = None) -> list[R]:
        """``func(shared, start, stop)`` over consecutive ranges of ``range(n)``, results flattened in order.

        ``part(shared, start, stop)`` is what a range needs of ``shared``,
        for engines that send each range its data (default: :func:`window`).
        """
        ...

    def band_pairs(self, signatures: np.ndarray, rows: np.ndarray, *, bands: int, band_rows: int,
                   max_bucket: int) -> np.ndarray:
        """The candidate pairs of LSH banding, as :func:`dedupe.candidates.band_pairs` finds them."""
        ...

    def stages(self, items: Iterable[Any], *, chunk_size: int, weight: Callable[[Any], int] | None = None,
               max_weight: int = 0) -> AbstractContextManager[RangeStages]:
        """Several stages over the same ranges of a stream of items (cut as :func:`dedupe.stages.chunks`
        cuts them), each range's state kept where it was computed (see :mod:`dedupe.stages`)."""
        ...


@dataclass(frozen=True)
class LocalEngine:
    """Forked worker processes on this machine (see :func:`map_ranges`).

    Verifying a pair takes 0.01 ms (a copy: the shingles decide) to 0.2 ms
    (its paragraphs are aligned), while forking workers from a process
    holding the whole input, and sending their results back, costs a few
    tenths of a second: batches of fewer than ``fewest_pairs`` pairs are
    verified here. The workers see every document, so the whole batch goes
    to them, copies included (the shingle tests alone took half a second of
    this process on the 10k feed, eight on the 100k one).
    """

    workers: int = 1
    fewest_pairs: int = 3_000
    shares_memory: bool = True
    # Documents whose LSH buckets are worth sharing out among workers: forking them costs more than
    # it saves below (10k feed, 6,633 distinct texts: 0.35 s here, 0.57 s in two workers; 100k feed:
    # 5.9 s here, 5.3 s in two).
    fewest_banded: int = 20_000

    def map_ranges(self, func: Callable[[S, int, int], list[R]], shared: S, n: int, *, chunk_size: int,
                   on_chunk: Callable[[int, int], None] | None = None,
                   part: Callable[[S, int, int], S] | None = None) -> list[R]:
        """See :meth:`Engine.map_ranges`; workers inherit ``shared``, so ``part`` is not needed."""
        return map_ranges(func, shared, n, jobs=self.workers, chunk_size=chunk_size, on_chunk=on_chunk)

    def band_pairs(self, signatures: np.ndarray, rows: np.ndarray, *, bands: int, band_rows: int,
                   max_bucket: int) -> np.ndarray:
        """See :meth:`Engine.band_pairs`: the buckets shared out among the workers by key, each
        worker's sorted on its own (with one worker or few rows, one sort of all the keys here)."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.workers <= 1 or len(rows) < self.fewest_banded:
            return band_pairs(signatures, rows, bands=bands, band_rows=band_rows, max_bucket=max_bucket)
        keys, members = keyed_bands(signatures[rows], rows, bands=bands, band_rows=band_rows)
        # Four groups of buckets per worker, one at a time: a worker's sort and pairs of one group take
        # a quarter of the memory of a group per worker (1M feed: 8 GB in each of two workers).
        groups = 4 * self.workers
        found = map_ranges(_group_pair_keys, (keys, members, groups, max_bucket), groups,
                           jobs=self.workers, chunk_size=1)
        # The union of the groups' pairs is the whole input's (see bucket_pair_keys).
        return pairs_of(distinct_merged(found))

    def stages(self, items: Iterable[Any], *, chunk_size: int, weight: Callable[[Any], int] | None = None,
               max_weight: int = 0) -> AbstractContextManager[RangeStages]:
        """See :meth:`Engine.stages`: worker processes forked once, each keeping its ranges' state."""
        from .stages import local_stages  # it imports this module

        return local_stages(items, chunk_size=chunk_size, workers=self.workers, weight=weight,
                            max_weight=max_weight)


class Window(Sequence[Any]):
    """The items ``start`` to ``stop`` of a sequence, still indexed as in the whole sequence."""

    def __init__(self, items: Sequence[Any], start: int, stop: int) -> None:
        self.items = list(items[start:stop])
        self.start = start

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return self.items[key.start - self.start:key.stop - self.start]
        return self.items[key - self.start]

    def __len__(self) -> int:
        return self.start + len(self.items)


def window(shared: Any, start: int, stop: int) -> Any:
    """What a range needs of ``shared``: a :class:`Window` of a sequence, or of each sequence of a
    tuple (None stays None)."""
    if isinstance(shared, tuple):
        return tuple(window(s, start, stop) for s in shared)
    return None if shared is None else Window(shared, start, stop)


def _group_pair_keys(shared: tuple[np.ndarray, np.ndarray, int, int], start: int, stop: int) -> list[np.ndarray]:
    """The pair keys of the buckets of groups ``start`` to ``stop`` (a bucket's group: its key modulo
    the number of groups), from every band as ``(key, document)``."""
    keys, members, groups, max_bucket = shared
    found = []
    for group in range(start, stop):
        mine = keys % np.uint64(groups) == group
        found.append(bucket_pair_keys(keys[mine], members[mine], max_bucket=max_bucket))
    return found


def _run_chunk(chunk: list[Any]) -> list[Any]:
    assert _TASK is not None
    func, shared = _TASK
    with single_threaded_blas():
        return func(shared, chunk)


def _run(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    func, shared = _TASK
    with single_threaded_blas():  # one worker per core: BLAS threads would only compete
        return func(shared, *bounds)
