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

import importlib.util
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np

from .arrays import distinct_counts, distinct_inverse
from .sign import text_hash


def _english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list.

    Read from its own module file without importing the ``sklearn`` package,
    whose import takes most of a second (every command run pays it); falls
    back to the normal import if the file has moved.
    """
    spec = importlib.util.find_spec("sklearn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "feature_extraction" / "_stop_words.py"
        module_spec = importlib.util.spec_from_file_location("_dedupe_sklearn_stop_words", path)
        if path.is_file() and module_spec and module_spec.loader:
            module = importlib.util.module_from_spec(module_spec)
            module_spec.loader.exec_module(module)
            return frozenset(module.ENGLISH_STOP_WORDS)
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


STOP_WORDS = _english_stop_words()
_WORDS_PER_DOC = 500.0

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
    return -math.expm1(-english_frequency(term) * _WORDS_PER_DOC)


def warm_up() -> None:
    """Load wordfreq's English list now (about half a second), not at the first word
    (processes forked afterwards inherit it)."""
    english_frequency("the")


def english_frequency(word: str) -> float:
    """``wordfreq.word_frequency(word, "en")``, looked up directly for plain ASCII words.

    For such words wordfreq's own tokenizer returns the word itself, so its
    frequency is the list's entry rounded to three significant digits, as
    wordfreq rounds it; this skips the per-call tokenizing, which costs more
    than everything else a document's salient words need.
    """
    from wordfreq import get_frequency_dict, word_frequency

    if not (word.isascii() and word.isalpha()):
        return word_frequency(word, "en")
    freq = get_frequency_dict("en", "best").get(word, 0.0)
    return round(freq, math.floor(-math.log(freq, 10)) + 3) if freq > 0 else 0.0


class TfidfModel:
    """TF-IDF vectors for token lists of one input.

    Args:
        prior_docs: Weight of the general-English background, in documents.
        sample: At most this many documents are counted for document frequencies.
    """

    def __init__(self, *, prior_docs: float = 100.0, sample: int = 2000) -> None:
        self.prior_docs = prior_docs
        self.sample = sample

    def fit(self, documents: Sequence[Sequence[str]]) -> TfidfModel:
        """Count document frequencies on (a sample of) the documents' tokens."""
        df: Counter[str] = Counter()
        counted = 0
        for tokens in evenly_spaced(documents, self.sample):
            df.update(set(tokens))
            counted += 1
        return self.fit_counts(df, counted)

    def fit_counts(self, df: Counter[str], counted: int) -> TfidfModel:
        """Take document frequencies counted elsewhere: ``df[term]`` of the ``counted`` documents
        contain the term (as :meth:`fit` counts them)."""
        self.df_ = df
        self.n_docs_ = counted
        self.term_ids_: dict[str, int] = {}
        self._count = 0
        self._idf = np.empty(1024)
        self._hash = np.empty(1024, dtype=np.uint64)
        return self

    def _term(self, term: str) -> int:
        """The id of a term (-1 for a token that is not a content word)."""
        tid = self.term_ids_.get(term)
        if tid is None:
            if len(term) < 2 or term in STOP_WORDS:
                tid = self.term_ids_[term] = -1
                return tid
            tid = self.term_ids_[term] = self._count
            self._count += 1
            if tid == len(self._idf):
                self._idf = np.concatenate([self._idf, np.empty(len(self._idf))])
                self._hash = np.concatenate([self._hash, np.empty(len(self._hash), dtype=np.uint64)])
            n = self.n_docs_ + self.prior_docs
            df = self.df_.get(term, 0) + self.prior_docs * background_doc_share(term)
            self._idf[tid] = math.log((n + 1) / (df + 1)) + 1
            self._hash[tid] = text_hash(term)  # as TokenHasher hashes it: Vectorizer relies on that
        return tid

    def idf(self, term: str) -> float:
        """The IDF of one term (0 for a token that is not a content word)."""
        tid = self._term(term)
        return float(self._idf[tid]) if tid >= 0 else 0.0

    def term_ids(self, tokens: Sequence[str]) -> np.ndarray:
        """The term ids of a token list's content words, in order."""
        ids = list(map(self.term_ids_.get, tokens))
        if None in ids:
            ids = [self._term(t) if tid is None else tid for t, tid in zip(tokens, ids)]
        found = np.array(ids, dtype=np.int64)
        return found[found >= 0]

    def terms(self, paragraphs: Sequence[np.ndarray]) -> Terms:
        """The TF-IDF of a document, from the term ids of each of its paragraphs."""
        sizes = [len(p) for p in paragraphs]
        ids = np.concatenate(paragraphs) if paragraphs else np.empty(0, dtype=np.int64)
        rows = np.repeat(np.arange(len(paragraphs), dtype=np.int64), sizes)
        return build_terms(self._hash[ids], self._idf[ids], rows, len(paragraphs))


