"""Paragraph alignment: which paragraphs of A correspond to which of B, in order.

Given a paragraph similarity matrix, find the monotone (order-preserving)
one-to-one matching that maximises the similarity-weighted share of both
texts, using only pairs at or above ``min_score``. A rewrite keeps the order
of its original, so most of its text aligns; an independent report of the
same event, or an article on the same topic, shares scattered facts that do
not line up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Alignment:
    """A monotone paragraph alignment.

    Attributes:
        pairs: ``(i, j, score)`` for paragraph i of A matched to paragraph j of B.
        a_share: Similarity-weighted share of A's tokens that align, in [0, 1].
        b_share: The same for B.
    """

    pairs: tuple[tuple[int, int, float], ...]
    a_share: float
    b_share: float

    @property
    def score(self) -> float:
        """The smaller of the two shares: how much of *both* texts corresponds."""
        return min(self.a_share, self.b_share)


def align(similarity: np.ndarray, a_sizes: Sequence[int], b_sizes: Sequence[int], *,
          min_score: float = 0.25) -> Alignment:
    """Align paragraphs monotonically.

    Args:
        similarity: ``(len(a_sizes), len(b_sizes))`` paragraph similarities in [0, 1].
        a_sizes: Token count of each paragraph of A (its weight).
        b_sizes: Token count of each paragraph of B.
        min_score: Smallest similarity at which two paragraphs may be matched.

    Returns:
        Alignment: the matched pairs and the aligned share of each side.

    Example:
        >>> s = np.array([[0.9, 0.1], [0.2, 0.8]])
        >>> align(s, [10, 10], [10, 10]).pairs
        ((0, 0, 0.9), (1, 1, 0.8))
    """
    sim = np.where(similarity >= min_score, similarity, 0.0)
    if not sim.any():
        return Alignment((), 0.0, 0.0)
    wa = np.asarray(a_sizes, dtype=np.float64) / (float(sum(a_sizes)) or 1.0)
    wb = np.asarray(b_sizes, dtype=np.float64) / (float(sum(b_sizes)) or 1.0)
    gain = sim * (wa[:, None] + wb[None, :])
    # Heaviest common subsequence, one NumPy step per paragraph of A:
    # best[i, j] = max(best[i-1, j], best[i, j-1], best[i-1, j-1] + gain[i, j]).
    rows, cols = gain.shape
    best = np.zeros((rows + 1, cols + 1))
    for i in range(rows):
        take = best[i, :-1] + gain[i]
        np.maximum.accumulate(np.maximum(best[i, 1:], take), out=best[i + 1, 1:])
    table = best.tolist()  # Python floats: the walk back reads single cells, which NumPy does slowly
    pairs = []
    i, j = rows, cols
    while i > 0 and j > 0:
        here = table[i][j]
        if here == table[i - 1][j]:
            i -= 1
        elif here == table[i][j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1, round(float(sim[i - 1, j - 1]), 4)))
            i, j = i - 1, j - 1
    pairs.reverse()
    a_share = sum(s * a_sizes[i] for i, _, s in pairs) / (float(sum(a_sizes)) or 1.0)
    b_share = sum(s * b_sizes[j] for _, j, s in pairs) / (float(sum(b_sizes)) or 1.0)
    return Alignment(tuple(pairs), min(1.0, a_share), min(1.0, b_share))
