"""TF-IDF terms: scikit-learn's stop words (without paying its import on every run) and wordfreq's background."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from wordfreq import word_frequency

from dedupe.normalize import tokens
from dedupe.tfidf import STOP_WORDS, TfidfModel, english_frequency


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
