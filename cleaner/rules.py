"""Rule files: load (safe YAML, strict validation), match a site, and apply rules to blocks.

A rule file is either a site file (`site:`, `hosts:`, `fingerprints:`, `rules:`, ...) or a generic
file (`generic:` naming its family, and `rules:`). Every rule has an `id`, a `category` and one
action. Actions only label blocks; the first label a block gets wins, so site rules (applied
first) win over generic rules, and rules over heuristics.

Validation is strict: an unknown key, a value of the wrong type, a bad or catastrophically
backtracking regular expression, a duplicate rule id or an unknown category is a `RuleError`
naming the file, the line and the key. A file with an error is never applied in part: it is
compiled whole before anything of it is used. The format is documented in docs/rules.md and
described for editors by cleaner/data/rule-file.schema.json (kept in step with the key tables
below by tests/test_rules_format.py).
"""
from __future__ import annotations

import datetime as _dt
import difflib
import os
import stat
import time
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import urlsplit

import regex
import yaml

from .article import CATEGORIES, META_FIELDS, Block, Label
from .blocks import normalise_text
from .backtrack import Unreadable, exponential_ambiguity, longest_literal
from .prefilter import Gate, KeyScan, fold, gate
from .errors import RuleError
from .fileio import file_kind

# A user's pattern may not take longer than this on one block (seconds of one search, as the regex
# module counts them: CPU time, measured; on a loaded machine a search may take several times that).
PATTERN_TIMEOUT_S = 0.25
# All the user's patterns together may take this much CPU time per document (seconds, the thread's
# CPU clock); once it is spent, the user rules not yet applied are skipped for that document, with
# a warning naming them (MatchBudget). Shipped rules are vetted and not counted.
USER_PATTERN_BUDGET_S = 1.0
# A pattern longer than this is refused at load (a rule is a line's shape, not a copy of a text).
MAX_PATTERN_CHARS = 5_000
# ... and so is one holding a run of literal characters longer than this: the `regex` module's
# search for a long literal that repeats itself ("ab ab ab ...") takes cubic time and does not
# stop at its time limit (measured: 0.09 s for 500 characters, 0.64 s for 1,000, 2.2 s for 1,500).
MAX_LITERAL_CHARS = 300
DEFAULT_MIN_RUN = 3
# Fingerprints are looked for in this much of the document's start.
FINGERPRINT_WINDOW = 200_000
# A fingerprint starting with this is a regular expression; any other is a literal string.
FINGERPRINT_REGEX_PREFIX = "re:"
# A YAML file that expands to more nodes than this (alias bombs) is refused.
MAX_YAML_NODES = 100_000
# `last_verified` is a date written like this.
DATE_FORMAT = r"\d{4}-\d{2}-\d{2}"
# A host: letters, digits, dots and dashes; no scheme, path, port or spaces.
HOST_PATTERN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
RULE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
# The JSON Schema for rule files, shipped with the package (editors: yaml-language-server).
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "rule-file.schema.json"

ACTIONS: tuple[str, ...] = ("drop_line", "drop_from", "drop_between", "drop_run", "keep_line", "take")
# Options that only mean something with some actions: anywhere else they are an error.
ACTION_OPTIONS: dict[str, tuple[str, ...]] = {
    "until": ("drop_from",), "min_run": ("drop_run",), "pattern": ("take",), "remove": ("take",),
    "anywhere": ("take",),
}
# The category a `keep_line` rule may give besides the closed list.
KEEP_CATEGORY = "body"

RULE_KEYS: dict[str, tuple[type, ...]] = {
    "id": (str,), "category": (str,), "drop_line": (str, list), "drop_from": (str,),
    "until": (str,), "drop_between": (list,), "drop_run": (str, list), "keep_line": (str, list),
    "take": (str,), "pattern": (str, list), "remove": (bool,), "anywhere": (bool,), "max_words": (int,),
    "min_words": (int,), "min_run": (int,), "first": (int,), "case_sensitive": (bool,),
    "note": (str,),
}
SITE_KEYS: dict[str, tuple[type, ...]] = {
    "$schema": (str,), "site": (str,), "hosts": (list,), "fingerprints": (list,),
    "last_verified": (str, _dt.date), "disable": (list,), "rules": (list,), "metadata": (dict,),
    "html": (dict,), "tests": (list,), "note": (str,),
}
GENERIC_KEYS: dict[str, tuple[type, ...]] = {
    "$schema": (str,), "generic": (str,), "rules": (list,), "note": (str,),
}
HTML_KEYS: dict[str, tuple[type, ...]] = {"strip": (list,), "body": (str,)}
TEST_KEYS: dict[str, tuple[type, ...]] = {
    "sample": (str,), "url": (str,), "must_contain": (list,), "must_not_contain": (list,),
    "expect": (dict,), "name": (str,),
}
# Types of metadata values (site `metadata:` literals and test `expect:`).
META_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,), "author": (str,), "date": (str, _dt.date), "sitename": (str,), "tags": (list, str),
    "url": (str,), "dateline": (str,),
}
# The header fields: a `take` rule for one of them looks only above the article body (unless it
# says `anywhere: true`), neither its first block nor its repeats inside or below the body: a
# subheading with commas is not the tags line, the related headlines under the article are not
# its title (docs/rules.md, "Where take rules look").
HEADER_FIELDS: frozenset[str] = frozenset({"title", "author", "date", "dateline", "tags", "sitename"})
# The article body has started at its first prose paragraph: the first block still in the body
# (unlabelled, or labelled to keep) of at least BODY_START_MIN_WORDS words whose text ends like a
# sentence (BODY_START_END). See body_start().
BODY_START_MIN_WORDS = 25
BODY_START_END = regex.compile(r"[.!?…][\'\"”’»)\]]*$")
# Numeric options and their smallest allowed value.
MIN_VALUES: dict[str, int] = {"max_words": 0, "min_words": 0, "min_run": 1, "first": 1}

_RULE_KEYS, _SITE_KEYS, _GENERIC_KEYS, _HTML_KEYS, _TEST_KEYS = RULE_KEYS, SITE_KEYS, GENERIC_KEYS, HTML_KEYS, TEST_KEYS


# ---------------------------------------------------------------- YAML with line numbers

class _Map(dict):
    """A mapping from a YAML file that remembers the line of each key."""

    lines: dict[str, int]
    line: int


