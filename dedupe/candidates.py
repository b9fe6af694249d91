"""Candidates stage: MinHash signatures in, candidate document pairs out.

Locality-sensitive hashing by banding, with the band count ``b`` and rows per
band ``r`` chosen by datasketch's own optimiser for a Jaccard threshold (the
parameters a ``datasketch.MinHashLSH`` would use). The banding itself is
vectorised: every band of every signature is reduced to a 64-bit key, keys
are sorted, and documents sharing a key become pairs.

A bucket larger than ``max_bucket`` (hundreds of copies of one wire story)
does not produce all its pairs: each member is paired with its next
``max_bucket`` neighbours in the bucket, which keeps the work linear and
still connects the bucket.
"""

from __future__ import annotations

import numpy as np
from datasketch.lsh import _optimal_param

_MIX = np.random.RandomState(20240107).randint(1, 2**62, size=4096, dtype=np.int64).astype(np.uint64) | np.uint64(1)


def lsh_params(jaccard_threshold: float, num_perm: int) -> tuple[int, int]:
    """Return ``(bands, rows)`` for an LSH at ``jaccard_threshold``.

    datasketch's optimiser, with a missed pair weighted 9 times a false
    candidate: a false candidate costs one verification, a missed one costs
    a story. At 0.3 with 128 permutations that gives 32 bands of 2 rows:
    a pair of Jaccard 0.5 (a copy truncated to half) becomes a candidate with
    probability 0.9999, one of 0.1 with 0.27.
    """
    return _optimal_param(jaccard_threshold, num_perm, 0.1, 0.9)


def band_pairs(signatures: np.ndarray, rows: np.ndarray, *, bands: int, band_rows: int,
               max_bucket: int = 64) -> np.ndarray:
    """Return the candidate pairs ``(i, j)``, ``i < j``, of the given signature rows.

    Args:
        signatures: ``(n, num_perm)`` uint32 signatures.
        rows: Indices of the rows to index (documents with text).
        bands: Number of bands.
        band_rows: Rows (hash values) per band.
        max_bucket: Largest bucket expanded to all its pairs.

    Returns:
        An ``(m, 2)`` int64 array of distinct pairs of document indices.
    """
    if len(rows) < 2:
        return np.empty((0, 2), dtype=np.int64)
    sig = signatures[rows].astype(np.uint64)
    found = []
    for band in range(bands):
        cols = slice(band * band_rows, (band + 1) * band_rows)
        with np.errstate(over="ignore"):
            keys = (sig[:, cols] * _MIX[: band_rows][None, :]).sum(axis=1, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(keys)])
        for start, size in zip(starts[sizes > 1], sizes[sizes > 1]):
            members = np.sort(rows[order[start : start + size]])
            found.append(_bucket_pairs(members, max_bucket))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found)
    return np.unique(pairs, axis=0)


def _bucket_pairs(members: np.ndarray, max_bucket: int) -> np.ndarray:
    n = len(members)
    width = min(n - 1, max_bucket)
    i, off = np.meshgrid(np.arange(n), np.arange(1, width + 1), indexing="ij")
    keep = (i + off) < n
    return np.stack([members[i[keep]], members[(i + off)[keep]]], axis=1).astype(np.int64)
