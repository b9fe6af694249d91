"""Build a news feed with known truth from the real articles in ../shared/data/.

Stories: the human-annotated article bodies of the article-extraction
benchmark (long ones split in two halves, which gives pairs of *different*
stories on one topic), and the rewrites-dev stories (original and rewrite are
one story, the independent report another).

Documents: each story's original, plus variants of it: copies, truncations
("Read more…"), re-headlined copies, reordered paragraphs, light edits (word
substitutions, a dropped paragraph) and machine rewrites (heavy substitution
and sentence reordering), and the hand-written rewrites. Nearly every
document is wrapped in the template of one of ``n_outlets`` synthetic
outlets: header, tagline, share bar, newsletter prompt, author bio,
"More from" block with the same headlines, copyright. The same outlet wraps
many different stories: those are the hard negatives.

Nothing here is stored in the project: the feed is generated into
``benchmarks/out/`` from ``../shared/data/`` at run time.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
GROUND_TRUTH = SHARED / "article-extraction-benchmark" / "ground-truth.json"
REWRITES_DEV = SHARED / "rewrites-dev"

KINDS = ("original", "copy", "truncation", "reheadline", "reorder", "edit", "machine-rewrite", "rewrite")

_FIRST = ["Valley", "Harbor", "Capital", "Northern", "Coastal", "Metro", "Prairie", "Summit", "River",
          "Lakeside", "Granite", "Pacific", "Atlantic", "Midland", "Frontier", "Civic", "Evening", "Morning"]
_SECOND = ["Herald", "Tribune", "Ledger", "Courier", "Gazette", "Dispatch", "Sentinel", "Chronicle",
           "Observer", "Wire", "Post", "Bulletin", "Examiner", "Times", "Record", "Journal"]
_PEOPLE = ["Dana Whitfield", "Marcus Oyelaran", "Priya Castellanos", "Tomasz Lindqvist", "Ines Morrow",
           "Kwame Albright", "Sofia Brennan", "Hugo Tanaka", "Leila Fairbanks", "Owen Achterberg"]
_SECTIONS = ["World", "Politics", "Business", "Tech", "Sport", "Culture", "Science", "Opinion"]


@dataclass
class Story:
    """A distinct story: headline and paragraphs."""

    key: str
    headline: str
    paragraphs: list[str]


@dataclass
class Outlet:
    """A synthetic outlet's template."""

    name: str
    header: list[str]
    footer: list[str]


@dataclass
class Feed:
    """Records (JSONL-ready dicts), the true story of each id, and each id's kind."""

    records: list[dict] = field(default_factory=list)
    truth: dict[str, str] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)


def shared_data_available() -> bool:
    """True when ../shared/data/ holds the data sets the feed is built from."""
    return GROUND_TRUTH.is_file() and REWRITES_DEV.is_dir()


def _split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def _headline(paragraphs: list[str], rng: random.Random, *, from_end: bool = False) -> str:
    words = re.findall(r"[\w'’-]+", paragraphs[-1 if from_end else 0])
    start = rng.randint(2, max(2, len(words) - 10)) if from_end else 0
    chosen = words[start : start + rng.randint(7, 11)] or ["Update"]
    return " ".join(w[:1].upper() + w[1:] for w in chosen)


def load_stories(rng: random.Random, *, min_words: int = 120) -> tuple[list[Story], dict[str, str]]:
    """Stories from both data sets, and for each rewrites-dev rewrite the story key it belongs to."""
    stories: list[Story] = []
    ground = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    for key in sorted(ground):
        paras = _split_paragraphs(ground[key]["articleBody"])
        if sum(len(p.split()) for p in paras) < min_words or len(paras) < 3:
            continue
        if len(paras) >= 10 and sum(len(p.split()) for p in paras) >= 700:
            half = len(paras) // 2
            for part, chunk in (("a", paras[:half]), ("b", paras[half:])):
                stories.append(Story(f"{key[:12]}{part}", _headline(chunk, rng), chunk))
        else:
            stories.append(Story(key[:12], _headline(paras, rng), paras))
    rewrites: dict[str, str] = {}
    for path in sorted(REWRITES_DEV.glob("d*_original.txt")):
        k = path.name.split("_")[0]
        for role in ("original", "report"):
            lines = _split_paragraphs((REWRITES_DEV / f"{k}_{role}.txt").read_text(encoding="utf-8"))
            stories.append(Story(f"dev-{k}-{role}", lines[0], lines[1:]))
        rewrites[f"dev-{k}-original"] = (REWRITES_DEV / f"{k}_rewrite.txt").read_text(encoding="utf-8")
    return stories, rewrites


