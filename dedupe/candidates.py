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

from .arrays import distinct, distinct_merged

_MIX = np.random.RandomState(20240107).randint(1, 2**62, size=4096, dtype=np.int64).astype(np.uint64) | np.uint64(1)


def lsh_params(jaccard_threshold: float, num_perm: int) -> tuple[int, int]:
    """Return ``(bands, rows)`` for an LSH at ``jaccard_threshold``.

    datasketch's optimiser, with a missed pair weighted 9 times a false
    candidate: a false candidate costs one verification, a missed one costs
    a story. At 0.3 with 128 permutations that gives 32 bands of 2 rows:
    a pair of Jaccard 0.5 (a copy truncated to half) becomes a candidate with
    probability 0.9999, one of 0.1 with 0.27.
    """
    key = (jaccard_threshold, num_perm)
    if key not in _LSH_PARAMS:
        from datasketch.lsh import _optimal_param  # here, not at import: it loads scipy (0.6 s)

        _LSH_PARAMS[key] = _optimal_param(jaccard_threshold, num_perm, 0.1, 0.9)
    return _LSH_PARAMS[key]


def known_lsh_params() -> dict[tuple[float, int], tuple[int, int]]:
    """Every ``(threshold, num_perm)``'s :func:`lsh_params` found so far in this process (a worker's, to
    give this one with :func:`remember_lsh_params`, so that it need not load datasketch itself)."""
    return dict(_LSH_PARAMS)


def remember_lsh_params(found: dict[tuple[float, int], tuple[int, int]]) -> None:
    """Take :func:`lsh_params` found elsewhere (:func:`known_lsh_params`)."""
    _LSH_PARAMS.update(found)


# datasketch's answers for the default thresholds (dedupe.params), so that a run with the defaults never
# imports datasketch, whose import loads scipy (about a second per process); a test checks them against it.
_LSH_PARAMS: dict[tuple[float, int], tuple[int, int]] = {(0.3, 128): (32, 2), (0.2, 128): (64, 2)}


def band_keys(signatures: np.ndarray, *, bands: int, band_rows: int, salt: int = 0) -> np.ndarray:
    """The 64-bit key of every band of every signature: an ``(n, bands)`` uint64 array.

    Two signatures share a key (almost surely) only when they agree on the
    whole band; ``salt`` keeps the keys of different signature channels apart.
    """
    sig = np.asarray(signatures, dtype=np.uint32).reshape(-1, signatures.shape[-1])[:, :bands * band_rows]
    with np.errstate(over="ignore"):
        mixed = (sig.reshape(len(sig), bands, band_rows).astype(np.uint64) * _MIX[:band_rows]).sum(
            axis=2, dtype=np.uint64)
        return mixed ^ (np.arange(bands, dtype=np.uint64) + np.uint64(salt << 16)) * np.uint64(0x9E3779B97F4A7C15)


def band_pairs(signatures: np.ndarray, rows: np.ndarray, *, bands: int, band_rows: int,
               max_bucket: int = 64) -> np.ndarray:
    """Return the candidate pairs ``(i, j)``, ``i < j``, of the given signature rows.

    Args:
        signatures: ``(n, num_perm)`` uint32 signatures.
        rows: Indices of the rows to index (documents with text).
        bands: Number of bands.
        band_rows: Rows (hash values) per band.
        max_bucket: Each member of a bucket is paired with at most this many
            following members, in index order (all pairs for buckets up to
            ``max_bucket + 1``).

    Returns:
        An ``(m, 2)`` int32 array of distinct pairs of document indices (see :func:`pairs_of`).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) < 2:
        return np.empty((0, 2), dtype=np.int32)
    keys, members = keyed_bands(signatures[rows], rows, bands=bands, band_rows=band_rows)
    return pairs_of(bucket_pair_keys(keys, members, max_bucket=max_bucket))


def keyed_bands(signatures: np.ndarray, rows: np.ndarray, *, bands: int, band_rows: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Every band of every signature as ``(key, document index)``: two flat arrays.

    ``signatures`` holds the signatures of the documents ``rows``, in that order.
    """
    keys = band_keys(signatures, bands=bands, band_rows=band_rows).T.ravel()
    return keys, np.tile(np.asarray(rows, dtype=np.int64), bands)


