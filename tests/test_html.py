"""HTML input: trafilatura plus site `html:` rules plus the text stage, on real and on built pages.
Small pages and what they must give (charsets, fragments, broken markup) are the case folders
tests/cases/html-*."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURE_PAGES, fixture_pages, run_cli, shingle_f1

from cleaner import InputError, RuleError, clean
from cleaner.blocks.html import MAX_PAGE_ELEMENTS, html_blocks, html_document, parse
from cleaner.label.html import SIGNALS_OFF_FOR_EXTRACTED, label_page, signals_off_for
from cleaner.rules.selectors import selector_problem

def fixture_page(name: str) -> tuple[str, str, str]:
    """(html, url, gold) of the fixture page `name` (tests/fixtures/pages/<name>.html)."""
    [(html, url)] = [(html, url) for found, html, url in fixture_pages(".html") if found == name]
    return html, url, (FIXTURE_PAGES / f"{name}.gold.txt").read_text(encoding="utf-8")


# ---------------------------------------------------------------- news pages against their gold

# News pages as sites print them (written for the tests): English with a headline and a standfirst,
# Russian whose description is its first paragraph, Korean.
NEWS_PAGES = ("offshore-wind", "park-ru", "library-ko")
MIN_PAGE_F1 = 0.9


@pytest.mark.parametrize("name", NEWS_PAGES)
def test_news_page_matches_its_gold(name):
    html, url, gold = fixture_page(name)
    article = clean(html, url=url, site_rules=False)
    assert article.input_format == "html"
    assert shingle_f1(gold, article.text) >= MIN_PAGE_F1
    longest = max(gold.splitlines(), key=len)
    assert longest[:80] in article.text


def test_headline_and_standfirst_leave_the_body_and_feed_the_metadata():
    html, url, gold = fixture_page("offshore-wind")   # <h1> headline and an <h2> standfirst above the text
    article = clean(html, url=url, site_rules=False)
    headline = "Offshore Wind Farm Wins Final Approval Despite Fishermen's Objections"
    assert article.title == headline
    assert headline not in article.text
    assert "The 48-turbine project off Grey Point will power 300,000 homes" not in article.text
    assert article.text.startswith(gold.strip()[:40])
    assert "Achterberg" in article.author and article.date == "2019-11-19"
    rules = {r.rule for r in article.removed}
    assert {"html-title", "html-description"} <= rules


def test_a_description_that_is_the_first_paragraph_stays():
    html, url, gold = fixture_page("park-ru")
    article = clean(html, url=url, site_rules=False)
    first = gold.strip().splitlines()[0]
    assert article.text.startswith(first[:80])
    assert "html-description" not in {r.rule for r in article.removed}


def test_truncated_page_keeps_the_part_that_arrived():
    html, url, gold = fixture_page("offshore-wind")
    first, second = [line for line in gold.splitlines() if line.strip()][:2]
    cut = html.index("The approval came after")   # the third paragraph: the page ends inside the article
    article = clean(html[:cut], url=url, site_rules=False)
    assert first[:60] in article.text and second[-60:] in article.text


# ---------------------------------------------------------------- site html rules (strip, body)

SITE_FILE = """\
site: Example News
hosts: [example-news.test]
last_verified: 2026-11-22
html:
  strip: ['.newsletter-box', 'aside.related', '.ad']
  body: 'div.story'
