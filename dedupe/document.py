"""A record made ready for comparison: cleaned, normalized, tokenized once, hashed."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .arrays import distinct, distinct_counts
from .clean import Cleaned, Removal, TemplateLines, clean, is_prose, without_templates
from .normalize import normalize, paragraph_spans
from .normalize import paragraph_tokens as paragraph_tokens_of
from .read import Record
from .sign import TokenHasher, fold32, shingle_hashes
from .tfidf import STOP_WORDS, Terms, TfidfModel, background_doc_share, build_terms


@dataclass
class Document:
    """One document as every comparison stage sees it.

    Attributes:
        index: Position in the input (0-based).
        record: The record as read.
        text_utf8: Cleaned article text, UTF-8 encoded (:attr:`text` decodes it):
            half the memory of a ``str`` with one curly quote, which makes
            Python store every character in 2 bytes.
        removed: Lines the cleaner removed.
        fingerprint: SHA-1 of the normalized text (exact duplicates share it).
        shingles: Sorted distinct 32-bit hashes of the word shingles.
        words: Sorted distinct 32-bit hashes of the salient words (see :class:`Salience`).
        size: Number of tokens of the cleaned text.
        warning: Why the document cannot be compared, if it cannot.
        signatures: MinHash signatures of ``shingles`` and of ``words``, a
            ``(2, num_perm)`` uint32 array (set by the pipeline).
        terms: The TF-IDF vectors (when prepared with a fitted model).
        weights: The :meth:`rewrite_weights` (when prepared with a fitted model).

    Paragraph tokens are derived from ``text`` when first needed (only
    documents that reach a paragraph test need them) and are not pickled.
    """

    index: int
    record: Record
    text_utf8: bytes
    removed: list[Removal]
    fingerprint: str
    shingles: np.ndarray
    words: np.ndarray
    size: int
    warning: str | None = None
    signatures: np.ndarray | None = field(default=None, repr=False)
    terms: Terms | None = field(default=None, repr=False)
    weights: list[int] | None = field(default=None, repr=False)
    _split: list[tuple[str, tuple[str, ...]]] | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, object]:
        return {**self.__dict__, "_split": None}

    @property
    def text(self) -> str:
        """The cleaned article text."""
        return self.text_utf8.decode("utf-8")

    @property
    def paragraphs(self) -> list[str]:
        """The paragraphs of the cleaned text (those with at least one token)."""
        return [p for p, _ in self._paragraphs()]

    @property
    def paragraph_tokens(self) -> list[tuple[str, ...]]:
        """Tokens of each paragraph of the cleaned text."""
        return [tokens for _, tokens in self._paragraphs()]

    @property
    def prose(self) -> list[bool]:
        """For each paragraph, whether it is running prose (see :func:`dedupe.clean.is_prose`);
        lists, headlines and captions are not."""
        return [is_prose(p) for p, _ in self._paragraphs()]

    @property
    def tokens(self) -> list[str]:
        """All tokens of the cleaned text, in order."""
        return [t for _, tokens in self._paragraphs() for t in tokens]

    def _paragraphs(self) -> list[tuple[str, tuple[str, ...]]]:
        if self._split is None:
            self._split = split_paragraphs(self.text)
        return self._split

    def forget_paragraphs(self) -> None:
        """Drop the cached paragraph tokens (recomputed from ``text`` if needed again).

        They take several times the text's memory; a verifier that has what
        it needs from them frees them.
        """
        self._split = None

    def rewrite_weights(self) -> list[int]:
        """Paragraph weights for rewrite evidence: tokens of prose paragraphs only.

        Lists (tour dates, results tables), headlines and captions are often
        copied from one press release into independent reports, so they do
        not count as evidence of a rewrite; a document with little prose
        (under 30% of its tokens) counts all its paragraphs.
        """
        return _rewrite_weights([len(p) for p in self.paragraph_tokens], self.prose)


def _rewrite_weights(sizes: list[int], prose: list[bool]) -> list[int]:
    prose_sizes = [n if ok else 0 for n, ok in zip(sizes, prose)]
    return prose_sizes if sum(prose_sizes) >= 0.3 * sum(sizes) else sizes


def split_paragraphs(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The paragraphs of a cleaned text that have tokens, each with its tokens."""
    split = []
    for paragraph, lines in _paragraph_lines(text):
        tokens = paragraph_tokens_of(lines[0]) if len(lines) == 1 else tuple(
            t for line in lines for t in paragraph_tokens_of(line))
        if tokens:
            split.append((paragraph, tokens))
    return split


