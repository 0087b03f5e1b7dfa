"""Generic detection without site rules: the heuristics (cleaner/heuristics.py) on texts built here
and on scraped pages written for the tests (tests/fixtures/pages). The samples without site rules
are the case folders tests/cases/sample-*/no-site-rules."""
from __future__ import annotations

import re

import pytest

from cleaner import clean, heuristics
from cleaner.article import Block
from conftest import FIXTURE_PAGES, fixture_pages, shingle_f1

PARA = ("The minister said on Tuesday that the talks would continue next week, although the two sides "
        "remain far apart on the question of how the system would be deployed and who would pay for it.")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def paragraph(n: int) -> str:
    """A distinct article paragraph (prose with plenty of stop words)."""
    return f"In the {n}th round of the negotiations, " + PARA


def kept_lines(text: str) -> set[str]:
    return {norm(line) for line in text.split("\n\n") if line.strip()}


def removed_by(article, text: str) -> str | None:
    for r in article.removed:
        if norm(r.text) == norm(text):
            return r.rule
    return None


# ---------------------------------------------------------------- texts built here

def test_subheadings_and_said_lines_between_paragraphs_stay():
    lines = ["Home", "World", "Politics", "Gates: progress on missile defense",
             paragraph(1), paragraph(2), "Said Gates:", paragraph(3), "The Bigger Issue", paragraph(4),
             paragraph(5), "Share", "Twitter", "Facebook", "Email"]
    art = clean("\n\n".join(lines), site_rules=False)
    kept = kept_lines(art.text)
    for line in ("Said Gates:", "The Bigger Issue", paragraph(1), paragraph(5)):
        assert norm(line) in kept, line
    for line in ("Home", "World", "Share", "Twitter"):
        assert norm(line) not in kept, line


def test_headline_list_after_the_article_goes():
    headlines = ["Missile Defense Watch: THAAD Missile Defense Test Is Successful",
                 "China Uses Ballistic Missile To Destroy A Satellite In Space",
                 "United States Considering Deployment Of Patriot Missiles In Japan",
                 "Missile Defense Agency Rolls Out The Airborne Laser Aircraft",
                 "The Left's Revisionist History On Missile Defense"]
    art = clean("\n\n".join([paragraph(1), paragraph(2), paragraph(3)] + headlines), site_rules=False)
    kept = kept_lines(art.text)
    assert norm(paragraph(3)) in kept
    for h in headlines:
        assert norm(h) not in kept, h
    assert {r.category for r in art.removed if r.text in headlines} == {"related"}


def test_related_section_marker_ends_the_article():
    teasers = ["Another story about something else entirely that people read today",
               "A second teaser, with a blurb that reads a little like prose, is here."]
    art = clean("\n\n".join([paragraph(1), paragraph(2), "Related Stories"] + teasers), site_rules=False)
    assert removed_by(art, "Related Stories") == heuristics.SECTION_MARKER_RULE
    assert norm(teasers[0]) not in kept_lines(art.text)


def test_author_box_ends_the_article_even_before_a_long_biography():
    """'About <name>' opens a biography: the span never crosses it, however long the biography."""
    bio = ("Pai de Francesco e Teresa e marido de Bárbara, Carlos Nadalim é também coordenador pedagógico "
           "na escola onde trabalha há muitos anos, e escreve sobre educação, leitura e família para pais "
           "e professores de todo o país, com cursos e livros sobre alfabetização em casa.")
    for heading in ("Sobre Carlos Nadalim", "About the author", "About Jane Doe"):
        art = clean("\n\n".join([paragraph(1), paragraph(2), heading, bio]), site_rules=False)
        assert removed_by(art, heading) == heuristics.AUTHOR_BOX_RULE
        assert removed_by(art, bio) == "outside-article-bottom", heading
        assert norm(paragraph(2)) in kept_lines(art.text)


def test_donation_appeal_goes():
    appeal = ["A Message from The Daily Example:", "Dear readers,",
              "We are facing unprecedented challenges, and to continue our work we need your help.",
              "Your support, no matter how small, makes a world of difference. Please support us monthly "
              "starting from just $2.", "Once", "Monthly", "Annual", "Continue", "Remind me later."]
    art = clean("\n\n".join([paragraph(1), paragraph(2)] + appeal), site_rules=False)
    kept = kept_lines(art.text)
    for line in appeal:
        assert norm(line) not in kept, line
    assert {r.category for r in art.removed if r.text in appeal} == {"donation"}
    assert norm(paragraph(2)) in kept


