"""TF-IDF terms: scikit-learn's stop words, without paying scikit-learn's import on every run."""

from __future__ import annotations

import subprocess
import sys

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from dedupe.tfidf import STOP_WORDS, TfidfModel


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
