"""Where `take` rules look (issue #13, item 6): a take rule for a header field neither takes nor
removes a repeat at or below the start of the article body (its first prose paragraph); every
shipped site file checks it on a second article of its site (samples/second/)."""
from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import RuleError, clean
from cleaner.article import Block, Label
from cleaner.rules import load_ruleset
from cleaner.rules.actions import BODY_START_MIN_WORDS, body_start
from cleaner.rules.rule import HEADER_FIELDS
from conftest import ROOT

PROSE = ("The harbour board approved the new ferry timetable on Tuesday after a long public "
         "consultation, and the first changes take effect at the start of next month.")
PROSE_2 = ("Passengers on the island routes will gain two sailings a day, while the late service "
           "to the mainland moves forty minutes earlier to match the last train connection.")
PROSE_3 = ("The board said the timetable would be reviewed after one full season, and that fares "
           "would not change before the review is complete, whatever the results show.")

# A made-up blog whose posts open with a tags line and a series headline, like the shipped
# "Missile Defense Watch" file.
SERIES_SITE = """site: Ferry Watch Blog
fingerprints: ["re:(?m)^Ferry Watch: "]
rules:
  - id: fw-tags
    take: tags
    pattern: '^(?P<value>[^,.:;!?]{2,40}(?:, ?[^,.:;!?\\s][^,.:;!?]{1,39}){1,15})$'
    case_sensitive: true
    first: 3
  - id: fw-title
    take: title
    pattern: '^(?P<value>[A-Z][\\w ]{2,30} Watch: .+)$'
    case_sensitive: true
    first: 4
  - id: fw-series-list
    category: related
    drop_run: '^[A-Z][\\w ]{2,30} Watch: .{5,140}$'
    case_sensitive: true
    min_run: 2
"""

POST = "\n\n".join([
    "Ferries, Harbour Board, Timetables",
    "Ferry Watch: Board Approves the New Timetable",
    PROSE,
    "Islands, mainland agree on the late sailing",   # a subheading with commas, in the body
    PROSE_2,
    "Fare Watch: what the review will look at",      # a series-shaped subheading, in the body
    PROSE_3,
    "Ferry Watch: The Winter Timetable Explained",
    "Ferry Watch: Why the Night Boat Stopped",
])


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    d = tmp_path / "my-rules"
    d.mkdir()
    (d / "ferrywatch.yaml").write_text(SERIES_SITE, encoding="utf-8")
    return d


def explain(article) -> dict[str, Label | None]:
    return {b.text: b.label for b in article.blocks}


def test_header_take_rules_stay_above_the_article_body(rules_dir):
    a = clean(POST, rules_dirs=(str(rules_dir),))
    assert a.site == "Ferry Watch Blog"
    assert a.tags == ["Ferries", "Harbour Board", "Timetables"]
    assert a.title == "Ferry Watch: Board Approves the New Timetable"
    # The body's subheadings are neither tags nor titles: they stay.
    assert "Islands, mainland agree on the late sailing" in a.text.split("\n\n")
    assert "Fare Watch: what the review will look at" in a.text.split("\n\n")
    # The related headlines under the article are related headlines, not copies of the title.
    labels = explain(a)
    for line in ("Ferry Watch: The Winter Timetable Explained", "Ferry Watch: Why the Night Boat Stopped"):
        assert labels[line].category == "related" and labels[line].rule == "fw-series-list"
        assert labels[line].field is None


def test_a_repeat_above_the_body_still_goes(rules_dir):
    # The series name printed again above the first paragraph (a breadcrumb) is a repeat of the title.
    text = POST.replace(PROSE, "Ferry Watch: Board Approves the New Timetable\n\n" + PROSE, 1)
    a = clean(text, rules_dirs=(str(rules_dir),))
    kept = a.text.split("\n\n")
    assert kept[0] == PROSE
    repeats = [r for r in a.removed if r.rule == "fw-title"]
    assert len(repeats) == 2 and "(again)" in repeats[1].reason


def test_a_field_found_only_inside_the_body_is_not_taken(rules_dir):
    # No tags line on top: the first comma line is a subheading in the body, and stays there.
    text = POST.replace("Ferries, Harbour Board, Timetables\n\n", "", 1)
    text = text.replace("Ferry Watch: Board Approves the New Timetable\n\n" + PROSE,
                        "Ferry Watch: Board Approves the New Timetable\n\n" + PROSE + "\n\nIslands, mainland", 1)
    a = clean(text, rules_dirs=(str(rules_dir),))
    assert a.tags == []
    assert "Islands, mainland" in a.text.split("\n\n")


