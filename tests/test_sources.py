"""Every source format (text, HTML, JSONL, JSON, RSS, Atom, WARC, gzip) yields the same stories for the
same articles, with their metadata; sources that cannot be read are reported and skipped."""

from __future__ import annotations

import gzip
import html
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from feed_builders import SEEDS

from dedupe import InputError, read_inputs
from dedupe.cli import main
from dedupe.read import ReadOptions

pytest.importorskip("trafilatura", reason="HTML sources need trafilatura (pip install 'news-dedupe[html]')")

ARTICLES = {p.stem[:3]: [line.strip() for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            for p in SEEDS}
DATES = {"000": "2026-06-15T08:00:00Z", "001": "2026-06-16T09:30:00Z", "002": "2026-06-16T11:00:00Z",
         "003": "2026-06-17T07:15:00Z", "004": "2026-06-18T12:45:00Z"}


def _page(key: str) -> str:
    """A news page for a seed: site chrome around an <article> holding its paragraphs."""
    lines = ARTICLES[key]
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines[1:])
    nav = "".join(f'<li><a href="/s/{k}">Section {k}</a></li>' for k in range(8))
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(lines[0])}</title>"
            f"<meta property='article:published_time' content='{DATES[key]}'></head><body>"
            f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{html.escape(lines[0])}</h1>\n{body}"
            "</article></main><footer><p>© 2026 Example Media. All rights reserved.</p>"
            "<p>Subscribe to our newsletter</p></footer></body></html>")


def _stories(rows: list[dict[str, object]], key_of: dict[str, str]) -> list[list[str]]:
    """The clusters of a cluster --format jsonl output, as sorted lists of seed keys."""
    groups: dict[object, list[str]] = {}
    for row in rows:
        groups.setdefault(row["cluster"], []).append(key_of[str(row["id"])])
    return sorted(sorted(g) for g in groups.values())


def _cluster(*args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(main, ["cluster", *args, "--format", "jsonl", "-q"])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


EXPECTED = [["000"], ["001", "002"], ["003"], ["004"]]


def test_html_folder(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "2026").mkdir(parents=True)
    for key in ARTICLES:
        (folder / "2026" / f"{key}.html").write_text(_page(key), encoding="utf-8")
    rows = _cluster(str(folder))
    assert _stories(rows, {f"2026/{k}.html": k for k in ARTICLES}) == EXPECTED
    first = next(r for r in rows if r["id"] == "2026/000.html")
    assert first["title"] == ARTICLES["000"][0]
    assert str(first["published"]).startswith("2026-06-15")


def _rss(keys: list[str]) -> str:
    items = "".join(
        f"<item><title>{html.escape(ARTICLES[k][0])}</title><link>https://example.org/{k}</link>"
        f"<guid>urn:story:{k}</guid><pubDate>{_rfc822(DATES[k])}</pubDate>"
        f"<description>{html.escape(ARTICLES[k][1][:120])}</description>"
        f"<content:encoded><![CDATA[{''.join(f'<p>{html.escape(p)}</p>' for p in ARTICLES[k][1:])}]]>"
        "</content:encoded></item>" for k in keys)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example Wire</title>'
            f"<link>https://example.org/</link><description>news</description>{items}</channel></rss>")


def _atom(keys: list[str]) -> str:
    entries = "".join(
        f"<entry><title>{html.escape(ARTICLES[k][0])}</title><link href='https://example.net/{k}'/>"
        f"<id>tag:example.net,2026:{k}</id><updated>{DATES[k]}</updated>"
        f"<content type='html'>{html.escape(''.join(f'<p>{html.escape(p)}</p>' for p in ARTICLES[k][1:]))}"
        "</content></entry>" for k in keys)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Example Atom</title><id>tag:example.net,2026:feed</id><updated>2026-06-18T12:45:00Z</updated>"
            f"{entries}</feed>")


