"""The blocks stage: a document into blocks, in order. Makes blocks, never labels them (except
the blocks it reports as removed outright: what a site's html rules stripped, what trafilatura
left out).

    text.py           plain text: one block per non-empty line, a glued line split in its parts
    html.py           an HTML page: the site's html rules, trafilatura, one block per paragraph
    page_metadata.py  what an HTML page declares about itself (head, JSON-LD, meta tags, dates)

The rest of the code imports `text_blocks`, `normalise_line`, `normalise_text` and `dedup_key`
from here, and `cleaner.blocks.html.html_document` for HTML (imported on demand: plain text
never needs lxml or trafilatura).
"""
from .text import dedup_key, normalise_line, normalise_text, text_blocks

__all__ = ["dedup_key", "normalise_line", "normalise_text", "text_blocks"]