def _paragraph_lines(text: str) -> list[tuple[str, list[str]]]:
    """Each paragraph of a text (:func:`dedupe.normalize.paragraph_spans`) with its stripped lines."""
    lines = [line.strip() for line in text.splitlines()]
    found = []
    for span in paragraph_spans(lines):
        parts = [lines[k] for k in span]
        found.append((parts[0] if len(parts) == 1 else " ".join(parts), parts))
    return found


@dataclass(frozen=True)
class _Outline:
    """What preparing a document needs of its paragraphs, without a token tuple per paragraph."""

    texts: list[str]  # paragraphs with tokens
    sizes: list[int]  # their token counts


def _outline(text: str, keys: list[str]) -> _Outline:
    """The paragraphs of a cleaned text (as :func:`split_paragraphs` finds them) from the
    normalized key of each of its non-empty lines, in order."""
    key_iter = iter(keys)
    texts, sizes = [], []
    for paragraph, lines in _paragraph_lines(text):
        size = sum(key.count(" ") + 1 for key in (next(key_iter) for _ in lines) if key)
        if size:
            texts.append(paragraph)
            sizes.append(size)
    return _Outline(texts, sizes)


class Salience:
    """Picks each document's salient words: the ``k`` content words that most
    mark it out from ordinary English.

    Score: ``(1 + log tf) * -log(background document share)``; ties go to the
    smaller token hash. Names, places and numbers rank first, and a rewrite
    keeps them, so two versions of one story share many of their salient
    words while unrelated articles share almost none. The background (not the
    input) decides, so the same text gets the same words in a batch and in a
    stream, and in any worker process.

    Args:
        hasher: The vocabulary whose token ids :meth:`words` receives.
        k: Words per document.
    """

    def __init__(self, hasher: TokenHasher, k: int) -> None:
        self.hasher = hasher
        self.k = k
        self._rarity = _ByToken(hasher, _rarity)  # negative: not a content word

    def words(self, ids: np.ndarray) -> np.ndarray:
        """The sorted distinct 32-bit hashes of the salient words of a document's token ids."""
        by_token = self._rarity.values()
        rarity = by_token[ids]
        terms, counts = distinct_counts(ids[rarity >= 0])
        if len(terms) == 0:
            return np.empty(0, dtype=np.uint32)
        hashes = self.hasher.hashes[terms]
        scores = (1 + np.log(counts)) * by_token[terms]
        top = np.lexsort((hashes, -scores))[: self.k]
        return distinct(fold32(hashes[top]))


class Vectorizer:
    """TF-IDF vectors of documents from the token ids their :class:`TokenHasher` gave,
    without tokenizing again: the vectors equal ``model.terms`` on the same text.

    Args:
        hasher: The vocabulary of the token ids.
        model: A fitted model (its IDF).
    """

    def __init__(self, hasher: TokenHasher, model: TfidfModel) -> None:
        self.hasher = hasher
        self.model = model
        self._idf = _ByToken(hasher, model.idf)  # 0: not a content word

    def terms(self, ids: np.ndarray, paragraph_sizes: list[int]) -> Terms:
        """The vectors of a document from its token ids in order and its paragraphs' token counts."""
        idf = self._idf.values()[ids]
        content = idf > 0
        rows = np.repeat(np.arange(len(paragraph_sizes), dtype=np.int64), paragraph_sizes)[content]
        return build_terms(self.hasher.hashes[ids[content]], idf[content], rows, len(paragraph_sizes))


