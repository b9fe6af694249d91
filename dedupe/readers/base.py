"""What every reader produces (:class:`Record`) and shares (:class:`ReadContext`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import InputError

METADATA_FIELDS = ("title", "url", "source", "published")
MAX_CHARS = 2_000_000  # ten times the longest news articles; beyond, a text is not one article


@dataclass
class Record:
    """One input document as read, before any cleaning.

    Attributes:
        id: Unique id (see :func:`dedupe.read.read_inputs`).
        text: The raw text, boilerplate included ('' when unreadable); for an
            HTML page, the article its main-content extractor found.
        origin: Where it came from, as ``path`` or ``path:line``, for messages.
        title, url, source, published: Optional metadata, passed through.
        extra: Other JSONL fields, passed through unchanged.
        warning: Why the record could not be used, if it could not.
        raw: The JSONL line exactly as read (only when asked for; bytes that
            are not UTF-8 kept as surrogate escapes).
        extracted: ``text`` is the main content an extractor found in a page
            (the cleaner then skips what the extractor already did).
        page: An HTML page whose article is still to be extracted
            (:func:`dedupe.readers.html.finish`): readers leave it to the
            workers that clean, so that pages are extracted on every core.
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
    extracted: bool = False
    page: Page | None = field(default=None, repr=False)

    def metadata(self) -> dict[str, str]:
        """The metadata fields (``title``, ``url``, ``source``, ``published``) that are set."""
        return {k: value for k in METADATA_FIELDS if (value := getattr(self, k))}


@dataclass(frozen=True)
class Page:
    """An HTML page to extract the article of (the :attr:`Record.page` of a record read but not yet extracted).

    Attributes:
        data: The page, as text or as bytes (decoded as the page declares).
        url: The address it was fetched from, given to the extractor.
        prefer: Metadata that wins over what the page declares (a JSON record's own fields).
        fallback: Metadata used where the page declares none (a WARC record's date).
        max_chars: The longest article text compared (see :func:`oversized`).
        strict: An article over ``max_chars`` stops the run instead of being kept with a warning.
    """

    data: str | bytes
    url: str | None = None
    prefer: dict[str, str] = field(default_factory=dict)
    fallback: dict[str, str] = field(default_factory=dict)
    max_chars: int = MAX_CHARS
    strict: bool = False


@dataclass(frozen=True)
class ReadOptions:
    """How to read the inputs.

    Attributes:
        input_format: Force one format for every input (``text``, ``html``,
            ``jsonl``, ``json``, ``feed``, ``warc``); None detects it from the
            name and the content.
        text_field, id_field: The JSON fields holding the text and the id.
        html_field: A JSON field holding a raw HTML page, extracted like an
            HTML file (used when present; else ``text_field``).
        strict: A problem with any source or record stops the run.
        max_chars: A longer text is not compared (kept with a warning): it
            is no single article, and its cost would grow with it.
    """

    input_format: str | None = None
    text_field: str = "text"
    id_field: str = "id"
    html_field: str | None = None
    strict: bool = False
    max_chars: int = MAX_CHARS


@dataclass
class ReadContext:
    """The options of one read, and the problems met: each is reported as it
    happens (``on_problem``) and counted; with ``strict`` it stops the run."""

    options: ReadOptions = field(default_factory=ReadOptions)
    keep_raw: bool = False
    on_problem: Callable[[str], None] | None = None
    problems: list[str] = field(default_factory=list)

    def problem(self, message: str) -> None:
        """Report a source that could not be read (or only in part)."""
        if self.options.strict:
            raise InputError(f"{message} (--strict)")
        self.problems.append(message)
        if self.on_problem is not None:
            self.on_problem(message)


class NotText(ValueError):
    """Bytes that are not UTF-8 text; the message names the file and ``line``, where the first bad byte is."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def decode(data: bytes, name: str) -> str:
    """The UTF-8 text of a file's bytes.

    Raises:
        NotText: A NUL byte (binary data) or bytes that are not UTF-8.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data[:nul].count(b"\n") + 1
        raise NotText(f"{name}, line {line}: binary data (NUL byte at offset {nul}), not text", line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise NotText(f"{name}, line {line}: not UTF-8 text (byte 0x{data[err.start]:02x} "
                      f"at offset {err.start}); convert it to UTF-8", line) from None


def oversized(record: Record, max_chars: int = MAX_CHARS) -> Record:
    """The record, emptied with a warning when its text is longer than ``max_chars``."""
    if len(record.text) <= max_chars:
        return record
    warning = (f"{record.origin}: {len(record.text):,} characters, over the {max_chars:,}-character limit "
               "for one article; not compared")
    return replace(record, text="", warning=warning)
