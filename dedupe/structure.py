"""Structure passes of the cleaner: where the article starts and ends on a page.

Each pass reads the lines (``stripped``), the positions of the non-empty
ones (``body``) and the reasons given so far (``reasons``, by line), and
adds reasons of its own: the lists under a related-content heading, readers'
comments, edge notices, menus before the article, footer lines after it, and
what comes after the article's end block or before its start block.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate

from .rules import ends_sentence, is_prose, prose_words, rule_reason

# A reader comment's attribution line: "Name on September 12, 2018 at 4:47 pm said:"
# (unmistakable), or "username says:" (a comment system's; news text writes "said:").
_DATED_COMMENTER = re.compile(
    r"^.{1,60}?\s(on\s+)?(\w+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w+\.?,?\s+\d{4}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
    r",?\s+(at\s+)?\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?\s*(said|says|wrote)\s*:$", re.I)
_COMMENTER = re.compile(r"^\S+(\s\S+){0,3}\s+says\s*:$", re.I)
_COMMENTS_HEADING = re.compile(
    r"^(\d+\s+(responses?|comments?|thoughts|replies|reactions)\b|comments?\b|leave a (comment|reply)|"
    r"join the (conversation|discussion)|reader comments)", re.I)


# Families that follow an article's last line, not a page's: a list above them is the article's.
_CLOSING_FAMILIES = frozenset({"share bar", "author bio or outlet promotion", "comment prompt", "reader comments"})
_COMMENT_FAMILIES = frozenset({"comment prompt", "reader comments"})
_COMMENT_TRACES = frozenset({"comment prompt", "reader comments", "date or time line", "byline or dateline",
                             "repeated line"})
# Families that close an article: a block of removed lines holding one of them can be its end.
_END_FAMILIES = frozenset({
    "share bar", "tags or categories", "post navigation", "comment prompt", "related-content heading",
    "subscribe prompt", "author bio or outlet promotion", "reader comments",
    "copyright, disclaimer or affiliate notice", "cookie or ad-blocker notice", "date or time line",
    "byline or dateline"})
# Families that come before an article: a block of removed lines holding one of them can be its start.
_START_FAMILIES = frozenset({
    "navigation", "navigation before the article", "share bar", "subscribe prompt", "cookie or ad-blocker notice",
    "date or time line", "byline or dateline", "tags or categories", "related-content heading",
    "related-content list", "post navigation", "image file name or slug", "photo caption or credit", "photo gallery",
    "author bio or outlet promotion", "repeated line"})


def mark_related_blocks(stripped: list[str], body: list[int], reasons: dict[int, str]) -> None:
    """A related-content heading takes the non-prose lines under it along, and the teasers of a
    list whose items are separated by one repeated removed line (a share bar under every teaser)."""
    inside = False
    widget: str | None = None  # the removed line that separates the items of a teaser list
    for k, i in enumerate(body):
        if reasons.get(i) == "related-content heading":
            inside, widget = True, None
        elif not inside:
            continue
        elif not is_prose(stripped[i]):
            reasons.setdefault(i, "related-content list")
        elif widget is not None and k and body[k - 1] in reasons and stripped[body[k - 1]] == widget:
            reasons.setdefault(i, "related-content list")
        elif (widget := _teaser_widget(stripped, body, reasons, k)) is not None:
            reasons.setdefault(i, "related-content list")
        else:
            inside = False


def _teaser_widget(stripped: list[str], body: list[int], reasons: dict[int, str], k: int) -> str | None:
    """The removed line that follows the prose line ``body[k]`` and the prose line after it too,
    when there is one: ``body[k]`` is then the first item of a list of teasers under one widget."""
    if k + 3 >= len(body):
        return None
    after, then, again = body[k + 1], body[k + 2], body[k + 3]
    if (after in reasons and again in reasons and stripped[after] == stripped[again]
            and then not in reasons and is_prose(stripped[then])):
        return stripped[after]
    return None


def mark_comments(stripped: list[str], body: list[int], reasons: dict[int, str]) -> None:
    """Readers' comments after the article: from the first commenter attribution (with the
    comment count or prompt just above it) to the end, when the attributions leave no doubt:
    two dated ones ("… on May 2, 2019 at 4:47 pm said:") or three "username says:"."""
    first = next((k for k, i in enumerate(body) if is_prose(stripped[i])), None)
    if first is None:
        return
    after = body[first + 1:]
    attributions = [k for k, i in enumerate(after) if stripped[i].endswith(":")]  # both patterns end so
    if len(attributions) < 2:
        return
    dated = [k for k in attributions if len(stripped[after[k]].split()) <= 14
             and _DATED_COMMENTER.match(stripped[after[k]])]
    says = [k for k in attributions if _COMMENTER.match(stripped[after[k]])]
    starts = ([dated[0]] if len(dated) >= 2 else []) + ([says[0]] if len(says) >= 3 else [])
    if not starts:
        return
    start = min(starts)
    while start > 0 and _COMMENTS_HEADING.match(above := stripped[after[start - 1]]) and not is_prose(above):
        start -= 1
    for i in after[start:]:
        reasons.setdefault(i, "reader comments")


def mark_edges(stripped: list[str], body: list[int], reasons: dict[int, str], *, page: bool = True) -> None:
    """Mark edge notices; on a whole ``page``, also the menus before the article, the short
    non-sentence lines after its last body paragraph (unless a closing notice stands below them),
    what follows the article's end block and what precedes its start block.

    On a page whose title line ("Headline | Outlet | Section") comes first, the line that repeats the
    headline is where the article starts: no menu is looked for below it, and its lines down to the
    first end block count as the article even without prose (a calendar, a results table)."""
    for i in body:  # head: edge families only; headlines stay
        if i in reasons:
            continue
        reason = rule_reason(stripped[i], at_edge=True)
        if reason:
            reasons[i] = reason
        elif is_prose(stripped[i]):
            break
    headline = _headline(stripped, body) if page else None
    if page:
        _mark_navigation(stripped, body, reasons, headline=headline)
    if not any(i not in reasons and is_prose(stripped[i]) for i in body):
        return
    closed = False  # a closing family passed: the lines above it are the article's (a list article's list)
    for i in reversed(body):  # tail
        if i in reasons:
            closed = closed or reasons[i] in _CLOSING_FAMILIES
            continue
        reason = rule_reason(stripped[i], at_edge=True)
        if reason:
            reasons[i] = reason
            closed = closed or reason in _CLOSING_FAMILIES
        elif closed or not page or is_prose(stripped[i]) or ends_sentence(stripped[i]):
            break
        else:
            reasons[i] = "after the end of the article"
    if page:
        article = _headed_article(body, reasons, headline)
        _mark_after_end_block(stripped, body, reasons, article=article)
        _mark_before_start_block(stripped, body, reasons, article=article)


_TITLE_SEPARATOR = re.compile(r"\s[|–—-]\s")


def _headline(stripped: list[str], body: list[int], *, within: int = 3) -> int | None:
    """The line that repeats the headline part of a page-title line among the first ``within`` lines
    ("Headline | Outlet | Section", "Headline – Outlet"): the article's headline, where it starts."""
    for i in body[:within]:
        line = stripped[i]
        if " | " not in line and " - " not in line and " – " not in line and " — " not in line:
            continue
        head = _TITLE_SEPARATOR.split(line, 1)[0].strip()
        if len(head.split()) >= 2:
            return next((j for j in body if j > i and stripped[j] == head), None)
    return None


