"""TF-IDF terms: scikit-learn's stop words (without paying its import on every run) and wordfreq's background."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from wordfreq import word_frequency

from dedupe.normalize import tokens
from dedupe.params import Params
from dedupe.pipeline import prepare_all
from dedupe.read import read_inputs
from dedupe.tfidf import STOP_WORDS, Terms, TfidfModel, common_terms, english_frequency
from dedupe.verify import Verifier
from feed_builders import seed_feed


def test_stop_words_are_scikit_learns() -> None:
    assert STOP_WORDS == frozenset(ENGLISH_STOP_WORDS)


def test_the_command_does_not_import_scikit_learn() -> None:
    code = "import sys, dedupe.cli; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_idf_of_stop_words_and_rare_words() -> None:
    model = TfidfModel().fit([["kataeb", "hezbollah", "the"], ["iraq", "the"]])
    assert model.idf("the") == 0.0  # not a term
    assert model.idf("kataeb") > model.idf("iraq") > 0


def test_english_frequency_is_wordfreqs() -> None:
    words = {t for p in (Path(__file__).resolve().parents[1] / "seeds").glob("*.txt") for t in tokens(p.read_text())}
    words |= {"2024", "covid", "19", "café", "straße", "１２", "zzqxv", "x2", "ı"}
    assert len(words) > 500
    assert {w: english_frequency(w) for w in words} == {w: word_frequency(w, "en") for w in words}


def test_vectors_made_while_preparing_equal_the_verifiers_own(tmp_path: Path) -> None:
    records = list(read_inputs([str(seed_feed(tmp_path / "feed.jsonl", copies=3))]))
    model = TfidfModel()
    prepared = prepare_all(records, Params(), sign=False, model=model)
    assert all(d.terms is not None and d.weights for d in prepared)
    bare = [replace(d, terms=None, weights=None) for d in prepared]
    verifier = Verifier(bare, Params(), model=model)
    for d in prepared:
        theirs = verifier.terms(d.index)
        assert d.weights == verifier._weights(d.index)
        for name in ("vocab", "rows", "cols", "weights", "document"):
            assert np.array_equal(getattr(d.terms, name), getattr(theirs, name)), name


def test_common_terms_are_the_intersection_of_the_vocabularies() -> None:
    rng = np.random.default_rng(5)
    pool = rng.integers(0, 2**63, 3000, dtype=np.int64).astype(np.uint64)
    for size_a, size_b in [(300, 400), (1, 50), (50, 1), (0, 10), (10, 0), (2000, 2000)]:
        a = _terms_over(np.sort(rng.choice(pool, size_a, replace=False)))
        b = _terms_over(np.sort(rng.choice(pool, size_b, replace=False)))
        _, ia, ib = np.intersect1d(a.vocab, b.vocab, assume_unique=True, return_indices=True)
        found = common_terms(a, b)
        assert found[0].tolist() == ia.tolist() and found[1].tolist() == ib.tolist()


def _terms_over(vocab: np.ndarray) -> Terms:
    return Terms(vocab, np.zeros(1, dtype=np.int32), np.empty(0, dtype=np.uint16), np.empty(0), np.ones(len(vocab)))
