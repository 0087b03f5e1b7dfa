"""Generic detection without site rules: the heuristics (cleaner/label/heuristics.py) on blocks built here
and on scraped pages written for the tests (tests/fixtures/pages). Texts built to show one signal
at work are the case folders tests/cases/heuristics-*; the samples without site rules are
tests/cases/sample-*/no-site-rules."""
from __future__ import annotations

import pytest

from cleaner import clean
from cleaner.article import Block
from cleaner.label import heuristics
from conftest import FIXTURE_PAGES, fixture_pages, shingle_f1

PARA = ("The minister said on Tuesday that the talks would continue next week, although the two sides "
        "remain far apart on the question of how the system would be deployed and who would pay for it.")


def paragraph(n: int) -> str:
    """A distinct article paragraph (prose with plenty of stop words)."""
    return f"In the {n}th round of the negotiations, " + PARA


# ---------------------------------------------------------------- blocks built here

def test_heuristics_only_label_unlabelled_blocks():
    from cleaner.article import Label

    blocks = [Block(text=t) for t in ["Home", paragraph(1), paragraph(2), "Most Read"]]
    mine = Label(keep=True, category="body", rule="site-keep", reason="kept by a rule")
    blocks[0].label = mine
    heuristics.label(blocks, "English")
    assert blocks[0].label is mine
    assert blocks[3].label is not None and blocks[3].label.removed


def test_switches_turn_signals_off():
    blocks = [Block(text=t) for t in ["Home", "News", paragraph(1), paragraph(2), "Most Read", "Other story"]]
    heuristics.label(blocks, "English", signals_off=frozenset(heuristics.SIGNALS))
    assert all(b.label is None for b in blocks)
    heuristics.label(blocks, "English", signals_off=frozenset(heuristics.SIGNALS) - {"span"})
    assert blocks[0].label is not None and blocks[0].label.rule == "outside-article-top"


# ---------------------------------------------------------------- the parts

def test_stopword_lists_by_language_name():
    assert "the" in heuristics.stopwords("English")
    assert "und" in heuristics.stopwords("German")
    assert heuristics.stopwords("No_Such_Language") == frozenset()


def test_shape_classes():
    en = heuristics.stopwords("English")
    assert heuristics.shape(PARA, en).cls == heuristics.GOOD
    assert heuristics.shape("Missile Defense Watch: THAAD Test Is Successful", en).cls == heuristics.SHORT
    assert heuristics.shape("DL Myles Garrett 57 77% 3 QH", en).cls == heuristics.DATA
    assert heuristics.shape("https://example.com/a/b", en).cls == heuristics.SHORT
    # No stop-word list: punctuation and length decide.
    assert heuristics.shape("엘제이의 리벤지인가, 류화영의 코스프레인가 하는 질문이 남는다. 이 드라마는 결국 시청자에게 무엇을 남겼는가.",
                            frozenset()).cls == heuristics.GOOD


def test_best_span_is_the_maximum_sum_run():
    assert heuristics.best_span([-1, 5, -2, 4, -10, 3]) == (1, 3)
    assert heuristics.best_span([None, 2, None, -1, 2]) == (1, 4)
    assert heuristics.best_span([-1, -2]) is None


# ---------------------------------------------------------------- scraped pages (behaviour, not timing)

# The fixture pages (tests/fixtures/pages, written for the tests: English, German, French, Portuguese,
# Russian) cleaned with no site rules: each page's text against its article (<name>.gold.txt), by
# the benchmark's measure (4-word shingle F1). The benchmark itself is scripts/evaluate.py's.
PAGE_F1_FLOOR = 0.92


@pytest.mark.parametrize("name, text, url", fixture_pages(".txt"), ids=[p[0] for p in fixture_pages(".txt")])
def test_scraped_page_without_site_rules_keeps_its_article(name, text, url):
    gold = (FIXTURE_PAGES / f"{name}.gold.txt").read_text(encoding="utf-8")
    article = clean(text, url=url, site_rules=False)
    assert article.text.strip()                                   # never an empty article
    assert shingle_f1(gold, article.text) >= PAGE_F1_FLOOR, article.text
    assert article.text.startswith(gold.splitlines()[0][:60])      # the article's first line opens the text
