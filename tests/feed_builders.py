"""Inputs the tests build: feeds of seed variants, and invented stories that share nothing."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _variant(text: str, rng: random.Random, outlet: int) -> str:
    """A copy of a seed as another outlet would carry it: own header and footer, maybe cut or edited."""
    lines = [line for line in text.splitlines() if line.strip()]
    kind = rng.choice(["copy", "truncation", "drop", "reorder"])
    if kind == "truncation":
        lines = lines[: max(3, len(lines) // 2)] + ["Read more..."]
    elif kind == "drop" and len(lines) > 4:
        del lines[rng.randrange(1, len(lines) - 1)]
    elif kind == "reorder" and len(lines) > 4:
        i = rng.randrange(1, len(lines) - 2)
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "\n\n".join([f"Outlet {outlet} News", *lines, f"© 2026 Outlet {outlet}. All rights reserved."])


def seed_feed(path: Path, copies: int = 60) -> Path:
    """A JSONL feed of the five seeds, each with ``copies`` outlet variants, shuffled."""
    rng = random.Random(3)
    rows = []
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8")
        rows.append({"id": seed.name, "text": text})
        rows += [{"id": f"{seed.stem}-{k}", "text": _variant(text, rng, k % 7)} for k in range(copies)]
    rng.shuffle(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def invented_story(rng: random.Random, *, paragraphs: int = 6) -> str:
    """A story of invented words: any two such stories share (almost) nothing."""
    def word() -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))

    def sentence() -> str:
        return " ".join(word() for _ in range(rng.randint(8, 16))).capitalize() + "."

    return "\n\n".join(" ".join(sentence() for _ in range(3)) for _ in range(paragraphs))
