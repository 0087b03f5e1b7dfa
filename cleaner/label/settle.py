"""The settling steps: labelling again, as a fresh document, the text a labelling kept, until that
removes nothing more, so that cleaning the cleaned text removes nothing (idempotence).

    label_in_its_language   detect the language from the longest blocks and label in it; when the
                            kept text tells another language, label again in that one; when no
                            language agrees with its own kept text, settle on the kept text
    label_with_model        the fitted block model's relabelling, then the same settling
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import language
from ..article import Block
from ..blocks import text_blocks
from .context import LabelContext, Labelling
from .labellers import label_with_stale_guard

# At most this many settling rounds after the block model (each removes at least one block, so it
# ends anyway).
SETTLE_ROUNDS_MAX = 8


def label_in_its_language(blocks: list[Block], ctx: LabelContext) -> tuple[str, Labelling]:
    """Detect the language and label the blocks in it (_label_in_detected_language). When no
    language agrees with the text it keeps, the cleaned text's language is the one cleaning it
    again would find: the kept blocks are labelled again on their own, as a document, until that
    removes nothing more (_settle_on_kept_text). Returns the language code and the labelling."""
    lang, labelling, agreed = _label_in_detected_language(blocks, ctx)
    if agreed:
        return lang, labelling
    return _settle_on_kept_text(blocks, labelling, ctx, lang)


def _label_in_detected_language(blocks: list[Block], ctx: LabelContext) -> tuple[str, Labelling, bool]:
    """Detect the language (from the longest blocks) and label the blocks. When the kept text tells
    another language than the whole did (the longest blocks were boilerplate), label again in the
    kept text's language: the one cleaning the cleaned text would find (idempotence). Returns the
    language, the labelling, and whether the text kept tells the language it was labelled in."""
    pristine = [b.label for b in blocks]
    sample = language_sample(blocks)
    lang = language.detect(sample)
    labelling = label_with_stale_guard(blocks, replace(ctx, language=lang))
    kept_lang = _kept_language(blocks, sample, lang)
    if kept_lang == lang:
        return lang, labelling, True
    for b, label in zip(blocks, pristine):
        b.label = label
    labelling = label_with_stale_guard(blocks, replace(ctx, language=kept_lang))
    return kept_lang, labelling, _kept_language(blocks, sample, lang) == kept_lang


def _kept_language(blocks: list[Block], sample: str, lang: str) -> str:
    """The language of the kept blocks (`lang`, that of `sample`, when they give the same sample)."""
    kept_sample = language_sample([b for b in blocks if b.live])
    return language.detect(kept_sample) if kept_sample != sample else lang


def _settle_on_kept_text(blocks: list[Block], labelling: Labelling, ctx: LabelContext,
                         lang: str) -> tuple[str, Labelling]:
    """For a text in which no language agrees with its own kept text (e.g. its longest line, a
    headline repeated many times, tells another language than its paragraphs): label the kept
    blocks again, as the document that cleaning the cleaned text would see (fresh text blocks),
    and remove what that removes, until it removes nothing. Then cleaning the result again finds
    the same language and removes nothing (idempotence). Rare: only such texts pay for it."""
    warnings = list(labelling.warnings)
    site_rules = labelling.site_rules  # without any rule the stale guard set aside
    live = [b for b in blocks if b.live]
    while live:
        fresh = [Block(text=b.text, line=b.line) for b in live]
        lang, again, _ = _label_in_detected_language(fresh, replace(ctx, site_rules=site_rules))
        warnings.extend(w for w in again.warnings if w not in warnings)
        site_rules = again.site_rules
        still = _take_removals(live, fresh)
        if len(still) == len(live):
            break
        live = still
    return lang, Labelling(warnings=warnings, site_rules=site_rules)


def _take_removals(live: list[Block], fresh: list[Block]) -> list[Block]:
    """Give each block of `live` the label of its fresh copy (same index in `fresh`) when that
    copy was removed. Returns the blocks of `live` still kept (all of them: nothing was removed)."""
    for b, f in zip(live, fresh):
        if f.label is not None and f.label.removed:
            b.label = f.label
    return [b for b in live if b.live]


def language_sample(blocks: list[Block]) -> str:
    """What the language is told from: the longest blocks, longest first, one a line, cut at
    language.SAMPLE_CHARS characters (all that language.detect reads). Cut, two samples that are
    equal give the same language: the kept text is detected again only when its sample differs."""
    longest = sorted(blocks, key=lambda b: len(b.text), reverse=True)
    out, size = [], 0
    for b in longest:
        out.append(b.text[:language.SAMPLE_CHARS])  # no copy of a long block's unread part
        size += len(b.text)
        if size >= language.SAMPLE_CHARS:
            break
    return "\n".join(out)[:language.SAMPLE_CHARS]


def label_with_model(blocks: list[Block], lang: str, relabel: Callable[[list[Block]], str]) -> None:
    """Relabel `blocks` (labelled by rules and heuristics in language code `lang`) with the fitted
    model, then settle: the kept blocks, as the fresh document that cleaning the cleaned text would
    see, are labelled again (`relabel(fresh_blocks) -> language code`, then the model) and what that
    removes goes, until it removes nothing (idempotence)."""
    from . import model  # imported on demand: numpy and the model file only when the model is asked for

    model.label(blocks, language.stoplist_name(lang))
    live = [b for b in blocks if b.live]
    for _ in range(SETTLE_ROUNDS_MAX):
        if not live:
            return
        fresh = text_blocks("\n\n".join(b.text for b in live))
        if len(fresh) != len(live) or any(f.text != b.text for f, b in zip(fresh, live)):
            fresh = [Block(text=b.text, line=b.line) for b in live]
        fresh_lang = relabel(fresh)
        model.label(fresh, language.stoplist_name(fresh_lang))
        still = _take_removals(live, fresh)
        if len(still) == len(live):
            return
        live = still