def make_outlets(n: int, stories: list[Story], rng: random.Random) -> list[Outlet]:
    """Outlets with templates; each "More from" block lists headlines of other stories."""
    outlets = []
    names = [f"{a} {b}" for a in _FIRST for b in _SECOND]
    rng.shuffle(names)
    for name in names[:n]:
        section = rng.choice(_SECTIONS)
        author = rng.choice(_PEOPLE)
        others = rng.sample(stories, 4)
        header = [name, f"Home › {section} › {rng.choice(_SECTIONS)}"]
        if rng.random() < 0.6:
            header.append(f"{name} brings readers across the {rng.choice(_FIRST).lower()} region "
                          f"independent reporting, sharp analysis and local voices since {rng.randint(1950, 2015)}.")
        footer = [
            "Share this article: Facebook | Twitter | Email",
            f"{author} is a {rng.choice(['senior', 'staff', 'contributing'])} reporter for {name}, covering "
            f"{section.lower()}, courts and city hall, and previously worked in {rng.choice(_FIRST)} City.",
            f"Sign up for the {name} newsletter and get the day's top stories delivered to your inbox.",
            f"More from {name}",
            *[s.headline for s in others],
            f"© {rng.randint(2019, 2025)} {name}. All rights reserved.",
        ]
        outlets.append(Outlet(name, header, footer))
    return outlets


def _words_edit(paragraph: str, rate: float, vocab: list[str], rng: random.Random) -> str:
    words = paragraph.split()
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(vocab)
    return " ".join(words)


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", paragraph) if s]


def variant(story: Story, kind: str, rng: random.Random) -> tuple[str, list[str]]:
    """Return ``(headline, paragraphs)`` of one variant of a story."""
    head, paras = story.headline, list(story.paragraphs)
    vocab = " ".join(paras).split()
    if kind == "truncation":
        keep = max(2, round(len(paras) * rng.uniform(0.4, 0.6)))
        paras = paras[:keep] + [rng.choice(["Read more…", "Continue reading…", "Read the full story"])]
    elif kind == "reheadline":
        head = _headline(paras, rng, from_end=True)
    elif kind == "reorder":
        rng.shuffle(paras)
    elif kind == "edit":
        paras = [_words_edit(p, 0.04, vocab, rng) for p in paras]
        if len(paras) > 4:
            del paras[rng.randrange(1, len(paras))]
    elif kind == "machine-rewrite":
        out = []
        for p in paras:
            sents = _sentences(_words_edit(p, 0.2, vocab, rng))
            if len(sents) > 1 and rng.random() < 0.5:
                sents = sents[1:] + sents[:1]
            out.append(" ".join(sents))
        paras, head = out, _headline(paras, rng, from_end=True)
    return head, paras


def build_feed(n_docs: int, *, seed: int = 7, n_outlets: int = 40, singleton_share: float = 0.3) -> Feed:
    """Build a feed of at least ``n_docs`` documents with known truth."""
    rng = random.Random(seed)
    stories, rewrites = load_stories(rng)
    outlets = make_outlets(n_outlets, stories, rng)
    docs: list[tuple[str, str, str, str]] = []  # (story key, kind, text, outlet)

    def emit(story_key: str, kind: str, head: str, paras: list[str]) -> None:
        outlet = rng.choice(outlets)
        body = [head, *paras]
        if rng.random() < 0.95:
            body = outlet.header + body + outlet.footer
        docs.append((story_key, kind, "\n\n".join(body), outlet.name))

    for s in stories:
        emit(s.key, "original", s.headline, s.paragraphs)
    for key, text in rewrites.items():
        lines = _split_paragraphs(text)
        emit(key, "rewrite", lines[0], lines[1:])
    weights = [0.0 if rng.random() < singleton_share else 1.0 / (rank + 1) ** 0.7 for rank in range(len(stories))]
    rng.shuffle(weights)
    kinds = KINDS[1:-1]
    while len(docs) < n_docs:
        s = rng.choices(stories, weights)[0]
        if s.key in rewrites and rng.random() < 0.2:
            lines = _split_paragraphs(rewrites[s.key])
            rewritten = Story(s.key, lines[0], lines[1:])
            kind = rng.choice(("copy", "truncation"))
            emit(s.key, kind, *variant(rewritten, kind, rng))
            continue
        kind = rng.choice(kinds)
        emit(s.key, kind, *variant(s, kind, rng))

    order = list(range(len(docs)))
    rng.shuffle(order)
    feed = Feed()
    for n, i in enumerate(order):
        key, kind, text, outlet = docs[i]
        id_ = f"doc{n:06d}"
        feed.records.append({"id": id_, "text": text, "source": outlet,
                             "published": f"2024-03-{1 + rng.randrange(28):02d}T{rng.randrange(24):02d}:00:00Z"})
        feed.truth[id_] = key
        feed.kind[id_] = kind
    return feed


OUT = Path(__file__).resolve().parent / "out"


def benchmark_feed(n_docs: int, seed: int) -> tuple[Feed, Path]:
    """Build a feed for a benchmark script and write it into ``benchmarks/out/``; exit with a
    clear message when ../shared/data is missing."""
    if not shared_data_available():
        raise SystemExit("needs ../shared/data (article-extraction-benchmark, rewrites-dev) next to the project")
    feed = build_feed(n_docs, seed=seed)
    return feed, write_feed(feed, OUT)


def write_feed(feed: Feed, folder: Path) -> Path:
    """Write ``feed.jsonl.gz`` and ``truth.json`` into ``folder``; return the feed's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "feed.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for r in feed.records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (folder / "truth.json").write_text(json.dumps({"truth": feed.truth, "kind": feed.kind}), encoding="utf-8")
    return path
