"""Metadata from labelled blocks: title, authors, dates (ISO 8601), site name, tags, url.

Rules (site first, then generic `take:` rules in rules/generic/metadata.yaml) label the blocks
that carry a field. What no rule found, the labellers find: the headline (cleaner/label/headline.py:
the best headline-shaped block above the article's first paragraph), then the header lines around
it (cleaner/label/header.py): the byline (label/byline.py) and the date lines (label/dateline.py).
Here, collect() reads the fields from the labelled blocks. Values from the caller
(url), the site file's `metadata:` literals and, for HTML, trafilatura's metadata are merged in.
What each field holds: docs/metadata.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

from .article import Block
from .label.byline import AUTHOR_JOIN, parse_byline
from .label.dateline import DateLine, country_of, parse_date_line
from .label.header import BYLINE_RULE, DATE_RULE, HEADER_RULES
from .label.headline import TITLE_RULE

# Separators that split a tags line.
_TAG_SPLIT = re.compile(r"\s*[,;|]\s*|\s+·\s+")


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
            extracted: Mapping[str, Any] | None = None, language: str | None = None) -> Metadata:
    """Merge, in order of trust: the caller's url; site literals; labelled blocks (site rules, then
    the header lines found here, then generic rules); the extractor's (HTML).

    The headline detector's title (TITLE_RULE, a guess from the text's shape) yields to the
    title an HTML page declares (`extracted`).

    `language`: the document's ISO 639-1 code, and the url's country, read numeric dates
    (dateline.day_first). Authors: a list, people before credits (byline.parse_byline)."""
    blocks = list(blocks)
    meta = Metadata(url=url)
    ranked = sorted((b for b in blocks if b.label is not None and b.label.field), key=_trust)
    taken: dict[str, str] = {}
    guessed: set[str] = set()
    for b in ranked:
        if b.label.value is not None and b.label.field not in taken:
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
    meta.authors = _authors(site.get("author"), ranked, extracted)
    country = country_of(url)
    if site.get("date"):
        meta.date = _day(parse_date(str(site["date"])))
    else:
        _dates(meta, ranked, language, country)
    if meta.date is None and extracted.get("date"):
        # The page declares its publication date; the text's lines gave none (an update at most).
        meta.date = _day(parse_date(str(extracted["date"])))
        meta.datetime = extracted.get("datetime") or None
        meta.updated = meta.updated or extracted.get("updated") or None
    if meta.date is None and meta.updated is not None:
        meta.date = meta.updated  # only an update is given: the day the text carries
    tags = site.get("tags") or taken.get("tags") or extracted.get("tags") or []
    meta.tags = split_tags(tags) if isinstance(tags, str) else [str(t) for t in tags if str(t).strip()]
    meta.url = url or taken.get("url") or extracted.get("url")
    return meta


def _trust(b: Block) -> int:
    """Order of trust of a labelled block's value: site rules 0, header lines found here 1,
    generic rules 2, anything else 3."""
    reason = b.label.reason
    if reason.startswith("site rule"):
        return 0
    if b.label.rule in HEADER_RULES:
        return 1
    return 2 if reason.startswith("generic rule") else 3


def _day(value: str | None) -> str | None:
    return value[:10] if value else None


def _authors(literal: Any, ranked: list[Block], extracted: Mapping[str, Any]) -> list[str]:
    """The authors: the site file's literal; else the first author-labelled block's (a byline line
    read again by parse_byline when a generic rule took only part of it); else the extractor's."""
    if isinstance(literal, str) and _tidy(literal):
        return [_tidy(literal)]
    for b in ranked:
        if b.label.field != "author" or b.label.value is None:
            continue
        if b.label.rule in HEADER_RULES:
            return [a for a in b.label.value.split(AUTHOR_JOIN) if a]
        if _trust(b) == 2:
            byline = parse_byline(b.plain) or parse_byline(b.label.value, bare=True)
            if byline is not None:
                return list(byline.authors)
        value = _tidy(b.label.value)
        return [value] if value else []
    found = extracted.get("authors") or extracted.get("author")
    if isinstance(found, str):
        found = found.split(";")
    return [a for a in (_tidy(str(x)) for x in found or ()) if a]


def _dates(meta: Metadata, ranked: list[Block], language: str | None, country: str | None) -> None:
    """date, datetime and updated from the date-labelled blocks (then a byline glued to a date),
    in order of trust: the first block that gives a publication date gives date and datetime; the
    first that gives an update gives updated. A generic rule's line is read whole (its marker says
    publication or update); a site rule's value as taken."""
    lines = [b for b in ranked if b.label.field == "date"] + \
        [b for b in ranked if b.label.field == "author" and b.label.rule == BYLINE_RULE]
    for b in lines:
        if b.label.field == "date" and b.label.value is None and _trust(b) != 1:
            continue  # a repeat of a rule's line
        text = b.label.value if (_trust(b) == 0 or b.label.rule == DATE_RULE) and b.label.value else b.plain
        found = parse_date_line(text, language, country)
        if found is None and _trust(b) == 0:
            parsed = parse_date(text)
            found = DateLine(date=_day(parsed)) if parsed else None
        if found is None:
            continue
        if meta.date is None and found.date:
            meta.date, meta.datetime = found.date, found.datetime
        if meta.updated is None and found.updated:
            meta.updated = found.updated
        if meta.date and meta.updated:
            break


def _tidy(value: str) -> str | None:
    value = re.sub(r"\s+", " ", value).strip()
    return value or None
