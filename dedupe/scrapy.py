"""A Scrapy item pipeline that drops articles whose story was seen before.

Enable it in the project's settings::

    ITEM_PIPELINES = {"dedupe.scrapy.DedupePipeline": 300}
    DEDUPE_INDEX = "seen.db"          # or "redis://127.0.0.1:6379/0"; unset: memory, this crawl only
    DEDUPE_TEXT_FIELD = "text"        # the item field holding the article text
    DEDUPE_THRESHOLD = 0.5            # as dedupe cluster --threshold
    DEDUPE_WINDOW = "7d"              # forget older articles (unset: never)

Also ``DEDUPE_ID_FIELD`` (default: the URL field), ``DEDUPE_URL_FIELD``
(``url``), ``DEDUPE_TITLE_FIELD`` (``title``), ``DEDUPE_PUBLISHED_FIELD``
(``published``) and ``DEDUPE_CLEAN`` (True). Decisions are counted in the
crawl's stats: ``dedupe/new``, ``dedupe/duplicate``,
``dedupe/duplicate/<relation>`` and ``dedupe/no_text`` (items without text,
passed on untouched).
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from .deduper import Deduper, parse_window
from .params import Params

logger = logging.getLogger(__name__)


class DedupePipeline:
    """Drop items that repeat a story already seen (see the module docstring for settings)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.stats = crawler.stats
        self.index = settings.get("DEDUPE_INDEX")
        self.text_field = settings.get("DEDUPE_TEXT_FIELD", "text")
        self.url_field = settings.get("DEDUPE_URL_FIELD", "url")
        self.id_field = settings.get("DEDUPE_ID_FIELD") or self.url_field
        self.title_field = settings.get("DEDUPE_TITLE_FIELD", "title")
        self.published_field = settings.get("DEDUPE_PUBLISHED_FIELD", "published")
        self.do_clean = settings.getbool("DEDUPE_CLEAN", True)
        try:
            self.params = Params(threshold=settings.getfloat("DEDUPE_THRESHOLD", Params.threshold)).check()
            window = settings.get("DEDUPE_WINDOW")
            self.window = parse_window(window) if window else None
        except ValueError as err:
            raise NotConfigured(f"DedupePipeline: {err}") from err
        self.deduper: Deduper | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.deduper = Deduper(self.index, self.params, do_clean=self.do_clean, window=self.window)

    def close_spider(self, spider: Any = None) -> None:
        if self.deduper is not None:
            self.deduper.close()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        assert self.deduper is not None, "open_spider was not called"
        adapter = ItemAdapter(item)
        text = adapter.get(self.text_field)
        if not isinstance(text, str) or not text.strip():
            self._count("dedupe/no_text")
            logger.warning("dedupe: item without text in field %r, passed on: %r", self.text_field,
                           adapter.get(self.id_field))
            return item
        fields = {name: _text(adapter.get(field)) for name, field in
                  (("id", self.id_field), ("url", self.url_field), ("title", self.title_field),
                   ("published", self.published_field))}
        decision = self.deduper.check(text, **fields)
        if decision.warning:
            self._count("dedupe/no_text")
            return item
        if not decision.duplicate:
            self._count("dedupe/new")
            return item
        self._count("dedupe/duplicate")
        self._count(f"dedupe/duplicate/{decision.relation}")
        raise DropItem(f"duplicate of {decision.duplicate_of} ({decision.relation}, "
                       f"similarity {decision.similarity:.2f}, matched {decision.matched})")

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


__all__ = ["DedupePipeline"]
