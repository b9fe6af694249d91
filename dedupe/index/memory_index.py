"""An index in this process's memory: the state of one run, gone when it ends."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from .base import Index, StoredDocument


class MemoryIndex(Index):
    """Documents, band keys and line counts in dicts."""

    def __init__(self) -> None:
        self.location = "<memory>"
        self._lock = threading.RLock()
        self._meta: dict[str, str] = {}
        self._docs: dict[int, StoredDocument] = {}
        self._bands: dict[int, list[int]] = defaultdict(list)
        self._fingerprints: dict[str, int] = {}
        self._urls: dict[str, int] = {}
        self._lines: Counter[int] = Counter()
        self._next = 1

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            yield

    def read_meta(self) -> dict[str, str]:
        return dict(self._meta)

    def write_meta(self, meta: dict[str, str]) -> None:
        self._meta.update(meta)

    def by_fingerprint(self, fingerprint: str) -> StoredDocument | None:
        number = self._fingerprints.get(fingerprint)
        return self._docs.get(number) if number is not None else None

    def by_url(self, url: str) -> StoredDocument | None:
        number = self._urls.get(url)
        return self._docs.get(number) if number is not None else None

    def candidates(self, keys: np.ndarray, limit: int) -> list[int]:
        shared: Counter[int] = Counter()
        for key in keys.tolist():
            shared.update(self._bands.get(key, ()))
        return sorted(shared, key=lambda n: (-shared[n], n))[:limit]

    def load(self, numbers: Sequence[int]) -> list[StoredDocument]:
        return [self._docs[n] for n in numbers if n in self._docs]

    def add(self, document: StoredDocument) -> int:
        number = document.number = self._next
        self._next += 1
        self._docs[number] = document
        for key in document.keys.tolist():
            self._bands[key].append(number)
        self._fingerprints.setdefault(document.fingerprint, number)
        if document.url:
            self._urls.setdefault(document.url, number)
        latest = self._meta.get("latest_time")
        if latest is None or document.time > float(latest):
            self._meta["latest_time"] = repr(document.time)
        return number

    def line_counts(self, lines: Sequence[int]) -> list[int]:
        return [self._lines.get(k, 0) for k in lines]

    def count_lines(self, lines: Iterable[int]) -> None:
        self._lines.update(set(lines))

    def expire(self, before: float) -> int:
        old = [d for d in self._docs.values() if d.time < before]
        for d in old:
            del self._docs[d.number]
            for key in d.keys.tolist():
                bucket = self._bands[key]
                bucket.remove(d.number)
                if not bucket:
                    del self._bands[key]
            if self._fingerprints.get(d.fingerprint) == d.number:
                del self._fingerprints[d.fingerprint]
            if d.url and self._urls.get(d.url) == d.number:
                del self._urls[d.url]
        return len(old)

    def size(self) -> int:
        return len(self._docs)
