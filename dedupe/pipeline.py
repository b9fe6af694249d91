"""The pipeline: records in, clusters with evidence out.

read → clean → normalize → exact duplicates → MinHash signatures → LSH
candidates → verification → clustering → representatives. Each stage is its
own module; this one only chains them (:func:`deduplicate`).
"""

from __future__ import annotations

import pickle
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from .candidates import known_lsh_params, lsh_params, remember_lsh_params, strongest_first, unique_pairs
from .batch import DocumentBatch
from .clean import Cleaned, TemplateLines, clean
from .cluster import cluster, planned_pairs
from .document import Document, Salience, Vectorizer, fingerprint_of, prepare, share_hashes
from .normalize import normalize
from .parallel import Engine, LocalEngine, frozen_objects, single_threaded_blas, worker_count
from .params import Params
from .progress import Progress
from .read import Record
from .readers.html import finish
from .sign import Signer, TokenHasher
from .templates import line_features
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


CHUNK = 256  # records per range: small enough that workers start early and share the work evenly
# Ranges from this record on are held compressed between stages (see _Packed): a fifth of the memory,
# for about 5% more time; the first ones (all of a small input) are not.
PACK_FROM = 20_000
CHUNK_CHARS = 1 << 19  # and at most about this much text or HTML: pages take far longer than texts


def _size(record: Record) -> int:
    """What a record weighs in a range: its characters, or its page's."""
    return len(record.text) + (len(record.page.data) if record.page is not None else 0)


def prepare_all(records: Iterable[Record], params: Params, *, do_clean: bool = True, jobs: int = 1,
                progress: Progress | None = None, sign: bool = True,
                model: TfidfModel | None = None, engine: Engine | None = None,
                keep_raw: bool = True, keep_removed: bool = True, keep_text: bool = True) -> list[Document]:
    """Clean (learning the input's template lines first), tokenize, hash and sign records.

    Args:
        jobs: Worker processes for cleaning and hashing (the result is the same for any number).
        progress: Reports the stages ``read``, ``clean``, ``templates`` and ``prepare``
            (reading and cleaning overlap: records are cleaned as they are read).
        sign: Compute MinHash signatures (only LSH needs them; ``compare`` and
            ``clean`` do not).
        model: An unfitted TF-IDF model: it is fitted on the cleaned input
            and every document gets its vectors while it is prepared.
        engine: Where the per-document work runs (default: ``jobs`` local processes).
        keep_raw: Keep each record's raw text in ``Document.record``. Without
            it, this process drops each raw text as soon as it is read (the
            workers hold it while they need it), which lowers the peak memory.
        keep_removed: Keep each document's removed lines (``Document.removed``);
            without them, documents travel back from workers faster and take
            less memory.
        keep_text: Keep each document's cleaned text (``Document.text``).
            Without it the text is empty once the document is prepared (its
            hashes, vectors and paragraph weights, all that comparing needs,
            are kept): about a fifth less memory per document.
    """
    progress = progress or Progress(enabled=False)
    engine = engine or LocalEngine(jobs)
    found: list[Record] = []  # every record read, without its text unless keep_raw
    # Records go to the workers as they are read, and each range stays with the worker that
    # cleaned it: only each line's hash and number of words come here, for the template lines,
    # and the cleaned texts stay there for preparing (see dedupe.stages).
    with engine.stages(_read_into(records, found, keep_raw, progress), chunk_size=CHUNK, weight=_size,
                       max_weight=CHUNK_CHARS) as stages:
        with progress.stage("clean") as clean_stage:
            keys = []
            first = stages.run(_clean_stage, (do_clean, keep_removed, keep_raw, PACK_FROM),
                               on_chunk=clean_stage.advance_range)
            for i, (features, update) in enumerate(first):
                keys.append(features)
                if update is not None:  # an HTML page, extracted by the worker
                    found[i] = update
            clean_stage.total = len(found)
        # A worker would wait while this process learns the template lines: it makes the signer
        # and the LSH parameters (for thresholds other than the defaults, datasketch's optimiser,
        # whose import loads scipy: most of a second this process is spared).
        signing = stages.call(partial(_signing, params)) if sign else None
        # The workers load wordfreq's list (a third of a second), which preparing needs, meanwhile.
        stages.warm(load_wordfreq)
        templates = None
        with progress.stage("templates", len(found)) as stage:
            if do_clean:
                templates = TemplateLines().fit_lines([features for features, r in zip(keys, found)
                                                       if not r.warning])
            del keys
            # The workers hold the line keys: they fingerprint each article text (for the exact
            # copies, which are prepared in full once, wherever they fall) and count the document
            # frequencies of the TF-IDF sample.
            usable = [i for i, r in enumerate(found) if not r.warning]
            sample = frozenset(evenly_spaced(usable, model.sample)) if model is not None else frozenset()
            articles = stages.run(_article_stage, (templates, sample))
            if model is not None:
                model.fit_counts(_document_frequencies(counts for _, counts in articles), len(sample))
            heads = _heads(fingerprint for fingerprint, _ in articles)
            del articles
            stage.advance(len(found))
        signer = None
        if signing is not None:
            signer, known = signing()
            remember_lsh_params(known)
        preparer = _Preparer(params, templates, do_clean, signer, model, keep_removed, keep_text)
        with progress.stage("prepare", len(found)) as stage:
            documents = stages.run(preparer, heads, on_chunk=stage.advance_range)
    for d, r in zip(documents, found):
        d.record = r
    for i, head in enumerate(heads):
        if head != i:
            share_hashes(documents[i], documents[head])
    return documents


