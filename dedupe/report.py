"""Report stage: a clustering in, one self-contained HTML page (or its data as JSON) out.

The page needs no network: styles, script and data are inline, and its
Content-Security-Policy forbids loading anything else. The data holds each
distinct cleaned text once (copies share it); the browser renders only the
clusters in view, so a feed of thousands of documents stays responsive.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

from .formats import document_rows
from .pipeline import Result

_EVIDENCE_KEYS = ("jaccard", "a_in_b", "b_in_a", "cosine", "aligned")


def report_data(result: Result) -> dict[str, Any]:
    """The report's content: parameters, stats, clusters largest first, and the texts.

    ``texts`` maps a key to a cleaned text's paragraphs; each member names its
    text by ``text``. Member fields are those of ``cluster --format jsonl``
    plus ``overlap``: the evidence figures against the representative.
    """
    rows = document_rows(result)
    texts: dict[str, list[str]] = {}
    key_of: dict[str, str] = {}
    clusters = []
    for c in result.clusters:
        members = []
        for m in c.members:
            doc = result.documents[m]
            key = key_of.setdefault(doc.fingerprint, str(m))
            if key not in texts:
                texts[key] = doc.paragraphs
            row = {k: v for k, v in rows[m].items() if k != "extra"}
            ev = result.evidence[m]
            row["overlap"] = ({k: None if getattr(ev, k) is None else round(getattr(ev, k), 4)
                               for k in _EVIDENCE_KEYS} if ev is not None else None)
            row["text"] = key
            row["warning"] = doc.warning
            members.append(row)
        clusters.append({"id": c.id, "size": len(c.members), "representative": rows[c.representative]["id"],
                         "members": members})
    return {"parameters": result.params.to_dict(), "stats": result.stats, "clusters": clusters, "texts": texts}


def to_html(data: dict[str, Any], *, title: str = "dedupe report") -> str:
    """The self-contained HTML page for :func:`report_data`'s content."""
    page = resources.files("dedupe").joinpath("report.html").read_text(encoding="utf-8")
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return page.replace("__TITLE__", html.escape(title)).replace("__DATA__", payload)
