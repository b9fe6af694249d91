"""HTML rendered to plain text with every visible line kept; hostile markup never crashes or hangs."""

from __future__ import annotations

import time

import pytest

from dedupe.render import html_to_text

from benchmarks import extraction


def test_blocks_become_lines_and_hidden_parts_go() -> None:
    page = ("<html><head><title>Tab title</title><style>p {color: red}</style></head><body>"
            "<nav><ul><li>Home</li><li>World</li></ul></nav><article><h1>Headline</h1>"
            "<p>First &amp; <a href='#'>linked</a> sentence.</p><p>Second<br/>line</p></article>"
            "<script>var x = '<p>not text</p>';</script><noscript>Enable JS</noscript>"
            "<footer>© 2026 Outlet</footer></body></html>")

    assert html_to_text(page).splitlines() == ["Home", "World", "Headline", "First & linked sentence.",
                                               "Second", "line", "© 2026 Outlet"]


@pytest.mark.parametrize("page, expected", [
    ("<div>" * 200_000 + "deep" + "</div>" * 200_000, "deep"),
    ("<p>unclosed <b>bold <i>italic</p><p>next", "unclosed bold italic\nnext"),
    ("<script>never closed <p>hidden", ""),
    ("</p></div>stray closers<p>", "stray closers"),
    ("\x00\x01\x02 binary-ish \ufffd", "\x00\x01\x02 binary-ish \ufffd"),
    ("", ""),
])
def test_hostile_markup_gives_text_quickly(page: str, expected: str) -> None:
    start = time.perf_counter()
    assert html_to_text(page) == expected
    assert time.perf_counter() - start < 10


def test_one_50_mb_line_is_rendered() -> None:
    page = "<p>" + "word " * 10_000_000 + "</p>"
    text = html_to_text(page)
    assert text.count("word") == 10_000_000 and "\n" not in text


@pytest.mark.skipif(not extraction.available(), reason="needs ../shared/data/article-extraction-benchmark")
def test_rendering_keeps_the_article_of_every_benchmark_page() -> None:
    recalls = [extraction.page_scores(html_to_text(html), gold)[1] for _, html, gold in extraction.pages()]
    assert sum(recalls) / len(recalls) >= 0.98  # all visible text: the article is in it
    assert min(recalls) >= 0.5
