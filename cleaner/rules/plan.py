"""Planning a rule list for speed only: all its rules' literal gates tested in one or two scans of
a block (prefilter.KeyScan), and its line rules matched block by block instead of rule by rule.
A plan never changes a label: actions.apply_rules gives the labels of applying the rules one
after the other, with or without it."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from ..article import Block
from .budget import MatchBudget, limited_search
from .prefilter import Gate, KeyScan
from .rule import Matcher, Rule

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
class RulePlan:
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
    def build(cls, rules: tuple[Rule, ...]) -> RulePlan:
        """The plan of a rule list (in the order the rules apply)."""
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
                if (pattern.search(text) if rule.timeout is None else limited_search(pattern, text, rule, budget)) is not None:
                    return self.owner[number]
        return NO_MATCH


def _applies(rule: Rule, words: int, index: int) -> bool:
    """True when the rule looks at a block of `words` words at position `index`."""
    return rule.admits(words) and (rule.action not in WINDOWED_ACTIONS or not rule.first or index < rule.first)


@lru_cache(maxsize=256)
def _key_scan(gates: tuple[tuple[int, tuple[str, ...]], ...], at_start: bool) -> KeyScan:
    return KeyScan.build(dict(gates), at_start)  # type: ignore[return-value]


@lru_cache(maxsize=32)
def plan_of(rules: tuple[Rule, ...]) -> RulePlan:
    """The rule list's plan, built once per process for each list (its rules are frozen)."""
    return RulePlan.build(rules)


class PlannedMatches:
    """One application of a plan to the blocks of a document: each block's candidates, computed
    the first time a rule asks, and the rules' matchers that read them."""

    def __init__(self, plan: RulePlan, blocks: list[Block], budget: MatchBudget | None = None):
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
                    m = limited_search(plan.patterns[number], b.plain, rule, self.budget)
                    if m is not None:
                        return m
            return None
        return match
