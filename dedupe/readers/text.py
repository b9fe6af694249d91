"""Plain text files: one article each, named by the caller."""

from __future__ import annotations

from .base import Record, decode


def text_record(data: bytes, id_: str, name: str) -> Record:
    """The record of a text file's bytes (empty with a warning when they are not UTF-8 text)."""
    text, warning = decode(data, name)
    if warning:
        line = warning.split(", line ", 1)[1].split(":", 1)[0]
        return Record(id_, "", f"{name}:{line}", warning=warning)
    return Record(id_, text, name)
