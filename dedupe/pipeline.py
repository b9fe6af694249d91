"""The pipeline: records in, clusters with evidence out.

read → clean → normalize → exact duplicates → MinHash signatures → LSH
candidates → verification → clustering → representatives. Each stage is its
own module; this one only chains them (:func:`deduplicate`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .candidates import estimated_jaccard, lsh_params, unique_pairs
from .clean import Cleaned, TemplateLines, clean
from .cluster import cluster, spanning_pairs
from .document import Document, Salience, Vectorizer, fingerprint_of, prepare, share_hashes
from .normalize import tokens
from .parallel import Engine, LocalEngine, frozen_objects, single_threaded_blas, worker_count
from .params import Params
from .progress import Progress
from .read import Record
from .sign import Signer, TokenHasher
from .tfidf import TfidfModel, evenly_spaced
from .tfidf import warm_up as load_wordfreq
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
        verifier: The verifier, for evidence on any other pair.
        seconds: Wall-clock seconds per stage.
    """

    documents: list[Document]
    clusters: list[Cluster]
    labels: list[int]
    evidence: list[Evidence | None]
    pairs: list[Evidence]
    params: Params
    stats: dict[str, int] = field(default_factory=dict)
    verifier: Verifier | None = field(default=None, repr=False)
    seconds: dict[str, float] = field(default_factory=dict)


