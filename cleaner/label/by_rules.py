"""The rule labellers: site rules, then generic rules, then the lines common to a site's
documents; the rules that depend on their neighbours, applied again after the heuristics; and the
stale-rule guard's measure (which site rule left too little of the text)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from ..article import Block, Label
from ..blocks import dedup_key
from ..rules import apply_rules
from ..rules.budget import MatchBudget
from ..rules.rule import Rule, SiteRules
from .context import LabelContext

# Stale-rule guard: when site rules would leave less than this share of the words they judge
# (trafilatura's own guard uses 1/7), the rule that removed most is set aside, with a warning.
STALE_MIN_KEPT_SHARE = 1 / 7
# A stale drop_from / drop_between rule first skips this many of its markers (the first ones, above
# the article), then is set aside.
STALE_MARKERS_SKIPPED_MAX = 3
# What a block whose line recurs across the site's documents is labelled (Options.common_lines).
COMMON_LINE_CATEGORY, COMMON_LINE_RULE = "duplicate", "dedup-lines"


def label_by_rules(blocks: list[Block], ctx: LabelContext, warnings: list[str]) -> list[Label | None]:
    """Apply the site's rules, then the generic rules in force (ctx.generic_rules), then label the
    lines common to the site's documents (after the rules: a dateline or byline is taken as
    metadata first). Appends a warning per rule that timed out. Returns every block's label after
    the rules (None: no rule labelled it)."""
    if ctx.site_rules is not None:
        report = apply_rules(blocks, ctx.site_rules.rules, "site", ctx.budget)
        warnings.extend(f"rule '{r}' ({ctx.site_rules.name}) timed out and was skipped" for r in report.timed_out)
    report = apply_rules(blocks, ctx.generic_rules(), "generic", ctx.budget)
    warnings.extend(f"generic rule '{r}' timed out and was skipped" for r in report.timed_out)
    if ctx.common_lines:
        label_common_lines(blocks, ctx.common_lines)
    return [b.label for b in blocks]


def label_common_lines(blocks: list[Block], common: frozenset[str]) -> None:
    """Remove, as "duplicate", every unlabelled block whose dedup key (cleaner.blocks.dedup_key) is in `common`."""
    for b in blocks:
        if b.label is None and dedup_key(b.text) in common:
            b.label = Label(keep=False, category=COMMON_LINE_CATEGORY, rule=COMMON_LINE_RULE,
                            reason="batch: line recurs across many documents of this site")


@dataclass(frozen=True)
class NeighbourRules:
    """A stage's rules that depend on their neighbours: `drop_run`, and `take` with a window or
    one that looks only above the article body (Rule.above_body); and the document's budget for
    the user's patterns (cleaner.rules.budget.MatchBudget)."""

    stage: str
    runs: tuple[Rule, ...]
    windowed_takes: tuple[Rule, ...]
    budget: MatchBudget | None = None


def neighbour_rules(ctx: LabelContext) -> list[NeighbourRules]:
    """The site's and the generic rules (in force) that depend on their neighbours, by stage."""
    site = ctx.site_rules.rules if ctx.site_rules is not None else ()
    stages = (("site", site), ("generic", ctx.generic_rules()))
    return [NeighbourRules(stage, tuple(r for r in rules if r.action == "drop_run"),
                           tuple(r for r in rules if r.action == "take" and (r.first or r.above_body)), ctx.budget)
            for stage, rules in stages]


def rules_again(blocks: list[Block], again: list[NeighbourRules]) -> None:
    """The rules that depend on their neighbours, once more after the heuristics, on what is left,
    as cleaning the cleaned text would see it (idempotence): `drop_run` (a removed repeat may have
    split a run) and `take` with a window (`first: N` counts the blocks still in the article) or
    above the body (its start is the first prose paragraph still in the article)."""
    live = [b for b in blocks if b.live]
    for rules in again:
        if rules.runs:
            apply_rules(blocks, rules.runs, rules.stage, rules.budget)
        if rules.windowed_takes:
            apply_rules(live, rules.windowed_takes, rules.stage, rules.budget)


def stale_rule(blocks: list[Block], pristine: Sequence[Label | None],
               site_rules: SiteRules | None) -> tuple[str, int, int] | None:
    """(rule id, words it removed, words judged) of the site rule that removed most, when the site's
    rules left less than STALE_MIN_KEPT_SHARE of the words; else None. `pristine`: the blocks'
    labels before labelling (the blocks the html stage had removed already are not judged)."""
    if site_rules is None or not blocks:
        return None
    # Judged: what the site's rules removed against what was kept. What the HTML stage, the generic
    # rules or the heuristics removed does not count (it is gone whichever rules apply: the
    # measure is then the same when the cleaned text is cleaned again).
    site_ids = {r.id for r in site_rules.rules}
    site_removed: dict[str, int] = {}
    total = kept = 0
    for b, label in zip(blocks, pristine):
        if label is not None:
            continue
        if b.live:
            kept += b.words
        elif b.label.rule in site_ids and b.label.category != "metadata":
            site_removed[b.label.rule] = site_removed.get(b.label.rule, 0) + b.words
        else:
            continue
        total += b.words
    if not total or kept >= total * STALE_MIN_KEPT_SHARE or not site_removed:
        return None
    worst = max(site_removed, key=site_removed.__getitem__)
    return worst, site_removed[worst], total


def set_aside(site_rules: SiteRules, rule_id: str) -> tuple[SiteRules, str]:
    """The site's rules without the stale one; a drop_from / drop_between rule first loses its
    first marker (one that stands above the article), so that its section is still removed below
    it. Returns the rules and how the document is cleaned, for the warning."""
    rules = []
    how = "without it"
    for r in site_rules.rules:
        if r.id != rule_id:
            rules.append(r)
        elif r.action in ("drop_from", "drop_between") and r.skip_starts < STALE_MARKERS_SKIPPED_MAX:
            rules.append(replace(r, skip_starts=r.skip_starts + 1))
            skipped = r.skip_starts + 1
            how = "with it skipping its first " + (f"{skipped} markers" if skipped > 1 else "marker")
    return replace(site_rules, rules=tuple(rules)), how
