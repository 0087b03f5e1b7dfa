"""HTML into blocks: the site's `html:` rules, then trafilatura, then one block per paragraph.

    page -> parse once (lxml, as trafilatura parses) -> site html rules: strip selectors, body selector
         -> trafilatura (comments off; body and metadata in one call, on a copy of the tree)
         -> one Block per line of its text: paragraph, heading, list item, table row
    nothing extracted -> the page's visible text, one block per block-level element

What the html rules stripped comes back as removed blocks (origin "html-stripped"), after the
article's blocks, so `--explain` shows them and no text-stage rule can start a section at them.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from lxml import etree
from lxml.html import HtmlElement

from .article import Block, Label
from .blocks import normalise_line
from .errors import RuleError
from .rules import SiteRules

# trafilatura's settings, chosen over the whole benchmark set (scripts/bench_html.py), never per page.
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "fast": True,              # skip the readability/jusText comparison: as good here, and a third faster
    "favor_precision": False,
    "favor_recall": False,
}
# With a site body selector the site author has already chosen the article: keep all of it.
BODY_SELECTOR_OPTIONS: dict[str, Any] = {**EXTRACT_OPTIONS, "favor_precision": False, "favor_recall": True}

# Categories of what the html rules remove (rule files give no category for them yet).
STRIP_CATEGORY = "other"
OUTSIDE_BODY_CATEGORY = "navigation"
STRIP_RULE = "html-strip"
BODY_RULE = "html-body"

# Elements whose text is never visible.
INVISIBLE_TAGS: frozenset[str] = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe",
    "object", "embed", "canvas", "select", "textarea", "input",
})
# Elements that start a new block in the visible-text fallback.
BLOCK_TAGS: frozenset[str] = frozenset({
    "p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "h1", "h2", "h3",
    "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tr", "td",
    "th", "caption", "figure", "figcaption", "br", "hr", "address", "details", "summary", "center",
})
HEADING_TAGS: frozenset[str] = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# trafilatura logs every page it discards; the cleaner reports through its own results instead.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

_METADATA_FIELDS: tuple[str, ...] = ("title", "author", "date", "sitename", "url")


@dataclass(frozen=True)
class Extraction:
    """What trafilatura gave: its text (one paragraph a line), headings, and metadata."""

    text: str
    headings: frozenset[str]
    metadata: dict[str, Any]


def html_blocks(text: str, *, url: str | None = None, site: SiteRules | None = None) -> tuple[list[Block], dict[str, Any]]:
    """Blocks of an HTML page (article first, then what the site's html rules stripped) and the
    metadata trafilatura found (title, author, date, sitename, tags, url)."""
    tree = parse(text)
    if tree is None:
        return _fallback_blocks(_fragment_tree(text)), {}
    stripped: list[Block] = []
    options = EXTRACT_OPTIONS
    if site is not None:
        stripped.extend(apply_strip(tree, site))
        if site.html_body:
            outside = apply_body(tree, site)
            if outside is not None:
                stripped.extend(outside)
                options = BODY_SELECTOR_OPTIONS
    found = extract(tree, url, options)
    blocks = _extraction_blocks(found) if found is not None else []
    metadata = found.metadata if found is not None else {}
    if not blocks:
        blocks = _fallback_blocks(tree)
        if not metadata:
            metadata = fallback_metadata(tree, url)
    return blocks + stripped, metadata


# ---------------------------------------------------------------- parsing

def parse(text: str) -> HtmlElement | None:
    """The page's tree, parsed as trafilatura parses it; None when it is not an HTML document."""
    from trafilatura.utils import load_html

    if not text.strip():
        return None
    try:
        tree = load_html(text)
    except (ValueError, etree.ParserError, TypeError):
        tree = None
    if tree is None or len(tree) == 0:
        return None
    return tree


def _fragment_tree(text: str) -> HtmlElement | None:
    """A tree for what trafilatura will not take as a document (a fragment, a broken page)."""
    import lxml.html

    if not text.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(text, create_parent="div")
    except (ValueError, etree.ParserError):
        return None


# ---------------------------------------------------------------- site html rules

@lru_cache(maxsize=512)
def _selector(css: str, path: str) -> etree.XPath:
    """A CSS selector compiled to XPath once per process. Raises RuleError naming the rule file."""
    from cssselect import HTMLTranslator, SelectorError

    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(css))
    except (SelectorError, etree.XPathSyntaxError) as exc:
        raise RuleError(f"bad CSS selector {css!r} in html rules: {exc}", path=path, key="html") from None


def _visible_text(element: HtmlElement) -> str:
    parts: list[str] = []
    _walk(element, parts, set())
    return normalise_line(_SPACE_RUN.sub(" ", "".join(parts).replace(_NEWLINE, " ")))


def _removed(text: str, category: str, rule: str, reason: str) -> Block:
    return Block(text=text, origin="html-stripped",
                 label=Label(keep=False, category=category, rule=rule, reason=reason))