def test_pull_quote_goes_and_its_paragraph_stays():
    quote = '"We cannot easily accept a deployment of a first strategic element so close to our borders."'
    body = ('The ambassador repeated the objection. "We cannot easily accept a deployment of a first strategic '
            'element so close to our borders," he told reporters after the meeting in Brussels.')
    art = clean("\n\n".join([paragraph(1), quote, paragraph(2), body, paragraph(3)]), site_rules=False)
    assert removed_by(art, quote) == "pullquote-repeats"
    assert norm(body) in kept_lines(art.text)


def test_non_english_article_keeps_its_body():
    body = ["El ministro de Defensa dijo el martes que las conversaciones continuarán la próxima semana, "
            "aunque las dos partes siguen lejos de un acuerdo sobre el despliegue del sistema.",
            "Según fuentes del ministerio, la propuesta de Washington no ha convencido a los responsables "
            "rusos, que consideran que el escudo es una amenaza para su seguridad.",
            "Dijo el ministro:",
            "La reunión de la próxima semana en Oslo será decisiva para el futuro de las negociaciones entre "
            "los dos países, según los analistas consultados por este diario."]
    nav = ["Inicio", "Internacional", "Deportes", "Noticias relacionadas",
           "Los mejores destinos para viajar este invierno", "Cinco recetas fáciles para la cena"]
    art = clean("\n\n".join(nav[:3] + body + nav[3:]), site_rules=False)
    assert art.language == "es"
    kept = kept_lines(art.text)
    for line in body:
        assert norm(line) in kept, line
    for line in nav:
        assert norm(line) not in kept, line


def test_numeric_table_inside_the_article_stays():
    table = ["Pos Player Plays % Stats", "DL Larry Ogunjobi 63 85% 1 tackle", "DL Myles Garrett 57 77% 3 QH",
             "LB Joe Schobert 74 100% 7 tackles"]
    art = clean("\n\n".join([paragraph(1)] + table + [paragraph(2), paragraph(3)]), site_rules=False)
    kept = kept_lines(art.text)
    for line in table[1:]:
        assert norm(line) in kept, line


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
    heuristics.label(blocks, "English", disabled=frozenset(heuristics.SWITCHES))
    assert all(b.label is None for b in blocks)
    heuristics.label(blocks, "English", disabled=frozenset(heuristics.SWITCHES) - {"span"})
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


def test_the_headline_is_not_a_date_line_nor_a_paragraph():
    """Reuters' header: section, date/time line, headline, byline, reading time, then the story.
    The date line has more words than the headline; it is not one (it holds a date and digits)."""
    lines = ["Business News", "November 19, 2019 / 12:21 AM / Updated 14 hours ago",
             "Oversupply angst drags oil lower, stocks drift near highs", "Rodrigo Campos", "5 Min Read",
             paragraph(1), paragraph(2), "Share this article"]
    art = clean("\n".join(lines), site_rules=False)
    assert art.title == "Oversupply angst drags oil lower, stocks drift near highs"
    assert removed_by(art, "5 Min Read") == "meta-reading-time"
    # a first paragraph that lost its full stop (26 words) is not a headline either
    lead = ("Chelsea have this morning paid the £71.6million fee to the Spanish league this morning to secure "
            "the world record signing of Athletic Bilbao keeper Kepa Arrizabalaga")
    art = clean("\n".join(["Home | Sport | News", lead, paragraph(1), paragraph(2)]), site_rules=False)
    assert art.title is None and norm(lead) in kept_lines(art.text)


def test_a_line_ending_with_a_colon_is_not_a_headline():
    """A line ending with a colon introduces what follows (a list, a quote); it is never taken for
    the headline, so the cleaned text's lead-in is not taken for one either (idempotence)."""
    lead_in = "Aviation industry must act fast on climate change:"
    art = clean("\n".join([lead_in, "Airbus chief", paragraph(1), paragraph(2)]), site_rules=False)
    assert art.title is None
    assert norm(lead_in) in kept_lines(art.text)
    headline = "Gates: 'Genuine interest' in Russia on missile defense"  # a colon inside is fine
    art = clean("\n".join(["Home | News", headline, paragraph(1), paragraph(2)]), site_rules=False)
    assert art.title == headline
