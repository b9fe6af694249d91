"""Read stage: paths in, :class:`Record` objects out.

Sources: a folder (every ``.txt`` below it, recursively, in sorted order), a
text file, a JSONL file (``.jsonl`` or ``.jsonl.gz``; one object a line with
``id`` and ``text`` and optionally ``title``, ``url``, ``source``,
``published``), or ``-`` for JSONL on standard input.

Ids: a folder's file is named by its path relative to the folder; a file
argument by the path as given; a JSONL record by its ``id`` (its line number
when it has none). A record that cannot be read is not dropped: it comes out
with empty text and a ``warning`` naming the file and line, so that it is
reported and still appears in the output. Problems that stop the run
(a missing path, two records with one id) raise :class:`InputError`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import InputError

METADATA_FIELDS = ("title", "url", "source", "published")


@dataclass
class Record:
    """One input document as read, before any cleaning.

    Attributes:
        id: Unique id (see the module docstring).
        text: The raw text, boilerplate included ('' when unreadable).
        origin: Where it came from, as ``path`` or ``path:line``, for messages.
        title, url, source, published: Optional metadata, passed through.
        extra: Other JSONL fields, passed through unchanged.
        warning: Why the record could not be used, if it could not.
        raw: The JSONL line exactly as read (only when asked for; bytes that
            are not UTF-8 kept as surrogate escapes).
    """

    id: str
    text: str
    origin: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    warning: str | None = None
    raw: str | None = None


def read_inputs(inputs: Iterable[str], *, stdin: IO[str] | None = None, unique_ids: bool = True,
                keep_raw: bool = False) -> Iterator[Record]:
    """Yield the records of every input, checking that ids are unique.

    Args:
        inputs: Folder, file or ``-`` arguments, as on the command line.
        stdin: The stream ``-`` reads (standard input by default).
        unique_ids: Raise on a repeated id (a stream filter allows them).
        keep_raw: Keep each JSONL line as read in ``Record.raw``.

    Raises:
        InputError: An input does not exist, or two records share an id.
    """
    seen: dict[str, str] = {}
    for arg in inputs:
        for record in _read_one(arg, stdin, keep_raw):
            if not unique_ids:
                yield record
                continue
            if record.id in seen:
                raise InputError(
                    f"duplicate id {record.id!r}: {seen[record.id]} and {record.origin}; "
                    "ids must be unique (give JSONL records distinct 'id' fields)")
            seen[record.id] = record.origin
            yield record


def _read_one(arg: str, stdin: IO[str] | None, keep_raw: bool) -> Iterator[Record]:
    if arg == "-":
        import sys

        yield from _read_jsonl(stdin or getattr(sys.stdin, "buffer", sys.stdin), "<stdin>", keep_raw)
        return
    path = Path(arg)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.txt") if p.is_file())
        if not files:
            raise InputError(f"{arg}: folder has no .txt files")
        for p in files:
            yield _read_text(p, p.relative_to(path).as_posix())
    elif path.is_file():
        if path.name.endswith((".jsonl", ".jsonl.gz", ".ndjson")):
            yield from _read_jsonl_file(path, keep_raw)
        else:
            yield _read_text(path, arg)
    else:
        raise InputError(f"{arg}: no such file or folder")


def _read_text(path: Path, id_: str) -> Record:
    try:
        data = path.read_bytes()
    except OSError as err:
        return Record(id_, "", str(path), warning=f"{path}: cannot read: {err.strerror or err}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return Record(id_, "", f"{path}:{line}",
                      warning=f"{path}, line {line}: not UTF-8 text (byte 0x{data[err.start]:02x} "
                              f"at offset {err.start}); convert it to UTF-8")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return Record(id_, "", f"{path}:{line}", warning=f"{path}, line {line}: binary data (NUL byte), not text")
    return Record(id_, text, str(path))


def _read_jsonl_file(path: Path, keep_raw: bool) -> Iterator[Record]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as raw:
            yield from _read_jsonl(raw, str(path), keep_raw)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputError(f"{path}: cannot read: {err}") from err


def _read_jsonl(stream: IO[str] | IO[bytes], name: str, keep_raw: bool = False) -> Iterator[Record]:
    """Records of a JSONL stream; each line is decoded on its own, so a bad
    byte costs only its own line (reported), never its neighbours."""
    for lineno, line in enumerate(stream, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as err:
                yield Record(str(lineno), "", f"{name}:{lineno}",
                             warning=f"{name}, line {lineno}: not UTF-8 (byte 0x{line[err.start]:02x} "
                                     f"at column {err.start + 1}); record not read",
                             raw=line.decode("utf-8", "surrogateescape") if keep_raw else None)
                continue
        if line.strip():
            record = _parse_jsonl_line(line, name, lineno)
            if keep_raw:
                record.raw = line
            yield record


def _parse_jsonl_line(line: str, name: str, lineno: int) -> Record:
    where = f"{name}:{lineno}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        return Record(str(lineno), "", where, warning=f"{name}, line {lineno}: invalid JSON ({err.msg})")
    if not isinstance(obj, dict):
        return Record(str(lineno), "", where, warning=f"{name}, line {lineno}: expected a JSON object")
    raw_id = obj.get("id")
    id_ = str(raw_id) if raw_id is not None else str(lineno)
    text = obj.get("text")
    meta = {k: (str(obj[k]) if obj.get(k) is not None else None) for k in METADATA_FIELDS}
    extra = {k: v for k, v in obj.items() if k not in ("id", "text", *METADATA_FIELDS)}
    warning = None
    if not isinstance(text, str):
        fields = ", ".join(obj) or "none"
        warning = f"{name}, line {lineno}: no string field 'text' (fields: {fields})"
        text = ""
    return Record(id_, text, where, extra=extra, warning=warning, **meta)
