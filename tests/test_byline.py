"""Bylines: parse_byline on invented lines. The byline taken from a whole document: the case
folders tests/cases/byline-*."""
from __future__ import annotations

import pytest

from cleaner.label.byline import bare_name, byline_beside_date, introducer_only, parse_byline, role_line


@pytest.mark.parametrize("line, authors", [
    # several authors in capitals: all of them, recased
    ("By MARTA OYELARAN, TOBIAS KRENN and LUCILLE ABARA", ["Marta Oyelaran", "Tobias Krenn", "Lucille Abara"]),
    ("By NIAMH O'DWYER-HALE", ["Niamh O'Dwyer-Hale"]),
    # introducers of other languages; a place after the name is not an author
    ("Von Katrin Oberländer, Hamburg", ["Katrin Oberländer"]),
    ("Por Lucía Ferrán y Tomás Ibarrola", ["Lucía Ferrán", "Tomás Ibarrola"]),
    ("par Hélène Vasseur", ["Hélène Vasseur"]),
    ("Di Giulio Marcenaro", ["Giulio Marcenaro"]),
    ("Door Pieter van der Lende", ["Pieter van der Lende"]),
    ("Af Sigrid Holmgaard", ["Sigrid Holmgaard"]),
    ("Автор: Олег Сидоренко", ["Олег Сидоренко"]),
    # roles and agencies told apart from people
    ("Reporting by Amara Quist; Editing by Bernd Falke", ["Amara Quist"]),
    ("By Dario Vennet (Reuters)", ["Dario Vennet"]),
    ("By Dario Vennet | AP", ["Dario Vennet"]),
    ("By Reuters", ["Reuters"]),
    ("by Staff Writers", ["Staff Writers"]),
    ("By Olu Adeyemi, Staff Writer", ["Olu Adeyemi"]),
    ("By Carys Penhale Health correspondent, Westbridge News", ["Carys Penhale"]),
    # glued to a date, before or after the names
    ("October 3, 2021 7:15 pm EDT by Wendell Ashcombe", ["Wendell Ashcombe"]),
    ("Written by Ines Marlow and Ruth Okafor on May 2, 2020", ["Ines Marlow", "Ruth Okafor"]),
    ("14. März 2019, 08:12 · von Kalle", ["Kalle"]),
    # introducers of a blog's "posted by" in other languages
    ("Publicado por Nerea Ubago", ["Nerea Ubago"]),
    ("Eingestellt von Wiebke Sandmann", ["Wiebke Sandmann"]),
    ("Erstellt von Lasse Brügger", ["Lasse Brügger"]),
    # a role or a handle glued to the name by a rendering that lost the space
    ("Ilka RossbergStaff Writer", None),
    ("By Dorian Falk@dfalkwrites Nov 18, 2019, 11:47am EST", ["Dorian Falk"]),
    # a one-word name before a mark or a date that ends it
    ("8. Januar 2020 · by Mirabel · in Reisen", ["Mirabel"]),
    ("Posted by Shanti August 9th, 2012 | 0 Comments", ["Shanti"]),
    ("6. Dezember 2022 von Fenja in Reisen, Kultur", ["Fenja"]),
])
def test_byline_forms(line, authors):
    if authors is None:  # a bare name line: the caller says where it stands
        found = parse_byline(line, bare=True)
        assert found is not None and list(found.authors) == ["Ilka Rossberg"]
        return
    found = parse_byline(line)
    assert found is not None and list(found.authors) == authors
    assert found.author == "; ".join(authors)


@pytest.mark.parametrize("line", [
    "By the time the ferry arrived, the harbour was closed.",
    "By Monday, the talks had collapsed.",
    "By clicking Accept you agree to our use of cookies",
    "Von Sprachregeln und anderen Hindernissen",
    "New rail link opens in the valley",
])
def test_not_a_byline(line):
    assert parse_byline(line) is None


def test_bare_name_only_when_the_caller_says_so():
    assert parse_byline("Priya Ramaswamy") is None
    assert list(parse_byline("Priya Ramaswamy", bare=True).authors) == ["Priya Ramaswamy"]
    assert list(parse_byline("Priya Ramaswamy @pramaswamy", bare=True).authors) == ["Priya Ramaswamy"]
    assert parse_byline("Priya Ramaswamy said the plan was late", bare=True) is None
    assert bare_name("Priya Ramaswamy") and not bare_name("Harbour closed for repairs today")


def test_a_date_glued_before_the_byline_is_read_in_the_documents_language():
    line = "Veröffentlicht am 13. März 2019 von Jorinde Katzmarek-Wolf"
    assert list(parse_byline(line, language="de").authors) == ["Jorinde Katzmarek-Wolf"]


def test_a_month_after_a_name_ends_it_but_a_name_like_a_month_stays():
    assert list(parse_byline("By Ottilie Brand Nov 18, 2019").authors) == ["Ottilie Brand"]
    assert list(parse_byline("By Ottilie May").authors) == ["Ottilie May"]


def test_introducer_and_role_lines():
    assert introducer_only("Autor:") and introducer_only("By :") and not introducer_only("By the way")
    assert role_line("Chefredakteurin") and role_line("Periodista Judicial") and role_line("Stadtrat-Vorsitzender")
    assert not role_line("Travel, Amerika") and not role_line("Telefon +49 40 1234")


def test_a_credit_word_alone_is_no_role_line():
    assert not role_line("Staff Picks") and role_line("Staff Writer") and role_line("Daily News Writers")


@pytest.mark.parametrize("line, authors", [
    ("Renate Oswalt | 29. Dezember 2022 | HR-Welt", ["Renate Oswalt"]),
    ("Caio Bertolini 27/09/2018 Comente! Alfabetização, Brinquedos", ["Caio Bertolini"]),
    ("28. Jan. 2022 Lioba Kessel", ["Lioba Kessel"]),
    ("September 17, 2019 Helmut Brandl 0", ["Helmut Brandl"]),
    ("2019-11-20 17:27:46 Marisol De Vega", ["Marisol De Vega"]),
    # not a name beside a date: a place, a marker, a section after the name, what is left of a time
    ("New Delhi, 3 May 2020", None),
    ("Last Update 3 May 2020", None),
    ("30. Oktober 2023 Carola Pönisch Kultur", None),
    ("10:30 A.M. ET 3 May 2020", None),
    ("BBC Morning Live – November 6, 2012 Hour 2", None),  # a show's name, with an acronym
    ("RENATE OSWALT | 29. Dezember 2022", ["Renate Oswalt"]),
])
def test_name_beside_a_date(line, authors):
    found = byline_beside_date(line, "de")
    assert (list(found.authors) if found else None) == authors


@pytest.mark.parametrize("line, bare, authors", [
    ("By Amalia Ferreiro Updated Nov 13, 2019, 10:28am EST", False, ["Amalia Ferreiro"]),  # a marker ends the name
    ("By CORMAC DELANEY Associated Press Writer", False, ["Cormac Delaney"]),  # capitals end the name
    ("Quill Marsden, AP Auto Writer", True, ["Quill Marsden"]),  # a job after the comma is no second author
    ("T. V. Raman", True, ["T. V. Raman"]),  # initials in capitals stay
])
def test_where_a_name_ends(line, bare, authors):
    assert list(parse_byline(line, bare=bare).authors) == authors
