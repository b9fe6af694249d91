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

from .candidates import band_pairs, estimated_jaccard, lsh_params, unique_pairs
from .clean import TemplateLines, clean
from .cluster import cluster
from .document import Document, Salience, prepare
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
        pairs: The verified pairs along which clusters were merged.
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
    salience = Salience(TokenHasher(), params.salient_words)
    seen: dict[str, Document] = {}
    if not do_clean:
        return [prepare(i, r, shingle_size=params.shingle_size, salience=salience,
                        do_clean=False, seen=seen) for i, r in enumerate(records)]
    first_pass = [clean(r.text) for r in records]
    templates = TemplateLines().fit(c.text.splitlines() for c, r in zip(first_pass, records) if not r.warning)
    return [prepare(i, r, shingle_size=params.shingle_size, salience=salience,
                    cleaned=c, templates=templates, seen=seen)
            for i, (r, c) in enumerate(zip(records, first_pass))]


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
    found, estimates = [], []
    for attr, threshold in (("shingles", params.copy_lsh_threshold), ("words", params.word_lsh_threshold)):
        signatures = np.zeros((n, params.num_perm), dtype=np.uint32)
        signatures[heads] = signer.sign([getattr(documents[i], attr) for i in heads])
        bands, band_rows = lsh_params(threshold, params.num_perm)
        found.append(band_pairs(signatures, heads, bands=bands, band_rows=band_rows,
                                max_bucket=params.max_bucket))
        estimates.append(signatures)
    candidates = unique_pairs(np.concatenate(found))
    stats["candidate_pairs"] = len(candidates)
    # Strongest first: copies (shingle estimate) before rewrites (salient-word estimate).
    strength = estimated_jaccard(estimates[0], candidates) + 0.5 * estimated_jaccard(estimates[1], candidates)
    ordered = candidates[np.lexsort((candidates[:, 1], candidates[:, 0], -strength))]

    verifier = Verifier(documents, params)
    exact_pairs = [(group[0], k) for group in by_print.values() for k in group[1:]]
    priority = [priority_key(d) for d in documents]
    rep_of, merged = cluster(n, [*exact_pairs, *map(tuple, ordered.tolist())], verifier.same_story, priority,
                             compatible=verifier.compatible, trusted=verifier.is_copy)
    pairs = [verifier.verify(i, j) for i, j in merged]
    stats["verified_pairs"] = verifier.verified_count

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
