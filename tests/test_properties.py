"""Guarantees under any input (issue 7), stated as properties and checked by hypothesis.

    nothing invented   every paragraph of the output is text of the input, in the input's order
    idempotent         cleaning the cleaned text changes nothing
    deterministic      same input, same output: again, in any batch order, in a fresh process
    total              any str/bytes -> an Article or a CleanerError; any YAML rule file -> rules
                       or a RuleError naming the file; the CLI -> exit 0 or 2, one stderr line
    bounded            a 10 MB document and a 1 MB line finish (speed: the benchmark script)

The documents are the samples' lines shuffled, duplicated, truncated and case-changed, mixed with
random Unicode (combining marks, right-to-left text, astral characters), control characters,
very long lines, HTML fragments, CRLF/CR/BOM/NBSP/tabs, and raw bytes in several encodings.

The example budget here is modest (the suite runs in well under a minute); `scripts/fuzz.py`
runs the same checks with a large budget (docs/fuzzing.md). Every counterexample found is kept:
a document as a case folder in tests/cases/ (tests/test_cases.py), one function's as a plain test
in tests/test_regressions.py.
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaner import Article, CleanerError, RuleError, clean
from cleaner.rules.load import load_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
RULES = ROOT / "rules"

# The normal suite's budget; scripts/fuzz.py multiplies it.
EXAMPLES = int(os.environ.get("NEWSCLEAN_PROPERTY_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def _sample_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        if path.name.endswith(".expected.txt"):
            continue
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return lines


SAMPLE_LINES: list[str] = _sample_lines()
SAMPLE_TEXTS: list[str] = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))
                           if not p.name.endswith(".expected.txt")]
RULE_FILES: list[Path] = sorted(RULES.rglob("*.yaml")) if RULES.is_dir() else []

# ---------------------------------------------------------------- strategies

# Characters scrapers and editors leave behind: combining marks, bidi controls, zero-width and
# odd spaces, Unicode line breaks, controls, astral characters (no surrogates: str can't be UTF-8
# encoded with them, and no decoder produces them).
SPECIAL_CHARS = (
    "\u0301\u0308\u0327\u20dd"              # combining acute, diaeresis, cedilla, enclosing circle
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"   # bidi marks/overrides
    "\u200b\u200c\u200d\u2060\ufeff"        # zero-width
    "\u00a0\u2007\u202f\u3000\u2009\t"      # odd spaces
    "\u2028\u2029\x85\x0b\x0c\r\n"          # line breaks
    "\x00\x01\x07\x1b\x1c\x1f\x7f"          # controls
    "\U0001F600\U0001D518\U00020000\U0010FFFD"   # emoji, math letter, CJK ext. B, last plane
    "שלוםمرحبا"                              # right-to-left letters
    "&<>\"'—–…•·"
)
special_text = st.text(alphabet=st.sampled_from(SPECIAL_CHARS), max_size=12)
any_unicode = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80)

HTML_FRAGMENTS = (
    "<p>", "</p>", "<div class=\"share\">", "</div>", "<br>", "<br/>", "<a href=\"/x\">", "</a>",
    "<script>var a = '<p>x</p>';</script>", "<style>p{color:red}</style>", "&amp;", "&nbsp;", "&#x2014;",
    "<!-- comment -->", "<!--", "-->", "<html>", "<body>", "<h1>", "</h1>", "<meta charset=\"utf-8\">",
    "<li>", "<ul>", "<table><tr><td>", "<![CDATA[x]]>", "<?xml version=\"1.0\"?>", "<!DOCTYPE html>",
)
html_fragment = st.sampled_from(HTML_FRAGMENTS)


@st.composite
def mutated_line(draw: st.DrawFn) -> str:
    """A line of a sample, possibly case-changed, truncated, decorated or made very long."""
    line = draw(st.sampled_from(SAMPLE_LINES))
    how = draw(st.sampled_from(("same", "same", "same", "upper", "lower", "title", "swap", "truncate",
                                "insert", "wrap-html", "long", "spaces", "bullet")))
    if how == "upper":
        return line.upper()
    if how == "lower":
        return line.lower()
    if how == "title":
        return line.title()
    if how == "swap":
        return line.swapcase()
    if how == "truncate":
        return line[: draw(st.integers(0, len(line)))]
    if how == "insert":
        at = draw(st.integers(0, len(line)))
        return line[:at] + draw(st.one_of(special_text, any_unicode)) + line[at:]
    if how == "wrap-html":
        return draw(html_fragment) + line + draw(html_fragment)
    if how == "long":
        return (line + " ") * draw(st.integers(20, 200))
    if how == "spaces":
        return line.replace(" ", draw(st.sampled_from(("\u00a0", "\t", "  ", " \u200b", "\u3000"))))
    return draw(st.sampled_from(("• ", "- ", "* ", "» ", "  • "))) + line


any_line = st.one_of(
    mutated_line(), mutated_line(), mutated_line(), mutated_line(),
    special_text, any_unicode, html_fragment, st.just(""), st.just("   \t "),
)
LINE_BREAKS = ("\n", "\n", "\r\n", "\r", "\n\n", "\u2028", "\n \n")


@st.composite
def text_documents(draw: st.DrawFn) -> str:
    """Plain-text documents: sample lines (and whole samples) mutated and mixed with noise."""
    kind = draw(st.sampled_from(("lines", "lines", "lines", "sample", "noise")))
    if kind == "sample":
        lines = draw(st.sampled_from(SAMPLE_TEXTS)).splitlines()
        lines = draw(st.permutations(lines)) if draw(st.booleans()) else lines
        cut = draw(st.integers(0, len(lines)))
        lines = lines[:cut] if draw(st.booleans()) else lines[cut:]
    elif kind == "noise":
        lines = draw(st.lists(st.one_of(special_text, any_unicode, html_fragment), max_size=15))
    else:
        lines = draw(st.lists(any_line, max_size=40))
        if lines and draw(st.booleans()):  # duplicated lines and blocks
            dup = draw(st.lists(st.sampled_from(lines), max_size=8))
            lines = lines + dup if draw(st.booleans()) else dup + lines
    if draw(st.booleans()):
        sep = draw(st.sampled_from(LINE_BREAKS))
        doc = sep.join(lines)
    else:
        doc = "".join(line + draw(st.sampled_from(LINE_BREAKS)) for line in lines)
    prefix = draw(st.sampled_from(("", "", "", "\ufeff", "\n\n", " ")))
    return prefix + doc


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    """HTML pages and fragments built around sample lines."""
    paras = draw(st.lists(any_line, min_size=0, max_size=25))
    tags = draw(st.lists(st.sampled_from(("p", "div", "li", "h2", "span", "td", "blockquote")),
                         min_size=len(paras), max_size=len(paras)))
    body = "\n".join(f"<{t}>{p}</{t}>" if draw(st.booleans()) else p
                     for t, p in zip(tags, paras))
    head = draw(st.sampled_from(("<!DOCTYPE html><html><head><title>T</title></head><body>",
                                 "<html><body>", "<div><p>x</p><p>y</p><span>z</span><a>w</a><br>", "",
                                 "<!-- c --><!-- c --><html>")))
    tail = draw(st.sampled_from(("</body></html>", "", "</div>", "<script>")))
    return head + body + tail


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252",
             "cp1251", "koi8-r", "shift_jis", "gb18030", "iso-8859-7", "mac-roman")
CHARSET_NAMES = ENCODINGS + ("undefined", "raw_unicode_escape", "unicode_escape", "utf-7", "idna",
                             "punycode", "rot13", "base64", "hex", "zip", "nonsense", "x-user-defined",
                             "utf-16", "ascii")


@st.composite
def byte_documents(draw: st.DrawFn) -> bytes:
    """Bytes: documents encoded every which way, declared charsets (right, wrong, not a charset),
    BOMs in front of the wrong encoding, and plain random bytes."""
    kind = draw(st.sampled_from(("encoded", "encoded", "declared", "bom", "random", "spliced")))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    doc = draw(st.one_of(text_documents(), html_documents()))
    if kind == "encoded":
        return doc.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if kind == "declared":
        charset = draw(st.sampled_from(CHARSET_NAMES))
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'.encode("ascii")
        body = doc.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
        extra = draw(st.sampled_from((b"", b"\xff\xfe\x80", b"\\ud800 \\U0010ffff \\x00", b"+2AA-")))
        return meta + extra + body if draw(st.booleans()) else body[:50] + meta + extra + body[50:]
    if kind == "bom":
        bom = draw(st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00",
                                    b"\x00\x00\xfe\xff")))
        return bom + doc.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    raw = doc.encode("utf-8")
    noise = draw(st.binary(min_size=1, max_size=20))
    at = draw(st.integers(0, len(raw)))
    return raw[:at] + noise + raw[at:]


# Lone surrogates: only a str can hold them (json.loads of a JSON Lines record can make one).
with_surrogates = st.text(alphabet=st.characters(), max_size=200)
any_document = st.one_of(text_documents(), text_documents(), html_documents(), byte_documents(),
                         st.text(max_size=500), st.binary(max_size=500), with_surrogates)

# ---------------------------------------------------------------- checks (shared with scripts/fuzz.py)

# Dropped before comparing: zero-width characters and control characters other than whitespace
# and line breaks (blocks drop them too: an article has none, and they make text look binary).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def whitespace_normalised(text: str) -> str:
    """Runs of whitespace (spaces, tabs, NBSP, line breaks, ...) as one space; invisible characters
    dropped. The idea of cleaner.blocks.normalise_line, written independently of it."""
    return " ".join(_INVISIBLE.sub("", text).split())


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n") if text else []


def first_invented(source: str, output: str) -> str | None:
    """The first paragraph of `output` that is not text of `source` after the previous one."""
    haystack, pos = whitespace_normalised(source), 0
    for para in paragraphs(output):
        needle = whitespace_normalised(para)
        found = haystack.find(needle, pos)
        if not needle or found < 0:
            return para
        pos = found + len(needle)
    return None


def clean_or_error(document: str | bytes, **kwargs) -> Article | CleanerError:
    """The totality check: an Article or a one-line CleanerError naming the source, nothing else."""
    try:
        article = clean(document, source="doc.txt", **kwargs)
    except CleanerError as exc:
        message = str(exc)
        assert "\n" not in message, f"error message on several lines: {message!r}"
        assert message.startswith("doc.txt"), f"error does not name the input: {message!r}"
        return exc
    assert isinstance(article, Article)
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")  # every field can be written out
    return article


def check_nothing_invented(doc: str) -> None:
    """Text inputs (read as text, whatever they look like): every paragraph is input text, in order."""
    article = clean_or_error(doc, input_format="text")
    if isinstance(article, CleanerError):
        return
    assert "" not in paragraphs(article.text), "empty paragraph in the output"
    bad = first_invented(doc, article.text)
    assert bad is None, f"paragraph not in the input (or out of order): {bad!r}"


def check_total(doc: str | bytes) -> None:
    clean_or_error(doc)


def check_deterministic(doc: str | bytes) -> None:
    first = clean_or_error(doc)
    second = clean_or_error(doc)
    if isinstance(first, CleanerError):
        assert isinstance(second, CleanerError) and str(first) == str(second)
    else:
        assert isinstance(second, Article) and first.to_dict() == second.to_dict()


def check_idempotent(doc: str) -> None:
    """Cleaning the cleaned text changes nothing. The site is an input of cleaning, like the url:
    when the first pass applied a site's rules (found by a fingerprint, which cleaning removes),
    the second is told the site; otherwise it detects on its own. Not checked when the first pass
    warned of a stale site rule (below)."""
    article = clean_or_error(doc, input_format="text")
    if isinstance(article, CleanerError) or any(w.startswith("stale site rules") for w in article.warnings):
        # A stale-rule warning says the site's rules do not fit this text; whether a rule is stale is
        # a judgement of sizes, which a second pass over a smaller text may make otherwise.
        return
    again = clean(article.text, input_format="text", **({"site": article.site} if article.site else {}))
    assert again.text == article.text, (
        "second pass removed: " + "; ".join(f"{r.text[:60]!r} ({r.rule})" for r in again.removed))


def check_rule_file(text: str, directory: Path, *, one_line: bool = True) -> None:
    """Any YAML as a rule file: rules, or a RuleError naming the file (on one line)."""
    path = directory / "fuzzed.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_file(path)
    except RuleError as exc:
        message = str(exc)
        assert message.startswith(str(path)), f"RuleError does not name the file: {message!r}"
        if one_line:
            assert "\n" not in message, f"RuleError on several lines: {message!r}"


# ---------------------------------------------------------------- rule-file strategies

RULE_KEYS = ("id", "category", "drop_line", "drop_from", "until", "drop_between", "drop_run",
             "keep_line", "take", "pattern", "remove", "max_words", "min_words", "min_run", "first",
             "case_sensitive", "note", "split")
FILE_KEYS = ("site", "generic", "hosts", "fingerprints", "last_verified", "disable", "rules", "metadata",
             "html", "tests", "note", "$schema", "sample", "must_contain", "expect", "strip", "body")
CATEGORY_WORDS = ("donation", "newsletter", "related", "caption", "metadata", "body", "ad", "title", "author")
PATTERNS = ("^Read more$", "(a+)+$", "(?P<value>.+)", "[", "(?i)x", r"\d{4}", "(?<=a)b", "a{2,1}", "", "*",
            "(?P<value>", r"\p{L}+", "(?:(?:a*)*)*b", ".*" * 20)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 10**20), st.floats(allow_nan=True),
                    st.sampled_from(CATEGORY_WORDS + PATTERNS + RULE_KEYS), st.text(max_size=20),
                    st.dates())


def _containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    keys = st.sampled_from(RULE_KEYS + FILE_KEYS) | st.text(max_size=8)
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5))


yaml_values = st.recursive(scalars, _containers, max_leaves=20)


@st.composite
def rule_documents(draw: st.DrawFn) -> dict:
    """Structurally plausible rule files: a site or generic header and a list of rule mappings."""
    head = draw(st.sampled_from(({"site": "Fuzz Site"}, {"generic": "fuzz"}, {}, {"site": 5})))
    rules = draw(st.lists(st.dictionaries(st.sampled_from(RULE_KEYS), st.one_of(
        st.sampled_from(CATEGORY_WORDS + PATTERNS), st.lists(st.sampled_from(PATTERNS), max_size=3),
        scalars), max_size=6), max_size=4))
    extra = draw(st.dictionaries(st.sampled_from(FILE_KEYS), yaml_values, max_size=3))
    return {**head, **extra, "rules": rules}


@st.composite
def mutated_rule_file(draw: st.DrawFn) -> str:
    """A shipped rule file with lines dropped, duplicated, re-indented or cut."""
    if not RULE_FILES:
        return draw(st.text(max_size=200))
    lines = draw(st.sampled_from(RULE_FILES)).read_text(encoding="utf-8").splitlines()
    ops = draw(st.lists(st.tuples(st.sampled_from(("drop", "dup", "indent", "cut", "tab", "junk")),
                                  st.integers(0, max(0, len(lines) - 1))), max_size=5))
    for op, i in ops:
        if not lines:
            break
        i %= len(lines)
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "cut":
            lines[i] = lines[i][: len(lines[i]) // 2]
        elif op == "tab":
            lines[i] = "\t" + lines[i].lstrip()
        else:
            lines[i] = draw(st.sampled_from(("- ", ": x", "&a x", "*a", "!!python/name:os.system", "? ",
                                             "---", "...", "[", "{", "'", "key: [unclosed"))) + lines[i]
    return "\n".join(lines) + "\n"


SITE_PATTERNS = ("^Read more$", "(?P<value>.+)", "(?i)missile", r"\d{4}", "^", "$", "(?P<value>)", ".", "Gates",
                 r"(?P<value>\w+) said", "(?m)^$", r"\b", "(?r)x", r"[[:alpha:]]+", r"\X", "(?P<value>.*)")
META_FIELD_NAMES = ("title", "author", "date", "sitename", "tags", "url", "dateline")


@st.composite
def valid_rule(draw: st.DrawFn, number: int) -> dict:
    """A rule the loader accepts, with patterns that match everything, nothing, or odd things."""
    action = draw(st.sampled_from(("drop_line", "drop_from", "drop_between", "drop_run", "keep_line", "take")))
    rule: dict = {"id": f"fuzz-{number}", "category": draw(st.sampled_from(("donation", "related", "caption")))}
    pattern = st.sampled_from(SITE_PATTERNS)
    if action == "take":
        rule.update(category="metadata", take=draw(st.sampled_from(META_FIELD_NAMES)), pattern=draw(pattern))
        if draw(st.booleans()):
            rule["remove"] = draw(st.booleans())
    elif action == "drop_between":
        rule[action] = [draw(pattern), draw(pattern)]
    elif action == "keep_line":
        rule.update(category="body", keep_line=draw(pattern))
    else:
        rule[action] = draw(pattern)
        if action == "drop_from" and draw(st.booleans()):
            rule["until"] = draw(pattern)
        if action == "drop_run":
            rule["min_run"] = draw(st.integers(1, 4))
    for key in ("max_words", "min_words", "first"):
        if draw(st.integers(0, 4)) == 0:
            rule[key] = draw(st.integers(1, 30))
    return rule


@st.composite
def valid_site_files(draw: st.DrawFn) -> dict:
    rules = [draw(valid_rule(i)) for i in range(draw(st.integers(1, 6)))]
    site: dict = {"site": "Fuzz Site", "hosts": ["fuzz.example"], "rules": rules}
    if draw(st.booleans()):
        site["metadata"] = {"sitename": "Fuzz"}
    return site


rule_file_texts = st.one_of(
    rule_documents().map(lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False)),
    yaml_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    mutated_rule_file(),
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("-:[]{}&*!|>'\"#%@`, \n\tab1?"), max_size=120),
)

# ---------------------------------------------------------------- the properties

_A = ('Washington insists that the shield aims at countering missile attacks from "rogue" states. But Moscow '
      'says the system threatens Russia and has warned of possible retaliation.')
# Counterexample to idempotence even without metadata: heuristics' 'repeated-block' decides again.
REPEATED_BLOCK_COUNTEREXAMPLE = f"• {_A}\n<\n• Gates: 'Genuine interest' in Russia on missile defense\n{_A.upper()}\n• {_A}"

# Minimal counterexample to idempotence (the real missiledefensewatch sample fails the same way):
# the first pass takes the headline as the title; the second takes the next headline-shaped line.
IDEMPOTENCE_COUNTEREXAMPLE = (
    "Gates Fails to Bridge Gap on Missile Defense\n"
    "US, Russia clash over missile shield for Europe\n"
    "U.S. and Russian defense leaders said Tuesday that they are still divided over the planned missile "
    "defense system in Europe but will continue talks to try to resolve the differences.\n"
)


@SETTINGS
@given(text_documents())
def test_nothing_invented_in_order(doc: str) -> None:
    check_nothing_invented(doc)


@SETTINGS
@given(st.one_of(text_documents(), html_documents()).filter(lambda d: not d.lstrip("\ufeff").lstrip().startswith("<")))
def test_nothing_invented_auto_format_text(doc: str) -> None:
    """The same with format detection on (HTML-looking documents are covered by totality only)."""
    from cleaner.read.decode import is_html

    if is_html(doc.lstrip("\ufeff")):
        return
    article = clean_or_error(doc)
    if isinstance(article, Article):
        assert first_invented(doc, article.text) is None


@SETTINGS
@example(IDEMPOTENCE_COUNTEREXAMPLE)
@example(REPEATED_BLOCK_COUNTEREXAMPLE)
@given(text_documents())
def test_idempotent(doc: str) -> None:
    check_idempotent(doc)


@SETTINGS
@given(any_document)
def test_total_on_any_document(doc: str | bytes) -> None:
    check_total(doc)


@SETTINGS
@given(st.one_of(text_documents(), html_documents(), byte_documents()))
def test_deterministic_in_process(doc: str | bytes) -> None:
    check_deterministic(doc)


@settings(SETTINGS, max_examples=max(5, EXAMPLES // 6))
@given(st.lists(st.one_of(text_documents(), html_documents(), byte_documents()), min_size=2, max_size=6),
       st.randoms(use_true_random=False))
def test_deterministic_in_any_batch_order(docs: list[str | bytes], rnd: random.Random) -> None:
    """Cleaning documents one after another (caches warm, in any order) changes no result."""
    def result(doc: str | bytes) -> object:
        out = clean_or_error(doc)
        return str(out) if isinstance(out, CleanerError) else out.to_dict()

    forward = [result(d) for d in docs]
    order = list(range(len(docs)))
    rnd.shuffle(order)
    shuffled = {i: result(docs[i]) for i in order}
    assert [shuffled[i] for i in range(len(docs))] == forward


@SETTINGS
@given(rule_file_texts)
def test_total_on_any_rule_file(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    check_rule_file(text, tmp_path_factory.mktemp("rules"), one_line=False)


@SETTINGS
@example("\x1f")
@example("!0")
@example("site: Fuzz Site\nhtml:\n  ? '\n\n    '\n  : null\nrules: []\n")
@given(rule_file_texts)
def test_rule_file_error_is_one_line(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    check_rule_file(text, tmp_path_factory.mktemp("rules"))


@settings(SETTINGS, max_examples=max(5, EXAMPLES // 3))
@given(valid_site_files(), text_documents())
def test_any_valid_site_rules_on_any_document(tmp_path_factory: pytest.TempPathFactory, site: dict,
                                               doc: str) -> None:
    """A user's rules (valid, but matching everything, nothing or oddly) on any text: an Article
    (or a CleanerError), and still nothing invented."""
    check_site_rules(site, doc, tmp_path_factory.mktemp("site-rules"))


def check_site_rules(site: dict, doc: str, folder: Path) -> None:
    """`folder` must be new for each call: rule sets are cached by folder name."""
    (folder / "fuzz.yaml").write_text(yaml.safe_dump(site, allow_unicode=True), encoding="utf-8")
    article = clean_or_error(doc, url="https://fuzz.example/news/a-story", rules_dirs=(str(folder),),
                             input_format="text")
    if isinstance(article, Article):
        assert article.site in (None, "Fuzz Site")
        assert first_invented(doc, article.text) is None


# Pattern shapes that read differently to the `regex` module (which runs them) and to the stdlib
# parser (which cleaner.rules.prefilter uses to find a pattern's literal start): scoped flags, fuzzy
# matching, regex-only escapes and sets.
GATE_SHAPES = ("{}", "^{}$", "\\b{}\\b", "(?i:{})", "(?:{}){{e<=1}}", "(?i){}", "(?:{})+", "{}|zzz",
               "(?:(?i:{}))", "\\p{{L}}*{}", "(?r){}", "(?f){}")


@st.composite
def pattern_and_text(draw: st.DrawFn) -> tuple[str, bool, str]:
    words = draw(st.sampled_from(SAMPLE_LINES)).split()
    start = draw(st.integers(0, max(0, len(words) - 1)))
    phrase = " ".join(words[start:start + draw(st.integers(1, 4))]) or "read more"
    pattern = draw(st.sampled_from(GATE_SHAPES)).format(regex_escape(phrase))
    text = draw(st.sampled_from((phrase, phrase.upper(), phrase.lower(), phrase.swapcase(),
                                 phrase[:-1] if len(phrase) > 4 else phrase, phrase.replace("s", "ß"))))
    if draw(st.booleans()):
        text = f"{draw(st.sampled_from(SAMPLE_LINES))} {text}"
    return pattern, draw(st.booleans()), text


def regex_escape(text: str) -> str:
    import regex

    return regex.escape(text, special_only=True)


def check_rule_matches_like_its_pattern(case: tuple[str, bool, str], directory: Path) -> None:
    """A rule matches a text exactly when one of its patterns, as compiled, finds a match: the
    literal gates in front of the search may skip work, never change the answer."""
    pattern, case_sensitive, text = case
    path = directory / "gate.yaml"
    path.write_text(yaml.safe_dump({"generic": "gate", "rules": [
        {"id": "gate", "category": "related", "case_sensitive": case_sensitive, "drop_line": pattern}]}),
        encoding="utf-8")
    try:
        (rule,) = load_file(path)
    except RuleError:
        return
    expected = any(p.search(text) is not None for p in rule.patterns)
    assert rule.matches(text) == expected, f"{pattern!r} (case_sensitive={case_sensitive}) on {text!r}"


@SETTINGS
@example(("(?i:read more)", True, "READ MORE"))
@given(pattern_and_text())
def test_rule_matches_exactly_like_its_patterns(tmp_path_factory: pytest.TempPathFactory,
                                                case: tuple[str, bool, str]) -> None:
    check_rule_matches_like_its_pattern(case, tmp_path_factory.mktemp("gate"))


# ---------------------------------------------------------------- fresh processes

def _cli(*args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("newsclean")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]
    return subprocess.run(cmd + list(args), input=input, capture_output=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300)


_BATCH_SCRIPT = """
import json, sys
from cleaner import clean, CleanerError
out = {}
for path in sys.argv[1:]:
    try:
        out[path] = clean(open(path, 'rb').read(), source='doc.txt').to_dict()
    except CleanerError as exc:
        out[path] = str(exc)
