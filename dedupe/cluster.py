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

from collections.abc import Callable, Iterable, Sequence


def cluster(n: int, candidates: Iterable[tuple[int, int]], verify: Callable[[int, int], bool],
            priority: Sequence[object], *, compatible: Callable[[int, int], bool] | None = None,
            trusted: Callable[[int, int], bool] | None = None,
            sample: int = 5, max_refusals: int = 3) -> tuple[list[int], list[tuple[int, int]]]:
    """Group ``n`` items along verified candidate pairs without chaining.

    Args:
        n: Number of items (documents).
        candidates: Pairs ``(i, j)``, strongest first. A pair whose items are
            already in one cluster is skipped without verification.
        verify: Verifies any pair on demand (it should cache).
        compatible: The looser test used when checking a merge: may two items
            share a cluster (default: ``verify``).
        trusted: Pairs so close (plain copies) that a singleton joins along
            them without the merge check.
        priority: A sort key per item; the smallest key is a cluster's
            representative and is always among the sampled members.
        sample: Members per cluster compared when two clusters merge.
        max_refusals: After this many refused pairs between the same two
            clusters, their remaining candidate pairs are skipped (two related
            stories, each copied many times, would otherwise be compared copy
            by copy).

    Returns:
        For each item, the index of its cluster's representative; and the
        pairs along which clusters were merged.

    Example:
        >>> verified = {(0, 1), (1, 2)}  # 1 bridges 0 and 2, which differ
        >>> cluster(3, [(0, 1), (1, 2)], lambda i, j: (min(i, j), max(i, j)) in verified,
        ...         priority=[1, 0, 2])[0]
        [1, 1, 2]
    """
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    root = list(range(n))
    merged: list[tuple[int, int]] = []
    refused: dict[tuple[int, int], int] = {}

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for i, j in candidates:
        ri, rj = find(i), find(j)
        if ri == rj:
            continue
        between = (ri, rj) if ri < rj else (rj, ri)
        if refused.get(between, 0) >= max_refusals:
            continue
        if not verify(i, j):
            refused[between] = refused.get(between, 0) + 1
            continue
        mi, mj = members[ri], members[rj]
        if (len(mi) > 1 or len(mj) > 1) and not (min(len(mi), len(mj)) == 1 and trusted and trusted(i, j)):
            si, sj = mi[:sample], mj[:sample]
            check = compatible or verify
            agree = sum(1 for x in si for y in sj if (x, y) in ((i, j), (j, i)) or check(x, y))
            if agree * 2 <= len(si) * len(sj):
                refused[between] = max_refusals
                continue
        if len(mi) < len(mj):
            ri, rj, mi, mj = rj, ri, mj, mi
        root[rj] = ri
        mi.extend(mj)
        mi.sort(key=lambda k: priority[k])
        del members[rj]
        merged.append((i, j))
    labels = [0] * n
    for group in members.values():
        for k in group:
            labels[k] = group[0]
    return labels, merged
