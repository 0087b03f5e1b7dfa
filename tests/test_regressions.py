"""Counterexamples the property tests and the fuzz run found (issue 7) that test one function.

Each test names the property it broke and what was wrong. Counterexamples that are a document and
what cleaning it must give (or that cleaning it again changes nothing) are case folders, run by
tests/test_cases.py: tests/cases/charset-*, control-*, headline-*, idempotent-*,
site-fingerprint-*.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import Article, CleanerError, RuleError, clean
from cleaner.blocks import normalise_line, text_blocks
from cleaner.read.decode import decode, is_html
from cleaner.rules.load import load_file

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- decode (total)

@pytest.mark.parametrize("charset", ["raw_unicode_escape", "unicode_escape", "utf-7"])
def test_declared_escape_codec_cannot_smuggle_in_lone_surrogates(charset):
    """Total: `charset=raw_unicode_escape` decoded '\\ud800' to a lone surrogate (the CLI then died
    writing its output: cases charset-*). Escape codecs are not charsets."""
    data = b"hello world\n<meta charset=" + charset.encode() + b">\n\\ud800 caf\xe9 +2AA-\n"
    text = decode(data)
    assert not any("\ud800" <= c <= "\udfff" for c in text)


def test_leading_html_comments_do_not_backtrack_exponentially():
    """Bounded: `<!--.*?-->` under `*` in the HTML sniffer split a run of comments in
    exponentially many ways: 26 comments before plain text took 12 s, 40 would take days."""
    text = "<!-- a -->" * 40 + "\nplain text after the comments"
    assert is_html(text) is False
    assert is_html("<!-- a -->" * 40 + "<html><body>x</body></html>") is True
    assert is_html("<!-- a --->\n<!-- b - c -->\n<!DOCTYPE html><html>") is True
    assert clean(text).input_format == "text"


def test_lone_surrogates_in_a_str_become_replacement_characters():
    """Total: a str holding a lone surrogate (json.loads('"\\ud800"') in a JSON Lines batch) gave an
    Article whose text no writer could encode (UnicodeEncodeError when written as UTF-8)."""
    doc = json.loads('"U.S. and Russian defense leaders said Tuesday \\ud800 that they are still divided."')
    article = clean(doc)
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")
    assert "\ufffd" in article.text and "still divided" in article.text


def test_file_name_with_a_nul_byte_is_an_input_error():
    """Total: read_document('a\\x00b') raised ValueError ('embedded null byte'), not InputError."""
    from cleaner.errors import InputError
    from cleaner.read.files import read_document

    with pytest.raises(InputError) as info:
        read_document("a\x00b")
    assert "\n" not in str(info.value) and "\x00" not in str(info.value)


# ---------------------------------------------------------------- html (total)

@pytest.mark.parametrize("doc", ["<HTML>\n", "<html>", "<body>", "<html></html>", "<!DOCTYPE html>",
                                 "<html><head><title>T</title></head></html>", "<meta x>\n\x00"])
def test_bare_html_shells_give_an_article(doc):
    """Total (fuzz run 1): '<HTML>\n' raised AssertionError('too many bodies') from
    lxml.html.fragments_fromstring in the HTML fallback. The fallback in cleaner/blocks/html.py does without it."""
    try:
        article = clean(doc)
    except CleanerError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(article, Article)


# ---------------------------------------------------------------- blocks (idempotent, total)

def test_control_characters_are_dropped_from_lines_and_blocks():
    """Idempotent/total: a line holding only a control character was kept as a paragraph (case
    control-character-line). Control characters are dropped like zero-width ones."""
    assert normalise_line("a\x07b\x00 c\x1b[0m\x7f d\x9f") == "ab c[0m d"
    assert [b.text for b in text_blocks("x\x01\n\x1f\n\x00\x00\ny")] == ["x", "y"]


# ---------------------------------------------------------------- rules (total)

def test_rule_file_with_control_character(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("site: x\nnote: a\x1fb\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:2: ")
    assert "\n" not in message


def test_rule_file_with_an_unknown_yaml_tag(tmp_path):
    """Found by the fuzzer (`--only rulefile-one-line`): PyYAML marks the position on three more
    lines; the RuleError is one line, naming the file and line."""
    path = tmp_path / "bad.yaml"
    path.write_text("!0", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:1: ") and "could not determine a constructor" in message
    assert "\n" not in message


@pytest.mark.parametrize("section", ["html", "metadata"])
def test_rule_file_with_a_line_break_in_a_key(tmp_path, section):
    """Found by the fuzzer (`--only rulefile-one-line`): a YAML key holding line breaks was shown
    as it is; the RuleError shows it escaped, on one line."""
    path = tmp_path / "bad.yaml"
    path.write_text(f"site: Fuzz Site\n{section}:\n  ? '\n\n    '\n  : null\nrules: []\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: '\\n': unknown ") and f"in {section}" in message
    assert "\n" not in message


@pytest.mark.parametrize("pattern,text", [("^(?i:read more)$", "READ MORE"),
                                          ("^(?:Subscribe to our newsletter){e<=2}$", "Subscrbe to our newsleter")])
def test_rule_with_scoped_ignorecase_matches_like_its_pattern(tmp_path, pattern, text):
    path = tmp_path / "gate.yaml"
    path.write_text("generic: gate\nrules:\n  - id: gate\n    category: related\n    case_sensitive: true\n"
                    f"    drop_line: '{pattern}'\n", encoding="utf-8")
    (rule,) = load_file(path)
    assert rule.patterns[0].search(text) is not None
    assert rule.matches(text)


@pytest.mark.parametrize("pattern,text", [("sign up", "ſign up"), ("οδοσ και", "ΟΔΟΣ ΚΑΙ")])
def test_case_insensitive_rule_matches_like_its_pattern(tmp_path, pattern, text):
    path = tmp_path / "gate.yaml"
    path.write_text(f"generic: gate\nrules:\n  - id: gate\n    category: related\n    drop_line: '{pattern}'\n",
                    encoding="utf-8")
    (rule,) = load_file(path)
    assert rule.patterns[0].search(text) is not None
    assert rule.matches(text)


def test_rule_file_errors_name_the_file(tmp_path):
    """Total: the shapes of YAML the fuzzer favours give a RuleError naming the file."""
    cases = ["site: x\nrules: " + "[" * 3000 + "]" * 3000 + "\n", "site: x\nrules: &a [*a]\n",
             "site: x\n\trules: []\n", "? [a]\n: b\n", "site: !!python/object:os.system x\n",
             "site: x\n---\nsite: y\n", "- a\n- b\n", "", "site: x\nlast_verified: 2026-13-45\n"]
    for i, text in enumerate(cases):
        path = tmp_path / f"r{i}.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RuleError) as info:
            load_file(path)
        assert str(info.value).startswith(str(path)), text


# ---------------------------------------------------------------- span rounds

# Issue 14: a long paragraph and a shorter one with a section marker between them, each the other's
# only prose neighbour; the case folder says what cleaning it gives, this test why.
SPAN_SWING = (ROOT / "tests" / "cases" / "idempotent-span-rounds-swing" / "source.txt").read_bytes().decode("utf-8")


def test_span_rounds_that_swing_end_on_a_span_stable_on_its_own():
    """The span rounds of SPAN_SWING do swing (the mechanism is there), and the span kept is the
    best span of its own blocks judged as the cleaned text shows them."""
    from cleaner.label import heuristics

    from cleaner.rules import apply_rules, load_ruleset

    blocks = text_blocks(SPAN_SWING)
    apply_rules(blocks, load_ruleset().generic, "generic")      # as the pipeline: rules, then the heuristics
    heuristics.label_section_markers(blocks)
    stops = heuristics.stopwords("English")
    shapes = [None if b.label is not None and b.label.removed else heuristics.shape(b.plain, stops) for b in blocks]
    first_round = heuristics.best_span(heuristics.span_values(blocks, shapes))
    second_round = heuristics.best_span(heuristics.span_values(blocks, shapes, inside=first_round))
    third_round = heuristics.best_span(heuristics.span_values(blocks, shapes, inside=second_round))
    assert first_round != second_round and third_round == first_round     # a swing, not a settling
    first, last = heuristics.label_outside_span(blocks, shapes, soft_bottom=False, edges=False)
    own = heuristics.best_span(heuristics.span_values(blocks, shapes, inside=(first, last))[first:last + 1])
    assert own == (0, last - first)


