"""Time limits on the user's patterns: each search within its rule's limit, all of a document's
searches within one budget (MatchBudget), and the exceptions that say a limit was reached."""
from __future__ import annotations

import time
from typing import Protocol

import regex

# A user's pattern may not take longer than this on one block (seconds of one search, as the regex
# module counts them: CPU time, measured; on a loaded machine a search may take several times that).
PATTERN_TIMEOUT_S = 0.25
# All the user's patterns together may take this much CPU time per document (seconds, the thread's
# CPU clock); once it is spent, the user rules not yet applied are skipped for that document, with
# a warning naming them (MatchBudget). Shipped rules are vetted and not counted.
USER_PATTERN_BUDGET_S = 1.0


class TimedRule(Protocol):
    """What the limits need of a rule (a rule.Rule): its id, for messages, and its time limit per
    search (seconds; None for a shipped rule, which searches without one)."""

    @property
    def id(self) -> str: ...

    @property
    def timeout(self) -> float | None: ...


class PatternTimeout(Exception):
    """A search of `rule`'s pattern (None: a fingerprint) took longer than its time limit."""

    def __init__(self, rule: TimedRule | None):
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

    def skip(self, rule: TimedRule, stage: str) -> None:
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


def limited_search(pattern: regex.Pattern, text: str, rule: TimedRule | None,
                   budget: MatchBudget | None = None) -> regex.Match | None:
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


def limited_found(pattern: regex.Pattern, text: str, rule: TimedRule | None, budget: MatchBudget | None = None) -> bool:
    """True when limited_search finds a match (same limits, same exceptions)."""
    return limited_search(pattern, text, rule, budget) is not None
