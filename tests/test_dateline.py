"""Date lines: parse_date_line / is_date_line on invented lines, and dates taken from documents."""
from __future__ import annotations

import pytest

from cleaner import clean
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


def _doc(header: str) -> str:
    return ("Ferry fares to rise in the spring\n\n" + header + "\n\n"
            "The island ferry company will raise its fares by four percent from April, blaming the cost of fuel "
            "and a new agreement with its crews, the company said on its website.\n\n"
            "Residents with a season ticket will keep their current price until the end of the year, it added.\n")


def test_spanish_date_line_with_update():
    text = ("Las tarifas del ferry subirán en primavera\n\nSociedad\n\n03/09/2018 22:40 | Actualizado a 04/09/2018 08:05\n\n"
            "La compañía del ferry subirá sus tarifas un cuatro por ciento desde abril, y culpa al precio del "
            "combustible y al nuevo acuerdo con sus tripulaciones, según dijo la empresa en su página.\n\n"
            "Los residentes con abono anual mantendrán el precio actual hasta el final del año, añadió.\n")
    art = clean(text)
    assert art.date == "2018-09-03" and art.updated == "2018-09-04"   # day first: the text is Spanish
    assert "Actualizado" not in art.text


def test_french_publication_and_update_lines():
    text = ("Les tarifs du ferry augmenteront au printemps\n\npar Odile Brassac\n\npublié le 2 mars 2023 à 07h05\n\n"
            "(mis à jour le 4 mars 2023 à 11h30)\n\n"
            "La compagnie qui assure la liaison avec l'île augmentera ses tarifs de quatre pour cent à partir "
            "d'avril, en raison du prix du carburant et d'un nouvel accord avec ses équipages.\n\n"
            "Les habitants titulaires d'un abonnement garderont leur prix actuel jusqu'à la fin de l'année.\n")
    art = clean(text)
    assert (art.date, art.updated, art.author) == ("2023-03-02", "2023-03-04", "Odile Brassac")
    assert "publié le" not in art.text and "mis à jour" not in art.text


def test_german_numeric_date_line():
    text = ("Fährpreise steigen im Frühjahr\n\nVon Lena Brückner, Kiel\n\n14.03.2023\n\n"
            "Die Reederei will ihre Preise ab April um vier Prozent anheben und nennt die Kosten für Treibstoff "
            "sowie einen neuen Tarifvertrag mit der Besatzung als Gründe für den Schritt.\n\n"
            "Wer eine Jahreskarte besitzt, zahlt bis zum Jahresende weiter den alten Preis, hieß es.\n")
    art = clean(text)
    assert (art.date, art.author) == ("2023-03-14", "Lena Brückner")
    assert "14.03.2023" not in art.text


def test_datetime_with_zone_and_json_fields():
    art = clean(_doc("October 3, 2021 7:15 pm EDT by Wendell Ashcombe"))
    assert art.date == "2021-10-03" and art.datetime == "2021-10-03T19:15:00-04:00"
    assert art.authors == ["Wendell Ashcombe"]
    data = art.to_dict()
    assert data["datetime"] == "2021-10-03T19:15:00-04:00" and data["updated"] is None


def test_no_time_zone_no_datetime():
    art = clean(_doc("October 3, 2021 7:15 pm"))
    assert art.date == "2021-10-03" and art.datetime is None


def test_relative_time_line_gives_no_date():
    art = clean(_doc("2 hours ago"))
    assert art.date is None


def test_above_the_headline_only_a_bare_date_line_is_the_article_date():
    body = ("Ferry fares to rise in the spring\n\n"
            "The island ferry company will raise its fares by four percent from April, blaming the cost of fuel "
            "and a new agreement with its crews, the company said on its website.\n\n"
            "Residents with a season ticket will keep their current price until the end of the year, it added.\n")
    masthead = clean("News | Sport | Weather\n\nIssue 2,318 | Friday, June 4, 2021\n\n" + body)
    assert masthead.title == "Ferry fares to rise in the spring"
    assert masthead.date is None   # a masthead with a date is not the article's date line
    bare = clean("News | Sport | Weather\n\nFriday, June 4, 2021\n\n" + body)
    assert (bare.title, bare.date) == ("Ferry fares to rise in the spring", "2021-06-04")
