"""Metadata from labelled blocks: title, author, date (ISO 8601), site name, tags, url.

Rules (site first, then generic `take:` rules in rules/generic/metadata.yaml) label the blocks
that carry a field. What no rule found, the headline detector here finds: the best
headline-shaped block above the article's first paragraph. Values from the caller (url), the
site file's `metadata:` literals and, for HTML, trafilatura's metadata are merged in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from .article import Block, Label

# A headline: this many words at most, at least this many characters.
TITLE_MAX_WORDS = 24
TITLE_MIN_CHARS = 8
# The headline is looked for among this many blocks above the first paragraph.
TITLE_LOOKBACK = 25
# A block this long (words) that ends like a sentence is taken as the article's first paragraph.
FIRST_PARAGRAPH_MIN_WORDS = 25
# Share of the URL slug's words a block must contain to be taken as the title by the slug alone.
SLUG_MATCH_MIN = 0.6
# Separators that split a tags line.
_TAG_SPLIT = re.compile(r"\s*[,;|]\s*|\s+·\s+")
_SENTENCE_END = re.compile(r"[.!?…:;,]['\"”’»)\]]*$")
_WORD = re.compile(r"\w+", re.UNICODE)
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
# A headline is one sentence (3 word characters before the mark: "Mr. Smith", "U.S. troops" stay).
_MULTI_SENTENCE = re.compile(r"(?<=\w\w\w)[.!?…]['\"”’»)]*\s+\S")
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?…]['\"”’»)]*$")
# A line this long that ends like a sentence is a paragraph, not a headline.
TITLE_PROSE_MAX_WORDS = 20
# A date or time line ("November 19, 2019 / 12:21 AM / Updated 14 hours ago") is not a headline: it
# holds a date or a clock time and at least this share of its words hold digits.
_DATE_OR_TIME = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}:\d{2}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b|\d{1,2}\.? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.I)
DATE_LINE_MIN_DIGIT_WORDS = 0.3
_CLOSING_QUOTES = "'\"”’»)"
# A menu: three or more short items separated by pipes, bullets, slashes or '::' is not a headline.
_MENU = re.compile(r"^[^|•·/:]{1,30}(?:\s*(?:\||•|·|::|/)\s*[^|•·/:]{1,30}){2,}$")


@dataclass
class Metadata:
    """The metadata of one document (see cleaner.article.Article for each field's format)."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    datetime: str | None = None
    updated: str | None = None
    sitename: str | None = None
    tags: list[str] = field(default_factory=list)
    url: str | None = None

    @property
    def author(self) -> str | None:
        """The authors joined by "; " (None when there are none)."""
        return AUTHOR_JOIN.join(self.authors) or None


# Several authors are written joined by this (as trafilatura writes them).
AUTHOR_JOIN = "; "


def _slug_words(url: str | None) -> list[str]:
    if not url:
        return []
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return []
    segments = [s for s in re.split(r"/", path) if s]
    best = max(segments, key=lambda s: len(re.findall(r"[A-Za-z]{2,}", s)), default="")
    best = re.sub(r"\.\w{2,5}$", "", best)
    return [w.lower() for w in re.findall(r"[^\W\d_]{2,}", best)]


def _is_headline_shaped(text: str) -> bool:
    words = text.split()
    if not words or len(words) > TITLE_MAX_WORDS or len(text) < TITLE_MIN_CHARS:
        return False
    bare = text.rstrip(_CLOSING_QUOTES)
    if _URLISH.match(text) or _MENU.match(text) or bare.endswith((".", ",", ";", ":")) and not bare.endswith("..."):
        return False
    if _MULTI_SENTENCE.search(text) or text.startswith(("(", "[")) and text.endswith((")", "]")):
        return False  # several sentences; a note or credit in brackets
    if _DATE_OR_TIME.search(text) and \
            sum(1 for w in words if any(c.isdigit() for c in w)) >= DATE_LINE_MIN_DIGIT_WORDS * len(words):
        return False
    if len(words) > TITLE_PROSE_MAX_WORDS and _ENDS_LIKE_SENTENCE.search(text):
        return False
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not text.islower()


def _slug_score(text: str, slug: list[str]) -> float:
    if not slug:
        return 0.0
    words = {w.lower() for w in _WORD.findall(text)}
    return sum(1 for w in slug if w in words) / len(slug)


def first_paragraph_index(blocks: list[Block], labels: Sequence[Label | None]) -> int:
    """Index of the first kept block that reads like an article paragraph; failing that, of the
    longest kept block (a headline stands above the text, not below it); len(blocks) if none."""
    longest, longest_words = len(blocks), 0
    for i, (b, label) in enumerate(zip(blocks, labels)):
        if label is not None and label.removed:
            continue
        if b.words >= FIRST_PARAGRAPH_MIN_WORDS and _SENTENCE_END.search(b.text):
            return i
        if b.words > longest_words:
            longest, longest_words = i, b.words
    return longest


def detect_title(blocks: list[Block], url: str | None, labels: Sequence[Label | None] | None = None) -> int | None:
    """Index of the headline block, or None. Never labels anything itself.

    `labels`: which blocks may be the headline: those without a label there (default: the current
    labels); the pipeline passes the labels the rules gave, so that a headline the heuristics took
    for navigation can still be found. The article's first paragraph is the first one still kept."""
    current = [b.label for b in blocks]
    labels = current if labels is None else labels
    start = first_paragraph_index(blocks, current)
    slug = _slug_words(url)
    candidates: list[tuple[float, int]] = []
    lo = max(0, start - TITLE_LOOKBACK)
    for i in range(lo, start):
        b = blocks[i]
        text = b.plain
        shaped = _is_headline_shaped(text)
        if not shaped and (current[i] is None or current[i].keep):
            break  # the article's text has begun: a headline stands above it
        if labels[i] is not None or b.heading and i > lo + 1 and candidates or not shaped:
            continue
        score = len(text.split()) + 20 * _slug_score(text, slug)
        candidates.append((score, i))
    if not candidates and slug:
        # No paragraph-shaped start: the slug alone may still point at the headline.
        for i, b in enumerate(blocks[: TITLE_LOOKBACK * 4]):
            if labels[i] is None and _is_headline_shaped(b.plain) and _slug_score(b.text, slug) >= SLUG_MATCH_MIN:
                return i
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0], -c[1]))[1]