def apply_strip(tree: HtmlElement, site: SiteRules) -> list[Block]:
    """Remove what the site's `html.strip` selectors match; their text comes back as removed blocks."""
    out: list[Block] = []
    for css in site.html_strip:
        for element in _selector(css, site.path)(tree):
            if element.getparent() is None:
                continue  # the root, or already removed with an ancestor
            text = _visible_text(element)
            element.drop_tree()
            if text:
                out.append(_removed(text, STRIP_CATEGORY, STRIP_RULE,
                                    f"site html rule ({site.name}): strip {css!r}"))
    return out


def apply_body(tree: HtmlElement, site: SiteRules) -> list[Block] | None:
    """Keep only the first element the site's `html.body` selector matches (and the page head).

    Returns the removed siblings as blocks, or None (tree untouched) when the selector matches
    nothing, which is how a stale body selector degrades to the whole page.
    """
    assert site.html_body is not None
    found = _selector(site.html_body, site.path)(tree)
    if not found:
        return None
    element = found[0]
    out: list[Block] = []
    reason = f"site html rule ({site.name}): outside body {site.html_body!r}"
    node = element
    while node.getparent() is not None:
        parent = node.getparent()
        for sibling in list(parent):
            if sibling is node or not isinstance(sibling.tag, str) or sibling.tag == "head":
                continue
            text = _visible_text(sibling)
            sibling.drop_tree()
            if text:
                out.append(_removed(text, OUTSIDE_BODY_CATEGORY, BODY_RULE, reason))
        node = parent
    return out


# ---------------------------------------------------------------- extraction

def extract(tree: HtmlElement, url: str | None, options: dict[str, Any]) -> Extraction | None:
    """trafilatura on the tree (it works on its own copy): body text and metadata, or None."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(tree, url=url, with_metadata=True, **options)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, etree.LxmlError, RecursionError):
        # trafilatura gives up on some broken trees; the visible text is still there
        return None
    if doc is None:
        return None
    headings = frozenset(normalise_line(_element_text(h)) for h in doc.body.iter("head"))
    metadata: dict[str, Any] = {k: getattr(doc, k, None) for k in _METADATA_FIELDS}
    tags = list(getattr(doc, "tags", None) or [])
    if tags:
        metadata["tags"] = tags
    return Extraction(text=doc.text or "", headings=headings,
                      metadata={k: v for k, v in metadata.items() if v})


def _element_text(element: etree._Element) -> str:
    return "".join(element.itertext())


def _extraction_blocks(found: Extraction) -> list[Block]:
    blocks = []
    for raw in found.text.split("\n"):
        line = normalise_line(raw)
        if line:
            blocks.append(Block(text=line, origin="html", heading=line in found.headings))
    return blocks


def fallback_metadata(tree: HtmlElement, url: str | None) -> dict[str, Any]:
    """trafilatura's metadata alone, for a page whose body it could not extract."""
    from trafilatura.metadata import extract_metadata

    try:
        doc = extract_metadata(tree, default_url=url, extensive=False)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, etree.LxmlError, RecursionError):
        return {}
    metadata: dict[str, Any] = {k: getattr(doc, k, None) for k in _METADATA_FIELDS}
    if getattr(doc, "tags", None):
        metadata["tags"] = list(doc.tags)
    return {k: v for k, v in metadata.items() if v}


# ---------------------------------------------------------------- fallback: visible text

_NEWLINE = "\n"
_SPACE_RUN = re.compile(r"[ \t\r\f\v]+")


def _fallback_blocks(tree: HtmlElement | None) -> list[Block]:
    """The page's visible text, one block per block-level element, for the text stage to clean."""
    if tree is None:
        return []
    body = tree.find(".//body") if tree.tag != "body" else tree
    root = body if body is not None else tree
    parts: list[str] = []
    headings: set[str] = set()
    _walk(root, parts, headings)
    blocks = []
    for raw in "".join(parts).split(_NEWLINE):
        line = normalise_line(_SPACE_RUN.sub(" ", raw))
        if line:
            blocks.append(Block(text=line, origin="html", heading=line in headings))
    return blocks


def _walk(root: etree._Element, parts: list[str], headings: set[str]) -> None:
    """Append the visible text under `root` to `parts`, a newline around each block-level element.
    Iterative, so that no nesting depth can overflow the stack."""
    stack: list[tuple[etree._Element, int]] = [(root, -1)]
    while stack:
        element, start = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if start >= 0:  # closing the element
            if tag in HEADING_TAGS:
                headings.add(normalise_line(_SPACE_RUN.sub(" ", "".join(parts[start:]))))
            if tag in BLOCK_TAGS:
                parts.append(_NEWLINE)
            if element is not root and element.tail:
                parts.append(element.tail.replace(_NEWLINE, " "))
            continue
        if not tag or tag in INVISIBLE_TAGS:
            if element is not root and element.tail:
                parts.append(element.tail.replace(_NEWLINE, " "))
            continue
        if tag in BLOCK_TAGS:
            parts.append(_NEWLINE)
        stack.append((element, len(parts)))
        if element.text:
            parts.append(element.text.replace(_NEWLINE, " "))
        stack.extend((child, -1) for child in reversed(element))