def _rfc822(iso: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def test_rss_and_atom_feeds_with_html_content(tmp_path: Path) -> None:
    rss, atom = tmp_path / "wire.rss", tmp_path / "other.atom"
    rss.write_text(_rss(["000", "001", "003"]), encoding="utf-8")
    atom.write_text(_atom(["002", "004"]), encoding="utf-8")
    rows = _cluster(str(rss), str(atom))
    key_of = {**{f"urn:story:{k}": k for k in ARTICLES}, **{f"tag:example.net,2026:{k}": k for k in ARTICLES}}
    assert _stories(rows, key_of) == EXPECTED
    by_id = {r["id"]: r for r in rows}
    assert by_id["urn:story:001"]["source"] == "Example Wire"
    assert by_id["urn:story:001"]["url"] == "https://example.org/001"
    assert by_id["urn:story:001"]["published"] == DATES["001"]
    assert by_id["tag:example.net,2026:002"]["title"] == ARTICLES["002"][0]


def _warc(path: Path, pages: list[tuple[str, bytes, str]], *, broken: bool = True) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)

        def response(url: str, body: bytes, content_type: str, status: str = "200 OK",
                     extra: list[tuple[str, str]] | None = None) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))

        for url, body, content_type in pages:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            response(url, body, content_type)
        response("https://example.org/old", b"", "text/html", "301 Moved Permanently",
                 [("Location", "https://example.org/new")])
        response("https://example.org/missing", b"<html><body><p>Not found</p></body></html>", "text/html",
                 "404 Not Found")
        response("https://example.org/logo.png", b"\x89PNG\r\n\x1a\n", "image/png")
        if broken:
            record = writer.create_warc_record("https://example.org/broken", "resource",
                                               payload=io.BytesIO(b"GARBAGE\r\n\r\n<html></html>"),
                                               warc_content_type="application/http; msgtype=response")
            record.rec_headers.replace_header("WARC-Type", "response")
            writer.write_record(record)


