"""The headline of plain text: the line a reader takes for it."""
from __future__ import annotations

from cleaner import clean

BODY = ("Volunteers on the coast path counted more than four hundred nesting pairs this spring, the highest "
        "number since the survey began, and say the new fences kept walkers away from the cliffs.\n\n"
        "The trust plans to extend the fences along the northern headland next year if funding allows.\n\n"
        "Visitors are asked to keep dogs on a lead between April and July while the birds are nesting.\n")


def test_headline_under_a_cookie_notice_and_a_section_label():
    text = ("Skip to main content\n\nCookies on Coastal Trust\n\n"
            "We use some essential cookies to make this website work.\n\n"
            "We would also like to set optional cookies to understand how you use the site.\n\n"
            "Hide this message\n\nNews story\n\nRecord year for puffins on the north cliffs\n\n" + BODY)
    art = clean(text)
    assert art.title == "Record year for puffins on the north cliffs"


def test_headline_under_a_promotion_and_a_menu():
    text = ("Get 3 months for 1 euro: subscribe to our digital edition today and read every article without limits.\n"
            "Subscribe now\nHome\nNature\nEvents\nRecord year for puffins on the north cliffs\n" + BODY.replace("\n\n", "\n"))
    art = clean(text)
    assert art.title == "Record year for puffins on the north cliffs"


def test_headline_repeated_from_the_title_line():
    # A page's text with its <title> first (as many scrapers write it): the visible headline below,
    # amid navigation, is the one that repeats it.
    text = ("Coastal Trust News - Record year for puffins on the north cliffs\n\nHome\n\nNews\n\nEvents\n\n"
            "Share this page\n\nRecord year for puffins on the north cliffs\n\n"
            "A volunteer counts nesting birds on the cliffs (Photo: the trust)\n\n" + BODY)
    art = clean(text)
    assert art.title == "Record year for puffins on the north cliffs"


def test_short_site_name_first_line_is_not_the_title():
    text = "Coastal Trust\n\nRecord year for puffins on the north cliffs\n\n" + BODY
    art = clean(text)
    assert art.title == "Record year for puffins on the north cliffs"


def test_subheading_inside_the_article_is_not_the_headline():
    text = ("Record year for puffins on the north cliffs\n\n" + BODY +
            "\nWhat happens next\n\nThe survey will be repeated in the autumn, when the young birds leave the "
            "cliffs, and the results published before the end of the year.\n")
    art = clean(text)
    assert art.title == "Record year for puffins on the north cliffs"
    assert "What happens next" in art.text
