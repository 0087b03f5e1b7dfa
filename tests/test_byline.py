"""Bylines: parse_byline on invented lines. The byline taken from a whole document: the case
folders tests/cases/byline-*."""
from __future__ import annotations

import pytest

from cleaner.byline import bare_name, parse_byline


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
])
def test_byline_forms(line, authors):
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
