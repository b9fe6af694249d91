"""Stages over fixed ranges: each range's state stays with the worker that computed it, results come in order."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from dedupe.errors import DedupeError
from dedupe.parallel import LocalEngine
from dedupe.stages import ForkedStages, InProcessStages, local_stages


def _square(items: list[int], kept: None, offset: int, start: int, stop: int) -> tuple[Any, list[int]]:
    """First stage: keep (pid, squares) for the range, return the squares plus an offset."""
    time.sleep(0.02)  # long enough for every worker to take ranges
    squares = [items[k] ** 2 for k in range(start, stop)]
    return (os.getpid(), squares), [s + offset for s in squares]


def _from_kept(items: list[int], kept: tuple[int, list[int]], _: None, start: int,
               stop: int) -> tuple[None, list[tuple[int, bool]]]:
    """Second stage: the kept squares, and whether this is the process that kept them."""
    pid, squares = kept
    assert len(squares) == stop - start
    return None, [(s, pid == os.getpid()) for s in squares]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_stages_keep_each_range_where_it_was_computed(workers: int) -> None:
    items = list(range(50))
    with local_stages(items, len(items), chunk_size=4, workers=workers) as stages:
        first = stages.run(_square, 1)
        second = stages.run(_from_kept)
        if workers > 1:
            assert isinstance(stages, ForkedStages)
            assert len({w for w in stages.owner}) == workers  # every worker took ranges
    assert first == [k * k + 1 for k in items]
    assert second == [(k * k, True) for k in items]


def test_stages_report_every_range_once() -> None:
    done: list[tuple[int, int]] = []
    with local_stages(list(range(10)), 10, chunk_size=3, workers=2) as stages:
        stages.run(_square, 0, on_chunk=lambda a, b: done.append((a, b)))
    assert sorted(done) == [(0, 3), (3, 6), (6, 9), (9, 10)]


def _fail_on_seven(items: list[int], kept: None, _: None, start: int, stop: int) -> tuple[None, list[int]]:
    if 7 in items[start:stop]:
        raise ValueError(f"item 7 in range {start}-{stop}")
    return None, items[start:stop]


def test_an_error_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ValueError, match="item 7 in range 6-9"):
        with local_stages(list(range(12)), 12, chunk_size=3, workers=2) as stages:
            stages.run(_fail_on_seven)


def _die(items: list[int], kept: None, _: None, start: int, stop: int) -> tuple[None, list[int]]:
    os._exit(3)


def test_a_worker_that_dies_is_reported() -> None:
    stages = ForkedStages(list(range(4)), [(0, 2), (2, 4)], workers=2)
    try:
        with pytest.raises(DedupeError, match="died"):
            stages.run(_die)
    finally:
        stages.close()


def test_one_worker_runs_here() -> None:
    with LocalEngine(1).stages(list(range(5)), 5, chunk_size=2) as stages:
        assert isinstance(stages, InProcessStages)
        assert stages.run(_square, 0) == [0, 1, 4, 9, 16]
        assert [s for s, _ in stages.run(_from_kept)] == [0, 1, 4, 9, 16]


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_dask_stages_keep_state_between_stages(scheduler: str) -> None:
    pytest.importorskip("dask", reason="the dask extra is not installed")
    from dedupe.dask_engine import DaskEngine

    items = list(range(23))
    with DaskEngine(scheduler=scheduler, workers=2).stages(items, len(items), chunk_size=5) as stages:
        assert stages.run(_square, 2) == [k * k + 2 for k in items]
        assert [s for s, _ in stages.run(_from_kept)] == [k * k for k in items]
