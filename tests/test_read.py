"""Read stage: folders, text files, JSONL (plain, gzip, stdin), and the records that cannot be read."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from dedupe import InputError, Record, read_inputs


def _write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _read(*inputs: str, stdin: io.StringIO | None = None) -> list[Record]:
    return list(read_inputs(list(inputs), stdin=stdin))


def test_folder_ids_are_posix_paths_relative_to_the_folder(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "b.txt").write_text("Second story.", encoding="utf-8")
    (root / "sub" / "a.txt").write_text("First story.", encoding="utf-8")
    (root / "sub" / "deeper" / "c.txt").write_text("Third story.", encoding="utf-8")
    (root / "sub" / "notes.md").write_text("not an article", encoding="utf-8")

    records = _read(str(root))

    assert sorted(r.id for r in records) == ["b.txt", "sub/a.txt", "sub/deeper/c.txt"]
    assert {r.id: r.text for r in records}["sub/a.txt"] == "First story."
    assert all(r.warning is None for r in records)


def test_text_file_id_is_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Headline\n\nBody of the story.\n", encoding="utf-8")

    [record] = _read(str(path))

    assert record.id == str(path)
    assert record.text == "Headline\n\nBody of the story.\n"
    assert record.warning is None


def test_jsonl_metadata_and_extra_fields(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "feed.jsonl", [
        {"id": "a1", "text": "Story one.", "title": "One", "url": "https://example.org/1",
         "source": "Example Wire", "published": "2024-01-08", "lang": "en", "tags": ["iraq", "us"]},
        {"id": 7, "text": "Story two."},
    ])

    first, second = _read(str(path))

    assert (first.id, first.text, first.title, first.url, first.source, first.published) == (
        "a1", "Story one.", "One", "https://example.org/1", "Example Wire", "2024-01-08")
    assert first.extra == {"lang": "en", "tags": ["iraq", "us"]}
    assert second.id == "7"
    assert second.title is None and second.extra == {}


def test_jsonl_record_without_id_gets_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "first", "text": "A."}) + "\n\n" + json.dumps({"text": "B."}) + "\n",
                    encoding="utf-8")

    records = _read(str(path))

    assert [r.id for r in records] == ["first", "3"]
    assert records[1].text == "B."


def test_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"id": "g1", "text": "Zipped story."}) + "\n")
        out.write(json.dumps({"id": "g2", "text": "Another one."}) + "\n")

    assert [(r.id, r.text) for r in _read(str(path))] == [("g1", "Zipped story."), ("g2", "Another one.")]


def test_stdin_dash_reads_jsonl_from_the_given_stream() -> None:
    stream = io.StringIO(json.dumps({"id": "s1", "text": "From a pipe."}) + "\n"
                         + json.dumps({"text": "No id."}) + "\n")

    records = _read("-", stdin=stream)

    assert [(r.id, r.text) for r in records] == [("s1", "From a pipe."), ("2", "No id.")]


def test_malformed_json_line_is_kept_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps({"id": "ok1", "text": "Fine."}) + "\n"
                    + '{"id": "bad", "text": "unterminated\n'
                    + json.dumps({"id": "ok3", "text": "Also fine."}) + "\n", encoding="utf-8")

    records = _read(str(path))

    assert [r.id for r in records if r.warning is None] == ["ok1", "ok3"]
    [bad] = [r for r in records if r.warning is not None]
    assert bad.text == ""
    assert "feed.jsonl" in bad.warning and "line 2" in bad.warning


def test_record_without_text_names_its_fields(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "feed.jsonl", [{"id": "t1", "title": "Only a title", "body": "wrong key"}])

    [record] = _read(str(path))

    assert record.id == "t1" and record.text == ""
    assert record.warning is not None
    assert "feed.jsonl" in record.warning and "line 1" in record.warning
    for name in ("text", "id", "title", "body"):
        assert name in record.warning


def test_text_file_with_invalid_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Headline\nSecond line\n".encode() + "Caf\xe9 third line\n".encode("latin-1"))

    [record] = _read(str(path))

    assert record.text == ""
    assert record.warning is not None
    assert "latin1.txt" in record.warning and "line 3" in record.warning


def test_jsonl_with_invalid_utf8_line_keeps_the_other_records(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"id": "x", "text": "one"}\n'
                     b'{"id": "y", "text": "caf\xe9"}\n'
                     b'{"id": "z", "text": "three"}\n')

    records = _read(str(path))

    assert [(r.id, r.text) for r in records if r.warning is None] == [("x", "one"), ("z", "three")]
    warned = [r for r in records if r.warning is not None]
    assert len(warned) == 1
    assert "feed.jsonl" in warned[0].warning and "line 2" in warned[0].warning


def test_nul_byte_file_gets_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"looks like text\nbut\x00is not\n")

    [record] = _read(str(path))

    assert record.text == ""
    assert record.warning is not None and "binary.txt" in record.warning and "line 2" in record.warning


def test_duplicate_ids_across_files_name_both_origins(tmp_path: Path) -> None:
    first = _write_jsonl(tmp_path / "first.jsonl", [{"id": "a", "text": "A."}, {"id": "dup", "text": "B."}])
    second = _write_jsonl(tmp_path / "second.jsonl", [{"id": "dup", "text": "C."}])

    with pytest.raises(InputError) as info:
        _read(str(first), str(second))

    message = str(info.value)
    assert "dup" in message
    assert f"{first}:2" in message and f"{second}:1" in message


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.jsonl"
    with pytest.raises(InputError, match="nowhere.jsonl"):
        _read(str(missing))


def test_folder_without_txt_files_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.md").write_text("nothing here", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        _read(str(tmp_path / "empty"))


def test_fsspec_urls_read_like_local_files_and_folders(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec", reason="fsspec comes with the dask extra")
    memory = fsspec.filesystem("memory")
    article = "Headline\n\nA first paragraph of an article, long enough to count as prose for the cleaner."
    memory.pipe("/feeds/site-a/one.txt", article.encode())
    memory.pipe("/feeds/site-b/day.jsonl.gz", gzip.compress(b'{"id": "b1", "text": "first"}\n{"text": "second"}\n'))
    memory.pipe("/feeds/notes.bin", b"\x00\x01")  # not a known format: not read
    try:
        folder = list(read_inputs(["memory://feeds"]))
        assert [(r.id, r.origin) for r in folder] == [
            ("site-a/one.txt", "memory:///feeds/site-a/one.txt"),
            ("b1", "memory:///feeds/site-b/day.jsonl.gz:1"),
            ("2", "memory:///feeds/site-b/day.jsonl.gz:2"),
        ]
        assert folder[0].text == article
        assert [r.id for r in read_inputs(["memory://feeds/site-a/one.txt"])] == ["memory://feeds/site-a/one.txt"]
        with pytest.raises(InputError, match="memory://nowhere: no such file or folder"):
            list(read_inputs(["memory://nowhere"]))
    finally:
        memory.rm("/feeds", recursive=True)
    local = tmp_path / "one.txt"
    local.write_text(article, encoding="utf-8")
    assert [r.text for r in read_inputs([local.as_uri()])] == [article]
