"""The Dask engine: the pipeline's per-document and per-pair work as Dask tasks.

``dedupe cluster --engine dask`` runs the same stage functions as the local
engine (:mod:`dedupe.pipeline`), each range of documents or of candidate
pairs a task that receives just the data of its range: cleaning; then
tokens, shingles, salient words, MinHash signatures and TF-IDF vectors;
then the verification of pairs, each task with the documents of its pairs.
LSH banding is a shuffle: map tasks key the bands of ranges of signatures
and split them by key, reduce tasks pair the buckets of one group of keys
each (:meth:`DaskEngine.band_pairs`). The steps that need the whole input at
once (template lines, the TF-IDF sample, clustering) run in this process, as
in the local engine, on the compact arrays the tasks return.

Every stage function is deterministic and independent of the process it
runs in (hashes rather than process-local numbering, sums in a fixed
order), so the result is identical to the local engine's (tested on the
synchronous scheduler and on a two-worker ``LocalCluster``).

Schedulers: ``tcp://HOST:PORT`` (a running ``dask scheduler``), ``local``
(a ``LocalCluster`` of ``workers`` processes, started and stopped here),
or one of Dask's single-machine schedulers, ``synchronous``, ``threads``,
``processes``.
"""

from __future__ import annotations

import importlib.util
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

import numpy as np

from .arrays import distinct_merged
from .candidates import bucket_pair_keys, keyed_bands, pairs_of
from .errors import DedupeError
from .parallel import available_cores, single_threaded_blas, window
from .stages import RangeStages, StageFunc, StreamedRanges, chunks

S = TypeVar("S")
R = TypeVar("R")

LOCAL_SCHEDULERS = ("synchronous", "threads", "processes")