def test_anywhere_lets_a_rule_take_under_the_article(tmp_path):
    d = tmp_path / "my-rules"
    d.mkdir()
    (d / "tagsbelow.yaml").write_text("""site: Tags Below
fingerprints: ["Tags Below Weekly"]
rules:
  - id: tb-tags
    take: tags
    anywhere: true
    pattern: '^Filed: (?P<value>.+)$'
  - id: tb-date
    take: date
    pattern: '^Printed (?P<value>\\d{4}-\\d{2}-\\d{2})$'
""", encoding="utf-8")
    text = "\n\n".join(["Tags Below Weekly", "Board approves the new timetable", PROSE, PROSE_2,
                        "Filed: ferries, harbour", "Printed 2024-05-02"])
    a = clean(text, rules_dirs=(str(d),))
    assert a.tags == ["ferries", "harbour"]
    assert a.date is None                         # a header field without `anywhere`: not below the body
    assert explain(a)["Printed 2024-05-02"].rule != "tb-date"
    assert "Filed: ferries, harbour" not in a.text


def test_anywhere_only_applies_to_take(tmp_path):
    d = tmp_path / "my-rules"
    d.mkdir()
    (d / "bad.yaml").write_text("site: Bad\nrules:\n  - id: bad-share\n    category: share\n"
                                "    drop_line: '^Share$'\n    anywhere: true\n", encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_ruleset([d])
    assert str(exc.value).endswith("bad.yaml:6: 'anywhere': rule 'bad-share': 'anywhere' only applies to take, not drop_line")


def test_body_start_is_the_first_prose_paragraph_still_in_the_body():
    short = Block(text="Islands, mainland agree on the late sailing")
    no_stop = Block(text=" ".join(["word"] * (BODY_START_MIN_WORDS + 5)))           # no sentence end
    removed = Block(text=PROSE, label=Label(keep=False, category="donation", rule="x"))
    kept = Block(text=PROSE_2, label=Label(keep=True, category="body", rule="k"))
    blocks = [short, no_stop, removed, kept, Block(text=PROSE_3)]
    assert body_start(blocks) == 3
    assert body_start([short, no_stop]) == 2
    assert body_start([Block(text=PROSE + "”")]) == 0                              # a closing quote


def test_header_fields():
    assert HEADER_FIELDS == {"title", "author", "date", "dateline", "tags", "sitename"}


def test_cleaning_the_cleaned_text_changes_nothing(rules_dir):
    a = clean(POST, rules_dirs=(str(rules_dir),))
    again = clean(a.text, rules_dirs=(str(rules_dir),), site="Ferry Watch Blog")
    assert again.text == a.text


# ---------------------------------------------------------------- the shipped site files

SHIPPED = load_ruleset().sites


@pytest.mark.parametrize("site", SHIPPED, ids=[s.name for s in SHIPPED])
def test_every_shipped_site_has_a_second_article_with_the_traps(site):
    second = [t for t in site.tests if "/second/" in t.sample]
    assert second, f"{site.name}: no test on a second article (samples/second/)"
    test = second[0]
    text = (ROOT / test.sample).read_text(encoding="utf-8")
    # The traps: a subheading with commas inside the body, which must stay...
    assert "Poland, US sign deal on missile defence base" in text.splitlines()
    assert "Poland, US sign deal on missile defence base" in test.must_contain
    # ...and headlines under the article, which must go.
    assert len(test.must_not_contain) >= 3


@pytest.mark.parametrize("site", SHIPPED, ids=[s.name for s in SHIPPED])
def test_second_article_cleans_as_its_test_says(site):
    test = next(t for t in site.tests if "/second/" in t.sample)
    a = clean((ROOT / test.sample).read_bytes(), site=site.name, url=test.url)
    assert not a.warnings
    paragraphs = a.text.split("\n\n")
    assert "Poland, US sign deal on missile defence base" in paragraphs
    for line in test.must_not_contain:
        assert line not in a.text
    # The header fields come from the header, never from the body or the lists under it.
    for field, want in test.expect:
        got = getattr(a, field)
        assert (list(got) if field == "tags" else got) == (list(want) if field == "tags" else want), field