def build_terms(hashes: np.ndarray, idf: np.ndarray, rows: np.ndarray, n_paragraphs: int) -> Terms:
    """The TF-IDF of a document from its content terms in order: each one's 64-bit hash, IDF and paragraph.

    Vectors are laid out by term hash, not by any numbering of terms, so
    every process (a worker preparing documents or verifying pairs, or the
    parent) adds up the same numbers in the same order and gets the same
    floats.
    """
    vocab, inverse = distinct_inverse(hashes)
    keys, counts = distinct_counts(rows.astype(np.int64) << 32 | inverse)
    rows, cols = keys >> 32, keys & 0xFFFFFFFF
    term_idf = np.zeros(len(vocab))
    term_idf[inverse] = idf
    weights = (1 + np.log(counts)) * term_idf[cols]
    norms = np.sqrt(np.bincount(rows, weights * weights, minlength=n_paragraphs))
    weights /= np.where(norms > 0, norms, 1.0)[rows]
    document = (1 + np.log(np.maximum(np.bincount(cols, counts, minlength=len(vocab)), 1))) * term_idf
    norm = np.linalg.norm(document)
    # Most documents have fewer than 65,536 terms: their indices take 2 bytes. The entries are in
    # paragraph order: each paragraph's first entry stands for the paragraph of every entry.
    index = np.uint16 if len(vocab) <= 0xFFFF else np.int32
    starts = np.searchsorted(rows, np.arange(n_paragraphs + 1)).astype(np.int32)
    return Terms(vocab, starts, cols.astype(index), weights, document / norm if norm else document)


@dataclass(frozen=True)
class Terms:
    """A document's TF-IDF: the whole text's vector and one vector per paragraph.

    Attributes:
        vocab: The 64-bit hashes of the document's terms, sorted.
        starts, cols, weights: Paragraph vectors, sparse: paragraph ``p``'s entries are
            ``starts[p]`` to ``starts[p + 1]`` of ``cols`` (indices into ``vocab``) and ``weights``
            (a row-compressed matrix, a quarter of the memory of a paragraph per entry).
        document: The whole text's vector over ``vocab``.
    All vectors are L2-normalised.
    """

    vocab: np.ndarray
    starts: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    document: np.ndarray

    @property
    def n_paragraphs(self) -> int:
        """Number of paragraphs."""
        return len(self.starts) - 1

    @property
    def rows(self) -> np.ndarray:
        """The paragraph of each entry of ``cols`` and ``weights``."""
        return np.repeat(np.arange(self.n_paragraphs), np.diff(self.starts))


def common_terms(a: Terms, b: Terms) -> tuple[np.ndarray, np.ndarray]:
    """The positions in ``a.vocab`` and in ``b.vocab`` of the terms the two share, in term order.

    Both vocabularies are sorted: a binary search of each of ``a``'s terms
    in ``b``'s is twice as fast as ``np.intersect1d`` on them.
    """
    if not len(b.vocab):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    at = np.searchsorted(b.vocab, a.vocab)
    at[at == len(b.vocab)] = 0
    found = b.vocab[at] == a.vocab
    return np.flatnonzero(found), at[found]


def cosine(a: Terms, b: Terms, common: tuple[np.ndarray, np.ndarray] | None = None) -> float:
    """Cosine of two documents' TF-IDF vectors (``common``: their :func:`common_terms`, if known)."""
    ia, ib = common if common is not None else common_terms(a, b)
    return float(np.dot(a.document[ia], b.document[ib]))


def paragraph_cosines(a: Terms, b: Terms, common: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Cosines of every paragraph of ``a`` with every paragraph of ``b``."""
    ia, ib = common if common is not None else common_terms(a, b)
    return _on_columns(a, ia) @ _on_columns(b, ib).T


def _on_columns(t: Terms, columns: np.ndarray) -> np.ndarray:
    """The paragraph vectors of ``t`` restricted to ``columns`` of its vocabulary, dense."""
    position = np.full(len(t.vocab), -1, dtype=np.int64)
    position[columns] = np.arange(len(columns))
    kept = position[t.cols]
    keep = kept >= 0
    dense = np.zeros((t.n_paragraphs, len(columns)))
    dense[t.rows[keep], kept[keep]] = t.weights[keep]
    return dense
