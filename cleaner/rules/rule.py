"""What a rule file compiles to: Rule (one rule: its action, patterns and options), SiteTest and
SiteRules (a site file), and how a rule searches a block's text (gates first, then its
patterns within their time limits)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

import regex

from ..article import Block, fold
from .budget import PATTERN_TIMEOUT_S, MatchBudget, limited_search
from .prefilter import Gate, gate

DEFAULT_MIN_RUN = 3
# The header fields: a `take` rule for one of them looks only above the article body (unless it
# says `anywhere: true`), neither its first block nor its repeats inside or below the body: a
# subheading with commas is not the tags line, the related headlines under the article are not
# its title (docs/rules.md, "Where take rules look").
HEADER_FIELDS: frozenset[str] = frozenset({"title", "author", "date", "dateline", "tags", "sitename"})

# A rule's match on the block at a position (None when it does not match it, or does not apply:
# the block has too many or too few words). Windows (`first`) are the actions' business.
Matcher = Callable[[int, Block], "regex.Match | None"]


@dataclass(frozen=True)
class Rule:
    """One compiled rule. `action` is one of validate.ACTIONS; `patterns` are compiled with the
    `regex` module; `until` is drop_from's end marker or drop_between's end; `field` is what a
    `take` rule takes (article.META_FIELDS); `source` is "file:line" for messages."""

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
        """True when the rule admits a block of `text` (of `words` words, counted when None) and
        one of its patterns matches it. Raises PatternTimeout."""
        if (self.max_words is not None or self.min_words is not None) and \
                not self.admits(len(text.split()) if words is None else words):
            return False
        return self.search(text, lowered) is not None

    def search(self, text: str, lowered: str | None = None, budget: MatchBudget | None = None) -> regex.Match | None:
        """The match of the first of the rule's patterns that matches `text`, or None. A pattern
        whose literal gate `text` does not pass is not searched: it cannot match. `lowered` is
        the text folded by cleaner.article.fold, when the caller has it. A rule with a time
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
            m = limited_search(pattern, text, self, budget)
            if m is not None:
                return m
        return None

    @cached_property
    def gated_patterns(self) -> tuple[tuple[regex.Pattern, Gate | None, bool], ...]:
        """Each pattern with its literal gate (cleaner.rules.prefilter) and whether it ignores
        case, computed once per rule."""
        return tuple((p, gate(p), bool(p.flags & regex.IGNORECASE)) for p in self.patterns)

    @property
    def above_body(self) -> bool:
        """True for a `take` rule that looks only above the article body (actions.body_start): one
        for a header field (HEADER_FIELDS) that does not say `anywhere: true`."""
        return self.action == "take" and self.field in HEADER_FIELDS and not self.anywhere

    def matches_block(self, b: Block) -> bool:
        """Rule.matches on a block's plain text."""
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
    """One of a site file's `tests:`: a sample and what cleaning it must give."""

    sample: str                 # as written in the file
    path: str = ""              # the sample resolved (see validate.resolve_sample)
    base: str = ""              # what a relative sample is relative to
    url: str | None = None
    name: str | None = None
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    expect: tuple[tuple[str, Any], ...] = ()
    line: int = 0


@dataclass(frozen=True)
class SiteRules:
    """A compiled site file: how the site is recognised (hosts, fingerprints), its rules, the
    generic rules it disables, its literal metadata, its html rules and its tests."""

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
        """The line of `key` in the file (see `lines`), or None."""
        return dict(self.lines).get(key)
