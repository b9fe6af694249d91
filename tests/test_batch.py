"""Documents pickled as a batch come back equal, as a plain list, with their shared arrays still shared."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from feed_builders import seed_feed
from dedupe.batch import DocumentBatch
from dedupe.document import Document
from dedupe.params import Params
from dedupe.pipeline import prepare_all
from dedupe.read import read_inputs
from dedupe.tfidf import TfidfModel


def _prepared(tmp_path: Path) -> list[Document]:
    records = list(read_inputs([str(seed_feed(tmp_path / "feed.jsonl", copies=6))]))
    return prepare_all(records, Params(), jobs=1, model=TfidfModel())


def _arrays(doc: Document) -> list[np.ndarray]:
    terms = doc.terms
    vectors = [] if terms is None else [terms.vocab, terms.starts, terms.cols, terms.weights, terms.document]
    return [doc.shingles, doc.words, *([] if doc.signatures is None else [doc.signatures]), *vectors]


def test_a_batch_comes_back_equal_as_a_list(tmp_path: Path) -> None:
    documents = _prepared(tmp_path)
    back = pickle.loads(pickle.dumps(DocumentBatch(documents), protocol=pickle.HIGHEST_PROTOCOL))

    assert type(back) is list and len(back) == len(documents)
    for before, after in zip(documents, back):
        assert type(after) is Document
        arrays_before, arrays_after = _arrays(before), _arrays(after)
        assert len(arrays_before) == len(arrays_after) > 2
        for a, b in zip(arrays_before, arrays_after):
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
        for name in ("index", "fingerprint", "size", "warning", "weights", "removed", "text_utf8", "record"):
            assert getattr(after, name) == getattr(before, name), name
        assert after.text == before.text


def test_shared_arrays_and_vectors_stay_shared(tmp_path: Path) -> None:
    documents = _prepared(tmp_path)
    head, other = documents[0], documents[1]
    other.shingles, other.terms = head.shingles, head.terms  # as share_hashes leaves a copy

    back = pickle.loads(pickle.dumps(DocumentBatch([head, other])))

    assert back[1].shingles is back[0].shingles and back[1].terms is back[0].terms
    assert back[1].words is not back[0].words
    # Views into one array per kind: the batch's uint32 hashes, one after another.
    assert back[0].shingles.base is back[0].words.base is not None


def test_an_empty_batch() -> None:
    assert pickle.loads(pickle.dumps(DocumentBatch())) == []
