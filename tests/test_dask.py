"""The Dask engine gives the local engine's result, on Dask's single-machine schedulers and on a LocalCluster."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from feed_builders import seed_feed
from dedupe.candidates import band_pairs
from dedupe.cli import main
from dedupe.dask_engine import DaskEngine
from dedupe.formats import to_jsonl
from dedupe.parallel import LocalEngine
from dedupe.pipeline import deduplicate
from dedupe.read import read_inputs

dask = pytest.importorskip("dask", reason="the dask extra is not installed")


def _cluster(feed: Path, engine: object) -> str:
    result = deduplicate(read_inputs([str(feed)]), engine=engine)  # type: ignore[arg-type]
    assert result.stats["clusters"] == 4  # seeds 001/002 together, 000, 003 and 004 alone
    return to_jsonl(result, with_evidence=True)


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_feed(tmp_path_factory.mktemp("dask") / "feed.jsonl", copies=30)


@pytest.mark.parametrize("scheduler", ["synchronous", "threads", "processes"])
def test_single_machine_schedulers_give_the_local_result(feed: Path, scheduler: str) -> None:
    here = _cluster(feed, LocalEngine(1))
    # Several ranges per stage, and every verification batch sent out as tasks.
    assert _cluster(feed, DaskEngine(scheduler=scheduler, workers=4, fewest_pairs=1)) == here


def test_two_worker_local_cluster_gives_the_local_result(feed: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="dask's distributed scheduler is not installed")
    here = _cluster(feed, LocalEngine(2, fewest_pairs=1))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc, \
            distributed.Client(lc) as client:
        there = _cluster(feed, DaskEngine(client, workers=2, fewest_pairs=1))
        assert len(client.scheduler_info()["workers"]) == 2
    assert there == here


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_banding_shuffled_over_tasks_gives_the_local_pairs(scheduler: str) -> None:
    """Signatures over a tiny alphabet make buckets of hundreds: capped buckets pair each member with
    its next members in index order, which a reduce task sees whole."""
    rng = np.random.default_rng(3)
    signatures = rng.integers(0, 6, size=(3000, 32), dtype=np.uint32)
    rows = np.sort(rng.choice(3000, 2500, replace=False))
    here = band_pairs(signatures, rows, bands=16, band_rows=2, max_bucket=5)

    there = DaskEngine(scheduler=scheduler, workers=3).band_pairs(signatures, rows, bands=16, band_rows=2,
                                                                  max_bucket=5)

    assert len(here) > 100_000 and np.array_equal(there, here)
    assert LocalEngine(2).band_pairs(signatures, rows, bands=16, band_rows=2, max_bucket=5).tolist() == here.tolist()


def test_command_line_engine_and_scheduler(feed: Path) -> None:
    runner = CliRunner()
    local = runner.invoke(main, ["cluster", str(feed), "--format", "jsonl", "-q"])
    on_dask = runner.invoke(main, ["cluster", str(feed), "--format", "jsonl", "-q", "--engine", "dask",
                                   "--scheduler", "synchronous"])
    assert local.exit_code == 0 and on_dask.exit_code == 0, on_dask.output
    assert on_dask.stdout == local.stdout


def test_unreachable_scheduler_is_a_clear_error(feed: Path) -> None:
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(main, ["cluster", str(feed), "--engine", "dask",
                                           "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr
