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
    total_a, total_b = float(sum(a_sizes)) or 1.0, float(sum(b_sizes)) or 1.0
    ii, jj = np.nonzero(similarity >= min_score)
    if len(ii) == 0:
        return Alignment((), 0.0, 0.0)
    scores = similarity[ii, jj]
    gains = scores * (np.asarray(a_sizes)[ii] / total_a + np.asarray(b_sizes)[jj] / total_b)
    order = np.lexsort((jj, ii))
    ii, jj, scores, gains = ii[order], jj[order], scores[order], gains[order]
    # Heaviest chain increasing in both i and j: O(k^2) on the k candidate
    # matches, which are few because of min_score; plain lists beat NumPy here.
    il, jl, gl = ii.tolist(), jj.tolist(), gains.tolist()
    best = list(gl)
    back = [-1] * len(il)
    for e in range(len(il)):
        ie, je, top, arg = il[e], jl[e], 0.0, -1
        for f in range(e):
            if il[f] < ie and jl[f] < je and best[f] > top:
                top, arg = best[f], f
        if arg >= 0:
            best[e] = gl[e] + top
            back[e] = arg
    e = max(range(len(best)), key=best.__getitem__)
    chain = []
    while e >= 0:
        chain.append(e)
        e = back[e]
    chain.reverse()
    pairs = tuple((int(ii[e]), int(jj[e]), round(float(scores[e]), 4)) for e in chain)
    a_share = sum(s * a_sizes[i] for i, _, s in pairs) / total_a
    b_share = sum(s * b_sizes[j] for _, j, s in pairs) / total_b
    return Alignment(pairs, min(1.0, a_share), min(1.0, b_share))
