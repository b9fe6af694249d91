"""Clean stage: exactly the boilerplate lines of the seeds go, article sentences stay, templates are learned."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import extraction
from feed_builders import seed_feed
from dedupe import clean, structure
from dedupe.clean import TemplateLines, is_prose
from dedupe import rules
from dedupe.normalize import normalize

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# The boilerplate of each seed, listed by reading the files, in file order.
BOILERPLATE: dict[str, list[str]] = {
    "000_bfbadb3f299e418c.txt": [],
    "001_11fbaa8c86e3078d.txt": [
        "Pro-Iran groups in Iraq have intensified calls for the withdrawal of US troops following a series of "
        "Israeli strikes on Iran. A prominent faction, Kataeb...",
        "Pro-Iran Groups in Iraq Demand Withdrawal of US Troops Amid Escalating Tensions",  # second copy
        "Picture of SSBCrackExams",
        "SSBCrackExams",
        "SSBCrackExams is a premium online portal for Indian Defence aspirants, helping them to achieve their "
        "dreams of joining Indian Defence forces.",
        "Leave a Comment",
    ],
    "002_c094ca8cd057c268.txt": [],
    "003_da02074730d16e77.txt": [
        "2024 01 08T193634Z 1 LYNXMPEK070Q3 RTROPTP 4 IRAQ SECURITY USA scaled",
        "FILE PHOTO: Military vehicles of U.S. soldiers are seen at the al-Asad air base in Anbar province, Iraq, "
        "January 13, 2020. REUTERS/John Davison/File Photo",
        "More from Qonversations",
        "Global Gender Gap",
        "Global gender pay gap to close in 134 years – Report",
        "South Korea Birth rate",
        "South Korea: younger girls and older boys = increased birth rate?",
        "Global Affairs",
        "2023 11 27T105503Z 174275005 RC2ML4ARBVEY RTRMADP 3 RUSSIA VTB",
        "Putin denies any intention for Russia to attack NATO",
        "2024 05 27T100733Z 1 LYNXMPEK4Q085 RTROPTP 4 HEALTH WHO",
        "How COVID-19 eliminated a decade of progress in the global level of life experience",
        "Front of mind",
    ],
    "004_26411969a0d151c5.txt": [
        '" Conservative News Daily does not always share or support the views and opinions expressed here; '
        'they are just those of the writer."',
        "*As an Amazon Associate I earn from qualifying purchases",
        "Back to top button",
        "Available for Amazon Prime",
        "Close",
        "Adblock Detected",
        "Please consider supporting us by disabling your ad blocker",
    ],
}


def test_every_seed_has_a_boilerplate_list() -> None:
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(BOILERPLATE)


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_seed_loses_exactly_its_boilerplate(name: str) -> None:
    text = (SEEDS / name).read_text(encoding="utf-8")
    expected = BOILERPLATE[name]
    lines = [line.strip() for line in text.splitlines()]
    assert all(line in lines for line in expected), "the expected list must quote the seed"

    cleaned = clean(text)

    assert [r.text for r in cleaned.removed] == expected
    kept = Counter(line.strip() for line in cleaned.text.splitlines() if line.strip())
    assert kept == Counter(line for line in lines if line) - Counter(expected)


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_removals_carry_reasons_and_input_line_numbers(name: str) -> None:
    text = (SEEDS / name).read_text(encoding="utf-8")
    lines = text.splitlines()

    removed = clean(text).removed

    assert [r.line for r in removed] == sorted({r.line for r in removed})
    for r in removed:
        assert r.reason.strip()
        assert 1 <= r.line <= len(lines)
        assert lines[r.line - 1].strip() == r.text


def test_second_headline_copy_is_the_one_removed() -> None:
    removed = clean((SEEDS / "001_11fbaa8c86e3078d.txt").read_text(encoding="utf-8")).removed
    assert [r.line for r in removed][:2] == [3, 5]


NEWSPAPER_ARTICLE = [
    "Regional Newspaper Loses Two Legal Battles In One Week",
    "The Dunmore Gazette, a family-owned newspaper founded in 1887, lost two separate legal disputes this week, "
    "and its editor warned readers that the costs could force cuts to the printed edition.",
    "{middle}",
    "Lawyers for the newspaper said they were studying both decisions and had not yet decided whether to appeal, "
    "a step that would keep the cases in the courts for at least another year.",
]


@pytest.mark.parametrize("middle", [
    "The court ruled that the copyright claim brought by a freelance photographer had merit because the paper "
    "printed his picture of the floods without permission or payment.",
    "Investigators said the site's cookie policy allowed advertisers to track readers across dozens of news "
    "websites without their consent, the regulator's report said.",
    "On November 12, 2019 the first of the two rulings arrived, three hours after the hearing had ended and "
    "long before the editor had expected any word from the judge.",
    "The bank declined to extend the newspaper any more credit: it wanted the debts of the printing plant "
    "repaid first, the editor said.",
    "Readers who took the paper's advice on winter swimming should consult a doctor before starting, the editor "
    "wrote, and results vary with the diet and the exercise of each swimmer.",
])
def test_article_sentence_about_copyright_or_cookies_is_kept(middle: str) -> None:
    text = "\n\n".join(NEWSPAPER_ARTICLE).replace("{middle}", middle)

    cleaned = clean(text)

    assert cleaned.removed == []
    assert middle in cleaned.text.splitlines()


FOOTER = [
    "Globe Daily Wire delivers independent local reporting every single morning.",
    "Tips and corrections reach our newsroom through the contact page on our website.",
]

STORIES = [
    ["Harbour Ferry Service Resumes After Storm Repairs",
     "The harbour ferry between Port Ellis and the northern islands restarted on Monday after engineers replaced "
     "two damaged landing ramps that were torn loose during last month's winter storm surge.",
     "Commuters queued from dawn at the terminal, and the operator added three extra sailings in the morning to "
     "clear a backlog of freight lorries that had waited almost a week for space on board.",
     "The regional transport board said a permanent sea wall around the terminal would be designed this spring, "
     "although funding for construction has not yet been approved by the island councils."],
    ["Village Library Opens Robotics Club For Teenagers",
     "Teenagers in Ashcombe can now build and program small robots every Thursday evening, after the village "
     "library converted an unused storage room into a workshop with soldering benches and laptops.",
     "Volunteers from a nearby aerospace firm supervise the sessions, teaching circuit design, sensor wiring and "
     "basic coding while the students compete to steer their machines through an obstacle maze.",
     "Librarians hope the club will attract pupils who rarely borrow books, and they plan a county tournament in "
     "June where teams from six neighbouring schools will race their autonomous rovers."],
    ["Orchard Growers Report Record Cherry Harvest",
     "Cherry farmers across the Dunmore valley picked their largest crop in two decades this summer, helped by a "
     "frost-free April, steady rainfall in May and an unusually long spell of warm sunshine.",
     "Packing sheds ran double shifts to grade and chill the fruit, and several growers hired seasonal pickers "
     "from universities because the usual contract crews were already booked by vineyards elsewhere.",
     "Prices at the wholesale market fell sharply as supplies surged, so the growers' cooperative has started "
     "selling surplus cherries to a distillery and a jam maker instead of leaving them to rot."],
    ["Hospital Trials Night Clinic For Shift Workers",
     "St Brendan's hospital has begun a six-month experiment offering outpatient appointments between ten at "
     "night and two in the morning for nurses, drivers, cleaners and factory staff on late shifts.",
     "Doctors running the pilot said the first fortnight was fully booked, mostly with blood tests, diabetes "
     "checks and physiotherapy that patients had postponed for months because of their working hours.",
     "Hospital managers will compare missed-appointment rates with daytime clinics before deciding whether to "
     "extend the scheme, which costs roughly the same as hiring two additional consultants."],
    ["Mountain Rescue Team Gets Thermal Imaging Drone",
     "Volunteers with the Carrick mountain rescue team received a drone fitted with a thermal camera, bought "
     "with donations from climbers, hillwalking clubs and a local brewery that held a charity auction.",
     "The aircraft can search a steep gully in minutes, spotting the body heat of an injured walker through "
     "fog or darkness, tasks that previously demanded hours of dangerous scrambling by exhausted crews.",
     "Team leaders are training four pilots to fly it in gusty conditions, and they expect the equipment to "
     "shorten most winter searches, when daylight is short and hypothermia sets in quickly."],
    ["Tram Extension Reaches University Campus",
     "Passengers boarded the first tram to the university campus on Saturday, ending four years of roadworks "
     "that closed lanes along Mill Road and forced dozens of shops to adjust their delivery times.",
     "The new line adds five stops and a park-and-ride site near the ring road, and city planners predict it "
     "will carry around twelve thousand students, lecturers and hospital visitors every weekday.",
     "Business owners along the route welcomed the reopening but asked the council for compensation for lost "
     "trade, citing months when footfall dropped because pavements were fenced off."],
    ["Bakery Cooperative Revives Heritage Grain Bread",
     "A cooperative of bakers in Wexmoor has revived loaves made from spelt and einkorn varieties that local "
     "millers abandoned in the nineteenth century, working with a seed bank to source the grain.",
     "Farmers on three smallholdings sowed the old wheat last autumn, accepting lower yields in exchange for a "
     "guaranteed price, and the first stone-ground flour arrived at the ovens in September.",
     "The dense, nutty bread sells out before lunchtime most days, and the bakers are now negotiating with a "
     "supermarket chain that wants to stock it in its regional delicatessen counters."],
    ["Coastal Town Bans Cars From Seafront Promenade",
     "Councillors in Selham voted to close the seafront promenade to motor traffic every weekend from April to "
     "October, turning the road into space for cyclists, market stalls, buskers and families.",
     "Residents living on the hillside streets behind the beach objected that diverted vehicles would clog "
     "narrow lanes, and the council promised new signs and a shuttle bus from the railway station.",
     "Cafe owners along the front reported busier terraces during a trial closure last summer, when visitor "
     "surveys found that most people stayed longer and spent more money than before."],
]


def test_shared_footer_across_different_stories_is_template() -> None:
    documents = [story + FOOTER for story in STORIES]

    templates = TemplateLines().fit(documents)

    for line in FOOTER:
        assert templates.is_template(normalize(line))
    for story in STORIES:
        for line in story:
            assert not templates.is_template(normalize(line)), line
    text = "\n\n".join(documents[0])
    assert clean(text).removed == []  # sentences: only the template knowledge removes them
    cleaned = clean(text, templates=templates)
    assert [r.text for r in cleaned.removed] == FOOTER
    assert all(r.reason for r in cleaned.removed)


def test_story_copied_many_times_is_not_template() -> None:
    story = STORIES[2]
    documents = [story + [f"Filed by bureau number {k} of the {name} network"]
                 for k, name in enumerate(["Amber", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Grove", "Heath"])]

    templates = TemplateLines().fit(documents)

    for line in story:
        assert not templates.is_template(normalize(line)), line
    assert templates.lines_ == set()


def _template_lines_one_group_at_a_time(documents: list[list[str]], *, min_docs: int, max_share: float,
                                        sample: int) -> set[str]:
    """The template rule of TemplateLines, written out as loops over each group of lines found in the
    same documents (what the class computed before it took arrays)."""
    found_in: dict[str, set[int]] = {}
    for d, keys in enumerate(documents):
        for k in keys:
            found_in.setdefault(k, set()).add(d)
    groups: dict[frozenset[int], list[str]] = {}
    for k, docs in found_in.items():
        if len(docs) >= min_docs:
            groups.setdefault(frozenset(docs), []).append(k)
    lines: set[str] = set()
    for docs, keys in groups.items():
        sampled = sorted(docs)[:: max(1, len(docs) // sample)]
        present = Counter(k for d in sampled for k in set(documents[d]))
        common = {k for k, n in present.items() if n >= len(sampled) / 2}
        minority = 0
        for d in sampled:
            total = sum(k.count(" ") + 1 for k in documents[d])
            shared = sum(k.count(" ") + 1 for k in documents[d] if k in common)
            minority += bool(total) and shared / total < max_share
        if minority >= len(sampled) // 2 + 1:
            lines.update(keys)
    return lines


def test_template_lines_are_those_of_the_rule_applied_group_by_group(tmp_path: Path) -> None:
    import random

    rng = random.Random(5)
    words = "ferry storm harbour council library budget editor court".split()
    for _ in range(400):
        vocabulary = [" ".join(rng.choices(words, k=rng.randint(1, 6))) for _ in range(rng.randint(1, 30))]
        documents = [rng.choices(vocabulary, k=rng.randint(0, 12)) for _ in range(rng.randint(0, 40))]
        settings = dict(min_docs=rng.randint(1, 6), max_share=rng.choice([0.3, 0.5, 0.7, 1 / 3]),
                        sample=rng.randint(1, 30))
        expected = _template_lines_one_group_at_a_time(documents, **settings)
        assert TemplateLines(**settings).fit_keys(documents).lines_ == expected, settings
        assert TemplateLines(**settings).fit_keys(documents, block=rng.randint(1, 50)).lines_ == expected

    # A feed of seed copies in several outlets' templates: the same lines, and some of them.
    feed = seed_feed(tmp_path / "feed.jsonl", copies=12)
    documents = [clean(json.loads(line)["text"]).keys for line in feed.read_text(encoding="utf-8").splitlines()]
    documents = [[k for k in keys if k] for keys in documents]
    learned = TemplateLines().fit_keys(documents).lines_
    assert learned == _template_lines_one_group_at_a_time(documents, min_docs=5, max_share=0.5, sample=25)
    assert learned


@pytest.mark.skipif(not extraction.available(), reason="needs ../shared/data/article-extraction-benchmark")
def test_benchmark_pages_in_html_mode_and_text_mode() -> None:
    """The 181 annotated pages, scored with the benchmark's metric: what HTML mode (trafilatura, then
    the text pass) and text mode (all visible text, then the cleaner) keep and leave."""
    pytest.importorskip("trafilatura", reason="HTML mode needs trafilatura (pip install 'news-dedupe[html]')")
    from dedupe.readers.html import extract
    from dedupe.render import html_to_text

    pages = list(extraction.pages())
    gold = [g for _, _, g in pages]
    found = [extract(page) for _, page, _ in pages]
    html_mode = extraction.scores([(clean(f.text, extracted=f.main_content).text, g) for f, g in zip(found, gold)])
    rendered = [html_to_text(page) for _, page, _ in pages]
    text_mode = extraction.scores([(clean(text).text, g) for text, g in zip(rendered, gold)])
    kept_all = extraction.scores(list(zip(rendered, gold)))
    # HTML mode: the target, F1 >= 0.97 (trafilatura alone: 0.964 at best).
    assert html_mode[0] >= 0.96 and html_mode[1] >= 0.97 and html_mode[2] >= 0.97
    # Text mode: the conservative bias keeps almost all article text (recall 0.97), and removal gains
    # precision (keeping all visible text: P 0.51). The target: F1 >= 0.90 with P >= 0.90.
    assert text_mode[1] >= 0.965
    assert text_mode[0] >= 0.90 and text_mode[0] >= kept_all[0] + 0.39 and text_mode[2] >= 0.93


@pytest.mark.skipif(not extraction.available(), reason="needs ../shared/data/article-extraction-benchmark")
def test_precise_extraction_that_finds_a_scrap_falls_back_to_the_article() -> None:
    """On one benchmark page (a reprints notice above the article), trafilatura's precise mode keeps
    only the notice; the default mode finds the article."""
    trafilatura = pytest.importorskip("trafilatura", reason="HTML mode needs trafilatura")
    from dedupe.readers.html import SCRAP_WORDS, extract

    page, gold = next((html, g) for pid, html, g in extraction.pages() if pid.startswith("f8ff621a0b"))
    precise = trafilatura.extract(page, favor_precision=True, include_comments=False) or ""
    assert len(precise.split()) < SCRAP_WORDS  # the case the fallback is for
    found = extract(page).text
    assert extraction.page_scores(found, gold)[1] > 0.9


def test_extracted_article_keeps_its_repeated_lines_and_closing_list() -> None:
    """An extractor has already cut the page to the article: an interview's repeated question and
    the product list that ends a gift guide are article text there (not in a whole page's text)."""
    text = "\n\n".join([
        *NEWSPAPER_ARTICLE[:2],
        "What will you do next?",
        "We will keep printing, the editor said, and we will appeal both rulings as soon as we can.",
        "What will you do next?",
        NEWSPAPER_ARTICLE[3],
        "Lego Star Wars Bomber",
        "Polistil Racing Track",
    ])

    assert clean(text, extracted=True).removed == []
    assert {r.reason for r in clean(text).removed} == {"repeated line", "after the end of the article"}


TEASERS = [
    "Share this article",
    "Facebook",
    "Harbour ferry service resumes after storm repairs",
    "The ferry between the two islands runs again from Monday after three weeks of repairs to its landing stage.",
    "By Gazette Staff",
    "November 12, 2019",
    "Council votes to keep the town library open",
    "After a packed public meeting, councillors voted to keep the library open on Saturdays for another year.",
    "By Gazette Staff",
]


def test_teasers_of_other_stories_after_the_article_end_block_are_removed() -> None:
    cleaned = clean(ARTICLE_LINES + "\n\n" + "\n\n".join(TEASERS))

    assert cleaned.text == ARTICLE_LINES
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert reasons[TEASERS[3]] == reasons[TEASERS[7]] == "after the article's end block"
    assert reasons["Share this article"] == "share bar"


TEASER_LIST = [
    "You may also like...",
    "Share Tweet Pin Save",
    "The ferry between the two islands runs again from Monday after three weeks of repairs to its landing stage.",
    "Share Tweet Pin Save",
    "After a packed public meeting, councillors voted to keep the library open on Saturdays for another year.",
    "Share Tweet Pin Save",
    "The bakery on the harbour front has reopened under new owners, who kept its recipes and its staff.",
    "Topics",
    "Local news",
    "Council",
    "Transport",
]


def test_teasers_under_one_widget_after_a_related_heading_are_removed() -> None:
    """A related-content heading, then teasers each separated by the same share widget, then a topic
    menu: the list, its last teaser and the menu go; the article stays whole."""
    cleaned = clean(ARTICLE_LINES + "\n\n" + "\n\n".join(TEASER_LIST))

    assert cleaned.text == ARTICLE_LINES
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert reasons[TEASER_LIST[2]] == reasons[TEASER_LIST[6]] == reasons["Transport"] == "related-content list"


def test_prose_under_a_related_heading_without_a_repeated_widget_is_kept() -> None:
    """Paragraphs after a related heading that are not a widget-separated list are article text."""
    lines = [NEWSPAPER_ARTICLE[0], NEWSPAPER_ARTICLE[1], "Related", "Share Tweet Pin Save",
             NEWSPAPER_ARTICLE[3], TEASER_LIST[2], "Advertisement", TEASER_LIST[4]]
    cleaned = clean("\n\n".join(lines))

    assert all(line in cleaned.text for line in (NEWSPAPER_ARTICLE[3], TEASER_LIST[2], TEASER_LIST[4]))


def test_teaser_summaries_cut_off_with_an_ellipsis_do_not_count_as_the_article_going_on() -> None:
    """After the end block, headlines with summaries cut off mid-sentence ("…") are teasers however
    much of them there is: they go with the rest."""
    places = ["Harbourside", "Millbrook", "Eastcliff", "Northgate", "Kingsmoor", "Westbay"]
    teasers = [line for place in places for line in (
        f"{place} council approves new ferry timetable",
        f"The {place} council approved the new ferry timetable after a long debate about its costs, the crews, "
        f"the winter schedule and the landing stage at {place} that the storm damaged last year, and it wil...")]
    cleaned = clean(ARTICLE_LINES + "\n\n" + "\n\n".join(["Related", "Share this article", *teasers]))

    assert cleaned.text == ARTICLE_LINES
    assert {r.reason for r in cleaned.removed if r.text in teasers[1::2]} == {"after the article's end block"}


def test_article_going_on_after_a_share_bar_or_advertisement_is_kept() -> None:
    middle = ["Share this article", "Facebook", "Advertisement"]
    more = [NEWSPAPER_ARTICLE[1].replace("Dunmore", f"Dunmore {k}") for k in range(3)]
    text = "\n\n".join([*NEWSPAPER_ARTICLE[:2], NEWSPAPER_ARTICLE[3], *middle, *more])

    cleaned = clean(text)

    assert [r.text for r in cleaned.removed] == middle
    assert all(line in cleaned.text for line in more)


FEEDBACK_FORM = [
    "Thank you for taking the time to tell the editors of the Gazette what you think of this story.",
    "Every message is read by an editor, who will correct the story if it needs correcting, we promise.",
    "We cannot answer every message personally because of the number of letters we receive each day.",
    "Your name",
    "Send",
]


def test_teasers_before_a_second_end_block_go_even_when_a_form_with_prose_follows_it() -> None:
    """Headlines of other stories between two end blocks (a share bar, then "Related stories") are not
    the article going on because a feedback form's sentences come after the second block."""
    teasers = [line for k, title in enumerate(["Ferry service resumes after storm repairs",
                                               "Council votes to keep the town library open",
                                               "Bakery on the harbour front reopens"], start=1)
               for line in (title, f"{k} hours ago")]
    cleaned = clean("\n\n".join([ARTICLE_LINES, "Share this article", "Facebook", *teasers,
                                 "Related stories", "Harbour festival returns in June", *FEEDBACK_FORM]))

    assert cleaned.text == ARTICLE_LINES
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert reasons[teasers[0]] == reasons[teasers[4]] == reasons[FEEDBACK_FORM[1]] == "after the article's end block"


def test_article_going_on_between_two_end_blocks_is_kept() -> None:
    """Three paragraphs in a row between a share bar and a related heading are the article's."""
    more = [NEWSPAPER_ARTICLE[1].replace("Dunmore", f"Dunmore {k}") for k in range(3)]
    cleaned = clean("\n\n".join([*NEWSPAPER_ARTICLE[:2], NEWSPAPER_ARTICLE[3], "Share this article", *more,
                                 "Related stories", "Harbour festival returns in June", *FEEDBACK_FORM]))

    assert all(line in cleaned.text for line in more)


def test_sidebar_teasers_before_the_article_start_block_are_removed_and_the_headline_stays() -> None:
    sidebar = [
        "Most read",
        "Council votes to keep the town library open",
        "After a packed public meeting, councillors voted to keep the library open on Saturdays for another year.",
        "Harbour ferry service resumes after storm repairs",
        "The ferry between the two islands runs again from Monday after three weeks of repairs to its landing stage.",
    ]
    start_block = ["Home", "By Gazette Staff", "November 12, 2019"]
    headline, *article = NEWSPAPER_ARTICLE[:2] + NEWSPAPER_ARTICLE[3:]
    standfirst = "The editor warns of cuts to the printed edition"
    text = "\n\n".join([*sidebar, headline, standfirst, *start_block, *article,
                        article[0].replace("Dunmore", "Dunmore town")])

    cleaned = clean(text)

    assert cleaned.text.split("\n\n")[:2] == [headline, standfirst]  # the two lines above the block stay
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert set(sidebar) <= set(reasons)
    assert reasons[sidebar[2]] == reasons[sidebar[4]] == "before the article's start block"  # the teasers
    assert all(line in cleaned.text for line in article)


def test_list_article_keeps_its_list_above_the_closing_notices() -> None:
    """A calendar or a gift guide ends in its list: short lines that end no sentence, like a footer's
    links, but above the share bar and the author's bio that close the article."""
    calendar = [f"Round {k}: {day} May at the {track} circuit" for k, (day, track) in enumerate(
        [(4, "Northfield"), (11, "Lakeview"), (18, "Redhill"), (25, "Stonebridge")], start=1)]
    text = "\n\n".join(["Touring Car Calendar 2018",
                        "The series announced its calendar for the season, with twelve rounds in six states.",
                        "The first races are these:", *calendar,
                        "Share this article", "Dana Whitfield is a senior reporter for the Frontier Herald."])

    cleaned = clean(text)

    assert all(line in cleaned.text.splitlines() for line in calendar)
    assert [r.reason for r in cleaned.removed] == ["share bar", "author bio or outlet promotion"]


SITE_MENU = ["Home", "All news", "Columnists", "Contact", "Advertise", "Formula 1", "Rally", "Karting", "Forum"]
CALENDAR = [f"Round {k}: {day} May at the {track} circuit" for k, (day, track) in enumerate(
    [(4, "Northfield"), (11, "Lakeview"), (18, "Redhill"), (25, "Stonebridge"), (26, "Millbrook")], start=1)]
SIDEBAR_TEASERS = [
    "» Weekly notes",
    "Our motoring editor writes every Friday about the teams, the drivers and the money behind the sport.",
    "» Standings",
    "See where every driver stands in the championship after the latest round, with points and wins.",
    "» Next round",
    "Find out when the next round starts on television, what the weather will do and who is on pole.",
]


def test_list_article_under_a_headline_repeating_the_page_title_is_kept_and_the_teasers_after_it_go() -> None:
    """A calendar with no prose: the headline repeats the first part of the page-title line, so the menu
    above it goes, the calendar below it stays, and the teasers after its closing share bar go."""
    headline = "Touring Car Calendar 2019"
    text = "\n".join([f"{headline} | Racing Weekly | F1 | Rally", *SITE_MENU, headline, "Share this on WhatsApp",
                      "Touring Car Calendar for 2019", *CALENDAR, "* The calendar may still change.",
                      "Share this on WhatsApp", "Tags", *SIDEBAR_TEASERS, "About us", "Privacy Policy"])

    cleaned = clean(text)

    kept = cleaned.text.splitlines()
    assert kept[0] == headline and all(line in kept for line in CALENDAR)
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert reasons["Columnists"] == "navigation before the article"
    assert reasons[SIDEBAR_TEASERS[1]] == reasons[SIDEBAR_TEASERS[5]] == "after the article's end block"


def test_page_title_line_without_its_headline_below_changes_nothing() -> None:
    """Without the headline repeated below the title line, the calendar is cut like a menu before the body."""
    text = "\n".join(["Touring Car Calendar 2019 | Racing Weekly | F1 | Rally", *SITE_MENU, "The season",
                      *CALENDAR, "Share this on WhatsApp", *SIDEBAR_TEASERS])
    with_headline = text.replace("The season", "Touring Car Calendar 2019")

    assert not all(line in clean(text).text for line in CALENDAR)
    assert all(line in clean(with_headline).text for line in CALENDAR)


def test_article_under_a_headline_repeating_the_page_title_keeps_its_paragraphs() -> None:
    headline = NEWSPAPER_ARTICLE[0]
    article = [NEWSPAPER_ARTICLE[1], NEWSPAPER_ARTICLE[3], NEWSPAPER_ARTICLE[1].replace("Dunmore", "Dunmore town")]
    text = "\n\n".join([f"{headline} – The Frontier Herald", *SITE_MENU, headline, "By Gazette Staff",
                        "November 12, 2019", *article, "Share this article", *SIDEBAR_TEASERS])

    cleaned = clean(text)

    assert cleaned.text.split("\n\n") == [headline, *article]


def test_a_table_keeps_its_repeated_numbers_and_a_repeated_text_line_still_goes() -> None:
    """A results table flattened to one cell per line repeats its numbers (points, wins): a cell, not
    a repeated template line. A repeated line with words is still removed."""
    table = ["Pos.", "Driver", "Wins", "1", "Ana Lima", "3", "2", "Rui Costa", "3", "3", "Eva Souza", "1"]
    text = "\n".join([*NEWSPAPER_ARTICLE[:2], "Final standings after the last race:", *table,
                      NEWSPAPER_ARTICLE[3], "Final standings after the last race:"])

    cleaned = clean(text)

    assert cleaned.text.splitlines()[3:3 + len(table)] == table
    assert [(r.text, r.reason) for r in cleaned.removed] == [("Final standings after the last race:",
                                                              "repeated line")]


GLUED_TEASERS = [
    "Council Votes To Keep The Town Library Open On SaturdaysAfter a packed public meeting, councillors voted to "
    "keep the library open on Saturdays for another year, and the mayor said the budget would find the money.",
    "Harbour Ferry Service Resumes After Three Weeks Of RepairsThe ferry between the two islands runs again from "
    "Monday after three weeks of repairs to its landing stage, the operator said in a statement on Friday.",
    "Bakery On The Harbour Front Reopens Under New OwnersThe new owners kept the recipes and the staff of the "
    "bakery, which closed in the spring when its founder retired after forty years at the ovens.",
]


def test_teasers_with_headlines_glued_to_their_summaries_before_the_article_are_removed() -> None:
    """A menu of story cards flattened to one line each ("HeadlineSummary ..."): long lines with punctuation,
    but teasers, not the article: they do not count as prose, and go with what is before the start block."""
    headline, *article = NEWSPAPER_ARTICLE[:2] + NEWSPAPER_ARTICLE[3:]
    standfirst = "The editor warns of cuts to the printed edition"
    text = "\n\n".join(["Latest Headlines", *GLUED_TEASERS, "Weather", "Sports", "Video", "Contests",
                        headline, standfirst, "By Gazette Staff", "November 12, 2019", *article])

    cleaned = clean(text)

    assert cleaned.text.split("\n\n") == [headline, standfirst, *article]
    assert {r.reason for r in cleaned.removed if r.text in GLUED_TEASERS} == {"before the article's start block"}


@pytest.mark.parametrize("line", [
    "Apple's New MacBook Pro arrives with a bigger screen and a keyboard that the reviewers like a lot more.",
    "Elon Musk’s SpaceX begins testing its new rocket, which the company hopes will one day carry people to Mars.",
    "Lisbon (Harbour Post)A slower rise in prices has given the central bank room to wait before it moves.",
    "Now the Institute's GeoLabX team has asked the design office to study how such a probe could be built.",
])
def test_brand_names_and_datelines_are_not_glued_teasers(line: str) -> None:
    assert not structure._glued_teaser(line)
    assert structure._glued_teaser(GLUED_TEASERS[0])


def test_quoted_refusal_is_not_a_disclaimer() -> None:
    text = "\n\n".join([*NEWSPAPER_ARTICLE[:2], NEWSPAPER_ARTICLE[3],
                        "The commander said: “The United States does not support forced displacement.”"])

    assert clean(text).removed == []


@pytest.mark.parametrize("line, reason", [
    ("November 12, 2019 at 10:32 am", "date or time line"),
    ("3 hours ago", "date or time line"),
    ("12/11/2019 22:05", "date or time line"),
    ("novembro (12)", "archive or category count"),
    ("By choosing I Accept, you consent to our use of cookies and other tracking technologies.",
     "cookie or ad-blocker notice"),
    ("© 2019 Associated Press. All Rights Reserved. This material may not be published, broadcast, rewritten "
     "or redistributed.", "copyright, disclaimer or affiliate notice"),
    ("Sharing is caring!", "share bar"),
    ("858 shares", "share bar"),
    ("Get our daily Entertainment newsletter", "subscribe prompt"),
    ("Leia também", "related-content heading"),
    ("Материалы по теме", "related-content heading"),
    ("関連記事", "related-content heading"),
    ("Tags: ferry, storms, council", "tags or categories"),
    ("« Previous Post", "post navigation"),
    ("Dallas Robinson is a freelance writer living in Minneapolis.", "author bio or outlet promotion"),
    ("Lascia un commento", "comment prompt"),
    ("Wednesday November 20, 2019", "date or time line"),
    ("More Washington Examiner", "related-content heading"),
    ("Share your thoughts with friends.", "share bar"),
    ("Google+ | Blogger | Pinterest | StumbleUpon", "share bar"),
    ("Show all comments", "comment prompt"),
    ("Image 1 of / 8", "photo gallery"),
    ("Back to Gallery", "photo gallery"),
    ("(Image credit: Blue Origin)", "photo caption or credit"),
    ("Rescue boats at the harbour wall after the stormCredit: Getty - Contributor", "photo caption or credit"),
    ("Popular Articles", "related-content heading"),
    ("Our Latest Stories", "related-content heading"),
    ("Comments are subject to our community guidelines, which can be viewed here.", "comment prompt"),
    ("Continue reading the main story", "navigation"),
    ("Share to linkedin", "share bar"),
    ("@saraheneedleman", "byline or dateline"),
    ("5 min read", "byline or dateline"),
    ("Opinions expressed by Forbes Contributors are their own.", "copyright, disclaimer or affiliate notice"),
    ("*These statements have not been evaluated by the Food and Drug Administration. The drinks sold in our shop "
     "are not intended to diagnose, treat, cure or prevent any illness, and nothing in our guides or our videos or "
     "our newsletters is meant to replace the advice that a doctor or a nurse gives you in person.",
     "copyright, disclaimer or affiliate notice"),
    ("The material on this page is for general informational purposes only and is not a substitute for "
     "professional medical advice.", "copyright, disclaimer or affiliate notice"),
    ("This page is protected: no part of it may be copied without the written permission of the publisher.",
     "copyright, disclaimer or affiliate notice"),
    ("Support the Dunmore Gazette and make a difference for readers everywhere.", "subscribe prompt"),
    ("Support Harbour Weekly so we can keep reporting on the council, the courts and the schools for you.",
     "subscribe prompt"),
    ("Support Us", "subscribe prompt"),
    ("To Read the Full Story", "subscribe prompt"),
    ("Subscribe or Sign In", "subscribe prompt"),
])
def test_page_furniture_inside_the_page_is_removed(line: str, reason: str) -> None:
    text = "\n\n".join(NEWSPAPER_ARTICLE).replace("{middle}", line)

    cleaned = clean(text)

    assert [(r.text, r.reason) for r in cleaned.removed] == [(line, reason)]


ARTICLE_LINES = "\n\n".join(NEWSPAPER_ARTICLE).replace(
    "{middle}", "The editor, Ruth Calder, said the paper would keep publishing six days a week for now.")


@pytest.mark.parametrize("comments", [
    ["3 responses to “Regional Newspaper Loses Two Legal Battles In One Week”",
     "oldreader52 says:", "Sad to see. I grew up with this paper.",
     "Mark T. says:", "Subscribe, people, or lose it.",
     "gazettefan says:", "They should appeal both."],
    ["Comments",
     "Milan Griffes on September 12, 2018 at 4:47 pm said:", "Any update on the appeal?",
     "Ruth (Gazette) on September 13, 2018 at 5:23 pm said:", "Not yet; we will report it when we know."],
])
def test_readers_comments_after_the_article_are_removed(comments: list[str]) -> None:
    cleaned = clean(ARTICLE_LINES + "\n\n" + "\n\n".join(comments))

    assert cleaned.text == ARTICLE_LINES
    assert [(r.text, r.reason) for r in cleaned.removed] == [(line, "reader comments") for line in comments]


def test_quotes_and_datelines_are_not_comments() -> None:
    # News writes "said:" before a quote, and datelines carry times: neither starts a comment section.
    text = "\n\n".join([
        NEWSPAPER_ARTICLE[0], NEWSPAPER_ARTICLE[1],
        "Associated Press November 19, 2019, 9:02 AM",
        "The editor said:", "“We will not stop printing while I am here, whatever the courts decide.”",
        "Her lawyer said:", "“Both rulings contain errors of law that an appeal court would see at once.”",
        "A reader on the paper's letters page wrote on November 20, 2019 at 10:15 am:",
        "“Keep going; the town needs you.”", NEWSPAPER_ARTICLE[3]])

    assert "reader comments" not in {r.reason for r in clean(text).removed}


def _reason_without_prefilters(line: str, at_edge: bool) -> str | None:
    """:func:`dedupe.rules.rule_reason` without the literal prefilters (``needs``) of its families."""
    n_words = len(line.split())
    for reason, pattern, anywhere, edge, *_ in rules._FAMILIES:
        if n_words <= (edge if at_edge else anywhere) and pattern.search(line):
            return reason
    return None


def test_literal_prefilters_never_hide_a_family() -> None:
    """A family's ``needs`` literals only skip lines its pattern cannot match: checked on every line
    of the seeds, of this file's examples and (when present) of the 181 benchmark pages as text."""
    lines = {line.strip() for path in SEEDS.glob("*.txt") for line in path.read_text(encoding="utf-8").splitlines()}
    lines |= {line for line in [*NEWSPAPER_ARTICLE, *TEASERS, *FOOTER] if "{" not in line}
    lines |= {value for value in globals().values() if isinstance(value, str) and len(value) < 200}
    if extraction.available():
        from dedupe.render import html_to_text

        lines |= {line.strip() for _, page, _ in extraction.pages() for line in html_to_text(page).splitlines()}
    lines.discard("")
    assert len(lines) > 100

    for at_edge in (False, True):
        found = {line: rules.rule_reason.__wrapped__(line, at_edge=at_edge) for line in lines}
        assert found == {line: _reason_without_prefilters(line, at_edge) for line in lines}
        # The check means something: lines of many families have a reason (11 families in the seeds and
        # this file's examples alone; over 1,400 lines of 16 families with the benchmark pages).
        hits = [reason for reason in found.values() if reason is not None]
        assert len(set(hits)) >= 10
        assert len(hits) > (1000 if extraction.available() else 15)


def test_every_reason_is_listed_and_documented() -> None:
    """``reason`` is an interface: every reason the cleaner gives is in ``REASONS``, and the README's
    table lists exactly those."""
    from dedupe.clean import REASONS

    texts = [path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")]
    texts += [ARTICLE_LINES + "\n\n" + "\n\n".join(TEASERS), "\n\n".join(["Most read", *NEWSPAPER_ARTICLE])]
    if extraction.available():
        from dedupe.render import html_to_text

        texts += [html_to_text(page) for _, page, _ in extraction.pages()]
    templates = TemplateLines(min_docs=2).fit([text.splitlines() for text in texts])
    given = {r.reason for text in texts for r in clean(text, templates=templates).removed}
    assert given <= set(REASONS)
    assert len(given) >= 10

    readme = (SEEDS.parent / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| reason | the line is |"):]
    table = table[: table.index("\n\n")]
    assert [row.split("`")[1] for row in table.splitlines()[2:]] == list(REASONS)


def test_a_long_line_without_punctuation_is_a_keyword_list_not_prose() -> None:
    tag_cloud = " ".join(["ferry", "storm", "harbour", "council", "library", "budget", "editor", "court"] * 5)
    sentence_without_end = ("The council voted on Tuesday night to keep the library open on Saturdays, a decision "
                            "that the editor of the paper welcomed in a column that ran the next morning and that")

    assert not is_prose(tag_cloud)
    assert is_prose(sentence_without_end)  # 30 words and more, with a comma: a paragraph cut short


def test_comment_section_longer_than_the_article_is_cut_at_its_heading() -> None:
    comments = []
    for k in range(4):
        comments += [f"reader{k}", "2 days ago at 07:52 am",
                     *[NEWSPAPER_ARTICLE[1].replace("Dunmore", f"Dunmore {k} {j}") for j in range(3)],
                     f"Rating: {30 - k} Votes"]
    cleaned = clean(ARTICLE_LINES + "\n\n" + "\n\n".join(["Top Rated Comments", *comments]))

    assert cleaned.text == ARTICLE_LINES


HEAD_MENU = ["World", "Politics", "Business", "Sport", "Travel", "Culture"]
FOOTER_MENU = ["World", "Europe", "Asia", "Americas", "Politics", "Elections", "Congress", "Business", "Markets",
               "Sport", "Football", "Tennis", "Travel", "Culture", "Film"]
FOOTER_NOTE = "Market data on this page is delayed by twenty minutes and provided by an outside vendor for reference."


def test_footer_menu_after_the_article_goes_with_the_note_below_it() -> None:
    """A site menu after the article (short lines, a quarter of them repeating the head menu) is an end
    block: it goes, and so does the one sentence between it and the footer's links."""
    text = "\n\n".join([*HEAD_MENU, ARTICLE_LINES, *FOOTER_MENU, FOOTER_NOTE, "Terms of Use",
                        "© 2024 Dunmore Gazette"])

    cleaned = clean(text)

    assert cleaned.text.endswith(ARTICLE_LINES)  # (the headline zone keeps the head menu's last items)
    reasons = {r.text: r.reason for r in cleaned.removed}
    assert reasons["Europe"] == reasons["Film"] == reasons[FOOTER_NOTE] == "after the article's end block"


@pytest.mark.parametrize("short_lines", [
    # a list of the article's own, not repeating the menu
    ["Flour", "Butter", "Sugar", "Eggs", "Milk", "Salt", "Yeast", "Honey", "Raisins", "Cinnamon", "Nutmeg", "Oats"],
    # a table flattened to a cell per line: its header cells repeat, its cells are numbers
    ["Team", "Wins", "Points", "Harbour", "12", "30", "Team", "Wins", "Points", "Millbrook", "9", "24",
     "Team", "Wins", "Points", "Westbay", "7", "19"],
])
def test_short_lines_that_are_no_site_menu_are_not_an_end_block(short_lines: list[str]) -> None:
    text = "\n\n".join([*HEAD_MENU, ARTICLE_LINES, *short_lines, FOOTER_NOTE, "Terms of Use",
                        "© 2024 Dunmore Gazette"])

    cleaned = clean(text)

    assert FOOTER_NOTE in cleaned.text and short_lines[-1] in cleaned.text


COMPANY_ABOUT = [
    "Harbour Robotics is a leading maker of warehouse robots, founded in Dunmore in 2009 and now selling in twelve "
    "countries.",
    "Harbour Robotics employs around 400 people worldwide, and its shares are listed on the Dunmore stock exchange.",
]
PAGE_END = ["Share this article", "Facebook", "Council votes to keep the town library open", "3 hours ago"]


def test_press_release_boilerplate_above_the_end_block_is_removed() -> None:
    """A press release's "About the company" sentences, each starting with its name, just above the end block."""
    cleaned = clean("\n\n".join([ARTICLE_LINES, *COMPANY_ABOUT, *PAGE_END]))

    assert cleaned.text == ARTICLE_LINES
    assert {r.reason for r in cleaned.removed if r.text in COMPANY_ABOUT} == {"author bio or outlet promotion"}


@pytest.mark.parametrize("ending", [
    COMPANY_ABOUT[:1],  # one sentence about the company: the article's own
    ["Harbour Robotics said it would appeal the ruling, which it called a setback for the whole industry.",
     COMPANY_ABOUT[1]],  # the company's name, but no "is a ... maker"
    [COMPANY_ABOUT[0], "The company said it would appeal the ruling, which it called a setback for the industry."],
])
def test_article_ending_on_the_company_it_is_about_is_kept(ending: list[str]) -> None:
    cleaned = clean("\n\n".join([ARTICLE_LINES, *ending, *PAGE_END]))

    assert all(line in cleaned.text for line in ending)


@pytest.mark.parametrize("middle", [
    "Support for the new ferry timetable grew after the storm, councillors said on Tuesday evening.",
    "Support Ukraine, read the banners that the protesters carried past the town hall on Saturday.",
    "Supporters of the Dunmore Gazette and its editor gathered outside the court on Friday morning.",
])
def test_article_sentences_about_support_are_not_a_donation_appeal(middle: str) -> None:
    assert clean("\n\n".join(NEWSPAPER_ARTICLE).replace("{middle}", middle)).removed == []


@pytest.mark.parametrize("middle", [
    "To read the full story of the flood, the editor said, readers should visit the town museum this month.",
    "Readers who subscribe can sign in to the archive of the paper, which goes back to its first edition.",
])
def test_article_sentences_about_reading_and_subscribing_are_not_a_paywall(middle: str) -> None:
    assert clean("\n\n".join(NEWSPAPER_ARTICLE).replace("{middle}", middle)).removed == []


def test_tokens_of_ascii_text_are_those_of_the_unicode_path() -> None:
    """ASCII text, with typographic quotes, dashes and spaces made spaces first, takes a faster path
    than NFKC and case folding: the tokens are the same, next to letters, digits and combining marks."""
    import random
    import re
    import unicodedata

    from dedupe.normalize import _SEPARATORS, tokens

    def reference(text: str) -> list[str]:
        return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())

    every_ascii = "".join(map(chr, range(128)))
    lines = [every_ascii, every_ascii[::-1], "U.S. troops_2 x\x1fy A-B  C\tD", ""]
    for path in sorted(SEEDS.glob("*.txt")):
        lines += path.read_text(encoding="utf-8").splitlines()

    assert sum(map(str.isascii, lines)) > 50
    assert sum(not line.isascii() and line.translate(dict.fromkeys(map(ord, _SEPARATORS), " ")).isascii()
               for line in lines) > 20  # the seeds' curly quotes and dashes take the faster path
    pieces = [*_SEPARATORS, "a", "Z", "9", "_", " ", ".", "'", "\u0301", "é", "ﬁ", "™", "½", "ж", "İ", "ß", "\u2028"]
    rng = random.Random(5)
    lines += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(20000)]
    for line in lines:
        assert tokens(line) == reference(line), line


def test_blank_line_runs_are_collapsed_as_the_text_pattern_would() -> None:
    """The kept lines are joined line by line: every run of two or more blank (or whitespace-only) lines
    becomes one empty line, a single one stays as it is, and the ends are trimmed, exactly as the regular
    expression over the joined text does it."""
    import itertools
    import re

    from dedupe.clean import _tidy

    pieces = ["", " ", "\t", "\u00a0", "Text line.", " leading", "trailing "]
    for n in range(6):
        for lines in itertools.product(pieces, repeat=n):
            expected = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", "\n".join(lines)).strip()
            assert _tidy(lines) == expected, lines
    first = "A sentence of the article that is long enough to count as prose."
    second = "Another sentence of the article, long enough to be prose too."
    # the removed share line leaves three blank lines in a row, and the one blank line stays
    assert clean(f"\n\nTitle\n \n{first}\n\nShare on Facebook\n\n{second}\n").text == f"Title\n \n{first}\n\n{second}"


def test_sentence_end_tests_answer_as_the_expressions_they_replace() -> None:
    """A line ends a sentence for the cleaner where ``[.!?…]["”’')\\]]*$`` matches, and for the paragraph
    joiner where ``[.!?:;"”’')\\]…]\\s*$`` does: on every line of the seeds and on random endings."""
    import random
    import re

    from dedupe.normalize import paragraph_spans

    cleaner = re.compile(r"[.!?…][\"”’')\]]*$")
    joiner = re.compile(r"[.!?:;\"”’')\]…]\s*$")
    lines = [line for path in sorted(SEEDS.glob("*.txt")) for line in path.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(2)
    pieces = list(".!?…:;\"”’')] \t\nab")
    lines += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(30000)]
    for line in lines:
        assert rules.ends_sentence(line) == bool(cleaner.search(line)), repr(line)
        # the second line joins the first (it starts in lower case) unless the first ends a sentence
        first = line.strip() or "x"
        joined = paragraph_spans([first, "next"]) == [[0, 1]]
        assert joined == (not joiner.search(first)), repr(first)
