"""Read stage: paths in, :class:`Record` objects out, streamed.

Sources (each argument): a folder (recursively, in sorted order, every file
of a known format below), a file, a URL that fsspec reads (``s3://``,
``gs://``, ``https://``, ``memory://``...: a file or a folder), or ``-`` for
standard input (JSONL unless ``input_format`` says otherwise); any file may
be gzipped (``.gz``).
Formats, from the name (``.txt``, ``.html``/``.htm``, ``.jsonl``/``.ndjson``,
``.json``, ``.xml``/``.rss``/``.atom``, ``.warc``), else from the content,
or forced with ``ReadOptions.input_format``: plain text, HTML pages (main
content extracted, :mod:`dedupe.readers.html`), JSONL and JSON arrays,
RSS/Atom feeds, WARC archives (:mod:`dedupe.readers`).

Ids: a folder's text or HTML file is named by its path relative to the
folder; a file argument by the path as given; a JSON record by its id field
(its line or position when it has none); a feed entry by its guid or link; a
WARC record by its WARC-Record-ID.

Nothing is dropped silently. A record that cannot be read (bad JSON line,
bytes that are not UTF-8) comes out with empty text and a ``warning`` naming
the file and line, so that it still appears in the output. A source that
cannot be read, or only in part (a truncated gzip, a feed that is not XML, a
damaged WARC record, a folder with nothing readable), is reported through
``on_problem`` and counted, and the rest is read; with ``strict`` it stops
the run. Problems that stop any run (a missing path, two records with one
id, a missing optional package, nothing readable at all) raise
:class:`InputError`.
"""

from __future__ import annotations

import gzip
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from .errors import InputError
from .readers.base import METADATA_FIELDS, NotText, ReadContext, ReadOptions, Record, decode, oversized
from .readers.jsonl import read_json_array, read_jsonl
from .readers.text import text_record

FORMATS = ("text", "html", "jsonl", "json", "feed", "warc")
_SUFFIXES = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".xhtml": "html",
             ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".xml": "feed", ".rss": "feed",
             ".atom": "feed", ".warc": "warc", ".arc": "warc"}
_GZIP_MAGIC = b"\x1f\x8b"


def read_inputs(inputs: Iterable[str], *, stdin: IO[str] | IO[bytes] | None = None, unique_ids: bool = True,
                keep_raw: bool = False, options: ReadOptions | None = None,
                on_problem: Callable[[str], None] | None = None, defer_html: bool = False) -> Iterator[Record]:
    """Yield the records of every input, checking that ids are unique.

    Args:
        inputs: Folder, file or ``-`` arguments, as on the command line.
        stdin: The stream ``-`` reads (standard input by default).
        unique_ids: Raise on a repeated id (a stream filter allows them).
        keep_raw: Keep each JSONL line as read in ``Record.raw``.
        options: Formats and JSON fields (:class:`ReadOptions`).
        on_problem: Called with the message of each source that could not be
            read (or only in part); the rest is read.
        defer_html: Leave HTML pages to be extracted later, where the records
            are cleaned (:attr:`Record.page`, :func:`dedupe.readers.html.finish`):
            :func:`dedupe.pipeline.prepare_all` extracts them in its workers.

    Raises:
        InputError: An input does not exist, two records share an id, an
            optional package is missing, nothing at all could be read, or
            (with ``strict``) any problem.
    """
    context = ReadContext(options or ReadOptions(), keep_raw, on_problem)
    seen: dict[str, str] = {}
    count = 0
    for arg in inputs:
        for record in _read_argument(arg, stdin, context):
            count += 1
            if record.page is not None:
                record.page = replace(record.page, max_chars=context.options.max_chars,
                                      strict=context.options.strict)
                if not defer_html:
                    from .readers.html import finish

                    record = finish(record)
            record = oversized(record, context.options.max_chars)
            if context.options.strict and record.warning:
                raise InputError(f"{record.warning} (--strict)")
            if unique_ids:
                if record.id in seen:
                    raise InputError(
                        f"duplicate id {record.id!r}: {seen[record.id]} and {record.origin}; "
                        "ids must be unique (give JSONL records distinct 'id' fields)")
                seen[record.id] = record.origin
            yield record
    if count == 0 and context.problems:
        raise InputError(f"no document could be read ({len(context.problems)} problems, the first: "
                         f"{context.problems[0]})")


