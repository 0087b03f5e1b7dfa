"""HTML: when what trafilatura returned is implausible as the article (only a cookie notice, a
menu, no prose at all) the page's visible text is cleaned instead; a plausible extraction, and a
page that is one long table of data, keep trafilatura's result.

Every page here was written for these tests."""
from __future__ import annotations

import pytest

from cleaner import clean
from cleaner.article import Block
from cleaner.blocks.html import (FALLBACK_ORIGIN, IMPLAUSIBLE_MAX_WORDS_SHARE, IMPLAUSIBLE_MIN_RUN_WORDS,
                          IMPLAUSIBLE_PROSE_WORDS, html_blocks, parse, plausible)
from cleaner.rules import load_ruleset

GENERIC = load_ruleset().generic

ARTICLE = [
    "The town library has started lending seeds as well as books, with gardeners invited to borrow "
    "a packet in spring and bring back seeds from their harvest in the autumn.",
    "Volunteers sorted more than two hundred varieties of beans, tomatoes and herbs donated by local "
    "allotment holders over the winter months.",
    "The librarian in charge said the scheme had been inspired by a similar project in a neighbouring "
    "county that now has over a thousand members.",
    "Borrowers are asked to label the seeds they return with the date and the place they were grown, "
    "so that other gardeners know what to expect.",
]
CONSENT = [
    "Your privacy matters to us. We and our advertising partners use cookies and similar tools to "
    "measure audiences, remember your settings and show you adverts that suit you.",
    'If you select "Allow all", you consent to cookies being stored on this device. You can review '
    "your choices whenever you like under Privacy Settings in the footer.",
]
TITLE = "Library opens a seed bank"


def page(article_wrapper: str = "aside", extra_body: str = "") -> str:
    """A radio station's page: a consent box first, a menu, the story (inside `article_wrapper`)."""
    paras = "\n".join(f"<p>{p}</p>" for p in ARTICLE)
    consent = "\n".join(f"<p>{p}</p>" for p in CONSENT)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{TITLE} | Valley Radio</title>
<meta property="og:title" content="{TITLE}"></head>
<body>
<div class="privacy-overlay">{consent}
<button>Allow all</button> <button>Privacy settings</button></div>
<nav><a href="/">Home</a> <a href="/shows">Shows</a> <a href="/events">Events</a> <a href="/podcasts">Podcasts</a></nav>
<div class="layout"><{article_wrapper} class="story"><h1>{TITLE}</h1>
<div class="when">June 3, 2025</div>
<div class="story-body">{paras}</div></{article_wrapper}></div>
{extra_body}
<footer><p>© 2025 Valley Radio Ltd.</p><p><a href="/privacy">Privacy</a> | <a href="/cookies">Cookie settings</a></p></footer>
</body></html>"""


def test_an_article_in_an_aside_is_found_when_trafilatura_returns_the_cookie_notice():
    html = page("aside")
    blocks, _ = html_blocks(html, rules=GENERIC)
    assert all(b.origin == FALLBACK_ORIGIN for b in blocks)      # the page's text, not trafilatura's
    art = clean(html, site_rules=False)
    for para in ARTICLE:
        assert para in art.text
    for para in CONSENT:
        assert para not in art.text
    assert "Allow all Privacy settings" not in art.text
    assert art.title == TITLE
    assert {r.category for r in art.removed if r.text in CONSENT} == {"legal"}


def test_without_the_generic_rules_the_cookie_notice_counts_as_prose():
    """The consent box is prose by its shape: the rules are what make it implausible."""
    html = page("aside")
    blocks, _ = html_blocks(html)
    assert [b.text for b in blocks if b.origin == "html"] == CONSENT


def test_a_plausible_extraction_is_kept():
    """The same page with the story in an <article>: trafilatura finds it, and its blocks stay."""
    html = page("article")
    blocks, _ = html_blocks(html, rules=GENERIC)
    assert any(b.origin == "html" for b in blocks)
    assert not any(b.origin == FALLBACK_ORIGIN for b in blocks)
    art = clean(html, site_rules=False)
    for para in ARTICLE:
        assert para in art.text


def blocks_of(*texts: str) -> list[Block]:
    return [Block(text=t, origin="html") for t in texts]


def test_plausible_false_for_a_menu_when_the_page_has_an_article():
    tree = parse(page("article"))
    menu = blocks_of("Home", "Shows", "Events", "Podcasts", "Contact", "Weather", "Traffic")
    assert not plausible(menu, tree, GENERIC)


def test_plausible_false_for_a_consent_notice_only_with_the_rules():
    tree = parse(page("article"))
    notice = blocks_of(*CONSENT)
    assert not plausible(notice, tree, GENERIC)
    assert plausible(notice, tree, ())


def test_plausible_true_for_prose():
    tree = parse(page("article"))
    assert plausible(blocks_of(ARTICLE[0]), tree, GENERIC)
    assert len(ARTICLE[0].split()) >= IMPLAUSIBLE_PROSE_WORDS


def test_plausible_true_when_the_page_has_no_run_of_prose():
    """A page of links only: nothing better to take, trafilatura's result stands."""
    links = "".join(f"<li><a href='/p{i}'>Item {i}</a></li>" for i in range(40))
    tree = parse(f"<html><body><ul>{links}</ul></body></html>")
    assert plausible(blocks_of("Item 1", "Item 2"), tree, GENERIC)


def test_plausible_true_for_a_long_table_of_data():
    """Rows of figures are no prose, but a table this much longer than the page's best run of prose
    is the page's content."""
    rows = [f"| Station {i} | {i * 3}.{i % 10} mm | {20 + i % 7} °C | {i % 5} hours |" for i in range(120)]
    extracted = blocks_of(*rows)
    tree = parse(page("article"))
    words = sum(b.words for b in extracted)
    run = sum(len(p.split()) for p in ARTICLE)
    assert run >= IMPLAUSIBLE_MIN_RUN_WORDS and words >= IMPLAUSIBLE_MAX_WORDS_SHARE * run
    assert plausible(extracted, tree, GENERIC)
    assert not plausible(extracted[:5], tree, GENERIC)      # a few rows are not


@pytest.mark.parametrize("wrapper", ["aside", "article"])
def test_a_body_paragraph_about_cookies_stays_either_way(wrapper):
    about_cookies = ("Websites selling tickets for the seed swap will also stop setting tracking cookies, "
                     "after complaints from gardeners about targeted adverts.")
    html = page(wrapper).replace(f"<p>{ARTICLE[-1]}</p>", f"<p>{ARTICLE[-1]}</p><p>{about_cookies}</p>")
    art = clean(html, site_rules=False)
    for para in ARTICLE + [about_cookies]:
        assert para in art.text
    for para in CONSENT:
        assert para not in art.text
