"""One labelling pass over a document: the labellers in their order, and the stale-rule guard.

    1. site rules, generic rules, common lines   (by_rules.label_by_rules)
    2. the heuristics, then the rules that depend on their neighbours again  (_judge)
    3. the headline, over the heuristics' label  (headline.label_headline; the rest judged again
       without it when the heuristics had kept it as article text)
    4. the byline and date lines near the headline  (header.label_header)

A labeller labels only what the ones before it left, except the headline and header labellers,
which may replace a heuristic's label (never a rule's).
"""
from __future__ import annotations

from dataclasses import replace

from ..article import Block, Label
from . import heuristics
from .by_rules import NeighbourRules, label_by_rules, neighbour_rules, rules_again, set_aside, stale_rule
from .clean_text import keep_metadata_lines_of_clean_text
from .context import LabelContext, Labelling
from .header import label_header
from .headline import label_headline

# The header labeller's name among the generic signals (LabelContext.signals_off).
HEADER_SIGNAL = "header"


def label_with_stale_guard(blocks: list[Block], ctx: LabelContext) -> Labelling:
    """Label every block (run_labellers; a text with nothing to remove but one metadata field
    keeps it: clean_text.keep_metadata_lines_of_clean_text). Applies the stale-rule guard: a site
    rule that would leave less than by_rules.STALE_MIN_KEPT_SHARE of the words is set aside (with
    a warning) and the document labelled again with the site's other rules, until none is stale.
    `ctx.language` must be set."""
    pristine = [b.label for b in blocks]
    stale: list[str] = []
    while True:
        warnings: list[str] = []
        headline_removed = run_labellers(blocks, ctx, warnings)
        if not headline_removed:
            keep_metadata_lines_of_clean_text(blocks)
        worst = stale_rule(blocks, pristine, ctx.site_rules)
        if worst is None or ctx.site_rules is None:
            return Labelling(warnings=stale + warnings, site_rules=ctx.site_rules)
        rule_id, removed, total = worst
        applied, how = set_aside(ctx.site_rules, rule_id)
        ctx = replace(ctx, site_rules=applied)
        stale.append(f"stale site rules: {applied.name} rule '{rule_id}' would remove {removed} of {total} "
                     f"words; cleaned {how}")
        for b, label in zip(blocks, pristine):
            b.label = label


def run_labellers(blocks: list[Block], ctx: LabelContext, warnings: list[str]) -> bool:
    """Run the labellers in order (module doc) on the blocks, appending warnings (rules that timed
    out). Returns whether the heuristics had removed the headline as boilerplate before it was
    labelled the title (then the text was not clean, whatever else is removed)."""
    ruled = label_by_rules(blocks, ctx, warnings)
    shapes: dict[int, heuristics.Shape] = {}  # by block index: the same for every judging of this document
    again = neighbour_rules(ctx)
    if ctx.heuristics:
        ruled = _judge(blocks, ruled, again, ctx, shapes)
    headline_removed = label_headline(
        blocks, ctx, ruled, judge_again=lambda: _judge(blocks, [b.label for b in blocks], again, ctx, shapes))
    if HEADER_SIGNAL not in ctx.signals_off:
        label_header(blocks, ctx.language, ctx.url, ruled)
    return headline_removed


def _judge(blocks: list[Block], ruled: list[Label | None], again: list[NeighbourRules], ctx: LabelContext,
           shapes: dict[int, heuristics.Shape]) -> list[Label | None]:
    """The heuristics, then the rules that depend on their neighbours again (by_rules.rules_again);
    when those label more, the heuristics judge again without what they labelled (as cleaning the
    cleaned text would see it). Returns the labels the rules gave, for the headline labeller."""
    stoplist = ctx.stoplist
    while True:
        heuristics.label(blocks, stoplist, signals_off=ctx.signals_off, known_shapes=shapes)
        before = [b.label for b in blocks]
        rules_again(blocks, again)
        changed = [i for i, b in enumerate(blocks) if b.label is not before[i]]
        if not changed:
            return ruled
        ruled = list(ruled)
        for i in changed:
            ruled[i] = blocks[i].label
        for b, label in zip(blocks, ruled):
            b.label = label
