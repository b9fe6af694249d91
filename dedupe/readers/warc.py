"""WARC archives (the format of Common Crawl's CC-NEWS), with warcio, streamed record by record.

``response`` records with an HTML body and status 200 become documents
(their charset honoured); ``conversion`` records with plain text too. Other
records (requests, metadata, redirects, errors, images, scripts) are skipped
silently: they are not articles. ``id`` is the WARC-Record-ID, ``url`` the
WARC-Target-URI, ``published`` the page's own date when it declares one,
else the WARC-Date. A record whose HTTP header cannot be parsed is reported
(file and record number) and skipped; the rest of the archive is read.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import replace
from typing import IO, Any

from ..errors import InputError
from .base import NotText, ReadContext, Record, decode

INSTALL_HINT = "reading WARC archives needs warcio: pip install 'news-dedupe[warc]'"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(stream: IO[bytes], name: str, context: ReadContext) -> Iterator[Record]:
    """Records of the HTML pages and text conversions of one WARC file."""
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError as err:
        raise InputError(INSTALL_HINT) from err
    records = iter(ArchiveIterator(stream, arc2warc=True))
    number = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as err:  # noqa: BLE001 - warcio raises several kinds on a damaged archive
            context.problem(f"{name}, after record {number}: damaged archive ({err}); rest of the file skipped")
            return
        number += 1
        if record.rec_type not in ("response", "conversion"):
            continue
        headers = record.rec_headers
        url = headers.get_header("WARC-Target-URI")
        where = f"{name}#{number}"
        try:
            if record.rec_type == "conversion":
                found = _conversion(record, where)
            else:
                status = record.http_headers
                code = (status.get_statuscode() or "") if status is not None else ""
                if status is None or not (status.protocol or "").startswith("HTTP/") or not code.isdigit():
                    line = f"{status.protocol} {status.statusline}" if status is not None else "none"
                    context.problem(f"{name}, record {number} ({url}): broken HTTP header ({line!r}); skipped")
                    continue
                found = _response(record, code, status, where, url)
        except (OSError, EOFError, ValueError) as err:
            context.problem(f"{name}, record {number} ({url}): cannot read ({err}); skipped")
            continue
        if found is None:
            continue
        found.id = headers.get_header("WARC-Record-ID") or where
        date = headers.get_header("WARC-Date")
        if found.page is not None:  # the address it was fetched from, not the canonical one the page names
            found.page = replace(found.page, prefer={"url": url} if url else {},
                                 fallback={"published": date} if date else {})
        found.url = url or found.url
        found.published = found.published or date
        yield found


def _conversion(record: Any, where: str) -> Record | None:
    content_type = (record.rec_headers.get_header("Content-Type") or "text/plain").lower()
    if not content_type.startswith("text/plain"):
        return None
    try:
        return Record("", decode(record.content_stream().read(), where), where)
    except NotText as err:
        return Record("", "", where, warning=str(err))


def _response(record: Any, code: str, status: Any, where: str, url: str | None) -> Record | None:
    content_type = (status.get_header("Content-Type") or "").lower()
    if code != "200" or not content_type.startswith(_HTML_TYPES):
        return None  # redirects, errors, images, scripts: not articles
    body = record.content_stream().read()
    charset = _charset(content_type)
    from .html import pending

    return pending(body.decode(charset, errors="replace") if charset else body, "", where, url=url)


def _charset(content_type: str) -> str | None:
    """The charset a Content-Type names, if Python knows it."""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip() == "charset" and value.strip():
            name = value.strip().strip('"\'')
            try:
                return codecs.lookup(name).name
            except LookupError:
                return None
    return None
