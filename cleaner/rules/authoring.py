"""Writing rules: run a site's self-tests, start a rule file from a raw sample, mine a site's
recurring lines. What `newsclean rules test|new|suggest` do; the CLI only prints.

Everything here goes through `cleaner.clean`, so a rule file is tested exactly as it is used.
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import regex

from ..article import Article, Block, plain
from ..blocks import dedup_key
from ..errors import CleanerError, InputError, RuleError
from ..read.files import read_document
from ..pipeline import clean
from .load import RuleSet, load_file
from .rule import SiteRules, SiteTest
from .validate import (ACTIONS, GENERIC_KEYS, MAX_LITERAL_CHARS, SCHEMA_PATH, SITE_KEYS, check_category, check_keys,
                       compile_rule, compile_site, duplicate_id_error)
from .yamlfile import YamlMap, YamlSeq, load_yaml

# `rules new`: a removed line longer than this many words becomes a pattern on its first words only.
NEW_PATTERN_MAX_WORDS = 12
# `rules new`: kept paragraphs of at least this many words give the test's must_contain sentences.
NEW_MUST_CONTAIN_MIN_WORDS = 12
NEW_MUST_CONTAIN_COUNT = 2
# ... cut to at most this many characters (at a word boundary).
NEW_SNIPPET_MAX_CHARS = 120
NEW_MUST_NOT_CONTAIN_COUNT = 3
NEW_MUST_NOT_CONTAIN_MAX_WORDS = 10
# Removals that say nothing about the site's template: not turned into rules. ("extractor": what
# trafilatura left out of an HTML page; it leaves it out whatever the rules say.)
NEW_SKIP_CATEGORIES: frozenset[str] = frozenset({"metadata", "pullquote", "duplicate", "extractor"})
# `rules new` writes what varies from page to page as these patterns: a year, any other number
# (each run of digits), an English month or weekday name next to a date.
YEAR_PATTERN = r"\d{4}"
NUMBER_PATTERN = r"\d+"
GROUPED_NUMBER_PATTERN = r"\d[\d,.]*"     # 1,482 or 12.500: a count of any size
MONTH_PATTERN = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
                 r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
WEEKDAY_PATTERN = r"(?:Mon|Tue(?:s)?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?"
# `rules suggest`: defaults.
SUGGEST_MIN_SHARE = 0.5
SUGGEST_MIN_DOCS = 2
# `rules suggest`: files with these suffixes are not documents.
SUGGEST_SKIP_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json", ".jsonl", ".tsv", ".gz", ".zip")

_REGEX_SPECIAL = frozenset("\\.^$*+?{}[]|()")
# What varies in a line: a year (1800-2999), a run of digits, a month name before or after a day
# number, a weekday name before a date.
_VARYING = regex.compile(
    rf"(?P<year>(?<!\d)(?:1[89]|2\d)\d\d(?!\d))|(?P<grouped>\d{{1,3}}(?:[,.]\d{{3}})+(?!\d))|(?P<number>\d+)"
    rf"|(?P<month>\b{MONTH_PATTERN}\b(?=\.?\s+\d)|(?<=\d(?:st|nd|rd|th)?\.?\s+){MONTH_PATTERN}\b)"
    rf"|(?P<weekday>\b{WEEKDAY_PATTERN}\b(?=,?\s+(?:\d|{MONTH_PATTERN}\b)))",
    regex.IGNORECASE)
_GENERAL = {"year": YEAR_PATTERN, "grouped": GROUPED_NUMBER_PATTERN, "number": NUMBER_PATTERN,
            "month": MONTH_PATTERN, "weekday": WEEKDAY_PATTERN}
_SENTENCE_SPLIT = regex.compile(r"(?<=[.!?][\"'”’)]?)\s+(?=[\"'“‘(]?[A-Z0-9])")
_DIGITS = regex.compile(r"\d+")


# ---------------------------------------------------------------- rules test

@dataclass
class TestOutcome:
    site: str
    number: int                 # 1-based, in the file's order
    test: SiteTest
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def label(self) -> str:
        name = f" {self.test.name!r}" if self.test.name else ""
        return f"{self.site}: test {self.number}{name} ({self.test.sample})"


def _norm(text: str) -> str:
    return " ".join(text.split())


def run_site_tests(ruleset: RuleSet, site: SiteRules) -> list[TestOutcome]:
    """Run each of a site's `tests:` through clean() with that site's rules forced."""
    return [run_test(ruleset, site, test, i) for i, test in enumerate(site.tests, start=1)]


def run_test(ruleset: RuleSet, site: SiteRules, test: SiteTest, number: int) -> TestOutcome:
    outcome = TestOutcome(site=site.name, number=number, test=test)
    try:
        article = clean(read_document(test.path), url=test.url, site=site.name, ruleset=ruleset, source=test.path)
    except CleanerError as exc:
        outcome.failures.append(f"cannot clean the sample: {exc}")
        return outcome
    outcome.failures.extend(check_article(article, test))
    return outcome


def check_article(article: Article, test: SiteTest) -> list[str]:
    """What in a cleaned article contradicts a test's expectations (empty: the test passes)."""
    failures = [f"a site rule was set aside: {w}" for w in article.warnings if w.startswith("stale site rules")]
    failures += [f"warning: {w}" for w in article.warnings if "timed out" in w]
    body = _norm(article.text)
    for text in test.must_contain:
        if _norm(text) not in body:
            removed = next((r for r in article.removed if _norm(text) in _norm(r.text)), None)
            why = f" (removed at line {removed.line} as {removed.category} by {removed.rule})" if removed else ""
            failures.append(f"must_contain {text!r}: not in the body{why}")
    for text in test.must_not_contain:
        if _norm(text) in body:
            where = next((b.line for b in article.blocks if b.live
                          and _norm(text) in _norm(b.text)), None)
            at = f" (kept at line {where})" if where else ""
            failures.append(f"must_not_contain {text!r}: still in the body{at}")
    for key, expected in test.expect:
        actual = _actual(article, key)
        if not _same(actual, expected):
            failures.append(f"expect {key}: {expected!r}, got {actual!r}")
    return failures