class _Seq(list):
    lines: list[int]
    line: int


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class _Builder:
    """Turns a composed YAML node tree into _Map/_Seq/scalars, counting nodes (alias bombs)."""

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_YAML_NODES:
            raise RuleError(f"too many YAML nodes (more than {MAX_YAML_NODES}; aliases expanding?)",
                            path=self.path, line=node.start_mark.line + 1)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
            raise RuleError(f"invalid YAML: the tag {node.tag!r} is not allowed (rule files are plain YAML)",
                            path=self.path, line=node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out = _Map()
            out.lines, out.line = {}, node.start_mark.line + 1
            for key_node, value_node in node.value:
                key = self.build(key_node)
                line = key_node.start_mark.line + 1
                if not isinstance(key, str):
                    raise RuleError(f"keys must be strings, not {_type_name(type(key))}", path=self.path, line=line)
                if key in out:
                    raise RuleError(f"duplicate key (first at line {out.lines[key]})", path=self.path, line=line, key=key)
                out[key] = self.build(value_node)
                out.lines[key] = line
            return out
        if isinstance(node, yaml.SequenceNode):
            seq = _Seq(self.build(n) for n in node.value)
            seq.lines, seq.line = [n.start_mark.line + 1 for n in node.value], node.start_mark.line + 1
            return seq
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise RuleError(f"invalid YAML value {node.value!r}: {exc}", path=self.path,
                            line=node.start_mark.line + 1) from None


def load_yaml(text: str, path: str) -> Any:
    """Parse with PyYAML's safe loader only; every mapping remembers the line of each key."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            return None
        builder = _Builder(path)
        try:
            return builder.build(node)
        finally:
            builder.constructor.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RuleError(f"invalid YAML: {exc.problem or exc.context}", path=path, line=line) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses; its str() spans two lines
        line = text.count("\n", 0, exc.position) + 1 if isinstance(exc.position, int) else None
        raise RuleError(f"invalid YAML: character {exc.character!r} is not allowed", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise RuleError("invalid YAML: " + " ".join(str(exc).split()), path=path) from None
    except RecursionError:
        raise RuleError("invalid YAML: nested too deeply", path=path) from None


# ---------------------------------------------------------------- compiled rules

@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    action: str
    patterns: tuple[regex.Pattern, ...] = ()
    until: regex.Pattern | None = None
    field: str | None = None
    remove: bool = True
    max_words: int | None = None
    min_words: int | None = None
    min_run: int = DEFAULT_MIN_RUN
    first: int | None = None
    anywhere: bool = False      # take: also inside and below the article body (HEADER_FIELDS)
    source: str = ""            # file:line, for messages
    note: str | None = None
    # Time limit of one search. Shipped rules are vetted (probed at load, tested) and run without
    # one: the limit costs several times the search itself. A user's rules always have it.
    timeout: float | None = PATTERN_TIMEOUT_S
    # drop_from / drop_between: markers not to start at, counted from the top (set by the
    # stale-rule guard when the first marker stands above the article; never read from a file).
    skip_starts: int = 0

    def admits(self, words: int) -> bool:
        """True when a block of this many words is within the rule's max_words and min_words."""
        return ((self.max_words is None or words <= self.max_words)
                and (self.min_words is None or words >= self.min_words))

    def matches(self, text: str, words: int | None = None, lowered: str | None = None) -> bool:
        if (self.max_words is not None or self.min_words is not None) and \
                not self.admits(len(text.split()) if words is None else words):
            return False
        return self.search(text, lowered) is not None

    def search(self, text: str, lowered: str | None = None, budget: MatchBudget | None = None) -> regex.Match | None:
        """The match of the first of the rule's patterns that matches `text`, or None. A pattern
        whose literal gate `text` does not pass is not searched: it cannot match. `lowered` is
        the text folded by cleaner.prefilter.fold, when the caller has it. A rule with a time
        limit (a user's) counts its searches against `budget` (MatchBudget), when given."""
        for pattern, gate_, ignore_case in self.gated_patterns:
            if gate_ is not None:
                if ignore_case:
                    if lowered is None:
                        lowered = fold(text)
                    hay = lowered
                else:
                    hay = text
                if not gate_.passes(hay):
                    continue  # the pattern cannot match: none of its keys is there
            m = _run(pattern, text, self, budget)
            if m is not None:
                return m
        return None

    @cached_property
    def gated_patterns(self) -> tuple[tuple[regex.Pattern, Gate | None, bool], ...]:
        """Each pattern with its literal gate (cleaner.prefilter), computed once per rule."""
        return tuple((p, gate(p), bool(p.flags & regex.IGNORECASE)) for p in self.patterns)

    @property
    def above_body(self) -> bool:
        """True for a `take` rule that looks only above the article body (see body_start): one
        for a header field (HEADER_FIELDS) that does not say `anywhere: true`."""
        return self.action == "take" and self.field in HEADER_FIELDS and not self.anywhere

    def matches_block(self, b: Block) -> bool:
        return self.matches(b.plain, b.words, b.lowered)

    def describe(self) -> str:
        """The rule's action and patterns in one line, as written in its file."""
        pats = " | ".join(p.pattern for p in self.patterns)
        if self.action == "drop_between" and self.until is not None:
            return f"drop_between [{pats}, {self.until.pattern}]"
        if self.action == "take":
            return f"take {self.field}: {pats}"
        extra = f" until {self.until.pattern}" if self.until is not None else ""
        return f"{self.action} {pats}{extra}"


@dataclass(frozen=True)
class SiteTest:
    sample: str                 # as written in the file
    path: str = ""              # the sample resolved (see resolve_sample)
    base: str = ""              # what a relative sample is relative to
    url: str | None = None
    name: str | None = None
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    expect: tuple[tuple[str, Any], ...] = ()
    line: int = 0


@dataclass(frozen=True)
class SiteRules:
    name: str
    path: str
    hosts: tuple[str, ...] = ()
    fingerprints: tuple[regex.Pattern, ...] = ()
    rules: tuple[Rule, ...] = ()
    disable: frozenset[str] = frozenset()
    metadata: tuple[tuple[str, Any], ...] = ()
    html_strip: tuple[str, ...] = ()
    html_body: str | None = None
    last_verified: str | None = None
    tests: tuple[SiteTest, ...] = ()
    fingerprint_text: tuple[str, ...] = ()     # the fingerprints as written in the file
    # Line of each key (and of each 'host:NAME' and 'disable:ID' item), for messages.
    lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int | None:
        return dict(self.lines).get(key)


@dataclass(frozen=True)
class RuleSet:
    """Site files (highest precedence first: a later --rules-dir, then earlier ones, then shipped)
    and generic rules (a user's generic rule replaces a shipped one with the same id)."""

    sites: tuple[SiteRules, ...] = ()
    generic: tuple[Rule, ...] = ()
    files: tuple[str, ...] = ()

    def site_named(self, name: str) -> SiteRules | None:
        """A site by its name, its file's name (without .yaml) or one of its hosts."""
        key = name.strip().lower()
        for site in self.sites:
            stem = Path(site.path).stem.lower()
            if key in (site.name.lower(), stem) or key in site.hosts:
                return site
        return None

    def match(self, *, url: str | None = None, text: str = "", site: str | None = None) -> SiteRules | None:
        """--site > most specific host > fingerprint > none (generic rules only)."""
        if site:
            found = self.site_named(site)
            if found is None:
                close = _closest(site.lower(), [s.name.lower() for s in self.sites])
                hint = f" (did you mean {close!r}?)" if close else ""
                raise RuleError(f"no rules for site {site!r}{hint}; see 'newsclean rules list'")
            return found
        host = url_host(url)
        if host:
            best: tuple[int, SiteRules] | None = None
            for s in self.sites:
                for h in s.hosts:
                    if (host == h or host.endswith("." + h)) and (best is None or len(h) > best[0]):
                        best = (len(h), s)
            if best:
                return best[1]
        head = normalise_text(text[:FINGERPRINT_WINDOW])
        for s in self.sites:
            for fp in s.fingerprints:
                try:
                    if _search(fp, head, None):
                        return s
                except PatternTimeout:
                    continue
        return None


def url_host(url: str | None) -> str:
    """The URL's host, lower-cased, without a trailing dot ('' when there is none)."""
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def _run(pattern: regex.Pattern, text: str, rule: Rule | None, budget: MatchBudget | None = None) -> regex.Match | None:
    """`pattern.search(text)` within the rule's time limit (PATTERN_TIMEOUT_S without a rule) and,
    for a rule with a limit, within what is left of `budget`. A rule without a limit searches
    without the `timeout` argument: passing it, even as None, costs more than a failed search of
    a short line. Raises PatternTimeout, or OverBudget when the budget is spent."""
    timeout = PATTERN_TIMEOUT_S if rule is None else rule.timeout
    if timeout is None:
        return pattern.search(text)
    if budget is None:
        try:
            return pattern.search(text, timeout=timeout)
        except TimeoutError:
            raise PatternTimeout(rule) from None
    left = budget.left()
    if left <= 0:
        raise OverBudget(rule)
    started = time.thread_time()
    try:
        return pattern.search(text, timeout=min(timeout, left))
    except TimeoutError:
        if left < timeout:
            budget.spend_all()
            raise OverBudget(rule) from None
        raise PatternTimeout(rule) from None
    finally:
        budget.spend(time.thread_time() - started)


def _search(pattern: regex.Pattern, text: str, rule: Rule | None, budget: MatchBudget | None = None) -> bool:
    return _run(pattern, text, rule, budget) is not None


class PatternTimeout(Exception):
    def __init__(self, rule: Rule | None):
        self.rule = rule
        super().__init__(f"pattern of rule {rule.id if rule else '?'} timed out")


class OverBudget(PatternTimeout):
    """The document's budget for the user's patterns (MatchBudget) is spent."""


class MatchBudget:
    """The CPU time (seconds of the thread's CPU clock) that the user's patterns (rules with a time
    limit) may still take on one document, all rules and all passes together, and the user rules
    skipped once it was spent. Made afresh for each document (cleaner.pipeline.clean); shipped
    rules are not counted."""

    def __init__(self, seconds: float = USER_PATTERN_BUDGET_S):
        self.seconds = seconds
        self.spent = 0.0
        self.skipped: list[str] = []        # "rule 'ID' (SITE)" / "generic rule 'ID'", in order

    def left(self) -> float:
        return self.seconds - self.spent

    def spend(self, seconds: float) -> None:
        self.spent += seconds

    def spend_all(self) -> None:
        self.spent = max(self.spent, self.seconds)

    def skip(self, rule: Rule, stage: str) -> None:
        """Record a rule skipped for want of budget (once). `stage`: 'site' or 'generic'."""
        name = f"{stage} rule '{rule.id}'"
        if name not in self.skipped:
            self.skipped.append(name)

    def warnings(self) -> list[str]:
        """One warning naming the skipped rules, or none."""
        if not self.skipped:
            return []
        return [f"user rules timed out: their time budget ({self.seconds:g} s of CPU per document for all user "
                f"patterns) was spent; skipped: {', '.join(self.skipped)}"]


# ---------------------------------------------------------------- validation

def _check_keys(data: _Map, allowed: dict[str, tuple[type, ...]], path: str, where: str) -> None:
    for key, value in data.items():
        line = data.lines.get(key)
        if key not in allowed:
            close = _closest(key, allowed)
            hint = f" (did you mean '{close}'?)" if close else f"; allowed: {', '.join(k for k in allowed if k != '$schema')}"
            raise RuleError(f"unknown key in {where}{hint}", path=path, line=line, key=key)
        _check_type(value, allowed[key], path, line, key)


def _check_type(value: Any, types: tuple[type, ...], path: str, line: int | None, key: str) -> None:
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = " or ".join(_type_name(t) for t in types)
        raise RuleError(f"must be {names}, not {_type_name(type(value))}", path=path, line=line, key=key)


def _type_name(t: type) -> str:
    return {str: "a string", list: "a list", dict: "a mapping", int: "a number", bool: "true/false",
            float: "a decimal number", _Map: "a mapping", _Seq: "a list", _dt.date: "a date",
            _dt.datetime: "a date and time", bytes: "binary", type(None): "empty"}.get(t, t.__name__)


def _closest(key: str, allowed: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return found[0] if found else None


def compile_pattern(source: str, path: str, line: int | None, key: str, case_sensitive: bool = False,
                    rule_id: str | None = None) -> regex.Pattern:
    """Compile a rule's pattern (the `regex` module, V0; ignoring case unless `case_sensitive`).

    Raises RuleError (naming `path`, `line` and `key`) for bad syntax, a pattern longer than
    MAX_PATTERN_CHARS or holding a literal longer than MAX_LITERAL_CHARS, and a pattern that could
    backtrack catastrophically: one that can match a
    text in exponentially many ways, decided from its structure (cleaner.backtrack), never by
    timing it, so that the verdict is the same on any machine."""
    flags = regex.V0 | (0 if case_sensitive else regex.IGNORECASE)
    who = f"rule {rule_id!r}: " if rule_id else ""
    shown = source if len(source) <= 80 else source[:60] + "..."
    if len(source) > MAX_PATTERN_CHARS:
        raise RuleError(f"{who}pattern '{shown}' is {len(source):,} characters long; at most {MAX_PATTERN_CHARS:,}",
                        path=path, line=line, key=key)
    try:
        pattern = regex.compile(source, flags)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        raise RuleError(f"{who}bad regular expression '{shown}': {exc}", path=path, line=line, key=key) from None
    try:
        catastrophic = exponential_ambiguity(source, ignore_case=not case_sensitive)
        literal = longest_literal(source, ignore_case=not case_sensitive)
    except Unreadable as exc:
        raise RuleError(f"{who}pattern '{shown}' cannot be checked for catastrophic backtracking ({exc}); "
                        "write it without regex-module-only syntax", path=path, line=line, key=key) from None
    if literal > MAX_LITERAL_CHARS:
        raise RuleError(f"{who}pattern '{shown}' holds {literal:,} literal characters in a row; at most "
                        f"{MAX_LITERAL_CHARS:,} (match the start of the line)", path=path, line=line, key=key)
    if catastrophic:
        raise RuleError(f"{who}pattern '{shown}' backtracks catastrophically: a repeated part can match the same "
                        "text in more than one way; make each repeat match one way", path=path, line=line, key=key)
    return pattern


def _patterns(value: Any, path: str, line: int | None, key: str, case_sensitive: bool,
              rule_id: str | None = None) -> tuple[regex.Pattern, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise RuleError("needs at least one pattern", path=path, line=line, key=key)
    lines = getattr(value, "lines", None) or [line] * len(items)
    out = []
    for item, item_line in zip(items, lines):
        if not isinstance(item, str):
            raise RuleError(f"patterns must be strings, not {_type_name(type(item))}", path=path, line=item_line, key=key)
        if not item:
            raise RuleError("an empty pattern matches every line", path=path, line=item_line, key=key)
        out.append(compile_pattern(item, path, item_line, key, case_sensitive, rule_id))
    return tuple(out)


def duplicate_id_error(rule_id: str, first_line: int, path: str, line: int) -> RuleError:
    """The error for a rule id used a second time (at `line`; first at `first_line`) in one file."""
    return RuleError(f"duplicate rule id {rule_id!r} (first at line {first_line})", path=path, line=line, key="id")


def check_category(data: Any, rule_id: str, action: str, path: str) -> str:
    """The category of a rule mapping (`take` rules default to 'metadata'), checked against
    article.CATEGORIES (a `keep_line` rule may say 'body'). Raises RuleError naming the file, line
    and key for a missing or unknown category (with "did you mean")."""
    category = data.get("category", "metadata" if action == "take" else None)
    if category is None:
        raise RuleError(f"rule {rule_id!r} has no 'category'; one of: {', '.join(CATEGORIES)}", path=path, line=data.line)
    if category not in CATEGORIES and not (action == "keep_line" and category == KEEP_CATEGORY):
        close = _closest(category, CATEGORIES)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise RuleError(f"unknown category {category!r}{hint}; one of: {', '.join(CATEGORIES)}",
                        path=path, line=data.lines["category"], key="category")
    return category


def _compile_rule(data: Any, path: str, line: int, seen: dict[str, int]) -> Rule:
    if not isinstance(data, _Map):
        raise RuleError("each rule must be a mapping with id, category and one action", path=path, line=line)
    _check_keys(data, RULE_KEYS, path, "a rule")
    ln = data.lines
    if "id" not in data:
        raise RuleError("rule has no 'id'", path=path, line=data.line)
    rule_id = data["id"]
    if not regex.fullmatch(RULE_ID_PATTERN, rule_id):
        raise RuleError(f"bad rule id {rule_id!r}: use letters, digits, '-', '_' and '.'", path=path, line=ln["id"], key="id")
    if rule_id in seen:
        raise duplicate_id_error(rule_id, seen[rule_id], path, ln["id"])
    seen[rule_id] = ln["id"]
    actions = [a for a in ACTIONS if a in data]
    if len(actions) != 1:
        what = "no action" if not actions else "more than one action (" + ", ".join(actions) + ")"
        raise RuleError(f"rule {rule_id!r} has {what}; give exactly one of: {', '.join(ACTIONS)}",
                        path=path, line=data.line)
    action = actions[0]
    for option, applies in ACTION_OPTIONS.items():
        if option in data and action not in applies:
            raise RuleError(f"rule {rule_id!r}: '{option}' only applies to {' and '.join(applies)}, not {action}",
                            path=path, line=ln[option], key=option)
    for option, least in MIN_VALUES.items():
        if option in data and data[option] < least:
            raise RuleError(f"rule {rule_id!r}: must be at least {least}", path=path, line=ln[option], key=option)
    category = check_category(data, rule_id, action, path)
    cs = bool(data.get("case_sensitive", False))
    common: dict[str, Any] = dict(id=rule_id, category=category, action=action, source=f"{path}:{data.line}",
                                  max_words=data.get("max_words"), min_words=data.get("min_words"),
                                  first=data.get("first"), remove=data.get("remove", True), note=data.get("note"),
                                  anywhere=data.get("anywhere", False))
    if action in ("drop_line", "keep_line", "drop_run"):
        pats = _patterns(data[action], path, ln[action], action, cs, rule_id)
        return Rule(patterns=pats, min_run=data.get("min_run", DEFAULT_MIN_RUN), **common)
    if action == "drop_from":
        until = compile_pattern(data["until"], path, ln["until"], "until", cs, rule_id) if "until" in data else None
        return Rule(patterns=_patterns(data[action], path, ln[action], action, cs, rule_id), until=until, **common)
    if action == "drop_between":
        pair = data[action]
        if len(pair) != 2:
            raise RuleError(f"rule {rule_id!r}: drop_between takes two patterns: [start, end]", path=path,
                            line=ln[action], key=action)
        start, end = _patterns(pair, path, ln[action], action, cs, rule_id)
        return Rule(patterns=(start,), until=end, **common)
    # take
    field_name = data["take"]
    if field_name not in META_FIELDS:
        close = _closest(field_name, META_FIELDS)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise RuleError(f"unknown metadata field {field_name!r}{hint}; one of: {', '.join(META_FIELDS)}",
                        path=path, line=ln["take"], key="take")
    if "pattern" not in data:
        raise RuleError(f"rule {rule_id!r}: 'take' needs a 'pattern'", path=path, line=data.line)
    return Rule(patterns=_patterns(data["pattern"], path, ln["pattern"], "pattern", cs, rule_id), field=field_name, **common)


def _compile_rules(data: Any, path: str, line: int, seen: dict[str, int]) -> tuple[Rule, ...]:
    if not isinstance(data, list):
        raise RuleError("must be a list", path=path, line=line, key="rules")
    return tuple(_compile_rule(item, path, item_line, seen) for item, item_line in zip(data, data.lines))


def _string_list(data: _Map, key: str, path: str) -> tuple[str, ...]:
    value = data.get(key, [])
    for item, line in zip(value, getattr(value, "lines", [])):
        if not isinstance(item, str):
            raise RuleError(f"items must be strings, not {_type_name(type(item))}", path=path, line=line, key=key)
        if not item.strip():
            raise RuleError("items must not be empty", path=path, line=line, key=key)
    return tuple(value)


def _check_meta_values(meta: _Map, path: str, where: str) -> None:
    for key, value in meta.items():
        line = meta.lines[key]
        if key not in META_FIELDS:
            close = _closest(key, META_FIELDS)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise RuleError(f"unknown metadata field in {where}{hint}; one of: {', '.join(META_FIELDS)}",
                            path=path, line=line, key=key)
        if value is not None:
            _check_type(value, META_VALUE_TYPES[key], path, line, key)


def _compile_tests(data: _Map, path: str, base: Path) -> tuple[SiteTest, ...]:
    tests = []
    items = data.get("tests", _empty_seq())
    for item, line in zip(items, items.lines):
        if not isinstance(item, _Map):
            raise RuleError("each test must be a mapping with a 'sample'", path=path, line=line, key="tests")
        _check_keys(item, TEST_KEYS, path, "a test")
        if "sample" not in item:
            raise RuleError("a test needs a 'sample' (a local file)", path=path, line=line, key="tests")
        if regex.match(r"^[a-z][a-z0-9+.-]*://", item["sample"], flags=regex.I):
            raise RuleError("a test's sample must be a local file, not a URL", path=path, line=item.lines["sample"], key="sample")
        for key in ("must_contain", "must_not_contain"):
            _string_list(item, key, path)
        expect = item.get("expect", _Map())
        if expect:
            _check_meta_values(expect, path, "expect")
        tests.append(SiteTest(sample=item["sample"], path=str(resolve_sample(item["sample"], base)), base=str(base),
                              url=item.get("url"), name=item.get("name"),
                              must_contain=tuple(item.get("must_contain", [])),
                              must_not_contain=tuple(item.get("must_not_contain", [])),
                              expect=tuple((k, str(v) if isinstance(v, _dt.date) else v) for k, v in expect.items()),
                              line=line))
    return tuple(tests)


def resolve_sample(sample: str, base: Path) -> Path:
    """A test's sample: an absolute path, or a path relative to `base`, the folder that holds the
    rules directory (for the shipped rules/, the repository's root; for `--rules-dir my-rules`,
    the folder my-rules is in)."""
    p = Path(sample).expanduser()
    return p if p.is_absolute() else base / p


def compile_site(data: _Map, path: str, base: Path | None = None) -> SiteRules:
    """Compile a site file's mapping. `base` is where test samples are looked up (resolve_sample)."""
    _check_keys(data, SITE_KEYS, path, "a site file")
    base = base if base is not None else Path(path).resolve().parent.parent
    name = data["site"].strip()
    if not name:
        raise RuleError("the site needs a name", path=path, line=data.lines["site"], key="site")
    lines: dict[str, int] = dict(data.lines)
    hosts = []
    for host, line in zip(_string_list(data, "hosts", path), getattr(data.get("hosts"), "lines", [])):
        h = host.lower().strip().lstrip(".").rstrip(".")
        if not regex.fullmatch(HOST_PATTERN, h):
            raise RuleError(f"{host!r} is not a host name: write it bare, like example.com (no https://, path or port)",
                            path=path, line=line, key="hosts")
        hosts.append(h)
        lines[f"host:{h}"] = line
    seen: dict[str, int] = {}
    rules = _compile_rules(data.get("rules", _empty_seq()), path, data.lines.get("rules", 1), seen)
    fps = []
    for fp, line in zip(_string_list(data, "fingerprints", path), getattr(data.get("fingerprints"), "lines", [])):
        source = fp[len(FINGERPRINT_REGEX_PREFIX):] if fp.startswith(FINGERPRINT_REGEX_PREFIX) else regex.escape(fp)
        fps.append(compile_pattern(source, path, line, "fingerprints", case_sensitive=True))
    disable = _string_list(data, "disable", path)
    for rule_id, line in zip(disable, getattr(data.get("disable"), "lines", [])):
        lines[f"disable:{rule_id}"] = line
    meta = data.get("metadata", _Map())
    if meta:
        _check_meta_values(meta, path, "metadata")
    html = data.get("html", _Map())
    if html:
        _check_keys(html, HTML_KEYS, path, "html")
        _check_selectors(html, path)
    lv = data.get("last_verified")
    if isinstance(lv, str) and not regex.fullmatch(DATE_FORMAT, lv.strip()):
        raise RuleError(f"must be a date written YYYY-MM-DD, not {lv!r}", path=path, line=data.lines["last_verified"],
                        key="last_verified")
    return SiteRules(
        name=name, path=path, hosts=tuple(hosts), fingerprints=tuple(fps), rules=rules,
        fingerprint_text=_string_list(data, "fingerprints", path),
        disable=frozenset(disable), metadata=tuple((k, str(v) if isinstance(v, _dt.date) else v) for k, v in meta.items()),
        html_strip=_string_list(html, "strip", path) if html else (), html_body=html.get("body") if html else None,
        last_verified=str(lv).strip() if lv is not None else None, tests=_compile_tests(data, path, base),
        lines=tuple(lines.items()),
    )


def _check_selectors(html: _Map, path: str) -> None:
    """Every CSS selector of a site's `html:` rules must compile (cleaner.html.selector_problem)."""
    from .html import selector_problem  # lxml and cssselect: only for files that have html rules

    for key in ("strip", "body"):
        value = html.get(key)
        items = value if isinstance(value, list) else [] if value is None else [value]
        lines = getattr(value, "lines", None) or [html.lines.get(key)] * len(items)
        for css, line in zip(items, lines):
            problem = selector_problem(css) if isinstance(css, str) and css.strip() else "a selector must be a non-empty string"
            if problem:
                raise RuleError(f"bad CSS selector {css!r}: {problem}", path=path, line=line, key=key)


def _empty_seq() -> _Seq:
    s = _Seq()
    s.lines, s.line = [], 1
    return s


def load_file(path: Path, root: Path | None = None) -> SiteRules | tuple[Rule, ...]:
    """Load one rule file: a site's rules, or a generic family's rules. Raises RuleError.

    `root` is the rules directory the file was found in (test samples are relative to its
    parent); by default the file's own folder."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise RuleError(f"cannot read rule file: {reason}", path=name) from None
    data = load_yaml(text, name)
    if not isinstance(data, _Map):
        raise RuleError("a rule file must be a mapping with 'site:' or 'generic:'", path=name, line=getattr(data, "line", 1))
    if "site" in data and "generic" in data:
        raise RuleError("a rule file is either a site file ('site:') or a generic file ('generic:'), not both",
                        path=name, line=data.lines["generic"], key="generic")
    if "site" in data:
        base = (Path(root) if root is not None else path.parent).resolve().parent
        return compile_site(data, name, base)
    if "generic" in data:
        _check_keys(data, GENERIC_KEYS, name, "a generic rule file")
        return _compile_rules(data.get("rules", _empty_seq()), name, data.lines.get("rules", 1), {})
    close = _closest("site", [k for k in data if isinstance(k, str)]) or _closest("generic", [k for k in data])
    hint = f" (is '{close}' a typo?)" if close else ""
    raise RuleError(f"a rule file must have 'site:' (site rules) or 'generic:' (generic rules){hint}",
                    path=name, line=data.line)


# ---------------------------------------------------------------- rule sets

def shipped_rules_dir() -> Path:
    """The rules that ship with newsclean: `cleaner/shipped_rules/` in an installed wheel
    (pyproject maps the repository's rules/ there), else rules/ next to the package in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "shipped_rules"
    return installed if installed.is_dir() else here.parent / "rules"


def samples_shipped(site: SiteRules) -> bool:
    """False for a shipped site file of an installed package: its test samples stay in the
    repository (samples/), so `rules check` and `rules test` skip them there."""
    return Path(site.path).resolve().parent.parent.name != "shipped_rules"


def rule_files(dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        files.extend(files_in(d))
    return files


def files_in(d: Path) -> list[Path]:
    """The rule files (*.yaml, *.yml) under one rules directory, sorted. Raises the first RuleError
    of `walk_rules_dir` (a broken or looping symbolic link, a special file, an unreadable folder)."""
    files, errors = walk_rules_dir(d)
    if errors:
        raise errors[0]
    return files


RULE_SUFFIXES = (".yaml", ".yml")


def walk_rules_dir(d: Path) -> tuple[list[Path], list[RuleError]]:
    """The rule files under one rules directory, sorted, and a RuleError naming each entry that
    cannot be a rule file: a *.yaml/*.yml name that is a broken or looping symbolic link or not a
    regular file (a FIFO would hang the reader), a symbolic link to a folder above it (a loop), an
    unreadable folder. Broken links of other names are not rule files and are passed over.

    Every command (clean, batch, rules list/check) gets the same errors, so `rules check` passes
    exactly when loading does. Folders linked from the tree are followed (each folder once);
    entries whose name starts with '.' are skipped (editor lock files such as Emacs's
    `.#site.yaml` are dangling links; version-control folders hold no rules)."""
    root = Path(d)
    if not root.is_dir():
        return [], [RuleError("rules directory not found", path=str(root))]
    files: list[Path] = []
    errors: list[RuleError] = []
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path, ancestors: dict[tuple[int, int], Path]) -> None:
        try:
            st = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            errors.append(RuleError(f"cannot read rules folder: {exc.strerror or exc}", path=str(folder)))
            return
        seen.add((st.st_dev, st.st_ino))
        ancestors = {**ancestors, (st.st_dev, st.st_ino): folder}
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                target = os.stat(entry.path)       # follows symbolic links
            except FileNotFoundError:
                if entry.name.endswith(RULE_SUFFIXES):
                    errors.append(RuleError("broken symbolic link: its target does not exist", path=str(path)))
                continue
            except OSError as exc:                 # ELOOP: a link to itself, or a ring of links
                if entry.name.endswith(RULE_SUFFIXES):
                    errors.append(RuleError(f"cannot read: {exc.strerror or exc}", path=str(path)))
                continue
            key = (target.st_dev, target.st_ino)
            if stat.S_ISDIR(target.st_mode):
                if key in ancestors:
                    errors.append(RuleError(f"symbolic link loop: leads back to {ancestors[key]}", path=str(path)))
                elif key not in seen:
                    visit(path, ancestors)
            elif entry.name.endswith(RULE_SUFFIXES):
                if stat.S_ISREG(target.st_mode):
                    files.append(path)
                else:
                    errors.append(RuleError(f"not a regular file ({file_kind(target.st_mode)}): not read", path=str(path)))

    visit(root, {})
    return sorted(files), errors


@dataclass(frozen=True)
class _Loaded:
    priority: int               # 0 = shipped; then each --rules-dir in the order given
    root: Path
    path: Path
    content: SiteRules | tuple[Rule, ...]


SHIPPED_PRIORITY = 0


def _vetted(content: SiteRules | tuple[Rule, ...]) -> SiteRules | tuple[Rule, ...]:
    """Shipped rules run without a per-search time limit (see Rule.timeout)."""
    if isinstance(content, SiteRules):
        return replace(content, rules=tuple(replace(r, timeout=None) for r in content.rules))
    return tuple(replace(r, timeout=None) for r in content)


def _rule_dirs(extra_dirs: Sequence[str | Path], shipped: bool) -> list[tuple[int, Path]]:
    dirs = [(SHIPPED_PRIORITY, shipped_rules_dir())] if shipped else []
    return dirs + [(i + 1, Path(d)) for i, d in enumerate(extra_dirs)]


def _where(source: str) -> tuple[str, int | None]:
    path, _, line = source.rpartition(":")
    return (path, int(line)) if line.isdigit() else (source, None)


def _assemble(loaded: Sequence[_Loaded], check_disable: bool) -> tuple[RuleSet, list[RuleError]]:
    """Merge loaded files by precedence; collect cross-file errors (duplicates, unknown disables)."""
    errors: list[RuleError] = []
    chosen: dict[str, _Loaded] = {}
    host_owner: dict[tuple[int, str], SiteRules] = {}
    generic: dict[str, tuple[int, Rule]] = {}
    for item in loaded:
        content = item.content
        if isinstance(content, SiteRules):
            key = content.name.lower()
            prior = chosen.get(key)
            if prior is not None and prior.priority == item.priority:
                errors.append(RuleError(f"site {content.name!r} is also defined in {prior.path}", path=content.path,
                                        line=content.line_of("site"), key="site"))
                continue
            for h in content.hosts:
                owner = host_owner.get((item.priority, h))
                if owner is not None and owner.name.lower() != key:
                    errors.append(RuleError(f"host {h!r} is also claimed by site {owner.name!r} ({owner.path})",
                                            path=content.path, line=content.line_of(f"host:{h}"), key="hosts"))
                host_owner[(item.priority, h)] = content
            chosen[key] = item      # a later directory (the user's) replaces an earlier one (shipped)
            continue
        for rule in content:
            prior_rule = generic.get(rule.id)
            if prior_rule is not None and prior_rule[0] == item.priority:
                path, line = _where(rule.source)
                errors.append(RuleError(f"duplicate rule id {rule.id!r} (also in {prior_rule[1].source})",
                                        path=path, line=line, key="id"))
                continue
            generic[rule.id] = (item.priority, rule)
    order = sorted(chosen.values(), key=lambda it: (-it.priority, str(it.path)))
    sites = tuple(it.content for it in order)  # type: ignore[misc]
    if check_disable:
        for site in sites:
            for rule_id in sorted(site.disable):
                if rule_id not in generic:
                    close = _closest(rule_id, generic)
                    hint = f" (did you mean '{close}'?)" if close else ""
                    errors.append(RuleError(f"no generic rule {rule_id!r} to disable{hint}", path=site.path,
                                            line=site.line_of(f"disable:{rule_id}"), key="disable"))
    files = tuple(str(it.path) for it in loaded)
    return RuleSet(sites=sites, generic=tuple(r for _, r in generic.values()), files=files), errors


def load_ruleset(extra_dirs: Sequence[str | Path] = (), *, shipped: bool = True) -> RuleSet:
    """Shipped rules plus the user's directories. Precedence: a later directory's site file wins
    over an earlier one's (and over the shipped one) for the same site name, and is tried first for
    hosts and fingerprints; a user's generic rule replaces a shipped one with the same id.
    Raises the first RuleError; nothing of a set with an error is used."""
    dirs = tuple(str(Path(d)) for d in extra_dirs)
    return _load_ruleset_cached(dirs, shipped, _signature(dirs, shipped))


def _signature(extra_dirs: tuple[str, ...], shipped: bool) -> tuple[tuple[str, int, int], ...]:
    """Where the files are and when they last changed: a new cwd or an edited file is a new set.
    Raises the first RuleError of the folders' walk (which loading would raise too)."""
    out: list[tuple[str, int, int]] = []
    for _, root in _rule_dirs(extra_dirs, shipped):
        files, errors = walk_rules_dir(root)
        if errors:
            raise errors[0]
        for path in files:
            where = os.path.abspath(path)
            try:
                st = path.stat()
            except OSError:   # gone since the walk: loading it will say so
                out.append((where, -1, -1))
                continue
            out.append((where, st.st_mtime_ns, st.st_size))
    return tuple(out)


@lru_cache(maxsize=8)
def _load_ruleset_cached(extra_dirs: tuple[str, ...], shipped: bool,
                         signature: tuple[tuple[str, int, int], ...]) -> RuleSet:
    loaded = [_Loaded(prio, root, path, _vetted(load_file(path, root)) if prio == SHIPPED_PRIORITY else load_file(path, root))
              for prio, root in _rule_dirs(extra_dirs, shipped) for path in files_in(root)]
    ruleset, errors = _assemble(loaded, check_disable=shipped)
    if errors:
        raise errors[0]
    return ruleset


@dataclass
class CheckReport:
    """Everything wrong with a set of rule directories, not only the first error."""

    files: list[str] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    ruleset: RuleSet = field(default_factory=RuleSet)


def check_rules(extra_dirs: Sequence[str | Path] = (), *, shipped: bool = True) -> CheckReport:
    """Validate every rule file (each on its own, then across files), and that test samples exist."""
    report = CheckReport()
    loaded: list[_Loaded] = []
    for prio, root in _rule_dirs(extra_dirs, shipped):
        paths, walk_errors = walk_rules_dir(root)
        report.errors.extend(walk_errors)
        for path in paths:
            report.files.append(str(path))
            try:
                loaded.append(_Loaded(prio, root, path, load_file(path, root)))
            except RuleError as exc:
                report.errors.append(exc)
    report.ruleset, cross = _assemble(loaded, check_disable=shipped)
    report.errors.extend(cross)
    for item in loaded:
        if isinstance(item.content, SiteRules) and samples_shipped(item.content):
            for t in item.content.tests:
                if not Path(t.path).is_file():
                    where = "" if Path(t.sample).is_absolute() else f" (relative to {t.base})"
                    report.errors.append(RuleError(f"test sample not found: {t.sample}{where}", path=item.content.path,
                                                   line=t.line, key="sample"))
    return report


# ---------------------------------------------------------------- applying rules

@dataclass
class ApplyReport:
    """What applying a rule list did: which rules fired and which timed out."""

    fired: dict[str, int] = field(default_factory=dict)
    timed_out: list[str] = field(default_factory=list)


def apply_rules(blocks: list[Block], rules: Sequence[Rule], stage: str, budget: MatchBudget | None = None) -> ApplyReport:
    """Label the still-unlabelled blocks by each rule, in order. `stage` is 'site' or 'generic'.

    A rule whose pattern times out on a block is skipped whole: the labels it had already put
    are taken back, and the report names it. With a `budget` (one per document), the user's
    rules (those with a time limit) count their searches against it; once it is spent, the rule
    searching then and every user rule after it are skipped whole, and the budget names them.

    The rules' literal gates are tested for all rules at once, block by block, and the line rules
    (drop_line, keep_line) are matched block by block (see _RulePlan): the labels are those of
    applying the rules one after the other. Should a line rule's pattern time out there (or the
    budget run out), the rules are applied again one after the other, from the labels and the
    budget they started with."""
    plan = _plan(tuple(rules))
    if not plan.line_timeouts:
        return _apply_planned(blocks, plan, stage, budget)
    before = [b.label for b in blocks]
    spent, skipped = (budget.spent, len(budget.skipped)) if budget is not None else (0.0, 0)
    try:
        return _apply_planned(blocks, plan, stage, budget)
    except PatternTimeout:
        for b, label in zip(blocks, before):
            b.label = label
        if budget is not None:
            budget.spent = spent
            del budget.skipped[skipped:]
        return _apply_in_order(blocks, rules, stage, budget)


def _apply_in_order(blocks: list[Block], rules: Sequence[Rule], stage: str, budget: MatchBudget | None = None) -> ApplyReport:
    """apply_rules one rule after the other, each rule matching blocks on its own."""
    report = ApplyReport()
    for rule in rules:
        _apply_one(blocks, rule, stage, report, _matcher_of(rule, budget), budget)
    return report


def _apply_one(blocks: list[Block], rule: Rule, stage: str, report: ApplyReport, match: Matcher,
               budget: MatchBudget | None = None) -> None:
    """Apply one rule; a rule that times out is taken back whole and named in the report (in the
    budget, when it is the budget that ran out)."""
    before = [b.label for b in blocks] if rule.timeout is not None else None
    try:
        n = _APPLY[rule.action](blocks, rule, stage, match, budget)
    except PatternTimeout as exc:
        for b, label in zip(blocks, before or ()):
            b.label = label
        if isinstance(exc, OverBudget) and budget is not None:
            budget.skip(rule, stage)
        else:
            report.timed_out.append(rule.id)
        return
    if n:
        report.fired[rule.id] = report.fired.get(rule.id, 0) + n


# A rule's match on the block at a position (None when it does not match it, or does not apply:
# the block has too many or too few words). Windows (`first`) are the actions' business.
Matcher = Callable[[int, Block], "regex.Match | None"]


def _matcher_of(rule: Rule, budget: MatchBudget | None = None) -> Matcher:
    """The rule's matcher on its own: its gates and patterns, one block at a time."""
    def match(_: int, b: Block) -> regex.Match | None:
        return rule.search(b.plain, b.lowered, budget) if rule.admits(b.words) else None
    return match


# ---------------------------------------------------------------- all rules at once, block by block

LINE_ACTIONS = frozenset({"drop_line", "keep_line"})
# Actions that look only at the first `first` blocks (`take` finds its first match there, and its
# repeats anywhere: it checks its window itself).
WINDOWED_ACTIONS = LINE_ACTIONS
NO_MATCH = -1


@dataclass(frozen=True)
class Candidates:
    """What may match a block, of a rule list whose patterns are numbered in order: the patterns
    whose rule applies to the block and whose gate it passes (or that have none), in order, and
    the indexes of the rules that apply to it."""

    patterns: tuple[int, ...]
    rules: frozenset[int]


# The gates of a rule list are scanned for per tier of word counts (a tier runs from one of
# these to the next): a tier's scans hold the gates of the rules that apply to some block of
# that many words, so that long blocks, which few rules apply to, are scanned for few keys.
SCAN_TIERS: tuple[int, ...] = (2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class _Scans:
    """The gates of the patterns of some rules, as scans of a block's folded text (patterns that
    ignore case) and of its plain text, at its start (anchored patterns) and anywhere."""

    scans: tuple[tuple[KeyScan, bool], ...]    # each scan, and whether it reads the folded text

    def opened(self, b: Block) -> frozenset[int]:
        """The numbers of the patterns whose gate the block passes."""
        opened = _NOTHING
        for scan, folded in self.scans:
            found = scan.opened(b.lowered if folded else b.plain)
            if found:
                opened = opened | found
        return opened


_NOTHING: frozenset[int] = frozenset()


@dataclass(frozen=True)
class _RulePlan:
    """A rule list compiled for matching all its rules against a block at once.

    Which rules apply to a block depends only on its word count and position (`applying`), and
    which of their patterns may match it on the gates it passes: the gates of all the rules that
    may apply to blocks of its length are tested in one or two scans of its text (`_Scans`).

    Whether a rule matches a block depends on the block alone, and a block keeps the first label
    it gets. So among the line rules that apply to a still-unlabelled block, the first one that
    matches it is the one that labels it, and a block is searched once for its first matching
    line rule (`first_line_match`), each pattern at most once, instead of once per rule."""

    rules: tuple[Rule, ...]
    patterns: tuple[regex.Pattern, ...]     # all the rules' patterns, numbered in order
    gates: tuple[Gate | None, ...]          # pattern number -> its gate
    ignore_case: tuple[bool, ...]           # pattern number -> it ignores case
    owner: tuple[int, ...]                  # pattern number -> its rule's index in rules
    spans: tuple[tuple[int, int], ...]      # rule index -> the numbers of its patterns (start, end)
    line: tuple[bool, ...]                  # pattern number -> its rule is a line rule
    bounds: tuple[int, ...]                 # word counts at which the rules that apply change
    firsts: tuple[int, ...]                 # positions at which they change (windows), sorted
    line_timeouts: bool                     # True when a line rule has a time limit
    _scans: dict[int, _Scans] = field(default_factory=dict, compare=False, repr=False)
    _applying: dict[tuple[int, int], Candidates] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, rules: tuple[Rule, ...]) -> _RulePlan:
        owner = tuple(i for i, r in enumerate(rules) for _ in r.patterns)
        ends = [0]
        for r in rules:
            ends.append(ends[-1] + len(r.patterns))
        bounds = sorted({r.max_words + 1 for r in rules if r.max_words is not None}
                        | {r.min_words for r in rules if r.min_words is not None})
        firsts = sorted({r.first for r in rules if r.first and r.action in WINDOWED_ACTIONS})
        gated = [g for r in rules for g in r.gated_patterns]
        return cls(rules=rules, patterns=tuple(p for p, _, _ in gated), gates=tuple(g for _, g, _ in gated),
                   ignore_case=tuple(i for _, _, i in gated), owner=owner,
                   spans=tuple(zip(ends, ends[1:])), line=tuple(rules[i].action in LINE_ACTIONS for i in owner),
                   bounds=tuple(bounds), firsts=tuple(firsts),
                   line_timeouts=any(r.timeout is not None for r in rules if r.action in LINE_ACTIONS))

    def candidates(self, b: Block, index: int) -> Candidates:
        """The patterns that may match the block at position `index`: those of the rules that
        apply to it that have no gate, and those whose gate it passes."""
        words = b.words
        applying = self.applying(words, index)
        tier = bisect_right(SCAN_TIERS, words)
        scans = self._scans.get(tier)
        if scans is None:
            scans = self._scans[tier] = self._build_scans(tier)
        opened = scans.opened(b)
        if not opened:
            return applying
        owner, rules = self.owner, applying.rules
        found = [n for n in opened if owner[n] in rules]
        if not found:
            return applying
        return Candidates(patterns=tuple(sorted(applying.patterns + tuple(found))),
                          rules=applying.rules)

    def applying(self, words: int, index: int) -> Candidates:
        """The rules that apply to a block of `words` words at position `index`, and their
        patterns that have no gate: the same for every block whose word count and position
        fall between the same bounds."""
        key = (bisect_right(self.bounds, words), bisect_right(self.firsts, index) if self.firsts else 0)
        found = self._applying.get(key)
        if found is None:
            rules = frozenset(i for i, r in enumerate(self.rules) if _applies(r, words, index))
            ungated = tuple(n for n, gate_ in enumerate(self.gates) if gate_ is None and self.owner[n] in rules)
            found = self._applying[key] = Candidates(patterns=ungated, rules=rules)
        return found

    def _build_scans(self, tier: int) -> _Scans:
        """The scans of the gates of the rules that apply to some block of the tier's lengths."""
        low = SCAN_TIERS[tier - 1] if tier else 0
        high = SCAN_TIERS[tier] - 1 if tier < len(SCAN_TIERS) else None
        scans: dict[tuple[bool, bool], dict[int, tuple[str, ...]]] = {}   # (folded, at start) -> gates
        for number, gate_ in enumerate(self.gates):
            rule = self.rules[self.owner[number]]
            if gate_ is not None and (rule.max_words is None or rule.max_words >= low) and \
                    (rule.min_words is None or high is None or rule.min_words <= high):
                scans.setdefault((self.ignore_case[number], gate_.at_start), {})[number] = gate_.keys
        return _Scans(tuple((_key_scan(tuple(gates.items()), at_start), folded)
                            for (folded, at_start), gates in sorted(scans.items())))

    def first_line_match(self, b: Block, candidates: Candidates, budget: MatchBudget | None = None) -> int:
        """The index of the first line rule that matches the block, given its candidates;
        NO_MATCH when none does."""
        text = b.plain
        for number in candidates.patterns:
            if self.line[number]:
                rule = self.rules[self.owner[number]]
                pattern = self.patterns[number]
                if (pattern.search(text) if rule.timeout is None else _run(pattern, text, rule, budget)) is not None:
                    return self.owner[number]
        return NO_MATCH


def _applies(rule: Rule, words: int, index: int) -> bool:
    """True when the rule looks at a block of `words` words at position `index`."""
    return rule.admits(words) and (rule.action not in WINDOWED_ACTIONS or not rule.first or index < rule.first)


@lru_cache(maxsize=256)
def _key_scan(gates: tuple[tuple[int, tuple[str, ...]], ...], at_start: bool) -> KeyScan:
    return KeyScan.build(dict(gates), at_start)  # type: ignore[return-value]


@lru_cache(maxsize=32)
def _plan(rules: tuple[Rule, ...]) -> _RulePlan:
    return _RulePlan.build(rules)


class _PlannedMatches:
    """One application of a plan to the blocks of a document: each block's candidates, computed
    the first time a rule asks, and the rules' matchers that read them."""

    def __init__(self, plan: _RulePlan, blocks: list[Block], budget: MatchBudget | None = None):
        self.plan = plan
        self.blocks = blocks
        self.budget = budget
        self._candidates: list[Candidates | None] = [None] * len(blocks)

    def candidates(self, index: int, b: Block) -> Candidates:
        found = self._candidates[index]
        if found is None:
            found = self._candidates[index] = self.plan.candidates(b, index)
        return found

    def first_line_matches(self) -> list[list[Block]]:
        """Per line rule (by index in the plan's rules), the still-unlabelled blocks it is the
        first line rule to match."""
        claimed: list[list[Block]] = [[] for _ in self.plan.rules]
        for i, b in enumerate(self.blocks):
            if b.label is None:
                found = self.plan.first_line_match(b, self.candidates(i, b), self.budget)
                if found != NO_MATCH:
                    claimed[found].append(b)
        return claimed

    def matcher(self, rule_index: int) -> Matcher:
        """The rule's matcher: its patterns among the block's candidates, in order."""
        plan = self.plan
        rule = plan.rules[rule_index]
        start, end = plan.spans[rule_index]

        def match(index: int, b: Block) -> regex.Match | None:
            candidates = self.candidates(index, b)
            if rule_index not in candidates.rules:
                return None
            for number in candidates.patterns:
                if number >= end:
                    break
                if number >= start:
                    m = _run(plan.patterns[number], b.plain, rule, self.budget)
                    if m is not None:
                        return m
            return None
        return match


def _apply_planned(blocks: list[Block], plan: _RulePlan, stage: str, budget: MatchBudget | None = None) -> ApplyReport:
    """apply_rules with the rules' gates tested all at once and the line rules matched block by
    block (_RulePlan): each line rule labels the blocks it is the first line rule to match and
    that are still unlabelled when it comes (a rule of another kind before it may have labelled
    them); that is what applying the line rules one by one does, since a block matched by an
    earlier line rule got that rule's label."""
    report = ApplyReport()
    matches = _PlannedMatches(plan, blocks, budget)
    claimed: list[list[Block]] | None = None   # computed when the first line rule comes
    for index, rule in enumerate(plan.rules):
        if rule.action not in LINE_ACTIONS:
            _apply_one(blocks, rule, stage, report, matches.matcher(index), budget)
            continue
        if claimed is None:
            claimed = matches.first_line_matches()
        n = 0
        for b in claimed[index]:
            if b.label is None:
                b.label = _line_label(rule, stage)
                n += 1
        if n:
            report.fired[rule.id] = report.fired.get(rule.id, 0) + n
    return report


def _line_label(rule: Rule, stage: str) -> Label:
    if rule.action == "keep_line":
        return Label(keep=True, category="body", rule=rule.id, reason=f"{stage} rule: kept")
    return _label(rule, stage, "line matches")


def _label(rule: Rule, stage: str, reason: str) -> Label:
    return Label(keep=False, category=rule.category, rule=rule.id, reason=f"{stage} rule: {reason}")


def _drop_line(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> int:
    """Each block in the window that matches (drop_line, and keep_line: the label says which)."""
    n = 0
    for i, b in enumerate(_window(blocks, rule)):
        if b.label is None and match(i, b) is not None:
            b.label = _line_label(rule, stage)
            n += 1
    return n


def _drop_from(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> int:
    """From a block matching the marker to the end, or through the next block matching `until`."""
    n, start, skip = 0, None, rule.skip_starts
    for i, b in enumerate(blocks):
        if start is None:
            if (b.label is None or b.label.removed) and match(i, b) is not None:
                if skip:
                    skip -= 1
                    continue
                start = i
            else:
                continue
        if b.label is None:
            b.label = _label(rule, stage, "inside marked section")
            n += 1
        if rule.until is not None and i > start and _search(rule.until, b.plain, rule, budget):
            start = None
    return n


def _drop_run(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> int:
    """Runs of at least `min_run` blocks matching (removed blocks in between do not break a run)."""
    n, run = 0, []
    for i, b in enumerate(blocks + [None]):  # type: ignore[list-item]
        if b is not None and b.label is not None and b.label.removed:
            continue
        if b is not None and b.label is None and match(i, b) is not None:
            run.append(b)
            continue
        if len(run) >= rule.min_run:
            for r in run:
                r.label = _label(rule, stage, f"run of {len(run)} matching lines")
            n += len(run)
        run = []
    return n


def body_start(blocks: Sequence[Block]) -> int:
    """Index of the block at which the article body has started, as the labels stand: the first
    block still in the body (unlabelled, or labelled to keep) of at least BODY_START_MIN_WORDS
    words that ends like a sentence; len(blocks) when there is none."""
    for i, b in enumerate(blocks):
        if b.words >= BODY_START_MIN_WORDS and b.live and BODY_START_END.search(b.text):
            return i
    return len(blocks)


def _take(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> int:
    """Take a metadata field from the first matching block within `first` blocks; the blocks that
    match after it go too, as repeats (a date line above and below the article, a series name on
    each of its titles), so that cleaning the cleaned text finds none to take. A rule for a header
    field (Rule.above_body) neither takes nor repeats at or below the body's start (body_start)."""
    window = len(_window(blocks, rule))
    end = body_start(blocks) if rule.above_body else len(blocks)
    n_taken = 0
    for i, b in enumerate(blocks):
        if n_taken == 0 and i >= window or i >= end:
            break
        if b.label is not None:
            continue
        m = match(i, b)
        if m is not None:
            first = n_taken == 0
            b.label = Label(keep=not rule.remove, category="metadata", rule=rule.id,
                            reason=f"{stage} rule: {rule.field}" + ("" if first else " (again)"),
                            field=rule.field, value=(m.groupdict().get("value") or m.group(0)).strip() if first else None)
            n_taken += 1
    return n_taken


def _window(blocks: list[Block], rule: Rule) -> list[Block]:
    return blocks[: rule.first] if rule.first else blocks


_APPLY = {"drop_line": _drop_line, "keep_line": _drop_line, "drop_from": _drop_from,
          "drop_between": _drop_from, "drop_run": _drop_run, "take": _take}