# What the workers keep of a range between stages: its records (pages extracted), their
# rule-cleaned texts (None without cleaning) and the normalized key of each non-empty line (None
# once they are not needed), or all three packed ...
_Kept = tuple[list[Record], list[Cleaned] | None, list[list[str]] | None]
# ... and after the second stage, with them the fingerprint of each record's article text.
_Articles = tuple["_Kept | _Packed", list[str | None]]


@dataclass(frozen=True)
class _Packed:
    """A range's kept state, pickled and compressed (zlib, fastest level): about a fifth of the
    memory of its strings (10k feed: 2.0 KB per record instead of 10.3 KB of cleaned text and
    line keys), for about 60 microseconds per record to pack and 26 each time it is unpacked."""

    blob: bytes

    @classmethod
    def of(cls, kept: _Kept) -> _Packed:
        return cls(zlib.compress(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL), 1))

    def unpack(self) -> _Kept:
        found: _Kept = pickle.loads(zlib.decompress(self.blob))
        return found


def _unpacked(kept: _Kept | _Packed) -> _Kept:
    return kept.unpack() if isinstance(kept, _Packed) else kept


def _read_into(records: Iterable[Record], found: list[Record], keep_raw: bool,
               progress: Progress) -> Iterator[Record]:
    """The records, each also appended to ``found`` (without its text unless ``keep_raw``), as the
    ``read`` stage."""
    with progress.stage("read") as stage:
        for record in records:
            found.append(record if keep_raw else replace(record, text="", page=None))
            stage.advance()
            yield record


def _heads(fingerprints: Iterable[str | None]) -> list[int]:
    """For each record, the first record with the same article text (fingerprint), or itself
    (a record without one: itself)."""
    first: dict[str, int] = {}
    return [first.setdefault(fingerprint, i) if fingerprint is not None else i
            for i, fingerprint in enumerate(fingerprints)]


def _document_frequencies(counts: Iterable[Counter[str] | None]) -> Counter[str]:
    """The sum of the ranges' document frequencies."""
    total: Counter[str] = Counter()
    for found in counts:
        if found:
            total.update(found)
    return total


def _article_stage(kept: _Kept | _Packed, settings: tuple[TemplateLines | None, frozenset[int]], start: int,
                   stop: int) -> tuple[_Articles, list[tuple[str | None, Counter[str] | None]]]:
    """The second stage (see :mod:`dedupe.stages`): for each record of a range, the fingerprint of its
    article text (the non-empty line keys of its rule-cleaned text that are not template lines, as
    :func:`dedupe.document.prepare` fingerprints them; None for a record with a warning or no such
    line); with the range's first record, the document frequencies of the tokens of the sampled
    records among the range (``settings``: the template lines and the sampled record indices).
    The range keeps the fingerprints too (and no longer needs the line keys), for preparing."""
    templates, sample = settings
    records, cleaned, keys = _unpacked(kept)
    assert keys is not None
    found: list[tuple[str | None, Counter[str] | None]] = []
    counts: Counter[str] = Counter()
    for i, (record, line_keys) in enumerate(zip(records, keys), start):
        article = " ".join([] if record.warning else _article_keys(line_keys, templates))
        if i in sample:
            counts.update(set(article.split()))  # the keys are tokens joined by spaces
        found.append((fingerprint_of(article) if article else None, None))
    if found:
        found[0] = (found[0][0], counts)
    held = kept if isinstance(kept, _Packed) else (records, cleaned, None)
    return (held, [fingerprint for fingerprint, _ in found]), found