def _actual(article: Article, key: str) -> Any:
    if hasattr(article, key):
        return getattr(article, key)
    return next((b.label.value for b in article.blocks if b.label is not None and b.label.field == key), None)


def _same(actual: Any, expected: Any) -> bool:
    if expected is None or actual is None:
        return expected is None and actual in (None, [], "")
    if isinstance(actual, list):
        wanted = [expected] if isinstance(expected, str) else list(expected)
        return [_norm(str(a)) for a in actual] == [_norm(str(e)) for e in wanted]
    return _norm(str(actual)) == _norm(str(expected))


# ---------------------------------------------------------------- YAML writing

def yaml_str(text: str) -> str:
    """A YAML scalar for any one-line string: single-quoted, or JSON-style double-quoted when the
    text holds characters a single-quoted scalar cannot."""
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=True)


_PLAIN_SCALAR = regex.compile(r"[A-Za-z_][\w./ -]*[\w./]|[A-Za-z_]")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})


def yaml_name(text: str) -> str:
    """A plain YAML scalar when the text can be one (names, hosts, paths), else quoted."""
    if _PLAIN_SCALAR.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return yaml_str(text)


def escape_pattern(text: str) -> str:
    """A regular expression matching `text` literally, escaping only what must be escaped."""
    return "".join("\\" + c if c in _REGEX_SPECIAL else c for c in text)


def general_pattern(text: str) -> str:
    """`text` as a regular expression in which what varies from page to page is generalised: a
    year becomes \\d{4}, a number with thousands separators \\d[\\d,.]*, any other number \\d+, a month or weekday name of a date any month or
    weekday (MONTH_PATTERN, WEEKDAY_PATTERN); the rest is matched literally."""
    out: list[str] = []
    end = 0
    for m in _VARYING.finditer(text):
        out.append(escape_pattern(text[end:m.start()]))
        out.append(_GENERAL[m.lastgroup or "number"])
        end = m.end()
    out.append(escape_pattern(text[end:]))
    return "".join(out)


