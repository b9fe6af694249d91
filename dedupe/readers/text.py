"""Plain text files: one article each, named by the caller."""

from __future__ import annotations

from .base import NotText, Record, decode


def text_record(data: bytes, id_: str, name: str) -> Record:
    """The record of a text file's bytes (empty with a warning when they are not UTF-8 text)."""
    try:
        return Record(id_, decode(data, name), name)
    except NotText as err:
        return Record(id_, "", f"{name}:{err.line}", warning=str(err))
