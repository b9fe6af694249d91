"""Hostile inputs give a clear message or a clean result, never a crash: empty, binary, a 50 MB line,
deeply nested and malformed HTML."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedupe import Deduper
from dedupe.cli import main


def _clean(path: Path) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(main, ["clean", str(path), "--format", "jsonl"])
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def test_empty_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    code, rows, err = _clean(path)
    assert code == 0 and rows[0]["text"] == ""
    assert f"{path}: empty document" in err


def test_binary_file_is_reported_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"GIF89a" + bytes(range(256)) * 50)
    code, rows, err = _clean(path)
    assert code == 0 and rows[0]["text"] == ""
    assert f"{path}, line 1: binary data (NUL byte at offset" in err


def test_a_50_mb_single_line_is_refused_with_its_size(tmp_path: Path) -> None:
    rng = random.Random(4)
    words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    path = tmp_path / "one-line.txt"
    chunk = " ".join(rng.choice(words) for _ in range(100_000)) + " "
    with path.open("w", encoding="utf-8") as out:
        while out.tell() < 50_000_000:
            out.write(chunk)
    code, rows, err = _clean(path)
    assert code == 0 and rows[0]["text"] == ""
    assert "characters, over the 2,000,000-character limit for one article; not compared" in err
    with Deduper() as d:
        decision = d.check(path.read_text(encoding="utf-8"), id="huge")
    assert not decision.duplicate and "2,000,000-character limit" in (decision.warning or "")


def test_deeply_nested_html_keeps_its_text(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura", reason="HTML input needs trafilatura (pip install 'news-dedupe[html]')")
    sentence = "The council approved the new harbour budget after a long debate on Tuesday evening."
    path = tmp_path / "nested.html"
    path.write_text("<html><body>" + "<div>" * 50_000 + f"<p>{sentence}</p>" + "</div>" * 50_000
                    + "</body></html>", encoding="utf-8")
    code, rows, err = _clean(path)
    assert code == 0, err
    assert sentence in str(rows[0]["text"])


def test_malformed_html_gives_its_text(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura", reason="HTML input needs trafilatura (pip install 'news-dedupe[html]')")
    sentence = "Officials said the bridge would reopen to traffic on Friday after two weeks of repairs."
    path = tmp_path / "broken.html"
    path.write_text("<html><body><p>Unclosed <b>bold <i>italic <div><table><tr><td>cell<p>para</body>"
                    + "<<>><</" * 2000 + "<script>var x = '</p>';</script>" + f"<p>{sentence}", encoding="utf-8")
    code, rows, err = _clean(path)
    assert code == 0, err
    assert sentence in str(rows[0]["text"])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_document_of_template_lines_only_is_reported_as_boilerplate_not_empty(tmp_path: Path, jobs: str) -> None:
    """A document whose every line is one outlet's template has text, but none left once the template
    lines go: its warning says so (the workers drop raw texts once cleaned; the warning must not
    take it for an empty document)."""
    rng = random.Random(8)
    template = ["Harbor Gazette brings readers independent reporting from the whole coast since 1931",
                "Local voices and sharp analysis every single morning of the week for our readers"]

    def story() -> str:
        words = [rng.choice(string.ascii_lowercase) * rng.randint(3, 8) for _ in range(60)]
        sentences = [" ".join(words[k:k + 15]).capitalize() + "." for k in range(0, 60, 15)]
        return "\n\n".join([*template, *sentences])

    records = [{"id": f"s{k}", "text": story()} for k in range(8)]
    records.append({"id": "only-template", "text": "\n\n".join(template)})
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(main, ["cluster", str(feed), "--format", "jsonl", "--jobs", jobs])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["only-template"]["relation"] == "unique"
    assert "no article text left after boilerplate removal" in rows["only-template"]["warning"]
    assert all("warning" not in rows[f"s{k}"] or not rows[f"s{k}"]["warning"] for k in range(8))
