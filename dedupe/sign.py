"""Sign stage: token lists in, shingle hashes and MinHash signatures out.

Shingles are word n-grams hashed to 32 bits without Python's salted
``hash()``: each distinct token is hashed once with BLAKE2b, and an n-gram's
hash combines its tokens' hashes, so the values are the same in every
process and on every machine.

Signatures follow datasketch's ``affine32`` permutation scheme exactly (the
default since datasketch 2.0, recorded in :class:`Signer`'s ``scheme``), with
the permutations a datasketch ``MinHash`` of the same seed draws; the
signing itself is vectorised over all shingles of a batch with NumPy. A
signature equals ``datasketch.MinHash(num_perm, seed, hashfunc=..., scheme=
"affine32")`` fed the same shingles (tested).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from .arrays import distinct

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)
_MULT = np.uint64(0x9E3779B97F4A7C15)
_FMIX = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def text_hash(text: str, *, signed: bool = False) -> int:
    """The 64-bit BLAKE2b hash of a token or line, the same in every process and on every machine
    (``signed``: as a signed 64-bit integer, what SQLite stores)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=signed)


class TokenHasher:
    """Hash tokens to 64 bits, each distinct token once (BLAKE2b, deterministic).

    It is also a vocabulary: :meth:`ids` numbers the distinct tokens in the
    order first seen (``tokens[id]``, ``hashes[id]``), so that later stages
    look up per-token values in arrays instead of dicts. Ids are local to one
    hasher; hashes are the same everywhere.
    """

    line_cache = 1 << 16  # normalized lines whose token ids are kept (copies of a story share their lines)

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.tokens: list[str] = []
        self._hashes = np.empty(1024, dtype=np.uint64)
        self._lines: dict[str, np.ndarray] = {}

    @property
    def hashes(self) -> np.ndarray:
        """The 64-bit hash of every token seen, by id."""
        return self._hashes[: len(self.tokens)]

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        """The ids of ``tokens`` (new tokens are numbered and hashed)."""
        known = self._ids
        try:
            return np.fromiter(map(known.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        except KeyError:
            pass
        values = list(map(known.get, tokens))
        if None in values:
            for i, value in enumerate(values):
                if value is None:
                    values[i] = known.get(tokens[i])
                    if values[i] is None:
                        values[i] = self._add(tokens[i])
        return np.array(values, dtype=np.int64)

    def line_ids(self, keys: Sequence[str]) -> np.ndarray:
        """The ids of the tokens of normalized lines (single-spaced tokens, as
        :func:`dedupe.normalize.normalize` makes them), in order: the same as
        ``ids(" ".join(keys).split())``, each distinct line split and looked up once.
        """
        cache = self._lines
        parts = []
        for key in keys:
            found = cache.get(key)
            if found is None:
                if len(cache) >= self.line_cache:
                    cache.clear()  # bounded: a stream of distinct lines must not fill the memory
                found = cache[key] = self.ids(key.split())
            parts.append(found)
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def _add(self, token: str) -> int:
        new = self._ids[token] = len(self.tokens)
        self.tokens.append(token)
        if new == len(self._hashes):
            self._hashes = np.concatenate([self._hashes, np.empty(len(self._hashes), dtype=np.uint64)])
        self._hashes[new] = text_hash(token)
        return new

    def __call__(self, tokens: Sequence[str]) -> np.ndarray:
        """The 64-bit hashes of ``tokens``."""
        return self._hashes[self.ids(tokens)]


def fold32(hashes: np.ndarray) -> np.ndarray:
    """Fold 64-bit hashes to 32 bits (high half XOR low half)."""
    return ((hashes >> np.uint64(32)) ^ hashes).astype(np.uint32)


def shingle_hashes(token_hashes: np.ndarray, shingle_size: int) -> np.ndarray:
    """Return the sorted distinct 32-bit hashes of the word n-grams of a document.

    A document shorter than ``shingle_size`` tokens has one shingle: all of it.

    Args:
        token_hashes: The 64-bit hashes of the document's tokens, in order.
        shingle_size: Words per shingle (n).
    """
    n = len(token_hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    k = min(shingle_size, n)
    with np.errstate(over="ignore"):
        h = token_hashes[: n - k + 1].copy()
        for i in range(1, k):
            h = h * _MULT + token_hashes[i : n - k + 1 + i]
    return distinct(fold32(h))


def shingle_hash32(tokens: Sequence[str], hasher: TokenHasher | None = None) -> int:
    """The 32-bit hash of one shingle, as :func:`shingle_hashes` computes it.

    This is the ``hashfunc`` to give ``datasketch.MinHash`` for signatures
    identical to :meth:`Signer.sign`.
    """
    values = (hasher or TokenHasher())(tokens)
    return int(shingle_hashes(values, len(tokens))[0])


def _fmix32(h: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2 = _FMIX
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s1)


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of ``datasketch.MinHash(num_perm, seed=seed, scheme="affine32").permutations``:
    odd multipliers and offsets drawn from NumPy's ``RandomState(seed)`` as datasketch 2 draws them
    (a test checks they are equal). Made here because importing datasketch loads scipy, about a
    second of CPU in every process that signs."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class Signer:
    """MinHash signatures for many documents at once.

    Args:
        num_perm: Permutations (signature length); more is more accurate and slower.
        seed: Seed of the permutations; signatures of different seeds never compare.
    """

    scheme = SCHEME

    def __init__(self, *, num_perm: int = 128, seed: int = 1) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self._a, self._b = affine32_permutations(num_perm, seed)

    def sign(self, shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
        """Return a ``(len(shingle_sets), num_perm)`` uint32 array of signatures.

        An empty shingle set gets a signature of all ``0xFFFFFFFF`` (datasketch's
        empty MinHash); callers keep such documents out of LSH.
        """
        out = np.full((len(shingle_sets), self.num_perm), EMPTY, dtype=np.uint32)
        sizes = [len(x) for x in shingle_sets]
        if not any(sizes):
            return out
        values = _fmix32(np.concatenate(shingle_sets))
        ends = np.cumsum(sizes).tolist()
        a, b = self._a, self._b
        # One document at a time: its (shingles x permutations) block stays in
        # cache, which is several times faster than one reduceat over a batch;
        # computed in place in one buffer, a quarter faster than new arrays.
        buffer = np.empty(max(sizes) * self.num_perm, dtype=np.uint32)
        with np.errstate(over="ignore"):
            for row, (end, size) in enumerate(zip(ends, sizes)):
                if size:
                    block = buffer[: size * self.num_perm].reshape(size, self.num_perm)
                    np.multiply(values[end - size:end, None], a, out=block)
                    np.add(block, b, out=block)
                    np.minimum.reduce(block, axis=0, out=out[row])
        return out
