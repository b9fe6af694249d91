"""Several stages over the same ranges of a stream, each range's state kept where it was computed.

Cleaning a range gives texts that preparing the range needs, but the step
between the two (learning template lines) needs every range's result. With
plain :func:`dedupe.parallel.map_ranges`, the cleaned texts travelled to this
process and back into freshly forked workers (on the 10k feed, 52 MB
pickled both ways: a quarter of the cleaning's own time). Here each range
stays with the worker that first took it: a stage returns what the caller
needs (the line keys) and keeps the rest for the next stage.

The input is a stream: the first stage cuts it into ranges as it is read and
sends each range to a free worker, so that reading overlaps the work and this
process never holds what it does not keep itself.

A stage function is ``func(kept, broadcast, start, stop) -> (kept, results)``
for the items ``start`` to ``stop``: ``kept`` is what the previous stage kept
for this range (for the first stage, the range's items), ``broadcast`` the
stage's argument, the same for every range. The results are those of the
ranges in order, whatever the number of workers and whichever worker ran a
range.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from .errors import DedupeError
from .parallel import frozen_objects, single_threaded_blas

StageFunc = Callable[[Any, Any, int, int], tuple[Any, list[Any]]]


class RangeStages(Protocol):
    """Runs stage functions over the ranges of one stream (see the module docstring)."""

    ranges: list[tuple[int, int]]  # the ranges so far: all of them once the first stage has run

    def run(self, func: StageFunc, broadcast: Any = None, *,
            on_chunk: Callable[[int, int], None] | None = None) -> list[Any]:
        """``func`` over every range, each with what the previous stage kept for it; results in order."""
        ...

    def warm(self, func: Callable[[], Any]) -> None:
        """Start ``func()`` in every worker for what it loads (while the workers would wait for this
        process), where that is not done already: a later stage that needs it loads it anyway."""
        ...

    def call(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """Start ``func()`` in a worker (between stages, while this process works on its own);
        the returned function waits for its result."""
        ...


def chunks(items: Iterable[Any], size: int, *, weight: Callable[[Any], int] | None = None,
           max_weight: int = 0) -> Iterator[tuple[int, list[Any]]]:
    """The items in consecutive lists of at most ``size`` (the last may be shorter), each with its start;
    with ``weight``, a list also ends once its items weigh ``max_weight`` (a few large, slow items
    then make a range of their own instead of one worker's long task).

    Example:
        >>> list(chunks("abcde", 2))
        [(0, ['a', 'b']), (2, ['c', 'd']), (4, ['e'])]
        >>> [len(c) for _, c in chunks([5, 1, 1, 9, 1], 4, weight=int, max_weight=6)]
        [2, 2, 1]
    """
    chunk: list[Any] = []
    load = start = 0
    for item in items:
        chunk.append(item)
        if weight is not None:
            load += weight(item)
        if len(chunk) >= size or (weight is not None and load >= max_weight):
            yield start, chunk
            start += len(chunk)
            chunk, load = [], 0
    if chunk:
        yield start, chunk


class StreamedRanges:
    """The ranges of a stream, cut as the first stage reads it, and what each range keeps: the
    bookkeeping of the stages that hold the kept states where they run (here, or as futures)."""

    def __init__(self, source: Iterable[tuple[int, list[Any]]]) -> None:
        self._source: Iterator[tuple[int, list[Any]]] | None = iter(source)
        self.ranges: list[tuple[int, int]] = []
        self.kept: list[Any] = []

    def inputs(self) -> Iterator[tuple[int, int, int, Any]]:
        """Each range of this stage as ``(k, start, stop, input)``: its items in the first stage (the
        stream is read as the stage goes), then what the previous stage kept."""
        if self._source is None:
            for k, ((start, stop), kept) in enumerate(zip(self.ranges, self.kept)):
                yield k, start, stop, kept
            return
        source, self._source = self._source, None
        for start, items in source:
            self.ranges.append((start, start + len(items)))
            self.kept.append(None)
            yield len(self.ranges) - 1, start, start + len(items), items


class InProcessStages(StreamedRanges):
    """The stages run in this process, range after range."""

    def run(self, func: StageFunc, broadcast: Any = None, *,
            on_chunk: Callable[[int, int], None] | None = None) -> list[Any]:
        """See :meth:`RangeStages.run`."""
        results: list[Any] = []
        for k, start, stop, given in self.inputs():
            self.kept[k], done = func(given, broadcast, start, stop)
            results.extend(done)
            if on_chunk:
                on_chunk(start, stop)
        return results

    def call(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """See :meth:`RangeStages.call`: here, at once."""
        result = func()
        return lambda: result

    def warm(self, func: Callable[[], Any]) -> None:
        """See :meth:`RangeStages.warm`: nothing (the stage that needs it loads it here)."""


class ForkedStages:
    """The stages run in worker processes forked once, each keeping the state of the ranges it ran.

    The first stage reads the stream here and deals its ranges to whichever
    worker is free, sending each its items; later stages send each range to
    the worker that holds its state. Each stage's function and broadcast
    argument are pickled once per worker, its results once.
    """

    in_flight = 2  # ranges sent ahead to each worker, so that none waits for the next

    def __init__(self, source: Iterable[tuple[int, list[Any]]], workers: int) -> None:
        self._source: Iterator[tuple[int, list[Any]]] | None = iter(source)
        self.ranges: list[tuple[int, int]] = []
        self.owner: list[int] = []
        self._conns: list[Connection] = []  # results, from each worker
        self._tasks: list[Connection] = []  # tasks, to each worker
        self._procs: list[Any] = []
        self._called: list[list[tuple[str, Any]]] = []  # results of calls that arrived during a stage
        context = multiprocessing.get_context("fork")
        collecting = gc.isenabled()
        # Frozen: a collection in a worker would otherwise touch, and so copy, every inherited object;
        # and workers collect nothing (gc is off when they fork), as map_ranges's workers.
        try:
            with frozen_objects():
                gc.disable()
                for _ in range(max(1, workers)):
                    # One pipe each way: a worker sending a large result and this process sending it a
                    # large range must not wait for each other.
                    task_out, task_in = context.Pipe(duplex=False)
                    result_out, result_in = context.Pipe(duplex=False)
                    process = context.Process(target=_serve, args=(task_out, result_in), daemon=True)
                    process.start()
                    task_out.close()
                    result_in.close()
                    self._tasks.append(task_in)
                    self._conns.append(result_out)
                    self._procs.append(process)
                    self._called.append([])
        finally:
            if collecting:
                gc.enable()

    def run(self, func: StageFunc, broadcast: Any = None, *,
            on_chunk: Callable[[int, int], None] | None = None) -> list[Any]:
        """See :meth:`RangeStages.run`."""
        stage = _dumps(("stage", func, broadcast))
        for conn in self._tasks:
            conn.send_bytes(stage)
        queues: list[list[int]] = [[] for _ in self._conns]  # later stages: each worker's own ranges
        for k, w in enumerate(self.owner):
            queues[w].append(k)
        for q in queues:
            q.reverse()  # popped from the end: in range order
        source = self._source
        self._source = None
        busy = [0] * len(self._conns)
        results: list[list[Any] | None] = [None] * len(self.ranges)

        def feed(w: int) -> None:
            while busy[w] < self.in_flight:
                if queues[w]:
                    k = queues[w].pop()
                    self._tasks[w].send(("range", k, *self.ranges[k], None))
                else:
                    found = next(source, None) if source is not None else None
                    if found is None:
                        return
                    start, items = found
                    k = len(self.ranges)
                    self.ranges.append((start, start + len(items)))
                    self.owner.append(w)
                    results.append(None)
                    self._tasks[w].send(("range", k, start, start + len(items), items))
                busy[w] += 1

        collecting = gc.isenabled()
        gc.disable()  # results arrive as many small objects at once: collections would walk them again and again
        try:
            for w in range(len(self._conns)):
                feed(w)
            while any(busy):
                for ready in wait([c for w, c in enumerate(self._conns) if busy[w]]):
                    w = next(k for k, c in enumerate(self._conns) if c is ready)
                    kind, k, payload = self._receive(w)
                    if k < 0:  # a call's result, not a range's
                        self._called[w].append((kind, payload))
                        continue
                    if kind == "error":
                        self.close()
                        raise payload
                    busy[w] -= 1
                    results[k] = payload
                    if on_chunk:
                        on_chunk(*self.ranges[k])
                    feed(w)
        finally:
            if collecting:
                gc.enable()
        return [item for done in results for item in done or ()]

    def call(self, func: Callable[[], Any]) -> Callable[[], Any]:
        """See :meth:`RangeStages.call`: in the worker that holds the fewest ranges."""
        w = min(range(len(self._conns)), key=self.owner.count)
        self._tasks[w].send_bytes(_dumps(("call", func)))

        def result() -> Any:
            kind, payload = self._called[w].pop(0) if self._called[w] else self._receive(w)[::2]
            if kind == "error":
                raise payload
            return payload

        return result

    def warm(self, func: Callable[[], Any]) -> None:
        """See :meth:`RangeStages.warm`: sent to every worker; nothing comes back."""
        message = _dumps(("warm", func))
        for conn in self._tasks:
            conn.send_bytes(message)

    def _receive(self, w: int) -> tuple[str, int, Any]:
        try:
            return pickle.loads(self._conns[w].recv_bytes())
        except (EOFError, ConnectionResetError):
            self._procs[w].join(timeout=5)
            exit_code = self._procs[w].exitcode
            self.close()
            raise DedupeError(f"a worker process died (exit code {exit_code})") from None

    def close(self) -> None:
        """Stop the workers (they drop what they kept)."""
        for conn in self._tasks:
            try:
                conn.send_bytes(_STOP)
            except OSError:
                pass
        for process in self._procs:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
        for conn in [*self._tasks, *self._conns]:
            conn.close()
        self._tasks, self._conns, self._procs = [], [], []


def _serve(tasks: Connection, results: Connection) -> None:
    """A worker: runs the ranges it is sent with the current stage's function, keeping their state.

    Two threads move the messages: one takes them off the task pipe as they
    come, the other sends the results, so that this process goes on with the
    next range while the parent, busy reading the input, has yet to take the
    last one (a range's results are often larger than a pipe's buffer).
    """
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def receive() -> None:
        while True:
            try:
                message = tasks.recv_bytes()
            except (EOFError, OSError):
                inbox.put(None)
                return
            inbox.put(message)
            if message == _STOP:
                return

    def send() -> None:
        while (message := outbox.get()) is not None:
            results.send_bytes(message)

    threading.Thread(target=receive, daemon=True).start()
    sender = threading.Thread(target=send)
    sender.start()
    kept: dict[int, Any] = {}
    func: StageFunc | None = None
    broadcast = None
    try:
        with single_threaded_blas():
            while (message := inbox.get()) is not None:
                item = pickle.loads(message)
                if item is None:
                    break
                if item[0] == "call":
                    try:
                        outbox.put(_dumps(("done", -1, item[1]())))
                    except BaseException as err:  # noqa: BLE001 - sent back: the parent raises it
                        outbox.put(_dumps(("error", -1, _picklable(err))))
                    continue
                if item[0] == "warm":
                    try:
                        item[1]()
                    except Exception:  # noqa: BLE001, S110 - the stage that needs what it loads raises it
                        pass
                    continue
                if item[0] == "stage":
                    _, func, broadcast = item
                    continue
                _, k, start, stop, items = item
                try:
                    assert func is not None
                    kept[k], done = func(items if items is not None else kept.get(k), broadcast, start, stop)
                    outbox.put(_dumps(("done", k, done)))
                except BaseException as err:  # sent back: the parent raises it
                    outbox.put(_dumps(("error", k, _picklable(err))))
    finally:
        outbox.put(None)
        sender.join()


def _dumps(item: Any) -> bytes:
    return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)


_STOP = pickle.dumps(None, protocol=pickle.HIGHEST_PROTOCOL)


def _picklable(err: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError with its traceback."""
    try:
        pickle.loads(pickle.dumps(err))
        return err
    except Exception:
        return RuntimeError("".join(traceback.format_exception(err)))


@contextmanager
def local_stages(items: Iterable[Any], *, chunk_size: int, workers: int, weight: Callable[[Any], int] | None = None,
                 max_weight: int = 0) -> Iterator[RangeStages]:
    """Stages over a stream in ranges (see :func:`chunks`): in ``workers`` forked processes, or here
    for one worker, a stream of one range, or where processes cannot be forked."""
    source = chunks(items, chunk_size, weight=weight, max_weight=max_weight)
    head = list(islice(source, 2))
    stream = chain(head, source)
    if workers <= 1 or len(head) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield InProcessStages(stream)
        return
    stages = ForkedStages(stream, workers)
    try:
        yield stages
    finally:
        stages.close()


__all__ = ["ForkedStages", "InProcessStages", "RangeStages", "StageFunc", "StreamedRanges", "chunks",
           "local_stages"]
