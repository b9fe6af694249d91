"""The parameters every stage shares, in one frozen dataclass.

Defaults were chosen on the seeds, ``rewrites-dev`` and the benchmark feed
(see the README's "How it decides"): copies and truncations are accepted on
shingle overlap, rewrites on in-order paragraph alignment.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .errors import ParameterError
from .sign import SCHEME


@dataclass(frozen=True)
class Params:
    """Parameters of a deduplication run.

    Attributes:
        threshold: Jaccard of shingle sets at or above which two documents are
            near-duplicates (copies with light edits, reordered or re-headlined).
        containment: Share of the shorter document's shingles found in the
            longer one at or above which it is an excerpt or truncation.
        rewrite_threshold: In-order aligned share (similarity-weighted, the
            smaller of the two sides) at or above which two documents are the
            same story rewritten.
        min_cosine: Document TF-IDF cosine below which no rewrite is considered.
        paragraph_min_score: Paragraph cosine at which two paragraphs may align.
        min_tokens: A shorter document needs this many tokens to be accepted
            as contained in a longer one (a headline alone is not an excerpt).
        shingle_size: Words per shingle.
        num_perm: MinHash permutations per signature.
        seed: Seed of the MinHash permutations.
        copy_lsh_threshold: Jaccard the shingle LSH is tuned for (candidates).
        word_lsh_threshold: Jaccard the salient-word LSH is tuned for (rewrite candidates).
        salient_words: Salient words per document for that LSH.
        max_bucket: Largest LSH bucket expanded into all its pairs; in a larger one
            each member is paired with its next ``max_bucket`` members (which still
            connects the bucket, and keeps the candidates linear in its size).
    """

    threshold: float = 0.5
    containment: float = 0.8
    rewrite_threshold: float = 0.3
    min_cosine: float = 0.3
    paragraph_min_score: float = 0.25
    min_tokens: int = 25
    shingle_size: int = 5
    num_perm: int = 128
    seed: int = 1
    copy_lsh_threshold: float = 0.3
    word_lsh_threshold: float = 0.2
    salient_words: int = 24
    max_bucket: int = 16

    def check(self) -> Params:
        """Raise :class:`ParameterError` for a value out of range; return self."""
        for name in ("threshold", "containment", "rewrite_threshold", "min_cosine",
                     "paragraph_min_score", "copy_lsh_threshold", "word_lsh_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ParameterError(f"{name} must be in (0, 1] (got {value!r})")
        if not 1 <= self.shingle_size <= 20:
            raise ParameterError(f"shingle_size must be from 1 to 20 (got {self.shingle_size!r})")
        if not 16 <= self.num_perm <= 1024:
            raise ParameterError(f"num_perm must be from 16 to 1024 (got {self.num_perm!r})")
        if self.min_tokens < 1 or self.max_bucket < 2:
            raise ParameterError(f"min_tokens must be >= 1 and max_bucket >= 2 "
                                 f"(got {self.min_tokens!r}, {self.max_bucket!r})")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON-ready dict, with the MinHash scheme recorded."""
        return {**asdict(self), "minhash_scheme": SCHEME}
