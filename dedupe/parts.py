"""Per-document rows written in parts: ``part-00000.jsonl``, ``part-00001.jsonl``, … (or
``.parquet``), each holding the rows of consecutive input documents.

The destination is a local folder or any URL fsspec can write (``s3://…``,
``gs://…``, ``memory://…``). On the Dask engine each part is written by a
task on the workers, so a cluster writes its output in parallel, next to
where it will be read.

Parquet files share one schema (:data:`COLUMNS`): the jsonl fields as
columns, and the record's other JSON fields as one JSON-encoded ``extra``
column (they differ from record to record).
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Sequence
from typing import Any

from .errors import DedupeError
from .formats import jsonl_line
from .parallel import Engine, LocalEngine, Window

FORMATS = ("jsonl", "parquet")
# The Parquet columns and their types: the jsonl fields; ``evidence`` (with --evidence) and
# ``extra`` (the record's other fields) hold JSON.
COLUMNS = (("id", "string"), ("cluster", "int64"), ("representative", "bool_"), ("representative_id", "string"),
           ("cluster_size", "int64"), ("similarity", "float64"), ("relation", "string"), ("match", "string"),
           ("title", "string"), ("url", "string"), ("source", "string"), ("published", "string"),
           ("warning", "string"), ("evidence", "string"), ("extra", "string"))
_FIELDS = frozenset(name for name, _ in COLUMNS) - {"extra"}


def parquet_schema() -> Any:
    """The schema of every Parquet part (a ``pyarrow.Schema``)."""
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, kind)()) for name, kind in COLUMNS])


def write_parts(rows: Sequence[dict[str, Any]], url: str, *, fmt: str = "jsonl", part_size: int = 100_000,
                engine: Engine | None = None) -> list[str]:
    """Write ``rows`` under ``url`` in parts of ``part_size`` rows; return the parts' URLs.

    Raises:
        DedupeError: Unknown format, Parquet without pyarrow, or a destination
            that cannot be written.
    """
    if fmt not in FORMATS:
        raise DedupeError(f"parts are written as {' or '.join(FORMATS)}, not {fmt}")
    if fmt == "parquet":
        check_parquet()
    try:
        if _has_fsspec():
            import fsspec

            fs, root = fsspec.core.url_to_fs(url)
            fs.makedirs(root, exist_ok=True)
        elif "://" in url:
            raise DedupeError(f"writing to {url} needs fsspec: pip install 'news-dedupe[dask]'")
        else:
            os.makedirs(url, exist_ok=True)
    except (OSError, ValueError) as err:
        raise DedupeError(f"cannot write to {url}: {err}") from err
    n_parts = max(1, -(-len(rows) // part_size))
    shared = (rows, url.rstrip("/"), fmt, part_size)
    engine = engine or LocalEngine()
    return engine.map_ranges(_write_range, shared, n_parts, chunk_size=1, part=_rows_of_parts)


def check_destination(url: str) -> None:
    """Raise a clear error when ``url`` already holds parts (of an earlier run): new parts
    would mix with any left over, and a reader of the folder would get both."""
    if _has_fsspec():
        import fsspec

        fs, root = fsspec.core.url_to_fs(url)
        try:
            names = [name.rsplit("/", 1)[-1] for name in fs.ls(root, detail=False)]
        except (FileNotFoundError, NotADirectoryError):
            return
    elif os.path.isdir(url):
        names = os.listdir(url)
    else:
        return
    found = sorted(n for n in names if n.startswith("part-") and n.endswith(tuple(f".{f}" for f in FORMATS)))
    if found:
        raise DedupeError(f"{url} already holds parts ({found[0]}, … {len(found)} in all): "
                          "remove them or choose another destination")


def check_parquet() -> None:
    """Raise a clear error when pyarrow, which writes Parquet, is missing."""
    if importlib.util.find_spec("pyarrow") is None:
        raise DedupeError("Parquet output needs pyarrow: pip install 'news-dedupe[parquet]'")


def write_parquet(rows: Sequence[dict[str, Any]], destination: Any) -> None:
    """Write rows as one Parquet file to a path or binary file object."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist([_parquet_row(r) for r in rows], schema=parquet_schema()), destination)


def _parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    extra = {k: v for k, v in row.items() if k not in _FIELDS}
    flat = {k: row.get(k) for k in _FIELDS}
    if flat["evidence"] is not None:
        flat["evidence"] = json.dumps(flat["evidence"], ensure_ascii=False)
    flat["extra"] = json.dumps(extra, ensure_ascii=False) if extra else None
    return flat


def _write_range(shared: tuple[Sequence[dict[str, Any]], str, str, int], start: int, stop: int) -> list[str]:
    """Write the parts ``start`` to ``stop``; ``shared`` holds (at least) their rows."""
    rows, url, fmt, part_size = shared
    written = []
    for k in range(start, stop):
        path = f"{url}/part-{k:05d}.{fmt}"
        part = rows[k * part_size:(k + 1) * part_size]
        with _open_for_writing(path) as f:
            if fmt == "parquet":
                write_parquet(part, f)
            else:
                f.write("".join(map(jsonl_line, part)).encode("utf-8"))
        written.append(path)
    return written


def _has_fsspec() -> bool:
    return importlib.util.find_spec("fsspec") is not None


def _open_for_writing(path: str) -> Any:
    """A binary file to write at a path or URL (fsspec's, where installed)."""
    if _has_fsspec():
        import fsspec

        return fsspec.open(path, "wb")
    return open(path, "wb")


def _rows_of_parts(shared: tuple[Sequence[dict[str, Any]], str, str, int], start: int,
                   stop: int) -> tuple[Sequence[dict[str, Any]], str, str, int]:
    """What writing parts ``start`` to ``stop`` needs: their rows, still indexed as in the whole."""
    rows, url, fmt, part_size = shared
    return Window(rows, start * part_size, min(len(rows), stop * part_size)), url, fmt, part_size
