"""Benchmark of main-content extractors (HTML in, plain text out) on the article-extraction benchmark's 181 pages.

Usage: python benchmarks/bench_html.py

Extractors are imported lazily; one that is not installed is skipped with a
printed reason. A page where an extractor raises or returns None counts as
empty text and as a failure. Scored with the benchmark's own metric
(benchmarks/extraction.py); prints a Markdown table sorted by F1 with pages per
second (total wall time of the 181 pages, after one untimed warm-up page) and
the package versions used.
"""

from __future__ import annotations

import inspect
import logging
import sys
import time
import warnings
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import extraction  # noqa: E402
from dedupe.render import html_to_text  # noqa: E402

Extract = Callable[[str], str | None]


def _trafilatura(**options: bool) -> Callable[[], Extract]:
    def make() -> Extract:
        import trafilatura

        kwargs: dict[str, Any] = dict(options)
        if "deterministic" in inspect.signature(trafilatura.extract).parameters:
            kwargs["deterministic"] = True
        return lambda html: trafilatura.extract(html, include_comments=False, **kwargs)
    return make


def _readability() -> Extract:
    from readability import Document

    return lambda html: html_to_text(Document(html).summary())


def _resiliparse() -> Extract:
    from resiliparse.extract.html2text import extract_plain_text

    return lambda html: extract_plain_text(html, main_content=True)


def _justext() -> Extract:
    import justext

    stoplist = justext.get_stoplist("English")
    return lambda html: "\n\n".join(p.text for p in justext.justext(html, stoplist) if not p.is_boilerplate)


def _goose3() -> Extract:
    from goose3 import Goose

    logging.getLogger("goose3").setLevel(logging.ERROR)  # one warning per unparsable publish date
    goose = Goose()  # image fetching is off by default: no network
    return lambda html: goose.extract(raw_html=html).cleaned_text


def _newspaper4k() -> Extract:
    warnings.filterwarnings("ignore", message="nltk is not installed")
    warnings.filterwarnings("ignore", module=r"dateutil\.")  # unknown time zones in publish dates
    from newspaper import Article

    def extract(html: str) -> str:
        article = Article("https://example.com/article", fetch_images=False)
        article.download(input_html=html)
        article.parse()
        return article.text
    return extract


def _dedupe() -> Extract:
    from dedupe.clean import clean
    from dedupe.readers.html import extract

    def run(html: str) -> str:
        found = extract(html)
        return clean(found.text, extracted=found.main_content).text
    return run


# name -> (factory that imports lazily, distributions whose versions are reported)
EXTRACTORS: dict[str, tuple[Callable[[], Extract], tuple[str, ...]]] = {
    "dedupe HTML mode (trafilatura, then the text pass)": (_dedupe, ("trafilatura",)),
    "trafilatura (default)": (_trafilatura(), ("trafilatura",)),
    "trafilatura favor_precision": (_trafilatura(favor_precision=True), ("trafilatura",)),
    "trafilatura favor_recall": (_trafilatura(favor_recall=True), ("trafilatura",)),
    "readability-lxml + html_to_text": (_readability, ("readability-lxml",)),
    "resiliparse main_content": (_resiliparse, ("resiliparse",)),
    "justext (English)": (_justext, ("justext",)),
    "goose3": (_goose3, ("goose3",)),
    "newspaper4k": (_newspaper4k, ("newspaper4k",)),
    "all visible text (dedupe.render.html_to_text)": (lambda: html_to_text, ()),
}


def run(extract: Extract, pages: list[tuple[str, str, str]]) -> tuple[list[str], float, int]:
    """Texts, wall seconds and failures (raised or returned None) of one extractor, after one warm-up page."""
    texts: list[str] = []
    failures = 0
    try:
        extract(pages[0][1])
    except Exception:  # noqa: BLE001 - counted in the timed run below
        pass
    start = time.perf_counter()
    for _, html, _ in pages:
        try:
            text = extract(html)
        except Exception:  # noqa: BLE001 - any crash of a third-party extractor is a failure
            text = None
        if text is None:
            failures += 1
        texts.append(text or "")
    return texts, time.perf_counter() - start, failures


def main() -> None:
    if not extraction.available():
        raise SystemExit(f"needs the article-extraction benchmark at {extraction.DATA}")
    pages = list(extraction.pages())
    gold = [g for _, _, g in pages]
    rows: list[tuple[str, float, float, float, float, int]] = []
    versions: dict[str, str] = {}
    for name, (make, dists) in EXTRACTORS.items():
        try:
            extract = make()
        except ImportError as error:
            print(f"skipped {name}: {error}")
            continue
        texts, seconds, failures = run(extract, pages)
        p, r, f = extraction.scores(list(zip(texts, gold)))
        rows.append((name, p, r, f, len(pages) / seconds, failures))
        for dist in dists:
            try:
                versions[dist] = version(dist)
            except PackageNotFoundError:
                versions[dist] = "?"
    print(f"\n{len(pages)} pages\n")
    print("| extractor | precision | recall | F1 | pages/s | failures |")
    print("|---|---|---|---|---|---|")
    for name, p, r, f, rate, failures in sorted(rows, key=lambda row: -row[3]):
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {rate:.0f} | {failures} |")
    print("\nversions: " + ", ".join(f"{dist} {v}" for dist, v in versions.items()))


if __name__ == "__main__":
    main()