def _headed_article(body: list[int], reasons: dict[int, str], headline: int | None, *,
                    min_lines: int = 3) -> range:
    """The positions in ``body`` from the ``headline`` to the first block of removed lines that holds an
    end family with ``min_lines`` kept lines above it: the article however little prose it has (a
    calendar, a table), or an empty range without a headline."""
    if headline is None:
        return range(0)
    first = body.index(headline)
    kept = 0
    for k in range(first, len(body)):
        reason = reasons.get(body[k])
        if reason is None:
            kept += 1
        elif reason in _END_FAMILIES and kept >= min_lines:
            return range(first, k)
    return range(0)


def _mark_navigation(stripped: list[str], body: list[int], reasons: dict[int, str], *, min_run: int = 4,
                     headline_zone: int = 3, headline: int | None = None) -> None:
    """Before the first body paragraph, runs of ``min_run`` or more short lines that end no sentence are
    menus; the ``headline_zone`` lines just before that paragraph (headline, standfirst, byline) stay.
    A known ``headline`` above that paragraph ends the search instead: the article starts there."""
    kept = [i for i in body if i not in reasons]
    first = next((k for k, i in enumerate(kept) if is_prose(stripped[i])), None)
    at = None if headline is None else sum(i < headline for i in kept)
    if at is not None and (first is None or first >= at):
        stop = at
    elif first is None:
        return
    else:
        stop = max(0, first - headline_zone)
    run: list[int] = []
    for i in [*kept[:stop], -1]:  # -1 closes the last run
        if i >= 0 and not ends_sentence(stripped[i]):
            run.append(i)
            continue
        if len(run) >= min_run:
            reasons.update(dict.fromkeys(run, "navigation before the article"))
        run = []


