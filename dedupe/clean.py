"""Clean stage: raw article text in, article text and the removed lines out.

Three passes, each explainable line by line:

1. rules: families of boilerplate that news pages carry (share bars,
   subscribe prompts, cookie and ad-blocker notices, "More from" blocks,
   author bios, disclaimers, comment prompts, photo captions and slugs,
   navigation), plus a teaser that repeats the lede and repeated lines, and
   readers' comments after the article;
2. structure: the block of short, non-sentence lines after the last body
   paragraph (where the article ends);
3. repetition across documents (:class:`TemplateLines`): lines that recur in
   many documents of one input while covering a minority of each of them
   (one outlet's template around different stories).

The bias is conservative: a line is removed only with a reason, headlines
and subheadings are kept, and a block that is only boilerplate still leaves
the document empty rather than guessing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from .normalize import normalize

CLEANER_VERSION = "4"  # bump when a rule changes what is removed (indexes record it)

# Each family: (reason, pattern, max words anywhere, max words at an edge[, needs]).
# A line matches a family when the pattern is found and the line is short
# enough; the longer limit applies only at the article's edges (before its
# first or after its last body paragraph), so that an article *about*
# copyright or cookies keeps its sentences. ``needs``, where given, lists
# literals of which the lower-cased line must contain one for the pattern to
# be tried at all: a substring test is far cheaper than a case-insensitive
# search that starts at every position of a long line.
_DIGITS = tuple("0123456789")
_SHARE_TARGETS = (
    r"(tweet|pin it|email|e-mail|print|copy link|copy url|facebook|twitter|x|linkedin|whatsapp|reddit|telegram|"
    r"flipboard|messenger|pinterest|tumblr|google\+|blogger|stumbleupon|vk|vkontakte|odnoklassniki|pocket|mix|"
    r"buffer|digg|viber|skype|sms|weibo|wechat|xing|instapaper|evernote|threads|bluesky|mastodon)")
_FAMILIES: list[tuple[str, re.Pattern[str], int, int] | tuple[str, re.Pattern[str], int, int, tuple[str, ...]]] = [
    ("share bar", re.compile(
        rf"^(share( this( article| story)?)?( on)?|{_SHARE_TARGETS})([\s|,•·/:]+(share|{_SHARE_TARGETS}))*[\s:]*$",
        re.I), 12, 12),
    ("share bar", re.compile(
        r"^(sharing is caring|\d[\d,.]*k?\s*shares?|share (this|via|on) (entry|post|page|email|facebook|twitter)|"
        r"(like|enjoy(ed)?) this (story|article)\?? share it\b|follow (us|me)\b|follow .{1,40} on\b|"
        r"share (it|this|your thoughts) with (a friend|friends|your friends))", re.I), 10, 10),
    ("related-content heading", re.compile(r"^More( [A-Z][\w'’.&-]*){1,3}$"), 4, 4),
    ("subscribe prompt", re.compile(
        r"^(get (our|the) .{0,40}newsletter|see all newsletters|sign up for (our )?(e-?mail )?newsletters?|"
        r"thanks for signing up|.{0,40}\bnewsletter)$", re.I), 8, 8, ("newsletter", "signing up")),
    ("subscribe prompt", re.compile(
        r"\b((subscribe|sign up|register)( now| today| here)? (to|for) (our|the|a|free)|our newsletter|"
        r"become a (member|subscriber|patron)|support (our|independent) journalism|"
        r"donate (now|today|to us)|join our (mailing|email) list|delivered (straight )?to your inbox|"
        r"already a (member|subscriber)|log ?in to (continue|read)|subscribe now|"
        r"subscribers? only|unlimited (digital )?access)\b", re.I), 15, 60),
    ("cookie or ad-blocker notice", re.compile(
        r"\b(we use cookies|accept (all )?cookies|cookie (policy|settings|preferences)|"
        r"consent (preferences|settings|manager)|privacy (policy|settings)|"
        r"by (continuing|using) (to (use|browse) )?(this|our) (site|website)|"
        r"ad ?blocker|adblock( detected)?|disabl\w+ your ad|whitelist(ing)? (us|our site)|allow ads)\b",
        re.I), 15, 60, ("cookie", "consent", "privacy", "by continuing", "by using", "blocker", "adblock", "disabl",
                        "whitelist", "allow ads")),
    ("related-content heading", re.compile(
        r"^(more (from|on|in|stories|news|articles)|related( articles| stories| posts| news| content| topics)?|"
        r"read more|read next|read also|also read|recommended( for you| stories)?|trending( now| stories)?|"
        r"you (may|might) (also )?(like|enjoy|be interested)|most (popular|read|viewed|shared)|"
        r"see also|don'?t miss|latest (news|stories)|top stories|popular (posts|stories)|"
        r"what to read next|more to explore|front of mind|editor'?s picks|next up in|popular on|"
        r"more great \w+ stories|(similar|related) (articles|stories|posts|videos)|"
        # the same headings in other languages (pt, es, fr, it, de, ru, ja)
        r"artigos relacionados|leia (também|mais)|voc[êe] (também )?pode gostar|veja também|"
        r"not[íi]cias relacionadas|art[íi]culos relacionados|lee también|te puede interesar|"
        r"à lire aussi|lire aussi|articles similaires|sur le même sujet|leggi anche|articoli correlati|"
        r"(ti )?potrebbe interessar(ti|e)|lesen sie (auch|mehr)|auch interessant|weitere artikel|"
        r"das könnte sie auch interessieren|материалы по теме|читайте также|похожие (статьи|записи|новости)|"
        r"вам (также )?может быть интересно|関連記事|こちらの記事も)", re.I), 10, 10),
    ("tags or categories", re.compile(
        r"^(tags?|topics?|categories|filed under|subjects?|tagged( with)?|теги|タグ)\s*:?(\s|$)", re.I), 25, 25),
    ("post navigation", re.compile(
        r"^(«\s*)?(previous|next|prev) (post|article|story|entry)\b|^post navigation$", re.I), 12, 12),
    ("author bio or outlet promotion", re.compile(
        r"(\bis an? (premium|leading|independent|award[- ]winning|trusted|top|popular|free)?\s*"
        r"(online|digital|news|media)? ?(portal|platform|website|publication|outlet|news site|magazine)\b)|"
        r"^(about the author|picture of|posted by|written by|author:|contributor\b|staff writer)",
        re.I), 6, 60),
    ("author bio or outlet promotion", re.compile(
        r"^[A-Z][\w.'’-]+( [A-Z][\w.'’-]+){0,3} (is|was) an? ([\w-]+ ){0,3}(writer|reporter|journalist|editor|"
        r"correspondent|contributor|columnist|educator|author)\b|"
        r"^(about|über|sobre|à propos de) [A-Z]\w+( [A-Z]\w+)?$"),
     15, 60),
    ("byline or dateline", re.compile(
        r"^(by|from|reporting by|edited by|words by)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}"
        r"((,| and| &)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*\s*$|"
        r"^(published|updated|posted|last updated|first published)\b.{0,60}$|"
        r"^\(?(reporting|writing|editing|additional reporting) by\b.*\)?$", re.I), 25, 25),
    ("copyright, disclaimer or affiliate notice", re.compile(
        r"(©|\(c\) ?\d{4}|\bcopyright\b|all rights reserved|"
        r"does not (always |necessarily )?(share|support|endorse)( or (share|support|endorse))? "
        r"(the )?(views|opinions)|"
        r"views (and opinions )?expressed|as an amazon associate|affiliate (link|commission)|"
        r"we may earn (a )?(small )?commission|paid partnership|sponsored content)", re.I), 12, 60),
    ("copyright, disclaimer or affiliate notice", re.compile(r"^(©|\(c\)\s*\d{4}|copyright\s+(©\s*)?\d{4})", re.I),
     60, 60),
    ("copyright, disclaimer or affiliate notice", re.compile(
        r"\b(may not be (reproduced|republished|redistributed)|without (the )?(prior|express) written permission)\b",
        re.I), 60, 60, ("may not be", "written permission")),
    ("cookie or ad-blocker notice", re.compile(
        r"\b(our use of cookies|use of cookies and|tracking technologies)\b", re.I), 30, 60,
     ("cookies", "tracking technologies")),
    ("date or time line", re.compile(
        r"^(((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(\d{1,2}(st|nd|rd|th)?\s+)?"
        r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|"
        r"sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.?(\s+\d{1,2}(st|nd|rd|th)?)?,?\s+\d{4}|"
        r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d+\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|"
        r"w|weeks?|months?|years?)\s+ago|today|yesterday)"
        r"(,?\s*(at\s+)?\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?)?(\s*(utc|gmt|[ecmp][sd]t))?$", re.I), 8, 8),
    ("archive or category count", re.compile(r"^[^\W\d][\w .'’&-]{1,40}\s\(\d+\)$"), 6, 6),
    ("comment prompt", re.compile(
        r"^(leave a (comment|reply)|\d+ comments?|comments?( are)? closed|post a comment|"
        r"(reply|add comment|all comments|show (more|new|all) comments.*)$|"
        r"join the (conversation|discussion)|add a comment|show comments|view comments|"
        r"be the first to comment|click here to comment|loading comments|have your say|"
        r"\(\d+\) comments?|\d+ thoughts on\b|lascia un commento|deixe (uma resposta|um comentário)|"
        r"добавить (комментарий|отзыв)|deja un comentario|laisser un commentaire|kommentar schreiben)\b",
        re.I), 12, 12),
    ("photo caption or credit", re.compile(
        r"^(file photo|photo|image|picture|photograph|illustration|caption)\s*(:|by\b|credit)|"
        r"^\(?(photo|image|credit)s?:", re.I), 80, 80),
    ("photo caption or credit", re.compile(
        r"\b(reuters|afp|ap photo|getty images|shutterstock|epa|alamy)\s*/|"
        r"/\s*(file photo|getty images|reuters)\b", re.I), 80, 80, ("/",)),
    ("image file name or slug", re.compile(r"\.(jpe?g|png|gif|webp|svg)$"), 30, 30),
    ("image file name or slug", re.compile(
        r"(\b\d{4} \d{2} \d{2}T\d{6}Z\b)|(\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z]{3})[A-Z0-9]{9,}\b)"), 15, 15,
     _DIGITS),
    ("navigation", re.compile(
        r"^(home|news|menu|search|skip to (main )?content|back to top( button)?|close|"
        r"advertisement|sponsored|ad|scroll to continue|continue reading|next article|"
        r"previous article|load more|show more|sign in|log in|register|"
        r"available for amazon prime)$|"
        r"^home\s*[>/›»|]", re.I), 12, 12),
]

_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_TEASER_END = re.compile(r"(\.\.\.|…)\s*$")
# A reader comment's attribution line: "Name on September 12, 2018 at 4:47 pm said:"
# (unmistakable), or "username says:" (a comment system's; news text writes "said:").
_DATED_COMMENTER = re.compile(
    r"^.{1,60}?\s(on\s+)?(\w+\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+\w+\.?,?\s+\d{4}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
    r",?\s+(at\s+)?\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?\s*(said|says|wrote)\s*:$", re.I)
_COMMENTER = re.compile(r"^\S+(\s\S+){0,3}\s+says\s*:$", re.I)
_COMMENTS_HEADING = re.compile(
    r"^(\d+\s+(responses?|comments?|thoughts|replies|reactions)\b|comments?\b|leave a (comment|reply)|"
    r"join the (conversation|discussion)|reader comments)", re.I)
_PROSE_MIN_WORDS = 12


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


@lru_cache(maxsize=1 << 18)
def is_prose(line: str) -> bool:
    """True for a body-paragraph-like line: a sentence of some length."""
    words = line.split()
    return len(words) >= _PROSE_MIN_WORDS and bool(_SENTENCE_END.search(line)) or len(words) >= 30


@lru_cache(maxsize=1 << 18)
def rule_reason(line: str, *, at_edge: bool = False) -> str | None:
    """Return the boilerplate family a single line belongs to, or None.

    ``at_edge`` says the line stands before the article's first or after its
    last body paragraph, where longer notices (bios, disclaimers) are matched.
    """
    n_words = len(line.split())
    lower = line.lower()
    for reason, pattern, anywhere, edge, *needs in _FAMILIES:
        if (n_words <= (edge if at_edge else anywhere) and (not needs or any(w in lower for w in needs[0]))
                and pattern.search(line)):
            return reason
    return None


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
        key = keys[i] = _line_key(line)
        if reason is None and key and key in seen and not extracted:
            reason = "repeated line"
        if reason is None and _TEASER_END.search(line):
            prefix = _line_key(_TEASER_END.sub("", line))
            if prefix and any(_line_key(stripped[j]).startswith(prefix)
                              for j in body if j > i and len(stripped[j]) > len(line) - 3):
                reason = "teaser repeating the lede"
        if reason:
            reasons[i] = reason
        seen.add(key)

    _mark_related_blocks(stripped, body, reasons)
    _mark_comments(stripped, body, reasons)
    _mark_edges(stripped, body, reasons, page=not extracted)

    kept = [lines[i] for i in range(len(lines)) if i not in reasons]
    removed = [Removal(i + 1, stripped[i], reasons[i]) for i in sorted(reasons)]
    kept_body = [i for i in body if i not in reasons]
    cleaned = Cleaned(_tidy("\n".join(kept)), removed, [keys[i] for i in kept_body], [i + 1 for i in kept_body])
    return without_templates(cleaned, templates) if templates is not None else cleaned


def _mark_related_blocks(stripped: list[str], body: list[int], reasons: dict[int, str]) -> None:
    """A related-content heading takes the non-prose lines under it along."""
    inside = False
    for i in body:
        if reasons.get(i) == "related-content heading":
            inside = True
        elif inside and not is_prose(stripped[i]):
            reasons.setdefault(i, "related-content list")
        else:
            inside = False


def _mark_comments(stripped: list[str], body: list[int], reasons: dict[int, str]) -> None:
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


def _mark_edges(stripped: list[str], body: list[int], reasons: dict[int, str], *, page: bool = True) -> None:
    """Mark edge notices; on a whole ``page``, also the menus before the article, the short
    non-sentence lines after its last body paragraph and what follows its end block."""
    for i in body:  # head: edge families only; headlines stay
        if i in reasons:
            continue
        reason = rule_reason(stripped[i], at_edge=True)
        if reason:
            reasons[i] = reason
        elif is_prose(stripped[i]):
            break
    if page:
        _mark_navigation(stripped, body, reasons)
    if not any(i not in reasons and is_prose(stripped[i]) for i in body):
        return
    closed = False  # an end family passed: what is above it is the article's (a list article's list)
    for i in reversed(body):  # tail
        if i in reasons:
            closed = closed or reasons[i] in _CLOSING_FAMILIES
            continue
        reason = rule_reason(stripped[i], at_edge=True)
        if reason:
            reasons[i] = reason
            closed = closed or reason in _CLOSING_FAMILIES
        elif closed or not page or is_prose(stripped[i]) or _SENTENCE_END.search(stripped[i]):
            break
        else:
            reasons[i] = "after the end of the article"
    if page:
        _mark_after_end_block(stripped, body, reasons)
        _mark_before_start_block(stripped, body, reasons)


def _mark_navigation(stripped: list[str], body: list[int], reasons: dict[int, str], *, min_run: int = 4,
                     headline_zone: int = 3) -> None:
    """Before the first body paragraph, runs of ``min_run`` or more short lines that end no sentence are
    menus; the ``headline_zone`` lines just before that paragraph (headline, standfirst, byline) stay."""
    kept = [i for i in body if i not in reasons]
    first = next((k for k, i in enumerate(kept) if is_prose(stripped[i])), None)
    if first is None:
        return
    run: list[int] = []
    for i in [*kept[: max(0, first - headline_zone)], -1]:  # -1 closes the last run
        if i >= 0 and not _SENTENCE_END.search(stripped[i]):
            run.append(i)
            continue
        if len(run) >= min_run:
            reasons.update(dict.fromkeys(run, "navigation before the article"))
        run = []


# Families that follow an article's last line, not a page's: a list above them is the article's.
_CLOSING_FAMILIES = frozenset({"share bar", "author bio or outlet promotion", "comment prompt", "reader comments"})
# Families that close an article: a block of removed lines holding one of them can be its end.
_END_FAMILIES = frozenset({
    "share bar", "tags or categories", "post navigation", "comment prompt", "related-content heading",
    "subscribe prompt", "author bio or outlet promotion",
    "reader comments", "copyright, disclaimer or affiliate notice", "cookie or ad-blocker notice",
    "date or time line", "byline or dateline"})


def _mark_after_end_block(stripped: list[str], body: list[int], reasons: dict[int, str], *,
                          min_paragraphs: int = 2, max_run: int = 3, max_ratio: float = 2.0) -> None:
    """Everything after the article's end block: the first run of removed lines that holds an
    end family (share bar, comment prompt, "Related", copyright, ...) after ``min_paragraphs``
    prose lines, when what follows is not the article going on.

    The article goes on when ``max_run`` prose lines follow one another somewhere after the
    block, or when there is more than twice as much prose after it as before: an advertisement
    or a related link inside an article is followed by more of its paragraphs, while teasers of
    other stories and readers' comments come one prose line at a time, between headlines,
    names and dates.
    """
    if not any(reason in _END_FAMILIES for reason in reasons.values()):
        return
    words = [0 if i in reasons else _prose_words(stripped[i]) for i in body]  # 0: not a prose line
    first = next((k for k, n in enumerate(words) if n), None)
    if first is None:
        return
    # From each position to the end: the longest run of prose lines, and the prose words.
    run_after, words_after = [0] * (len(body) + 1), [0] * (len(body) + 1)
    current = longest = 0
    for k in range(len(body) - 1, first - 1, -1):
        current = current + 1 if words[k] else 0
        longest = run_after[k] = current if current > longest else longest
        words_after[k] = words_after[k + 1] + words[k]
    paragraphs = words_before = 0
    k = first
    while k < len(body):
        if body[k] not in reasons:
            paragraphs += words[k] > 0
            words_before += words[k]
            k += 1
            continue
        ends = False
        while k < len(body) and body[k] in reasons:
            ends = ends or reasons[body[k]] in _END_FAMILIES
            k += 1
        if (ends and paragraphs >= min_paragraphs and run_after[k] < max_run
                and words_after[k] <= max_ratio * words_before):
            for i in body[k:]:
                reasons.setdefault(i, "after the article's end block")
            return


# Families that come before an article: a block of removed lines holding one of them can be its start.
_START_FAMILIES = frozenset({
    "navigation", "navigation before the article", "share bar", "subscribe prompt", "cookie or ad-blocker notice",
    "date or time line", "byline or dateline", "tags or categories", "related-content heading",
    "related-content list", "post navigation", "image file name or slug", "photo caption or credit",
    "author bio or outlet promotion", "repeated line"})


def _mark_before_start_block(stripped: list[str], body: list[int], reasons: dict[int, str], *,
                             headline_zone: int = 2, max_run: int = 3, gap: int = 3,
                             max_ratio: float = 0.5) -> None:
    """Everything before the article's start block, but its headline: the last run of removed lines
    that holds a start family (menu, byline, date, share bar, ...) before the article's body, when
    what precedes it is not article: no ``max_run`` prose lines in a row, and at most half as much
    prose as follows it.

    The body starts with the run of prose lines (at most ``gap`` other lines between two of them)
    that holds the most prose words. Sidebars, teasers and menus before it come one prose line at a
    time; the ``headline_zone`` lines just above the block (headline, standfirst) stay.
    """
    words = [0 if i in reasons else _prose_words(stripped[i]) for i in body]  # 0: not a prose line
    body_start = _main_body_start(words, gap=gap)
    if body_start is None:
        return
    run_before, words_before = [0] * (body_start + 1), [0] * (body_start + 1)
    current = longest = 0
    for k in range(body_start):
        current = current + 1 if words[k] else 0
        longest = run_before[k + 1] = current if current > longest else longest
        words_before[k + 1] = words_before[k] + words[k]
    words_after_start = sum(words[body_start:])
    start = None
    k = 0
    while k < body_start:
        if body[k] not in reasons:
            k += 1
            continue
        block, starts = k, False
        while k < len(body) and body[k] in reasons:
            starts = starts or reasons[body[k]] in _START_FAMILIES
            k += 1
        after = words_after_start + (words_before[body_start] - words_before[min(k, body_start)])
        if starts and run_before[block] < max_run and words_before[block] <= max_ratio * after:
            start = block
    if start is None:
        return
    above = [i for i in body[:start] if i not in reasons]
    for i in above[: max(0, len(above) - headline_zone)]:
        reasons[i] = "before the article's start block"


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


@lru_cache(maxsize=1 << 18)
def _prose_words(line: str) -> int:
    """The words of a prose line (:func:`is_prose`), 0 for any other line."""
    return len(line.split()) if is_prose(line) else 0


def without_templates(cleaned: Cleaned, templates: TemplateLines) -> Cleaned:
    """Remove the learned template lines from a rule-cleaned document."""
    if not templates.lines_ or not any(map(templates.is_template, cleaned.keys)):
        return cleaned
    lines = cleaned.text.splitlines()
    body = [k for k, line in enumerate(lines) if line.strip()]  # one per key
    keep = [not templates.is_template(k) for k in cleaned.keys]
    extra = [Removal(n, lines[k].strip(), "template repeated across documents")
             for n, k, ok in zip(cleaned.line_numbers, body, keep) if not ok]
    gone = {k for k, ok in zip(body, keep) if not ok}
    return Cleaned(_tidy("\n".join(line for k, line in enumerate(lines) if k not in gone)),
                   sorted([*cleaned.removed, *extra], key=lambda r: r.line),
                   [k for k, ok in zip(cleaned.keys, keep) if ok],
                   [n for n, ok in zip(cleaned.line_numbers, keep) if ok])


_line_key = lru_cache(maxsize=1 << 18)(normalize)


def line_keys(lines: Iterable[str]) -> list[str]:
    """The normalized form of each non-empty line: what :class:`TemplateLines` compares."""
    return [k for k in map(_line_key, lines) if k]


def _tidy(text: str) -> str:
    """Collapse runs of blank lines left by removals and trim the ends."""
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text).strip()


class TemplateLines:
    """Lines that one input repeats around different stories (an outlet's template).

    A line is a template line when it occurs in at least ``min_docs``
    documents and, in most of those documents, the text they have in common
    (lines present in at least half of them) is a minority of the document:
    the documents are different stories wearing the same template. A story
    copied many times fails that test, because its copies share most of
    their text.

    Args:
        min_docs: How many documents a line must occur in to be considered.
        max_share: The largest median share of a document that the common
            lines may cover for them to count as template.
        sample: About this many of a line's documents are measured.
    """

    def __init__(self, *, min_docs: int = 5, max_share: float = 0.5, sample: int = 25) -> None:
        self.min_docs = min_docs
        self.max_share = max_share
        self.sample = sample
        self.lines_: set[str] = set()

    def fit(self, documents: Iterable[Sequence[str]]) -> TemplateLines:
        """Learn template lines from the documents' lines (after rule cleaning)."""
        return self.fit_keys([line_keys(lines) for lines in documents])

    def fit_keys(self, documents: Sequence[Sequence[str]]) -> TemplateLines:
        """Learn template lines from each document's :func:`line_keys`."""
        doc_lines = [list(keys) for keys in documents]
        doc_sets: dict[str, set[int]] = defaultdict(set)
        for d, keys in enumerate(doc_lines):
            for k in keys:
                doc_sets[k].add(d)
        by_docs: dict[frozenset[int], list[str]] = defaultdict(list)
        for k, ds in doc_sets.items():
            if len(ds) >= self.min_docs:
                by_docs[frozenset(ds)].append(k)
        words = {k: k.count(" ") + 1 for k in doc_sets}
        weights: dict[int, dict[str, int]] = {}
        for docs, keys in by_docs.items():
            if self._is_template(docs, doc_lines, words, weights):
                self.lines_.update(keys)
        return self

    def _is_template(self, docs: frozenset[int], doc_lines: list[list[str]], words: dict[str, int],
                     weights: dict[int, dict[str, int]]) -> bool:
        """True when, in most sampled documents, the lines common to half of the sample are a minority.

        ``weights`` caches, per document, the words each distinct line adds to
        it (repeats counted). Stops measuring documents as soon as the
        majority is decided.
        """
        sampled = sorted(docs)[:: max(1, len(docs) // self.sample)]
        present: Counter[str] = Counter()
        for d in sampled:
            if d not in weights:
                found = weights[d] = {}
                for k in doc_lines[d]:
                    found[k] = found.get(k, 0) + words[k]
            present.update(weights[d].keys())
        half = len(sampled) / 2
        common_lines = [k for k, n in present.items() if n >= half]
        needed = len(sampled) // 2 + 1  # minority documents for a template (the median is below max_share)
        minority = majority = 0
        for d in sampled:
            weight = weights[d]
            total = sum(weight.values())
            common = sum(weight.get(k, 0) for k in common_lines)
            if total and common / total < self.max_share:
                minority += 1
                if minority >= needed:
                    return True
            else:
                majority += 1
                if majority > len(sampled) - needed:
                    return False
        return False

    def is_template(self, key: str) -> bool:
        """True when the normalized line ``key`` was learned as template."""
        return key in self.lines_


__all__ = ["CLEANER_VERSION", "Cleaned", "Removal", "TemplateLines", "clean", "line_keys", "without_templates",
           "rule_reason", "is_prose"]