def _read_argument(arg: str, stdin: IO[str] | IO[bytes] | None, context: ReadContext) -> Iterator[Record]:
    if arg == "-":
        stream = stdin or getattr(sys.stdin, "buffer", sys.stdin)
        fmt = context.options.input_format or "jsonl"
        if fmt == "jsonl":
            yield from read_jsonl(stream, "<stdin>", context)
        elif fmt == "warc" and "b" in getattr(stream, "mode", "b"):  # streamed; warcio reads gzip itself
            from .readers.warc import read_warc

            yield from read_warc(stream, "<stdin>", context)  # type: ignore[arg-type]
        else:
            data = stream.read()
            yield from _read_data(data.encode() if isinstance(data, str) else data, "<stdin>", "<stdin>", fmt,
                                  context)
        return
    if _is_url(arg):
        yield from _read_url(arg, context)
        return
    path = Path(arg)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _format_of_name(p.name))
        if not files:
            known = ", ".join(sorted(_SUFFIXES))
            context.problem(f"{arg}: folder has no readable files ({known}, or any of them .gz)")
        for p in files:
            yield from _read_file(p, p.relative_to(path).as_posix(), context)
    elif path.is_file():
        yield from _read_file(path, arg, context)
    else:
        raise InputError(f"{arg}: no such file or folder")


def _is_url(arg: str) -> bool:
    """True for ``PROTOCOL://...`` (s3://, gs://, https://, memory://, file://: whatever fsspec reads)."""
    head, sep, _ = arg.partition("://")
    return bool(sep) and head.replace("+", "").replace("-", "").isalnum() and not Path(arg).exists()


def _read_url(url: str, context: ReadContext) -> Iterator[Record]:
    """Records of a file or folder that fsspec reads (the ids as for a local file or folder)."""
    try:
        import fsspec
    except ImportError as err:
        raise InputError(f"{url}: reading URLs needs fsspec (pip install 'news-dedupe[dask]' or fsspec)") from err
    try:
        fs, root = fsspec.core.url_to_fs(url)
        if fs.isdir(root):
            files = sorted(f for f in fs.find(root) if _format_of_name(f))
            if not files:
                context.problem(f"{url}: folder has no readable files")
            sources = [(f, f[len(root.rstrip("/")) + 1:]) for f in files]
        elif fs.isfile(root):
            sources = [(root, url)]
        else:
            raise InputError(f"{url}: no such file or folder")
    except (OSError, ValueError) as err:
        raise InputError(f"{url}: cannot read: {err}") from err
    for path, id_ in sources:
        name = fs.unstrip_protocol(path)
        try:
            data = fs.cat_file(path)
        except OSError as err:
            yield Record(id_, "", name, warning=f"{name}: cannot read: {err}")
            continue
        yield from _read_bytes(data, id_, name, context.options.input_format or _format_of_name(path), context)


def _format_of_name(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return _SUFFIXES.get(Path(lower).suffix)


def _read_file(path: Path, id_: str, context: ReadContext) -> Iterator[Record]:
    """Records of one file, gzipped or not, in its named, forced or sniffed format."""
    name = str(path)
    try:
        with path.open("rb") as raw:
            zipped = raw.read(2) == _GZIP_MAGIC
        fmt = context.options.input_format or _format_of_name(path.name)
        if fmt in ("jsonl", "warc"):  # streamed
            opener = gzip.open if zipped else open
            with opener(path, "rb") as stream:
                if fmt == "jsonl":
                    yield from read_jsonl(stream, name, context)
                else:
                    from .readers.warc import read_warc

                    yield from read_warc(stream, name, context)
            return
        data = path.read_bytes()
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        context.problem(f"{name}: truncated or damaged gzip ({err}); what came before was read, the rest skipped")
        return
    except OSError as err:
        yield Record(id_, "", name, warning=f"{name}: cannot read: {err.strerror or err}")
        return
    yield from _read_bytes(data, id_, name, fmt, context)


def _read_bytes(data: bytes, id_: str, name: str, fmt: str | None, context: ReadContext) -> Iterator[Record]:
    """Records of a whole file's bytes, gzipped or not, in ``fmt`` (None: sniffed from the content)."""
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (EOFError, gzip.BadGzipFile, zlib.error) as err:
            context.problem(f"{name}: truncated or damaged gzip ({err}); file skipped")
            return
    yield from _read_data(data, id_, name, fmt or _sniff(data), context)


def _sniff(data: bytes) -> str:
    """The format a file's first bytes show (text when nothing else fits)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"warc/"):
        return "warc"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"["):
        return "json"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        return "html"
    return "text"


def _read_data(data: bytes, id_: str, name: str, fmt: str, context: ReadContext) -> Iterator[Record]:
    if fmt == "text":
        yield text_record(data, id_, name)
    elif fmt == "html":
        from .readers.html import pending

        yield pending(data, id_, name)
    elif fmt == "jsonl":
        yield from read_jsonl(data.splitlines(keepends=True), name, context)
    elif fmt == "json":
        try:
            text = decode(data, name)
        except NotText as err:
            context.problem(f"{err}; file skipped")
            return
        yield from read_json_array(text, name, context)
    elif fmt == "feed":
        from .readers.feeds import read_feed

        yield from read_feed(data, name, context)
    elif fmt == "warc":
        import io

        from .readers.warc import read_warc

        yield from read_warc(io.BytesIO(data), name, context)
    else:
        raise InputError(f"unknown input format {fmt!r} (one of {', '.join(FORMATS)})")


__all__ = ["FORMATS", "METADATA_FIELDS", "ReadOptions", "Record", "read_inputs"]
