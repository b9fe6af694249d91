"""Several stages over the same ranges of an input, each range's state kept where it was computed.

Cleaning a range gives texts that preparing the range needs, but the step
between the two (learning template lines) needs every range's result. With
plain :func:`dedupe.parallel.map_ranges`, the cleaned texts travel to this
process and back into freshly forked workers: on the 10k feed that was 52
MB pickled and unpickled, a quarter of the cleaning's own time. Here each
range stays with the worker that first computed it: a stage returns what the
caller needs (the line keys) and keeps the rest for the next stage.

A stage function is ``func(shared, kept, broadcast, start, stop) -> (kept,
results)``: ``kept`` is what the previous stage kept for this range (None for
the first), ``broadcast`` the stage's argument, the same for every range.
The results are those of the ranges in order, whatever the number of
workers and whichever worker ran a range.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol, TypeVar

from .errors import DedupeError
from .parallel import frozen_objects, single_threaded_blas

S = TypeVar("S")
B = TypeVar("B")
R = TypeVar("R")

StageFunc = Callable[[Any, Any, Any, int, int], tuple[Any, list[Any]]]

_SHARED: list[Any] = []  # what forked workers inherit: the input of the stages


class RangeStages(Protocol):
    """Runs stage functions over fixed ranges of one input (see the module docstring)."""

    def run(self, func: StageFunc, broadcast: Any = None, *,
            on_chunk: Callable[[int, int], None] | None = None) -> list[Any]:
        """``func`` over every range, each with what the previous stage kept for it; results in order."""
        ...


def cut_ranges(n: int, chunk_size: int) -> list[tuple[int, int]]:
    """Consecutive ``(start, stop)`` ranges of ``range(n)``, ``chunk_size`` items each (the last may be shorter).

    Example:
        >>> cut_ranges(5, 2)
        [(0, 2), (2, 4), (4, 5)]
    """
    return [(start, min(n, start + chunk_size)) for start in range(0, n, chunk_size)]


class InProcessStages:
    """The stages run in this process, range after range."""

    def __init__(self, shared: Any, ranges: Sequence[tuple[int, int]]) -> None:
        self.shared = shared
        self.ranges = list(ranges)
        self.kept: list[Any] = [None] * len(self.ranges)

    def run(self, func: StageFunc, broadcast: Any = None, *,
            on_chunk: Callable[[int, int], None] | None = None) -> list[Any]:
        """See :meth:`RangeStages.run`."""
        results: list[Any] = []
        for k, (start, stop) in enumerate(self.ranges):
            self.kept[k], done = func(self.shared, self.kept[k], broadcast, start, stop)
            results.extend(done)
            if on_chunk:
                on_chunk(start, stop)
        return results


class ForkedStages:
    """The stages run in worker processes forked once, each keeping the state of the ranges it ran.

    The first stage deals ranges to whichever worker is free; later stages
    send each range to the worker that holds its state. Workers inherit
    ``shared`` (never pickled); each stage's function and broadcast argument
    are pickled once per worker, its results once.
    """

    in_flight = 2  # ranges sent ahead to each worker, so that none waits for the next

    def __init__(self, shared: Any, ranges: Sequence[tuple[int, int]], workers: int) -> None:
        self.ranges = list(ranges)
        self.owner: list[int | None] = [None] * len(self.ranges)
        self._conns: list[Connection] = []
        self._procs: list[Any] = []
        context = multiprocessing.get_context("fork")
        _SHARED.append(shared)
        collecting = gc.isenabled()
        # Frozen: a collection in a worker would otherwise touch, and so copy, every inherited object;
        # and workers collect nothing (gc is off when they fork), as map_ranges's workers.
        try:
            with frozen_objects():
                gc.disable()
                for _ in range(max(1, min(workers, len(self.ranges)))):
                    here, there = context.Pipe()
                    process = context.Process(target=_serve, args=(there,), daemon=True)
                    process.start()
                    there.close()
                    self._conns.append(here)
                    self._procs.append(process)
        finally:
            _SHARED.pop()
            if collecting:
                gc.enable()

    def run(self, func: StageFunc, broadcast: Any = None, *,
            on_chunk: Callable[[int, int], None] | None = None) -> list[Any]:
        """See :meth:`RangeStages.run`."""
        stage = pickle.dumps((func, broadcast), protocol=pickle.HIGHEST_PROTOCOL)
        for conn in self._conns:
            conn.send_bytes(stage)
        queues: list[list[int]] = [[] for _ in self._conns]
        shared_queue = [k for k in range(len(self.ranges)) if self.owner[k] is None][::-1]
        for k, w in enumerate(self.owner):
            if w is not None:
                queues[w].append(k)
        for q in queues:
            q.reverse()  # popped from the end: in range order
        busy = [0] * len(self._conns)
        results: list[list[Any] | None] = [None] * len(self.ranges)

        def feed(w: int) -> None:
            while busy[w] < self.in_flight and (queues[w] or shared_queue):
                k = queues[w].pop() if queues[w] else shared_queue.pop()
                self.owner[k] = w
                self._conns[w].send(("range", k, *self.ranges[k]))
                busy[w] += 1

        collecting = gc.isenabled()
        gc.disable()  # results arrive as many small objects at once: collections would walk them again and again
        try:
            for w in range(len(self._conns)):
                feed(w)
            remaining = len(self.ranges)
            while remaining:
                for conn in wait([c for w, c in enumerate(self._conns) if busy[w]]):
                    w = self._conns.index(conn)  # type: ignore[arg-type]
                    try:
                        kind, k, payload = conn.recv()
                    except (EOFError, ConnectionResetError):
                        self._procs[w].join(timeout=5)
                        exit_code = self._procs[w].exitcode
                        self.close()
                        raise DedupeError(f"a worker process died (exit code {exit_code})") from None
                    if kind == "error":
                        self.close()
                        raise payload
                    busy[w] -= 1
                    remaining -= 1
                    results[k] = payload
                    if on_chunk:
                        on_chunk(*self.ranges[k])
                    feed(w)
        finally:
            if collecting:
                gc.enable()
        return [item for done in results for item in done or ()]

    def close(self) -> None:
        """Stop the workers (they drop what they kept)."""
        for conn in self._conns:
            try:
                conn.send(None)
            except OSError:
                pass
        for process in self._procs:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
        for conn in self._conns:
            conn.close()
        self._conns, self._procs = [], []


def _serve(conn: Connection) -> None:
    """A worker: runs the ranges it is sent with the current stage's function, keeping their state."""
    shared = _SHARED[-1]
    kept: dict[int, Any] = {}
    func: StageFunc | None = None
    broadcast = None
    with single_threaded_blas():
        while True:
            try:
                message = conn.recv_bytes()
            except EOFError:
                return
            item = pickle.loads(message)
            if item is None:
                return
            if not (isinstance(item, tuple) and item and item[0] == "range"):
                func, broadcast = item
                continue
            _, k, start, stop = item
            try:
                assert func is not None
                kept[k], done = func(shared, kept.get(k), broadcast, start, stop)
                conn.send(("done", k, done))
            except BaseException as err:  # sent back: the parent raises it
                conn.send(("error", k, _picklable(err)))


def _picklable(err: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError with its traceback."""
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:
        return RuntimeError("".join(traceback.format_exception(err)))


@contextmanager
def local_stages(shared: Any, n: int, *, chunk_size: int, workers: int) -> Iterator[RangeStages]:
    """Stages over ``range(n)`` in ranges of ``chunk_size``: in ``workers`` forked processes, or here
    for one worker (or where processes cannot be forked)."""
    ranges = cut_ranges(n, chunk_size)
    if workers <= 1 or len(ranges) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield InProcessStages(shared, ranges)
        return
    stages = ForkedStages(shared, ranges, workers)
    try:
        yield stages
    finally:
        stages.close()


__all__ = ["ForkedStages", "InProcessStages", "RangeStages", "StageFunc", "cut_ranges", "local_stages"]
