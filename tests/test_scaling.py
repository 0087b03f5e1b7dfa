"""Inputs that once grew faster than linearly, and bounded work per document (issue 16, items 3-4):
pull quotes and repeated blocks in large documents of templated prose; the language sample.

Numbered lines that share all their inner words made the pull-quote count quadratic (7 s for
1 MB). These tests clean 100 KB and 1 MB of such text and check what is kept and removed; they
assert no time (speed figures come from scripts/bench_speed.py).
"""
from __future__ import annotations

import pytest

from cleaner import clean
from cleaner.blocks import text_blocks
from cleaner.label import heuristics

QUOTE = "The mayor told the council that the budget would be ready before the winter session began."
SPEECH = ("In a long speech on Monday evening, the mayor spoke about roads and schools. " + QUOTE +
          " Then she left the hall without taking any questions from the press.")


def templated_lines(size: int) -> list[str]:
    """Numbered lines sharing every inner word, about `size` characters in all. The numbers have
    a fixed width, so no line's text stands inside another line."""
    lines: list[str] = []
    total, i = 0, 1
    while total < size:
        line = (f"{i:07d}. The council said on Tuesday that the new budget for the district would be "
                f"published soon, officials said in report {i:07d}.")
        lines.append(line)
        total += len(line) + 2
        i += 1
    return lines


@pytest.mark.parametrize("size", [100_000, 1_000_000])
def test_templated_prose_keeps_every_line_and_removes_the_pull_quote_and_the_repeat(size):
    lines = templated_lines(size)
    middle = len(lines) // 2
    document = lines[:middle] + [SPEECH] + lines[middle:] + [QUOTE, lines[5]]
    article = clean("\n\n".join(document), site_rules=False)
    removed = {(r.text, r.rule) for r in article.removed}
    assert removed == {(QUOTE, "pullquote-repeats"), (lines[5], "repeated-block")}
    assert article.text == "\n\n".join(lines[:middle] + [SPEECH] + lines[middle:])


def _pullquote_rules(text: str) -> list[str | None]:
    blocks = text_blocks(text)
    heuristics.label_pullquotes(blocks)
    return [b.label.rule if b.label else None for b in blocks]


def test_large_documents_judge_pull_quotes_as_small_ones(monkeypatch):
    # The same blocks judged with all long blocks in one string (small documents) and by the
    # Aho-Corasick scan (large ones): the same labels. Cases: a core standing inside another
    # block, inside a block whose first word only ends like the core's ('he' in 'she'), twice in
    # its own block, a core shared by two different blocks ('.' and '!'), and a whole repeat.
    paragraphs = [
        "Officials said the plan for the new bridge would be published next week in full.",
        "Many people at the meeting said she said the plan would cost more than anyone expected now.",
        "He said the plan would cost more than anyone expected now.",
        "Residents asked for more time to read it -- residents asked for more time to read it.",
        "The committee will meet again in the spring to vote on the final version of the plan.",
        "The committee will meet again in the spring to vote on the final version of the plan!",
        "Nobody at the meeting asked about the money that the old bridge still costs the town.",
        "Officials said the plan for the new bridge would be published next week in full.",
    ]
    text = "\n\n".join(paragraphs)
    small = _pullquote_rules(text)
    monkeypatch.setattr(heuristics, "JOINED_COUNT_MAX_CHARS", 0)
    large = _pullquote_rules(text)
    assert large == small
    assert small == [None, None, "pullquote-repeats", "pullquote-repeats", "pullquote-repeats", "pullquote-repeats", None,
                     "repeated-block"]


def test_language_sample_is_the_longest_blocks_cut_at_the_sample_size():
    # Issue 16, item 3: the language is told from a bounded sample, whatever the size of the
    # longest block: the longest blocks first, one a line, cut at language.SAMPLE_CHARS.
    from cleaner import language
    from cleaner.label.settle import language_sample

    huge = "Die Stadt baut eine neue Brücke über den Fluss. " * 2000
    short = "The council met on Tuesday."
    blocks = text_blocks("\n\n".join([short, huge, "Ein zweiter Absatz über die Brücke."]))
    sample = language_sample(blocks)
    assert len(sample) == language.SAMPLE_CHARS
    assert sample == huge.strip()[:language.SAMPLE_CHARS]
    two = text_blocks("Ein kurzer Absatz über die Brücke.\n\n" + short)
    assert language_sample(two) == "Ein kurzer Absatz über die Brücke.\n" + short
    assert language.detect(language_sample(blocks)) == "de"


def marked_lines(size: int) -> list[str]:
    """Lines of at most a date line's length that hold a date marker ('published') and a number
    that reads as a year: each was once searched for a date by dateparser (1 MB took 4.9 s)."""
    lines: list[str] = []
    total, i = 0, 1000
    while total < size:
        line = f"Item {i}: the council said on Tuesday that the new budget would be published soon."
        lines.append(line)
        total += len(line) + 1
        i += 1
    return lines


@pytest.mark.parametrize("size", [100_000, 1_000_000])
def test_lines_with_a_date_marker_and_a_year_like_number_are_kept_and_no_date_is_read(size):
    lines = marked_lines(size)
    article = clean("\n".join(lines), site_rules=False)
    assert article.date is None
    assert article.text.split("\n\n") == lines
