"""The labelling stage: every block labelled keep, or remove with a category, a rule id and a reason.

    label(blocks, ctx) -> (language code, Labelling)

The labellers, in the order they run on a document (labellers.run_labellers):

    1. site rules, then generic rules, then lines common to the site's documents   by_rules.py
    2. the heuristics (shape, section markers, the article's span, repeats), then
       the rules that depend on their neighbours once more                            heuristics.py
    3. the headline, over the heuristics' label                                       headline.py
    4. the byline and date lines near the headline                                    header.py
       (reading them: byline.py, dateline.py; their words: header_data.py)
    (for HTML, before them: the page's own headline and standfirst                    html.py)

and the settling around them (settle.py): the language is detected from the longest blocks and
the document labelled in it, again in the kept text's language when that differs, and again on
the kept text alone until that removes nothing (idempotence); a stale site rule is set aside and
the document labelled again (labellers.label_with_stale_guard); with `ctx.model`, the fitted block
model (model.py, features.py) relabels what the heuristics decided, then the same settling.

context.py holds LabelContext (what every labeller gets) and Labelling (what labelling says
besides the labels); clean_text.py what makes an already clean text stay whole.
"""
from __future__ import annotations

from dataclasses import replace

from ..article import Block
from .context import LabelContext, Labelling
from .headline import HEADLINE_SIGNAL
from .heuristics import SIGNALS as HEURISTIC_SIGNALS
from .labellers import HEADER_SIGNAL
from .settle import label_in_its_language, label_with_model

# Every generic signal that can be switched off by name (LabelContext.signals_off,
# Options.signals_off): the heuristics' signals, the headline labeller and the header labeller.
SIGNALS: tuple[str, ...] = HEURISTIC_SIGNALS + (HEADLINE_SIGNAL, HEADER_SIGNAL)

__all__ = ["SIGNALS", "LabelContext", "Labelling", "label"]


def label(blocks: list[Block], ctx: LabelContext) -> tuple[str, Labelling]:
    """Label `blocks` in place (see the module doc for the order). `ctx.site_rules`: the site
    rules found for the document (None for none); `ctx.language` is detected here. Returns the
    language code the blocks were labelled in and the Labelling (warnings, the site rules applied).
    Raises nothing of its own; a rule's timeout is a warning."""
    lang, labelling = label_in_its_language(blocks, ctx)
    if ctx.model and ctx.heuristics:
        def relabel(fresh: list[Block]) -> str:
            """Label the kept text's blocks as cleaning the cleaned text would (site rules found in it)."""
            found = ctx.site_rules_for("\n\n".join(b.text for b in fresh))
            return label_in_its_language(fresh, replace(ctx, site_rules=found))[0]

        label_with_model(blocks, lang, relabel)
    return lang, labelling