def line_pattern(text: str, *, max_words: int = NEW_PATTERN_MAX_WORDS) -> str:
    """An anchored pattern for one line (the whole line, or the start of a long one: its first
    `max_words` words and at most MAX_LITERAL_CHARS characters, the longest literal a rule takes),
    with years, dates and counts generalised (general_pattern)."""
    words = plain(text).split()
    start = " ".join(words[:max_words])[:MAX_LITERAL_CHARS]
    if len(words) <= max_words and start == " ".join(words):
        return "^" + general_pattern(start) + "$"
    return "^" + general_pattern(start)


def recurring_pattern(text: str) -> str:
    """An anchored pattern for a line that recurs with varying numbers (dates, counts)."""
    parts = _DIGITS.split(" ".join(plain(text).split()))
    return "^" + r"\d+".join(escape_pattern(p) for p in parts) + "$"


def _site_prefix(name: str) -> str:
    host = name.lower()
    host = host[4:] if host.startswith("www.") else host
    first = regex.split(r"[^a-z0-9]+", host)
    prefix = next((p for p in first if p), "site")
    return prefix[:24]


def _check_loads(text: str, path: str, base: Path) -> SiteRules:
    """The written file must load: a generated file that `rules check` rejects is a bug here."""
    data = load_yaml(text, path)
    return compile_site(data, path, base)


# ---------------------------------------------------------------- rules new

@dataclass
class NewRuleFile:
    text: str                   # the YAML
    rules: int                  # number of rules written
    patterns: int               # number of patterns in them
    site: str


def _cut(text: str, max_chars: int = NEW_SNIPPET_MAX_CHARS) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;:")


def _first_sentence(text: str) -> str:
    return _cut(_SENTENCE_SPLIT.split(" ".join(text.split()), maxsplit=1)[0])


def _body_sentences(article: Article) -> list[str]:
    """The first sentences of the longest kept paragraphs, in document order."""
    kept = [b for b in article.blocks if b.live and b.words >= NEW_MUST_CONTAIN_MIN_WORDS]
    longest = sorted(sorted(kept, key=lambda b: -b.words)[:NEW_MUST_CONTAIN_COUNT], key=kept.index)
    return [_first_sentence(plain(b.text)) for b in longest]


def _removed_snippets(blocks: list[Block], body: str) -> list[str]:
    out: list[str] = []
    seen_categories: set[str] = set()
    for b in blocks:
        if b.live or b.label.category in NEW_SKIP_CATEGORIES:
            continue
        if b.label.category in seen_categories:
            continue
        snippet = " ".join(plain(b.text).split()[:NEW_MUST_NOT_CONTAIN_MAX_WORDS])
        if len(snippet) < 4 or _norm(snippet) in body:
            continue
        seen_categories.add(b.label.category)
        out.append(snippet)
        if len(out) >= NEW_MUST_NOT_CONTAIN_COUNT:
            break
    return out


def sample_reference(sample: Path, output: Path | None) -> str:
    """How a test names its sample: relative to the folder holding the rules directory, which is
    the output file's grandparent (my-rules/site.yaml -> the folder my-rules is in), or the
    current folder when the file goes to standard output; absolute when the sample is elsewhere."""
    base = output.resolve().parent.parent if output is not None else Path.cwd()
    try:
        rel = os.path.relpath(sample.resolve(), base)
    except ValueError:
        return str(sample.resolve())
    return str(sample.resolve()) if rel.startswith("..") else rel.replace(os.sep, "/")


def schema_reference(output: Path | None) -> str:
    """The schema for the yaml-language-server comment: relative when the file is written inside
    the checkout that holds the package (as rules/sites/*.yaml do), else absolute."""
    if output is not None:
        folder = output.resolve().parent
        if folder.is_relative_to(SCHEMA_PATH.parent.parent.parent):
            return os.path.relpath(SCHEMA_PATH, folder).replace(os.sep, "/")
    return str(SCHEMA_PATH)


