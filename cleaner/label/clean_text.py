"""A text that is already clean: nothing to remove but its metadata lines, which then stay.

This is what makes cleaning a cleaned text remove nothing more (idempotence)."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..article import Block, Label


def text_input(blocks: list[Block]) -> bool:
    """All blocks are lines of a text input (not HTML, not parts of a glued line)."""
    return all(b.origin == "text" for b in blocks)


def nothing_removed(blocks: list[Block], labels: Sequence[Label | None]) -> bool:
    """True when the blocks are a text input and none was removed under these labels."""
    return text_input(blocks) and all(label is None or label.keep for label in labels)


def keep_metadata_lines_of_clean_text(blocks: list[Block]) -> None:
    """Text from which nothing would be removed but the lines of one metadata field (a
    headline-shaped first line; or a date line) is taken as an article body already: those lines
    stay in the body, and their value is still reported.

    This is what makes cleaning idempotent: the cleaned text has nothing left to remove, so a
    second pass must not take its first subheading as the headline. Scraped text nearly always
    has boilerplate around the article, or a header of two fields or more (headline, byline,
    date), and then those lines go. (`take` rules remove every line that matches after the one
    they take, so no second date or byline line is left for a second pass to take.)
    (Not for HTML: a page always had boilerplate around it.)"""
    removed = [b for b in blocks if b.label is not None and b.label.removed]
    fields = {b.label.field for b in removed}
    if None in fields or len(fields) > 1 or not text_input(blocks):
        return  # boilerplate, a header of several fields, or HTML
    for b in removed:
        b.label = replace(b.label, keep=True, reason=f"{b.label.reason}; kept: nothing else was removed (text already clean)")
