"""Worker processes (``--jobs``) change the speed, never the result; progress reports stages."""

from __future__ import annotations

import io
import json
import os
import re
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from feed_builders import seed_feed
from dedupe.cli import main
from dedupe.candidates import band_pairs, pairs_of, unique_pairs
from dedupe.cluster import cluster, planned_pairs
from dedupe.parallel import LocalEngine, map_chunks, map_ranges, single_threaded_blas
from dedupe.params import Params
from dedupe.pipeline import prepare_all
from dedupe.progress import Progress
from dedupe.read import read_inputs
from dedupe.tfidf import TfidfModel
from dedupe.verify import Verifier

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_jobs_do_not_change_the_output(tmp_path: Path) -> None:
    feed = seed_feed(tmp_path / "feed.jsonl")
    outputs = []
    for jobs in ("1", "2"):
        result = CliRunner().invoke(main, ["cluster", str(feed), "--format", "jsonl", "--evidence", "--jobs", jobs])
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)

    assert outputs[0] == outputs[1]
    rows = [json.loads(line) for line in outputs[0].splitlines()]
    assert len(rows) == 5 * 61
    story = {r["id"]: r["id"][:3] for r in rows}
    members: dict[int, set[str]] = {}
    for r in rows:
        members.setdefault(r["cluster"], set()).add(story[r["id"]])
    # Seeds 001 and 002 are one story; 000, 003 and 004 each another: four clusters, no mixing.
    assert sorted(map(sorted, members.values())) == [["000"], ["001", "002"], ["003"], ["004"]]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ranges_held_compressed_give_the_same_output(tmp_path: Path, jobs: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers hold ranges from PACK_FROM on compressed between stages (large inputs): packing every
    range, or none, gives the same clusters and evidence."""
    import dedupe.pipeline

    feed = seed_feed(tmp_path / "feed.jsonl")
    outputs = []
    for pack_from in (0, 10**9):
        monkeypatch.setattr(dedupe.pipeline, "PACK_FROM", pack_from)
        result = CliRunner().invoke(main, ["cluster", str(feed), "--format", "jsonl", "--evidence", "--jobs", jobs])
        assert result.exit_code == 0, result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert len({json.loads(line)["cluster"] for line in outputs[0].splitlines()}) == 4


def test_map_ranges_keeps_order_and_uses_several_processes() -> None:
    def pids(items: list[int], start: int, stop: int) -> list[tuple[int, int]]:
        time.sleep(0.05)
        return [(items[k], os.getpid()) for k in range(start, stop)]

    found = map_ranges(pids, list(range(40)), 40, jobs=2, chunk_size=5)

    assert [x for x, _ in found] == list(range(40))
    assert len({pid for _, pid in found}) == 2
    assert os.getpid() not in {pid for _, pid in found}


def test_map_ranges_reports_each_range() -> None:
    done: list[tuple[int, int]] = []
    found = map_ranges(lambda xs, a, b: xs[a:b], "abcdefg", 7, jobs=1, chunk_size=3,
                       on_chunk=lambda a, b: done.append((a, b)))
    assert "".join(found) == "abcdefg" and done == [(0, 3), (3, 6), (6, 7)]


def test_progress_prints_counts_and_rates_when_enabled() -> None:
    stream = io.StringIO()
    progress = Progress(enabled=True, stream=stream, every=0.0)
    with progress.stage("sign", 4) as stage:
        for _ in range(4):
            stage.advance()

    final = stream.getvalue().split("\r")[-1]
    assert final.startswith("sign: 4/4 in ") and re.search(r"/s\), memory [\d,]+ MB \(peak [\d,]+ MB\)\n$", final)
    assert progress.seconds["sign"] >= 0


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="resident memory is read from Linux's /proc")
def test_progress_keeps_the_memory_at_each_stage_end() -> None:
    progress = Progress(enabled=False)
    with progress.stage("before"):
        pass
    with progress.stage("allocate"):
        block = np.ones(80 * 2**20 // 8)  # 80 MB, every page written
    resident_before, _ = progress.memory["before"]
    resident, peak = progress.memory["allocate"]
    assert resident - resident_before >= 70 and peak >= resident
    del block


def test_progress_is_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()  # not a terminal
    progress = Progress(stream=stream)
    with progress.stage("clean", 2) as stage:
        stage.advance(2)
    assert stream.getvalue() == "" and "clean" in progress.seconds


def test_cli_prints_no_progress_into_a_pipe(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["cluster", str(ROOT / "seeds"), "--format", "jsonl", "-q"])
    assert result.exit_code == 0
    assert result.stderr == ""


@pytest.mark.parametrize("given", ["list", "stream"])
def test_pairs_verified_in_workers_get_the_evidence_this_process_computes(tmp_path: Path, given: str) -> None:
    records = list(read_inputs([str(seed_feed(tmp_path / "feed.jsonl", copies=8))]))
    documents = prepare_all(records, Params(), sign=False)
    pairs = [(i, j) for i in range(len(documents)) for j in range(i + 1, len(documents))]
    here = Verifier(documents, Params())
    expected = [here.verify(i, j) for i, j in pairs]
    there = Verifier(documents, Params())
    there.verify_many(pairs if given == "list" else (pair for pair in pairs), engine=LocalEngine(2, fewest_pairs=64))

    # Identical floats, though workers number TF-IDF terms in their own order.
    assert [there.verify(i, j) for i, j in pairs] == expected
    assert sum(e.cosine is not None for e in expected) >= 64  # enough pairs go to the workers
    assert {e.relation for e in expected} >= {"near-duplicate", "rewrite", "unrelated"}


def _pid_and_squares(offset: int, chunk: list[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), x * x + offset) for x in chunk]


def test_chunks_of_a_stream_are_worked_in_workers_while_it_is_read() -> None:
    main_pid = os.getpid()
    read_by: list[int] = []

    def stream():  # type: ignore[no-untyped-def]
        for start in range(0, 40, 4):
            read_by.append(os.getpid())
            time.sleep(0.01)
            yield list(range(start, start + 4))

    done = list(map_chunks(_pid_and_squares, 1, stream(), jobs=2))
    assert [chunk for chunk, _ in done] == [list(range(k, k + 4)) for k in range(0, 40, 4)]
    assert [square for _, found in done for _, square in found] == [x * x + 1 for x in range(40)]
    assert main_pid not in {pid for _, found in done for pid, _ in found}  # worked in the workers
    assert set(read_by) == {main_pid}  # read in this process (by a thread of it)
    here = list(map_chunks(_pid_and_squares, 1, stream(), jobs=1))
    assert here == [(chunk, [(main_pid, x * x + 1) for x in chunk]) for chunk, _ in done]


def test_planned_pairs_are_what_cluster_asks_when_every_check_agrees() -> None:
    candidates = [(0, 1), (2, 3), (1, 2), (0, 3), (4, 5), (3, 4), (1, 5)]
    asked: list[tuple[int, int]] = []

    def agree(i: int, j: int) -> bool:
        asked.append((i, j))
        return True

    cluster(6, candidates, agree, priority=list(range(6)))
    planned = list(planned_pairs(6, candidates, list(range(6))))
    assert planned == list(dict.fromkeys(asked))
    # The pairs that join groups, and the merge checks between members that are no candidates.
    assert {(0, 1), (2, 3), (1, 2), (4, 5), (3, 4)} <= set(planned) and (0, 2) in planned


def test_progress_reports_every_stage_with_counts(tmp_path: Path) -> None:
    feed = seed_feed(tmp_path / "feed.jsonl", copies=3)
    result = CliRunner().invoke(main, ["cluster", str(feed), "--format", "jsonl", "--progress"])
    assert result.exit_code == 0
    finished = [line for line in result.stderr.replace("\r", "\n").splitlines() if " in " in line]
    names = [line.split(":")[0] for line in finished]
    assert names == ["read", "clean", "templates", "prepare", "candidates", "cluster", "evidence"]
    assert finished[0].startswith("read: 20 in ") and finished[1].startswith("clean: 20/20 in ")


def _blas_threads(shared: object, start: int, stop: int) -> list[int]:
    """The threads of NumPy's own BLAS (the one its matrix products use)."""
    from threadpoolctl import threadpool_info

    found = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas" and "numpy" in i["filepath"]]
    return [max(found, default=0)] * (stop - start)


def test_blas_runs_on_one_thread_in_the_block_and_in_its_workers() -> None:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2, user_api="blas"):  # the default on this 2-core machine; set so that it is known
        if _blas_threads(None, 0, 1) != [2]:
            pytest.skip("NumPy's BLAS is not one threadpoolctl can set to two threads here")
        with single_threaded_blas():
            assert set(map_ranges(_blas_threads, None, 4, jobs=2, chunk_size=1)) == {1}  # forked workers
            assert _blas_threads(None, 0, 1) == [1]
        assert _blas_threads(None, 0, 1) == [2]  # restored


