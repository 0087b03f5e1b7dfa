"""Metadata from HTML: the functions that read JSON-LD, meta tags and dates (issue #13, item 4).
Whole pages and the metadata they give are the case folders tests/cases/html-metadata-*.

Every page here is written for the test (invented names, sites and dates)."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.blocks.html import parse
from cleaner.blocks.page_metadata import iso_moment, page_dates

# The whole page of the case html-metadata-json-ld: an article's JSON-LD in a @graph.
JSON_LD_PAGE = Path(__file__).parent / "cases" / "html-metadata-json-ld" / "source.html"


def test_page_dates_reads_the_articles_json_ld_before_meta_tags():
    website = '<script type="application/ld+json">{"@type": "WebSite", "datePublished": "2001-01-01T00:00:00Z"}</script>'
    meta = '<meta property="article:published_time" content="2022-01-01T00:00:00Z">'
    html = JSON_LD_PAGE.read_text(encoding="utf-8").replace("<head>", "<head>" + website, 1)
    tree = parse(html.replace("</head>", meta + "</head>", 1))
    assert page_dates(tree) == {"datetime": "2023-03-14T08:05:00+01:00", "published": "2023-03-14",
                                "published_raw": "2023-03-14T08:05:00+01:00", "updated": "2023-03-15"}


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
    from cleaner.label.headline import TITLE_RULE
    from cleaner.metadata import collect

    guess = Block(text="by Cheryl Moss", label=Label(keep=False, category="metadata", rule=TITLE_RULE,
                                                     field="title", value="by Cheryl Moss"))
    declared = {"title": "Ferry timetable changes approved"}
    assert collect([guess], url=None, extracted=declared).title == "Ferry timetable changes approved"
    assert collect([guess], url=None).title == "by Cheryl Moss"            # text: the guess is all there is
    ruled = Block(text="Ferry Watch: Board approves", label=Label(
        keep=False, category="metadata", rule="fw-title", field="title", value="Ferry Watch: Board approves"))
    assert collect([ruled], url=None, extracted=declared).title == "Ferry Watch: Board approves"  # a site rule's take