class _ByToken:
    """A value for each token of a vocabulary, computed once per token as the vocabulary grows (in an
    array that doubles when full: extending it by each document's new tokens would copy it each time)."""

    def __init__(self, hasher: TokenHasher, value_of: Callable[[str], float]) -> None:
        self.hasher = hasher
        self.value_of = value_of
        self._values = np.empty(1024)
        self._known = 0

    def values(self) -> np.ndarray:
        """The value of each token so far, by token id."""
        tokens = self.hasher.tokens
        if len(tokens) > self._known:
            if len(tokens) > len(self._values):
                grown = np.empty(max(len(tokens), 2 * len(self._values)))
                grown[:self._known] = self._values[:self._known]
                self._values = grown
            self._values[self._known:len(tokens)] = [self.value_of(t) for t in tokens[self._known:]]
            self._known = len(tokens)
        return self._values[:self._known]


def _rarity(token: str) -> float:
    """``-log`` of a content word's background document share; -1 for other tokens."""
    if len(token) < 2 or token in STOP_WORDS:
        return -1.0
    return -math.log(max(background_doc_share(token), 1e-6))


_UNSHARED = np.empty(0, dtype=np.uint32)  # a copy's hashes until share_hashes gives it its head's


def fingerprint_of(joined_keys: str) -> str:
    """The fingerprint of a cleaned text from its normalized line keys joined by spaces
    (exact copies share it)."""
    return hashlib.sha1(joined_keys.encode()).hexdigest()


def share_hashes(copy: Document, head: Document) -> None:
    """Give a document prepared without hashes those of an earlier one with the same cleaned text."""
    if copy.fingerprint != head.fingerprint:
        raise ValueError(f"documents {copy.index} and {head.index} have different texts")
    copy.shingles, copy.words, copy.terms, copy.weights = head.shingles, head.words, head.terms, head.weights
    copy.signatures, copy.size = head.signatures, head.size


def prepare(index: int, record: Record, *, shingle_size: int, salience: Salience,
            cleaned: Cleaned | None = None, templates: TemplateLines | None = None, do_clean: bool = True,
            vectorizer: Vectorizer | None = None, hashes: bool = True, fingerprint: str | None = None) -> Document:
    """Clean, tokenize and hash one record.

    Args:
        shingle_size: Words per shingle.
        salience: Picks the salient words (and holds the token vocabulary).
        cleaned: The record's rule-cleaned text, if already computed.
        templates: Template lines learned on the input, removed too.
        do_clean: Strip boilerplate (default True).
        vectorizer: Computes the TF-IDF vectors and rewrite weights now
            (for every document of a batch, in its worker processes).
        hashes: Compute the shingles, salient words and vectors. Without,
            they are left empty (and the size 0): for a copy of an earlier
            document, whose are shared with it afterwards (:func:`share_hashes`).
        fingerprint: The fingerprint of the article text, if already computed.
    """
    if do_clean:
        cleaned = cleaned or clean(record.text, extracted=record.extracted)
        # (a record with a cleaned text may come without its raw one)
        had_text = bool(cleaned.keys) or bool(record.text.strip())
        if templates is not None:
            cleaned = without_templates(cleaned, templates)
        text, removed, line_keys = cleaned.text, cleaned.removed, cleaned.keys
    else:
        text, removed = record.text.strip(), []
        had_text = bool(text)
        line_keys = [normalize(line) for line in text.splitlines() if line.strip()]
    keys = [k for k in line_keys if k]  # each holds a token
    ids = salience.hasher.line_ids(keys) if hashes else None  # a copy's size comes with its head's hashes
    warning = record.warning
    if warning is None and not keys:
        warning = (f"{record.origin}: no article text left after boilerplate removal"
                   if had_text else f"{record.origin}: empty document")
    if fingerprint is None:
        fingerprint = fingerprint_of(" ".join(keys))
    terms = weights = None
    if not hashes:
        shingles = words = _UNSHARED
    else:
        shingles = shingle_hashes(salience.hasher.hashes[ids], shingle_size)
        words = salience.words(ids)
        if vectorizer is not None:
            outline = _outline(text, line_keys)
            terms = vectorizer.terms(ids, outline.sizes)
            weights = _rewrite_weights(outline.sizes, [is_prose(p) for p in outline.texts])
    return Document(index=index, record=record, text_utf8=text.encode("utf-8"), removed=removed,
                    fingerprint=fingerprint, shingles=shingles, words=words, warning=warning,
                    size=len(ids) if ids is not None else 0, terms=terms, weights=weights)
