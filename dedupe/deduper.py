"""Judge articles one at a time: new story, or seen before (the filter's core).

Each article goes through the stages ``cluster`` uses (clean, normalize,
shingle, sign, band) and is then compared with the documents of an index
(:mod:`dedupe.index`) that share LSH bands with it, strongest first, by the
same verifier. It is a duplicate of a story when it verifies as one story
with a stored member and most of that story's other candidate members may
share a cluster with it (the ``cluster`` stage's rule against chaining).
Every checked article is recorded (unless ``add=False``), duplicates too,
so that a later copy of a copy is still recognised.

Differences from ``cluster``: the first article of a story stands for it
(not the longest); the TF-IDF weights are general English's (see
:mod:`dedupe.tfidf`), the same for every article whatever came before; an
outlet's template lines are learned as they recur across stories.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from .candidates import band_keys, lsh_params
from .clean import CLEANER_VERSION, TemplateLines, clean, without_templates
from .document import Document, Salience, prepare
from .index import Index, StoredDocument, check_meta, encode_meta, open_index
from .index.base import FORMAT_VERSION
from .params import Params
from .parallel import single_threaded_blas
from .read import Record
from .readers.base import oversized
from .sign import Signer, TokenHasher
from .templates import line_hash
from .tfidf import TfidfModel
from .verify import Verifier

TEMPLATE_STORIES = 5  # a line in this many stories is template, like TemplateLines.min_docs


@dataclass(frozen=True)
class Decision:
    """The verdict on one article.

    Attributes:
        id: The article's id.
        duplicate: True when it was seen before.
        duplicate_of: The id of the first article of its story (None when new).
        matched: The id of the stored article it was verified against (None when new).
        relation: ``new``, or how it relates to ``matched``: ``exact``,
            ``near-duplicate``, ``contained``, ``rewrite``, or ``same-url``.
        similarity: The score of the test that decided (None when new).
        evidence: The full evidence against ``matched`` (None when new or same-url).
        warning: Why the article could not be compared (it then counts as new
            and is not recorded).
    """

    id: str
    duplicate: bool
    duplicate_of: str | None = None
    matched: str | None = None
    relation: str = "new"
    similarity: float | None = None
    evidence: dict[str, Any] | None = None
    warning: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The decision as a JSON-ready dict."""
        found = {"id": self.id, "duplicate": self.duplicate, "duplicate_of": self.duplicate_of,
                 "matched": self.matched, "relation": self.relation,
                 "similarity": round(self.similarity, 4) if self.similarity is not None else None}
        if self.warning:
            found["warning"] = self.warning
        return found