class DaskEngine:
    """Runs range functions as Dask tasks (see the module docstring).

    Args:
        client: A ``distributed.Client``, or None for one of Dask's local schedulers.
        scheduler: The local scheduler's name when there is no client.
        workers: How many workers the tasks spread over (sets the range size).
        fewest_pairs: Fewer verifications than this are done here, not sent.
    """

    def __init__(self, client: Any = None, *, scheduler: str = "synchronous", workers: int = 1,
                 fewest_pairs: int = 10_000) -> None:
        self.client = client
        self.scheduler = scheduler
        self.workers = max(1, workers)
        self.fewest_pairs = fewest_pairs
        self.shares_memory = False  # each task gets the documents of its pairs

    def map_ranges(self, func: Callable[[S, int, int], list[R]], shared: S, n: int, *, chunk_size: int,
                   on_chunk: Callable[[int, int], None] | None = None,
                   part: Callable[[S, int, int], S] | None = None) -> list[R]:
        """See :meth:`dedupe.parallel.Engine.map_ranges`: one task per range, with ``part`` of ``shared``."""
        import dask

        cut = part or window
        ranges = [(start, min(n, start + chunk_size)) for start in range(0, n, chunk_size)]
        if self.client is None:
            tasks = [dask.delayed(func)(cut(shared, start, stop), start, stop) for start, stop in ranges]
            done = dask.compute(*tasks, scheduler=self.scheduler)
            if on_chunk:
                for start, stop in ranges:
                    on_chunk(start, stop)
            return [item for chunk in done for item in chunk]

        [remote_func] = self.client.scatter([func], broadcast=True, hash=False)  # sent once, not per task
        futures = [self.client.submit(_apply, remote_func, self.client.scatter(cut(shared, start, stop), hash=False),
                                      start, stop, pure=False)
                   for start, stop in ranges]
        return _gathered(self.client, futures, ranges, on_chunk)

    def band_pairs(self, signatures: np.ndarray, rows: np.ndarray, *, bands: int, band_rows: int,
                   max_bucket: int) -> np.ndarray:
        """See :meth:`dedupe.parallel.Engine.band_pairs`: the banding shuffled over tasks.

        Each map task keys the bands of a range of signatures and splits the
        ``(key, document)`` rows into one group per reduce task by key; each
        reduce task pairs the buckets of its group. A bucket lies whole in one
        group, so the pairs are those of the local engine.
        """
        import dask

        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) < 2:
            return np.empty((0, 2), dtype=np.int32)
        groups = 2 * self.workers
        step = -(-len(rows) // groups)
        mapped = [dask.delayed(_split_bands, nout=groups)(
                      signatures[rows[start:start + step]], rows[start:start + step], bands, band_rows, groups)
                  for start in range(0, len(rows), step)]
        reduced = [dask.delayed(_pair_group)([split[g] for split in mapped], max_bucket)
                   for g in range(groups)]
        found = (self.client.compute(reduced, sync=True) if self.client is not None
                 else dask.compute(*reduced, scheduler=self.scheduler))
        return pairs_of(distinct_merged(list(found)))

    def stages(self, items: Iterable[Any], *, chunk_size: int, weight: Callable[[Any], int] | None = None,
               max_weight: int = 0) -> AbstractContextManager[RangeStages]:
        """See :meth:`dedupe.parallel.Engine.stages`: one task per range and stage; on a cluster, what a
        stage keeps of a range stays on the worker that computed it, as a future."""
        return _stages_context(DaskStages(self, chunks(items, chunk_size, weight=weight, max_weight=max_weight)))


@contextmanager
def _stages_context(stages: DaskStages) -> Iterator[DaskStages]:
    try:
        yield stages
    finally:
        stages.kept = []  # releases the futures


class DaskStages(StreamedRanges):
    """Stages over the ranges of a stream as Dask tasks (see :mod:`dedupe.stages`).

    On a ``distributed`` cluster, each range's items are sent as they are
    read, what a stage keeps of a range is a future on the worker that
    computed it, and only the results come here; on Dask's local schedulers
    it is held here.
    """

    def __init__(self, engine: DaskEngine, source: Iterable[tuple[int, list[Any]]]) -> None:
        super().__init__(source)
        self.client = engine.client
        self.scheduler = engine.scheduler

    def _inputs(self) -> Iterator[tuple[Any, int, int]]:
        """Each range's input to this stage (see :meth:`StreamedRanges.inputs`); on a cluster, the first
        stage's items are scattered to it as they are read."""
        scatter = self.client is not None and self._source is not None  # the first stage
        for _, start, stop, given in self.inputs():
            yield (self.client.scatter(given, hash=False) if scatter else given), start, stop

    def run(self, func: StageFunc, broadcast: Any = None, *,
            on_chunk: Callable[[int, int], None] | None = None) -> list[Any]:
        """See :meth:`dedupe.stages.RangeStages.run`."""
        import dask

        if self.client is None:
            tasks = [dask.delayed(_apply_stage)(func, kept, broadcast, start, stop)
                     for kept, start, stop in self._inputs()]
            done = dask.compute(*tasks, scheduler=self.scheduler)
            self.kept = [kept for kept, _ in done]
            if on_chunk:
                for start, stop in self.ranges:
                    on_chunk(start, stop)
            return [item for _, results in done for item in results]

        [remote_func, remote_broadcast] = self.client.scatter([func, broadcast], broadcast=True, hash=False)
        both = [self.client.submit(_apply_stage, remote_func, kept, remote_broadcast, start, stop, pure=False)
                for kept, start, stop in self._inputs()]
        self.kept = [self.client.submit(operator.itemgetter(0), f, pure=False) for f in both]
        results = [self.client.submit(operator.itemgetter(1), f, pure=False) for f in both]
        del both
        return _gathered(self.client, results, self.ranges, on_chunk)

    def call(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """See :meth:`dedupe.stages.RangeStages.call`: a task on the cluster, or here."""
        if self.client is None:
            result = func()
            return lambda: result
        return self.client.submit(func, pure=False).result

    def warm(self, func: Callable[[], Any]) -> None:
        """See :meth:`dedupe.stages.RangeStages.warm`: nothing (a task loads what it needs)."""


def _gathered(client: Any, futures: list[Any], ranges: list[tuple[int, int]],
              on_chunk: Callable[[int, int], None] | None) -> list[Any]:
    """The results of one future per range, flattened in range order; ``on_chunk`` as each range is done,
    and a task's exception raised here."""
    from distributed import as_completed

    range_of = {f.key: bounds for f, bounds in zip(futures, ranges)}
    for future in as_completed(futures):
        if future.status == "error":
            future.result()  # raises the task's exception here
        if on_chunk:
            on_chunk(*range_of[future.key])
    return [item for chunk in client.gather(futures) for item in chunk]


def _apply_stage(func: StageFunc, kept: Any, broadcast: Any, start: int, stop: int) -> tuple[Any, list[Any]]:
    with single_threaded_blas():  # as the local engine's workers do
        return func(kept, broadcast, start, stop)


def _split_bands(signatures: np.ndarray, rows: np.ndarray, bands: int, band_rows: int,
                 groups: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The shuffle's map side: the ``(key, document)`` bands of some signatures, in ``groups`` groups by key."""
    keys, members = keyed_bands(signatures, rows, bands=bands, band_rows=band_rows)
    group = keys % np.uint64(groups)
    return [(keys[group == g], members[group == g]) for g in range(groups)]


def _pair_group(pieces: list[tuple[np.ndarray, np.ndarray]], max_bucket: int) -> np.ndarray:
    """The shuffle's reduce side: the pair keys of the buckets of one group."""
    keys = np.concatenate([k for k, _ in pieces])
    members = np.concatenate([m for _, m in pieces])
    return bucket_pair_keys(keys, members, max_bucket=max_bucket)


def _apply(func: Callable[[S, int, int], list[R]], shared: S, start: int, stop: int) -> list[R]:
    with single_threaded_blas():  # as the local engine's workers do (parallel._run)
        return func(shared, start, stop)


@contextmanager
def dask_engine(scheduler: str = "local", *, workers: int = 0) -> Iterator[DaskEngine]:
    """A :class:`DaskEngine` for a scheduler address or name, closed afterwards.

    Raises:
        DedupeError: Dask is not installed, or the scheduler cannot be reached.
    """
    if importlib.util.find_spec("dask") is None:
        raise DedupeError("--engine dask needs Dask: pip install 'news-dedupe[dask]'")
    workers = workers or available_cores()
    if scheduler in LOCAL_SCHEDULERS:
        yield DaskEngine(scheduler=scheduler, workers=1 if scheduler == "synchronous" else workers)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise DedupeError("--scheduler needs Dask's distributed scheduler: pip install 'news-dedupe[dask]'") from err
    if scheduler == "local":
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
                Client(cluster) as client:
            yield DaskEngine(client, workers=workers)
        return
    import dask

    try:  # waits for Dask's connect timeout (distributed.comm.timeouts.connect, DASK_DISTRIBUTED__COMM__...)
        client = Client(scheduler, timeout=dask.config.get("distributed.comm.timeouts.connect"))
    except OSError as err:
        raise DedupeError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from err
    with client:
        yield DaskEngine(client, workers=max(1, len(client.scheduler_info()["workers"])))


__all__ = ["DaskEngine", "LOCAL_SCHEDULERS", "dask_engine"]
