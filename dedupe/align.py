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
    at_row, at_col = np.nonzero(similarity >= min_score)  # the cells that may be matched, row by row
    if not len(at_row):
        return Alignment((), 0.0, 0.0)
    wa = np.asarray(a_sizes, dtype=np.float64) / (float(sum(a_sizes)) or 1.0)
    wb = np.asarray(b_sizes, dtype=np.float64) / (float(sum(b_sizes)) or 1.0)
    # A matched pair's gain: its similarity times the share of both texts it covers.
    gains = similarity[at_row, at_col] * (wa[at_row] + wb[at_col])
    rows, cols = similarity.shape
    table = _heaviest_common_subsequence(rows, cols, at_row, at_col, gains)
    pairs = []
    i, j = rows, cols
    while i > 0 and j > 0:
        here = table[i][j]
        if here == table[i - 1][j]:
            i -= 1
        elif here == table[i][j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1, round(float(similarity[i - 1, j - 1]), 4)))
            i, j = i - 1, j - 1
    pairs.reverse()
    a_share = sum(s * a_sizes[i] for i, _, s in pairs) / (float(sum(a_sizes)) or 1.0)
    b_share = sum(s * b_sizes[j] for _, j, s in pairs) / (float(sum(b_sizes)) or 1.0)
    return Alignment(tuple(pairs), min(1.0, a_share), min(1.0, b_share))


def _heaviest_common_subsequence(rows: int, cols: int, at_row: np.ndarray, at_col: np.ndarray,
                                 gains: np.ndarray) -> list[list[float]]:
    """The table ``best[i][j]``: the heaviest gain of a monotone matching of the first ``i`` rows with
    the first ``j`` columns, ``max(best[i-1][j], best[i][j-1], best[i-1][j-1] + gain[i-1][j-1])``, where
    only the cells ``(at_row, at_col)`` (in row order) have a gain, ``gains``.

    A row of the table is the row above it but where one of its cells with a gain, plus the cell
    above-left, beats it: from that cell on, the row takes the larger value until the row above
    catches up. Only the cells with a gain are visited (a few per row: a paragraph resembles few
    others), each sum and maximum the one the full recurrence computes.
    """
    weights = gains.tolist()
    starts = np.searchsorted(at_row, np.arange(rows + 1)).tolist()
    columns = at_col.tolist()
    above = [0.0] * (cols + 1)
    table = [above]
    for i in range(rows):
        row = above[:]
        for k in range(starts[i], starts[i + 1]):
            col = columns[k]
            value = above[col] + weights[k]
            col += 1
            while col <= cols and row[col] < value:
                row[col] = value
                col += 1
        table.append(row)
        above = row
    return table
