"""RSS and Atom feeds, with feedparser: one record per entry.

Text: the entry's full content when present, else its summary. HTML in an
entry goes through the HTML path (main-content extraction, then the text
pass); when the extractor keeps less than half of an entry's visible words,
the entry is the article itself, and all its visible text is kept.
Metadata: ``id`` is the entry's guid (else its link), ``title``, ``url``
(link), ``published`` (ISO 8601, UTC) and ``source`` (the feed's title).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..render import html_to_text
from .base import ReadContext, Record

INSTALL_HINT = "reading RSS/Atom feeds needs feedparser: pip install 'news-dedupe[feeds]'"


def read_feed(data: bytes, name: str, context: ReadContext) -> Iterator[Record]:
    """Records of the entries of one feed document."""
    try:
        import feedparser
    except ImportError as err:
        raise InputError(INSTALL_HINT) from err
    parsed = feedparser.parse(data)
    if not parsed.entries:
        reason = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        context.problem(f"{name}: not an RSS or Atom feed, or a feed without entries{reason}; file skipped")
        return
    source = parsed.feed.get("title")
    for k, entry in enumerate(parsed.entries, 1):
        where = f"{name}#{k}"
        id_ = entry.get("id") or entry.get("link") or where
        text, is_html = _entry_text(entry)
        record = Record(str(id_), _as_text(text) if is_html else text, where, title=entry.get("title"),
                        url=entry.get("link"), source=source, published=_published(entry),
                        extracted=True)  # an entry holds its article alone, without a page's menus
        if not text.strip():
            record.warning = f"{name}, entry {k}: no content or summary"
        yield record


def _entry_text(entry: Any) -> tuple[str, bool]:
    """The entry's full content (else its summary), and whether it is HTML."""
    for detail in [*entry.get("content", []), entry.get("summary_detail")]:
        if detail and detail.get("value", "").strip():
            return detail["value"], "html" in detail.get("type", "text/html")
    return "", False


def _as_text(fragment: str) -> str:
    from .html import extract

    visible = html_to_text(fragment)
    try:
        main = extract(fragment).text
    except InputError:  # no trafilatura: an entry's visible text is its article
        return visible
    return main if len(main.split()) >= len(visible.split()) / 2 else visible


def _published(entry: Any) -> str | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if stamp:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)
    return entry.get("published") or entry.get("updated")
