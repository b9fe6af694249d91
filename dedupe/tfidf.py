"""TF-IDF weighting that stays meaningful from two documents to millions.

Term weights are sublinear TF times an IDF whose document frequencies are
smoothed with a background of general English: every term also counts as
present in ``prior_docs`` pseudo-documents in proportion to how often it
appears in ordinary text (the ``wordfreq`` frequency lists). With five
documents the background dominates, so a word two articles share is not
mistaken for a common one just because the input is tiny; with thousands of
documents the input's own frequencies dominate. Stop words (scikit-learn's
English list) are not terms.

Document frequencies are counted on at most ``sample`` documents of the
input (evenly spaced), and vectors are built only for the documents that
reach a cosine test: both keep verification linear in the input. Vectors are
sparse ``(term ids, weights)`` pairs, L2-normalised; cosine is a dot product
on the common ids.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import TypeVar

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from .arrays import distinct, distinct_counts

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)
_WORDS_PER_DOC = 500.0

Vector = tuple[np.ndarray, np.ndarray]
T = TypeVar("T")


def content_words(tokens: Sequence[str]) -> list[str]:
    """The tokens that carry content: not stop words, not single characters."""
    return [t for t in tokens if len(t) > 1 and t not in STOP_WORDS]


def evenly_spaced(items: Sequence[T], at_most: int) -> Sequence[T]:
    """At most about ``at_most`` items, evenly spaced, first included.

    Example:
        >>> evenly_spaced(range(10), 4)
        range(0, 10, 3)
    """
    return items[:: max(1, math.ceil(len(items) / at_most))]


@lru_cache(maxsize=1 << 20)
def background_doc_share(term: str) -> float:
    """Share of ordinary English documents (of ~500 words) that contain ``term``."""
    from wordfreq import word_frequency

    return -math.expm1(-word_frequency(term, "en") * _WORDS_PER_DOC)


class TfidfModel:
    """TF-IDF vectors for token lists of one input.

    Args:
        prior_docs: Weight of the general-English background, in documents.
        sample: At most this many documents are counted for document frequencies.
    """

    def __init__(self, *, prior_docs: float = 100.0, sample: int = 5000) -> None:
        self.prior_docs = prior_docs
        self.sample = sample

    def fit(self, documents: Sequence[Sequence[str]]) -> TfidfModel:
        """Count document frequencies on (a sample of) the documents' tokens."""
        df: Counter[str] = Counter()
        counted = 0
        for tokens in evenly_spaced(documents, self.sample):
            df.update(set(tokens))
            counted += 1
        self.df_ = df
        self.n_docs_ = counted
        self.term_ids_: dict[str, int] = {}
        self._idf = np.empty(1024)
        return self

    def _term(self, term: str) -> int:
        tid = self.term_ids_.get(term)
        if tid is None:
            tid = self.term_ids_[term] = len(self.term_ids_)
            if tid == len(self._idf):
                self._idf = np.concatenate([self._idf, np.empty(len(self._idf))])
            n = self.n_docs_ + self.prior_docs
            df = self.df_.get(term, 0) + self.prior_docs * background_doc_share(term)
            self._idf[tid] = math.log((n + 1) / (df + 1)) + 1
        return tid

    def idf(self, term: str) -> float:
        """The IDF of one term."""
        return self._idf[self._term(term)]

    def term_ids(self, tokens: Sequence[str]) -> np.ndarray:
        """The term ids of a token list's content words, in order."""
        term = self._term
        return np.fromiter((term(t) for t in tokens if len(t) > 1 and t not in STOP_WORDS), dtype=np.int64)

    def weigh(self, ids: np.ndarray) -> Vector:
        """The L2-normalised TF-IDF vector of a bag of term ids, as sorted ``(ids, weights)``."""
        terms, counts = distinct_counts(ids)
        if len(terms) == 0:
            return terms, np.empty(0, dtype=np.float64)
        weights = (1 + np.log(counts)) * self._idf[terms]
        return terms, weights / np.linalg.norm(weights)

    def vector(self, tokens: Sequence[str]) -> Vector:
        """The L2-normalised TF-IDF vector of a token list, as sorted ``(ids, weights)``."""
        return self.weigh(self.term_ids(tokens))


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two normalised sparse vectors."""
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(np.dot(a[1][ia], b[1][ib]))


def cosine_matrix(rows_a: Sequence[Vector], rows_b: Sequence[Vector]) -> np.ndarray:
    """Cosines of every vector of ``rows_a`` with every vector of ``rows_b``."""
    rows = [*rows_a, *rows_b]
    ids = np.concatenate([v[0] for v in rows]) if rows else np.empty(0, np.int64)
    weights = np.concatenate([v[1] for v in rows]) if rows else np.empty(0)
    row_of = np.repeat(np.arange(len(rows)), [len(v[0]) for v in rows])
    vocab = distinct(ids)
    cols = np.searchsorted(vocab, ids)
    dense = np.zeros((len(rows), len(vocab)))
    dense[row_of, cols] = weights
    return dense[: len(rows_a)] @ dense[len(rows_a):].T
