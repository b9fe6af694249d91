"""The ``Deduper`` API on every index backend: decisions, looking without recording, threads, templates."""

from __future__ import annotations

import random
import socket
import sqlite3
import threading
import zlib
from pathlib import Path

import pytest
from feed_builders import SEEDS, invented_story

from dedupe import Deduper
from dedupe.deduper import parse_time, parse_window
from dedupe.errors import IndexAccessError
from dedupe.params import Params


@pytest.fixture(params=["memory", "sqlite", "redis"])
def index_location(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    if request.param == "redis":
        return str(request.getfixturevalue("redis_url"))
    return None if request.param == "memory" else str(tmp_path / "seen.db")


def test_seeds_rewrite_is_a_duplicate_and_the_rest_are_new(index_location: str | None) -> None:
    with Deduper(index_location) as d:
        decisions = [d.check(p.read_text(encoding="utf-8"), id=p.name) for p in SEEDS]
    assert [x.duplicate for x in decisions] == [False, False, True, False, False]
    rewrite = decisions[2]
    assert (rewrite.duplicate_of, rewrite.matched, rewrite.relation) == (SEEDS[1].name, SEEDS[1].name, "rewrite")
    assert rewrite.evidence is not None and rewrite.evidence["a"] == SEEDS[1].name
    assert rewrite.to_dict()["similarity"] == round(rewrite.similarity or 0, 4)


def test_add_false_only_looks(index_location: str | None) -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    with Deduper(index_location) as d:
        assert not d.check(text, id="a", add=False).duplicate
        assert d.index.size() == 0
        assert not d.check(text, id="a").duplicate
        looked = d.check(text, id="b", add=False)
        assert (looked.duplicate, looked.duplicate_of, looked.relation) == (True, "a", "exact")
        assert d.index.size() == 1


def test_truncated_copy_and_copy_of_a_copy_join_the_first_story(index_location: str | None) -> None:
    text = SEEDS[3].read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n") if p.strip()]
    with Deduper(index_location) as d:
        assert not d.check(text, id="original").duplicate
        edited = "\n\n".join(["Another Outlet", *paragraphs[:-2], "Share this article"])
        first = d.check(edited, id="edited")
        truncated = d.check("\n\n".join(paragraphs[: len(paragraphs) // 3] + ["Read more..."]), id="truncated")
    assert first.duplicate_of == "original" and first.relation in ("near-duplicate", "contained")
    assert truncated.duplicate_of == "original" and truncated.relation == "contained"


def test_same_url_is_the_same_document(index_location: str | None) -> None:
    with Deduper(index_location) as d:
        d.check(SEEDS[0].read_text(encoding="utf-8"), id="v1", url="https://example.org/a")
        updated = d.check(SEEDS[3].read_text(encoding="utf-8"), id="v2", url="https://example.org/a")
    assert (updated.duplicate, updated.duplicate_of, updated.relation) == (True, "v1", "same-url")


def test_empty_or_boilerplate_only_text_is_new_with_a_warning_and_not_recorded(index_location: str | None) -> None:
    with Deduper(index_location) as d:
        empty = d.check("   ", id="empty")
        boiler = d.check("Leave a Comment\nShare on Facebook\n", id="boiler")
        assert d.index.size() == 0
    assert not empty.duplicate and "empty document" in (empty.warning or "")
    assert not boiler.duplicate and "no article text" in (boiler.warning or "")


def test_threads_sharing_one_deduper_pass_each_story_once(index_location: str | None) -> None:
    rng = random.Random(5)
    stories = [invented_story(rng) for _ in range(30)]
    new: list[str] = []
    with Deduper(index_location) as d:
        def work(order: list[int]) -> None:
            for k in order:
                if not d.check(stories[k], id=f"s{k}").duplicate:
                    new.append(f"s{k}")

        threads = [threading.Thread(target=work, args=(random.Random(t).sample(range(30), 30),)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert d.index.size() == 30
    assert sorted(new) == sorted(f"s{k}" for k in range(30))


def test_lines_repeated_across_stories_are_learned_as_template(tmp_path: Path) -> None:
    rng = random.Random(8)
    footer = "The Harbour Gazette brings you the stories that shape the coast, every single morning of the year."
    index = tmp_path / "seen.db"
    with Deduper(index) as d:
        for k in range(8):
            assert not d.check(f"{invented_story(rng)}\n\n{footer}", id=f"s{k}").duplicate
    with sqlite3.connect(index) as db:
        stored = {i: zlib.decompress(t).decode() for i, t in db.execute("SELECT id, text FROM docs")}
    # Five stories carry the line before it counts as template; later ones are stored without it.
    assert [footer in stored[f"s{k}"] for k in range(8)] == [True] * 5 + [False] * 3


def test_an_index_refuses_other_parameters_and_other_cleaning(index_location: str | None) -> None:
    if index_location is None:
        pytest.skip("a memory index lives for one Deduper")
    index = index_location
    Deduper(index).close()
    with pytest.raises(IndexAccessError, match=r"num_perm=128 \(now 64\)"):
        Deduper(index, Params(num_perm=64))
    with pytest.raises(IndexAccessError, match=r"clean=true \(now false\)"):
        Deduper(index, do_clean=False)
    Deduper(index).close()  # the same parameters still open it


def test_window_expires_old_articles_during_a_run(index_location: str | None) -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    rng = random.Random(2)
    with Deduper(index_location, window=parse_window("2d")) as d:
        d.expire_every = 1
        d.check(text, id="first", published="2026-03-01")
        d.check(invented_story(rng), id="later", published="2026-03-05T12:00:00+02:00")
        assert d.index.size() == 1  # 'first' is more than two days older than 'later'
        again = d.check(text, id="again", published="2026-03-05")
    assert not again.duplicate


def test_times_and_windows_parse() -> None:
    assert parse_time("2026-03-01T00:00:00Z") == parse_time("2026-03-01") == 1772323200.0
    assert parse_time("yesterday") is None and parse_time(None) is None
    assert parse_window("7d") == 7 * 86400 and parse_window("90s") == 90 and parse_window("1.5h") == 5400
    for bad in ("7 days", "-1d", "d"):
        with pytest.raises(ValueError, match="window"):
            parse_window(bad)


def test_an_unreachable_redis_is_a_clear_error() -> None:
    pytest.importorskip("redis", reason="needs the redis package")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(IndexAccessError, match=f"redis://127.0.0.1:{port}/0: cannot reach Redis"):
        Deduper(f"redis://127.0.0.1:{port}/0")


def test_sqlite_index_opens_when_another_process_is_writing_the_new_file(tmp_path: Path) -> None:
    # The CI met this: a second filter process opening a fresh index while the first held its
    # write lock got "database is locked" at once (SQLite does not wait when waiting could deadlock).
    from dedupe.index.sqlite_index import SqliteIndex

    path = tmp_path / "seen.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE elsewhere (x)")
    threading.Timer(0.3, other.execute, ["COMMIT"]).start()

    index = SqliteIndex(path, timeout=10)

    assert index.size() == 0
    index.close()
    other.close()
