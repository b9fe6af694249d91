"""Paragraph alignment: monotone, one-to-one, weighted by paragraph sizes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dedupe.align import align


def test_crossing_matches_are_refused() -> None:
    similarity = np.array([[0.0, 0.9],
                           [0.8, 0.0]])

    result = align(similarity, [10, 10], [10, 10])

    assert result.pairs == ((0, 1, 0.9),)


def test_heaviest_order_preserving_chain_is_chosen() -> None:
    similarity = np.array([[0.9, 0.0, 0.0],
                           [0.0, 0.0, 0.8],
                           [0.0, 0.7, 0.0]])

    result = align(similarity, [10, 10, 10], [10, 10, 10])

    assert result.pairs == ((0, 0, 0.9), (1, 2, 0.8))


def test_shares_are_weighted_by_paragraph_sizes() -> None:
    similarity = np.array([[1.0, 0.0],
                           [0.0, 0.0]])

    result = align(similarity, [30, 10], [10, 10])

    assert result.a_share == pytest.approx(0.75)
    assert result.b_share == pytest.approx(0.5)
    assert result.score == pytest.approx(0.5)


def test_shares_are_weighted_by_similarity() -> None:
    result = align(np.array([[0.5, 0.0], [0.0, 0.5]]), [20, 20], [10, 30])

    assert result.pairs == ((0, 0, 0.5), (1, 1, 0.5))
    assert result.a_share == pytest.approx(0.5)
    assert result.b_share == pytest.approx(0.5)


def test_pairs_below_min_score_are_ignored() -> None:
    result = align(np.array([[0.2, 0.24], [0.1, 0.3]]), [10, 10], [10, 10], min_score=0.25)

    assert result.pairs == ((1, 1, 0.3),)
    assert align(np.array([[0.2]]), [5], [5], min_score=0.25).pairs == ()
    assert align(np.array([[0.2]]), [5], [5], min_score=0.25).score == 0.0


def _best_monotone_gain(similarity: np.ndarray, a_sizes: list[int], b_sizes: list[int], min_score: float) -> float:
    n, m = similarity.shape
    ta, tb = sum(a_sizes), sum(b_sizes)
    best = 0.0
    for k in range(1, min(n, m) + 1):
        for rows in itertools.combinations(range(n), k):
            for cols in itertools.combinations(range(m), k):
                scores = [similarity[i, j] for i, j in zip(rows, cols)]
                if min(scores) < min_score:
                    continue
                gain = sum(s * (a_sizes[i] / ta + b_sizes[j] / tb) for s, i, j in zip(scores, rows, cols))
                best = max(best, gain)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_alignment_is_optimal_and_monotone_on_small_random_matrices(seed: int) -> None:
    rng = np.random.RandomState(seed)
    similarity = np.round(rng.uniform(0, 1, size=(4, 5)) ** 2, 4)
    a_sizes = rng.randint(5, 60, size=4).tolist()
    b_sizes = rng.randint(5, 60, size=5).tolist()

    result = align(similarity, a_sizes, b_sizes, min_score=0.25)

    rows = [i for i, _, _ in result.pairs]
    cols = [j for _, j, _ in result.pairs]
    assert rows == sorted(set(rows)) and cols == sorted(set(cols))
    assert all(similarity[i, j] >= 0.25 for i, j in zip(rows, cols))
    assert result.a_share + result.b_share == pytest.approx(
        _best_monotone_gain(similarity, a_sizes, b_sizes, 0.25), abs=1e-6)


def _pairs_of_the_full_recurrence(similarity: np.ndarray, a_sizes: list[int], b_sizes: list[int],
                                  min_score: float) -> list[tuple[int, int]]:
    """Every cell of ``best[i][j] = max(up, left, diagonal + gain)`` computed, then walked back
    preferring up, then left (the alignment's tie rule)."""
    n, m = similarity.shape
    ta, tb = sum(a_sizes) or 1, sum(b_sizes) or 1
    gain = [[similarity[i, j] * (a_sizes[i] / ta + b_sizes[j] / tb) if similarity[i, j] >= min_score else 0.0
             for j in range(m)] for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n):
        for j in range(m):
            best[i + 1][j + 1] = max(best[i][j + 1], best[i + 1][j], best[i][j] + gain[i][j])
    pairs, i, j = [], n, m
    while i > 0 and j > 0:
        if best[i][j] == best[i - 1][j]:
            i -= 1
        elif best[i][j] == best[i][j - 1]:
            j -= 1
        else:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    return pairs[::-1]


@pytest.mark.parametrize("seed", range(6))
def test_alignment_takes_the_pairs_of_the_full_recurrence_ties_included(seed: int) -> None:
    """Only the cells above ``min_score`` are visited; the result is the one every cell gives,
    also with tied similarities and paragraphs of no weight."""
    rng = np.random.default_rng(seed)
    for _ in range(200):
        n, m = rng.integers(1, 9, size=2)
        similarity = np.round(rng.uniform(0, 1, size=(n, m)) * rng.integers(0, 2, size=(n, m)), 1)
        a_sizes, b_sizes = rng.integers(0, 3, size=n).tolist(), rng.integers(0, 3, size=m).tolist()

        result = align(similarity, a_sizes, b_sizes, min_score=0.3)

        assert [(i, j) for i, j, _ in result.pairs] == _pairs_of_the_full_recurrence(
            similarity, a_sizes, b_sizes, 0.3)
