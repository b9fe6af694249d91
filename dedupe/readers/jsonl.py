"""JSONL streams (one object a line, read line by line) and JSON arrays of objects."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .base import METADATA_FIELDS, Page, ReadContext, Record


def read_jsonl(lines: Iterable[bytes | str], name: str, context: ReadContext) -> Iterator[Record]:
    """Records of a JSONL stream; each line is decoded on its own, so a bad
    byte costs only its own line (reported), never its neighbours."""
    for lineno, line in enumerate(lines, 1):
        if isinstance(line, bytes):
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError as err:
                yield Record(str(lineno), "", f"{name}:{lineno}",
                             warning=f"{name}, line {lineno}: not UTF-8 (byte 0x{line[err.start]:02x} "
                                     f"at column {err.start + 1}); record not read",
                             raw=line.decode("utf-8", "surrogateescape") if context.keep_raw else None)
                continue
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            record = Record(str(lineno), "", where, warning=f"{name}, line {lineno}: invalid JSON ({err.msg})")
        else:
            record = from_object(obj, name, lineno, context)
        if context.keep_raw:
            record.raw = line
        yield record


def read_json_array(text: str, name: str, context: ReadContext) -> Iterator[Record]:
    """Records of a JSON file holding an array of objects (or a single object)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        context.problem(f"{name}, line {err.lineno}: invalid JSON ({err.msg}); file skipped")
        return
    for k, obj in enumerate(data if isinstance(data, list) else [data], 1):
        yield from_object(obj, name, k, context, unit="item")


def from_object(obj: Any, name: str, number: int, context: ReadContext, *, unit: str = "line") -> Record:
    """The record of one JSON object (``number``: its line, or its position in an array)."""
    where = f"{name}:{number}"
    options = context.options
    if not isinstance(obj, dict):
        return Record(str(number), "", where, warning=f"{name}, {unit} {number}: expected a JSON object")
    raw_id = obj.get(options.id_field)
    id_ = str(raw_id) if raw_id is not None else str(number)
    meta = {k: (str(obj[k]) if obj.get(k) is not None else None) for k in METADATA_FIELDS}
    used = {options.id_field, options.text_field, *METADATA_FIELDS}
    if options.html_field:
        used.add(options.html_field)
    extra = {k: v for k, v in obj.items() if k not in used}
    page = obj.get(options.html_field) if options.html_field else None
    if isinstance(page, str) and page.strip():
        own = {k: v for k, v in meta.items() if v}
        return Record(id_, "", where, extra=extra, page=Page(page, url=meta["url"], prefer=own), **meta)
    text = obj.get(options.text_field)
    if not isinstance(text, str):
        fields = ", ".join(obj) or "none"
        wanted = f"'{options.text_field}'" + (f" or '{options.html_field}'" if options.html_field else "")
        return Record(id_, "", where, extra=extra, warning=f"{name}, {unit} {number}: no string field {wanted} "
                                                           f"(fields: {fields})", **meta)
    return Record(id_, text, where, extra=extra, **meta)
