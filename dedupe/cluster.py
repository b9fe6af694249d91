"""Cluster stage: verified pairs in, one cluster label per document out.

Plain connected components chain different stories through a bridge (a
round-up that contains two articles joins both). Here clusters grow by
merging along verified pairs, strongest first, and two clusters merge only
when most pairs between them are themselves verified: the bridge joins one
side, and the other side's members are checked against it and refused.

Pairs between clusters are checked on demand (``same_story(i, j)``), for at
most ``sample`` members of each cluster, taken in representative order, so a
merge costs at most ``sample**2`` checks however large the clusters grow.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence

import numpy as np


def cluster(n: int, candidates: Iterable[np.ndarray | Sequence[Sequence[int]]], verify: Callable[[int, int], bool],
            priority: Sequence[object], *, compatible: Callable[[int, int], bool] | None = None,
            trusted: Callable[[int, int], bool] | None = None,
            sample: int = 5, max_refusals: int = 3) -> tuple[list[int], list[tuple[int, int]]]:
    """Group ``n`` items along verified candidate pairs without chaining.

    Args:
        n: Number of items (documents).
        candidates: Pairs ``(i, j)``, strongest first, in blocks (``(m, 2)``
            arrays or lists of pairs) or one by one. A pair whose items are already in one
            cluster is skipped without verification: each block's pairs are
            sifted so at once, so that Python only walks the pairs that may
            still join two clusters (a few per cent of them, late in a feed).
        verify: Verifies any pair on demand (it should cache).
        compatible: The looser test used when checking a merge: may two items
            share a cluster (default: ``verify``).
        trusted: A cheap test for pairs so close (plain copies) that one
            stands for the other: a singleton joins along such a pair without
            the merge check, and in a merge check a member that is a copy of
            the merging pair's own member agrees without being compared.
        priority: A sort key per item; the smallest key is a cluster's
            representative and is always among the sampled members.
        sample: Members per cluster compared when two clusters merge.
        max_refusals: After this many refused pairs between the same two
            clusters, their remaining candidate pairs are skipped (two related
            stories, each copied many times, would otherwise be compared copy
            by copy). A pair that fails ``verify`` but passes ``compatible``
            (a truncated copy of one version against the other version) is not
            a refusal: the two clusters may still join along a later pair.

    Returns:
        For each item, the index of its cluster's representative; and the
        pairs along which clusters were merged.

    Example:
        >>> verified = {(0, 1), (1, 2)}  # 1 bridges 0 and 2, which differ
        >>> cluster(3, [(0, 1), (1, 2)], lambda i, j: (min(i, j), max(i, j)) in verified,
        ...         priority=[1, 0, 2])[0]
        [1, 1, 2]
    """
    answer = (verify, compatible or (lambda i, j: False), compatible or verify)  # by the kind of question
    walk = _walk(n, candidates, priority, trusted, sample, max_refusals)
    try:
        kind, i, j = next(walk)
        while True:
            kind, i, j = walk.send(answer[kind](i, j))
    except StopIteration as done:
        return done.value


# What the walk asks about a pair (i, j): whether it verifies, whether a pair that does not verify
# may still share a cluster, or, checking a merge, whether the pair may share a cluster.
_VERIFIES, _MAY_STILL_SHARE, _MAY_SHARE = 0, 1, 2
_Question = tuple[int, int, int]


def _walk(n: int, candidates: Iterable[np.ndarray | Sequence[Sequence[int]]], priority: Sequence[object],
          trusted: Callable[[int, int], bool] | None, sample: int,
          max_refusals: int) -> Generator[_Question, bool, tuple[list[int], list[tuple[int, int]]]]:
    """:func:`cluster` as a generator: it yields each question about a pair and is sent the answer,
    so that one walk serves both :func:`cluster` and :func:`planned_pairs`; it returns what
    :func:`cluster` returns."""
    # Per cluster of two or more (a singleton has no entry: most items stay one): its members, in no
    # particular order, and the first ``sample`` of them in priority order.
    members: dict[int, list[int]] = {}
    leading: dict[int, list[int]] = {}
    root = list(range(n))
    merged: list[tuple[int, int]] = []
    refused: dict[tuple[int, int], int] = {}
    rerooted: list[int] = []  # the roots made children since the current block began (for _joining)

    for i, j in _joining(candidates, root, rerooted):
        ri, rj = root[i], root[j]  # most items are roots or point at theirs: no call for them
        if root[ri] != ri:
            ri = _find(root, i)
        if root[rj] != rj:
            rj = _find(root, j)
        if ri == rj:
            continue
        between = (ri, rj) if ri < rj else (rj, ri)
        if refused.get(between, 0) >= max_refusals:
            continue
        if not (yield _VERIFIES, i, j):
            # A pair that may still share a cluster (an excerpt of the other's rewrite) says
            # nothing against the two clusters being one story: it is not a refusal.
            if not (yield _MAY_STILL_SHARE, i, j):
                refused[between] = refused.get(between, 0) + 1
            continue
        mi, mj = members.get(ri) or [ri], members.get(rj) or [rj]
        if (len(mi) > 1 or len(mj) > 1) and not (min(len(mi), len(mj)) == 1 and trusted and trusted(i, j)):
            if not (yield from _most_agree(leading.get(ri) or mi, leading.get(rj) or mj, i, j, trusted)):
                refused[between] = max_refusals
                continue
        if len(mi) < len(mj):
            ri, rj, mi, mj = rj, ri, mj, mi
        root[rj] = ri
        rerooted.append(rj)
        mi.extend(mj)
        members[ri] = mi
        # The leaders of a union are among the leaders of its parts.
        leading[ri] = heapq.nsmallest(sample, [*(leading.get(ri) or mi[:1]), *(leading.pop(rj, None) or mj)],
                                      key=priority.__getitem__)
        members.pop(rj, None)
        merged.append((i, j))
    labels = list(range(n))
    for r, group in members.items():
        for k in group:
            labels[k] = leading[r][0]
    return labels, merged


def _most_agree(si: Sequence[int], sj: Sequence[int], i: int, j: int,
                trusted: Callable[[int, int], bool] | None) -> Generator[_Question, bool, bool]:
    """True when more than half of the pairs across ``si`` and ``sj`` may share a cluster (each asked
    as a question of the walk).

    ``(i, j)`` is the verified pair being merged along; a member that is ``i``
    or a trusted copy of it, paired with one that is ``j`` or a copy of it,
    agrees without a check. Checking stops as soon as the majority is decided.
    """
    like_i = [x == i or (trusted is not None and trusted(x, i)) for x in si]
    like_j = [y == j or (trusted is not None and trusted(y, j)) for y in sj]
    total = len(si) * len(sj)
    agree = sum(like_i) * sum(like_j)
    disagree = 0
    for x, xi in zip(si, like_i):
        for y, yj in zip(sj, like_j):
            if agree * 2 > total or disagree * 2 >= total:
                return agree * 2 > total
            if xi and yj:
                continue
            if (yield _MAY_SHARE, x, y):
                agree += 1
            else:
                disagree += 1
    return agree * 2 > total


def planned_pairs(n: int, candidates: Iterable[np.ndarray | Sequence[Sequence[int]]], priority: Sequence[object], *,
                  trusted: Callable[[int, int], bool] | None = None, sample: int = 5,
                  max_refusals: int = 3) -> Iterator[tuple[int, int]]:
    """The pairs :func:`cluster` verifies when every pair verifies and every merge check agrees
    (as almost all do): each pair that joins two clusters, and the checks of its merge, in order,
    each once, as the walk goes.

    Verifying these ahead, in parallel, leaves :func:`cluster` mostly cache hits; where a
    real answer differs, it verifies the few pairs that follow from it itself.
    """
    asked: set[tuple[int, int]] = set()
    walk = _walk(n, candidates, priority, trusted, sample, max_refusals)
    try:
        _, i, j = next(walk)
        while True:
            if (i, j) not in asked:
                asked.add((i, j))
                yield i, j
            _, i, j = walk.send(True)
    except StopIteration:
        return


def _joining(blocks: Iterable[np.ndarray | Sequence[Sequence[int]]], root: list[int],
             rerooted: list[int]) -> Iterator[tuple[int, int]]:
    """The pairs of each block whose items were in two clusters when the block began (``root``: the
    union-find forest, as the caller updates it, listing in ``rerooted`` each root it makes a child).

    The forest is mirrored in an array, updated by those roots only, so that a block costs as much
    as it has pairs, not as the input has items (pairs given one by one come in blocks of 4,096:
    ten million of them over a million items are 2,442 blocks)."""
    parent = np.arange(len(root), dtype=np.int64)
    for pairs in _blocks(blocks):
        if rerooted:
            changed = np.array(rerooted, dtype=np.int64)
            parent[changed] = [root[k] for k in rerooted]  # an ancestor in the same tree
            rerooted.clear()
        first, second = _roots(parent, pairs[:, 0]), _roots(parent, pairs[:, 1])
        pairs = pairs[first != second]
        # zip's tuples are recycled as the caller unpacks them: no new container per pair.
        yield from zip(pairs[:, 0].tolist(), pairs[:, 1].tolist())


def _roots(parent: np.ndarray, items: np.ndarray) -> np.ndarray:
    """The root of each item in the forest ``parent`` (by pointer jumping: the trees are shallow),
    each item then pointed at its root."""
    found = parent[items]
    while True:
        up = parent[found]
        if np.array_equal(up, found):
            break
        found = up
    parent[items] = found
    return found


def _blocks(candidates: Iterable[np.ndarray | Sequence[Sequence[int]]], *, gather: int = 4096) -> Iterator[np.ndarray]:
    """The candidates as non-empty ``(m, 2)`` arrays: blocks as they come, pairs given one by one
    gathered into blocks of ``gather`` (sifting costs as much as there are items, once per block)."""
    single: list[np.ndarray] = []
    for item in candidates:
        block = np.asarray(item, dtype=np.int64)
        if block.ndim == 1 and block.size == 2:
            single.append(block)
            if len(single) < gather:
                continue
            block = np.empty((0, 2), dtype=np.int64)
        if single:
            yield np.stack(single)
            single = []
        if block.size:
            yield block.reshape(-1, 2)
    if single:
        yield np.stack(single)


def _find(root: list[int], i: int) -> int:
    """The root of ``i``'s group in a union-find forest (halving the path on the way)."""
    while root[i] != i:
        root[i] = root[root[i]]
        i = root[i]
    return i
