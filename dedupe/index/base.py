"""What every index backend stores, and the operations the filter needs of it.

An index holds the documents a filter has seen (new stories and their
duplicates alike, so that a later copy of a copy is found), each with its
LSH band keys, shingle hashes and cleaned text; and, for the cleaner, how
many stories each line occurred in (lines repeated across many stories are
an outlet's template).
"""

from __future__ import annotations

import json
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import IndexAccessError

FORMAT_VERSION = "1"


@dataclass
class StoredDocument:
    """One document as an index keeps it.

    Attributes:
        number: The index's own key for it (assigned on :meth:`Index.add`).
        id: The record's id.
        story: The id of the first document of its story (the one passed on).
        url: The record's URL, if any.
        time: Seconds since the epoch: ``published`` when given, else arrival.
        fingerprint: SHA-1 of the normalized cleaned text.
        size: Tokens of the cleaned text.
        text: The cleaned text.
        shingles: Sorted distinct 32-bit shingle hashes.
        keys: Its LSH band keys (int64).
    """

    number: int
    id: str
    story: str
    url: str | None
    time: float
    fingerprint: str
    size: int
    text: str
    shingles: np.ndarray
    keys: np.ndarray

    def packed(self) -> dict[str, Any]:
        """Its fields as storable scalars and bytes (text compressed)."""
        return {"number": self.number, "id": self.id, "story": self.story, "url": self.url, "time": self.time,
                "fingerprint": self.fingerprint, "size": self.size, "text": zlib.compress(self.text.encode(), 1),
                "shingles": self.shingles.astype("<u4").tobytes(), "keys": self.keys.astype("<i8").tobytes()}

    @classmethod
    def unpacked(cls, row: dict[str, Any]) -> StoredDocument:
        """The inverse of :meth:`packed`."""
        return cls(number=int(row["number"]), id=row["id"], story=row["story"], url=row["url"] or None,
                   time=float(row["time"]), fingerprint=row["fingerprint"], size=int(row["size"]),
                   text=zlib.decompress(row["text"]).decode(),
                   shingles=np.frombuffer(row["shingles"], dtype="<u4").astype(np.uint32),
                   keys=np.frombuffer(row["keys"], dtype="<i8"))


class Index(ABC):
    """Storage of a filter's seen documents.

    The filter calls :meth:`transaction` around each decision (look up, then
    add): across threads and processes sharing one index, decisions are made
    one at a time, so two copies of a new story arriving together cannot both
    pass.
    """

    location: str

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Exclusive access for one decision; changes are durable when it ends."""

    @abstractmethod
    def read_meta(self) -> dict[str, str]:
        """The stored metadata (empty for a new index)."""

    @abstractmethod
    def write_meta(self, meta: dict[str, str]) -> None:
        """Store metadata (parameters, versions)."""

    @abstractmethod
    def by_fingerprint(self, fingerprint: str) -> StoredDocument | None:
        """A document with this exact cleaned text, if any."""

    @abstractmethod
    def by_url(self, url: str) -> StoredDocument | None:
        """A document with this URL, if any."""

    @abstractmethod
    def candidates(self, keys: np.ndarray, limit: int) -> list[int]:
        """Numbers of the documents sharing band keys with ``keys``, most shared
        keys first (ties: oldest first), at most ``limit``."""

    @abstractmethod
    def load(self, numbers: Sequence[int]) -> list[StoredDocument]:
        """The documents with these numbers, in that order (missing ones skipped)."""

    @abstractmethod
    def add(self, document: StoredDocument) -> int:
        """Store a document and its band keys; return its number."""

    @abstractmethod
    def line_counts(self, lines: Sequence[int]) -> list[int]:
        """For each line hash, how many stories it occurred in."""

    @abstractmethod
    def count_lines(self, lines: Iterable[int]) -> None:
        """Add one story to the count of each line hash."""

    @abstractmethod
    def expire(self, before: float) -> int:
        """Forget the documents whose time is before ``before``; return how many."""

    @abstractmethod
    def size(self) -> int:
        """How many documents the index holds."""

    def latest_time(self) -> float | None:
        """The newest document time stored (None when empty)."""
        meta = self.read_meta().get("latest_time")
        return float(meta) if meta else None

    def close(self) -> None:
        """Release connections and files."""


def check_meta(index: Index, expected: dict[str, str]) -> None:
    """Record ``expected`` in a new index, or refuse an index built with other parameters."""
    found = index.read_meta()
    settings = {k: v for k, v in found.items() if k in expected}
    if not settings:
        index.write_meta(expected)
        return
    differ = {k: (settings.get(k), v) for k, v in expected.items() if settings.get(k) != v}
    if differ:
        detail = ", ".join(f"{k}={old} (now {new})" for k, (old, new) in sorted(differ.items()))
        raise IndexAccessError(f"{index.location}: index was built with {detail}; use the parameters it was "
                          "built with, or a new index")


def encode_meta(settings: dict[str, Any]) -> dict[str, str]:
    """Settings as the strings an index stores."""
    return {k: json.dumps(v, sort_keys=True) for k, v in settings.items()}
