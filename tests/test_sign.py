"""Sign stage: shingle hashes and MinHash signatures, checked against datasketch's affine32 MinHash."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from datasketch import MinHash

from dedupe.arrays import common_count, distinct_merged
from dedupe.candidates import agreements, strongest_first
from dedupe.sign import Signer, TokenHasher, affine32_permutations, shingle_hash32, shingle_hashes

SHINGLE = 5
VOCABULARY = [f"w{k}" for k in range(3000)]
FIXED_TOKENS = ["kataeb", "hezbollah", "urged", "baghdad", "to", "expel", "foreign", "forces"]


def _shingles(tokens: list[str], n: int = SHINGLE) -> list[str]:
    return [" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))]


def _reference(tokens: list[str], hasher: TokenHasher, num_perm: int = 64, seed: int = 3) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed, scheme="affine32",
                hashfunc=lambda s: shingle_hash32(s.split(), hasher))
    for s in _shingles(tokens):
        m.update(s)
    return m.hashvalues


def _random_tokens(rng: np.random.RandomState, n: int) -> list[str]:
    return [VOCABULARY[k] for k in rng.randint(0, len(VOCABULARY), size=n)]


@pytest.mark.parametrize("tokens", [
    "pro iran groups in iraq demand withdrawal of us troops amid escalating tensions".split(),
    "a b c d e".split(),  # exactly one shingle
    "too short".split(),  # shorter than a shingle: the whole text is one
    "the the the the the the the the".split(),  # repeated shingles count once
    _random_tokens(np.random.RandomState(0), 300),
])
def test_signature_equals_datasketch_affine32(tokens: list[str]) -> None:
    hasher = TokenHasher()

    ours = Signer(num_perm=64, seed=3).sign([shingle_hashes(hasher(tokens), SHINGLE)])[0]

    assert ours.dtype == np.uint32
    np.testing.assert_array_equal(ours, _reference(tokens, hasher))


def test_shingle_hashes_are_the_distinct_shingle_hash32_values() -> None:
    hasher = TokenHasher()
    tokens = "one two three four five six one two three four five six seven".split()

    expected = sorted({shingle_hash32(s.split(), hasher) for s in _shingles(tokens)})

    assert shingle_hashes(hasher(tokens), SHINGLE).tolist() == expected


def _pair_with_overlap(rng: np.random.RandomState, jaccard: float, length: int = 600) -> tuple[list[str], list[str]]:
    # A shared block followed by a private block on each side: J ~ shared / (shared + 2 * private).
    shared = int(round(length * 2 * jaccard / (1 + jaccard)))
    private = length - shared
    common = _random_tokens(rng, shared)
    return common + _random_tokens(rng, private), common + _random_tokens(rng, private)


@pytest.mark.parametrize("target", [0.2, 0.5, 0.8])
def test_signature_agreement_estimates_jaccard(target: float) -> None:
    rng = np.random.RandomState(2024)
    hasher = TokenHasher()
    a, b = _pair_with_overlap(rng, target)
    sa, sb = shingle_hashes(hasher(a), SHINGLE), shingle_hashes(hasher(b), SHINGLE)
    exact = len(np.intersect1d(sa, sb)) / len(np.union1d(sa, sb))
    assert abs(exact - target) < 0.05  # the construction does what it says

    signatures = Signer(num_perm=256, seed=1).sign([sa, sb])
    estimate = float(np.mean(signatures[0] == signatures[1]))

    assert abs(estimate - exact) <= 0.08


def test_strongest_first_orders_by_estimated_jaccards_ties_in_order() -> None:
    rng = np.random.RandomState(11)
    hasher, signer = TokenHasher(), Signer(num_perm=128, seed=1)
    docs = [_pair_with_overlap(rng, target, length=200) for target in (0.9, 0.6, 0.3, 0.1)]
    shingles = [shingle_hashes(hasher(d), SHINGLE) for pair in docs for d in pair]
    words = [shingle_hashes(hasher(d), 1) for pair in docs for d in pair]
    sig_shingles, sig_words = signer.sign(shingles), signer.sign(words)
    pairs = np.array([(i, j) for i in range(len(shingles)) for j in range(i + 1, len(shingles))], dtype=np.int32)

    ordered = strongest_first(sig_shingles, sig_words, pairs, positions=32)

    def share(sig: np.ndarray, i: int, j: int) -> float:
        return float(np.mean(sig[i, :32] == sig[j, :32]))
    strength = [share(sig_shingles, i, j) + 0.5 * share(sig_words, i, j) for i, j in pairs]
    expected = sorted(range(len(pairs)), key=lambda k: -strength[k])  # stable: ties keep their order
    assert ordered.tolist() == pairs[expected].tolist()
    assert ordered[0].tolist() == [0, 1]  # the pair built with Jaccard 0.9
    assert agreements(sig_shingles, pairs[:1], positions=128)[0] == np.sum(sig_shingles[0] == sig_shingles[1])
    with pytest.raises(ValueError, match="at most 85"):
        strongest_first(sig_shingles, sig_words, pairs, positions=86)


def test_empty_shingle_set_gives_all_ones() -> None:
    hasher = TokenHasher()
    assert shingle_hashes(hasher([]), SHINGLE).size == 0

    signatures = Signer(num_perm=32, seed=1).sign([np.empty(0, dtype=np.uint32),
                                                   shingle_hashes(hasher(FIXED_TOKENS), SHINGLE)])

    assert (signatures[0] == 0xFFFFFFFF).all()
    assert not (signatures[1] == 0xFFFFFFFF).all()
    np.testing.assert_array_equal(signatures[0], MinHash(num_perm=32, seed=1, scheme="affine32").hashvalues)


def test_batch_gives_the_same_signatures_as_one_by_one() -> None:
    rng = np.random.RandomState(5)
    hasher = TokenHasher()
    sets = [shingle_hashes(hasher(_random_tokens(rng, n)), SHINGLE) for n in (40, 0, 7, 120, 3, 60)]
    signer = Signer(num_perm=64, seed=9)
    one_by_one = np.vstack([signer.sign([s]) for s in sets])

    np.testing.assert_array_equal(signer.sign(sets), one_by_one)
    assert (one_by_one[1] == 0xFFFFFFFF).all()  # the empty set


def test_hashes_are_the_same_in_another_process() -> None:
    code = ("import json; from dedupe.sign import TokenHasher, shingle_hash32, shingle_hashes; "
            f"toks = {FIXED_TOKENS!r}; "
            "print(json.dumps([shingle_hash32(toks), shingle_hashes(TokenHasher()(toks), 5).tolist()]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # a different salt for Python's own hash()

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)

    there_one, there_all = json.loads(done.stdout)
    assert there_one == shingle_hash32(FIXED_TOKENS)
    assert there_all == shingle_hashes(TokenHasher()(FIXED_TOKENS), SHINGLE).tolist()


def test_common_count_is_the_size_of_the_intersection() -> None:
    rng = np.random.default_rng(3)
    for size_a, size_b, values in [(0, 5, 10), (5, 0, 10), (1, 1, 2), (40, 300, 200), (700, 650, 2**32 - 1)]:
        a = np.unique(rng.integers(0, values, size_a, dtype=np.uint64).astype(np.uint32))
        b = np.unique(rng.integers(0, values, size_b, dtype=np.uint64).astype(np.uint32))
        assert common_count(a, b) == common_count(b, a) == len(np.intersect1d(a, b))
    top = np.array([2**32 - 1], dtype=np.uint32)  # the largest value, past every other
    assert common_count(top, np.array([1, 2], dtype=np.uint32)) == 0
    assert common_count(top, np.array([1, 2**32 - 1], dtype=np.uint32)) == 1


def test_distinct_merged_is_the_distinct_values_of_all_parts() -> None:
    rng = np.random.default_rng(4)
    for runs, size, values in [(1, 0, 5), (1, 1, 5), (2, 1000, 300), (16, 5000, 2**40), (3, 10, 2**63 - 1)]:
        parts = [np.unique(rng.integers(0, values, size, dtype=np.int64)) for _ in range(runs)]
        expected = np.unique(np.concatenate(parts))
        given = list(parts)
        assert distinct_merged(given).tolist() == expected.tolist()
        assert given == []  # emptied: each part is freed once copied
    unsorted = [rng.integers(0, 50, 200), rng.integers(0, 50, 100)]
    assert distinct_merged(list(unsorted)).tolist() == np.unique(np.concatenate(unsorted)).tolist()


@pytest.mark.parametrize("num_perm, seed", [(128, 1), (64, 3), (16, 0), (1024, 2**31 - 1)])
def test_permutations_are_datasketch_affine32s(num_perm: int, seed: int) -> None:
    a, b = affine32_permutations(num_perm, seed)

    expected_a, expected_b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations

    assert a.dtype == b.dtype == np.uint32
    np.testing.assert_array_equal(a, expected_a)
    np.testing.assert_array_equal(b, expected_b)


def test_lsh_params_known_in_advance_are_datasketch_optimisers() -> None:
    from datasketch.lsh import _optimal_param

    from dedupe.candidates import _LSH_PARAMS

    assert _LSH_PARAMS, "no parameters known in advance"
    for (threshold, num_perm), found in _LSH_PARAMS.items():
        assert found == _optimal_param(threshold, num_perm, 0.1, 0.9), (threshold, num_perm)


def test_clustering_with_default_parameters_never_imports_datasketch() -> None:
    # datasketch's import loads scipy, about a second of CPU in each process that would import it.
    # One job: every stage runs in this one process.
    script = ("import sys\nfrom dedupe.pipeline import deduplicate\nfrom dedupe.read import read_inputs\n"
              "result = deduplicate(list(read_inputs(['seeds'])), jobs=1)\n"
              "print(max(len(c.members) for c in result.clusters))\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('datasketch', 'scipy')))")
    done = subprocess.run([sys.executable, "-c", script], cwd=os.path.dirname(os.path.dirname(__file__)),
                          capture_output=True, text=True, check=True)

    assert done.stdout.split("\n")[:2] == ["2", "[]"]
