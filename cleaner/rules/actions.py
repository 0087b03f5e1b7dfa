"""Applying rules to blocks: what each action (drop_line, keep_line, drop_from, drop_between,
drop_run, take) labels, in rule order, a block keeping the first label it gets; a rule that
times out is taken back whole.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import regex

from ..article import Block, Label
from .budget import MatchBudget, OverBudget, PatternTimeout, limited_found
from .plan import LINE_ACTIONS, PlannedMatches, RulePlan, plan_of
from .rule import Matcher, Rule

# The article body has started at its first prose paragraph: the first block still in the body
# (unlabelled, or labelled to keep) of at least BODY_START_MIN_WORDS words whose text ends like a
# sentence (BODY_START_END). See body_start().
BODY_START_MIN_WORDS = 25
BODY_START_END = regex.compile(r"[.!?…][\'\"”’»)\]]*$")


@dataclass
class ApplyReport:
    """What applying a rule list did that its labels do not show: the ids of the rules that timed
    out (and were taken back), in order."""

    timed_out: list[str] = field(default_factory=list)


def apply_rules(blocks: list[Block], rules: Sequence[Rule], stage: str, budget: MatchBudget | None = None) -> ApplyReport:
    """Label the still-unlabelled blocks by each rule, in order. `stage` is 'site' or 'generic'.

    A rule whose pattern times out on a block is skipped whole: the labels it had already put
    are taken back, and the report names it. With a `budget` (one per document), the user's
    rules (those with a time limit) count their searches against it; once it is spent, the rule
    searching then and every user rule after it are skipped whole, and the budget names them.

    The rules' literal gates are tested for all rules at once, block by block, and the line rules
    (drop_line, keep_line) are matched block by block (see RulePlan): the labels are those of
    applying the rules one after the other. Should a line rule's pattern time out there (or the
    budget run out), the rules are applied again one after the other, from the labels and the
    budget they started with."""
    plan = plan_of(tuple(rules))
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
        _APPLY[rule.action](blocks, rule, stage, match, budget)
    except PatternTimeout as exc:
        for b, label in zip(blocks, before or ()):
            b.label = label
        if isinstance(exc, OverBudget) and budget is not None:
            budget.skip(rule, stage)
        else:
            report.timed_out.append(rule.id)


def _matcher_of(rule: Rule, budget: MatchBudget | None = None) -> Matcher:
    """The rule's matcher on its own: its gates and patterns, one block at a time."""
    def match(_: int, b: Block) -> regex.Match | None:
        return rule.search(b.plain, b.lowered, budget) if rule.admits(b.words) else None
    return match


def _apply_planned(blocks: list[Block], plan: RulePlan, stage: str, budget: MatchBudget | None = None) -> ApplyReport:
    """apply_rules with the rules' gates tested all at once and the line rules matched block by
    block (RulePlan): each line rule labels the blocks it is the first line rule to match and
    that are still unlabelled when it comes (a rule of another kind before it may have labelled
    them); that is what applying the line rules one by one does, since a block matched by an
    earlier line rule got that rule's label."""
    report = ApplyReport()
    matches = PlannedMatches(plan, blocks, budget)
    claimed: list[list[Block]] | None = None   # computed when the first line rule comes
    for index, rule in enumerate(plan.rules):
        if rule.action not in LINE_ACTIONS:
            _apply_one(blocks, rule, stage, report, matches.matcher(index), budget)
            continue
        if claimed is None:
            claimed = matches.first_line_matches()
        for b in claimed[index]:
            if b.label is None:
                b.label = _line_label(rule, stage)
    return report


def _line_label(rule: Rule, stage: str) -> Label:
    if rule.action == "keep_line":
        return Label(keep=True, category="body", rule=rule.id, reason=f"{stage} rule: kept")
    return _label(rule, stage, "line matches")


def _label(rule: Rule, stage: str, reason: str) -> Label:
    return Label(keep=False, category=rule.category, rule=rule.id, reason=f"{stage} rule: {reason}")


def _line_rule(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> None:
    """Each block in the window that matches (drop_line, and keep_line: the label says which)."""
    for i, b in enumerate(_window(blocks, rule)):
        if b.label is None and match(i, b) is not None:
            b.label = _line_label(rule, stage)


def _drop_from(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> None:
    """From a block matching the marker to the end, or through the next block matching `until`."""
    start, skip = None, rule.skip_starts
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
        if rule.until is not None and i > start and limited_found(rule.until, b.plain, rule, budget):
            start = None


def _drop_run(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> None:
    """Runs of at least `min_run` blocks matching (removed blocks in between do not break a run)."""
    run: list[Block] = []
    for i, b in enumerate(blocks + [None]):  # type: ignore[list-item]
        if b is not None and b.label is not None and b.label.removed:
            continue
        if b is not None and b.label is None and match(i, b) is not None:
            run.append(b)
            continue
        if len(run) >= rule.min_run:
            for r in run:
                r.label = _label(rule, stage, f"run of {len(run)} matching lines")
        run = []


def body_start(blocks: Sequence[Block]) -> int:
    """Index of the block at which the article body has started, as the labels stand: the first
    block still in the body (unlabelled, or labelled to keep) of at least BODY_START_MIN_WORDS
    words that ends like a sentence; len(blocks) when there is none."""
    for i, b in enumerate(blocks):
        if b.words >= BODY_START_MIN_WORDS and b.live and BODY_START_END.search(b.text):
            return i
    return len(blocks)


def _take(blocks: list[Block], rule: Rule, stage: str, match: Matcher, budget: MatchBudget | None = None) -> None:
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


def _window(blocks: list[Block], rule: Rule) -> list[Block]:
    return blocks[: rule.first] if rule.first else blocks


_APPLY = {"drop_line": _line_rule, "keep_line": _line_rule, "drop_from": _drop_from,
          "drop_between": _drop_from, "drop_run": _drop_run, "take": _take}
