"""Compare stage: two documents in, a paragraph-by-paragraph overlap report out.

Each paragraph of A gets its best match in B, in any order, scored by the
larger of two similarities: the text's own (rapidfuzz ``ratio``, or
``partial_ratio`` when one paragraph is much shorter, so that a paragraph
split in two or merged with the next still matches; rescaled so that the
~0.5 any two English paragraphs get is 0) and the paragraphs' TF-IDF cosine
(which finds paraphrased sentences). A paragraph matches at 0.5 or more. Where the matched
paragraphs differ in size, the sentences of the shorter one found in the
longer are listed. The relation comes from the same verification as
``dedupe cluster`` (:class:`dedupe.verify.Verifier`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

from .document import Document
from .normalize import normalize
from .params import Params
from .tfidf import paragraph_cosines
from .verify import Evidence, Verifier

MATCH_THRESHOLD = 0.5  # a paragraph whose best match scores below this is unmatched
SENTENCE_THRESHOLD = 0.9
_SENTENCE = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+")


@dataclass(frozen=True)
class ParagraphMatch:
    """Paragraph ``a`` of A and its best match ``b`` in B.

    Attributes:
        score: Similarity in [0, 1]: the larger of ``text`` and ``cosine``.
        method: ``text`` when the text similarity decided, ``tfidf`` when the cosine did.
        shared_sentences: Sentences of the shorter paragraph found in the longer
            one (only where the two differ in size).
    """

    a: int
    b: int
    score: float
    method: str
    text: float
    cosine: float
    shared_sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Comparison:
    """Two documents' overlap.

    Attributes:
        a_in_b: Share of A's tokens in paragraphs that have a match in B.
        b_in_a: The same for B in A.
        direction: For ``contained``: ``a in b`` or ``b in a``; else None.
        evidence: The verification of the pair (as ``dedupe cluster --pair``).
    """

    a: Document
    b: Document
    relation: str
    direction: str | None
    similarity: float
    a_in_b: float
    b_in_a: float
    pairs: list[ParagraphMatch]
    unmatched_a: list[int]
    unmatched_b: list[int]
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        """The comparison as a JSON-ready dict (the ``--format json`` schema)."""
        ev = self.evidence
        return {
            "a": _side(self.a), "b": _side(self.b),
            "relation": self.relation, "direction": self.direction,
            "similarity": round(self.similarity, 4), "share_unit": "tokens",
            "a_in_b": round(self.a_in_b, 4), "b_in_a": round(self.b_in_a, 4),
            "cosine": None if ev.cosine is None else round(ev.cosine, 4),
            "jaccard": round(ev.jaccard, 4),
            "aligned": None if ev.aligned is None else round(ev.aligned, 4),
            "pairs": [{"a": m.a, "b": m.b, "score": round(m.score, 4), "method": m.method,
                       "text": round(m.text, 4), "cosine": round(m.cosine, 4),
                       "shared_sentences": m.shared_sentences} for m in self.pairs],
            "unmatched_a": self.unmatched_a, "unmatched_b": self.unmatched_b,
            "evidence": ev.to_dict() | {"a": self.a.record.id, "b": self.b.record.id},
        }


def _side(doc: Document) -> dict[str, Any]:
    return {"id": doc.record.id, "title": doc.record.title, "url": doc.record.url,
            "paragraphs": doc.paragraphs, "tokens": doc.size}


def compare(a: Document, b: Document, params: Params | None = None) -> Comparison:
    """Compare two prepared documents (see :func:`dedupe.pipeline.prepare_all`)."""
    params = params or Params()
    a, b = replace(a, index=0), replace(b, index=1)
    verifier = Verifier([a, b], params)
    evidence = verifier.verify(0, 1)
    text = _text_similarity(a.paragraphs, b.paragraphs)
    cosines = paragraph_cosines(verifier.terms(0), verifier.terms(1)) if a.size and b.size else text * 0
    scores = np.maximum(text, cosines)
    pairs = []
    for i, j in enumerate(scores.argmax(axis=1).tolist() if scores.shape[1] else []):
        if scores[i, j] >= MATCH_THRESHOLD:
            pairs.append(ParagraphMatch(i, j, float(scores[i, j]), "text" if text[i, j] >= cosines[i, j] else "tfidf",
                                        float(text[i, j]), float(cosines[i, j]),
                                        _shared_sentences(a.paragraphs[i], b.paragraphs[j])))
    matched_b = set(np.flatnonzero((scores >= MATCH_THRESHOLD).any(axis=0)).tolist())
    a_sizes = [len(t) for t in a.paragraph_tokens]
    b_sizes = [len(t) for t in b.paragraph_tokens]
    a_in_b = sum(a_sizes[m.a] for m in pairs) / (sum(a_sizes) or 1)
    b_in_a = sum(b_sizes[j] for j in matched_b) / (sum(b_sizes) or 1)
    direction = None
    if evidence.relation == "contained":
        direction = "a in b" if evidence.a_in_b >= evidence.b_in_a else "b in a"
    return Comparison(a, b, evidence.relation, direction, evidence.similarity, a_in_b, b_in_a, pairs,
                      [i for i in range(len(a.paragraphs)) if i not in {m.a for m in pairs}],
                      [j for j in range(len(b.paragraphs)) if j not in matched_b], evidence)


def _text_similarity(a: list[str], b: list[str]) -> Any:
    """Text similarity of every paragraph pair, in [0, 1] (see the module docstring)."""
    na, nb = [normalize(p) for p in a], [normalize(p) for p in b]
    ratio = process.cdist(na, nb, scorer=fuzz.ratio) / 100
    partial = process.cdist(na, nb, scorer=fuzz.partial_ratio) / 100
    for i, x in enumerate(na):
        for j, y in enumerate(nb):
            shorter, longer = sorted((len(x.split()), len(y.split())))
            if shorter >= 8 and shorter < 0.8 * longer:
                ratio[i, j] = max(ratio[i, j], partial[i, j])
    # Two unrelated English paragraphs already score about 0.5 on character
    # ratios: rescale so that 0.5 and below is 0 and only 1.0 is 1.
    return np.clip((ratio - 0.5) / 0.5, 0.0, 1.0)


def _shared_sentences(x: str, y: str) -> list[str]:
    """Sentences of the shorter of two paragraphs that the longer one contains (near-verbatim)."""
    if max(len(x), len(y)) < 1.5 * min(len(x), len(y)):
        return []
    shorter, longer = (x, y) if len(x) < len(y) else (y, x)
    target = normalize(longer)
    return [s for s in _SENTENCE.split(shorter)
            if len(s.split()) >= 5 and fuzz.partial_ratio(normalize(s), target) >= 100 * SENTENCE_THRESHOLD]