def test_copies_anywhere_in_the_input_share_the_first_ones_hashes(tmp_path: Path) -> None:
    records = list(read_inputs([str(seed_feed(tmp_path / "feed.jsonl", copies=40))]))
    documents = prepare_all(records, Params(), jobs=2, model=TfidfModel())  # ranges of 64 documents
    first: dict[str, int] = {}
    far_copies = 0
    for d in documents:
        head = documents[first.setdefault(d.fingerprint, d.index)]
        if head is not d and not d.warning:
            assert d.shingles is head.shingles and d.terms is head.terms and d.signatures is head.signatures
            far_copies += head.index // 64 != d.index // 64
    assert far_copies >= 20  # copies prepared in other ranges than their first
    alone = prepare_all(records, Params(), jobs=1, model=TfidfModel())
    assert [(d.fingerprint, d.signatures.tolist(), d.weights) for d in alone] == \
        [(d.fingerprint, d.signatures.tolist(), d.weights) for d in documents]


@pytest.mark.parametrize("workers", [2, 3])
def test_buckets_shared_out_among_workers_give_the_pairs_of_one_sort(workers: int) -> None:
    """Signatures over a tiny alphabet make buckets of hundreds, capped: each group of buckets must
    still pair every member with its next members in index order."""
    rng = np.random.default_rng(5)
    signatures = rng.integers(0, 6, size=(3000, 32), dtype=np.uint32)
    rows = np.sort(rng.choice(3000, 2500, replace=False))
    here = band_pairs(signatures, rows, bands=16, band_rows=2, max_bucket=5)

    there = LocalEngine(workers, fewest_banded=1).band_pairs(signatures, rows, bands=16, band_rows=2, max_bucket=5)

    assert len(here) > 100_000 and np.array_equal(there, here)


def test_pairs_come_as_int32_and_an_index_past_31_bits_is_an_error() -> None:
    rng = np.random.default_rng(2)
    signatures = rng.integers(0, 4, size=(400, 32), dtype=np.uint32)
    pairs = band_pairs(signatures, np.arange(400), bands=16, band_rows=2, max_bucket=5)
    keys = pairs[:, 0].astype(np.int64) << 32 | pairs[:, 1]

    assert pairs.dtype == np.int32 and len(pairs) > 1000 and bool(np.all(pairs[:, 0] < pairs[:, 1]))
    assert unique_pairs([pairs, pairs[::-1]]).tolist() == pairs.tolist()  # sorted, each once
    assert pairs_of(np.sort(keys)).tolist() == pairs.tolist()
    too_far = 3 << 32 | (1 << 31)  # a second index of 2**31
    with pytest.raises(ValueError, match="31 bits"):
        pairs_of(np.array([7, too_far], dtype=np.int64))
    assert pairs_of(np.array([too_far]), np.int64).tolist() == [[3, 1 << 31]]
