"""Variants of one story cluster with their original; hard negatives stay apart.

Every test builds its input here and runs :func:`dedupe.deduplicate` on it:

- the seeds: 001 and 002 are one story, 000, 003 and 004 each alone;
- variants of the seeds and of ground-truth articles (exact copy, copy in
  another outlet's boilerplate, truncation, new headline, reordered
  paragraphs, light edit) join their original and no distractor;
- the hand-written rewrites of ``rewrites-dev`` join their original, the
  independent reports stay alone;
- hard negatives stay apart: three reports of one tour, an article quoting
  one paragraph of another, different stories in one outlet's template, and
  a round-up that contains two articles (a bridge).

The ground-truth articles and rewrites are read from ``../shared/data/`` at
run time (never copied into the project); tests that need them skip without it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import pytest

from benchmarks import feedgen
from benchmarks.feedgen import Story, variant
from dedupe import Record, Result, deduplicate

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED_PREFIXES = ("000", "001", "002", "003", "004")
SEED_STORY_MATES = {"001": {"002"}, "002": {"001"}}

KINDS = ("exact", "boilerplate", "truncation", "reheadline", "reorder", "edit")
N_PICKS = 15
DOOBIE = ("35b158918c67", "9cb8224b660f", "ac1bfdd4c510")
# Share of running words that are these English function words: about 0.25 in
# English prose, near 0 in the benchmark's Portuguese, Russian or Korean pages.
_FUNCTION_WORDS = frozenset("the and of to a in is that for it was on with as".split())

needs_shared = pytest.mark.skipif(
    not feedgen.shared_data_available(),
    reason="needs ../shared/data (article-extraction-benchmark, rewrites-dev) next to the project")

# Invented outlets: (name, section, reporter, founded).
_OUTLETS = [
    ("Harbor Ledger", "Politics", "Dana Whitfield", 1987),
    ("Prairie Courier", "Business", "Marcus Oyelaran", 1962),
    ("Summit Dispatch", "World", "Priya Castellanos", 2004),
    ("Granite Observer", "Culture", "Hugo Tanaka", 1979),
]
_MORE_FROM = [
    "County Commissioners Approve Budget After Late Night Session",
    "Storm Knocks Out Power to Thousands Along the Coast",
    "Local Bakery Marks Fifty Years With Free Bread Day",
    "School Board Weighs Later Start Times for High Schools",
    "Transit Agency Unveils Plan to Double Weekend Service",
    "High School Robotics Team Heads to National Finals",
    "Museum Reopens East Wing After Two Year Renovation",
    "Farmers Market Moves Indoors for the Winter Season",
]


# --- building inputs -------------------------------------------------------------------------------

def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _text(headline: str, paragraphs: Iterable[str]) -> str:
    return "\n\n".join([headline, *paragraphs])


def wrap(headline: str, paragraphs: Iterable[str], outlet: int) -> str:
    """The article in an outlet's page template: header lines, then a footer with a
    share bar, an author bio, a newsletter prompt, a "More from" block and a copyright."""
    name, section, author, founded = _OUTLETS[outlet]
    more = [_MORE_FROM[(2 * outlet + k) % len(_MORE_FROM)] for k in range(4)]
    header = [
        name,
        f"Home › {section} › Local",
        f"{name} brings readers independent reporting, sharp analysis and local voices since {founded}.",
        headline,
        f"By {author}",
        "Published March 4, 2024",
    ]
    footer = [
        "Share this article: Facebook | Twitter | Email",
        f"{author} is a senior reporter for {name}, covering {section.lower()}, courts and city hall, "
        "and previously worked in Valley City.",
        f"Sign up for the {name} newsletter and get the day's top stories delivered to your inbox.",
        f"More from {name}",
        *more,
        f"© 2024 {name}. All rights reserved.",
    ]
    return "\n\n".join([*header, *paragraphs, *footer])


def make_variant(story: Story, original: str, kind: str) -> str:
    """One variant of ``story`` (whose text as input is ``original``), built deterministically."""
    rng = random.Random(f"{story.key}/{kind}")
    if kind == "exact":
        return original
    if kind == "boilerplate":
        return wrap(story.headline, story.paragraphs, outlet=1)
    if kind == "truncation":
        keep = max(2, len(story.paragraphs) // 2)
        return _text(story.headline, [*story.paragraphs[:keep], "Read more…"])
    head, paras = variant(story, kind, rng)
    if kind == "reorder":
        while paras == story.paragraphs:
            head, paras = variant(story, kind, rng)
    if kind == "edit":
        assert len(paras) == len(story.paragraphs) - 1, "the edit should drop one paragraph"
    assert head != story.headline or paras != story.paragraphs, f"{kind} variant equals its original"
    return _text(head, paras)


def _seed_text(prefix: str, folder: Path) -> tuple[str, str]:
    [path] = folder.glob(f"{prefix}_*.txt")
    return path.name, path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _ground_truth() -> dict[str, list[str]]:
    """Paragraphs of each ground-truth article body, by id, in sorted id order."""
    data = json.loads(feedgen.GROUND_TRUTH.read_text(encoding="utf-8"))
    return {key: _paragraphs(data[key]["articleBody"]) for key in sorted(data)}


def _is_english(paragraphs: list[str]) -> bool:
    words = " ".join(paragraphs).lower().split()
    return sum(w in _FUNCTION_WORDS for w in words) >= 0.12 * len(words)


def _english(min_words: int, min_paragraphs: int) -> list[str]:
    """Ids of English ground-truth articles (not the Doobie reports), in sorted order."""
    return [key for key, paras in _ground_truth().items()
            if len(paras) >= min_paragraphs and sum(len(p.split()) for p in paras) >= min_words
            and _is_english(paras) and "Doobie" not in " ".join(paras)]


@lru_cache(maxsize=1)
def _pool() -> list[str]:
    """English articles of at least 250 words in at least 5 paragraphs: the variants' sources."""
    return _english(250, 5)


