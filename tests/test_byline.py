"""Bylines: parse_byline on invented lines, and the byline taken from a whole document (CLI)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cleaner import clean
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


ARTICLE = """Harbour Authority Approves New Ferry Terminal
By GRETA VOLKOV, AMOS TREADWELL and IRIS MBEKI
June 4, 2021

PORT ELLIS — The harbour authority on Thursday approved plans for a new ferry terminal on the east quay, ending two years of debate over the site.

The terminal will replace the ageing pier that has served island crossings since the 1960s, and is due to open in the spring of 2024.

By the end of the meeting, members had also agreed to study a second berth for freight, which local hauliers have asked for.

Officials said construction would begin once the final environmental survey is complete.
"""


def test_byline_under_the_headline_is_metadata_and_leaves_the_body():
    art = clean(ARTICLE)
    assert art.authors == ["Greta Volkov", "Amos Treadwell", "Iris Mbeki"]
    assert art.author == "Greta Volkov; Amos Treadwell; Iris Mbeki"
    assert "GRETA VOLKOV" not in art.text
    assert any(r.category == "metadata" and "GRETA VOLKOV" in r.text for r in art.removed)


def test_body_sentence_starting_with_by_stays():
    art = clean(ARTICLE)
    assert "By the end of the meeting, members had also agreed" in art.text


def test_bare_name_next_to_the_date_is_the_byline():
    text = ("Orchard growers brace for a late frost\n\nTheo Lindqvist\n\n12.04.2022\n\n"
            "Fruit farmers across the valley spent the night lighting fires between the rows, hoping to keep "
            "the blossom alive as temperatures fell below freezing.\n\n"
            "Forecasters expect two more cold nights before the weather turns milder at the weekend, they said.\n")
    art = clean(text)
    assert art.authors == ["Theo Lindqvist"] and art.date == "2022-04-12"
    assert "Theo Lindqvist" not in art.text


def test_json_output_has_authors_and_author(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(path), "--format", "json"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert data["authors"] == ["Greta Volkov", "Amos Treadwell", "Iris Mbeki"]
    assert data["author"] == "Greta Volkov; Amos Treadwell; Iris Mbeki"
