"""Scores of a clustering against the truth: pairwise precision, recall, F1, adjusted Rand,
and its worst mistakes (false merges and splits) for ``dedupe eval``.

Pairwise: a pair of documents is positive when both are in one true
cluster; predicted positive when both are in one predicted cluster.
Computed from the contingency table, so it costs O(n), not O(n²).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import InputError


@dataclass(frozen=True)
class PairScores:
    """Pairwise counts and scores of one clustering."""

    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    adjusted_rand: float


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pair_scores(truth: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> PairScores:
    """Score ``predicted`` cluster labels against ``truth`` labels (same ids).

    Example:
        >>> s = pair_scores({"a": 1, "b": 1, "c": 2}, {"a": 0, "b": 0, "c": 0})
        >>> (s.precision, s.recall)
        (0.3333333333333333, 1.0)
    """
    ids = list(truth)
    missing = [i for i in ids if i not in predicted]
    if missing:
        raise ValueError(f"{len(missing)} ids of the truth have no prediction (first: {missing[0]!r})")
    cells = Counter((truth[i], predicted[i]) for i in ids)
    t = sum(_pairs(c) for c in Counter(truth[i] for i in ids).values())
    p = sum(_pairs(c) for c in Counter(predicted[i] for i in ids).values())
    tp = sum(_pairs(c) for c in cells.values())
    precision = tp / p if p else 1.0
    recall = tp / t if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    total = _pairs(len(ids))
    expected = t * p / total if total else 0.0
    denom = (t + p) / 2 - expected
    ari = (tp - expected) / denom if denom else 1.0
    return PairScores(t, p, tp, precision, recall, f1, ari)


def recall_of(members: Sequence[str], truth: Mapping[str, Hashable], predicted: Mapping[str, Hashable]) -> float:
    """Pairwise recall restricted to true pairs that involve one of ``members``.

    Used to score one kind of variant (truncations, rewrites) on its own.
    Counted per group, not per pair: a group of ``n`` documents, ``c`` of them
    members, holds ``C(n, 2) - C(n - c, 2)`` pairs that involve a member.

    Example:
        >>> recall_of(["b"], {"a": 1, "b": 1, "c": 1}, {"a": 7, "b": 7, "c": 8})
        0.5
    """
    chosen = set(members)
    true_sizes: Counter[Hashable] = Counter(truth.values())
    true_chosen: Counter[Hashable] = Counter(truth[m] for m in chosen)
    both_sizes: Counter[tuple[Hashable, Hashable]] = Counter((truth[i], predicted[i]) for i in truth)
    both_chosen: Counter[tuple[Hashable, Hashable]] = Counter((truth[m], predicted[m]) for m in chosen)
    total = sum(_pairs(true_sizes[t]) - _pairs(true_sizes[t] - c) for t, c in true_chosen.items())
    found = sum(_pairs(both_sizes[g]) - _pairs(both_sizes[g] - c) for g, c in both_chosen.items())
    return found / total if total else 1.0


@dataclass(frozen=True)
class FalseMerge:
    """A predicted cluster that holds more than one true story.

    Attributes:
        cluster: The predicted cluster label.
        size: Its number of documents.
        stories: Documents per true story in it, largest first.
        wrong_pairs: Pairs of documents in it that the truth keeps apart.
        example: A document of another story than the cluster's
            representative: its prediction row, and ``evidence`` for it
            against the representative when the caller can compute it.
    """

    cluster: Hashable
    size: int
    stories: list[tuple[Hashable, int]]
    wrong_pairs: int
    example: dict[str, Any]


@dataclass(frozen=True)
class FalseSplit:
    """A true story spread over more than one predicted cluster.

    Attributes:
        story: The true story's label.
        size: Its number of documents.
        clusters: Documents per predicted cluster, largest first.
        missed_pairs: Pairs of its documents that the prediction keeps apart.
        example: A document outside the story's largest cluster: its
            prediction row, and ``evidence`` for it against a document of
            that cluster when the caller can compute it.
    """

    story: Hashable
    size: int
    clusters: list[tuple[Hashable, int]]
    missed_pairs: int
    example: dict[str, Any]


@dataclass(frozen=True)
class Evaluation:
    """The scores of a clustering and its worst mistakes."""

    scores: PairScores
    documents: int
    not_in_truth: int
    false_merges: list[FalseMerge]
    false_splits: list[FalseSplit]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (scores rounded to 4 places)."""
        data = asdict(self)
        data["scores"] = {k: round(v, 4) if isinstance(v, float) else v for k, v in data["scores"].items()}
        return data


Explain = Callable[[str, str], "dict[str, Any] | None"]