def _mark_after_end_block(stripped: list[str], body: list[int], reasons: dict[int, str], *,
                          min_paragraphs: int = 2, max_run: int = 3, max_ratio: float = 2.0,
                          article: range = range(0)) -> None:
    """Everything after the article's end block: the first run of removed lines that holds an
    end family (share bar, comment prompt, "Related", copyright, ...) after ``min_paragraphs``
    prose lines, when what follows is not the article going on.

    The article goes on when ``max_run`` prose lines follow one another between the block and
    the next such block, or when there is more than ``max_ratio`` times as much prose after it as
    before: an advertisement or a related link inside an article is followed by more of its
    paragraphs, while teasers of other stories and readers' comments come one prose line at a
    time, between headlines, names and dates (a feedback form or a promotion further down, past
    another end block, does not make them the article). A block with a comment heading ends the article whatever
    follows, when three or more comment traces (timestamps, votes, repeated lines) come after it.
    """
    if not any(reason in _END_FAMILIES for reason in reasons.values()):
        return
    words = _prose_words_of(stripped, body, reasons, article)
    words_before = list(accumulate(words, initial=0))
    paragraphs_before = list(accumulate((n > 0 for n in words), initial=0))
    traces_before = list(accumulate((reasons.get(i) in _COMMENT_TRACES for i in body), initial=0))
    blocks = [(start, end, families) for start, end in _removed_blocks(body, reasons, len(body))
              if (families := {reasons[i] for i in body[start:end]}) & _END_FAMILIES]
    blocks = _with_menus(blocks, _menu_runs(stripped, body, reasons))
    for (start, end, families), upto in zip(blocks, [*(start for start, _, _ in blocks[1:]), len(body)]):
        if paragraphs_before[start] < min_paragraphs:
            continue
        # A comment section (its heading, then timestamps, votes, repeats) may outweigh the article.
        comments = bool(families & _COMMENT_FAMILIES) and traces_before[-1] - traces_before[end] >= 3
        if comments or (_longest_runs(words[end:upto])[-1] < max_run
                        and words_before[-1] - words_before[end] <= max_ratio * words_before[start]):
            for i in body[start:]:  # a menu's own kept lines too
                reasons.setdefault(i, "after the article's end block")
            _mark_company_boilerplate(stripped, body[:start], reasons)
            return


# A press release's closing boilerplate ("About Acme"), one sentence about the company after another:
# "Acme is a global provider of ...", then "Acme is headquartered in ...", "Acme has ...".
_COMPANY_INTRO = re.compile(
    r"^((?:[A-Z][\w&.'’-]*|of|and|for)(?: (?:[A-Z][\w&.'’-]*|of|and|for)){0,4})(?: \([A-Z]+(?::\s?[A-Z.]+)?\))?,? "
    r"(is|are) (a|an|the) ([\w-]+,? ){0,5}(provider|supplier|manufacturer|maker|developer|company|leader|group|firm|"
    r"organi[sz]ation|specialist|producer|operator|distributor|retailer|network|platform|agency|brand)s?\b")


def _mark_company_boilerplate(stripped: list[str], above: list[int], reasons: dict[int, str], *,
                              max_lines: int = 4) -> None:
    """The kept lines just above the article's end block (``above``: the positions before it) that are a
    press release's closing boilerplate: two or more prose lines in a row (at most ``max_lines``) that all
    start with the company's name, the first saying what it is ("Acme is a global provider of ...")."""
    kept = [i for i in above[-3 * max_lines:] if i not in reasons][-max_lines:]
    for k, i in enumerate(kept):
        match = _COMPANY_INTRO.match(stripped[i]) if " is " in stripped[i] or " are " in stripped[i] else None
        if match is None or not is_prose(stripped[i]):
            continue
        name = match.group(1) + " "
        lines = kept[k:]
        if len(lines) >= 2 and all(stripped[j].startswith(name) and is_prose(stripped[j]) for j in lines):
            reasons.update(dict.fromkeys(lines, "author bio or outlet promotion"))
            return