def _article_keys(line_keys: list[str], templates: TemplateLines | None) -> list[str]:
    """The non-empty line keys of a rule-cleaned text that are not template lines: the text that
    :func:`dedupe.document.prepare` fingerprints and tokenizes."""
    return [k for k in line_keys if k and not (templates is not None and templates.is_template(k))]


def _signing(params: Params) -> tuple[Signer, dict[tuple[float, int], tuple[int, int]]]:
    """The signer of a run and its LSH parameters (both from datasketch)."""
    signer = Signer(num_perm=params.num_perm, seed=params.seed)
    for threshold in (params.copy_lsh_threshold, params.word_lsh_threshold):
        lsh_params(threshold, params.num_perm)
    return signer, known_lsh_params()


def _clean_stage(records: list[Record], settings: tuple[bool, bool, bool, int], start: int,
                 stop: int) -> tuple[_Kept | _Packed, list[tuple[np.ndarray | None, Record | None]]]:
    """The first stage (see :mod:`dedupe.stages`): extract the HTML pages among a range of records,
    then rule-clean them, or without cleaning only normalize their lines (``settings``: clean,
    keep the removed lines, keep the raw text, and the first record whose range is kept packed).

    The records (without the raw text where a cleaned text has lines), the cleaned texts and their
    line keys stay, for the next stages (the TF-IDF sample, the exact copies, preparing). For each
    record, the caller gets the :func:`dedupe.templates.line_features` of its lines (for the template
    lines; None without cleaning) and, for a page, its record as extracted (with its text when kept).
    """
    do_clean, keep_removed, keep_raw, pack_from = settings

    def held(kept: _Kept) -> _Kept | _Packed:
        return _Packed.of(kept) if start >= pack_from else kept

    finished = [finish(r) for r in records]
    updates = [(f if keep_raw else replace(f, text="")) if r.page is not None else None
               for r, f in zip(records, finished)]
    if not do_clean:
        keys = [[normalize(line) for line in r.text.strip().splitlines() if line.strip()] for r in finished]
        return held((finished, None, keys)), [(None, update) for update in updates]
    cleaned = [clean(r.text, extracted=r.extracted) for r in finished]
    if not keep_removed:  # nor their line numbers, which only the removed lines use
        cleaned = [replace(c, removed=[], line_numbers=[]) for c in cleaned]
    keys = [c.keys for c in cleaned]
    # The raw text is not needed again once it has a cleaned text (half of what a range holds until
    # it is prepared): a record whose cleaned text is empty keeps it, for its warning.
    kept = [replace(r, text="") if c.keys else r for r, c in zip(finished, cleaned)]
    return held((kept, cleaned, keys)), [(line_features(k), update) for k, update in zip(keys, updates)]


@dataclass(frozen=True)
class _Preparer:
    """Prepares the records of a range (with their rule-cleaned texts)."""

    params: Params
    templates: TemplateLines | None
    do_clean: bool
    signer: Signer | None
    model: TfidfModel | None = None
    keep_removed: bool = True
    keep_text: bool = True
    # The token vocabulary, kept from range to range within one process (each worker has its own).
    _salience: list[Salience] = field(default_factory=list, compare=False, repr=False)
    _vectorizer: list[Vectorizer] = field(default_factory=list, compare=False, repr=False)

    def __call__(self, kept: _Articles, heads: Sequence[int],
                 start: int, stop: int) -> tuple[None, list[Document]]:
        """The stage function (see :mod:`dedupe.stages`): the range's documents, from its records
        and rule-cleaned texts (kept by the first stage) and, for each record, the first with the
        same cleaned text (a copy of an earlier one gets its hashes afterwards, see prepare_all)."""
        p = self.params
        held, fingerprints = kept
        records, cleaned, _ = _unpacked(held)
        if not self._salience:
            self._salience.append(Salience(TokenHasher(), p.salient_words))
            if self.model is not None:
                self._vectorizer.append(Vectorizer(self._salience[0].hasher, self.model))
        salience = self._salience[0]
        vectorizer = self._vectorizer[0] if self._vectorizer else None
        documents = [prepare(i, record, shingle_size=p.shingle_size, salience=salience,
                             cleaned=cleaned[i - start] if cleaned is not None else None,
                             templates=self.templates, do_clean=self.do_clean, vectorizer=vectorizer,
                             hashes=heads[i] == i, fingerprint=fingerprints[i - start])
                     for i, record in enumerate(records, start)]
        if self.signer is not None:
            heads_here = [d for d in documents if heads[d.index] == d.index]
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
            if not self.keep_text and self.model is not None:  # the vectors (a copy's: its head's) stand for it
                d.text_utf8 = b""
        return None, DocumentBatch(documents)


