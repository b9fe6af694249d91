"""Template lines: what one input repeats around different stories (an outlet's template)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import repeat

import numpy as np

from .arrays import distinct_counts, distinct_inverse
from .normalize import normalize
from .sign import text_hash

line_key = lru_cache(maxsize=1 << 18)(normalize)


def line_keys(lines: Iterable[str]) -> list[str]:
    """The normalized form of each non-empty line: what :class:`TemplateLines` compares."""
    return [k for k in map(line_key, lines) if k]


@lru_cache(maxsize=1 << 18)
def line_hash(key: str) -> int:
    """A line key's signed 64-bit hash: what :class:`TemplateLines` learns (and the filter's index counts)."""
    return text_hash(key, signed=True)


def line_features(keys: Sequence[str]) -> np.ndarray:
    """Each non-empty line key's :func:`line_hash` and number of words, as a ``(lines, 2)`` int64
    array: all that :meth:`TemplateLines.fit_lines` needs of a document (a sixth of its keys' memory)."""
    keys = [k for k in keys if k]
    found = np.empty((len(keys), 2), dtype=np.int64)
    found[:, 0] = np.fromiter(map(line_hash, keys), dtype=np.int64, count=len(keys))
    found[:, 1] = np.fromiter(map(str.count, keys, repeat(" ")), dtype=np.int64, count=len(keys)) + 1
    return found


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
        self.hashes_: set[int] = set()  # the template lines' line_hash
        self.lines_: set[str] = set()  # and their keys, where learned from them (fit, fit_keys, add)

    def fit(self, documents: Iterable[Sequence[str]]) -> TemplateLines:
        """Learn template lines from the documents' lines (after rule cleaning)."""
        return self.fit_keys([line_keys(lines) for lines in documents])

    def fit_keys(self, documents: Sequence[Sequence[str]], *, block: int = 1 << 22) -> TemplateLines:
        """Learn template lines from each document's :func:`line_keys`."""
        self.fit_lines([line_features(keys) for keys in documents], block=block)
        self.lines_.update(k for keys in documents for k in keys if k and line_hash(k) in self.hashes_)
        return self

    def add(self, keys: Iterable[str]) -> TemplateLines:
        """Count these line keys as template lines too."""
        for key in keys:
            self.lines_.add(key)
            self.hashes_.add(line_hash(key))
        return self

    def fit_lines(self, documents: Sequence[np.ndarray], *, block: int = 1 << 22) -> TemplateLines:
        """Learn template lines from each document's :func:`line_features`.

        Computed in arrays, for a block of line groups (the lines found in the same documents) at a
        time: at most about ``block`` lines of sampled documents per block.
        """
        lines = _DocumentLines(documents)
        counts = np.diff(lines.key_start)  # documents per line
        keys = np.flatnonzero(counts >= self.min_docs)
        if not len(keys):
            return self
        # Lines found in the same documents share the sums of two 64-bit hashes of them and their number
        # (lines found in different documents share all three with odds of about one in 2**128).
        found_in = np.stack([np.add.reduceat(_mixed(lines.key_docs, salt), lines.key_start[:-1])[keys]
                             for salt in (1, 2)] + [counts[keys].astype(np.uint64)], axis=1)
        _, first, group_of = np.unique(found_in, axis=0, return_index=True, return_inverse=True)
        heads = keys[first]  # one line of each group: its documents are the group's
        # Each group's sampled documents: sorted(documents)[::step], from its head line's documents.
        step = np.maximum(1, counts[heads] // self.sample)
        sampled = -(-counts[heads] // step)
        group = np.repeat(np.arange(len(heads)), sampled)
        doc = lines.key_docs[lines.key_start[heads][group] + _within(sampled) * step[group]]
        length = lines.doc_start[doc + 1] - lines.doc_start[doc]  # each sampled document's distinct lines
        first_doc = np.cumsum(sampled) - sampled  # each group's first sampled document in ``doc``
        ends = np.cumsum(length)[first_doc + sampled - 1]  # the lines of the groups up to each one's end
        template = np.zeros(len(heads), dtype=bool)
        begin = 0
        while begin < len(heads):
            before = ends[begin - 1] if begin else 0
            stop = max(begin + 1, int(np.searchsorted(ends, before + block, side="right")))
            at = slice(first_doc[begin], first_doc[stop - 1] + sampled[stop - 1])
            template[begin:stop] = self._test(lines, doc[at], length[at], group[at] - begin, sampled[begin:stop])
            begin = stop
        self.hashes_.update(lines.names[keys[template[group_of.ravel()]]].tolist())
        return self

    def _test(self, lines: _DocumentLines, doc: np.ndarray, length: np.ndarray, group: np.ndarray,
              sampled: np.ndarray) -> np.ndarray:
        """For each group (its sampled documents ``doc``, with their numbers of distinct lines and their
        group, and how many there are): True when, in most of them, the lines present in at least half
        of them are a minority of the words (no words: a majority)."""
        sample = np.repeat(np.arange(len(doc)), length)  # every distinct line of every sampled document
        at = np.repeat(lines.doc_start[doc], length) + _within(length)
        code = group[sample] * np.int64(len(lines.names)) + lines.doc_keys[at]  # (group, line)
        found, present = distinct_counts(code, runs=True)  # each sampled document's lines are sorted
        common = found[2 * present >= sampled[found // len(lines.names)]]
        in_common = np.zeros(len(code), dtype=bool)
        if len(common):
            in_common = common.take(np.searchsorted(common, code), mode="clip") == code
        shared = np.bincount(sample, weights=lines.doc_words[at] * in_common, minlength=len(doc))
        total = lines.doc_total[doc]
        with np.errstate(invalid="ignore", divide="ignore"):
            minority = (total > 0) & (shared / total < self.max_share)
        return np.bincount(group, weights=minority, minlength=len(sampled)) >= sampled // 2 + 1

    def is_template(self, key: str) -> bool:
        """True when the normalized line ``key`` was learned as template."""
        return bool(self.hashes_) and line_hash(key) in self.hashes_


class _DocumentLines:
    """The distinct lines of every document, as arrays: line ids per document (``doc_keys``, sorted,
    from ``doc_start``) with the words each adds to it, repeats counted (``doc_words``; ``doc_total``:
    a document's words), and documents per line (``key_docs``, sorted, from ``key_start``)."""

    def __init__(self, documents: Sequence[np.ndarray]) -> None:
        lengths = np.fromiter(map(len, documents), dtype=np.int64, count=len(documents))
        every = np.concatenate([np.empty((0, 2), dtype=np.int64), *documents])
        # each line's id: the place of its hash among the sorted distinct hashes
        self.names, line_ids = distinct_inverse(every[:, 0])
        words = np.zeros(len(self.names), dtype=np.int64)
        words[line_ids] = every[:, 1]
        n, m = len(documents), max(1, len(self.names))
        pairs, inverse = distinct_inverse(np.repeat(np.arange(n, dtype=np.int64), lengths) * m + line_ids)
        self.doc_words = np.bincount(inverse, weights=words[line_ids], minlength=len(pairs))
        docs, self.doc_keys = pairs // m, pairs % m
        self.doc_start = np.searchsorted(docs, np.arange(n + 1))
        self.doc_total = np.bincount(docs, weights=self.doc_words, minlength=n)
        by_key = np.argsort(self.doc_keys, kind="stable")  # documents in order within each line
        self.key_docs = docs[by_key]
        self.key_start = np.searchsorted(self.doc_keys[by_key], np.arange(len(self.names) + 1))


def _within(counts: np.ndarray) -> np.ndarray:
    """Each item's position within its run, for runs of ``counts`` items one after another.

    Example:
        >>> _within(np.array([2, 0, 3])).tolist()
        [0, 1, 0, 1, 2]
    """
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _mixed(values: np.ndarray, salt: int) -> np.ndarray:
    """A 64-bit hash of each value (splitmix64's finaliser)."""
    with np.errstate(over="ignore"):
        x = values.astype(np.uint64) + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))
