"""HTML into blocks: the site's `html:` rules, then trafilatura, then one block per paragraph.

    page -> parse once (lxml, huge-tree) -> the page's metadata (head, JSON-LD, <h1>)
         -> site html rules: `strip` selectors, then the `body` selector
         -> trafilatura, once, on its own copy of the tree (comments off)
         -> one Block per line of its text: paragraph, heading, list item, table row
    nothing extracted, or implausible as the article -> the page's visible text, one block per block-level element

What the html rules stripped comes back as removed blocks (origin "html-stripped"), after the
article's blocks, so `--explain` shows them and no rule can start a section at them.
What trafilatura left out (navigation, footers, related lists, ...) is reported too: the page's
visible text, one block per block-level element, less what is in trafilatura's text, comes back
as removed blocks (category "extractor", origin "html-extractor"), put among the article's blocks
in page order once the labelling stage has labelled those (so it never sees them).
The page's headline and standfirst are labelled by the labelling stage (cleaner/label/html.py),
from the title, description and <h1>s the page declares (HtmlDocument). See docs/html.md for the
choices and the figures behind them.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Sequence

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from ..article import Block, Label, plain
from ..errors import InputError
from ..rules import apply_rules
from ..rules.rule import Rule, SiteRules
from ..rules.selectors import css_selector
from .page_metadata import headlines, page_metadata
from .text import normalise_line

# trafilatura's settings, chosen over the whole benchmark set (scripts/bench_html.py), never per
# page; docs/html.md has the figures behind each.
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,     # a table in an article is article text
    "fast": True,               # no readability/jusText comparison: as accurate here, and faster
    "favor_precision": False,   # a little more precise, but slower than the time budget allows
    "favor_recall": False,
}
# With a site body selector the site's author has already chosen the article: keep all of it.
BODY_SELECTOR_OPTIONS: dict[str, Any] = {**EXTRACT_OPTIONS, "favor_recall": True}

# What trafilatura leaves out of its main content: category, rule id, reason, and block origin.
EXTRACTOR_CATEGORY, EXTRACTOR_RULE = "extractor", "trafilatura"
EXTRACTOR_REASON = "not in trafilatura's main content"
EXTRACTOR_ORIGIN = "html-extractor"
# A visible block of at least this many words is in the main content when its text occurs inside
# trafilatura's text (a part of a paragraph: a <div>'s own text before a nested <p>); a shorter one
# only when it is a whole line or table cell of it (else "Home" or "News" would be found anywhere).
COVERED_MIN_WORDS = 3
# What the html rules remove: category and rule id (rule files give no category for them yet).
STRIP_CATEGORY, STRIP_RULE = "other", "html-strip"
OUTSIDE_BODY_CATEGORY, BODY_RULE = "navigation", "html-body"
# A page with more elements than this is refused: trafilatura's time grows with the element count,
# and news pages have far fewer (docs/html.md has the figures).
MAX_PAGE_ELEMENTS = 50_000
# Blocks of the fallbacks (the page's whole visible text, not an article trafilatura found).
FALLBACK_ORIGIN = "html-page"
# What trafilatura returned is implausible as the article, and the page's visible text is cleaned
# instead (as when it finds nothing), when it holds fewer than IMPLAUSIBLE_PROSE_WORDS words of
# prose that no generic rule removes (a cookie notice, a paywall box, a table glued into one
# line are not prose of an article) while the page's best run of blocks holds at least
# IMPLAUSIBLE_MIN_RUN_WORDS. Prose is judged by shape alone (length and a sentence's final
# punctuation; the language is not known yet); the best run is the heuristics' maximum-sum span
# over the page's blocks. Not a share of the best run ("far less prose than the page"): on news
# pages the best run is often the comment thread trafilatura rightly left out (docs/html.md,
# "Implausible extractions").
IMPLAUSIBLE_PROSE_WORDS = 10
IMPLAUSIBLE_MIN_RUN_WORDS = 50
# ... and only when all it holds (prose or not: table rows, list items) that no rule removes is
# under this many times the prose of that best run: a long table of data is the page's content.
IMPLAUSIBLE_MAX_WORDS_SHARE = 8.0
# An extraction with more prose than this (before the rules) is plausible without asking the
# rules or walking the page: a consent or paywall box is short.
IMPLAUSIBLE_CHECK_MAX_WORDS = 300

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


@dataclass(frozen=True)
class Extraction:
    """What trafilatura gave: its text (one paragraph a line) and the texts of its headings."""

    text: str
    headings: frozenset[str]


@dataclass
class HtmlDocument:
    """An HTML page as the pipeline takes it.

    blocks: the article's blocks (trafilatura's, or the page's visible text when it found nothing),
        then what the site's html rules stripped (removed blocks): what the labelling stage labels.
    metadata: what the page declares (title, author, date, sitename, tags, url).
    left_out: what trafilatura left out of the main content, as removed blocks, each with the
        number of the article's blocks that come before it on the page (with_left_out).
    description: the page's description (a standfirst may repeat it), or None.
    headlines: the texts of the page's <h1> elements, before the site's rules or trafilatura
        changed the tree.
    """

    blocks: list[Block]
    metadata: dict[str, Any]
    left_out: list[tuple[int, Block]]
    description: str | None = None
    headlines: tuple[str, ...] = ()

    def with_left_out(self, blocks: list[Block]) -> list[Block]:
        """`blocks` (self.blocks, labelled) with the left-out blocks put in page order among them."""
        if not self.left_out:
            return blocks
        out: list[Block] = []
        pending = iter(self.left_out)
        nxt = next(pending, None)
        for i, b in enumerate(blocks):
            while nxt is not None and nxt[0] <= i:
                out.append(nxt[1])
                nxt = next(pending, None)
            out.append(b)
        while nxt is not None:
            out.append(nxt[1])
            nxt = next(pending, None)
        return out


def html_blocks(text: str, *, url: str | None = None, site: SiteRules | None = None,
                source: str = "<input>", rules: Sequence[Rule] = ()) -> tuple[list[Block], dict[str, Any]]:
    """Blocks of an HTML page (article first, then what the site's html rules stripped) and the
    metadata the page declares (title, author, date, sitename, tags, url); without what
    trafilatura left out (html_document gives that too). No block is labelled but those removed
    outright (what the site's html rules stripped). `rules`: the generic rules in use, which
    tell whether what trafilatura returned is boilerplate (see choose_blocks).

    Raises InputError (naming `source`) for a page too large to extract, and RuleError for a bad
    selector in the site's html rules; every other page gives a result.
    """
    page = html_document(text, url=url, site=site, source=source, rules=rules, left_out=False)
    return page.blocks, page.metadata


def html_document(text: str, *, url: str | None = None, site: SiteRules | None = None,
                  source: str = "<input>", rules: Sequence[Rule] = (), left_out: bool = True) -> HtmlDocument:
    """The page's blocks, metadata and (left_out=True) what trafilatura left out: see HtmlDocument.
    One parse; the left-out blocks cost one walk over the tree. Raises as html_blocks."""
    tree = parse(text)
    if tree is None:
        return HtmlDocument(tag_stripped_blocks(text), {}, [])
    size = too_many_elements(text, tree)
    if size is not None:
        raise InputError(f"HTML page too large to extract: {size} elements (the limit is {MAX_PAGE_ELEMENTS})",
                         path=source)
    metadata = page_metadata(tree, url)   # before the site's rules, which may cut the <h1> away
    h1s = headlines(tree)
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
    blocks = choose_blocks(tree, text, found, rules, trust=options is BODY_SELECTOR_OPTIONS)
    extracted = any(b.origin == "html" for b in blocks)   # trafilatura's blocks, not the fallback
    # left_out_blocks changes the tree: after choose_blocks, which may read the page's visible text.
    missing = left_out_blocks(tree, blocks) if extracted and left_out else []
    description = metadata.pop("description", None)
    return HtmlDocument(blocks + stripped, metadata, missing, description=description, headlines=tuple(h1s))


def left_out_blocks(tree: HtmlElement, extracted: list[Block]) -> list[tuple[int, Block]]:
    """The page's visible blocks (page_lines) that are not in trafilatura's text, as removed blocks
    (category EXTRACTOR_CATEGORY), each with the number of extracted blocks before it on the page.

    A visible block is in the text when it is one of its lines or table cells, or one or more of
    its lines in a row ("Home News" for the lines "Home" and "News"), or (COVERED_MIN_WORDS words or
    more) occurs in it at word boundaries. Changes the tree (page_lines): call it after trafilatura
    has run."""
    lines = [b.plain for b in extracted]
    first: dict[str, int] = {}
    for i, line in enumerate(lines):
        first.setdefault(line, i)
        if line.startswith("|"):    # a table row: "| cell | cell |"
            for cell in line.split("|"):
                first.setdefault(cell.strip(), i)
    joined = "\n".join(lines)
    flat = joined.replace("\n", " ")      # the same offsets; a visible block may span lines
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    out: list[tuple[int, Block]] = []
    position = 0    # extracted blocks passed so far, in page order
    for text in page_lines(tree):
        key = plain(text)
        if not key:
            continue
        at = first.get(key)
        if at is None:
            inside = len(key.split()) >= COVERED_MIN_WORDS
            offset = _find(flat, joined, key, starts[min(position, len(starts) - 1)], inside)
            if offset < 0 and position:
                offset = _find(flat, joined, key, 0, inside)
            if offset >= 0:
                at = bisect_right(starts, offset) - 1
        if at is not None:
            position = max(position, at + 1)
            continue
        out.append((position, Block(text=text, origin=EXTRACTOR_ORIGIN,
                                    label=Label(keep=False, category=EXTRACTOR_CATEGORY, rule=EXTRACTOR_RULE,
                                                reason=EXTRACTOR_REASON))))
    return out


def _find(flat: str, joined: str, part: str, start: int, inside: bool) -> int:
    """The offset of `part` in `flat` from `start`, or -1: at word boundaries when `inside`, else
    only from the start of a line of `joined` to the end of one."""
    at = flat.find(part, start)
    while at >= 0:
        end = at + len(part)
        if inside:
            fits = (at == 0 or not flat[at - 1].isalnum()) and (end == len(flat) or not flat[end].isalnum())
        else:
            fits = (at == 0 or joined[at - 1] == "\n") and (end == len(joined) or joined[end] == "\n")
        if fits:
            return at
        at = flat.find(part, at + 1)
    return -1


# Marks block boundaries in page_lines: a Unicode noncharacter, which no page's text holds.
_BLOCK_MARK = "\ufdd0"
# Characters XML 1.0 does not allow (lxml refuses to set them; normalise_line drops or folds them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def page_lines(tree: HtmlElement) -> list[str]:
    """The visible text of the page's body, one line per block-level element, as
    visible_text_blocks splits it, but at C speed: invisible elements are stripped and every
    block-level element marked in the tree itself, which is then serialised as text once. Changes
    the tree: only for a tree nothing else will read."""
    body = tree.find(".//body") if tree.tag != "body" else tree
    root = body if body is not None else tree
    etree.strip_elements(root, *INVISIBLE_TAGS, with_tail=False)
    for element in root.iter(*BLOCK_TAGS):
        text, tail = element.text, element.tail
        try:
            element.text = _BLOCK_MARK + text if text else _BLOCK_MARK
            element.tail = _BLOCK_MARK + tail if tail else _BLOCK_MARK
        except ValueError:  # a control character libxml2 took from the page, which lxml will not set
            element.text = _BLOCK_MARK + _NOT_XML.sub(" ", text or "")
            element.tail = _BLOCK_MARK + _NOT_XML.sub(" ", tail or "")
    text = etree.tostring(root, method="text", encoding="unicode", with_tail=False)
    # normalise_line once on the whole text (the marks are neither spaces nor dropped characters)
    pieces = normalise_line(text.replace(_NEWLINE, " ")).split(_BLOCK_MARK)
    return [line for line in (p.strip() for p in pieces) if line]


# ---------------------------------------------------------------- parsing

_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                               remove_comments=True, remove_pis=True, huge_tree=True)
# A leading doctype: libxml2 mis-parses some, trafilatura removes it as well.
_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.I)


def parse(text: str) -> HtmlElement | None:
    """The page's tree (always rooted at <html>, so a fragment works too); None when there is none.

    Parsed as trafilatura parses (comments and processing instructions dropped), from UTF-8 bytes
    (faster than from str, and libxml2 takes control characters in bytes that lxml refuses in a
    str), with libxml2's huge-tree option: without it a text node over 10 MB (inline JSON in a
    <script>) silently ends the document there, and the article after it is lost.
    """
    if not text or text.isspace():
        return None
    data = _DOCTYPE.sub("", text, count=1).encode("utf-8", "surrogatepass")
    try:
        tree = lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError):  # "Document is empty"
        return None
    if tree is None or len(tree) == 0:
        return None
    return tree


def too_many_elements(text: str, tree: HtmlElement) -> int | None:
    """The page's element count when it is over MAX_PAGE_ELEMENTS, else None. Every element
    starts with '<', so most pages are cleared by counting those in the text."""
    if text.count("<") <= MAX_PAGE_ELEMENTS:
        return None
    size = sum(1 for _ in tree.iter())
    return size if size > MAX_PAGE_ELEMENTS else None


# ---------------------------------------------------------------- site html rules

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
        for element in css_selector(css, site.path)(tree):
            if element.getparent() is None or element.getroottree().getroot() is not tree:
                continue  # the root itself, or already removed with a matching ancestor
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
    found = css_selector(site.html_body, site.path)(tree)
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
    """trafilatura on the tree (it works on its own copy): the article's text, or None."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(tree, url=url, with_metadata=False, **options)
    except Exception:  # noqa: BLE001 -- a third-party failure on a strange page; the fallback still gives its text
        return None
    if doc is None:
        return None
    headings = frozenset(normalise_line(_element_text(h)) for h in doc.body.iter("head"))
    return Extraction(text=doc.text or "", headings=headings)


def _element_text(element: etree._Element) -> str:
    return "".join(element.itertext())


def choose_blocks(tree: HtmlElement, text: str, found: Extraction | None, rules: Sequence[Rule] = (),
                  trust: bool = False) -> list[Block]:
    """The blocks to clean: trafilatura's paragraphs, or the page's visible text (one block per
    block-level element; the tag-stripped text for markup the parser could not use) when
    trafilatura found nothing or what it found is implausible as the article (see
    IMPLAUSIBLE_PROSE_WORDS). `trust`: a site's body selector chose the container, keep what it gave."""
    blocks = _extraction_blocks(found) if found is not None else []
    if blocks and (trust or plausible(blocks, tree, rules)):
        return blocks
    return visible_text_blocks(tree) or tag_stripped_blocks(text) or blocks


_NO_STOPWORDS: frozenset[str] = frozenset()


# trafilatura writes a table row as its cells between these: such a line is a table, not a paragraph.
_TABLE_CELL_SEPARATOR = "|"


def _table_row(text: str) -> bool:
    return text.startswith(_TABLE_CELL_SEPARATOR) or text.endswith(_TABLE_CELL_SEPARATOR) or \
        f" {_TABLE_CELL_SEPARATOR} " in text


def _prose_words(blocks: Sequence[Block]) -> list[int]:
    """Each block's words when it is prose-shaped, else 0: the heuristics' good or near class
    judged without stop words, or a paragraph without final punctuation as long as the heuristics
    take for prose (GOOD_UNPUNCTUATED_MIN_CHARS) that is not a table row."""
    from ..label.heuristics import GOOD, GOOD_UNPUNCTUATED_MIN_CHARS, NEAR, shape

    out = []
    for b in blocks:
        s = shape(b.text, _NO_STOPWORDS)
        prose = s.cls in (GOOD, NEAR) or (
            s.chars >= GOOD_UNPUNCTUATED_MIN_CHARS and not s.url and not _table_row(b.text))
        out.append(s.words if prose else 0)
    return out


def best_run_prose_words(blocks: Sequence[Block]) -> int:
    """The prose words in the page's best run of blocks: the heuristics' maximum-sum span over the
    blocks, judged by shape alone; 0 when there is none."""
    from ..label.heuristics import GOOD, NEAR, best_span, shape, span_values

    fresh = [Block(text=b.text, origin=b.origin, heading=b.heading) for b in blocks]
    shapes = [shape(b.text, _NO_STOPWORDS) for b in fresh]
    span = best_span(span_values(fresh, list(shapes)))
    if span is None:
        return 0
    return sum(s.words for s in shapes[span[0]:span[1] + 1] if s.cls in (GOOD, NEAR))


def plausible(extracted: Sequence[Block], tree: HtmlElement, rules: Sequence[Rule] = ()) -> bool:
    """False when trafilatura's blocks hold fewer than IMPLAUSIBLE_PROSE_WORDS words of prose that
    the generic `rules` leave, while the page's best run of blocks holds IMPLAUSIBLE_MIN_RUN_WORDS
    words of prose or more, and more than 1/IMPLAUSIBLE_MAX_WORDS_SHARE of all the words the
    rules leave in trafilatura's blocks; True otherwise."""
    prose = _prose_words(extracted)
    if sum(prose) > IMPLAUSIBLE_CHECK_MAX_WORDS:
        return True
    left = [True] * len(extracted)
    if rules:
        probes = [Block(text=b.text, origin=b.origin, heading=b.heading) for b in extracted]
        apply_rules(probes, rules, "generic")
        left = [p.label is None or not p.label.removed for p in probes]
    if sum(w for w, kept in zip(prose, left) if kept) >= IMPLAUSIBLE_PROSE_WORDS:
        return True
    page = best_run_prose_words(visible_text_blocks(tree))
    words = sum(b.words for b, kept in zip(extracted, left) if kept)
    return page < IMPLAUSIBLE_MIN_RUN_WORDS or words >= IMPLAUSIBLE_MAX_WORDS_SHARE * page


def _extraction_blocks(found: Extraction) -> list[Block]:
    blocks = []
    for raw in found.text.split("\n"):
        line = normalise_line(raw)
        if line:
            blocks.append(Block(text=line, origin="html", heading=line in found.headings))
    return blocks


# ---------------------------------------------------------------- fallback: visible text

_NEWLINE = "\n"
_SPACE_RUN = re.compile(r"[ \t\r\f\v]+")


def visible_text_blocks(tree: HtmlElement) -> list[Block]:
    """The page's visible text, one block per block-level element, for the labelling stage to clean."""
    body = tree.find(".//body") if tree.tag != "body" else tree
    root = body if body is not None else tree
    parts: list[str] = []
    headings: set[str] = set()
    _walk(root, parts, headings)
    blocks = []
    for raw in "".join(parts).split(_NEWLINE):
        line = normalise_line(_SPACE_RUN.sub(" ", raw))
        if line:
            blocks.append(Block(text=line, origin=FALLBACK_ORIGIN, heading=line in headings))
    return blocks


_INVISIBLE_SECTION = re.compile(r"<(script|style|noscript|template|head|svg)\b.*?(?:</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^<>]*>")
_BLOCK_TAG = re.compile(r"</?(?:%s)\b[^<>]*>" % "|".join(sorted(BLOCK_TAGS)), re.I)


def tag_stripped_blocks(text: str) -> list[Block]:
    """The last resort, for markup the parser cannot use (nesting deeper than libxml2 follows,
    a page cut inside its head): the text between the tags, a block per block-level tag."""
    import html as html_entities

    body = _INVISIBLE_SECTION.sub(" ", text)
    body = _TAG.sub(" ", _BLOCK_TAG.sub("\n", body))
    blocks = []
    for raw in html_entities.unescape(body).split(_NEWLINE):
        line = normalise_line(raw)
        if line:
            blocks.append(Block(text=line, origin=FALLBACK_ORIGIN))
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
