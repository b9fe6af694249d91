"""Near-duplicate detection for news: syndicated copies, truncations and rewrites.

The public API is small: :func:`deduplicate` clusters records,
:class:`Deduper` judges them one at a time against a lasting index,
:func:`read_inputs` reads them (options in :class:`ReadOptions`),
:func:`clean` strips boilerplate from one article, :class:`Params` holds
the parameters.
"""

from __future__ import annotations

import importlib.metadata
import logging

from .clean import Cleaned, Removal, clean
from .deduper import Decision, Deduper
from .errors import DedupeError, InputError, ParameterError
from .params import Params
from .pipeline import Cluster, Result, deduplicate
from .read import ReadOptions, Record, read_inputs
from .verify import Evidence

try:
    __version__ = importlib.metadata.version("news-dedupe")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
    __version__ = "0.0.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "Cleaned",
    "Cluster",
    "Decision",
    "DedupeError",
    "Deduper",
    "Evidence",
    "InputError",
    "ParameterError",
    "Params",
    "ReadOptions",
    "Record",
    "Removal",
    "Result",
    "__version__",
    "clean",
    "deduplicate",
    "read_inputs",
]
