"""Normalize stage: cleaned text in, paragraphs and tokens out.

Normalization is Unicode NFKC, case folding, punctuation dropped and
whitespace collapsed; tokens are ``\\w+`` runs of the normalized text. Every
later stage (fingerprint, shingles, TF-IDF, alignment) reuses the tokens made
here, so text is tokenized once per document.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"\w+")
_ENDS = ".!?:;\"”’')]…"  # a line whose last character but whitespace is one of these ends a sentence


def normalize(text: str) -> str:
    """Return ``text`` NFKC-normalized, case-folded, without punctuation, single-spaced.

    Example:
        >>> normalize("The  U.S.\u00a0Army’s 2,500 troops!")
        'the u s army s 2 500 troops'
    """
    return " ".join(tokens(text))


def tokens(text: str) -> list[str]:
    """Return the word tokens of ``text`` after NFKC and case folding.

    Example:
        >>> tokens("Kataeb Hezbollah’s “warning”")
        ['kataeb', 'hezbollah', 's', 'warning']
    """
    if not text.isascii():
        for mark in _SEPARATORS:  # typographic quotes and dashes: most of the non-ASCII of English text
            if mark in text:
                text = text.replace(mark, " ")
        if not text.isascii():
            return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    # NFKC leaves ASCII alone, casefold is lower, and \w is [A-Za-z0-9_]: the same tokens, one byte
    # translation faster than a str one
    return text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split()


# For ASCII text: word characters to lower case, every other byte to a space.
_ASCII_WORDS = bytes(ord(ch.lower()) if ch.isascii() and (ch.isalnum() or ch == "_") else 32
                     for ch in map(chr, range(256)))


def _separator(ch: str) -> bool:
    """True for a punctuation or space character that NFKC and case folding leave without a word
    character and that combines with no neighbour: a space in its place gives the same tokens."""
    return (unicodedata.category(ch)[0] in "PZ" and not unicodedata.combining(ch)
            and not _WORD.search(unicodedata.normalize("NFKC", ch).casefold()))


# Typographic quotes, dashes, ellipses and spaces: most of the non-ASCII characters of English text.
_SEPARATORS = tuple(filter(_separator, "’‘“”—–…\u00a0«»„‚‹›•·′″\u2009\u200a\u202f\u2002\u2003"))


@lru_cache(maxsize=1 << 13)
def paragraph_tokens(paragraph: str) -> tuple[str, ...]:
    """Tokens of one paragraph, cached: copies of a story share their paragraphs."""
    return tuple(tokens(paragraph))


def paragraph_spans(lines: list[str]) -> list[list[int]]:
    """Group stripped lines into paragraphs, each as the indices of its lines.

    A paragraph is a non-empty line, except that hard-wrapped lines (a line
    that does not end a sentence, followed by one that starts in lower case)
    are joined back together.

    Example:
        >>> paragraph_spans(["Title", "", "One line that was", "wrapped here.", "Next one."])
        [[0], [2, 3], [4]]
    """
    spans: list[list[int]] = []
    joinable = False
    for k, line in enumerate(lines):
        if not line:
            joinable = False
            continue
        if joinable and line[0].islower():
            spans[-1].append(k)
        else:
            spans.append([k])
        end = line.rstrip()[-1:]
        joinable = end == "" or end not in _ENDS
    return spans