def _in_order(first: list[tuple[int, int]], then: np.ndarray, *, step: int = 1 << 16) -> Iterator[np.ndarray]:
    """The pairs ``first``, then the rows of the array ``then``, in blocks of at least ``step``
    pairs and at most 33 blocks (:func:`dedupe.cluster.cluster` sifts each block at once)."""
    yield np.array(first, dtype=np.int64).reshape(-1, 2)
    step = max(step, len(then) // 32)
    for start in range(0, len(then), step):
        yield then[start:start + step]


def priority_key(doc: Document) -> tuple[int, str, int]:
    """Representative rule: longest clean text, then earliest ``published``, then input order."""
    return (-doc.size, doc.record.published or "\uffff", doc.index)


def deduplicate(records: Iterable[Record], params: Params | None = None, *, do_clean: bool = True,
                jobs: int = 1, progress: Progress | None = None, engine: Engine | None = None,
                keep_removed: bool = True, keep_text: bool = True) -> Result:
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
        keep_text: Keep each document's cleaned text (``Document.text``; see
            :func:`prepare_all`): the clusters and evidence do not depend on it.

    Returns:
        Result: clusters, per-document evidence and the verified pairs. Its
        documents hold the cleaned text (``Document.text``, with ``keep_text``); their records are
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
                                engine=engine, keep_raw=False, keep_removed=keep_removed, keep_text=keep_text)
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
        found = []
        lsh_bytes = 0
        matrices = [np.zeros((n, params.num_perm), dtype=np.uint32) for _ in range(2)]  # each channel's, by document
        for i in heads.tolist():
            matrices[0][i], matrices[1][i] = documents[i].signatures
        for d in documents:
            d.signatures = None  # only LSH needs them, and it has them here
        # Strongest first: copies (shingle estimate) before rewrites (salient-word estimate);
        # ``positions`` rank pairs well enough. Each channel keeps only those once banded.
        positions = 32
        compared = []
        for threshold in (params.copy_lsh_threshold, params.word_lsh_threshold):
            signatures = matrices.pop(0)  # this channel's: freed once banded (1M feed: 512 MB)
            bands, band_rows = lsh_params(threshold, params.num_perm)
            # The index band_pairs builds: a 64-bit key and a member per band of each signature.
            lsh_bytes += signatures.nbytes + len(heads) * bands * 16
            found.append(engine.band_pairs(signatures, heads, bands=bands, band_rows=band_rows,
                                           max_bucket=params.max_bucket))
            compared.append(np.ascontiguousarray(signatures[:, :positions]))
        del signatures
        candidates = unique_pairs(found)  # and found is empty
        ordered = strongest_first(compared[0], compared[1], candidates, positions=positions)
        stats["candidate_pairs"] = len(candidates)
        del found, compared, candidates  # the signatures, pairs in other orders
        stage.advance(len(heads))
    stats["lsh_index_bytes"] = lsh_bytes

    with progress.stage("cluster", len(ordered)) as stage:
        verifier = Verifier(documents, params, model=model)
        exact_pairs = [(group[0], k) for group in by_print.values() for k in group[1:]]
        priority = [priority_key(d) for d in documents]
        verifier.verify_many(planned_pairs(n, _in_order(exact_pairs, ordered), priority, trusted=verifier.is_copy),
                             engine=engine)
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