def new_rule_file(host: str, sample: Path, *, ruleset: RuleSet, output: Path | None = None,
                  name: str | None = None, url: str | None = None, today: _dt.date | None = None) -> NewRuleFile:
    """A starting rule file for `host` from one raw sample: the lines the heuristics remove (not
    those the generic rules remove: they go anyway), as drop_line rules grouped by category with
    years, dates and counts generalised (line_pattern), and a test on the sample."""
    host = host.strip().lower()
    host = regex.sub(r"^[a-z][a-z0-9+.-]*://", "", host).split("/", 1)[0].rstrip(".")
    site_name = name or (host[4:] if host.startswith("www.") else host)
    prefix = _site_prefix(site_name if name is None else host)
    article = clean(read_document(str(sample)), url=url, site_rules=False, ruleset=ruleset, source=str(sample))
    body = _norm(article.text)
    generic_ids = {r.id for r in ruleset.generic}

    groups: dict[str, list[tuple[str, Block]]] = {}
    seen: set[str] = set()
    for b in article.blocks:
        if b.live or b.label.category in NEW_SKIP_CATEGORIES or b.label.rule in generic_ids:
            continue  # kept; not about the template; or removed by the generic rules anyway
        pattern = line_pattern(b.text)
        if pattern in seen or len(pattern) <= 2:
            continue
        seen.add(pattern)
        groups.setdefault(b.label.category, []).append((pattern, b))

    day = (today or _dt.date.today()).isoformat()
    schema = schema_reference(output)
    out = [f"# yaml-language-server: $schema={schema.replace(os.sep, '/')}",
           f"# Rules for {site_name}, started by 'newsclean rules new' from {sample}.",
           "# Each rule holds the lines that the heuristics removed from the sample, by category (comments:",
           "# the sample's line and what removed it); lines the generic rules remove are left out (they go",
           "# anyway), years, dates and counts are generalised. Keep the lines every page of the site has,",
           "# delete the ones that belong to this article only, loosen patterns where the text varies,",
           "# then run 'newsclean rules test SITE --rules-dir DIR'. Format: docs/rules.md.",
           f"site: {yaml_name(site_name)}",
           f"hosts: [{yaml_name(host)}]",
           f"last_verified: '{day}'"]
    patterns = 0
    if groups:
        out.append("rules:")
        for category, items in groups.items():
            out += [f"  - id: {prefix}-{category}", f"    category: {category}", "    drop_line:"]
            for pattern, b in items:
                where = f"line {b.line}" if b.line else "html"
                out.append(f"      - {yaml_str(pattern)}  # {where}: {b.label.rule}")
                patterns += 1
    else:
        out.append("rules: []  # the heuristics removed nothing from this sample that the generic rules do not")
    head = out
    ref = sample_reference(sample, output)
    where = str(output) if output is not None else "<new rule file>"
    base = output.resolve().parent.parent if output is not None else Path.cwd()
    must = _body_sentences(article)
    must_not = _removed_snippets(article.blocks, body)
    title = article.title
    # Keep only the expectations the new file meets: with the site's rules in, the heuristics can
    # draw the article's edges a little differently than with the generic rules alone.
    site = _check_loads(_render_new(head, ref, url, must, must_not, title), where, base)
    check = clean(read_document(str(sample)), url=url, site=site.name, ruleset=_with_site(ruleset, site),
                  source=str(sample))
    text_now = _norm(check.text)
    must = [m for m in must if _norm(m) in text_now]
    must_not = [m for m in must_not if _norm(m) not in text_now]
    title = title if title is not None and check.title == title else None
    text = _render_new(head, ref, url, must, must_not, title)
    _check_loads(text, where, base)
    return NewRuleFile(text=text, rules=len(groups), patterns=patterns, site=site_name)


def _render_new(head: list[str], ref: str, url: str | None, must: list[str], must_not: list[str],
                title: str | None) -> str:
    out = head + ["tests:", f"  - sample: {yaml_name(ref)}"]
    if url:
        out.append(f"    url: {yaml_str(url)}")
    if must:
        out.append("    must_contain:")
        out += [f"      - {yaml_str(s)}" for s in must]
    if must_not:
        out.append("    must_not_contain:")
        out += [f"      - {yaml_str(s)}" for s in must_not]
    if title:
        out.append(f"    expect: {{title: {yaml_str(title)}}}")
    return "\n".join(out) + "\n"


def _with_site(ruleset: RuleSet, site: SiteRules) -> RuleSet:
    """The rule set with `site` in front (replacing a site of the same name)."""
    others = tuple(s for s in ruleset.sites if s.name.lower() != site.name.lower())
    return RuleSet(sites=(site,) + others, generic=ruleset.generic, files=ruleset.files)


