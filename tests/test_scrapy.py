"""A real Scrapy crawl of pages served on 127.0.0.1, through ``dedupe.scrapy.DedupePipeline``."""

from __future__ import annotations

import functools
import html
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from feed_builders import SEEDS

pytest.importorskip("scrapy", reason="the Scrapy pipeline needs scrapy (pip install 'news-dedupe[scrapy]')")

SPIDER = '''
import scrapy


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, start, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start]

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, self.parse_article)

    def parse_article(self, response):
        yield {"url": response.url, "title": response.css("title::text").get(),
               "text": "\\n\\n".join(response.css("p::text").getall())}
'''


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
    return f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>"


def _site(folder: Path) -> dict[str, str]:
    """Article pages and an index linking them; returns each page's story."""
    stories = {}
    texts = {p.stem[:3]: [line for line in p.read_text(encoding="utf-8").splitlines() if line.strip()] for p in SEEDS}
    pages = {f"{k}.html": (k, lines) for k, lines in texts.items()}
    # Another outlet's copy of 000, and a truncated copy of 003, each in its own wrapping.
    pages["copy-000.html"] = ("000", ["Daily Planet Wire", *texts["000"], "Follow us on Twitter"])
    pages["short-003.html"] = ("003", [*texts["003"][: len(texts["003"]) // 3], "Read more..."])
    for name, (story, lines) in pages.items():
        (folder / name).write_text(_page(lines[0], lines), encoding="utf-8")
        stories[name] = "001" if story == "002" else story  # 002 rewrites 001: one story
    links = "".join(f'<a href="{name}">{name}</a>\n' for name in pages)
    (folder / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    return stories


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path / "site"
    folder.mkdir()
    stories = _site(folder)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html", stories
    server.shutdown()
    server.server_close()


def _crawl(tmp_path: Path, start: str, index: Path, run: str) -> tuple[list[dict[str, str]], dict[str, int]]:
    spider = tmp_path / "spider.py"
    spider.write_text(SPIDER, encoding="utf-8")
    items, log = tmp_path / f"items-{run}.jsonl", tmp_path / f"log-{run}.txt"
    settings = {"ITEM_PIPELINES": json.dumps({"dedupe.scrapy.DedupePipeline": 300}), "DEDUPE_INDEX": str(index),
                "DEDUPE_TEXT_FIELD": "text", "LOG_FILE": str(log), "LOG_LEVEL": "INFO",
                "ROBOTSTXT_OBEY": "False", "TELNETCONSOLE_ENABLED": "False"}
    command = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", f"start={start}", "-O", f"{items}:jsonl"]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert done.returncode == 0, done.stderr + log.read_text()
    text = log.read_text()
    stats = {k: int(v) for k, v in re.findall(r"'(dedupe/[^']+)': (\d+)", text)}
    return [json.loads(line) for line in items.read_text().splitlines()], stats


def test_a_crawl_keeps_one_page_per_story_and_a_second_crawl_keeps_none(
        tmp_path: Path, site: tuple[str, dict[str, str]]) -> None:
    start, stories = site
    index = tmp_path / "seen.db"
    items, stats = _crawl(tmp_path, start, index, "first")
    kept = [stories[item["url"].rsplit("/", 1)[1]] for item in items]
    # Seven pages, four stories (000 and its copy; 001 and its rewrite 002; 003 and its excerpt; 004).
    assert sorted(kept) == ["000", "001", "003", "004"]
    assert stats["dedupe/new"] == 4 and stats["dedupe/duplicate"] == 3
    assert stats.get("dedupe/duplicate/rewrite") == 1

    items, stats = _crawl(tmp_path, start, index, "second")
    assert items == []
    assert stats["dedupe/duplicate"] == 7 and "dedupe/new" not in stats
