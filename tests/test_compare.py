"""``dedupe compare``: paragraph overlap and relation of two articles, on the seeds and files built from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dedupe.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
S000, S001, S002, S003, S004 = sorted(SEEDS.glob("*.txt"))


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _compare(a: Path, b: Path) -> dict[str, Any]:
    result = _invoke("compare", str(a), str(b), "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _body(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if len(line.split()) >= 25]


def test_rewrite_seeds_align_in_order() -> None:
    data = _compare(S001, S002)

    assert data["relation"] == "rewrite" and data["direction"] is None
    assert data["jaccard"] < 0.1 and data["aligned"] >= 0.3
    b_order = [p["b"] for p in data["pairs"]]
    assert len(b_order) >= 4 and b_order == sorted(b_order)  # most paragraphs, in order
    assert data["a_in_b"] >= 0.5 and data["b_in_a"] >= 0.5


@pytest.mark.parametrize("a, b", [(S000, S003), (S000, S004), (S003, S004)])
def test_same_topic_seeds_are_unrelated(a: Path, b: Path) -> None:
    data = _compare(a, b)

    assert data["relation"] == "unrelated"
    assert data["a_in_b"] < 0.3 and data["b_in_a"] < 0.3


def test_truncation_is_contained_in_the_right_direction(tmp_path: Path) -> None:
    body = _body(S003)
    short = tmp_path / "short.txt"
    short.write_text("\n\n".join(body[: len(body) // 2 + 1] + ["Read more..."]), encoding="utf-8")

    forward, backward = _compare(short, S003), _compare(S003, short)

    assert forward["relation"] == "contained" and forward["direction"] == "a in b"
    assert backward["relation"] == "contained" and backward["direction"] == "b in a"
    assert forward["a_in_b"] >= 0.9 and forward["b_in_a"] < 0.8


def test_spliced_paragraph_is_partial_and_named(tmp_path: Path) -> None:
    quoted = _body(S000)[1]
    host = _body(S004)
    spliced = tmp_path / "spliced.txt"
    spliced.write_text("\n\n".join(host[:2] + [quoted] + host[2:]), encoding="utf-8")

    data = _compare(spliced, S000)

    assert data["relation"] == "partial"
    [match] = [p for p in data["pairs"] if p["score"] >= 0.9]
    assert match["a"] == 2 and data["b"]["paragraphs"][match["b"]] == quoted
    assert data["a"]["paragraphs"][2] == quoted
    assert len(data["pairs"]) == 1  # the rest of the host article matches nothing


def test_json_fields_and_types() -> None:
    data = _compare(S001, S002)

    assert set(data) == {"a", "b", "relation", "direction", "similarity", "share_unit", "a_in_b", "b_in_a",
                         "cosine", "jaccard", "aligned", "pairs", "unmatched_a", "unmatched_b", "evidence"}
    assert data["share_unit"] == "tokens"
    for side in ("a", "b"):
        assert set(data[side]) == {"id", "title", "url", "paragraphs", "tokens"}
        assert all(isinstance(p, str) for p in data[side]["paragraphs"])
    for pair in data["pairs"]:
        assert set(pair) == {"a", "b", "score", "method", "text", "cosine", "shared_sentences"}
        assert pair["method"] in ("text", "tfidf") and 0.5 <= pair["score"] <= 1
    matched = {p["a"] for p in data["pairs"]}
    assert sorted(matched | set(data["unmatched_a"])) == list(range(len(data["a"]["paragraphs"])))
    assert data["evidence"]["relation"] == data["relation"]
    assert {data["evidence"]["a"], data["evidence"]["b"]} == {data["a"]["id"], data["b"]["id"]}


def test_table_shows_both_texts_side_by_side() -> None:
    result = _invoke("compare", str(S001), str(S002))

    assert result.exit_code == 0
    assert "relation rewrite" in result.stdout and "A1 ↔ B1" in result.stdout
    assert "│" in result.stdout and "\x1b[" not in result.stdout  # no colour codes into a pipe


def test_pick_two_ids_from_a_folder() -> None:
    result = _invoke("compare", str(SEEDS), "--id", S001.name, "--id", S002.name, "--format", "json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["relation"] == "rewrite"


@pytest.mark.parametrize("args, message", [
    ([str(SEEDS)], "holds 5 documents"),
    ([str(SEEDS), "--id", S001.name], "give --id exactly twice"),
    ([str(SEEDS), "--id", S001.name, "--id", "nope.txt"], "no document with id 'nope.txt'"),
])
def test_bad_choice_of_documents(args: list[str], message: str) -> None:
    result = _invoke("compare", *args)

    assert result.exit_code == 2 and message in result.stderr


def test_html_page_marks_shared_words_and_lists_every_paragraph(tmp_path: Path) -> None:
    data = _compare(S001, S002)
    result = _invoke("compare", str(S001), str(S002), "--format", "html")

    assert result.exit_code == 0
    page = result.stdout
    assert "default-src 'none'" in page and "relation <strong>rewrite</strong>" in page
    assert page.count('<tr class="pair">') == len(data["pairs"])
    assert page.count('<tr class="unmatched">') == len(data["unmatched_a"]) + len(data["unmatched_b"])
    assert "<mark>Kataeb</mark>" in page and "<mark>Hezbollah</mark>" in page


def test_show_removed_lists_boilerplate_on_stderr() -> None:
    result = _invoke("compare", str(S001), str(S002), "--show-removed", "--format", "json")

    assert result.exit_code == 0
    assert f"removed {S001}:21 [author bio or outlet promotion] SSBCrackExams is a premium" in result.stderr
    assert json.loads(result.stdout)["relation"] == "rewrite"  # stdout stays clean JSON
