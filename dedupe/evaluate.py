"""Scores of a clustering against the truth: pairwise precision, recall, F1, adjusted Rand.

Pairwise: a pair of documents is positive when both are in one true
cluster; predicted positive when both are in one predicted cluster.
Computed from the contingency table, so it costs O(n), not O(n²).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PairScores:
    """Pairwise counts and scores of one clustering."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    adjusted_rand: float


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(truth: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> PairScores:
    """Score ``predicted`` cluster labels against ``truth`` labels (same ids).

    Example:
        >>> s = pair_scores({"a": 1, "b": 1, "c": 2}, {"a": 0, "b": 0, "c": 0})
        >>> (s.precision, s.recall)
        (0.3333333333333333, 1.0)
    """
    ids = list(truth)
    missing = [i for i in ids if i not in predicted]
    if missing:
        raise ValueError(f"{len(missing)} ids of the truth have no prediction (first: {missing[0]!r})")
    cells = Counter((truth[i], predicted[i]) for i in ids)
    t = sum(_pairs(c) for c in Counter(truth[i] for i in ids).values())
    p = sum(_pairs(c) for c in Counter(predicted[i] for i in ids).values())
    tp = sum(_pairs(c) for c in cells.values())
    precision = tp / p if p else 1.0
    recall = tp / t if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = _pairs(len(ids))
    expected = t * p / total if total else 0.0
    denom = (t + p) / 2 - expected
    ari = (tp - expected) / denom if denom else 1.0
    return PairScores(t, p, tp, precision, recall, f1, ari)


def recall_of(members: Sequence[str], truth: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> float:
    """Pairwise recall restricted to true pairs that involve one of ``members``.

    Used to score one kind of variant (truncations, rewrites) on its own.
    """
    by_truth: dict[Hashable, list[str]] = {}
    for i, label in truth.items():
        by_truth.setdefault(label, []).append(i)
    total = found = 0
    chosen = set(members)
    for m in chosen:
        for other in by_truth[truth[m]]:
            if other == m or (other in chosen and other < m):
                continue
            total += 1
            found += predicted[other] == predicted[m]
    return found / total if total else 1.0
