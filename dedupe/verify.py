"""Verify stage: a candidate pair in, the evidence and a verdict out.

The decision, cheapest test first:

1. ``exact``: same normalized text (fingerprint);
2. ``near-duplicate``: Jaccard of shingle sets >= ``threshold``
   (copies with different boilerplate, light edits, new headline, reordered
   paragraphs);
3. ``contained``: the shorter document's shingles are found in the longer one
   at >= ``containment`` (a truncation or excerpt), the shorter having at
   least ``min_tokens`` tokens;
4. ``rewrite``: document TF-IDF cosine >= ``min_cosine`` *and* an in-order
   paragraph alignment covering >= ``rewrite_threshold`` of both texts.
   Document cosine alone cannot tell a rewrite (about 0.5-0.6) from an
   independent report of the same event (up to about 0.6); the alignment can,
   because a rewrite keeps its original's structure.

Anything else is ``partial`` (some shared passage) or ``unrelated``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import chain, islice
from typing import Any, TypeVar

import numpy as np

from .align import Alignment, align
from .arrays import common_count
from .document import Document
from .parallel import Engine, LocalEngine, Window, map_chunks
from .params import Params
from .tfidf import Terms, TfidfModel, common_terms, cosine, evenly_spaced, paragraph_cosines

_T = TypeVar("_T")

SAME_STORY = ("exact", "near-duplicate", "contained", "rewrite")


@dataclass(frozen=True)
class Evidence:
    """Why two documents are, or are not, the same story.

    Attributes:
        a, b: Document indices.
        relation: ``exact``, ``near-duplicate``, ``contained``, ``rewrite``,
            ``partial`` or ``unrelated``.
        similarity: The score of the test that decided, in [0, 1].
        jaccard: Jaccard of the shingle sets.
        a_in_b: Share of a's shingles found in b (containment).
        b_in_a: Share of b's shingles found in a.
        cosine: Document TF-IDF cosine (None when not needed).
        aligned: Smaller side's in-order aligned share (None when not computed).
        aligned_pairs: Number of aligned paragraph pairs (None when not computed).
        shorter_aligned: In-order aligned share of the shorter document alone
            (None when not computed): high when it is an excerpt of a rewrite.
    """

    a: int
    b: int
    relation: str
    similarity: float
    jaccard: float
    a_in_b: float
    b_in_a: float
    cosine: float | None = None
    aligned: float | None = None
    aligned_pairs: int | None = None
    shorter_aligned: float | None = None

    @property
    def same_story(self) -> bool:
        """True when the relation joins the two documents into one story."""
        return self.relation in SAME_STORY

    def compatible(self, rewrite_threshold: float) -> bool:
        """True when the two may sit in one cluster: one story, or the shorter
        one aligns within the longer (an excerpt of a rewrite)."""
        return self.same_story or (self.shorter_aligned or 0.0) >= rewrite_threshold

    def to_dict(self) -> dict[str, Any]:
        """The evidence as a JSON-ready dict (floats rounded to 4 places)."""
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def shingle_overlap(a: Document, b: Document) -> tuple[float, float, float]:
    """Jaccard of two documents' shingle sets, and the share of each one's shingles found in the other."""
    common = common_count(a.shingles, b.shingles)
    union = len(a.shingles) + len(b.shingles) - common
    return (common / union if union else 0.0, common / len(a.shingles) if len(a.shingles) else 0.0,
            common / len(b.shingles) if len(b.shingles) else 0.0)


class Verifier:
    """Scores pairs of documents of one input, caching what it computes.

    Args:
        documents: The prepared documents of the input.
        params: The run's parameters.
        model: A fitted TF-IDF model to use (default: one fitted on ``documents``).
    """

    def __init__(self, documents: Sequence[Document], params: Params, *, model: TfidfModel | None = None) -> None:
        self.documents = documents
        self.params = params
        if model is None:
            model = TfidfModel()
            usable = [d for d in documents if not d.warning]
            sample = evenly_spaced(usable, model.sample)
            model.fit([d.tokens for d in sample])
            for d in sample:
                d.forget_paragraphs()
        self._model = model
        self._terms: dict[int, Terms] = {}
        self._paragraph_terms: dict[str, np.ndarray] = {}  # by paragraph text
        self._cache: dict[tuple[int, int], Evidence] = {}
        self._jaccard: dict[tuple[int, int], float] = {}
        self._rewrite_weights: dict[int, list[int]] = {}
        # Identical cleaned texts share one entry in the cache: the first of them stands for all.
        first: dict[str, int] = {}
        self._head = [first.setdefault(d.fingerprint, d.index) if not d.warning else d.index for d in documents]

    def verify(self, i: int, j: int) -> Evidence:
        """Return the evidence for documents ``i`` and ``j`` (cached, symmetric)."""
        hi, hj = self._head[i], self._head[j]
        if hi == hj and i != j:
            return Evidence(i, j, "exact", 1.0, 1.0, 1.0, 1.0)
        found = self._either_way(hi, hj)
        if (found.a, found.b) == (i, j):
            return found
        if (found.a, found.b) == (hi, hj):
            return replace(found, a=i, b=j)
        return replace(found, a=i, b=j, a_in_b=found.b_in_a, b_in_a=found.a_in_b)

    def verify_many(self, pairs: Iterable[tuple[int, int]], *, engine: Engine | None = None) -> None:
        """Verify many pairs ahead of need into the cache, on ``engine`` (default: here).

        The pairs may be a stream computed as it is read (:func:`dedupe.cluster.planned_pairs`):
        local workers start on them while it goes on. Where the engine's workers do not share this
        process's memory, the cheap shingle tests run here and only the pairs left are sent, each
        range of them with the documents it needs. The evidence is what :meth:`verify` computes for
        each pair (it depends only on the two documents and the model), so where it was computed
        changes no result.
        """
        runner: Engine = engine or LocalEngine()
        keys = self._unverified(pairs, quick=not runner.shares_memory)
        fewest = max(1, runner.fewest_pairs)
        head = list(islice(keys, fewest))
        if runner.workers <= 1 or len(head) < fewest:
            for key in chain(head, keys):
                self._cache[key] = self._decide(*key)
            return
        if isinstance(runner, LocalEngine):
            for chunk, found in map_chunks(_decide_chunk, self, _batched(chain(head, keys), 256), jobs=runner.workers):
                self._cache.update(zip(chunk, found))
            return
        every = head + list(keys)
        size = max(16, min(256, len(every) // (4 * runner.workers) + 1))
        self._cache.update(zip(every, runner.map_ranges(_decide_range, (self, every), len(every), chunk_size=size,
                                                        part=_pairs_part)))

    def _unverified(self, pairs: Iterable[tuple[int, int]], *, quick: bool) -> Iterator[tuple[int, int]]:
        """The cache keys of the pairs not verified yet, each once, as the pairs come; with ``quick``,
        those that the shingle tests decide go into the cache here instead."""
        seen: set[tuple[int, int]] = set()
        for i, j in pairs:
            hi, hj = self._head[i], self._head[j]
            key = (hi, hj) if hi < hj else (hj, hi)
            if hi != hj and key not in seen and key not in self._cache:
                seen.add(key)
                found = self._quick(*key)[0] if quick else None
                if found is None:
                    yield key
                else:
                    self._cache[key] = found

    def subset(self, indices: Iterable[int]) -> Verifier:
        """A verifier over only the given documents (with their vectors), to send with pairs of them."""
        documents = {}
        for i in indices:
            if i not in documents:
                self._features(i)
                documents[i] = replace(self.documents[i], terms=self._terms[i], weights=self._rewrite_weights[i],
                                       record=None, text_utf8=b"", removed=[], signatures=None)
        return Verifier(_Documents(documents), self.params, model=self._model)

    @property
    def verified_count(self) -> int:
        """How many distinct pairs have been verified so far."""
        return len(self._cache)

    def _either_way(self, hi: int, hj: int) -> Evidence:
        """The cached evidence of two different texts (their heads), in the cache's orientation."""
        key = (hi, hj) if hi < hj else (hj, hi)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._decide(*key)
        return found

    def same_story(self, i: int, j: int) -> bool:
        """True when documents ``i`` and ``j`` are verified as one story."""
        hi, hj = self._head[i], self._head[j]
        # Either way round: the relation does not depend on which document comes first.
        return hi == hj or self._either_way(hi, hj).same_story

    def is_copy(self, i: int, j: int, *, min_jaccard: float = 0.7) -> bool:
        """True for identical texts or shingle Jaccard >= ``min_jaccard`` (a plain copy).

        Cheap: only the shingle sets are compared, never the paragraphs.
        """
        hi, hj = self._head[i], self._head[j]
        if hi == hj:
            return True
        key = (hi, hj) if hi < hj else (hj, hi)
        found = self._cache.get(key)
        if found is not None:
            return found.jaccard >= min_jaccard
        jaccard = self._jaccard.get(key)
        if jaccard is None:
            a, b = self.documents[hi], self.documents[hj]
            if min(len(a.shingles), len(b.shingles)) < min_jaccard * max(len(a.shingles), len(b.shingles)):
                return False  # the Jaccard is at most the ratio of the sizes
            jaccard = self._jaccard[key] = shingle_overlap(a, b)[0]
        return jaccard >= min_jaccard

    def compatible(self, i: int, j: int) -> bool:
        """True when documents ``i`` and ``j`` may share a cluster (see :meth:`Evidence.compatible`)."""
        hi, hj = self._head[i], self._head[j]
        return hi == hj or self._either_way(hi, hj).compatible(self.params.rewrite_threshold)

    def cosine(self, i: int, j: int, common: tuple[np.ndarray, np.ndarray] | None = None) -> float:
        """Document TF-IDF cosine of documents ``i`` and ``j`` (``common``: their shared terms, if known)."""
        return cosine(self.terms(i), self.terms(j), common)

    def alignment(self, i: int, j: int, common: tuple[np.ndarray, np.ndarray] | None = None) -> Alignment:
        """In-order paragraph alignment of documents ``i`` and ``j`` (``common`` as for :meth:`cosine`)."""
        similarity = paragraph_cosines(self.terms(i), self.terms(j), common)
        return align(similarity, self._weights(i), self._weights(j), min_score=self.params.paragraph_min_score)

    def _weights(self, i: int) -> list[int]:
        if i not in self._rewrite_weights:
            self._features(i)
        return self._rewrite_weights[i]

    def terms(self, i: int) -> Terms:
        """The TF-IDF vectors of document ``i`` (whole text and paragraphs), cached."""
        if i not in self._terms:
            self._features(i)
        return self._terms[i]

    def _features(self, i: int) -> None:
        """Compute document ``i``'s TF-IDF vectors and rewrite weights together, then free its tokens."""
        doc = self.documents[i]
        if doc.terms is not None and doc.weights is not None:
            self._terms[i], self._rewrite_weights[i] = doc.terms, doc.weights
            return
        cache, term_ids = self._paragraph_terms, self._model.term_ids
        # Cached per paragraph: the copies of a story share most of their paragraphs.
        self._terms[i] = self._model.terms([cache[p] if p in cache else cache.setdefault(p, term_ids(tokens))
                                            for p, tokens in zip(doc.paragraphs, doc.paragraph_tokens)])
        self._rewrite_weights[i] = doc.rewrite_weights()
        doc.forget_paragraphs()

    def _quick(self, i: int, j: int) -> tuple[Evidence | None, dict[str, Any]]:
        """The evidence when the shingle sets decide (exact, near-duplicate, contained), else None;
        and the shingle overlap."""
        p = self.params
        a, b = self.documents[i], self.documents[j]
        if a.warning or b.warning:
            return Evidence(i, j, "unrelated", 0.0, 0.0, 0.0, 0.0), {}
        jaccard, a_in_b, b_in_a = shingle_overlap(a, b)
        base = dict(a=i, b=j, jaccard=jaccard, a_in_b=a_in_b, b_in_a=b_in_a)
        if a.fingerprint == b.fingerprint:
            return Evidence(relation="exact", similarity=1.0, **base), base
        if jaccard >= p.threshold:
            return Evidence(relation="near-duplicate", similarity=jaccard, **base), base
        shorter_share, shorter = (a_in_b, a) if a.size <= b.size else (b_in_a, b)
        if shorter_share >= p.containment and shorter.size >= p.min_tokens:
            return Evidence(relation="contained", similarity=shorter_share, **base), base
        return None, base

    def _decide(self, i: int, j: int) -> Evidence:
        found, base = self._quick(i, j)
        if found is not None:
            return found
        p = self.params
        a, b = self.documents[i], self.documents[j]
        jaccard, a_in_b, b_in_a = base["jaccard"], base["a_in_b"], base["b_in_a"]
        common = common_terms(self.terms(i), self.terms(j))  # for the cosine and, often, the alignment
        cosine = self.cosine(i, j, common)
        if cosine < p.min_cosine:
            relation = "partial" if max(a_in_b, b_in_a) >= 0.1 else "unrelated"
            return Evidence(relation=relation, similarity=max(jaccard, cosine), cosine=cosine, **base)
        aligned = self.alignment(i, j, common)
        found = dict(cosine=cosine, aligned=aligned.score, aligned_pairs=len(aligned.pairs),
                     shorter_aligned=aligned.a_share if a.size <= b.size else aligned.b_share)
        if aligned.score >= p.rewrite_threshold:
            return Evidence(relation="rewrite", similarity=aligned.score, **found, **base)
        partial = max(a_in_b, b_in_a) >= 0.1 or any(s >= 0.8 for _, _, s in aligned.pairs)
        return Evidence(relation="partial" if partial else "unrelated", similarity=max(jaccard, aligned.score),
                        **found, **base)


def _decide_chunk(verifier: Verifier, keys: list[tuple[int, int]]) -> list[Evidence]:
    return [verifier._decide(i, j) for i, j in keys]


def _batched(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """The items in lists of ``size`` (the last may be shorter), as they come."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _decide_range(shared: tuple[Verifier, list[tuple[int, int]]], start: int, stop: int) -> list[Evidence]:
    verifier, keys = shared
    return _decide_chunk(verifier, keys[start:stop])


def _pairs_part(shared: tuple[Verifier, Sequence[tuple[int, int]]], start: int,
                stop: int) -> tuple[Verifier, Window]:
    """What a range of pairs needs: the pairs, and a verifier with just their documents."""
    verifier, keys = shared
    return verifier.subset(i for key in keys[start:stop] for i in key), Window(keys, start, stop)


class _Documents(Sequence[Document]):
    """Some of an input's documents, still found by their index in the input."""

    def __init__(self, documents: dict[int, Document]) -> None:
        self._documents = documents

    def __getitem__(self, index: Any) -> Any:
        return self._documents[index]

    def __iter__(self) -> Iterator[Document]:
        return iter(self._documents.values())

    def __len__(self) -> int:
        return len(self._documents)