"""

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the opening hours of every public library, "
    "a change that librarians had asked for since the budget cuts of the last decade.",
    "Under the plan, branches will stay open until nine in the evening on weekdays, and the main "
    "library will open on Sunday afternoons for the first time since it was built.",
    "Council members said the cost would be met from the parking revenue that had been set aside "
    "for the renovation of the market square, which has been postponed until next spring.",
    "Readers who spoke to the paper welcomed the change, though several said they would rather "
    "have seen the money spent on the children's section, which has not been updated in years.",
]


def site_page() -> str:
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])
    story += ('<div class="newsletter-box"><p>Get the Morning Briefing in your inbox every day, '
              'sign up now for our free newsletter and never miss a story.</p></div>')
    story += '<div class="ad"><p>Buy now, pay later</p><div class="ad"><p>Limited offer</p></div></div>'
    story += "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    story += ('<aside class="related"><p>Museum hours change as well, officials said in a long statement '
              'to the press about the many changes to come in the new year.</p></aside>')
    return ("<!DOCTYPE html><html><head><title>Libraries to open longer | Example News</title></head><body>"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/city'>City</a></li></ul></nav>"
            "<div class='promo'><p>Subscribe today and save fifty percent on your first year of "
            "unlimited digital access to every story we publish.</p></div>"
            f"<main><div class='story'><h1>Libraries to open longer</h1>{story}</div></main>"
            "<footer><p>Copyright 2026 Example News. All rights reserved.</p></footer></body></html>")


@pytest.fixture()
def site_rules_dir(tmp_path: Path) -> Path:
    (tmp_path / "example-news.yaml").write_text(SITE_FILE, encoding="utf-8")
    return tmp_path


def test_site_html_rules_strip_and_choose_the_body(site_rules_dir):
    article = clean(site_page(), url="https://example-news.test/city/libraries", rules_dirs=(str(site_rules_dir),))
    assert article.site == "Example News"
    for p in PARAGRAPHS:
        assert p in article.text
    for gone in ("Morning Briefing", "Museum hours", "Subscribe today", "Copyright 2026", "Home"):
        assert gone not in article.text
    stripped = {r.text.split(",")[0]: (r.category, r.rule) for r in article.removed if r.rule.startswith("html-")}
    assert stripped["Get the Morning Briefing in your inbox every day"] == ("other", "html-strip")
    assert stripped["Museum hours change as well"] == ("other", "html-strip")
    assert ("navigation", "html-body") in stripped.values()     # the promo and the footer, outside the body
    ads = [r.text for r in article.removed if r.rule == "html-strip" and "Buy now" in r.text]
    assert ads == ["Buy now, pay later Limited offer"]          # nested matches: one element, one block
    assert article.title == "Libraries to open longer"


def test_without_the_site_rule_the_boxes_are_not_stripped_by_html_rules(site_rules_dir):
    article = clean(site_page(), url="https://example-news.test/city/libraries", site_rules=False)
    assert article.site is None
    assert not [r for r in article.removed if r.rule in ("html-strip", "html-body")]


def test_a_body_selector_that_matches_nothing_leaves_the_whole_page(tmp_path):
    (tmp_path / "x.yaml").write_text(SITE_FILE.replace("div.story", "div.no-such-thing"), encoding="utf-8")
    article = clean(site_page(), url="https://example-news.test/a", rules_dirs=(str(tmp_path),))
    assert PARAGRAPHS[0] in article.text and PARAGRAPHS[3] in article.text
    assert "html-body" not in {r.rule for r in article.removed}


def test_a_bad_selector_is_one_rule_error_naming_the_file(tmp_path):
    (tmp_path / "bad.yaml").write_text(SITE_FILE.replace("aside.related", "aside[["), encoding="utf-8")
    with pytest.raises(RuleError) as info:
        clean(site_page(), url="https://example-news.test/a", rules_dirs=(str(tmp_path),))
    message = str(info.value)
    assert "bad.yaml" in message and "aside[[" in message and "\n" not in message


def test_cli_explain_shows_what_html_rules_and_text_stage_removed(site_rules_dir, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(site_page(), encoding="utf-8")
    proc = run_cli("clean", str(page), "--url", "https://example-news.test/city/libraries",
                   "--rules-dir", str(site_rules_dir), "--explain")
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode()
    assert "format: html" in out and "site rules: Example News" in out
    assert re.search(r"other \[html-strip\]\s+Get the Morning Briefing", out)
    assert re.search(r"navigation \[html-body\]\s+Subscribe today", out)
    assert "metadata=title [html-title]" in out


# ---------------------------------------------------------------- format detection in the CLI

def test_cli_detects_html_and_input_format_text_overrides(site_rules_dir, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(site_page(), encoding="utf-8")
    auto = json.loads(run_cli("clean", str(page), "--no-site-rules", "--format", "json").stdout)
    assert auto["input_format"] == "html"
    assert PARAGRAPHS[0] in auto["text"] and "<p>" not in auto["text"]
    forced = json.loads(run_cli("clean", str(page), "--no-site-rules", "--format", "json",
                                "--input-format", "text").stdout)
    assert forced["input_format"] == "text"
    piped = json.loads(run_cli("clean", "-", "--format", "json", input=site_page().encode()).stdout)
    assert piped["input_format"] == "html"


# ---------------------------------------------------------------- bad HTML: a result or one clear error

def _cli_error(proc) -> str:
    err = proc.stderr.decode()
    assert proc.returncode != 0 and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_empty_input_as_html_is_an_empty_article():
    for doc in ("", b"", "   \n "):
        article = clean(doc, input_format="html", site_rules=False)
        assert article.text == "" and article.blocks == []


def test_binary_bytes_are_one_error_naming_the_source(tmp_path):
    data = b"<html><body>" + bytes(range(256)) * 40
    with pytest.raises(InputError):
        clean(data, source="blob.html")
    path = tmp_path / "blob.html"
    path.write_bytes(data)
    assert "blob.html" in _cli_error(run_cli("clean", str(path)))


def test_a_20_mb_page_with_a_huge_inline_script_keeps_its_article():
    blob = json.dumps({"items": [{"id": i, "text": "lorem ipsum dolor sit amet " * 3} for i in range(190_000)]})
    page = ("<html><head><title>Libraries to open longer</title><script>window.__DATA__=" + blob + "</script></head>"
            "<body><article><h1>Libraries to open longer</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
            + "</article></body></html>")
    assert len(page) > 20_000_000
    article = clean(page, site_rules=False)
    assert PARAGRAPHS[0] in article.text and PARAGRAPHS[3] in article.text
    assert "lorem ipsum" not in article.text


def test_a_page_with_too_many_elements_is_one_error_naming_the_source(tmp_path):
    page = "<html><body>" + "<p>x</p>" * (MAX_PAGE_ELEMENTS + 10) + "</body></html>"
    with pytest.raises(InputError) as info:
        html_blocks(page, source="huge.html")
    assert str(info.value).startswith("huge.html: HTML page too large")
    with pytest.raises(InputError):
        clean(page, source="huge.html", site_rules=False)
    path = tmp_path / "huge.html"
    path.write_text(page, encoding="utf-8")
    assert "huge.html: HTML page too large" in _cli_error(run_cli("clean", str(path)))


def test_nesting_deeper_than_the_parser_follows_still_gives_the_text():
    page = "<html><body>" + "<div>" * 20_000 + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>" * 20_000 + "</body></html>"
    article = clean(page, site_rules=False)
    assert PARAGRAPHS[0] in article.text


def test_html_blocks_one_block_per_paragraph_and_the_headline_as_metadata():
    page = html_document(site_page(), url="https://example-news.test/city/libraries", left_out=False)
    texts = [b.text for b in page.blocks]
    assert [t for t in texts if t in PARAGRAPHS] == PARAGRAPHS       # whole paragraphs, in order
    assert all(b.origin == "html" for b in page.blocks)
    assert all(b.label is None for b in page.blocks)                 # the blocks stage labels nothing
    assert page.metadata["title"] == "Libraries to open longer"
    label_page(page)                                                 # the labelling stage names the headline
    labelled = [(b.text, b.label.rule, b.label.field) for b in page.blocks if b.label is not None]
    assert labelled == [("Libraries to open longer", "html-title", "title")]
    assert parse("") is None and parse("   ") is None


def test_signals_off_only_for_what_trafilatura_extracted():
    extracted, _ = html_blocks(site_page())
    assert signals_off_for(extracted) == SIGNALS_OFF_FOR_EXTRACTED
    deep = "<html><body>" + "<div>" * 5_000 + "<p>" + PARAGRAPHS[0] + "</p>" + "</div>" * 5_000 + "</body></html>"
    fallback, _ = html_blocks(deep)
    assert fallback and all(b.origin == "html-page" for b in fallback)
    assert signals_off_for(fallback) == frozenset()


def test_selector_problem_says_what_is_wrong():
    assert selector_problem("div.story > p:first-child") is None
    assert selector_problem("aside[[") and selector_problem("")