# ---------------------------------------------------------------- rules suggest

@dataclass
class Recurring:
    key: str                    # blocks.dedup_key of the line
    example: str                # the line as first seen
    docs: int = 0
    categories: Counter = field(default_factory=Counter)
    covered: bool = False       # already removed by the site's own rules


@dataclass
class Suggestion:
    text: str                   # the YAML
    documents: int
    lines: list[Recurring]
    skipped: list[str]          # files that could not be read or cleaned, with the reason


def document_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise InputError("not a directory", path=str(directory))
    return sorted(p for p in directory.rglob("*") if p.is_file() and not any(part.startswith(".") for part in
                  p.relative_to(directory).parts) and not p.name.endswith(SUGGEST_SKIP_SUFFIXES))


def count_recurring(files: Sequence[Path], ruleset: RuleSet, site: SiteRules | None) -> tuple[dict[str, Recurring], int, list[str]]:
    """For each line (by dedup_key): in how many documents it occurs, and how it was labelled."""
    lines: dict[str, Recurring] = {}
    skipped: list[str] = []
    docs = 0
    site_ids = {r.id for r in site.rules} if site is not None else set()
    for path in files:
        try:
            article = clean(read_document(str(path)), site=site.name if site else None, site_rules=site is not None,
                            ruleset=ruleset, source=str(path))
        except CleanerError as exc:
            skipped.append(str(exc))
            continue
        docs += 1
        here: set[str] = set()
        for b in article.blocks:
            key = dedup_key(b.text)
            if not key or b.origin in ("html-stripped", "html-extractor"):
                continue
            entry = lines.setdefault(key, Recurring(key=key, example=plain(b.text)))
            if key not in here:
                entry.docs += 1
                here.add(key)
            label = b.label
            if label is not None and label.rule in site_ids and label.removed:
                entry.covered = True
            elif label is not None and label.removed and not label.field:
                entry.categories[label.category] += 1
            elif label is not None and label.field:
                entry.categories["metadata"] += 1
    return lines, docs, skipped


def suggest_rules(directory: Path, site_name: str, *, ruleset: RuleSet, min_share: float = SUGGEST_MIN_SHARE,
                  min_docs: int = SUGGEST_MIN_DOCS) -> Suggestion:
    """Lines that recur across at least `min_share` of a site's documents (and `min_docs` of
    them), proposed as drop_line rules with their counts, as a loadable site file."""
    if not 0 < min_share <= 1:
        raise CleanerError(f"--min-share must be in (0, 1], not {min_share}")
    site = ruleset.site_named(site_name)
    files = document_files(directory)
    lines, docs, skipped = count_recurring(files, ruleset, site)
    need = max(min_docs, math.ceil(min_share * docs)) if docs else 1
    found = [r for r in lines.values()
             if r.docs >= need and not r.covered and r.categories.get("metadata", 0) == 0]
    found.sort(key=lambda r: -r.docs)     # stable: ties keep first-seen order
    name = site.name if site is not None else site_name
    prefix = _site_prefix(name if site is None else (site.hosts[0] if site.hosts else name))
    out = [f"# yaml-language-server: $schema={SCHEMA_PATH}",
           f"# Suggested by 'newsclean rules suggest' from {docs} documents in {directory}: lines found in",
           f"# at least {need} of them ({min_share:.0%}), not already removed by the site's rules.",
           "# Copy the rules you agree with into the site's file; delete the rest.",
           f"site: {yaml_name(name)}"]
    if site is not None and site.hosts:
        out.append("hosts: [" + ", ".join(yaml_name(h) for h in site.hosts) + "]")
    if found:
        out.append("rules:")
        for i, r in enumerate(found, start=1):
            category = r.categories.most_common(1)[0][0] if r.categories else "other"
            share = f"{r.docs} of {docs} documents ({r.docs / docs:.0%})"
            how = ", ".join(f"{c} {n}" for c, n in r.categories.most_common()) or "kept every time"
            out += [f"  - id: {prefix}-common-{i}",
                    f"    category: {category}",
                    f"    drop_line: {yaml_str(recurring_pattern(r.example))}",
                    f"    note: {yaml_str(f'in {share}; generic labels: {how}')}"]
    else:
        out.append("rules: []  # no line recurs often enough")
    text = "\n".join(out) + "\n"
    _check_loads(text, "<suggested rules>", Path.cwd())
    return Suggestion(text=text, documents=docs, lines=found, skipped=skipped)


