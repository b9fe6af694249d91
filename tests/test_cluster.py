"""Clustering verified pairs: cliques merge, bridges do not chain, the smallest priority key represents."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pytest

from feed_builders import seed_feed
from dedupe.cluster import _joining, cluster
from dedupe.pipeline import deduplicate
from dedupe.read import read_inputs


def _verified(pairs: Iterable[tuple[int, int]]) -> Callable[[int, int], bool]:
    known = {frozenset(p) for p in pairs}
    return lambda i, j: frozenset((i, j)) in known


def test_bridge_does_not_join_the_two_sides() -> None:
    # B (1) is verified with A (0) and with C (2); A and C are different stories.
    verify = _verified([(0, 1), (1, 2)])

    labels, merged = cluster(3, [(0, 1), (1, 2)], verify, priority=[0, 1, 2])

    assert labels[0] != labels[2]
    assert len(merged) == 1


def test_bridge_between_two_groups_does_not_chain_them() -> None:
    verify = _verified([(0, 1), (3, 4), (1, 2), (2, 3)])

    labels, _ = cluster(5, [(0, 1), (3, 4), (1, 2), (2, 3)], verify, priority=list(range(5)))

    assert labels[0] == labels[1]
    assert labels[3] == labels[4]
    assert labels[0] != labels[3]


def test_unverified_candidates_are_not_merged() -> None:
    labels, merged = cluster(3, [(0, 1), (1, 2)], _verified([]), priority=[0, 1, 2])

    assert labels == [0, 1, 2]
    assert merged == []


def test_clique_merges_and_smallest_priority_key_represents() -> None:
    pairs = [(i, j) for i in range(4) for j in range(4) if i < j]

    labels, merged = cluster(4, pairs, _verified(pairs), priority=[(5, "c"), (2, "a"), (9, "x"), (2, "b")])

    assert labels == [1, 1, 1, 1]
    assert len(merged) == 3  # a tree over the four members


def test_merge_when_most_cross_pairs_are_verified() -> None:
    # 3 is verified with 0 and 1 but not with 2: two of the three cross pairs agree.
    verify = _verified([(0, 1), (0, 2), (1, 2), (0, 3), (1, 3)])

    labels, _ = cluster(4, [(0, 1), (0, 2), (1, 2), (0, 3)], verify, priority=[3, 2, 1, 0])

    assert labels == [3, 3, 3, 3]


def test_separate_stories_and_isolated_documents() -> None:
    pairs = [(0, 2), (3, 4), (1, 3), (1, 4)]
    priority = [(-50, 0), (-40, 1), (-80, 2), (-10, 3), (-90, 4), (-30, 5)]

    labels, _ = cluster(6, pairs, _verified(pairs), priority=priority)

    assert labels == [2, 4, 2, 4, 4, 5]


@pytest.mark.parametrize("copies", [10, 20, 30, 60])
def test_rewritten_seeds_join_however_many_copies_each_has(tmp_path: Path, copies: int) -> None:
    # Truncated copies of 001 against copies of 002 are only excerpts of a rewrite: they must not
    # use up the refusals between the two clusters before the full versions meet.
    result = deduplicate(read_inputs([str(seed_feed(tmp_path / "feed.jsonl", copies=copies))]))
    stories = sorted(sorted({result.documents[m].record.id[:3] for m in c.members}) for c in result.clusters)
    assert stories == [["000"], ["001", "002"], ["003"], ["004"]]


def test_records_the_caller_passes_keep_their_text(tmp_path: Path) -> None:
    records = list(read_inputs([str(seed_feed(tmp_path / "feed.jsonl", copies=3))]))
    texts = [r.text for r in records]
    result = deduplicate(records)
    assert [r.text for r in records] == texts and all(texts)
    assert all(d.record.text == "" for d in result.documents)  # the result itself keeps no raw text


def test_clusters_and_evidence_do_not_need_the_cleaned_text(tmp_path: Path) -> None:
    """Without the text (the jsonl and parquet outputs do not show it), every document keeps what
    comparing needs: the same clusters, representatives and evidence, rewrites included."""
    feed = seed_feed(tmp_path / "feed.jsonl", copies=8)
    with_text = deduplicate(read_inputs([str(feed)]), jobs=2)
    without = deduplicate(read_inputs([str(feed)]), jobs=2, keep_text=False)

    assert [(c.representative, c.members) for c in without.clusters] == \
        [(c.representative, c.members) for c in with_text.clusters]
    assert without.evidence == with_text.evidence and without.pairs == with_text.pairs
    assert any(e is not None and e.relation == "rewrite" for e in without.evidence)
    assert all(d.text == "" for d in without.documents) and all(d.text for d in with_text.documents)


def test_pairs_one_by_one_or_in_blocks_cluster_alike() -> None:
    """The walk sifts each block against the clusters made before it: any cut into blocks gives the
    clusters that pairs given one by one give."""
    rng = np.random.default_rng(11)
    pairs = [tuple(p) for p in rng.integers(0, 300, size=(5000, 2)).tolist() if p[0] != p[1]]
    story = rng.integers(0, 40, size=300)
    verify = lambda i, j: story[i] == story[j] or (i + j) % 17 == 0  # noqa: E731  # a few bridges too
    priority = rng.permutation(300).tolist()
    one_by_one = cluster(300, pairs, verify, priority)
    for cut in (1, 7, 1000, 5000):
        blocks = [np.array(pairs[k:k + cut]) for k in range(0, len(pairs), cut)]
        assert cluster(300, blocks, verify, priority) == one_by_one
    assert len(set(one_by_one[0])) < 200 and len(one_by_one[1]) > 100  # the walk did merge clusters


def test_blocks_are_sifted_against_the_merges_made_before_them() -> None:
    """A block's pairs inside one cluster (as merged by the end of the previous block) are never
    yielded; pairs between clusters always are."""
    root, rerooted = list(range(6)), []
    walk = _joining([np.array([[0, 1], [2, 3]]), np.array([[0, 1], [1, 2], [3, 4], [4, 5]])], root, rerooted)
    assert next(walk) == (0, 1)
    root[1] = 0  # the caller merges 1 into 0 ...
    rerooted.append(1)
    assert next(walk) == (2, 3)
    root[3], root[2] = 2, 0  # ... 3 into 2, then 2 into 0
    rerooted.extend([3, 2])
    # {0, 1, 2, 3} is one cluster now: of the next block, only the pairs that leave it remain.
    assert list(walk) == [(3, 4), (4, 5)]
