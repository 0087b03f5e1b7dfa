"""Date lines: parse_date_line / is_date_line on invented lines. Dates taken from whole documents:
the case folders tests/cases/date-*."""
from __future__ import annotations

import pytest

from cleaner.label.dateline import DateLine, country_of, date_led, is_date_line, marker_only, parse_date_line, strip_dates


@pytest.mark.parametrize("line, language, country, want", [
    # day-first numeric dates, by the language; with a time, and an update after a marker
    ("14.03.2023", "de", None, DateLine("2023-03-14")),
    ("03/09/2018 22:40 | Actualizado a 04/09/2018 08:05", "es", None, DateLine("2018-09-03", None, "2018-09-04")),
    # English: month first, unless the site's country writes the day first
    ("03/09/2018", "en", None, DateLine("2018-03-09")),
    ("03/09/2018", "en", "uk", DateLine("2018-09-03")),
    ("25/09/2018", "en", None, DateLine("2018-09-25")),   # a day over 12 settles it
    # month names in the document's language, with "à 20h18" and update markers
    ("publié le 2 mars 2023 à 07h05", "fr", None, DateLine("2023-03-02")),
    ("(mis à jour le 4 mars 2023 à 11h30)", "fr", None, DateLine(None, None, "2023-03-04")),
    ("17. Oktober 2020", "de", None, DateLine("2020-10-17")),
    ("Aktualisiert am 18. Oktober 2020, 09:14 Uhr", "de", None, DateLine(None, None, "2020-10-18")),
    ("21 de enero de 2019", "es", None, DateLine("2019-01-21")),
    ("3 июня 2021, 12:40", "ru", None, DateLine("2021-06-03")),
    ("Published 2 Feb 2022", "en", None, DateLine("2022-02-02")),
    # time and zone: the full moment with its offset
    ("October 3, 2021 7:15 pm EDT", "en", None, DateLine("2021-10-03", "2021-10-03T19:15:00-04:00")),
    ("2021-10-03T19:15:00+02:00", "en", None, DateLine("2021-10-03", "2021-10-03T19:15:00+02:00")),
    ("Tuesday 5th January 2021 at 16:20 GMT", "en", None, DateLine("2021-01-05", "2021-01-05T16:20:00+00:00")),
    # year first with slashes or dots; a dotted date whose only valid order is month first
    ("2021/09/19", "en", None, DateLine("2021-09-19")),
    ("2021.09.19 14:02", "de", None, DateLine("2021-09-19")),
    ("11.14.2019 09:00 AM", "en", None, DateLine("2019-11-14")),
    # dates in words that only dateparser reads (a weekday and "December 13." before the year)
    ("Wednesday, December 13. 2006", "en", None, DateLine("2006-12-13")),
    ("Thu Dec 14 15:21:17 2006", "en", None, DateLine("2006-12-14")),
])
def test_date_line_forms(line, language, country, want):
    assert parse_date_line(line, language, country) == want
    assert is_date_line(line, language, country)


@pytest.mark.parametrize("line", ["3 hours ago", "vor 2 Stunden", "hace 5 minutos", "Yesterday", "Updated"])
def test_relative_times_are_left_alone(line):
    assert parse_date_line(line, "en") is None
    assert not is_date_line(line, "en")


def test_a_sentence_mentioning_a_date_is_not_a_date_line():
    line = "The council said on March 3, 2021 that the bridge would reopen within a month."
    assert not is_date_line(line, "en")


def test_country_of_url():
    assert country_of("https://www.example.co.uk/news/1") == "uk"
    assert country_of("https://example.com/a") is None
    assert country_of(None) is None


@pytest.mark.parametrize("line", ["© 2006 Example Media Inc.", "Posted in 2019 by the desk", "Top 10 of 2021",
                                  "May 2006", "Late Sept. 2001", "« March 2005 | Main | June 2005 »"])
def test_a_year_without_a_month_or_a_day_is_no_date(line):
    assert parse_date_line(line, "en") is None


def test_a_year_glued_to_the_next_date():
    # a page's publication and update dates rendered without a space between them
    assert parse_date_line("Veröffentlicht am 19. Dezember 202220. Dezember 2022", "de").date == "2022-12-19"
    assert is_date_line("2. Februar 20202. Februar 2020", "de")


def test_strip_dates_leaves_the_name_without_filler_and_keeps_inner_marks():
    assert strip_dates("Frida Holm am 18. September 2019", "de") == "Frida Holm"
    assert strip_dates("01. Dez. 2022 | 14:08 Uhr | von Jona Ebert", "de") == "von Jona Ebert"
    assert strip_dates("8. Januar 2020 · by Mirabel · in Reisen", "de") == "by Mirabel · in Reisen"


def test_marker_only():
    assert marker_only("Datum:") and marker_only("Zuletzt aktualisiert:") and marker_only("Published")
    assert not marker_only("Le") and not marker_only("Date of birth") and not marker_only("Published 2 May 2020")


@pytest.mark.parametrize("line, led", [
    ("01.02.2022 Kategorie: Schwimmen, Verband", True),
    ("19.11.2021 in Politik, Europa", True),
    ("03.11.2021", True),
    ("Serie 06.02.2022 Colours of law", False),        # something before the date
    ("March 3, 2020 The mayor said the bridge would reopen.", False),  # a sentence
])
def test_date_led_line(line, led):
    assert date_led(line, "de") is led


@pytest.mark.parametrize("line, want", [
    ("Letzte Aktualisierung: 28.01.2022", DateLine(None, None, "2022-01-28")),
    ("zuletzt bearbeitet: 04.02.2022, 08:27 Uhr", DateLine(None, None, "2022-02-04")),
    ("Last update 3 May 2020", DateLine(None, None, "2020-05-03")),
])
def test_more_update_markers(line, want):
    assert parse_date_line(line, "de") == want
