"""Line rules: the families of boilerplate that news pages carry, each named.

A line matches a family when the family's pattern is found and the line is
short enough (:func:`rule_reason`); :func:`is_prose` tells a body paragraph
from a headline, a caption or a menu item.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
        rf"^(share( this( article| story)?)?( on| to)?|{_SHARE_TARGETS})"
        rf"([\s|,•·/:]+(share|on|to|{_SHARE_TARGETS}))*[\s:]*$",
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
        r"subscribers? only|unlimited (digital )?access)\b", re.I), 15, 60,
     ("subscri", "sign up", "register", "newsletter", "become a", "journalism", "donate", "join our", "inbox",
      "already a", "log in", "login", "access")),
    ("subscribe prompt", re.compile(  # a paywall's: "To Read the Full Story", "Subscribe Sign In"
        r"^(to (read|continue reading) (the )?(full|whole|entire|rest of the) (story|article)|"
        r"subscribe\W*(or\W*)?(sign|log) ?in)\W*$", re.I), 8, 8, ("read", "subscri")),
    ("subscribe prompt", re.compile(  # a donation appeal: "Support Acme News and make a difference", "Support us"
        r"^(?i:please )?(?i:support|donate to) "
        r"(?:us|our [\w-]+|independent [\w-]+|(?:the |The )?[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2})"
        r"(?:[.!]?$| (?i:and|so|today|now|by|to help)\b)"), 25, 60,
     ("support", "donate")),
    ("cookie or ad-blocker notice", re.compile(
        r"\b(we use cookies|accept (all )?cookies|cookie (policy|settings|preferences)|"
        r"consent (preferences|settings|manager)|privacy (policy|settings)|"
        r"by (continuing|using) (to (use|browse) )?(this|our) (site|website)|"
        r"ad ?blocker|adblock( detected)?|disabl\w+ your ad|whitelist(ing)? (us|our site)|allow ads)\b",
        re.I), 15, 60, ("cookie", "consent", "privacy", "by continuing", "by using", "blocker", "adblock", "disabl",
                        "whitelist", "allow ads")),
    ("related-content heading", re.compile(
        r"^(our )?(more (from|on|in|stories|news|articles)|related( articles| stories| posts| news| content| topics)?|"
        r"read more|read next|read also|also read|recommended( for you| stories)?|trending( now| stories)?|"
        r"you (may|might) (also )?(like|enjoy|be interested)|most (popular|read|viewed|shared)|"
        r"see also|don'?t miss|latest (news|stories)|top stories|popular (posts|stories|articles)|"
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
        re.I), 6, 60, ("is a", "about the author", "picture of", "posted by", "written by", "author:", "contributor",
                       "staff writer")),
    ("author bio or outlet promotion", re.compile(
        r"^[A-Z][\w.'’-]+( [A-Z][\w.'’-]+){0,3} (is|was) an? ([\w-]+ ){0,3}(writer|reporter|journalist|editor|"
        r"correspondent|contributor|columnist|educator|author)\b|"
        r"^(about|über|sobre|à propos de) [A-Z]\w+( [A-Z]\w+)?$"),
     15, 60),
    ("byline or dateline", re.compile(
        r"^(by|from|reporting by|edited by|words by)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3}"
        r"((,| and| &)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,3})*\s*$|"
        r"^(published|updated|posted|last updated|first published)\b.{0,60}$|"
        r"^\(?(reporting|writing|editing|additional reporting) by\b.*\)?$|"
        r"^(senior |staff |contributing |guest )?(contributor|writer|reporter|editor|columnist)$|"
        r"^@\w{2,30}$|^[\w.+-]+@[\w-]+(\.[\w-]+)+$|"  # a handle or an e-mail address alone on its line
        r"^(\d+\s*min(ute)?s?\s*read|reading time:?.{0,20}|tempo de leitura:?.{0,20}|lesezeit:?.{0,20})$",
        re.I), 25, 25),
    ("copyright, disclaimer or affiliate notice", re.compile(
        r"(©|\(c\) ?\d{4}|\bcopyright\b|all rights reserved|"
        r"does not (always |necessarily )?(share|support|endorse)( or (share|support|endorse))? "
        r"(the )?(views|opinions)|"
        r"(views|opinions) (and opinions )?expressed|as an amazon associate|affiliate (link|commission)|"
        r"we may earn (a )?(small )?commission|paid partnership|sponsored content)", re.I), 12, 60,
     ("©", "(c)", "copyright", "all rights reserved", "does not", "expressed", "amazon associate", "affiliate",
      "commission", "paid partnership", "sponsored content")),
    ("copyright, disclaimer or affiliate notice", re.compile(r"^(©|\(c\)\s*\d{4}|copyright\s+(©\s*)?\d{4})", re.I),
     60, 60),
    ("copyright, disclaimer or affiliate notice", re.compile(
        r"\b(may not be (reproduced|republished|redistributed)|without (the )?((prior|express) )?written permission)\b",
        re.I), 60, 60, ("may not be", "written permission")),
    ("copyright, disclaimer or affiliate notice", re.compile(  # health and advice disclaimers: unmistakable
        r"\b(these statements have not been evaluated by the food and drug administration|"
        r"(is|are) not intended to diagnose, treat|not (a substitute|intended (as a substitute|to replace)) for "
        r"(professional )?(medical|legal|financial) advice|is (provided )?for (general )?informational purposes only|"
        r"the information (provided|contained) (on|in) this (web)?site)", re.I), 80, 80,
     ("evaluated by the food", "intended to diagnose", "substitute for", "to replace", "informational purposes",
      "information provided", "information contained")),
    ("copyright, disclaimer or affiliate notice", re.compile(  # ... and what an article may also advise
        r"\b(results (may )?vary\b.{0,40}\b(exercise|diet)|"
        r"consult (your|a) (physician|doctor)\b.{0,60}\b(before|prior to) (beginning|starting|using))", re.I), 12, 80,
     ("results", "consult")),
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
        r"\[\s*\d+\s+comments?\s*\]$|(top|most) (rated|recent|liked|popular) comments$|"
        r"((rating|score)\s*:?\s*)?[+-]?\d+\s+(votes?|likes?|points?)$|"
        r"join the (conversation|discussion)|add a comment|show comments|view comments|"
        r"be the first to comment|click here to comment|loading comments|have your say|"
        r"comments are (subject to|moderated)|"
        r"\(\d+\) comments?|\d+ thoughts on\b|lascia un commento|deixe (uma resposta|um comentário)|"
        r"добавить (комментарий|отзыв)|deja un comentario|laisser un commentaire|kommentar schreiben)\b",
        re.I), 12, 12),
    ("photo caption or credit", re.compile(
        r"^(file photo|photo|image|picture|photograph|illustration|caption)\s*(:|by\b|credit)|"
        r"^\(?(photo|image|credit)s?:|^\(?(image|photo|picture) (credit|courtesy)\b|\bsubmitted photo$|"
        r"credit:\s*[\w&'’/-]+( [\w&'’/-]+){0,3}$", re.I),  # also glued to its caption: "stormCredit: Getty"
     80, 80, ("photo", "image", "picture", "illustration", "caption", "credit")),
    ("photo gallery", re.compile(
        r"^((image|photo|picture|slide)\s*)?\d+\s*(of|/)\s*/?\s*\d+$|^(caption|back to gallery|"
        r"(view|open|launch) (the )?(photo )?gallery|enlarge (this )?image|expand)$", re.I), 6, 6),
    ("photo caption or credit", re.compile(
        r"\b(reuters|afp|ap photo|getty images|shutterstock|epa|alamy)\s*/|"
        r"/\s*(file photo|getty images|reuters)\b", re.I), 80, 80, ("/",)),
    ("image file name or slug", re.compile(r"\.(jpe?g|png|gif|webp|svg)$"), 30, 30),
    ("image file name or slug", re.compile(
        r"(\b\d{4} \d{2} \d{2}T\d{6}Z\b)|(\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z]{3})[A-Z0-9]{9,}\b)"), 15, 15,
     _DIGITS),
    ("navigation", re.compile(
        r"^(home|news|menu|search|skip to (main )?content|back to top( button)?|close|"
        r"advertisement|sponsored|ad|scroll to continue|continue reading( the main story| below)?|"
        r"supported by|next article|"
        r"previous article|load more|show more|sign in|log in|register|"
        r"available for amazon prime)$|"
        r"^home\s*[>/›»|]", re.I), 12, 12),
]

_TERMINATORS = ".!?…"
_CLOSERS = "\"”’')]"


def ends_sentence(line: str) -> bool:
    """True when ``line`` ends a sentence: a terminator (``.!?…``), then nothing but closing quotes
    and brackets, and at most one line break (string tests on the last characters, not a search
    from every position of the line)."""
    if line.endswith("\n"):
        line = line[:-1]
    end = line.rstrip(_CLOSERS)[-1:]
    return end != "" and end in _TERMINATORS


_PROSE_MIN_WORDS = 12
_PUNCTUATION = tuple(".,;:!?")


@lru_cache(maxsize=1 << 18)
def is_prose(line: str) -> bool:
    """True for a body-paragraph-like line: a sentence of some length, or a long line with
    punctuation (a long line without any is a keyword list or a tag cloud)."""
    words = line.split()
    return len(words) >= _PROSE_MIN_WORDS and ends_sentence(line) or (
        len(words) >= 30 and _contains_any(line, _PUNCTUATION))


@lru_cache(maxsize=1 << 18)
def rule_reason(line: str, *, at_edge: bool = False) -> str | None:
    """Return the boilerplate family a single line belongs to, or None.

    ``at_edge`` says the line stands before the article's first or after its
    last body paragraph, where longer notices (bios, disclaimers) are matched.
    """
    n_words = len(line.split(None, _MOST_WORDS))  # past the longest any rule takes: no need to count on
    if n_words > _MOST_WORDS:
        return None
    lower = line.lower()
    for reason, pattern, anywhere, edge, needs in _RULES:
        if n_words <= (edge if at_edge else anywhere) and (not needs or _contains_any(lower, needs)) \
                and pattern.search(line):
            return reason
    return None


def _contains_any(text: str, literals: tuple[str, ...]) -> bool:
    for literal in literals:  # a plain loop: twice as fast as any() over a generator
        if literal in text:
            return True
    return False


# The reasons the families give, in the order they are tried.
FAMILY_REASONS: tuple[str, ...] = tuple(dict.fromkeys(reason for reason, *_ in _FAMILIES))
# The families with their prefilter always present (empty: none).
_RULES = [(reason, pattern, anywhere, edge, needs[0] if needs else ()) for reason, pattern, anywhere, edge, *needs
          in _FAMILIES]
_MOST_WORDS = max(max(anywhere, edge) for _, _, anywhere, edge, _ in _RULES)


@lru_cache(maxsize=1 << 18)
def prose_words(line: str) -> int:
    """The words of a prose line (:func:`is_prose`), 0 for any other line."""
    return len(line.split()) if is_prose(line) else 0
