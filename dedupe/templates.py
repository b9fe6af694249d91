"""Template lines: what one input repeats around different stories (an outlet's template)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import repeat

from .normalize import normalize

line_key = lru_cache(maxsize=1 << 18)(normalize)


def line_keys(lines: Iterable[str]) -> list[str]:
    """The normalized form of each non-empty line: what :class:`TemplateLines` compares."""
    return [k for k in map(line_key, lines) if k]


class TemplateLines:
    """Lines that one input repeats around different stories (an outlet's template).

    A line is a template line when it occurs in at least ``min_docs``
    documents and, in most of those documents, the text they have in common
    (lines present in at least half of them) is a minority of the document:
    the documents are different stories wearing the same template. A story
    copied many times fails that test, because its copies share most of
    their text.

    Args:
        min_docs: How many documents a line must occur in to be considered.
        max_share: The largest median share of a document that the common
            lines may cover for them to count as template.
        sample: About this many of a line's documents are measured.
    """

    def __init__(self, *, min_docs: int = 5, max_share: float = 0.5, sample: int = 25) -> None:
        self.min_docs = min_docs
        self.max_share = max_share
        self.sample = sample
        self.lines_: set[str] = set()

    def fit(self, documents: Iterable[Sequence[str]]) -> TemplateLines:
        """Learn template lines from the documents' lines (after rule cleaning)."""
        return self.fit_keys([line_keys(lines) for lines in documents])

    def fit_keys(self, documents: Sequence[Sequence[str]]) -> TemplateLines:
        """Learn template lines from each document's :func:`line_keys`."""
        doc_lines = [list(keys) for keys in documents]
        doc_sets: dict[str, set[int]] = defaultdict(set)
        for d, keys in enumerate(doc_lines):
            for k in keys:
                doc_sets[k].add(d)
        by_docs: dict[frozenset[int], list[str]] = defaultdict(list)
        for k, ds in doc_sets.items():
            if len(ds) >= self.min_docs:
                by_docs[frozenset(ds)].append(k)
        words = {k: k.count(" ") + 1 for k in doc_sets}
        weights: dict[int, tuple[dict[str, int], int]] = {}
        for docs, keys in by_docs.items():
            if self._is_template(docs, doc_lines, words, weights):
                self.lines_.update(keys)
        return self

    def _is_template(self, docs: frozenset[int], doc_lines: list[list[str]], words: dict[str, int],
                     weights: dict[int, tuple[dict[str, int], int]]) -> bool:
        """True when, in most sampled documents, the lines common to half of the sample are a minority.

        ``weights`` caches, per document, the words each distinct line adds to
        it (repeats counted) and their total. Stops measuring documents as soon
        as the majority is decided.
        """
        sampled = sorted(docs)[:: max(1, len(docs) // self.sample)]
        present: Counter[str] = Counter()
        for d in sampled:
            if d not in weights:
                found: dict[str, int] = {}
                for k in doc_lines[d]:
                    found[k] = found.get(k, 0) + words[k]
                weights[d] = found, sum(found.values())
            present.update(weights[d][0].keys())
        half = len(sampled) / 2
        common_lines = [k for k, n in present.items() if n >= half]
        needed = len(sampled) // 2 + 1  # minority documents for a template (the median is below max_share)
        minority = majority = 0
        for d in sampled:
            weight, total = weights[d]
            common = sum(map(weight.get, common_lines, repeat(0)))
            if total and common / total < self.max_share:
                minority += 1
                if minority >= needed:
                    return True
            else:
                majority += 1
                if majority > len(sampled) - needed:
                    return False
        return False

    def is_template(self, key: str) -> bool:
        """True when the normalized line ``key`` was learned as template."""
        return key in self.lines_
