"""Date lines: parse_date_line / is_date_line on invented lines. Dates taken from whole documents:
the case folders tests/cases/date-*."""
from __future__ import annotations

import pytest

from cleaner.dateline import DateLine, country_of, is_date_line, parse_date_line


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