print(json.dumps(out))
"""


@settings(SETTINGS, max_examples=3)
@given(st.lists(st.one_of(text_documents(), html_documents(), byte_documents()), min_size=3, max_size=12))
def test_deterministic_in_fresh_processes(tmp_path_factory: pytest.TempPathFactory, docs: list) -> None:
    """Fresh interpreters with different hash seeds, documents in opposite orders, the CLI: one answer."""
    folder = tmp_path_factory.mktemp("docs")
    paths = []
    for i, doc in enumerate(docs):
        path = folder / f"{i}.doc"
        path.write_bytes(doc if isinstance(doc, bytes) else doc.encode("utf-8"))
        paths.append(str(path))
    expected = {}
    for p in paths:
        out = clean_or_error(Path(p).read_bytes())
        expected[p] = str(out) if isinstance(out, CleanerError) else out.to_dict()
    runs = []
    for seed, order in (("0", paths), ("4242", paths[::-1])):
        proc = subprocess.run([sys.executable, "-c", _BATCH_SCRIPT, *order], capture_output=True, cwd=ROOT,
                              env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300)
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
        runs.append(json.loads(proc.stdout))
    assert runs[0] == runs[1] == expected
    # The CLI on the first document: the same JSON as in-process.
    proc = _cli("clean", paths[0], "--format", "json", env={"PYTHONHASHSEED": "random"})
    if isinstance(expected[paths[0]], dict):
        assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
        assert json.loads(proc.stdout) == expected[paths[0]]
    else:
        assert proc.returncode == 2


CLI_OUTPUTS: tuple[tuple[str, ...], ...] = ((), ("--format", "json"), ("--explain",), ("--with-metadata",),
                                            ("--input-format", "html"), ("--input-format", "text", "--no-site-rules"))


@settings(SETTINGS, max_examples=4)
@given(st.one_of(st.binary(max_size=3000), byte_documents()), st.sampled_from(CLI_OUTPUTS))
def test_cli_on_random_bytes_exits_0_or_2_with_one_line(data: bytes, options: tuple[str, ...]) -> None:
    proc = _cli("clean", "-", *options, input=data)
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode in (0, 2), stderr
    assert "Traceback" not in stderr
    if proc.returncode == 2:
        assert stderr.count("\n") == 1 and stderr.startswith("newsclean: error: <stdin>"), stderr
    else:
        assert stderr == "", stderr
        proc.stdout.decode("utf-8")  # the output is UTF-8


# ---------------------------------------------------------------- bounded

def _big_document(size: int, seed: int = 7) -> str:
    """`size` characters of sample lines, each made distinct (no shortcut for repeated lines) and
    still ending as it did (prose stays prose)."""
    rng = random.Random(seed)
    out, n, i = [], 0, 0
    while n < size:
        line = f"[{i}] {rng.choice(SAMPLE_LINES)}"
        out.append(line)
        n += len(line) + 1
        i += 1
    return "\n".join(out)


# The 10 MB document takes one to two minutes on a shared 2-core machine (rules are linear but
# ~10 us per rule and block, and heuristics.label_pullquotes counts each prose paragraph in the
# whole document: quadratic), too long for every run of the suite. It runs with
# NEWSCLEAN_SLOW_TESTS=1, and in `scripts/fuzz.py --bounded`, which prints the time.
SLOW = os.environ.get("NEWSCLEAN_SLOW_TESTS") == "1"


@pytest.mark.skipif(not SLOW, reason="10 MB: set NEWSCLEAN_SLOW_TESTS=1 (minutes; see scripts/fuzz.py --bounded)")
def test_bounded_10mb_document() -> None:
    """Finishes (the time it takes is printed by scripts/fuzz.py --bounded, not asserted)."""
    doc = _big_document(10_000_000)
    article = clean(doc)
    assert first_invented(doc, article.text) is None


def test_bounded_1mb_document() -> None:
    """A 1 MB document of distinct lines (the 10 MB one runs with NEWSCLEAN_SLOW_TESTS=1)."""
    doc = _big_document(1_000_000)
    article = clean(doc)
    assert article.text and first_invented(doc, article.text) is None


def one_line(size: int) -> str:
    """`size` characters on one line: the samples' lines joined, over and over."""
    line = " ".join(SAMPLE_LINES) + " "
    return (line * (size // len(line) + 1))[:size]


def test_bounded_1mb_single_line() -> None:
    line = one_line(1_000_000)
    for doc in (line, "x" * 1_000_000, "<p>" + line + "</p>"):
        article = clean(doc)
        assert first_invented(doc, article.text) is None or article.input_format == "html"
