"""``dedupe filter``: new stories pass unchanged, duplicates are held back, state survives restarts."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from feed_builders import SEEDS, invented_story, seed_feed

from dedupe import Deduper
from dedupe.cli import main


def _seed_lines() -> list[str]:
    return [json.dumps({"id": p.name, "text": p.read_text(encoding="utf-8"), "lang": "en"}) + "\n" for p in SEEDS]


def _filter(args: list[str], stdin: str | bytes = "") -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["filter", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_new_stories_pass_unchanged_and_the_rewrite_is_held_back(tmp_path: Path) -> None:
    lines = _seed_lines()
    dups = tmp_path / "dups.jsonl"
    code, out, err = _filter(["--duplicates", str(dups)], "".join(lines))
    assert code == 0, err
    # Seed 002 rewrites 001; the other three are different stories.
    assert out == "".join(lines[i] for i in (0, 1, 3, 4))
    held = [json.loads(line) for line in dups.read_text().splitlines()]
    assert [(h["id"], h["duplicate_of"], h["relation"]) for h in held] == [
        (SEEDS[2].name, SEEDS[1].name, "rewrite")]
    assert held[0]["lang"] == "en" and held[0]["text"] == SEEDS[2].read_text(encoding="utf-8")
    assert 0 < held[0]["similarity"] <= 1
    assert "5 records, 4 new, 1 duplicates, 0 rejected" in err


def test_a_second_run_over_the_same_feed_passes_nothing(tmp_path: Path) -> None:
    feed = seed_feed(tmp_path / "feed.jsonl", copies=8)
    index = tmp_path / "seen.db"
    code, first, err = _filter([str(feed), "--index", str(index)])
    assert code == 0, err
    passed = [json.loads(line)["id"] for line in first.splitlines()]
    # One story per seed except the rewrite pair: four stories, whatever copy came first.
    assert len(passed) == 4 and len({p[:3] for p in passed} - {"002"}) >= 3
    code, second, err = _filter([str(feed), "--index", str(index)])
    assert code == 0, err
    assert second == ""
    assert f"0 new, {len(feed.read_text().splitlines())} duplicates" in err


def test_records_that_cannot_be_read_are_reported_and_copied_to_rejects(tmp_path: Path) -> None:
    lines = [line.encode() for line in _seed_lines()]
    bad_json, not_utf8, no_text = b'{"id": "x", "text": \n', b'{"id": "y", "text": "caf\xe9"}\n', b'{"id": "z"}\n'
    feed = b"".join([lines[0], bad_json, lines[3], not_utf8, no_text, lines[4]])
    rejects = tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(main, ["filter", "--rejects", str(rejects)], input=feed)
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [SEEDS[i].name for i in (0, 3, 4)]
    assert rejects.read_bytes() == bad_json + not_utf8 + no_text
    for lineno in (2, 4, 5):
        assert f"<stdin>, line {lineno}:" in result.stderr
    assert "3 rejected" in result.stderr


def test_strict_stops_at_the_first_bad_line_after_passing_what_came_before(tmp_path: Path) -> None:
    lines = _seed_lines()
    code, out, err = _filter(["--strict"], lines[0] + "not json\n" + lines[3])
    assert code == 1
    assert out == lines[0]
    assert "line 2" in err and "--strict" in err


def test_window_forgets_stories_older_than_it(tmp_path: Path) -> None:
    index = tmp_path / "seen.db"
    old, recent = SEEDS[0].read_text(encoding="utf-8"), SEEDS[3].read_text(encoding="utf-8")
    first = [json.dumps({"id": "old", "text": old, "published": "2026-01-01T08:00:00Z"}),
             json.dumps({"id": "recent", "text": recent, "published": "2026-01-10T08:00:00Z"})]
    assert _filter(["--index", str(index), "--window", "7d"], "\n".join(first) + "\n")[1].count("\n") == 2
    again = [json.dumps({"id": "old-copy", "text": old, "published": "2026-01-11T08:00:00Z"}),
             json.dumps({"id": "recent-copy", "text": recent, "published": "2026-01-11T09:00:00Z"})]
    code, out, err = _filter(["--index", str(index), "--window", "7d"], "\n".join(again) + "\n")
    assert code == 0, err
    # 'old' (Jan 1) is more than 7 days before the newest article (Jan 10): forgotten, so its copy is new.
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["old-copy"]
    with sqlite3.connect(index) as db:
        ids = {row[0] for row in db.execute("SELECT id FROM docs")}
    assert ids == {"recent", "old-copy"}  # an exact copy ('recent-copy') is not stored twice


def test_bad_window_and_changed_parameters_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    code, _, err = _filter(["--window", "7 days"], "")
    assert code == 2 and "--window" in err and "7d" in err
    index = tmp_path / "seen.db"
    assert _filter(["--index", str(index)], _seed_lines()[0])[0] == 0
    code, _, err = _filter(["--index", str(index), "--shingle-size", "4"], _seed_lines()[1])
    assert code == 1
    assert str(index) in err and "shingle_size=5 (now 4)" in err
    not_an_index = tmp_path / "notes.txt"
    not_an_index.write_text("hello " * 1000)
    code, _, err = _filter(["--index", str(not_an_index)], "")
    assert code == 1 and "cannot open as a dedupe index" in err


def _invented_feed(n: int) -> list[str]:
    rng = random.Random(11)
    return [json.dumps({"id": f"story-{k}", "text": invented_story(rng)}) + "\n" for k in range(n)]


def test_killed_filter_keeps_every_decision_it_printed(tmp_path: Path) -> None:
    index = tmp_path / "seen.db"
    feed = _invented_feed(60)
    command = [sys.executable, "-m", "dedupe.cli", "filter", "--index", str(index), "-q"]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    printed = []
    for line in feed[:40]:
        proc.stdin.write(line)
        proc.stdin.flush()
        printed.append(json.loads(proc.stdout.readline())["id"])  # new stories, printed one by one
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert printed == [f"story-{k}" for k in range(40)]

    with sqlite3.connect(index) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    code, out, err = _filter(["--index", str(index)], "".join(feed))
    assert code == 0, err
    # Everything printed before the kill is remembered; the rest is new.
    assert [json.loads(line)["id"] for line in out.splitlines()] == [f"story-{k}" for k in range(40, 60)]


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_two_filters_on_one_index_pass_each_story_once(tmp_path: Path, backend: str,
                                                       request: pytest.FixtureRequest) -> None:
    index = tmp_path / "seen.db" if backend == "sqlite" else request.getfixturevalue("redis_url")
    feed = _invented_feed(40)
    halves = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    # Both processes get every story (in opposite orders): together they must pass each exactly once.
    halves[0].write_text("".join(feed))
    halves[1].write_text("".join(reversed(feed)))
    procs = [subprocess.Popen([sys.executable, "-m", "dedupe.cli", "filter", str(h), "--index", str(index), "-q"],
                              stdout=subprocess.PIPE, text=True) for h in halves]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    passed = [json.loads(line)["id"] for out in outputs for line in out.splitlines()]
    assert sorted(passed) == sorted(f"story-{k}" for k in range(40))
    with Deduper(index) as d:
        assert d.index.size() == 40  # exact copies are not stored twice
    if backend == "sqlite":
        with sqlite3.connect(index) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("index_kind", ["memory", "sqlite", "redis"])
def test_text_files_pass_as_json_objects(tmp_path: Path, index_kind: str, request: pytest.FixtureRequest) -> None:
    location = str(tmp_path / "i.db") if index_kind == "sqlite" else request.getfixturevalue("redis_url")
    args = [str(p) for p in SEEDS] + (["--index", location] if index_kind != "memory" else [])
    code, out, err = _filter(args)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [str(SEEDS[i]) for i in (0, 1, 3, 4)]
    assert rows[0]["text"] == SEEDS[0].read_text(encoding="utf-8")


def test_a_second_run_on_redis_passes_nothing(redis_url: str) -> None:
    lines = "".join(_seed_lines())
    code, out, err = _filter(["--index", redis_url], lines)
    assert code == 0 and len(out.splitlines()) == 4, err
    code, out, err = _filter(["--index", redis_url], lines)
    assert code == 0 and out == "", err
    assert "0 new, 5 duplicates" in err


def test_batch_size_does_not_change_the_decisions(tmp_path: Path) -> None:
    feed = seed_feed(tmp_path / "feed.jsonl", copies=10)
    outputs = []
    for batch in ("1", "7", "500"):
        dups = tmp_path / f"dups-{batch}.jsonl"
        code, out, err = _filter([str(feed), "--batch", batch, "--index", str(tmp_path / f"{batch}.db"),
                                  "--duplicates", str(dups)])
        assert code == 0, err
        outputs.append((out, dups.read_text()))
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0][0].splitlines()) == 4
