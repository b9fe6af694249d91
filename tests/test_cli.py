"""Command line: ``dedupe cluster`` and ``dedupe clean`` on the seeds, via CliRunner and as real processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dedupe.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_IDS = sorted(p.name for p in SEEDS.glob("*.txt"))
ID_001, ID_002 = "001_11fbaa8c86e3078d.txt", "002_c094ca8cd057c268.txt"
RELATIONS = {"exact", "near-duplicate", "contained", "unique"}


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def _check_seed_clustering(rows: list[dict[str, Any]]) -> None:
    assert [row["id"] for row in rows] == SEED_IDS
    for row in rows:
        assert isinstance(row["id"], str)
        assert isinstance(row["cluster"], int) and not isinstance(row["cluster"], bool)
        assert isinstance(row["representative"], bool)
        assert isinstance(row["similarity"], float) and 0.0 <= row["similarity"] <= 1.0
        assert row["relation"] in RELATIONS
    by_id = {row["id"]: row for row in rows}
    assert by_id[ID_001]["cluster"] == by_id[ID_002]["cluster"]
    assert by_id[ID_001]["relation"] != "unique" and by_id[ID_002]["relation"] != "unique"
    assert [by_id[i]["representative"] for i in (ID_001, ID_002)].count(True) == 1
    others = [row for row in rows if row["id"] not in (ID_001, ID_002)]
    clusters = [row["cluster"] for row in rows]
    for row in others:
        assert clusters.count(row["cluster"]) == 1
        assert row["relation"] == "unique" and row["representative"] is True


def test_cluster_jsonl_on_the_seeds() -> None:
    result = _invoke("cluster", str(SEEDS), "--format", "jsonl")

    assert result.exit_code == 0, result.stderr
    _check_seed_clustering(_jsonl(result.stdout))


def test_cluster_json_has_parameters_clusters_stats_warnings() -> None:
    result = _invoke("cluster", str(SEEDS), "--format", "json")

    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert {"parameters", "clusters", "stats", "warnings"} <= set(payload)
    assert payload["parameters"]["minhash_scheme"] == "affine32"
    assert payload["warnings"] == []
    assert sum(c["size"] for c in payload["clusters"]) == len(SEED_IDS)
    [story] = [c for c in payload["clusters"] if c["size"] > 1]
    assert {m["id"] for m in story["members"]} == {ID_001, ID_002}


def test_cluster_table_names_the_story_members() -> None:
    result = _invoke("cluster", str(SEEDS), "--format", "table")

    assert result.exit_code == 0, result.stderr
    for seed_id in SEED_IDS:
        assert seed_id in result.stdout


def test_output_option_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "clusters.jsonl"

    result = _invoke("cluster", str(SEEDS), "--format", "jsonl", "-o", str(out))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    _check_seed_clustering(_jsonl(out.read_text(encoding="utf-8")))


def test_malformed_jsonl_line_is_reported_and_kept(tmp_path: Path) -> None:
    texts = [(SEEDS / name).read_text(encoding="utf-8") for name in SEED_IDS]
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "s0", "text": texts[0]}) + "\n"
                    + '{"id": "broken", "text": "no closing quote\n'
                    + json.dumps({"id": "s3", "text": texts[3]}) + "\n", encoding="utf-8")

    result = _invoke("cluster", str(feed), "--format", "jsonl")

    assert result.exit_code == 0, result.stderr
    assert "feed.jsonl" in result.stderr and "line 2" in result.stderr
    rows = _jsonl(result.stdout)
    assert len(rows) == 3
    assert [row["id"] for row in (rows[0], rows[2])] == ["s0", "s3"]
    assert "warning" in rows[1] and "line 2" in rows[1]["warning"]
    assert rows[1]["relation"] == "unique"
    assert all("warning" not in row for row in (rows[0], rows[2]))


def test_missing_input_path_fails_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"

    result = _invoke("cluster", str(missing))

    assert result.exit_code != 0
    assert str(missing) in result.stderr


def test_out_of_range_threshold_fails_clearly() -> None:
    result = _invoke("cluster", str(SEEDS), "--threshold", "1.5")

    assert result.exit_code != 0
    assert "threshold" in result.stderr and "1.5" in result.stderr
    assert result.stdout == ""


def test_pair_prints_the_evidence() -> None:
    result = _invoke("cluster", str(SEEDS), "--format", "json", "--pair", ID_001, ID_002)

    assert result.exit_code == 0, result.stderr
    [evidence] = _jsonl(result.stdout)
    assert (evidence["a"], evidence["b"]) == (ID_001, ID_002)
    assert evidence["relation"] == "rewrite"
    assert 0.0 < evidence["similarity"] <= 1.0


def test_pair_with_unknown_id_fails() -> None:
    result = _invoke("cluster", str(SEEDS), "--pair", ID_001, "nope.txt")

    assert result.exit_code != 0
    assert "nope.txt" in result.stderr


def test_clean_jsonl_lists_removed_lines() -> None:
    result = _invoke("clean", str(SEEDS), "--format", "jsonl")

    assert result.exit_code == 0, result.stderr
    rows = _jsonl(result.stdout)
    assert [row["id"] for row in rows] == SEED_IDS
    for row in rows:
        assert isinstance(row["text"], str) and row["text"]
        lines = (SEEDS / row["id"]).read_text(encoding="utf-8").splitlines()
        for removed in row["removed"]:
            assert set(removed) == {"line", "text", "reason"}
            assert lines[removed["line"] - 1].strip() == removed["text"]
            assert removed["reason"]
        kept = Counter(line.strip() for line in row["text"].splitlines() if line.strip())
        removed_texts = Counter(r["text"] for r in row["removed"])
        assert kept == Counter(line.strip() for line in lines if line.strip()) - removed_texts
    by_id = {row["id"]: row for row in rows}
    assert [r["line"] for r in by_id[ID_001]["removed"]] == [3, 5, 17, 19, 21, 23]
    assert by_id["000_bfbadb3f299e418c.txt"]["removed"] == []


def _console_command() -> str:
    return shutil.which("dedupe") or os.path.join(os.path.dirname(sys.executable), "dedupe")


def test_installed_console_command() -> None:
    command = _console_command()
    if not os.path.exists(command):
        pytest.fail(f"console script not installed: {command}")

    done = subprocess.run([command, "cluster", str(SEEDS), "--format", "jsonl"], capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    _check_seed_clustering(_jsonl(done.stdout))


def test_checkout_launcher_cli_py() -> None:
    done = subprocess.run([sys.executable, "cli.py", "cluster", str(SEEDS), "--format", "jsonl"],
                          cwd=ROOT, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    _check_seed_clustering(_jsonl(done.stdout))


def test_cluster_show_removed_names_each_removed_line_where_it_stands() -> None:
    result = _invoke("cluster", str(SEEDS), "--show-removed", "-q", "--format", "jsonl")
    assert result.exit_code == 0
    removed = [line for line in result.stderr.splitlines() if line.startswith("removed ")]
    by_file = Counter(line.split()[1].rsplit(":", 1)[0] for line in removed)
    assert len(by_file) >= 3  # 001, 003 and 004 end in boilerplate
    for line in removed:
        where, rest = line[len("removed "):].split(" ", 1)
        path, number = where.rsplit(":", 1)
        text = rest.split("] ", 1)[1]
        source = Path(path).read_text(encoding="utf-8").splitlines()[int(number) - 1].strip()
        assert source == text
    assert any("is a premium online portal" in line for line in removed)