_MENU_TRACES = frozenset({"navigation", "navigation before the article", "repeated line"})
_HAS_DIGIT = re.compile(r"\d")


def _menu_runs(stripped: list[str], body: list[int], reasons: dict[int, str], *, min_run: int = 12,
               max_words: int = 4, min_traces: float = 0.25, max_numbers: float = 0.1) -> list[tuple[int, int]]:
    """The runs (positions ``(first, end)`` in ``body``) of ``min_run`` or more lines of at most ``max_words``
    words that end no sentence, a ``min_traces`` share of them menu items or lines repeated from the page's
    head (its menu), at most a ``max_numbers`` share holding a digit: a site menu (a footer's), not a
    table (its cells are numbers) nor a list article's list (its items are not repeated from the menu)."""
    runs = []
    first = 0
    for k, i in enumerate([*body, -1]):  # -1 closes the last run
        line = stripped[i] if i >= 0 else ""
        # the length first: most lines are too long for a menu item
        if line and len(line) <= 16 * max_words and len(line.split()) <= max_words and not ends_sentence(line):
            continue
        if k - first >= min_run:
            run = body[first:k]
            traces = sum(reasons.get(j) in _MENU_TRACES for j in run)
            numbers = sum(_HAS_DIGIT.search(stripped[j]) is not None for j in run)
            if traces >= min_traces * len(run) and numbers <= max_numbers * len(run):
                runs.append((first, k))
        first = k + 1
    return runs


def _with_menus(blocks: list[tuple[int, int, set[str]]],
                menus: list[tuple[int, int]]) -> list[tuple[int, int, set[str]]]:
    """The end blocks with the menu runs among them, as blocks of their own (the blocks that start inside a
    menu are part of it)."""
    if not menus:
        return blocks
    kept = [b for b in blocks if not any(first <= b[0] < end for first, end in menus)]
    return sorted([*kept, *((first, end, {"navigation"}) for first, end in menus)], key=lambda b: b[0])


def _mark_before_start_block(stripped: list[str], body: list[int], reasons: dict[int, str], *,
                             headline_zone: int = 2, max_run: int = 3, gap: int = 3,
                             max_ratio: float = 0.5, article: range = range(0)) -> None:
    """Everything before the article's start block, but its headline: the last run of removed lines
    that holds a start family (menu, byline, date, share bar, ...) before the article's body, when
    what precedes it is not article: no ``max_run`` prose lines in a row, and at most ``max_ratio``
    times as much prose as follows it.

    The body starts with the run of prose lines (at most ``gap`` other lines between two of them)
    that holds the most prose words. Sidebars, teasers and menus before it come one prose line at a
    time; the ``headline_zone`` lines just above the block (headline, standfirst) stay. When the known
    ``article`` (positions in ``body``, from its headline) starts below the block, it starts there instead.
    """
    words = _prose_words_of(stripped, body, reasons, article)
    body_start = _main_body_start(words, gap=gap)
    if body_start is None:
        return
    words_before = list(accumulate(words, initial=0))
    run_before = _longest_runs(words)  # run_before[k]: the longest prose run in words[:k]
    start = _start_block(body, reasons, body_start, words_before, run_before, max_run=max_run, max_ratio=max_ratio)
    if article and (start is None or start < article.start) and run_before[article.start] < max_run \
            and words_before[article.start] <= max_ratio * (words_before[-1] - words_before[article.start]):
        start, headline_zone = article.start, 0  # the headline is known: nothing above it is the article's
    if start is None:
        return
    above = [i for i in body[:start] if i not in reasons]
    for i in above[: max(0, len(above) - headline_zone)]:
        reasons[i] = "before the article's start block"


def _start_block(body: list[int], reasons: dict[int, str], body_start: int, words_before: list[int],
                 run_before: list[int], *, max_run: int, max_ratio: float) -> int | None:
    """The position of the last block of removed lines before ``body_start`` that holds a start family,
    with no ``max_run`` prose lines in a row above it and at most ``max_ratio`` times as much prose
    above it as below."""
    start = None
    for first, end in _removed_blocks(body, reasons, body_start):
        if (run_before[first] < max_run and words_before[first] <= max_ratio * (words_before[-1] - words_before[end])
                and any(reasons[i] in _START_FAMILIES for i in body[first:end])):
            start = first
    return start


