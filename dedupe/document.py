"""A record made ready for comparison: cleaned, normalized, tokenized once, hashed."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass, field

import numpy as np

from .clean import Cleaned, Removal, TemplateLines, clean, is_prose, without_templates
from .normalize import paragraph_tokens as paragraph_tokens_of
from .normalize import paragraphs
from .read import Record
from .sign import TokenHasher, shingle_hashes
from .tfidf import background_doc_share, content_words


@dataclass
class Document:
    """One document as every comparison stage sees it.

    Attributes:
        index: Position in the input (0-based).
        record: The record as read.
        text: Cleaned article text.
        removed: Lines the cleaner removed.
        paragraph_tokens: Tokens of each paragraph of the cleaned text.
        prose: For each paragraph, whether it is running prose (see
            :func:`dedupe.clean.is_prose`); lists, headlines and captions are not.
        fingerprint: SHA-1 of the normalized text (exact duplicates share it).
        shingles: Sorted distinct 32-bit hashes of the word shingles.
        words: Sorted distinct 32-bit hashes of the salient words (see :func:`salient_words`).
        warning: Why the document cannot be compared, if it cannot.
    """

    index: int
    record: Record
    text: str
    removed: list[Removal]
    paragraph_tokens: list[tuple[str, ...]]
    prose: list[bool]
    fingerprint: str
    shingles: np.ndarray
    words: np.ndarray
    warning: str | None = None
    _tokens: list[str] | None = field(default=None, repr=False)

    @property
    def tokens(self) -> list[str]:
        """All tokens of the cleaned text, in order."""
        if self._tokens is None:
            self._tokens = [t for p in self.paragraph_tokens for t in p]
        return self._tokens

    def rewrite_weights(self) -> list[int]:
        """Paragraph weights for rewrite evidence: tokens of prose paragraphs only.

        Lists (tour dates, results tables), headlines and captions are often
        copied from one press release into independent reports, so they do
        not count as evidence of a rewrite; a document with little prose
        (under 30% of its tokens) counts all its paragraphs.
        """
        sizes = [len(p) for p in self.paragraph_tokens]
        prose = [n if ok else 0 for n, ok in zip(sizes, self.prose)]
        return prose if sum(prose) >= 0.3 * sum(sizes) else sizes

    @property
    def size(self) -> int:
        """Number of tokens of the cleaned text."""
        return sum(len(p) for p in self.paragraph_tokens)


def salient_words(tokens: list[str], k: int) -> list[str]:
    """The ``k`` content words that most mark this document out from ordinary English.

    Score: ``(1 + log tf) * -log(background document share)``. Names, places
    and numbers rank first, and a rewrite keeps them, so two versions of one
    story share many of their salient words while unrelated articles share
    almost none. The background (not the input) decides, so the same text
    gets the same words in a batch and in a stream.
    """
    counts = Counter(content_words(tokens))
    words = list(counts)
    scores = (1 + np.log(np.fromiter(counts.values(), np.float64, len(words)))) * np.fromiter(
        map(_rarity, words), np.float64, len(words))
    if len(words) > k:  # only the top k (and ties with the k-th) are sorted
        cut = np.partition(scores, len(words) - k)[len(words) - k]
        top = np.flatnonzero(scores >= cut).tolist()
    else:
        top = range(len(words))
    return [words[i] for i in sorted(top, key=lambda i: (-scores[i], words[i]))[:k]]


@lru_cache(maxsize=1 << 20)
def _rarity(word: str) -> float:
    return -math.log(max(background_doc_share(word), 1e-6))


def prepare(index: int, record: Record, *, shingle_size: int, hasher: TokenHasher, salient: int = 24,
            cleaned: Cleaned | None = None, templates: TemplateLines | None = None, do_clean: bool = True,
            seen: dict[str, Document] | None = None) -> Document:
    """Clean, tokenize and hash one record.

    Args:
        cleaned: The record's rule-cleaned text, if already computed.
        templates: Template lines learned on the input, removed too.
        seen: Documents by fingerprint: an identical cleaned text reuses
            their hashes instead of computing them again.
    """
    if do_clean:
        cleaned = cleaned or clean(record.text)
        if templates is not None:
            cleaned = without_templates(cleaned, record.text, templates)
        text, removed = cleaned.text, cleaned.removed
    else:
        text, removed = record.text.strip(), []
    split = [(p, paragraph_tokens_of(p)) for p in paragraphs(text)]
    split = [(p, toks) for p, toks in split if toks]
    paragraph_tokens = [toks for _, toks in split]
    prose = [is_prose(p) for p, _ in split]
    flat = [t for p in paragraph_tokens for t in p]
    warning = record.warning
    if warning is None and not flat:
        warning = (f"{record.origin}: no article text left after boilerplate removal"
                   if record.text.strip() else f"{record.origin}: empty document")
    fingerprint = hashlib.sha1(" ".join(flat).encode()).hexdigest()
    twin = seen.get(fingerprint) if seen is not None else None
    if twin is not None:
        shingles, words = twin.shingles, twin.words
    else:
        shingles = shingle_hashes(hasher(flat), shingle_size)
        word_hashes = hasher(salient_words(flat, salient))
        words = np.unique(((word_hashes >> np.uint64(32)) ^ word_hashes).astype(np.uint32))
    doc = Document(index=index, record=record, text=text, removed=removed, paragraph_tokens=paragraph_tokens,
                   prose=prose, fingerprint=fingerprint, shingles=shingles, words=words, warning=warning, _tokens=flat)
    if seen is not None and twin is None and not warning:
        seen[fingerprint] = doc
    return doc
