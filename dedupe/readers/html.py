"""HTML pages: the article text that trafilatura's main-content extractor finds, with the page's metadata.

trafilatura was chosen by measurement on the 181 annotated pages of the
article-extraction benchmark (``benchmarks/bench_html.py``; see the README).
It runs with ``favor_precision`` (tables kept, comments not); where that
finds only a scrap (fewer than :data:`SCRAP_WORDS` words), the default mode
is tried too and wins when it finds half as much again. When neither finds
main content, all visible text is kept instead
(:func:`dedupe.render.html_to_text`), so that nothing is lost; the text
pass of the cleaner follows in every case.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import InputError
from ..render import html_to_text
from .base import METADATA_FIELDS, Page, Record, oversized

INSTALL_HINT = "reading HTML needs trafilatura: pip install 'news-dedupe[html]'"
SCRAP_WORDS = 50  # a precise extraction this short may have picked a notice instead of the article


@dataclass
class Extracted:
    """The article text of a page, and its metadata (``title``, ``url``, ``published``, ``source``)."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    main_content: bool = True


def extract(page: str | bytes, *, url: str | None = None) -> Extracted:
    """The main article text and metadata of one HTML page (bytes are decoded as the page declares)."""
    try:
        import trafilatura
        from trafilatura.utils import decode_file
    except ImportError as err:
        raise InputError(INSTALL_HINT) from err
    found = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False,
                                        favor_precision=True)
    if found is None or _words(found.text) < SCRAP_WORDS:
        broader = trafilatura.bare_extraction(page, url=url, with_metadata=True, include_comments=False)
        if broader is not None and (found is None or _words(broader.text) > 1.5 * _words(found.text)):
            found = broader
    metadata = {}
    if found is not None:
        metadata = {k: v for k, v in (("title", found.title), ("url", found.url or url),
                                      ("published", found.date), ("source", found.sitename)) if v}
        if found.text and found.text.strip():
            return Extracted(found.text, metadata)
    text = page if isinstance(page, str) else decode_file(page)
    return Extracted(html_to_text(text), metadata, main_content=False)


def _words(text: str | None) -> int:
    return len(text.split()) if text else 0


def pending(data: str | bytes, id_: str, name: str, *, url: str | None = None) -> Record:
    """The record of an HTML page whose article is still to be extracted (:attr:`Record.page`)."""
    return Record(id_, "", name, url=url, page=Page(data, url=url))


def finish(record: Record) -> Record:
    """The record with the article of its :attr:`Record.page` as its text, and the page's metadata
    where the record has none of its own (unchanged when it has no page).

    Raises:
        InputError: trafilatura is not installed; or the article is longer than the
            page's ``max_chars`` and the read is ``strict``.
    """
    page = record.page
    if page is None:
        return record
    found = extract(page.data, url=page.url)
    meta = {k: page.prefer.get(k) or found.metadata.get(k) or page.fallback.get(k) for k in METADATA_FIELDS}
    done = oversized(replace(record, text=found.text, extracted=found.main_content, page=None, title=meta["title"],
                             url=meta["url"], source=meta["source"], published=meta["published"]), page.max_chars)
    if page.strict and done.warning:
        raise InputError(f"{done.warning} (--strict)")
    return done
