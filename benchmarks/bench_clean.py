"""Benchmark of boilerplate removal in text mode on the article-extraction benchmark's 181 pages.

Usage: python benchmarks/bench_clean.py

Each page is rendered to plain text with all visible text kept
(dedupe.render.html_to_text), then: kept whole; cut by a simple rule (keep
lines of >= 10 words that end a sentence); cleaned by dedupe (the rules and
the templates learned across the 181 pages, as `dedupe clean` does); and,
where it is installed, jusText with its English stop words on the lines
(each line one paragraph). Scored
with the benchmark's own metric (benchmarks/extraction.py). Prints a Markdown
table with pages per second.
"""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import extraction  # noqa: E402
from dedupe.params import Params  # noqa: E402
from dedupe.pipeline import prepare_all  # noqa: E402
from dedupe.read import Record  # noqa: E402
from dedupe.render import html_to_text  # noqa: E402

_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$")


def sentence_lines(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if len(line.split()) >= 10 and _SENTENCE.search(line))


def justext_lines(text: str) -> str | None:
    """jusText (English stop words) on the lines of a text, each line given to it as a paragraph;
    None when jusText is not installed."""
    try:
        import justext
    except ImportError:
        return None
    page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines()) + "</body></html>"
    return "\n\n".join(p.text for p in justext.justext(page, justext.get_stoplist("English")) if not p.is_boilerplate)


def main() -> None:
    if not extraction.available():
        raise SystemExit("needs ../shared/data/article-extraction-benchmark next to the project")
    pages = list(extraction.pages())
    start = time.perf_counter()
    texts = [html_to_text(html) for _, html, _ in pages]
    render_s = time.perf_counter() - start
    gold = [g for _, _, g in pages]
    start = time.perf_counter()
    documents = prepare_all([Record(pid, text, pid) for (pid, _, _), text in zip(pages, texts)], Params(), sign=False)
    clean_s = time.perf_counter() - start
    start = time.perf_counter()
    by_justext = [justext_lines(t) for t in texts]
    justext_s = time.perf_counter() - start
    rows = [
        ("all visible text (rendered, nothing removed)", texts, render_s),
        ("lines of >= 10 words ending a sentence", [sentence_lines(t) for t in texts], None),
        *([("jusText on the lines (English stop words)", by_justext, justext_s)] if None not in by_justext else []),
        ("dedupe clean (text mode)", [d.text for d in documents], clean_s),
    ]
    if None in by_justext:
        print("skipped jusText on the lines: not installed (pip install justext)\n")
    print(f"{len(pages)} pages, rendered to text in {render_s:.1f} s ({len(pages) / render_s:.0f} pages/s)\n")
    print("| text mode | precision | recall | F1 | pages/s |")
    print("|---|---|---|---|---|")
    for name, predicted, seconds in rows:
        p, r, f = extraction.scores(list(zip(predicted, gold)))
        rate = f"{len(pages) / seconds:.0f}" if seconds else "–"
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} | {rate} |")


if __name__ == "__main__":
    main()
