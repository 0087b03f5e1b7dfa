"""The block model as a labelling stage: run it, then settle so that cleaning is idempotent."""
from __future__ import annotations

from typing import Callable

from . import language, model
from .article import Block
from .blocks import text_blocks

# At most this many settling rounds (each removes at least one block, so it ends anyway).
SETTLE_ROUNDS_MAX = 8


def label_with_model(blocks: list[Block], lang: str, relabel: Callable[[list[Block]], str]) -> None:
    """Relabel `blocks` (labelled by rules and heuristics in language code `lang`) with the fitted
    model, then settle: the kept blocks, as the fresh document that cleaning the cleaned text would
    see, are labelled again (`relabel(fresh_blocks) -> language code`, then the model) and what that
    removes goes, until it removes nothing (idempotence)."""
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
        gone = [(b, f.label) for b, f in zip(live, fresh) if f.label is not None and f.label.removed]
        if not gone:
            return
        for b, lab in gone:
            b.label = lab
        live = [b for b in live if b.live]
