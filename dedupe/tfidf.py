"""TF-IDF weighting that stays meaningful from two documents to millions.

Term weights are sublinear TF times an IDF whose document frequencies are
smoothed with a background of general English: every term also counts as
present in ``prior_docs`` pseudo-documents in proportion to how often it
appears in ordinary text (the ``wordfreq`` frequency lists). With five
documents the background dominates, so a word two articles share is not
mistaken for a common one just because the input is tiny; with thousands of
documents the input's own frequencies dominate. Stop words (scikit-learn's
English list) are not terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.preprocessing import normalize as l2_normalize

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS)
_WORDS_PER_DOC = 500.0


def content_words(tokens: Sequence[str]) -> list[str]:
    """The tokens that carry content: not stop words, not single characters."""
    return [t for t in tokens if len(t) > 1 and t not in STOP_WORDS]


@lru_cache(maxsize=1 << 20)
def background_doc_share(term: str) -> float:
    """Share of ordinary English documents (of ~500 words) that contain ``term``."""
    from wordfreq import word_frequency

    freq = word_frequency(term, "en")
    return float(-np.expm1(-freq * _WORDS_PER_DOC))


class TfidfModel:
    """TF-IDF vectors for token lists, fitted on one input.

    Args:
        prior_docs: Weight of the general-English background, in documents.
    """

    def __init__(self, *, prior_docs: float = 100.0) -> None:
        self.prior_docs = prior_docs

    def fit(self, documents: Sequence[Sequence[str]]) -> TfidfModel:
        """Learn the vocabulary and IDF from the documents' tokens."""
        self.vectorizer_ = CountVectorizer(analyzer=content_words, dtype=np.float32)
        counts = self.vectorizer_.fit_transform(documents)
        df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
        terms = self.vectorizer_.get_feature_names_out()
        background = np.fromiter((background_doc_share(t) for t in terms), dtype=np.float64, count=len(terms))
        n = counts.shape[0] + self.prior_docs
        self.idf_ = (np.log((n + 1) / (df + self.prior_docs * background + 1)) + 1).astype(np.float32)
        self.doc_vectors_ = self._weigh(counts)
        return self

    def transform(self, documents: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Return L2-normalised TF-IDF rows for token lists (unknown terms ignored)."""
        return self._weigh(self.vectorizer_.transform(documents))

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        counts = counts.tocsr().astype(np.float32)
        counts.data = 1 + np.log(counts.data)
        return l2_normalize(counts @ sp.diags(self.idf_), copy=False).tocsr()