def _picks() -> list[str]:
    """``N_PICKS`` articles of the pool, spread evenly over its sorted ids."""
    pool = _pool()
    return [pool[i * len(pool) // N_PICKS] for i in range(N_PICKS)]


def _headline(paragraphs: list[str]) -> str:
    words = re.findall(r"[\w'’-]+", paragraphs[0])[:9]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def _story(key: str) -> Story:
    paras = _ground_truth()[key]
    return Story(key[:12], _headline(paras), paras)


def _article(key: str) -> str:
    story = _story(key)
    return _text(story.headline, story.paragraphs)


def _distractors(key: str, n: int = 3) -> dict[str, str]:
    """``n`` unrelated pool articles: the ones after ``key`` in the pool, cyclically."""
    pool = _pool()
    at = pool.index(key)
    chosen = [pool[(at + d) % len(pool)] for d in range(1, n + 1)]
    return {f"{k[:12]}-distractor": _article(k) for k in chosen}


# --- running and asserting ---------------------------------------------------------------------------

def run(docs: dict[str, str]) -> Result:
    """Deduplicate the documents ``{id: text}`` in the given order."""
    return deduplicate([Record(id_, text, f"<test>:{id_}") for id_, text in docs.items()])


def _index(result: Result) -> dict[str, int]:
    return {d.record.id: d.index for d in result.documents}


def together(result: Result, id_a: str, id_b: str) -> bool:
    """True when the documents ``id_a`` and ``id_b`` share a cluster."""
    index = _index(result)
    return result.labels[index[id_a]] == result.labels[index[id_b]]


def members(result: Result, id_: str) -> set[str]:
    """Ids of the documents in the cluster of ``id_``."""
    label = result.labels[_index(result)[id_]]
    return {d.record.id for d in result.documents if result.labels[d.index] == label}


def why(result: Result, id_a: str, id_b: str) -> str:
    """The verifier's evidence for a pair, and the clusters, for assertion messages."""
    index = _index(result)
    evidence = result.verifier.verify(index[id_a], index[id_b]).to_dict()
    clusters = [[result.documents[m].record.id for m in c.members] for c in result.clusters]
    return f"{id_a} / {id_b}: {evidence}; clusters: {clusters}"


def assert_apart(result: Result, ids: Iterable[str]) -> None:
    """Assert that no two of ``ids`` share a cluster."""
    joined = [(a, b) for a, b in combinations(ids, 2) if together(result, a, b)]
    assert not joined, "\n".join(why(result, a, b) for a, b in joined)


def _check_variant(original_id: str, original: str, variant_id: str, variant_text: str,
                   distractors: dict[str, str]) -> None:
    result = run({original_id: original, variant_id: variant_text, **distractors})

    assert together(result, original_id, variant_id), why(result, original_id, variant_id)
    joined = [d for d in distractors if together(result, variant_id, d)]
    assert not joined, "\n".join(why(result, variant_id, d) for d in joined)


# --- 1. the seeds ------------------------------------------------------------------------------------

def test_seeds_001_and_002_together_the_others_alone(seeds_dir: Path) -> None:
    docs = dict(_seed_text(prefix, seeds_dir) for prefix in SEED_PREFIXES)
    ids = {name[:3]: name for name in docs}

    result = run(docs)

    assert members(result, ids["001"]) == {ids["001"], ids["002"]}, why(result, ids["001"], ids["002"])
    for prefix in ("000", "003", "004"):
        others = [ids[p] for p in SEED_PREFIXES if p != prefix and together(result, ids[prefix], ids[p])]
        assert not others, "\n".join(why(result, ids[prefix], o) for o in others)
    assert len(result.clusters) == 4


# --- 2. variants join their original ---------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("prefix", SEED_PREFIXES)
def test_seed_variant_joins_its_original(seeds_dir: Path, prefix: str, kind: str) -> None:
    name, original = _seed_text(prefix, seeds_dir)
    paras = _paragraphs(original)
    story = Story(prefix, paras[0], paras[1:])
    # Distractors: the other seeds, all on the same topic, minus this seed's own story.
    distractors = dict(_seed_text(p, seeds_dir) for p in SEED_PREFIXES
                       if p != prefix and p not in SEED_STORY_MATES.get(prefix, set()))

    _check_variant(name, original, f"{prefix}-{kind}", make_variant(story, original, kind), distractors)


@needs_shared
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("pick", range(N_PICKS))
def test_article_variant_joins_its_original(pick: int, kind: str) -> None:
    key = _picks()[pick]
    story = _story(key)
    original = _article(key)

    _check_variant(f"{story.key}-original", original, f"{story.key}-{kind}",
                   make_variant(story, original, kind), _distractors(key))


@needs_shared
def test_hand_written_rewrites_join_their_original_and_reports_stay_alone() -> None:
    files = sorted(feedgen.REWRITES_DEV.glob("d*_*.txt"))
    docs = {p.stem: p.read_text(encoding="utf-8") for p in files}
    stories = sorted({stem.split("_")[0] for stem in docs})
    assert len(docs) == 24 and len(stories) == 8

    result = run(docs)

    for k in stories:
        original, rewrite, report = f"{k}_original", f"{k}_rewrite", f"{k}_report"
        assert together(result, original, rewrite), why(result, original, rewrite)
        assert members(result, original) == {original, rewrite}, why(result, original, rewrite)
        others = sorted(members(result, report) - {report})
        assert not others, "\n".join(why(result, report, o) for o in others)


# --- 3. hard negatives stay apart ------------------------------------------------------------------

def _doobie_reports() -> dict[str, str]:
    found = {key[:12]: _text(_headline(paras), paras) for key, paras in _ground_truth().items()
             if "Doobie" in " ".join(paras)}
    assert sorted(found) == sorted(DOOBIE)
    return found


@needs_shared
def test_three_reports_of_one_tour_stay_apart() -> None:
    result = run(_doobie_reports())

    assert_apart(result, DOOBIE)
    assert len(result.clusters) == 3


@needs_shared
def test_three_reports_of_one_tour_stay_apart_with_copies_in_outlet_templates() -> None:
    docs: dict[str, str] = {}
    for key, text in _doobie_reports().items():
        paras = _paragraphs(text)
        docs[key] = text
        for outlet in (1, 2, 3):
            docs[f"{key}-copy-{outlet}"] = wrap(paras[0], paras[1:], outlet)

    result = run(docs)

    for key in DOOBIE:
        for outlet in (1, 2, 3):
            assert together(result, key, f"{key}-copy-{outlet}"), why(result, key, f"{key}-copy-{outlet}")
    assert_apart(result, DOOBIE)
    assert len(result.clusters) == 3


def _long_paragraphs(key: str, min_words: int = 30) -> list[str]:
    return [p for p in _ground_truth()[key] if len(p.split()) >= min_words]


@needs_shared
@pytest.mark.parametrize("case", range(3))
def test_article_quoting_one_paragraph_of_another_stays_apart(case: int) -> None:
    sources = [k for k in _picks() if len(_long_paragraphs(k)) >= 5]
    x_key, y_key = sources[2 * case], sources[2 * case + 1]
    x, y = _long_paragraphs(x_key), _long_paragraphs(y_key)
    b = _text(_headline(y), y[:5])
    a = _text(_headline(x), [*x[:2], y[2], *x[2:4]])  # Y's third paragraph quoted in the middle
    docs = {"a": a, "b": b, **_distractors(sources[-1 - case])}

    result = run(docs)

    assert not together(result, "a", "b"), why(result, "a", "b")
    index = _index(result)
    evidence = result.verifier.verify(index["a"], index["b"])
    assert evidence.relation == "partial", why(result, "a", "b")


@needs_shared
def test_different_stories_in_one_outlet_template_stay_apart() -> None:
    # The eight shortest English articles of at least 100 words: the template is a large share of each.
    keys = sorted(_english(100, 3), key=lambda k: (sum(len(p.split()) for p in _ground_truth()[k]), k))[:8]
    docs = {}
    for key in keys:
        story = _story(key)
        docs[story.key] = wrap(story.headline, story.paragraphs, outlet=0)

    result = run(docs)

    assert_apart(result, docs)
    assert len(result.clusters) == 8


# --- 4. a bridge does not join two stories -----------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("copies", [0, 2])
@pytest.mark.parametrize("case", range(3))
def test_round_up_of_two_articles_does_not_join_them(case: int, copies: int) -> None:
    picks = _picks()
    a_key, b_key = picks[2 * case], picks[2 * case + 1]
    a, b = _story(a_key), _story(b_key)
    docs = {"a": _article(a_key), "b": _article(b_key),
            "round-up": _article(a_key) + "\n\n" + _article(b_key)}
    for n in range(1, copies + 1):
        docs[f"a-copy-{n}"] = wrap(a.headline, a.paragraphs, outlet=n)
        docs[f"b-copy-{n}"] = wrap(b.headline, b.paragraphs, outlet=n)

    result = run(docs)

    assert not together(result, "a", "b"), why(result, "a", "b")
    for n in range(1, copies + 1):
        assert together(result, "a", f"a-copy-{n}"), why(result, "a", f"a-copy-{n}")
        assert together(result, "b", f"b-copy-{n}"), why(result, "b", f"b-copy-{n}")
