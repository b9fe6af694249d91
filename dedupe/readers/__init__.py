"""One module per source format; :mod:`dedupe.read` detects the format and dispatches.

``base`` (the :class:`~dedupe.readers.base.Record` and the reading context),
``text`` (plain text files), ``jsonl`` (JSONL and JSON arrays), ``html``
(pages, through a main-content extractor), ``feeds`` (RSS and Atom) and
``warc`` (web archives).
"""
