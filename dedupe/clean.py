"""Clean stage: raw article text in, article text and the removed lines out.

Passes, each explainable line by line (every removed line carries its reason):

1. rules (:mod:`dedupe.rules`): families of boilerplate that news pages carry
   (share bars, subscribe prompts, cookie and ad-blocker notices, "More
   from" blocks, author bios, disclaimers, comment prompts, photo captions
   and slugs, navigation), plus repeated lines and a teaser that repeats the
   lede;
2. structure (:mod:`dedupe.structure`): readers' comments, menus before the
   article, footer lines after it, and what lies before the article's start
   block and after its end block;
3. repetition across documents (:class:`TemplateLines`): lines that recur in
   many documents of one input while covering a minority of each of them
   (one outlet's template around different stories).

The bias is conservative: a line is removed only with a reason, headlines
and subheadings are kept, and a block that is only boilerplate still leaves
the document empty rather than guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .rules import FAMILY_REASONS, is_prose, rule_reason
from .structure import mark_comments, mark_edges, mark_related_blocks
from .templates import TemplateLines, line_key, line_keys

CLEANER_VERSION = "6"  # bump when a rule changes what is removed (indexes record it)

_TEASER_END = re.compile(r"(\.\.\.|…)\s*$")
_TEASER_SUFFIXES = ("...", "…")  # how a stripped line that _TEASER_END matches ends

# Every reason a removed line can carry (``Removal.reason``, the ``reason`` of ``removed`` in the output):
# the rule families, then the other passes. Documented in the README; keep them stable.
REASONS: tuple[str, ...] = (
    *FAMILY_REASONS, "repeated line", "teaser repeating the lede", "related-content list", "reader comments",
    "navigation before the article", "after the end of the article", "after the article's end block",
    "before the article's start block", "template repeated across documents")


class Removal(NamedTuple):
    """A line the cleaner removed: its 1-based line number, text and reason.

    A named tuple: documents with their removed lines travel between
    processes, and tuples pickle several times faster than dataclasses.
    """

    line: int
    text: str
    reason: str


@dataclass
class Cleaned:
    """The result of cleaning one document.

    Attributes:
        text: The kept lines.
        removed: The removed lines, with their reasons.
        keys: The normalized form of each non-empty line of ``text``, in order
            (what :class:`TemplateLines` compares, and the line's tokens
            joined by spaces).
        line_numbers: The 1-based input line number of each of those lines.
    """

    text: str
    removed: list[Removal] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)


def clean(text: str, *, templates: TemplateLines | None = None, extracted: bool = False) -> Cleaned:
    """Remove boilerplate lines from one article.

    Args:
        text: The article as scraped, one paragraph per line or blank-line separated.
        templates: Lines learned as an outlet template across the input, if any.
        extracted: The text is a main-content extractor's output (an HTML
            page's article): the extractor has already cut the page to the
            article, so short lines before the first paragraph are article
            lists, not navigation; short lines after the last one are the
            article's own (product lists, credits) unless a rule names them;
            and a repeated line is the article repeating itself.

    Returns:
        Cleaned: the kept lines joined by newlines, and every removed line with its reason.

    Example:
        >>> clean("Title\\n\\nA sentence of the article that is long enough to count as prose.\\n"
        ...       "Leave a Comment").text.splitlines()[-1]
        'A sentence of the article that is long enough to count as prose.'
    """
    lines = text.splitlines()
    reasons: dict[int, str] = {}
    stripped = [line.strip() for line in lines]
    body = [i for i, line in enumerate(stripped) if line]

    seen: set[str] = set()
    keys: dict[int, str] = {}
    for i in body:
        line = stripped[i]
        reason = rule_reason(line)
        key = keys[i] = line_key(line)
        # a line that is only a number repeats as a table's cell (points, wins), not as boilerplate
        if reason is None and key and key in seen and not extracted and not key.isdigit():
            reason = "repeated line"
        # a suffix test (the line is stripped): a search, tried at every position of every line, costs more
        if reason is None and line.endswith(_TEASER_SUFFIXES):
            prefix = line_key(_TEASER_END.sub("", line))
            if prefix and any(line_key(stripped[j]).startswith(prefix)
                              for j in body if j > i and len(stripped[j]) > len(line) - 3):
                reason = "teaser repeating the lede"
        if reason:
            reasons[i] = reason
        seen.add(key)

    mark_related_blocks(stripped, body, reasons)
    mark_comments(stripped, body, reasons)
    mark_edges(stripped, body, reasons, page=not extracted)

    kept = [lines[i] for i in range(len(lines)) if i not in reasons]
    removed = [Removal(i + 1, stripped[i], reasons[i]) for i in sorted(reasons)]
    kept_body = [i for i in body if i not in reasons]
    cleaned = Cleaned(_tidy(kept), removed, [keys[i] for i in kept_body], [i + 1 for i in kept_body])
    return without_templates(cleaned, templates) if templates is not None else cleaned


def without_templates(cleaned: Cleaned, templates: TemplateLines) -> Cleaned:
    """Remove the learned template lines from a rule-cleaned document."""
    if not templates.hashes_ or not any(map(templates.is_template, cleaned.keys)):
        return cleaned
    lines = cleaned.text.splitlines()
    body = [k for k, line in enumerate(lines) if line.strip()]  # one per key
    keep = [not templates.is_template(k) for k in cleaned.keys]
    extra = [Removal(n, lines[k].strip(), "template repeated across documents")
             for n, k, ok in zip(cleaned.line_numbers, body, keep) if not ok]
    gone = {k for k, ok in zip(body, keep) if not ok}
    return Cleaned(_tidy(line for k, line in enumerate(lines) if k not in gone),
                   sorted([*cleaned.removed, *extra], key=lambda r: r.line),
                   [k for k, ok in zip(cleaned.keys, keep) if ok],
                   [n for n, ok in zip(cleaned.line_numbers, keep) if ok])


def _tidy(lines: Iterable[str]) -> str:
    r"""The lines joined, each run of two or more blank lines left by removals made one empty line,
    the ends trimmed (as ``re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip()`` tidies the joined text;
    the lines hold no line break, as ``splitlines`` leaves them)."""
    out: list[str] = []
    run: list[str] = []  # the blank lines since the last line of text
    for line in lines:
        if line and not line.isspace():
            if run:
                out.append(run[0] if len(run) == 1 else "")
                run = []
            out.append(line)
        else:
            run.append(line)
    if run:
        out.append(run[0] if len(run) == 1 else "")
    return "\n".join(out).strip()


__all__ = ["CLEANER_VERSION", "REASONS", "Cleaned", "Removal", "TemplateLines", "clean", "line_keys",
           "without_templates", "rule_reason", "is_prose"]