class Deduper:
    """Decide, article by article, whether a story was seen before.

    Args:
        index: Where to keep what was seen: None for memory, a SQLite file
            path, a ``redis://`` URL, or an :class:`~dedupe.index.Index`.
        params: Parameters (an existing index must have been built with the same).
        do_clean: Strip boilerplate before comparing.
        window: Forget articles older than this many seconds (their time is
            ``published`` when given, else arrival), counted back from the newest.
        max_candidates: Stored articles compared at most per check (most similar first).
        clock: Returns the arrival time (seconds since the epoch).

    Example:
        >>> with Deduper() as d:
        ...     d.check("A storm hit the coast on Monday. " * 20, id="a").duplicate
        ...     d.check("A storm hit the coast on Monday. " * 20, id="b").duplicate_of
        False
        'a'

    Safe to use from several threads; several processes may share a SQLite
    or Redis index.
    """

    def __init__(self, index: str | Path | Index | None = None, params: Params | None = None, *,
                 do_clean: bool = True, window: float | None = None, max_candidates: int = 32,
                 clock: Callable[[], float] = time.time) -> None:
        self.params = (params or Params()).check()
        self.index = index if isinstance(index, Index) else open_index(index)
        self.do_clean = do_clean
        self.window = window
        self.max_candidates = max_candidates
        self.clock = clock
        self.expire_every = 1000  # checks between expiries of old articles (with a window)
        try:
            with self.index.transaction():  # two processes opening a new index at once agree on one
                check_meta(self.index, encode_meta(self.settings()))
        except BaseException:
            if not isinstance(index, Index):
                self.index.close()
            raise
        self._lock = threading.RLock()
        self._salience = Salience(TokenHasher(), self.params.salient_words)
        self._signer = Signer(num_perm=self.params.num_perm, seed=self.params.seed)
        self._bands = [lsh_params(t, self.params.num_perm)
                       for t in (self.params.copy_lsh_threshold, self.params.word_lsh_threshold)]
        self._model = TfidfModel().fit([])
        self._documents: OrderedDict[int, tuple[Document, str]] = OrderedDict()
        self._latest = self.index.latest_time()
        self._since_expiry = 0
        self.counts: Counter[str] = Counter()
        if window is not None:
            with self.index.transaction():
                self._expire()

    def settings(self) -> dict[str, Any]:
        """What an index records and requires: parameters, cleaner and format versions."""
        return {**self.params.to_dict(), "clean": self.do_clean, "cleaner_version": CLEANER_VERSION,
                "index_format": FORMAT_VERSION}

    def __enter__(self) -> Deduper:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the index."""
        self.index.close()

    def check(self, text: str, *, id: str | None = None, url: str | None = None, title: str | None = None,
              published: str | None = None, source: str | None = None, add: bool = True) -> Decision:
        """Judge one article; record it unless ``add`` is False (then it only looks).

        Without an ``id``, the article is named by its URL, else by its text's fingerprint.
        """
        record = Record(id or "", text, id or url or "<text>", title=title, url=url, source=source,
                        published=published)
        return self.check_record(record, add=add)

    def check_record(self, record: Record, *, add: bool = True) -> Decision:
        """Judge one :class:`~dedupe.read.Record` (see :meth:`check`)."""
        return self.check_records([record], add=add)[0]

    def check_records(self, records: Sequence[Record], *, add: bool = True) -> list[Decision]:
        """Judge records in order, in one transaction of the index.

        The same decisions as one :meth:`check_record` call each (every record
        sees the ones before it), with one commit for all: much faster on a
        SQLite index, and the other processes sharing it wait meanwhile.
        """
        with self._lock, self.index.transaction(), single_threaded_blas():
            decisions = [self._judge(record, add) for record in records]
        for decision in decisions:
            self.counts["warnings" if decision.warning else "duplicates" if decision.duplicate else "new"] += 1
        return decisions

    def _judge(self, record: Record, add: bool) -> Decision:
        """Decide on one record and record it (within a transaction)."""
        record = oversized(record)
        doc, lines = self._prepare(record)
        if not record.id:
            record.id = record.url or f"text-{doc.fingerprint[:12]}"
        if doc.warning:
            return Decision(record.id, False, warning=doc.warning)
        keys = self._band_keys(doc)
        decision, exact = self._decide(record, doc, keys)
        if add and not exact:
            when = parse_time(record.published) or self.clock()
            self.index.add(StoredDocument(0, record.id, decision.duplicate_of or record.id, record.url, when,
                                          doc.fingerprint, doc.size, doc.text, doc.shingles, keys))
            if not decision.duplicate:
                self.index.count_lines(lines)
            self._latest = max(self._latest or when, when)
            self._since_expiry += 1
            if self.window is not None and self._since_expiry >= self.expire_every:
                self._expire()
        return decision

    def _prepare(self, record: Record) -> tuple[Document, list[int]]:
        """The record as a document, cleaned with the index's template lines; and its line hashes."""
        if not self.do_clean:
            return prepare(0, record, shingle_size=self.params.shingle_size, salience=self._salience,
                           do_clean=False), []
        cleaned = clean(record.text, extracted=record.extracted)
        keys = [k for k in cleaned.keys if k]
        hashes = [line_hash(k) for k in keys]
        counts = self.index.line_counts(hashes)
        templates = TemplateLines().add(k for k, n in zip(keys, counts) if n >= TEMPLATE_STORIES)
        cleaned = without_templates(cleaned, templates)
        return prepare(0, record, shingle_size=self.params.shingle_size, salience=self._salience,
                       cleaned=cleaned), hashes

    def _band_keys(self, doc: Document) -> np.ndarray:
        signatures = self._signer.sign([doc.shingles, doc.words])
        return np.concatenate([band_keys(signatures[channel], bands=bands, band_rows=rows, salt=channel)[0]
                               for channel, (bands, rows) in enumerate(self._bands)]).view(np.int64)

    def _decide(self, record: Record, doc: Document, keys: np.ndarray) -> tuple[Decision, bool]:
        """The decision, and whether the text is an exact copy of a stored one."""
        if record.url:
            same = self.index.by_url(record.url)
            if same is not None:
                decision = Decision(record.id, True, same.story, same.id, "same-url", 1.0)
                return decision, same.fingerprint == doc.fingerprint
        same = self.index.by_fingerprint(doc.fingerprint)
        if same is not None:
            return Decision(record.id, True, same.story, same.id, "exact", 1.0), True
        stored, stories = self._load(self.index.candidates(keys, self.max_candidates))
        if not stored:
            return Decision(record.id, False), False
        doc.index = len(stored)
        verifier = Verifier([*stored, doc], self.params, model=self._model)
        refused: set[str] = set()
        for k, candidate in enumerate(stored):
            story = stories[k]
            if story in refused:
                continue
            evidence = verifier.verify(k, doc.index)
            if not evidence.same_story:
                continue
            others = [m for m in range(len(stored)) if m != k and stories[m] == story][:4]
            agree = 1 + sum(verifier.compatible(m, doc.index) for m in others)
            if agree * 2 > 1 + len(others):
                found = {**evidence.to_dict(), "a": candidate.record.id, "b": record.id}
                return Decision(record.id, True, story, candidate.record.id, evidence.relation,
                                evidence.similarity, found), False
            refused.add(story)
        return Decision(record.id, False), False

    def _load(self, numbers: Sequence[int]) -> tuple[list[Document], list[str]]:
        """Stored documents as :class:`Document` objects indexed 0.. in order, and their stories' ids.

        Recently used ones are cached (loaded and decompressed once).
        """
        missing = [n for n in numbers if n not in self._documents]
        for s in self.index.load(missing):
            self._documents[s.number] = (_as_document(s), s.story)
        found, stories = [], []
        for k, n in enumerate(n for n in numbers if n in self._documents):
            self._documents.move_to_end(n)
            doc, story = self._documents[n]
            doc.index = k
            found.append(doc)
            stories.append(story)
        while len(self._documents) > 4096:
            self._documents.popitem(last=False)
        return found, stories

    def _expire(self) -> None:
        """Forget articles older than the window (call within a transaction)."""
        self._since_expiry = 0
        if self.window is not None and self._latest is not None:
            self.index.expire(self._latest - self.window)
            self._documents.clear()


def _as_document(stored: StoredDocument) -> Document:
    record = Record(stored.id, "", f"index#{stored.number}", url=stored.url)
    return Document(index=0, record=record, text_utf8=stored.text.encode("utf-8"), removed=[],
                    fingerprint=stored.fingerprint, shingles=stored.shingles, words=np.empty(0, dtype=np.uint32),
                    size=stored.size)


def parse_time(value: str | None) -> float | None:
    """Seconds since the epoch of an ISO 8601 date or time (UTC when no zone is given); None if unparseable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    stamp = parsed.timestamp()
    return stamp if math.isfinite(stamp) else None


def parse_window(value: str) -> float:
    """Seconds in a window such as ``7d``, ``12h``, ``30m``, ``90s`` or ``2w``."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    text = value.strip().lower()
    try:
        amount = float(text[:-1]) if text[-1:] in units else float(text)
    except ValueError:
        raise ValueError(f"window {value!r}: expected a number and a unit (s, m, h, d, w), e.g. 7d") from None
    seconds = amount * units.get(text[-1:], 1)
    if not seconds > 0:
        raise ValueError(f"window {value!r} must be positive")
    return seconds


__all__ = ["Decision", "Deduper", "line_hash", "parse_time", "parse_window"]
