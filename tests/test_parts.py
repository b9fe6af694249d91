"""Output in parts (``--output-dir``): jsonl and Parquet parts hold the jsonl rows, in input order,
whichever engine writes them, to a folder or an fsspec URL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from feed_builders import seed_feed
from dedupe.cli import main


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, 4 copies each, plus a record with a field of its own and an empty one (a warning)."""
    path = seed_feed(tmp_path_factory.mktemp("parts") / "feed.jsonl", copies=4)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"id": "empty", "text": "", "lang": "en"}) + "\n")
    return path


def _cluster(*args: str) -> str:
    result = CliRunner().invoke(main, ["cluster", *args, "-q"])
    assert result.exit_code == 0, result.output
    return result.stdout


def _jsonl_rows(feed: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in _cluster(str(feed), "--format", "jsonl").splitlines()]


def _part_rows(folder: Path, suffix: str) -> list[dict[str, object]]:
    parts = sorted(folder.iterdir())
    assert [p.name for p in parts] == [f"part-{k:05d}.{suffix}" for k in range(len(parts))]
    if suffix == "jsonl":
        return [json.loads(line) for p in parts for line in p.read_text(encoding="utf-8").splitlines()]
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow (the parquet extra) is not installed")
    rows = []
    for p in parts:
        for row in pq.read_table(p).to_pylist():
            extra = json.loads(row.pop("extra") or "{}")
            rows.append({**{k: v for k, v in row.items() if v is not None}, **extra})
    return rows


def test_jsonl_parts_hold_the_jsonl_rows_in_order(feed: Path, tmp_path: Path) -> None:
    expected = _jsonl_rows(feed)
    _cluster(str(feed), "--format", "jsonl", "--output-dir", str(tmp_path / "out"), "--part-size", "7")
    assert len(list((tmp_path / "out").iterdir())) == -(-len(expected) // 7)
    assert _part_rows(tmp_path / "out", "jsonl") == expected


def test_parquet_parts_hold_the_same_rows_with_one_schema(feed: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow (the parquet extra) is not installed")
    expected = _jsonl_rows(feed)
    _cluster(str(feed), "--format", "parquet", "--output-dir", str(tmp_path / "out"), "--part-size", "7")
    assert _part_rows(tmp_path / "out", "parquet") == expected
    schemas = {pq.read_schema(p) for p in (tmp_path / "out").iterdir()}
    assert len(schemas) == 1  # parts with and without warnings or extra fields agree
    empty = next(r for r in pq.read_table(tmp_path / "out").to_pylist() if r["id"] == "empty")
    assert json.loads(empty["extra"]) == {"lang": "en"} and "empty document" in empty["warning"]


def test_one_parquet_file_with_o(feed: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow (the parquet extra) is not installed")
    _cluster(str(feed), "--format", "parquet", "-o", str(tmp_path / "all.parquet"))
    assert [r["id"] for r in pq.read_table(tmp_path / "all.parquet").to_pylist()] == \
        [r["id"] for r in _jsonl_rows(feed)]


def test_parts_to_an_fsspec_url_on_the_dask_engine(feed: Path) -> None:
    pytest.importorskip("dask", reason="the dask extra is not installed")
    import fsspec

    expected = _jsonl_rows(feed)
    _cluster(str(feed), "--format", "jsonl", "--output-dir", "memory://parts-test/out", "--part-size", "10",
             "--engine", "dask", "--scheduler", "threads")
    fs = fsspec.filesystem("memory")
    names = sorted(fs.ls("/parts-test/out", detail=False))
    rows = [json.loads(line) for name in names for line in fs.cat(name).decode().splitlines()]
    assert len(names) == 3 and rows == expected


def test_parts_written_by_the_workers_of_a_local_cluster(feed: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="dask's distributed scheduler is not installed")
    expected = _jsonl_rows(feed)
    _cluster(str(feed), "--format", "jsonl", "--output-dir", str(tmp_path / "out"), "--part-size", "5",
             "--engine", "dask", "--scheduler", "local", "--jobs", "2")
    assert _part_rows(tmp_path / "out", "jsonl") == expected


@pytest.mark.parametrize("args, message", [
    (["--format", "parquet"], "parquet is binary: give -o FILE or --output-dir"),
    (["--format", "table", "--output-dir", "out"], "--output-dir writes jsonl or parquet"),
    (["--format", "jsonl", "--output-dir", "out", "--pair", "a", "b"], "does not combine with --output-dir"),
    (["--format", "jsonl", "--output-dir", "out", "-o", "rows.jsonl"], "either -o FILE or --output-dir, not both"),
])
def test_output_options_that_do_not_fit_stop_before_the_run(feed: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["cluster", str(feed), *args])
    assert result.exit_code == 2 and message in result.output


def test_a_destination_that_cannot_be_written_is_named(feed: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["cluster", str(feed), "--format", "jsonl", "--output-dir", str(blocker / "out")])
    assert result.exit_code == 1 and str(blocker / "out") in result.output


def test_a_destination_with_parts_of_an_earlier_run_stops_the_run(feed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _cluster(str(feed), "--format", "jsonl", "--output-dir", str(out), "--part-size", "7")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = CliRunner().invoke(main, ["cluster", str(feed), "--format", "parquet", "--output-dir", str(out)])
    assert result.exit_code == 1 and "already holds parts (part-00000.jsonl" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing written or removed
