"""An index in Redis: one index shared by crawler processes on several machines.

Keys, under a prefix (``dedupe:`` by default): ``meta`` (hash),
``doc:<n>`` (hash per document), ``band:<key>`` (set of document numbers),
``fingerprint`` and ``url`` (hashes to a document number), ``time`` (sorted
set of numbers by time), ``lines`` (hash of line counts), ``next`` (counter).
Decisions take a Redis lock (``lock``), so processes decide one at a time.
Lua scripts keep a lookup or an addition to one command (the lookup counts
the shared band keys and ranks candidates on the server, most shared first,
ties oldest first, as the other backends do). Multi-key scripts mean one
Redis server, not Redis Cluster.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import IndexAccessError
from .base import Index, StoredDocument


class RedisIndex(Index):
    """Documents, band keys and line counts in a Redis database.

    Args:
        url: ``redis://host:port/db`` (``rediss://`` and ``unix://`` too).
        prefix: Prefix of every key, so several indexes can share a database.
        lock_timeout: Seconds a decision may hold the lock (a crashed holder frees it then).
    """

    def __init__(self, url: str, *, prefix: str = "dedupe:", lock_timeout: float = 60.0) -> None:
        try:
            import redis
        except ImportError as err:
            raise IndexAccessError(f"{url}: a Redis index needs the redis package: "
                                   "pip install 'news-dedupe[redis]'") from err
        self.location = url
        self._prefix = prefix
        self._local = threading.RLock()
        self._redis = redis.Redis.from_url(url)
        try:
            self._redis.ping()
        except redis.RedisError as err:
            raise IndexAccessError(f"{url}: cannot reach Redis: {err}") from err
        self._lock = self._redis.lock(prefix + "lock", timeout=lock_timeout, blocking_timeout=lock_timeout)
        self._errors = redis.RedisError
        self._ranked = self._redis.register_script(_RANKED)
        self._add_to_sets = self._redis.register_script(
            "for _, key in ipairs(KEYS) do redis.call('SADD', key, ARGV[1]) end")
        self._remove_from_sets = self._redis.register_script(
            "for _, key in ipairs(KEYS) do redis.call('SREM', key, ARGV[1]) end")
        self._increment = self._redis.register_script(
            "for _, field in ipairs(ARGV) do redis.call('HINCRBY', KEYS[1], field, 1) end")

    def _key(self, *parts: object) -> str:
        return self._prefix + ":".join(map(str, parts))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._local:
            try:
                if not self._lock.acquire():
                    raise IndexAccessError(f"{self.location}: timed out waiting for the index lock")
                try:
                    yield
                finally:
                    self._lock.release()
            except self._errors as err:
                raise IndexAccessError(f"{self.location}: {err}") from err

    def read_meta(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self._redis.hgetall(self._key("meta")).items()}

    def write_meta(self, meta: dict[str, str]) -> None:
        if meta:
            self._redis.hset(self._key("meta"), mapping=meta)

    def _by(self, field: str, value: str) -> StoredDocument | None:
        number = self._redis.hget(self._key(field), value)
        found = self.load([int(number)]) if number is not None else []
        return found[0] if found else None

    def by_fingerprint(self, fingerprint: str) -> StoredDocument | None:
        return self._by("fingerprint", fingerprint)

    def by_url(self, url: str) -> StoredDocument | None:
        return self._by("url", url)

    def candidates(self, keys: np.ndarray, limit: int) -> list[int]:
        if not len(keys) or limit <= 0:
            return []
        return [int(n) for n in self._ranked(keys=[self._key("band", k) for k in keys.tolist()], args=[limit])]

    def load(self, numbers: Sequence[int]) -> list[StoredDocument]:
        pipe = self._redis.pipeline(transaction=False)
        for n in numbers:
            pipe.hgetall(self._key("doc", n))
        found = []
        for n, row in zip(numbers, pipe.execute()):
            if row:
                fields: dict[str, Any] = {k.decode(): v for k, v in row.items()}
                for name in ("id", "story", "url", "fingerprint"):
                    fields[name] = fields[name].decode()
                found.append(StoredDocument.unpacked({**fields, "number": n}))
        return found

    def add(self, document: StoredDocument) -> int:
        number = document.number = int(self._redis.incr(self._key("next")))
        row = {k: ("" if v is None else v) for k, v in document.packed().items()}
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(self._key("doc", number), mapping=row)
        self._add_to_sets(keys=[self._key("band", k) for k in document.keys.tolist()], args=[_member(number)],
                          client=pipe)
        pipe.hsetnx(self._key("fingerprint"), document.fingerprint, number)
        if document.url:
            pipe.hsetnx(self._key("url"), document.url, number)
        pipe.zadd(self._key("time"), {str(number): document.time})
        pipe.execute()
        latest = self._redis.hget(self._key("meta"), "latest_time")
        if latest is None or document.time > float(latest):
            self._redis.hset(self._key("meta"), "latest_time", repr(document.time))
        return number

    def line_counts(self, lines: Sequence[int]) -> list[int]:
        if not lines:
            return []
        return [int(v) if v is not None else 0 for v in self._redis.hmget(self._key("lines"), list(lines))]

    def count_lines(self, lines: Iterable[int]) -> None:
        fields = [str(k) for k in set(lines)]
        if fields:
            self._increment(keys=[self._key("lines")], args=fields)

    def expire(self, before: float) -> int:
        old = [int(n) for n in self._redis.zrangebyscore(self._key("time"), "-inf", f"({before!r}")]
        for document in self.load(old):
            pipe = self._redis.pipeline(transaction=True)
            self._remove_from_sets(keys=[self._key("band", k) for k in document.keys.tolist()],
                                   args=[_member(document.number)], client=pipe)
            for field, value in (("fingerprint", document.fingerprint), ("url", document.url)):
                if value and self._redis.hget(self._key(field), value) == str(document.number).encode():
                    pipe.hdel(self._key(field), value)
            pipe.delete(self._key("doc", document.number))
            pipe.zrem(self._key("time"), document.number)
            pipe.execute()
        return len(old)

    def size(self) -> int:
        return int(self._redis.zcard(self._key("time")))

    def close(self) -> None:
        self._redis.close()


def _member(number: int) -> str:
    """A document number as band sets hold it (integers: Redis stores small sets of them compactly)."""
    return str(number)


# The members of the sets KEYS, by how many of the sets hold them (then by number), at most ARGV[1].
_RANKED = """
local counts = {}
for _, key in ipairs(KEYS) do
  for _, member in ipairs(redis.call('SMEMBERS', key)) do
    local n = tonumber(member)
    counts[n] = (counts[n] or 0) + 1
  end
end
local found = {}
for n, c in pairs(counts) do found[#found + 1] = {n, c} end
table.sort(found, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
local out = {}
for i = 1, math.min(tonumber(ARGV[1]), #found) do out[i] = found[i][1] end
return out
"""
