"""What an HTML page declares about itself: title, author, date, site name, tags, url, its
publication and update moments, and its <h1> headlines, read from the parsed tree (the head,
meta tags, OpenGraph, JSON-LD) with trafilatura's and htmldate's readers. Reads the tree, never
changes it; never makes or labels blocks.
"""
from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from .text import normalise_line

# htmldate's search of the page's text for a date when its markup names none, as trafilatura
# does by default (docs/metadata.md has its effect on the dates found).
EXTENSIVE_DATE_SEARCH = True
_METADATA_FIELDS: tuple[str, ...] = ("title", "author", "date", "sitename", "url")


def headlines(tree: HtmlElement) -> list[str]:
    """The texts of the page's <h1> elements (read before site rules or trafilatura change the tree)."""
    return [text for text in (normalise_line(h.text_content()) for h in tree.iter("h1")) if text]


def page_metadata(tree: HtmlElement, url: str | None) -> dict[str, Any]:
    """The metadata the page declares, {} when trafilatura's code fails on a strange page:

    - title, sitename, description, tags, url, author: trafilatura's (meta tags, OpenGraph,
      JSON-LD, canonical link, <title>/<h1>); when the head names no author, the byline in the
      page body (trafilatura's author elements: class "byline", rel=author, itemprop author...);
    - authors: the author split where trafilatura joined several ("A; B; C", e.g. a JSON-LD list);
    - date: htmldate's on the markup (YYYY-MM-DD): the day a reader of the page sees, which is
      not always the day of the declared moment as written (a UTC moment late in the evening);
      but the declared publication day when htmldate's is the declared update's because it
      could not read the declared publication moment (HTMLDATE_UNREAD);
    - datetime (the declared publication moment with its offset, when it falls within
      MOMENT_MAX_DAYS_FROM_DATE of that date) and updated (the day of the last update, when
      there is a date): page_dates.

    This is `trafilatura.metadata.extract_metadata` less its scans of the whole body for
    category/tag links and licence links and htmldate's text search: together those cost several
    times the extraction itself.
    """
    try:
        metadata = _page_metadata(tree, url)
    except Exception:  # noqa: BLE001 -- third-party code on a strange page: no metadata, still a result
        metadata = {}
    dates = page_dates(tree)
    day = metadata.get("date")
    if day and day == dates.get("updated") and dates.get("published", day) != day \
            and HTMLDATE_UNREAD.search(dates.get("published_raw", "")):
        day = metadata["date"] = dates["published"]  # htmldate took the update for the publication
    if day and _days_apart(dates.get("datetime", "")[:10], day) <= MOMENT_MAX_DAYS_FROM_DATE:
        metadata["datetime"] = dates["datetime"]
    if day and dates.get("updated"):
        metadata["updated"] = dates["updated"]
    return metadata


def _days_apart(a: str, b: str) -> int:
    """Days between two YYYY-MM-DD days (a large number when one is not a day)."""
    import datetime as dt

    try:
        return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days)
    except ValueError:
        return 1 << 30


def _page_metadata(tree: HtmlElement, url: str | None) -> dict[str, Any]:
    from htmldate import find_date
    from trafilatura.metadata import (examine_meta, extract_author, extract_meta_json, extract_sitename,
                                      extract_title, extract_url)
    from trafilatura.settings import set_date_params

    doc = examine_meta(tree)
    if doc.author and " " not in doc.author:
        doc.author = None  # a one-word "author" is a handle or a site, as trafilatura judges it
    try:
        doc = extract_meta_json(tree, doc)
    except Exception:  # noqa: BLE001 -- malformed JSON-LD raises anything; trafilatura guards it the same way
        pass  # the meta tags' values stand
    if not doc.title:
        doc.title = extract_title(tree)
    if not doc.author:
        try:
            doc.author = extract_author(tree)  # the byline in the page body
        except Exception:  # noqa: BLE001 -- a failure here leaves the head's other values standing
            doc.author = None
    if not doc.url:
        doc.url = extract_url(tree, url)
    params = set_date_params(extensive=EXTENSIVE_DATE_SEARCH)
    params["url"] = doc.url or url
    doc.date = find_date(tree, **params)
    if not doc.sitename:
        doc.sitename = extract_sitename(tree)
    metadata: dict[str, Any] = {k: getattr(doc, k, None) for k in _METADATA_FIELDS}
    metadata["description"] = getattr(doc, "description", None)
    if metadata.get("author"):
        metadata["authors"] = [a for a in (normalise_line(x) for x in str(metadata["author"]).split(";")) if a]
    if metadata.get("sitename"):
        metadata["sitename"] = str(metadata["sitename"]).lstrip("@")
    tags = [t for t in (getattr(doc, "tags", None) or []) if t]
    if tags:
        metadata["tags"] = tags
    return {k: v for k, v in metadata.items() if v}


# ---------------------------------------------------------------- the page's declared moments

