"""The article-extraction benchmark's metric (re-implemented from its description in
../shared/data/article-extraction-benchmark/PROVENANCE.md) and its pages.

Tokens are ``\\w+`` runs; per page, the multisets of 4-token shingles of the
prediction and of the gold text give TP, FP and FN, normalised by their sum;
precision and recall are averaged over pages and F1 is computed from those
means.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+")


def available() -> bool:
    """True when the benchmark's pages are next to the checkout."""
    return (DATA / "ground-truth.json").is_file()


def pages() -> Iterator[tuple[str, str, str]]:
    """``(id, html, gold article text)`` of every page."""
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id, item in sorted(truth.items()):
        with gzip.open(DATA / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as f:
            yield page_id, f.read(), item["articleBody"]


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)))


def page_scores(predicted: str, gold: str) -> tuple[float, float]:
    """Precision and recall of one page."""
    p, g = _shingles(predicted), _shingles(gold)
    tp = sum((p & g).values())
    fp, fn = sum(p.values()) - tp, sum(g.values()) - tp
    total = tp + fp + fn
    if total == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)


def scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    """Macro precision, recall and F1 over ``(predicted, gold)`` pages."""
    each = [page_scores(p, g) for p, g in pairs]
    precision = sum(p for p, _ in each) / len(each)
    recall = sum(r for _, r in each) / len(each)
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)