def bucket_pair_keys(keys: np.ndarray, members: np.ndarray, *, max_bucket: int) -> np.ndarray:
    """The distinct candidate pairs, as 64-bit pair keys, of bands given as ``(key, document index)``.

    Documents whose band keys are equal share a bucket; each is paired with its
    next ``max_bucket`` members of the bucket in index order. Any subset of
    buckets can be paired on its own (the Dask engine pairs each shuffled
    group of keys in its own task): the union of the subsets' pairs is the
    whole input's.
    """
    order = np.lexsort((members, keys))
    keys, members = keys[order], members[order]
    del order
    found = []
    same = np.arange(len(keys) - 1)  # the positions whose key the one ``offset`` further on may share
    for offset in range(1, max_bucket + 1):
        # Sorted keys: a member that shares no bucket with the one ``offset`` on shares none further on.
        same = same[same + offset < len(keys)]
        same = same[keys[same + offset] == keys[same]]
        if not len(same):
            break
        # One pair usually shares several bands: each offset's pairs are made distinct at once,
        # as 64-bit keys, so that the pairs of every band never all sit in memory together. A bucket's
        # members are in increasing order, so the first of a pair is the smaller.
        found.append(distinct(members[same] << 32 | members[same + offset]))
    return distinct_merged(found) if found else np.empty(0, dtype=np.int64)


def pairs_of(keys: np.ndarray, dtype: type = np.int32) -> np.ndarray:
    """The ``(m, 2)`` pairs of sorted 64-bit pair keys, as ``dtype`` (filled in place: no int64 copy first).
    The default, int32, is half the memory of int64 (a million documents have a hundred million candidate
    pairs); a pair index that does not fit in it is an error."""
    second = keys & 0xFFFFFFFF
    # (the first index of a pair, in the key's high half, is below 2**31 in a signed 64-bit key)
    if np.dtype(dtype) == np.int32 and len(keys) and int(second.max()) >= 1 << 31:
        raise ValueError("pairs_of: a pair index does not fit in 31 bits")
    pairs = np.empty((len(keys), 2), dtype=dtype)
    pairs[:, 0] = keys >> 32
    pairs[:, 1] = second
    return pairs


def unique_pairs(found: list[np.ndarray]) -> np.ndarray:
    """The distinct rows of several ``(m, 2)`` arrays of pairs of non-negative ints below 2**31,
    sorted, as int32: half the memory of int64 (a million documents have tens of millions of
    candidate pairs). Empties ``found`` as it goes, so that each array is freed once keyed.

    Example:
        >>> unique_pairs([np.array([[1, 2], [0, 5]]), np.array([[1, 2]])]).tolist()
        [[0, 5], [1, 2]]
    """
    keys = []
    while found:
        pairs = found.pop(0)
        keys.append(pairs[:, 0].astype(np.int64) << 32 | pairs[:, 1].astype(np.int64))
        del pairs
    distinct_keys = distinct_merged(keys) if keys else np.empty(0, dtype=np.int64)  # and keys is empty
    del keys
    return pairs_of(distinct_keys)


def agreements(signatures: np.ndarray, pairs: np.ndarray, *, positions: int = 32) -> np.ndarray:
    """For each pair, on how many of the first ``positions`` signature positions (at most 255) its two
    signatures agree, as uint8: ``positions`` times the MinHash estimate of its Jaccard."""
    if not 0 < positions <= 255:
        raise ValueError(f"agreements: positions must be from 1 to 255 (got {positions})")
    sig = np.ascontiguousarray(signatures[:, :positions])  # rows of the positions compared: fewer cache lines
    out = np.empty(len(pairs), dtype=np.uint8)
    step = 1 << 16
    for start in range(0, len(pairs), step):
        part = pairs[start:start + step]
        out[start:start + step] = np.count_nonzero(sig[part[:, 0]] == sig[part[:, 1]], axis=1)
    return out


def strongest_first(shingle_signatures: np.ndarray, word_signatures: np.ndarray, pairs: np.ndarray, *,
                    positions: int = 32) -> np.ndarray:
    """The pairs, strongest first: by the shingle estimate of their Jaccard plus half the salient-word
    one (on the first ``positions`` positions), ties in the order given.

    The strength is counted in whole agreements (twice the shingle ones plus the word ones), so the
    order is a stable sort of small integers: linear in the number of pairs.
    """
    if 3 * positions > 255:
        raise ValueError(f"strongest_first: positions must be at most 85 (got {positions})")
    strength = 2 * agreements(shingle_signatures, pairs, positions=positions)
    strength += agreements(word_signatures, pairs, positions=positions)
    np.subtract(3 * positions, strength, out=strength)  # weakest last; a stable sort keeps ties in order
    return pairs[np.argsort(strength, kind="stable")]