# Where a page declares its publication moment and its last update, in order of trust after
# JSON-LD's datePublished / dateModified: meta tags by property, name or itemprop (lower case).
PUBLISHED_META: tuple[str, ...] = ("article:published_time", "og:article:published_time", "datepublished",
                                   "dc.date.issued", "dcterms.issued")
MODIFIED_META: tuple[str, ...] = ("article:modified_time", "og:article:modified_time", "og:updated_time",
                                  "datemodified", "dcterms.modified")
# A declared moment is the date's when their days are at most this far apart (the moment is
# written in another zone than the reader's day: 2019-10-18T22:04:00Z on a page dated the 19th).
MOMENT_MAX_DAYS_FROM_DATE = 1
# A declared moment htmldate (1.11) does not read: a fraction of a second of three digits or more
# (2023-03-14T07:05:00.000Z); it then reports the page's modification day as its date.
HTMLDATE_UNREAD = re.compile(r"T\d{2}:\d{2}:\d{2}[.,]\d{3,}")
# JSON-LD objects whose dates are the article's (a WebSite's or an Organization's are not).
ARTICLE_TYPES = re.compile(r"(?:Article|BlogPosting|Posting|Report|WebPage)$")
# An ISO 8601 moment with a time and a zone: 2020-10-19T17:42:00-04:00, ...T13:03:00.000Z.
_ISO_MOMENT = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})\s*$", re.I)
_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:$|[T ])")


def page_dates(tree: HtmlElement) -> dict[str, str]:
    """The moments the page declares in its markup: JSON-LD datePublished / dateModified of the
    article (ARTICLE_TYPES), else the meta tags PUBLISHED_META / MODIFIED_META.

    Returns the keys it found: `datetime`, the publication moment as ISO 8601 with its UTC offset
    (2020-10-19T17:42:00-04:00; only when the page gives the time and the zone); `published`, its
    day as written (YYYY-MM-DD, no shift to another zone) and `published_raw`, the value as the
    page wrote it; `updated`, the day of the last update (YYYY-MM-DD). Malformed JSON-LD is
    skipped."""
    published, modified = _json_ld_dates(tree)
    if published is None or modified is None:
        metas = _meta_values(tree)
        published = published or next((metas[k] for k in PUBLISHED_META if k in metas), None)
        modified = modified or next((metas[k] for k in MODIFIED_META if k in metas), None)
    out: dict[str, str] = {}
    moment = iso_moment(published) if published else None
    if moment:
        out["datetime"] = moment
    day = _ISO_DAY.match(published) if published else None
    if day and _valid_day(day[1]):
        out["published"], out["published_raw"] = day[1], published
    day = _ISO_DAY.match(modified) if modified else None
    if day and _valid_day(day[1]):
        out["updated"] = day[1]
    return out


def iso_moment(value: str) -> str | None:
    """`value` as ISO 8601 with its offset (seconds, no fraction) when it is an ISO moment with a
    time and a zone; else None. 'Z' becomes +00:00; the clock and the offset stay as written."""
    import datetime as dt

    m = _ISO_MOMENT.match(value)
    if not m:
        return None
    zone = "+00:00" if m[3].upper() == "Z" else m[3] if ":" in m[3] else f"{m[3][:3]}:{m[3][3:]}"
    clock = m[2].replace(",", ".")
    try:
        moment = dt.datetime.fromisoformat(f"{m[1]}T{clock}{zone}")
    except ValueError:
        return None
    return moment.replace(microsecond=0).isoformat()


def _valid_day(day: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _json_ld_dates(tree: HtmlElement) -> tuple[str | None, str | None]:
    """datePublished and dateModified of the page's first JSON-LD article object that has them."""
    import json

    published = modified = None
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        for obj in _json_objects(data):
            kinds = obj.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if not any(isinstance(k, str) and ARTICLE_TYPES.search(k) for k in kinds):
                continue
            if published is None and isinstance(obj.get("datePublished"), str):
                published = obj["datePublished"]
            if modified is None and isinstance(obj.get("dateModified"), str):
                modified = obj["dateModified"]
        if published is not None and modified is not None:
            break
    return published, modified


def _json_objects(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    """The JSON-LD objects at the top, in lists and in @graph (not deeper: an article's dates are
    its own, not those of the objects it mentions)."""
    if depth > 3:
        return []
    if isinstance(data, list):
        return [o for item in data for o in _json_objects(item, depth + 1)]
    if isinstance(data, dict):
        return [data] + (_json_objects(data["@graph"], depth + 1) if "@graph" in data else [])
    return []


def _meta_values(tree: HtmlElement) -> dict[str, str]:
    """The first non-empty content of each meta tag, by its property, name or itemprop (lower case)."""
    out: dict[str, str] = {}
    for m in tree.iter("meta"):
        content = (m.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (m.get(attr) or "").strip().lower()
            if key and key not in out:
                out[key] = content
    return out