def _prose_words_of(stripped: list[str], body: list[int], reasons: dict[int, str],
                    article: range = range(0)) -> list[int]:
    """For each line of ``body``: its words if it is a kept prose line or a kept line of the known
    ``article`` (positions in ``body``), else 0 (also for a line cut off with an ellipsis: a teaser's summary)."""
    words = [0 if i in reasons else _article_words(stripped[i]) for i in body]
    for k in article:
        if body[k] not in reasons:
            words[k] = len(stripped[body[k]].split())
    return words


@lru_cache(maxsize=1 << 18)
def _article_words(line: str) -> int:
    """The words of a prose line (:func:`prose_words`), 0 for a teaser whose headline is glued to its summary
    or a line cut off with an ellipsis (a teaser's summary)."""
    n = 0 if _cut_off(line) else prose_words(line)
    return 0 if n and _glued_teaser(line) else n


# Headline words: capitalized, numbers, quotes, or the short words a title-cased headline keeps lower-case.
_TITLE_SMALL = frozenset("of the a an to in on at for and or with by from vs as is".split())
_GLUE = re.compile(r"[a-z0-9?!][A-Z]")
_HEAD_CHARS = 300


def _title_word(word: str) -> bool:
    return word[0].isupper() or word[0].isdigit() or word[0] in "$'‘\"“(&" or word in _TITLE_SMALL


def _glued_teaser(line: str, *, min_title: int = 4, min_lower: int = 2) -> bool:
    """True for a teaser card flattened to one line, its title-cased headline glued to its summary
    ("Ferry Service Resumes After Storm RepairsThe ferry between ... runs again"): ``min_title`` or more
    headline words, then, without a space, a sentence with ``min_lower`` lower-case words among its first
    eight. The junction must join a word of four or more letters to a capital that starts a word of its
    own ("A", "I" or longer), so that brand names (MacBook, SpaceX) are no junction."""
    words = line.split(None, 3)
    if len(words) < 4 or not all(map(_title_word, words[:3])):  # cheap test before the search
        return False
    for match in _GLUE.finditer(line, 0, _HEAD_CHARS):  # a headline's length at most: no quadratic search
        cut = match.start() + 1
        head, tail = line[:cut].split(), line[cut:cut + _HEAD_CHARS].split()
        if len(head) < min_title or len(re.split(r"[\s-]", line[:cut])[-1]) < 4 \
                or (len(tail[0]) == 1 and tail[0] not in "AI"):
            continue
        if not all(map(_title_word, head)):
            return False
        return len(tail) >= 5 and sum(w[0].islower() and w not in _TITLE_SMALL for w in tail[:8]) >= min_lower
    return False


_CUT_OFF = re.compile(r"\w(\.\.\.|…)$")


def _cut_off(line: str) -> bool:
    """True for a line cut off with an ellipsis right after a word (``… and it wil...``). The suffix test
    first: the search alone, tried at every position of every line, cost more than the rest of the pass."""
    return line.endswith(("...", "…")) and _CUT_OFF.search(line) is not None


def _longest_runs(words: list[int]) -> list[int]:
    """For each k from 0 to ``len(words)``: the longest run of prose lines (``words > 0``) in ``words[:k]``."""
    found, current, longest = [0], 0, 0
    for n in words:
        current = current + 1 if n else 0
        if current > longest:
            longest = current
        found.append(longest)
    return found


def _removed_blocks(body: list[int], reasons: dict[int, str], stop: int) -> Iterator[tuple[int, int]]:
    """The runs of removed lines that start in ``body[:stop]``, as positions ``(first, end)``
    (``end`` excluded; a run may go on past ``stop``)."""
    k = 0
    while k < stop:
        if body[k] not in reasons:
            k += 1
            continue
        first = k
        while k < len(body) and body[k] in reasons:
            k += 1
        yield first, k


def _main_body_start(words: list[int], *, gap: int) -> int | None:
    """The position of the first line of the run of prose lines (``words[k] > 0``; at most ``gap``
    other lines between two of them) that holds the most prose words."""
    best, best_words = None, 0
    start, total, since = None, 0, 0
    for k, n in enumerate(words):
        if n:
            if start is None:
                start, total = k, 0
            total += n
            since = 0
            if total > best_words:
                best, best_words = start, total
        elif start is not None:
            since += 1
            if since > gap:
                start = None
    return best
