"""Where a filter keeps what it has seen: in memory, a SQLite file, or Redis.

:func:`open_index` picks the backend from the location: nothing or
``:memory:`` for memory, ``redis://…`` (``rediss://``, ``unix://``) for
Redis, anything else is a SQLite file path.
"""

from __future__ import annotations

from pathlib import Path

from .base import Index, StoredDocument, check_meta, encode_meta
from .memory_index import MemoryIndex
from .sqlite_index import SqliteIndex

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_index(location: str | Path | None) -> Index:
    """Open (creating when missing) the index at ``location``."""
    if location is None or str(location) == ":memory:":
        return MemoryIndex()
    if str(location).startswith(_REDIS_SCHEMES):
        from .redis_index import RedisIndex

        return RedisIndex(str(location))
    return SqliteIndex(location)


__all__ = ["Index", "MemoryIndex", "SqliteIndex", "StoredDocument", "check_meta", "encode_meta", "open_index"]