def site_or_error(ruleset: RuleSet, name: str) -> SiteRules:
    site = ruleset.site_named(name)
    if site is None:
        ruleset.match(site=name)    # raises the RuleError with a "did you mean"
        raise RuleError(f"no rules for site {name!r}")
    return site


# ---------------------------------------------------------------- rules check: every error of a file

def file_errors(path: Path, root: Path | None = None) -> list[RuleError]:
    """Every error of one rule file, not only the first (what `rules check` lists); [] when it
    loads. The loader stops at the first error (a file with one is never used); this checks each
    part on its own instead: each top-level key, each rule (ids shared, for duplicates), each test,
    and each other section of a site file. A file that is not YAML, or not a mapping with 'site:'
    or 'generic:', has that one error."""
    path = Path(path)
    try:
        load_file(path, root)
        return []
    except RuleError as exc:
        first = exc
    name = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), name)
    except (OSError, UnicodeDecodeError, RuleError):
        return [first]
    if not isinstance(data, YamlMap) or ("site" in data) == ("generic" in data):
        return [first]
    site_file = "site" in data
    errors: list[RuleError] = []

    def attempt(check: Any) -> None:
        try:
            check()
        except RuleError as err:
            if str(err) not in {str(e) for e in errors}:
                errors.append(err)

    allowed = SITE_KEYS if site_file else GENERIC_KEYS
    where = "a site file" if site_file else "a generic rule file"
    for key in data:
        attempt(lambda key=key: check_keys(_part(data, key), allowed, name, where))
    rules = data.get("rules")
    if isinstance(rules, YamlSeq):
        seen: dict[str, int] = {}
        for item, line in zip(rules, rules.lines):
            attempt(lambda item=item, line=line: compile_rule(item, name, line, seen))
        # A rule stops at its first error: its category and its id are also checked on their own,
        # so that an unknown category or a repeated id beside another error is listed too.
        first_lines: dict[str, int] = {}
        for item in rules:
            if not isinstance(item, YamlMap) or not isinstance(item.get("id"), str):
                continue
            rule_id, id_line = item["id"], item.lines.get("id", item.line)
            if rule_id in first_lines:
                attempt(lambda r=rule_id, f=first_lines[rule_id], at=id_line: _raise(duplicate_id_error(r, f, name, at)))
            first_lines.setdefault(rule_id, id_line)
            actions = [a for a in ACTIONS if a in item]
            if len(actions) == 1:
                attempt(lambda item=item, a=actions[0]: check_category(item, item["id"], a, name))
    if site_file:
        site = data["site"] if isinstance(data["site"], str) and data["site"].strip() else "?"
        attempt(lambda: compile_site(_part(data, "site"), name))
        base = (Path(root) if root is not None else path.parent).resolve().parent
        for key in data:
            if key in ("site", "rules") or key not in SITE_KEYS:
                continue
            value = data[key]
            if key == "tests" and isinstance(value, YamlSeq):
                for item, line in zip(value, value.lines):
                    tests = _seq([item], [line], value.line)
                    attempt(lambda tests=tests: compile_site(_part(data, "tests", site=site, value=tests), name, base))
            else:
                attempt(lambda key=key: compile_site(_part(data, key, site=site), name, base))
    if not errors:
        errors.append(first)
    return sorted(errors, key=lambda e: e.line or 0)


def _raise(error: RuleError) -> None:
    raise error


def _part(data: YamlMap, key: str, *, site: str | None = None, value: Any = None) -> YamlMap:
    """A mapping with one key of `data` (and a site name), remembering their lines."""
    out = YamlMap()
    out.lines, out.line = {}, data.line
    if site is not None:
        out["site"], out.lines["site"] = site, data.lines.get("site", data.line)
    out[key] = data[key] if value is None else value
    out.lines[key] = data.lines[key]
    return out


def _seq(items: list[Any], lines: list[int], line: int) -> YamlSeq:
    out = YamlSeq(items)
    out.lines, out.line = lines, line
    return out
