"""An index in a SQLite file: survives restarts, shared safely by several processes.

Write-ahead logging with ``synchronous=NORMAL``: a committed decision
survives the process being killed (not necessarily a power cut). Each
decision runs in a ``BEGIN IMMEDIATE`` transaction, so processes sharing the
file decide one at a time and never both pass one new story.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import IndexAccessError
from .base import Index, StoredDocument

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    number INTEGER PRIMARY KEY, id TEXT NOT NULL, story TEXT NOT NULL, url TEXT, time REAL NOT NULL,
    fingerprint TEXT NOT NULL, size INTEGER NOT NULL, text BLOB NOT NULL, shingles BLOB NOT NULL,
    keys BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS docs_fingerprint ON docs (fingerprint);
CREATE INDEX IF NOT EXISTS docs_url ON docs (url) WHERE url IS NOT NULL;
CREATE INDEX IF NOT EXISTS docs_time ON docs (time);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lines (key INTEGER PRIMARY KEY, stories INTEGER NOT NULL);
"""
_COLUMNS = "number, id, story, url, time, fingerprint, size, text, shingles, keys"


class SqliteIndex(Index):
    """Documents, band keys and line counts in a SQLite file.

    Args:
        path: The file (created with its folder's permissions when missing).
        timeout: Seconds to wait for another process's decision to finish.
    """

    def __init__(self, path: str | Path, *, timeout: float = 60.0) -> None:
        self.location = str(path)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.location, timeout=timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._set_up(time.monotonic() + timeout)
        except sqlite3.DatabaseError as err:
            raise IndexAccessError(f"{self.location}: cannot open as a dedupe index: {err}") from err

    def _set_up(self, deadline: float) -> None:
        """WAL mode and the tables, retried while another process holds the file.

        Switching to WAL needs the file to itself, and SQLite reports "database
        is locked" at once, without waiting, when another process opening the
        same new file is in the middle of it.
        """
        while True:
            try:
                if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                with self._locked():
                    for statement in filter(str.strip, _SCHEMA.split(";")):
                        self._db.execute(statement)
                return
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self._locked():
                yield
        except sqlite3.OperationalError as err:
            raise IndexAccessError(f"{self.location}: {err}") from err

    def read_meta(self) -> dict[str, str]:
        return {row["key"]: row["value"] for row in self._db.execute("SELECT key, value FROM meta")}

    def write_meta(self, meta: dict[str, str]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())

    def _one(self, where: str, value: str) -> StoredDocument | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM docs WHERE {where} = ? ORDER BY number LIMIT 1",
                               (value,)).fetchone()
        return StoredDocument.unpacked(dict(row)) if row else None

    def by_fingerprint(self, fingerprint: str) -> StoredDocument | None:
        return self._one("fingerprint", fingerprint)

    def by_url(self, url: str) -> StoredDocument | None:
        return self._one("url", url)

    def candidates(self, keys: np.ndarray, limit: int) -> list[int]:
        if not len(keys):
            return []
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT doc FROM bands WHERE key IN ({marks}) GROUP BY doc ORDER BY COUNT(*) DESC, doc LIMIT ?",
            [*keys.astype(np.int64).tolist(), limit])
        return [row[0] for row in rows]

    def load(self, numbers: Sequence[int]) -> list[StoredDocument]:
        if not numbers:
            return []
        marks = ",".join("?" * len(numbers))
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM docs WHERE number IN ({marks})", list(numbers))
        found = {row["number"]: StoredDocument.unpacked(dict(row)) for row in rows}
        return [found[n] for n in numbers if n in found]

    def add(self, document: StoredDocument) -> int:
        row = document.packed()
        del row["number"]
        cursor = self._db.execute(f"INSERT INTO docs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                  list(row.values()))
        number = document.number = int(cursor.lastrowid or 0)
        self._db.executemany("INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)",
                             ((k, number) for k in document.keys.tolist()))
        self._db.execute("INSERT INTO meta (key, value) VALUES ('latest_time', ?) ON CONFLICT (key) DO UPDATE "
                         "SET value = excluded.value WHERE CAST(excluded.value AS REAL) > CAST(value AS REAL)",
                         (repr(document.time),))
        return number

    def line_counts(self, lines: Sequence[int]) -> list[int]:
        if not lines:
            return []
        marks = ",".join("?" * len(lines))
        found = dict(self._db.execute(f"SELECT key, stories FROM lines WHERE key IN ({marks})", list(lines)))
        return [found.get(k, 0) for k in lines]

    def count_lines(self, lines: Iterable[int]) -> None:
        self._db.executemany("INSERT INTO lines (key, stories) VALUES (?, 1) "
                             "ON CONFLICT (key) DO UPDATE SET stories = stories + 1", ((k,) for k in set(lines)))

    def expire(self, before: float) -> int:
        old = self._db.execute("SELECT number, keys FROM docs WHERE time < ?", (before,)).fetchall()
        for row in old:
            keys = np.frombuffer(row["keys"], dtype="<i8").tolist()
            self._db.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", ((k, row["number"]) for k in keys))
        self._db.execute("DELETE FROM docs WHERE time < ?", (before,))
        return len(old)

    def size(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def close(self) -> None:
        self._db.close()