def evaluate(truth: Mapping[str, Hashable], rows: Mapping[str, Mapping[str, Any]], *, worst: int = 5,
             explain: Explain | None = None) -> Evaluation:
    """Score predicted rows (``dedupe cluster --format jsonl``, by id) against true story labels.

    Ids of the predictions that the truth does not list are stories of their
    own; ids of the truth without a prediction are an error (wrong file?).
    ``explain(a, b)``, if given, returns the evidence for a pair of ids; each
    mistake shown gets it for its example pair.

    Example:
        >>> rows = {i: {"id": i, "cluster": c} for i, c in [("a", 0), ("b", 0), ("c", 0)]}
        >>> e = evaluate({"a": 0, "b": 0, "c": 1}, rows)
        >>> round(e.scores.precision, 3), e.false_merges[0].stories
        (0.333, [(0, 2), (1, 1)])
    """
    missing = [i for i in truth if i not in rows]
    if missing:
        raise ValueError(f"{len(missing)} ids of the truth have no prediction (first: {missing[0]!r})")
    full = {i: truth.get(i, ("unlisted", i)) for i in rows}
    predicted = {i: row["cluster"] for i, row in rows.items()}
    scores = pair_scores(full, predicted)
    merges = [_false_merge(label, ids, full, rows, explain) for label, ids in _groups(predicted).items()]
    splits = [_false_split(label, ids, predicted, rows, explain) for label, ids in _groups(full).items()]
    return Evaluation(
        scores, len(rows), len(rows) - len(truth),
        sorted((m for m in merges if m), key=lambda m: (-m.wrong_pairs, str(m.cluster)))[:worst],
        sorted((s for s in splits if s), key=lambda s: (-s.missed_pairs, str(s.story)))[:worst])


def _groups(labels: Mapping[str, Hashable]) -> dict[Hashable, list[str]]:
    groups: dict[Hashable, list[str]] = {}
    for i, label in labels.items():
        groups.setdefault(label, []).append(i)
    return groups


def _false_merge(label: Hashable, ids: list[str], truth: Mapping[str, Hashable],
                 rows: Mapping[str, Mapping[str, Any]], explain: Explain | None) -> FalseMerge | None:
    stories, wrong = _spread(ids, truth)
    if len(stories) < 2:
        return None
    # The example: a member of another story than the cluster's representative (its row holds
    # the evidence against the representative).
    leader = _leader(ids, rows)
    stray = next(i for i in ids if truth[i] != truth[leader])
    return FalseMerge(label, len(ids), stories, wrong, _example(rows[stray], leader, explain))


def _false_split(story: Hashable, ids: list[str], predicted: Mapping[str, Hashable],
                 rows: Mapping[str, Mapping[str, Any]], explain: Explain | None) -> FalseSplit | None:
    clusters, missed = _spread(ids, predicted)
    if len(clusters) < 2:
        return None
    stray = next(i for i in ids if predicted[i] != clusters[0][0])
    main = _leader([i for i in ids if predicted[i] == clusters[0][0]], rows)
    return FalseSplit(story, len(ids), clusters, missed, _example(rows[stray], main, explain))


def _spread(ids: list[str], labels: Mapping[str, Hashable]) -> tuple[list[tuple[Hashable, int]], int]:
    """How ``ids`` spread over ``labels``: documents per label (largest first), and the pairs of
    ``ids`` whose labels differ."""
    counts = Counter(labels[i] for i in ids).most_common()
    return counts, _pairs(len(ids)) - sum(_pairs(n) for _, n in counts)


def _leader(ids: list[str], rows: Mapping[str, Mapping[str, Any]]) -> str:
    """The representative among ``ids`` if one is marked, else the first."""
    return next((i for i in ids if rows[i].get("representative") is True), ids[0])


def _example(row: Mapping[str, Any], against: str, explain: Explain | None) -> dict[str, Any]:
    keys = ("id", "cluster", "representative_id", "relation", "match", "similarity", "evidence")
    example = {k: row[k] for k in keys if k in row}
    if explain is not None:  # else the row's own evidence (against its representative) stays
        example["against"] = against
        example["evidence"] = explain(str(row["id"]), against)
    return example


def load_truth(path: str | Path) -> dict[str, int]:
    """Read a truth file, ``{"clusters": [[id, ...], ...]}``: story number per id.

    Raises:
        InputError: unreadable file, not that shape, or an id in two stories.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}") from err
    except json.JSONDecodeError as err:
        raise InputError(f"{path}:{err.lineno}: not JSON: {err.msg}") from err
    clusters = data.get("clusters") if isinstance(data, dict) else None
    if not isinstance(clusters, list) or not all(isinstance(c, list) for c in clusters):
        raise InputError(f'{path}: expected {{"clusters": [[id, ...], ...]}}')
    truth: dict[str, int] = {}
    for story, members in enumerate(clusters):
        for member in members:
            key = str(member)
            if key in truth:
                raise InputError(f"{path}: id {key!r} is in story {truth[key]} and in story {story}")
            truth[key] = story
    return truth


def load_predictions(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read ``dedupe cluster --format jsonl`` output: the row of each id.

    Raises:
        InputError: unreadable file, a line that is not a JSON object with
            ``id`` and ``cluster`` (names the line), or an id twice.
    """
    rows: dict[str, dict[str, Any]] = {}
    try:
        with Path(path).open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    raise InputError(f"{path}:{number}: not JSON: {err.msg}") from err
                if not isinstance(row, dict) or "id" not in row or "cluster" not in row:
                    raise InputError(f'{path}:{number}: expected an object with "id" and "cluster"')
                key = str(row["id"])
                if key in rows:
                    raise InputError(f"{path}:{number}: id {key!r} appears twice")
                rows[key] = row
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read: {err}") from err
    return rows
