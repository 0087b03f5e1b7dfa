"""The generic rule files (rules/generic/*.yaml): they load, each family matches its boilerplate,
none matches ordinary article sentences, and the metadata `take:` rules fill the fields (a whole
text through them: the case folder tests/cases/generic-metadata-lines-reach-the-article)."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import clean
from cleaner.article import CATEGORIES, Block
from cleaner.rules import RuleSet, apply_rules
from cleaner.rules.load import load_file, shipped_rules_dir

GENERIC = shipped_rules_dir() / "generic"
FAMILIES = sorted(p.stem for p in GENERIC.glob("*.yaml"))

BODY = ("The two sides are intensifying efforts to end a row with echoes of the Cold War by planning more "
        "talks on missile defense at a summit in early April, officials said on Thursday.")


def family_rules(family: str):
    loaded = load_file(GENERIC / f"{family}.yaml")
    assert isinstance(loaded, tuple)
    return loaded


def all_rules():
    return tuple(r for fam in FAMILIES for r in family_rules(fam))


def label_one(text: str, rules=None) -> Block:
    block = Block(text=text)
    apply_rules([block], rules if rules is not None else all_rules(), "generic")
    return block


def test_the_families_are_there():
    for family in ("donation", "newsletter", "share", "related", "legal", "copyright", "navigation",
                   "advertisement", "caption", "metadata", "comments"):
        assert family in FAMILIES


@pytest.mark.parametrize("family", FAMILIES)
def test_family_file_loads_with_known_categories(family):
    rules = family_rules(family)
    assert rules
    for r in rules:
        assert r.category in CATEGORIES
        assert r.id


def test_rule_ids_are_unique_across_families():
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("text, category", [
    ("Support The Moscow Times!", "donation"),
    ("Your support, no matter how small, makes a world of difference. Please support us monthly from just $2.",
     "donation"),
    ("Sign up for our free weekly newsletter", "newsletter"),
    ("Subscribers agree to the Privacy Policy", "newsletter"),
    ('SUBSCRIBE For news and analysis on Russia by e-mail, subscribe to "RFE/RL Russia Report."', "newsletter"),
    ("Share on Facebook Twitter Email", "share"),
    ("Email This Article", "share"),
    ("This story has been shared 44,976 times. 44,976", "share"),
    ("Read more: Pentagon chief to visit Moscow", "related"),
    ("Show Full Article", "related"),
    ("Moscow has been uncompromisingly hostile to the U.S. missile-defense proposal. more", "related"),
    ('RFE/RL has been declared an "undesirable organization" by the Russian government.', "legal"),
    ("Privacy Policy | Terms of Service", "legal"),
    ("© 2019 Example Media Group. All rights reserved.", "copyright"),
    ("Skip to content", "navigation"),
    ("Advertisement", "advertisement"),
    ("Protesters do not want Hong Kong to lose its autonomy (Image: getty )", "caption"),
    ("Rating: 36 Votes", "comments"),
    ("Leia também: Governo anuncia novo pacote", "related"),
    ("To Read the Full Story", "paywall"),
    ("Subscribe Sign In", "paywall"),
    ("Already a subscriber? Log in", "paywall"),
    ("Dieser Artikel ist nur für Abonnenten", "paywall"),
    ("5 Min Read", "metadata"),
    ("Tempo de leitura: 1 minuto", "metadata"),
    ("FILE PHOTO: Traders work on the floor at the New York Stock Exchange (NYSE) in New York, U.S., "
     "November 18, 2019. REUTERS/Brendan McDermid", "caption"),
    ("A man walks past the central bank building in Moscow. EPA-EFE/Yuri Kochetkov", "caption"),
])
def test_boilerplate_lines_are_removed_with_their_category(text, category):
    block = label_one(text)
    assert block.label is not None and block.label.removed, text
    assert block.label.category == category, (text, block.label)


@pytest.mark.parametrize("text", [
    BODY,
    "Said Gates:",
    "The Bigger Issue",
    "Readers who support the plan say the newsletter the ministry sends every week is a good source of news, "
    "and that they would donate to the campaign if asked by the organisers of the event next month.",
    "He said the photo by the river was taken last year, and that the image had been shared widely online "
    "before the agency confirmed where and when it was taken.",
    "Das Thema mit dem höchsten Potenzial wird seit Jahren intensiv diskutiert: Die elektronische Patientenakte (ePA)",
    "We need to share the burden more fairly, she said.",
    "To read the report, the committee said, members will need a week.",
    "The file photo he posted showed the building before the fire.",
    "Reading time matters less than the quality of the story, the editor said.",
])
def test_article_sentences_are_left_alone(text):
    block = label_one(text)
    assert block.label is None, (text, block.label)


def test_max_words_keeps_phrase_rules_off_long_paragraphs():
    long_para = "Sign up for our free weekly newsletter, the minister joked, " + BODY + " " + BODY
    assert label_one(long_para).label is None


@pytest.mark.parametrize("text, field, value", [
    ("Washington (AFP) March 27, 2008", "date", "March 27, 2008"),
    ("Updated 1:39 am EST, Wednesday, November 20, 2019", "date", None),
    ("Tags: Missile Defense, Robert Gates", "tags", "Missile Defense, Robert Gates"),
    ("Missile Defense, Robert Gates, Vladimir Putin", "tags", "Missile Defense, Robert Gates, Vladimir Putin"),
    ("https://www.example.com/2019/11/story.html", "url", "https://www.example.com/2019/11/story.html"),
])
def test_metadata_take_rules(text, field, value):
    block = label_one(text, family_rules("metadata"))
    assert block.label is not None and block.label.field == field, (text, block.label)
    if value is not None:
        assert block.label.value == value


def test_a_take_rule_removes_the_repeats_of_its_line():
    """A date line above and below the article: the first gives the date, both go (so cleaning the
    cleaned text finds no date line left to take)."""
    text = "\n\n".join(["Published 10:02 AM EST Nov 19, 2019", BODY, BODY.replace("Thursday", "Friday"),
                       "Published 10:02 AM EST Nov 19, 2019", "Share this article"])
    art = clean(text, site_rules=False)
    assert art.date == "2019-11-19"  # the day (YYYY-MM-DD); the time goes to datetime only with a zone
    assert "Published" not in art.text
    assert [r.rule for r in art.removed if r.text.startswith("Published")] == ["meta-date-line"] * 2


def test_a_family_can_be_switched_off_by_leaving_its_file_out():
    without = RuleSet(sites=(), generic=tuple(r for fam in FAMILIES if fam != "donation" for r in family_rules(fam)))
    text = "\n\n".join([BODY, "Support The Moscow Times!", BODY.replace("Thursday", "Friday")])
    with_all = clean(text, site_rules=False, heuristics=False)
    assert "Support The Moscow Times!" not in with_all.text
    off = clean(text, site_rules=False, heuristics=False, ruleset=without)
    assert "Support The Moscow Times!" in off.text


def test_generic_rules_folder_is_the_shipped_one():
    assert Path(GENERIC).is_dir() and (GENERIC / "donation.yaml").exists()
