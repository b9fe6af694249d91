"""Stages over the ranges of a stream: each range's state stays with the worker that took it, results come in order."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dedupe.errors import DedupeError
from dedupe.parallel import LocalEngine
from dedupe.stages import ForkedStages, InProcessStages, chunks, local_stages


def _square(items: list[int], offset: int, start: int, stop: int) -> tuple[Any, list[int]]:
    """First stage: keep (pid, squares) for the range, return the squares plus an offset."""
    assert len(items) == stop - start
    time.sleep(0.02)  # long enough for every worker to take ranges
    squares = [x * x for x in items]
    return (os.getpid(), squares), [s + offset for s in squares]


def _from_kept(kept: tuple[int, list[int]], _: None, start: int, stop: int) -> tuple[None, list[tuple[int, bool]]]:
    """Second stage: the kept squares, and whether this is the process that kept them."""
    pid, squares = kept
    assert len(squares) == stop - start
    return None, [(s, pid == os.getpid()) for s in squares]


def _numbers(n: int, read: list[int]) -> Iterator[int]:
    """0 to n - 1, noting in ``read`` how many were read."""
    for k in range(n):
        read[0] = k + 1
        yield k


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_stages_keep_each_range_where_it_was_computed(workers: int) -> None:
    with local_stages(iter(range(50)), chunk_size=4, workers=workers) as stages:
        first = stages.run(_square, 1)
        second = stages.run(_from_kept)
        assert stages.ranges[0] == (0, 4) and stages.ranges[-1] == (48, 50) and len(stages.ranges) == 13
        if workers > 1:
            assert isinstance(stages, ForkedStages)
            assert len(set(stages.owner)) == workers  # every worker took ranges
    assert first == [k * k + 1 for k in range(50)]
    assert second == [(k * k, True) for k in range(50)]


def test_the_stream_is_read_as_the_workers_go() -> None:
    read = [0]
    seen_at_first_result: list[int] = []
    with local_stages(_numbers(400, read), chunk_size=10, workers=2) as stages:
        stages.run(_square, 0, on_chunk=lambda a, b: seen_at_first_result.append(read[0]))
    # When the first range was done, only the ranges sent ahead had been read, not the whole stream.
    assert seen_at_first_result[0] < 100
    assert read[0] == 400


def test_stages_report_every_range_once() -> None:
    done: list[tuple[int, int]] = []
    with local_stages(range(10), chunk_size=3, workers=2) as stages:
        stages.run(_square, 0, on_chunk=lambda a, b: done.append((a, b)))
    assert sorted(done) == [(0, 3), (3, 6), (6, 9), (9, 10)]


def _fail_on_seven(items: list[int], _: None, start: int, stop: int) -> tuple[None, list[int]]:
    if 7 in items:
        raise ValueError(f"item 7 in range {start}-{stop}")
    return None, items


def test_an_error_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ValueError, match="item 7 in range 6-9"):
        with local_stages(range(12), chunk_size=3, workers=2) as stages:
            stages.run(_fail_on_seven)


def _die(items: list[int], _: None, start: int, stop: int) -> tuple[None, list[int]]:
    os._exit(3)


def test_a_worker_that_dies_is_reported() -> None:
    stages = ForkedStages(chunks(range(4), 2), workers=2)
    try:
        with pytest.raises(DedupeError, match="died"):
            stages.run(_die)
    finally:
        stages.close()


@pytest.mark.parametrize(("workers", "n"), [(1, 5), (2, 2)])
def test_one_worker_or_one_range_runs_here(workers: int, n: int) -> None:
    with LocalEngine(workers).stages(range(n), chunk_size=2) as stages:
        assert isinstance(stages, InProcessStages)
        assert stages.run(_square, 0) == [k * k for k in range(n)]
        assert [s for s, _ in stages.run(_from_kept)] == [k * k for k in range(n)]


def _upper(items: list[str], _: None, start: int, stop: int) -> tuple[None, list[str]]:
    return None, [t.upper() for t in items]


def test_large_ranges_and_results_cross_both_ways() -> None:
    """A worker sending a large result while it is sent a large range must not deadlock."""
    words = (f"word{k} " * 20_000 for k in range(12))  # 150 kB each, far above a pipe's buffer
    with local_stages(words, chunk_size=1, workers=2) as stages:
        found = stages.run(_upper)
    assert [len(t) for t in found] == [len(f"word{k} ") * 20_000 for k in range(12)]


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_dask_stages_keep_state_between_stages(scheduler: str) -> None:
    pytest.importorskip("dask", reason="the dask extra is not installed")
    from dedupe.dask_engine import DaskEngine

    with DaskEngine(scheduler=scheduler, workers=2).stages(range(23), chunk_size=5) as stages:
        assert stages.run(_square, 2) == [k * k + 2 for k in range(23)]
        assert [s for s, _ in stages.run(_from_kept)] == [k * k for k in range(23)]


def _pid() -> int:
    return os.getpid()


def _pids(kept: Any, _: None, start: int, stop: int) -> tuple[Any, list[int]]:
    return kept, [os.getpid()] * (stop - start)


@pytest.mark.parametrize("workers", [1, 2])
def test_calls_run_in_a_worker_between_stages(workers: int) -> None:
    with local_stages(range(20), chunk_size=5, workers=workers) as stages:
        stages.run(_square, 0)
        result = stages.call(_pid)
        workers_seen = set(stages.run(_pids))  # the call's result arrives during this stage, and waits
        pid = result()
    if workers == 1:
        assert pid == os.getpid()
    else:
        assert pid != os.getpid() and pid in workers_seen and len(workers_seen) == 2


_WARMED: list[int] = []  # what _warm_up loaded, in the process that ran it


def _warm_up() -> None:
    _WARMED.append(os.getpid())


def _failing_warm_up() -> None:
    raise OSError("the list to load is missing")


def _warmed(kept: Any, _: None, start: int, stop: int) -> tuple[Any, list[list[int]]]:
    return kept, [list(_WARMED)] * (stop - start)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_warm_up_runs_once_in_every_worker_before_the_next_stage(workers: int) -> None:
    with local_stages(range(20), chunk_size=5, workers=workers) as stages:
        stages.run(_square, 0)
        stages.warm(_warm_up)
        stages.warm(_failing_warm_up)  # left to the stage that needs what it loads: the run goes on
        seen = stages.run(_warmed)
    if workers == 1:
        assert seen == [[]] * 20 and _WARMED == []  # here, the stage that needs it loads it
    else:
        assert all(len(warmed) == 1 and warmed[0] != os.getpid() for warmed in seen)
        assert len({warmed[0] for warmed in seen}) == 2 and _WARMED == []