def prepare_all(records: Iterable[Record], params: Params, *, do_clean: bool = True, jobs: int = 1,
                progress: Progress | None = None, sign: bool = True,
                model: TfidfModel | None = None, engine: Engine | None = None,
                keep_raw: bool = True, keep_removed: bool = True) -> list[Document]:
    """Clean (learning the input's template lines first), tokenize, hash and sign records.

    Args:
        jobs: Worker processes for cleaning and hashing (the result is the same for any number).
        progress: Reports the stages ``read``, ``clean``, ``templates`` and ``prepare``.
        sign: Compute MinHash signatures (only LSH needs them; ``compare`` and
            ``clean`` do not).
        model: An unfitted TF-IDF model: it is fitted on the cleaned input
            and every document gets its vectors while it is prepared.
        engine: Where the per-document work runs (default: ``jobs`` local processes).
        keep_raw: Keep each record's raw text in ``Document.record``. Without
            it, each range's raw texts and rule-cleaned forms are dropped as
            soon as its documents arrive, which lowers the peak memory.
        keep_removed: Keep each document's removed lines (``Document.removed``);
            without them, documents travel back from workers faster and take
            less memory.
    """
    progress = progress or Progress(enabled=False)
    records = _read_all(records, progress)
    engine = engine or LocalEngine(jobs)
    chunk = max(64, min(1024, len(records) // (8 * engine.workers) + 1))
    keys: list[list[str]] | None = None
    templates = None
    signers: list[Signer] = []

    def load_datasketch() -> None:  # it imports scipy, which takes most of a second
        if sign and not signers:
            signers.append(Signer(num_perm=params.num_perm, seed=params.seed))

    # wordfreq's list is loaded before the workers fork, so that they share it; datasketch, which only
    # this process needs, loads while they clean.
    load_wordfreq()
    # Each range stays with the worker that cleaned it: only the line keys come here, for the
    # template lines, and the cleaned texts stay there for preparing (see dedupe.stages).
    with engine.stages(records, len(records), chunk_size=chunk) as stages:
        if do_clean:
            with progress.stage("clean", len(records)) as stage:
                keys = stages.run(_clean_stage, keep_removed,
                                  on_chunk=_first_call_too(load_datasketch, stage.advance_range))
            with progress.stage("templates", len(records)) as stage:
                templates = TemplateLines().fit_keys([[k for k in found if k] for found, r in zip(keys, records)
                                                      if not r.warning])
                stage.advance(len(records))
        load_datasketch()  # unless the cleaning did
        if model is not None:
            _fit(model, records, keys, templates)
        # Exact copies (one cleaned text) are prepared in full once, wherever they fall.
        heads = _heads(records, keys, templates) if keys is not None else None
        preparer = _Preparer(params, templates, do_clean, signers[0] if sign else None, model, keep_removed)
        with progress.stage("prepare", len(records)) as stage:
            def done(start: int, stop: int) -> None:
                stage.advance_range(start, stop)
                if not keep_raw:
                    for i in range(start, stop):
                        records[i] = replace(records[i], text="")

            documents = stages.run(preparer, heads, on_chunk=done)
    for d, r in zip(documents, records):
        d.record = r
    for i, head in enumerate(heads or ()):
        if head != i:
            share_hashes(documents[i], documents[head])
    return documents


def _heads(records: Sequence[Record], keys: Sequence[list[str]], templates: TemplateLines | None) -> list[int]:
    """For each record, the first record whose cleaned text is the same (its fingerprint, as
    :func:`dedupe.document.prepare` computes it from the line keys of its rule-cleaned text), or itself."""
    first: dict[str, int] = {}
    heads = []
    for i, (record, found) in enumerate(zip(records, keys)):
        kept = [] if record.warning else [
            k for k in found if k and not (templates is not None and templates.is_template(k))]
        heads.append(first.setdefault(fingerprint_of(" ".join(kept)), i) if kept else i)
    return heads


def _read_all(records: Iterable[Record], progress: Progress) -> list[Record]:
    """The records in a list of our own (the ``read`` stage: large inputs take a while)."""
    if isinstance(records, list):
        return list(records)  # a copy: ranges already prepared are dropped from it
    found: list[Record] = []
    with progress.stage("read") as stage:
        for record in records:
            found.append(record)
            if len(found) % 1000 == 0:
                stage.advance(1000)
        stage.advance(len(found) % 1000)
    return found


def _fit(model: TfidfModel, records: Sequence[Record], keys: Sequence[list[str]] | None,
         templates: TemplateLines | None) -> None:
    """Fit the model's document frequencies on an evenly spaced sample of the cleaned records
    (from the line keys of their rule-cleaned texts, without the template lines; without
    cleaning, from their texts)."""
    usable = [i for i, r in enumerate(records) if not r.warning]
    sample = []
    for i in evenly_spaced(usable, model.sample):
        if keys is None:
            sample.append(tokens(records[i].text))
        else:
            kept = (k for k in keys[i] if not (templates is not None and templates.is_template(k)))
            sample.append([t for key in kept for t in key.split()])
    model.fit(sample)


def _first_call_too(first: Callable[[], object], then: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """``then``, calling ``first()`` before its first call.

    The cleaning workers report their first chunk after they have forked,
    so work done then in this process overlaps theirs, and the workers forked
    later (verifying) inherit its result.
    """
    pending = [first]

    def call(start: int, stop: int) -> None:
        while pending:
            pending.pop()()
        then(start, stop)

    return call


def _clean_stage(records: Sequence[Record], _: None, keep_removed: bool, start: int,
                 stop: int) -> tuple[list[Cleaned], list[list[str]]]:
    """Rule-clean a range of records: the cleaned texts stay (for preparing), their line keys go
    to the caller (for the template lines). Removed lines are dropped unless ``keep_removed``."""
    cleaned = [clean(r.text, extracted=r.extracted) for r in records[start:stop]]
    if not keep_removed:
        cleaned = [replace(c, removed=[]) for c in cleaned]
    return cleaned, [c.keys for c in cleaned]


@dataclass(frozen=True)
class _Preparer:
    """Prepares the records of a range (with their rule-cleaned texts)."""

    params: Params
    templates: TemplateLines | None
    do_clean: bool
    signer: Signer | None
    model: TfidfModel | None = None
    keep_removed: bool = True
    # The token vocabulary, kept from range to range within one process (each worker has its own).
    _salience: list[Salience] = field(default_factory=list, compare=False, repr=False)
    _vectorizer: list[Vectorizer] = field(default_factory=list, compare=False, repr=False)

    def __call__(self, records: Sequence[Record], cleaned: list[Cleaned] | None, heads: Sequence[int] | None,
                 start: int, stop: int) -> tuple[None, list[Document]]:
        """The stage function (see :mod:`dedupe.stages`): the range's documents, from its
        rule-cleaned texts (kept by the cleaning stage) and, for each record, the first with the
        same cleaned text."""
        p = self.params
        if not self._salience:
            self._salience.append(Salience(TokenHasher(), p.salient_words))
            if self.model is not None:
                self._vectorizer.append(Vectorizer(self._salience[0].hasher, self.model))
        salience = self._salience[0]
        vectorizer = self._vectorizer[0] if self._vectorizer else None
        # Copies of an earlier document get its hashes afterwards (see prepare_all); without
        # the copies known ahead (no cleaning), the copies within this range share them.
        seen: dict[str, Document] | None = {} if heads is None else None
        documents = [prepare(i, records[i], shingle_size=p.shingle_size, salience=salience,
                             cleaned=cleaned[i - start] if cleaned is not None else None,
                             templates=self.templates, do_clean=self.do_clean, seen=seen, vectorizer=vectorizer,
                             hashes=heads is None or heads[i] == i)
                     for i in range(start, stop)]
        if self.signer is not None:
            heads_here = [d for d in documents if heads is None or heads[d.index] == d.index]
            first = {id(d.shingles): d for d in heads_here}  # identical texts share their hash arrays
            distinct = list(first.values())
            signatures = self.signer.sign([d.shingles for d in distinct] + [d.words for d in distinct])
            for k, d in enumerate(distinct):
                d.signatures = signatures[[k, k + len(distinct)]]
            for d in heads_here:
                d.signatures = first[id(d.shingles)].signatures
        for d in documents:
            d.record = None  # type: ignore[assignment]  # the caller has it; not sent back
            if not self.keep_removed:
                d.removed = []
        return None, documents


def _in_order(first: list[tuple[int, int]], then: np.ndarray, *, step: int = 1 << 16) -> Iterator[Sequence[int]]:
    """The pairs ``first``, then the rows of the array ``then``, made a slice at a time:
    millions of candidate pairs as Python objects would take gigabytes."""
    yield from first
    for start in range(0, len(then), step):
        # zip's tuples are recycled as the caller unpacks them: no new container per pair, and so
        # no garbage collections triggered by millions of them.
        yield from zip(then[start:start + step, 0].tolist(), then[start:start + step, 1].tolist())


def priority_key(doc: Document) -> tuple[int, str, int]:
    """Representative rule: longest clean text, then earliest ``published``, then input order."""
    return (-doc.size, doc.record.published or "\uffff", doc.index)


def deduplicate(records: Iterable[Record], params: Params | None = None, *, do_clean: bool = True,
                jobs: int = 1, progress: Progress | None = None, engine: Engine | None = None,
                keep_removed: bool = True) -> Result:
    """Cluster records into stories.

    Args:
        records: The input documents (see :func:`dedupe.read.read_inputs`).
        params: Parameters (defaults: :class:`Params`).
        do_clean: Strip boilerplate before comparing (default True).
        jobs: Worker processes for the per-document stages (0: every core).
            The result is the same for any number.
        progress: Reports each stage (and keeps its seconds in ``Result.seconds``).
        engine: Where the per-document and per-pair work runs (default:
            ``jobs`` local processes; see :mod:`dedupe.dask_engine`).
        keep_removed: Keep each document's removed boilerplate lines (``Document.removed``).

    Returns:
        Result: clusters, per-document evidence and the verified pairs. Its
        documents hold the cleaned text (``Document.text``); their records are
        copies without the raw text, which is not kept.
    """
    params = (params or Params()).check()
    progress = progress or Progress(enabled=False)
    engine = engine or LocalEngine(worker_count(jobs))
    model = TfidfModel()
    # The raw text is not needed once cleaned: memory per document stays down.
    # Long-lived objects (records, cleaned texts, then documents) are left out of garbage
    # collections: each block freezes what exists when it starts.
    with frozen_objects(), single_threaded_blas():
        documents = prepare_all(records, params, do_clean=do_clean, progress=progress, model=model,
                                engine=engine, keep_raw=False, keep_removed=keep_removed)
        with frozen_objects():
            return _cluster_prepared(documents, params, model, engine, progress)


def _cluster_prepared(documents: list[Document], params: Params, model: TfidfModel, engine: Engine,
                      progress: Progress) -> Result:
    """The stages after preparing: exact duplicates, candidates, clustering, evidence."""
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

    with progress.stage("candidates", len(heads)) as stage:
        found, estimates = [], []
        lsh_bytes = 0
        for channel, threshold in enumerate((params.copy_lsh_threshold, params.word_lsh_threshold)):
            signatures = np.zeros((n, params.num_perm), dtype=np.uint32)
            for i in heads.tolist():
                signatures[i] = documents[i].signatures[channel]
            bands, band_rows = lsh_params(threshold, params.num_perm)
            # The index band_pairs builds: a 64-bit key and a member per band of each signature.
            lsh_bytes += signatures.nbytes + len(heads) * bands * 16
            found.append(engine.band_pairs(signatures, heads, bands=bands, band_rows=band_rows,
                                           max_bucket=params.max_bucket))
            estimates.append(signatures)
        candidates = unique_pairs(np.concatenate(found))
        # Strongest first: copies (shingle estimate) before rewrites (salient-word estimate);
        # 32 positions rank pairs well enough.
        strength = (estimated_jaccard(estimates[0], candidates, positions=32)
                    + 0.5 * estimated_jaccard(estimates[1], candidates, positions=32))
        ordered = candidates[np.lexsort((candidates[:, 1], candidates[:, 0], -strength))]
        stats["candidate_pairs"] = len(candidates)
        del found, estimates, signatures, candidates, strength  # copies of the signatures, pairs in other orders
        for d in documents:
            d.signatures = None  # only LSH needs them
        stage.advance(len(heads))
    stats["lsh_index_bytes"] = lsh_bytes

    with progress.stage("cluster", len(ordered)) as stage:
        verifier = Verifier(documents, params, model=model)
        exact_pairs = [(group[0], k) for group in by_print.values() for k in group[1:]]
        priority = [priority_key(d) for d in documents]
        verifier.verify_many(spanning_pairs(n, _in_order(exact_pairs, ordered)), engine=engine)
        rep_of, merged = cluster(n, _in_order(exact_pairs, ordered), verifier.same_story, priority,
                                 compatible=verifier.compatible, trusted=verifier.is_copy)
        pairs = [verifier.verify(i, j) for i, j in merged]
        stage.advance(len(ordered))
    stats["verified_pairs"] = verifier.verified_count

    groups: dict[int, list[int]] = defaultdict(list)
    for i, rep in enumerate(rep_of):
        groups[rep].append(i)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), min(kv[1])))
    clusters = [Cluster(k, rep, sorted(ms, key=lambda m: priority[m])) for k, (rep, ms) in enumerate(ordered)]
    labels = [0] * n
    evidence: list[Evidence | None] = [None] * n
    with progress.stage("evidence", n) as stage:
        verifier.verify_many([(m, c.representative) for c in clusters for m in c.members], engine=engine)
        for c in clusters:
            for m in c.members:
                if m != c.representative:
                    evidence[m] = verifier.verify(m, c.representative)
            stage.advance(len(c.members))
    for c in clusters:
        for m in c.members:
            labels[m] = c.id
    stats["clusters"] = len(clusters)
    return Result(documents, clusters, labels, evidence, pairs, params, stats, verifier, dict(progress.seconds))