TITLE_RULE = "title-headline"


def title_label(text: str | None, reason: str = "the headline above the first paragraph") -> Label:
    """The title's label; `text` None for a copy of the headline (the value comes from the first)."""
    return Label(keep=False, category="metadata", rule=TITLE_RULE, reason=f"metadata: {reason}",
                 field="title", value=text)


def label_title(blocks: list[Block], url: str | None, labels: Sequence[Label | None] | None = None) -> int | None:
    """Label the headline (see detect_title) as the title, over any label the heuristics gave it.
    Returns its index (None when a rule took the title, or there is no headline)."""
    if any(b.label is not None and b.label.field == "title" for b in blocks):
        return None
    i = detect_title(blocks, url, labels)
    if i is not None:
        blocks[i].label = title_label(blocks[i].plain)
        # The headline printed again (a breadcrumb, a share line): its copies go too, so that
        # cleaning the cleaned text finds no copy to take as the headline. That includes a copy
        # the heuristics removed (as a repeat of the headline): judged again without the
        # headline, it would be the first of its kind, and kept.
        key = blocks[i].lowered
        ruled = labels if labels is not None else [b.label for b in blocks]
        for j, (b, by_rule) in enumerate(zip(blocks, ruled)):
            if j != i and b.lowered == key and (b.live or by_rule is None):
                b.label = title_label(None, "the headline again")
    return i


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=4096)
def parse_date(value: str) -> str | None:
    """A date in free text to ISO 8601 (YYYY-MM-DD, with the time when one is given)."""
    if _ISO_DATE.fullmatch(value.strip()):
        return value.strip()  # already ISO (trafilatura's dates for HTML): no need for dateparser
    import dateparser  # imported lazily: dateparser is slow to import

    text = re.sub(r"^\s*(?:updated|published|posted|last updated|date)\s*:?\s*", "", value, flags=re.I)
    settings = {"PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False,
                "REQUIRE_PARTS": ["year", "month"], "PARSERS": ["absolute-time", "timestamp"]}
    try:
        found = dateparser.parse(text, settings=settings)
    except (ValueError, OverflowError, TypeError, AttributeError):
        found = None
    if found is None:
        try:
            from dateparser.search import search_dates

            hits = search_dates(text, settings=settings)
        except (ValueError, OverflowError, TypeError, AttributeError):
            hits = None
        found = hits[0][1] if hits else None
    if found is None:
        return None
    if found.hour or found.minute:
        return found.replace(second=0, microsecond=0).isoformat(timespec="minutes")
    return found.date().isoformat()


def split_tags(value: str) -> list[str]:
    return [t for t in (s.strip(" #.") for s in _TAG_SPLIT.split(value)) if t]


def collect(blocks: Iterable[Block], *, url: str | None, site_metadata: Mapping[str, Any] = (),
            extracted: Mapping[str, Any] | None = None) -> Metadata:
    """Merge, in order of trust: the caller's url; site literals; labelled blocks; extractor's.
    The headline detector's title (TITLE_RULE, a guess from the text's shape) yields to the
    title an HTML page declares (`extracted`)."""
    meta = Metadata(url=url)
    taken: dict[str, str] = {}
    guessed: set[str] = set()
    for b in blocks:
        if b.label is not None and b.label.field and b.label.value is not None and b.label.field not in taken:
            taken[b.label.field] = b.label.value
            if b.label.rule == TITLE_RULE:
                guessed.add(b.label.field)
    site = dict(site_metadata)
    extracted = dict(extracted or {})
    if "title" in guessed and extracted.get("title"):
        del taken["title"]  # the page's declared title (HTML) over the headline detector's guess
    for name in ("title", "sitename"):
        value = site.get(name) or taken.get(name) or extracted.get(name)
        setattr(meta, name, _tidy(value) if isinstance(value, str) else None)
    author = site.get("author") or taken.get("author")
    found = [author] if author else extracted.get("authors") or ([extracted["author"]] if extracted.get("author") else [])
    meta.authors = [a for a in (_tidy(str(x)) for x in found) if a]
    raw_date = site.get("date") or taken.get("date")
    if raw_date:
        meta.date = parse_date(str(raw_date))
    elif extracted.get("date"):  # the page's dates (HTML): the day, the moment, the last update
        meta.date = parse_date(str(extracted["date"]))
        meta.datetime = extracted.get("datetime") or None
        meta.updated = extracted.get("updated") or None
    tags = site.get("tags") or taken.get("tags") or extracted.get("tags") or []
    meta.tags = split_tags(tags) if isinstance(tags, str) else [str(t) for t in tags if str(t).strip()]
    meta.url = url or taken.get("url") or extracted.get("url")
    return meta


def _tidy(value: str) -> str | None:
    value = re.sub(r"\s+", " ", value).strip()
    return value or None
