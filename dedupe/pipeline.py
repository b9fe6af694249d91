"""The pipeline: records in, clusters with evidence out.

read → clean → normalize → exact duplicates → MinHash signatures → LSH
candidates → verification → clustering → representatives. Each stage is its
own module; this one only chains them (:func:`deduplicate`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .candidates import band_pairs, lsh_params
from .clean import TemplateLines, clean
from .cluster import cluster
from .document import Document, prepare
from .params import Params
from .read import Record
from .sign import Signer, TokenHasher
from .verify import Evidence, Verifier


@dataclass
class Cluster:
    """One story: its representative and members (document indices, representative first)."""

    id: int
    representative: int
    members: list[int]


@dataclass
class Result:
    """The outcome of :func:`deduplicate`.

    Attributes:
        documents: Every input document, in input order.
        clusters: Clusters, largest first (ties: by first member's input order).
        labels: For each document, the index of its cluster in ``clusters``.
        evidence: For each document, the evidence against its representative
            (None for representatives).
        pairs: All verified same-story pairs (the clustering's edges).
        params: The parameters used.
        stats: Counts per stage (candidates, verified pairs, ...).
    """

    documents: list[Document]
    clusters: list[Cluster]
    labels: list[int]
    evidence: list[Evidence | None]
    pairs: list[Evidence]
    params: Params
    stats: dict[str, int] = field(default_factory=dict)
    verifier: Verifier | None = field(default=None, repr=False)


def prepare_all(records: Iterable[Record], params: Params, *, do_clean: bool = True) -> list[Document]:
    """Clean (learning the input's template lines first), tokenize and hash records."""
    records = list(records)
    templates = None
    if do_clean:
        templates = TemplateLines().fit(
            clean(r.text).text.splitlines() for r in records if not r.warning)
    hasher = TokenHasher()
    return [prepare(i, r, shingle_size=params.shingle_size, salient=params.salient_words, hasher=hasher, templates=templates,
                    do_clean=do_clean) for i, r in enumerate(records)]


def priority_key(doc: Document) -> tuple[int, str, int]:
    """Representative rule: longest clean text, then earliest ``published``, then input order."""
    return (-doc.size, doc.record.published or "\uffff", doc.index)


def deduplicate(records: Iterable[Record], params: Params | None = None, *,
                do_clean: bool = True) -> Result:
    """Cluster records into stories.

    Args:
        records: The input documents (see :func:`dedupe.read.read_inputs`).
        params: Parameters (defaults: :class:`Params`).
        do_clean: Strip boilerplate before comparing (default True).

    Returns:
        Result: clusters, per-document evidence and the verified pairs.
    """
    params = (params or Params()).check()
    documents = prepare_all(records, params, do_clean=do_clean)
    n = len(documents)
    stats: dict[str, int] = {"documents": n}
    usable = [d for d in documents if not d.warning]
    stats["warnings"] = n - len(usable)

    # Exact duplicates: one document per fingerprint goes on to LSH.
    by_print: dict[str, list[int]] = defaultdict(list)
    for d in usable:
        by_print[d.fingerprint].append(d.index)
    heads = np.array(sorted(group[0] for group in by_print.values()), dtype=np.int64)
    stats["distinct_texts"] = len(heads)

    signer = Signer(num_perm=params.num_perm, seed=params.seed)
    candidates = set()
    for attr, threshold in (("shingles", params.copy_lsh_threshold), ("words", params.word_lsh_threshold)):
        sets = [getattr(documents[i], attr) for i in heads]
        signatures = signer.sign(sets)
        bands, band_rows = lsh_params(threshold, params.num_perm)
        local = band_pairs(signatures, np.arange(len(heads)), bands=bands, band_rows=band_rows,
                           max_bucket=params.max_bucket)
        candidates.update(map(tuple, heads[local].tolist()))
    stats["candidate_pairs"] = len(candidates)

    verifier = Verifier(documents, params)
    pairs: list[Evidence] = []
    for group in by_print.values():
        pairs.extend(verifier.verify(group[0], k) for k in group[1:])
    for i, j in sorted(candidates):
        evidence = verifier.verify(i, j)
        if evidence.same_story:
            pairs.append(evidence)
    stats["verified_pairs"] = len(pairs)

    priority = [priority_key(d) for d in documents]
    rep_of = cluster(n, ((e.a, e.b, e.similarity) for e in pairs),
                     lambda i, j: verifier.verify(i, j).same_story, priority)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, rep in enumerate(rep_of):
        groups[rep].append(i)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), min(kv[1])))
    clusters = [Cluster(k, rep, sorted(ms, key=lambda m: priority[m])) for k, (rep, ms) in enumerate(ordered)]
    labels = [0] * n
    evidence: list[Evidence | None] = [None] * n
    for c in clusters:
        for m in c.members:
            labels[m] = c.id
            if m != c.representative:
                evidence[m] = verifier.verify(m, c.representative)
    stats["clusters"] = len(clusters)
    return Result(documents, clusters, labels, evidence, pairs, params, stats, verifier)