def test_warc_pages_with_redirects_errors_and_a_broken_record(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    pages = [(f"https://example.org/{k}", _page(k).encode("utf-8"), "text/html; charset=utf-8") for k in ARTICLES]
    # One page in another charset, declared in its HTTP header.
    pages[3] = (pages[3][0], _page("003").encode("cp1252", errors="xmlcharrefreplace"),
                "text/html; charset=windows-1252")
    _warc(path, pages)
    result = CliRunner().invoke(main, ["cluster", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 5  # the request, redirect, 404, image and broken records are not documents
    assert all(str(r["id"]).startswith("<urn:uuid:") for r in rows)
    assert _stories(rows, {str(r["id"]): str(r["url"]).rsplit("/", 1)[1] for r in rows}) == EXPECTED
    assert "crawl.warc.gz, record" in result.stderr and "broken HTTP header" in result.stderr
    assert "1 sources skipped" in result.stderr
    strict = CliRunner().invoke(main, ["cluster", str(path), "--strict"])
    assert strict.exit_code == 1 and "broken HTTP header" in strict.stderr


@pytest.mark.skipif(not (Path(__file__).resolve().parents[2] / "shared" / "data" / "article-extraction-benchmark"
                         / "ground-truth.json").is_file(),
                    reason="needs ../shared/data/article-extraction-benchmark next to the project")
def test_warc_of_real_benchmark_pages(tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks import extraction

    pages = [(f"https://example.org/{pid}", page.encode("utf-8"), "text/html; charset=utf-8")
             for pid, page, _ in list(extraction.pages())[:20]]
    path = tmp_path / "real.warc.gz"
    _warc(path, pages, broken=False)
    records = list(read_inputs([str(path)]))
    assert [r.url for r in records] == [url for url, _, _ in pages]
    gold = {f"https://example.org/{pid}": text for pid, _, text in list(extraction.pages())[:20]}
    scores = [extraction.page_scores(r.text, gold[r.url or ""]) for r in records]
    assert sum(recall for _, recall in scores) / len(scores) > 0.9  # the article text is what was extracted


def test_gzipped_jsonl_with_extra_fields_passes_them_through(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for key, lines in ARTICLES.items():
            out.write(json.dumps({"doc": f"d{key}", "body": "\n\n".join(lines), "lang": "en",
                                  "tags": [key], "published": DATES[key]}) + "\n")
    rows = _cluster(str(path), "--text-field", "body", "--id-field", "doc")
    assert _stories(rows, {f"d{k}": k for k in ARTICLES}) == EXPECTED
    assert all(r["lang"] == "en" and r["tags"] == [str(r["id"])[1:]] for r in rows)


def test_json_array_and_html_field(tmp_path: Path) -> None:
    path = tmp_path / "pages.json"
    path.write_text(json.dumps([{"id": k, "page": _page(k), "url": f"https://example.org/{k}"} for k in ARTICLES]),
                    encoding="utf-8")
    rows = _cluster(str(path), "--html-field", "page")
    assert _stories(rows, {k: k for k in ARTICLES}) == EXPECTED
    assert {r["id"]: r["title"] for r in rows}["004"] == ARTICLES["004"][0]


def test_truncated_gzip_keeps_what_came_before_and_says_so(tmp_path: Path) -> None:
    whole = gzip.compress("".join(json.dumps({"id": f"s{k}", "text": "\n\n".join(ARTICLES[k])}) + "\n"
                                  for k in ARTICLES).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    result = CliRunner().invoke(main, ["cluster", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    assert 1 <= len(result.stdout.splitlines()) < 5
    assert f"{path}: truncated or damaged gzip" in result.stderr and "1 sources skipped" in result.stderr
    assert CliRunner().invoke(main, ["cluster", str(path), "--strict"]).exit_code == 1


def test_bad_sources_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good.txt").write_text("\n\n".join(ARTICLES["000"]), encoding="utf-8")
    (folder / "feed.rss").write_text("this is not XML at all", encoding="utf-8")
    (folder / "empty.html").write_bytes(b"")
    latin_page = _page("003").replace("utf-8", "iso-8859-1").encode("latin-1", "xmlcharrefreplace")
    (folder / "latin.html").write_bytes(latin_page)
    problems: list[str] = []
    records = list(read_inputs([str(folder)], on_problem=problems.append))
    assert sorted(r.id for r in records) == ["empty.html", "good.txt", "latin.html"]
    assert len(problems) == 1 and "feed.rss" in problems[0] and "not an RSS or Atom feed" in problems[0]
    latin = next(r for r in records if r.id == "latin.html")
    assert ARTICLES["003"][2][:60] in latin.text
    with pytest.raises(InputError, match="feed.rss"):
        list(read_inputs([str(folder)], options=ReadOptions(strict=True)))


def test_a_folder_with_nothing_readable_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.md").write_text("nothing", encoding="utf-8")
    result = CliRunner().invoke(main, ["cluster", str(tmp_path / "notes")])
    assert result.exit_code == 1
    assert "notes: folder has no readable files" in result.stderr


def test_missing_extra_gives_one_line_on_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.html"
    page.write_text(_page("000"), encoding="utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if not installed
    result = CliRunner().invoke(main, ["cluster", str(page)])
    assert result.exit_code == 1
    assert "pip install 'news-dedupe[html]'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_every_format_gives_the_same_stories(tmp_path: Path) -> None:
    """Text files, an HTML folder, JSONL, RSS and a WARC of the same articles cluster alike."""
    text_dir, html_dir = tmp_path / "text", tmp_path / "html"
    text_dir.mkdir()
    html_dir.mkdir()
    for key, lines in ARTICLES.items():
        (text_dir / f"{key}.txt").write_text("\n\n".join(lines), encoding="utf-8")
        (html_dir / f"{key}.htm").write_text(_page(key), encoding="utf-8")
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("".join(json.dumps({"id": k, "text": "\n\n".join(v)}) + "\n" for k, v in ARTICLES.items()),
                     encoding="utf-8")
    rss = tmp_path / "a.xml"
    rss.write_text(_rss(list(ARTICLES)), encoding="utf-8")
    warc = tmp_path / "a.warc.gz"
    _warc(warc, [(f"https://example.org/{k}", _page(k).encode(), "text/html") for k in ARTICLES], broken=False)
    results = []
    for source in (text_dir, html_dir, jsonl, rss, warc):
        rows = _cluster(str(source))
        results.append(_stories(rows, {str(r["id"]): _key(r) for r in rows}))
    assert results == [EXPECTED] * 5


def _key(row: dict[str, object]) -> str:
    """The seed key of a row, whatever the format named it (file, id, guid or URL)."""
    for value in (row.get("url"), row["id"]):
        if value:
            tail = str(value).rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            if tail[:3] in ARTICLES:
                return tail[:3]
    raise AssertionError(f"no seed key in {row}")


def test_clean_jsonl_carries_metadata_and_extra_fields(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "\n\n".join(ARTICLES["000"]), "title": "T", "lang": "en"}) + "\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(path), "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (row["id"], row["title"], row["lang"]) == ("x", "T", "en") and row["text"] and "removed" in row


def test_warc_conversion_records_are_text_documents(tmp_path: Path) -> None:
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "text.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        for key in ("001", "002"):
            writer.write_record(writer.create_warc_record(
                f"https://example.org/{key}", "conversion", payload=io.BytesIO("\n\n".join(ARTICLES[key]).encode()),
                warc_content_type="text/plain"))
    records = list(read_inputs([str(path)]))
    assert [r.url for r in records] == ["https://example.org/001", "https://example.org/002"]
    assert records[0].text.startswith(ARTICLES["001"][0])


def test_jsonl_and_warc_are_streamed_not_loaded_whole(tmp_path: Path) -> None:
    import tracemalloc

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    text = "\n\n".join(ARTICLES["003"])  # about 3 KB
    jsonl = tmp_path / "big.jsonl.gz"
    with gzip.open(jsonl, "wt", encoding="utf-8", compresslevel=1) as out:
        for k in range(6000):  # about 20 MB of JSON
            out.write(json.dumps({"id": k, "text": text, "pad": "x" * 500}) + "\n")
    warc = tmp_path / "big.warc.gz"
    page = f"<html><body><article>{''.join(f'<p>{html.escape(p)}</p>' for p in ARTICLES['003'])}</article>" \
           f"</body></html>".encode()
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for k in range(150):  # about 12 MB of pages
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"https://example.org/{k}", "response",
                                                          payload=io.BytesIO(page + b" " * 80000),
                                                          http_headers=headers))
    for path, total in ((jsonl, 6000), (warc, 150)):
        tracemalloc.start()
        count = sum(1 for _ in read_inputs([str(path)]))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == total
        assert peak < 8_000_000, f"{path.name}: peak {peak / 1e6:.1f} MB while reading"


def test_warc_on_standard_input(tmp_path: Path) -> None:
    path = tmp_path / "in.warc.gz"
    _warc(path, [(f"https://example.org/{k}", _page(k).encode(), "text/html") for k in ARTICLES], broken=False)
    result = CliRunner().invoke(main, ["cluster", "-", "--input-format", "warc", "--format", "jsonl", "-q"],
                                input=path.read_bytes())
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert _stories(rows, {str(r["id"]): _key(r) for r in rows}) == EXPECTED


def test_pages_are_extracted_in_the_workers_with_the_same_result(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An HTML folder is extracted where it is cleaned: in every worker process, not in this one."""
    import os

    import dedupe.readers.html as html_reader

    folder = tmp_path / "pages"
    folder.mkdir()
    for copy in range(120):  # enough pages for several ranges, so that both workers take some
        for key in ARTICLES:
            (folder / f"{key}-{copy:03}.html").write_text(_page(key), encoding="utf-8")
    pids = tmp_path / "pids"
    real = html_reader.extract

    def noting(page: str | bytes, *, url: str | None = None) -> html_reader.Extracted:
        with pids.open("a", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")
        return real(page, url=url)

    monkeypatch.setattr(html_reader, "extract", noting)
    outputs = {}
    for jobs in ("1", "2"):
        pids.write_text("", encoding="ascii")
        result = CliRunner().invoke(main, ["cluster", str(folder), "--format", "jsonl", "-q", "--jobs", jobs])
        assert result.exit_code == 0, result.stderr
        outputs[jobs] = result.stdout
        extracted_in = pids.read_text(encoding="ascii").split()
        assert len(extracted_in) == 600  # each page once
        if jobs == "2":
            assert str(os.getpid()) not in extracted_in and len(set(extracted_in)) == 2
    assert outputs["1"] == outputs["2"]
    rows = [json.loads(line) for line in outputs["2"].splitlines()]
    assert sorted(sorted(set(g)) for g in _stories(rows, {str(r["id"]): str(r["id"])[:3] for r in rows})) == EXPECTED
    first = next(r for r in rows if r["id"] == "001-000.html")
    assert first["title"] == ARTICLES["001"][0] and str(first["published"]).startswith("2026-06-16")
