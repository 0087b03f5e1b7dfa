"""The labelling stage as one call (cleaner.label.label with a LabelContext) and the order of its
labellers: rules, heuristics, then the headline over the heuristics' label, then the header lines."""
from __future__ import annotations

from dataclasses import replace

from cleaner import clean
from cleaner.blocks import text_blocks
from cleaner.label import SIGNALS, LabelContext, label
from cleaner.label.heuristics import SIGNALS as HEURISTIC_SIGNALS
from cleaner.rules import load_ruleset

HEADLINE = "Council approves new bridge over the river"
BYLINE = "By Jane Doe"
TEXT = "\n".join([
    "Home | News | Sport | Weather",
    HEADLINE,
    BYLINE,
    "The city council voted on Tuesday to build a new bridge across the river, ending a debate that had "
    "lasted for more than ten years among residents and local businesses.",
    "The bridge will carry cars, bicycles and people on foot, and the work is expected to begin next "
    "spring if the regional government agrees to share the cost with the city.",
    "Officials said the old ferry would keep running until the bridge opens, so that nobody who depends "
    "on it for work or school is left without a way to cross the river.",
    "Related stories",
    "Mayor opens new library downtown after long delay",
    "School budget passes after a long night of debate",
])


def labels_by_text(blocks):
    return {b.text: (b.label.rule if b.label else None) for b in blocks}


def test_the_blocks_stage_labels_nothing():
    assert all(b.label is None for b in text_blocks(TEXT))


def test_label_with_a_context_labels_as_clean_does():
    blocks = text_blocks(TEXT)
    lang, labelling = label(blocks, LabelContext(rules=load_ruleset(), match_sites=False))
    article = clean(TEXT, site_rules=False)
    assert lang == article.language == "en"
    assert labelling.site_rules is None and labelling.warnings == []
    assert [(b.text, b.label) for b in blocks] == [(b.text, b.label) for b in article.blocks]


def test_the_headline_is_labelled_after_the_heuristics_and_over_their_label():
    on = labels_by_text(clean(TEXT, site_rules=False).blocks)
    off = labels_by_text(clean(TEXT, site_rules=False, signals_off=frozenset({"title-headline"})).blocks)
    assert on[HEADLINE] == "title-headline"
    assert off[HEADLINE] == "outside-article-top"     # what the heuristics said, before the headline labeller


def test_the_header_labeller_takes_the_byline_the_heuristics_removed():
    on = clean(TEXT, site_rules=False)
    off = clean(TEXT, site_rules=False, signals_off=frozenset({"header"}))
    assert on.author == "Jane Doe" and labels_by_text(on.blocks)[BYLINE] == "header-byline"
    assert off.author is None and labels_by_text(off.blocks)[BYLINE] == "outside-article-top"


def test_signals_name_every_signal_once():
    assert len(set(SIGNALS)) == len(SIGNALS)
    assert set(HEURISTIC_SIGNALS) | {"title-headline", "header"} == set(SIGNALS)
    ctx = LabelContext(rules=load_ruleset())
    assert replace(ctx, signals_off=frozenset({"span"})).signals_off == frozenset({"span"})
    assert ctx.signals_off == frozenset()                          # the context is never changed in place
