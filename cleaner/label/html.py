"""The labelling an HTML page needs before the generic labellers: its headline and standfirst,
named by the page itself, and which generic signals to switch off when trafilatura found the
article (they would undo its work).

    label_page(page) -> the signals off     (label_page_title, then signals_off_for)
"""
from __future__ import annotations

import re
from typing import Sequence

from ..article import Block, Label
from ..blocks.html import HtmlDocument

# Generic signals switched off when trafilatura found the article, because they undo its work:
# the article span (trafilatura already chose the article; the span cuts short paragraphs, lists
# and tables at its ends), the headline detector (the page names its headline: label_page_title)
# and the related-run (list items inside articles). docs/html.md has the figures.
SIGNALS_OFF_FOR_EXTRACTED: frozenset[str] = frozenset({"span", "related-run", "title-headline"})
# The page's headline and standfirst are looked for among this many blocks at the top.
TITLE_SEARCH_BLOCKS = 4
# ... and among this many in the page's visible text (the fallbacks), where a cookie notice, its
# buttons and the menu stand above the headline.
FALLBACK_TITLE_SEARCH_BLOCKS = 12

_WORDS = re.compile(r"\w+", re.UNICODE)
# A page <title> often ends in the site's name after one of these.
_TITLE_SUFFIX = re.compile(r"\s+[|\-–—:·•]\s+[^|\-–—:·•]{1,60}$")


def label_page(page: HtmlDocument) -> frozenset[str]:
    """Label the page's headline and standfirst among `page.blocks` (label_page_title, from the
    title, description and <h1>s the page declares); return the generic signals to switch off for
    these blocks (signals_off_for)."""
    extracted = _extracted(page.blocks)
    label_page_title(page.blocks, page.metadata.get("title"), page.description, page.headlines,
                     search=TITLE_SEARCH_BLOCKS if extracted else FALLBACK_TITLE_SEARCH_BLOCKS)
    return signals_off_for(page.blocks)


def signals_off_for(blocks: list[Block]) -> frozenset[str]:
    """The generic signals to switch off for these blocks (names of cleaner.label.SIGNALS):
    SIGNALS_OFF_FOR_EXTRACTED when trafilatura found the article, none when the blocks are the
    page's whole visible text (the fallbacks)."""
    return SIGNALS_OFF_FOR_EXTRACTED if _extracted(blocks) else frozenset()


def _extracted(blocks: list[Block]) -> bool:
    """The blocks are trafilatura's article (origin "html"), not the page's visible text."""
    return any(b.origin == "html" for b in blocks)


def _comparable(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def label_page_title(blocks: list[Block], title: str | None, description: str | None,
                     h1s: Sequence[str] = (), search: int = TITLE_SEARCH_BLOCKS) -> None:
    """The headline, and a standfirst, where they open the text.

    trafilatura keeps the <h1> in the body when it sits inside the article; the page's metadata
    names it, so it is taken as the title rather than guessed by the headline detector (cleaner/label/headline.py).
    A standfirst is a heading that repeats the page's description; a paragraph that does is the
    article's first paragraph (many pages describe themselves by it) and stays. `search`: how
    many blocks at the top are looked at.
    """
    wanted: dict[str, tuple[str, str | None, str]] = {}
    for variant in ((title, _TITLE_SUFFIX.sub("", title)) if title else ()) + tuple(h1s):
        if _comparable(variant):
            wanted.setdefault(_comparable(variant), ("html-title", "title", title or variant))
    if description and _comparable(description):
        wanted.setdefault(_comparable(description), ("html-description", None, description))
    if not wanted:
        return
    for b in blocks[:search]:
        if b.label is not None:
            continue
        key = _comparable(b.text)
        hit = wanted.get(key)
        if hit is None:
            continue
        rule, field, value = hit
        if field is None and not b.heading:
            continue  # the description repeats the first paragraph: that is article, not standfirst
        del wanted[key]
        what = "the page's headline" if field else "the page's description (standfirst)"
        b.label = Label(keep=False, category="metadata", rule=rule, reason=f"html metadata: {what}",
                        field=field, value=value if field else None)
