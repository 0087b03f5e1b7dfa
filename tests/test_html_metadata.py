"""Metadata from HTML: JSON-LD, meta tags and the byline in the page body (issue #13, item 4).

Every page here is written for the test (invented names, sites and dates)."""
from __future__ import annotations

import pytest

from cleaner import clean
from cleaner.html import iso_moment, page_dates, parse

BODY = """
<p>The harbour board approved the new ferry timetable on Tuesday after a long public consultation,
and the first changes take effect at the start of next month for every route.</p>
<p>Passengers on the island routes will gain two sailings a day, while the late service to the
mainland moves forty minutes earlier to match the last train connection.</p>
<p>The board said the timetable would be reviewed after one full season of operation, and that
fares would not change before the review is complete.</p>
"""


def page(head: str, body_top: str = "", body: str = BODY) -> str:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{head}</head><body>"
            f"<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><main><article>"
            f"<h1>Ferry timetable changes approved</h1>{body_top}{body}</article></main>"
            f"<footer><p>© 2023 The Harbour Gazette</p></footer></body></html>")


JSON_LD = """<title>Ferry timetable changes approved | The Harbour Gazette</title>
<meta property="og:site_name" content="The Harbour Gazette">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "The Harbour Gazette", "url": "https://harbourgazette.example/"},
  {"@type": "NewsArticle", "headline": "Ferry timetable changes approved",
   "datePublished": "2023-03-14T08:05:00+01:00", "dateModified": "2023-03-15T10:30:00+01:00",
   "author": [{"@type": "Person", "name": "Ines Valtonen"}, {"@type": "Person", "name": "Rob Achterberg"},
              {"@type": "Person", "name": "Maeve Kinsella"}],
   "publisher": {"@type": "Organization", "name": "The Harbour Gazette"}}]}
</script>"""


def test_json_ld_gives_every_author_the_moment_with_its_offset_and_the_update():
    a = clean(page(JSON_LD))
    assert a.authors == ["Ines Valtonen", "Rob Achterberg", "Maeve Kinsella"]
    assert a.author == "Ines Valtonen; Rob Achterberg; Maeve Kinsella"
    assert a.date == "2023-03-14"
    assert a.datetime == "2023-03-14T08:05:00+01:00"
    assert a.updated == "2023-03-15"
    assert a.sitename == "The Harbour Gazette"
    assert a.title == "Ferry timetable changes approved"
    d = a.to_dict()
    assert (d["authors"], d["datetime"], d["updated"]) == (a.authors, a.datetime, a.updated)


def test_meta_tags_give_the_moment_and_the_update():
    head = """<meta property="og:title" content="Ferry timetable changes approved">
<meta property="article:published_time" content="2023-03-14T07:05:00.000Z">
<meta property="article:modified_time" content="2023-03-16T09:00:00Z">
<meta name="author" content="Ines Valtonen">"""
    a = clean(page(head))
    assert (a.author, a.authors) == ("Ines Valtonen", ["Ines Valtonen"])
    assert a.date == "2023-03-14"
    assert a.datetime == "2023-03-14T07:05:00+00:00"
    assert a.updated == "2023-03-16"


def test_a_moment_without_a_zone_gives_no_datetime():
    # Nothing invented: the page gives no zone, so no offset is made up; the day still stands.
    head = '<meta property="article:published_time" content="2023-03-14T08:05:00">'
    a = clean(page(head))
    assert a.date == "2023-03-14"
    assert a.datetime is None and a.updated is None


def test_the_byline_in_the_page_body_when_the_head_names_nobody():
    a = clean(page('<meta property="article:published_time" content="2023-03-14">',
                   body_top='<p class="byline">By <a rel="author" href="/staff/ines">Ines Valtonen</a></p>'))
    assert a.author == "Ines Valtonen"
    assert a.authors == ["Ines Valtonen"]
    assert "By Ines Valtonen" not in a.text


def test_a_bare_author_element_in_the_page_body():
    # No "By": no text rule takes it; the page's markup says what it is.
    a = clean(page("", body_top='<div class="meta"><span class="author-name">Ines Valtonen</span> '
                               '<time datetime="2023-03-14">14 March 2023</time></div>'))
    assert a.author == "Ines Valtonen"


def test_a_page_without_metadata_gives_none_and_empty_lists():
    a = clean(page(""))
    assert a.authors == [] and a.author is None
    assert a.datetime is None and a.updated is None


def test_malformed_json_ld_leaves_the_meta_tags_standing():
    head = """<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": </script>
<meta property="article:published_time" content="2023-03-14T08:05:00+01:00">
<meta name="author" content="Ines Valtonen">"""
    a = clean(page(head))
    assert a.author == "Ines Valtonen"
    assert a.datetime == "2023-03-14T08:05:00+01:00"


def test_page_dates_reads_the_articles_json_ld_before_meta_tags():
    website = '<script type="application/ld+json">{"@type": "WebSite", "datePublished": "2001-01-01T00:00:00Z"}</script>'
    tree = parse(page(website + JSON_LD + '<meta property="article:published_time" content="2022-01-01T00:00:00Z">'))
    assert page_dates(tree) == {"datetime": "2023-03-14T08:05:00+01:00", "published": "2023-03-14",
                                "published_raw": "2023-03-14T08:05:00+01:00", "updated": "2023-03-15"}


def test_a_publication_moment_htmldate_cannot_read_is_not_replaced_by_the_update():
    # htmldate 1.x skips an article:published_time with milliseconds and reports the
    # modification time as the date: the declared publication day wins back.
    head = """<meta property="article:published_time" content="2023-03-14T07:05:00.000Z">
<meta property="article:modified_time" content="2023-03-16T09:00:00Z">"""
    a = clean(page(head))
    assert (a.date, a.updated) == ("2023-03-14", "2023-03-16")



@pytest.mark.parametrize("value, expected", [
    ("2019-11-19T13:03:00.000Z", "2019-11-19T13:03:00+00:00"),
    ("2019-06-17T18:28:00+0200", "2019-06-17T18:28:00+02:00"),
    ("2020-10-19T17:42-04:00", "2020-10-19T17:42:00-04:00"),
    ("2020-10-19 17:42:00 +05:30", "2020-10-19T17:42:00+05:30"),
    ("2020-10-19T17:42:00", None),          # no zone
    ("2020-10-19", None),                   # no time
    ("2020-02-30T10:00:00Z", None),         # no such day
    ("October 19, 2020 5:42 pm EDT", None),  # not ISO: left to the text stage
])
def test_iso_moment(value, expected):
    assert iso_moment(value) == expected


def test_the_pages_declared_title_wins_over_the_headline_detectors_guess():
    # On a page cleaned from its visible text, the headline detector may take a byline or a
    # section line for the headline; the title the page declares is the title.
    from cleaner.article import Block, Label
    from cleaner.metadata import TITLE_RULE, collect

    guess = Block(text="by Cheryl Moss", label=Label(keep=False, category="metadata", rule=TITLE_RULE,
                                                     field="title", value="by Cheryl Moss"))
    declared = {"title": "Ferry timetable changes approved"}
    assert collect([guess], url=None, extracted=declared).title == "Ferry timetable changes approved"
    assert collect([guess], url=None).title == "by Cheryl Moss"            # text: the guess is all there is
    ruled = Block(text="Ferry Watch: Board approves", label=Label(
        keep=False, category="metadata", rule="fw-title", field="title", value="Ferry Watch: Board approves"))
    assert collect([ruled], url=None, extracted=declared).title == "Ferry Watch: Board approves"  # a site rule's take
