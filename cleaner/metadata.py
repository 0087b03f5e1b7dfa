"""Metadata from labelled blocks: title, authors, dates (ISO 8601), site name, tags, url.

Rules (site first, then generic `take:` rules in rules/generic/metadata.yaml) label the blocks
that carry a field. What no rule found, the detectors find: the headline (cleaner/label/headline.py:
the best headline-shaped block above the article's first paragraph), then, here, the header lines
around it (label_header): the byline (cleaner/byline.py) and the date lines (cleaner/dateline.py).
collect() then reads the fields from the labelled blocks. Values from the caller
(url), the site file's `metadata:` literals and, for HTML, trafilatura's metadata are merged in.
What each field holds: docs/metadata.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from .article import Block, Label
from .byline import AUTHOR_JOIN, Byline, bare_name, byline_beside_date, introducer_only, parse_byline, role_line
from .dateline import (DateLine, country_of, date_led, has_date_marker, is_date_line, marker_only,
                       parse_date_line, strip_dates)

# A block this long (words) that ends like a sentence is taken as the article's first paragraph.
FIRST_PARAGRAPH_MIN_WORDS = 25
# Separators that split a tags line.
_TAG_SPLIT = re.compile(r"\s*[,;|]\s*|\s+·\s+")
# A paragraph's last characters: the end of a sentence or of a clause, closing quotes after it.
_SENTENCE_OR_CLAUSE_END = re.compile(r"[.!?…:;,]['\"”’»)\]]*$")
_WORD = re.compile(r"\w+", re.UNICODE)
_DIGIT = re.compile(r"\d")  # a date line holds digits: the cheap test before its marker words
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?…]['\"”’»)]*$")


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


def first_paragraph_index(blocks: list[Block], labels: Sequence[Label | None]) -> int:
    """Index of the first kept block that reads like an article paragraph; failing that, of the
    longest kept block (a headline stands above the text, not below it); len(blocks) if none."""
    longest, longest_words = len(blocks), 0
    for i, (b, label) in enumerate(zip(blocks, labels)):
        if label is not None and label.removed:
            continue
        if is_paragraph(b):
            return i
        if b.words > longest_words:
            longest, longest_words = i, b.words
    return longest


def is_paragraph(b: Block) -> bool:
    """The block reads like an article paragraph: FIRST_PARAGRAPH_MIN_WORDS words or more, ending
    like a sentence or a clause."""
    return b.words >= FIRST_PARAGRAPH_MIN_WORDS and _SENTENCE_OR_CLAUSE_END.search(b.text) is not None


# The rule id of the headline detector's title (cleaner/label/headline.py); the header lines are
# looked for around it, and collect() lets a title from the page's markup win over it.
TITLE_RULE = "title-headline"


BYLINE_RULE = "header-byline"
DATE_RULE = "header-date"
HEADER_RULES = (BYLINE_RULE, DATE_RULE)
# The header lines (byline, date lines) are looked for from this many blocks above the headline
# (a date or a share row may stand above it) ...
HEADER_ABOVE = 12
# ... down to this many blocks into the article (a byline just under the first paragraph).
HEADER_INSIDE = 2
# Without a headline, from this many blocks above the first paragraph.
HEADER_LOOKBACK = 10
# Without a byline near the headline, a byline line of at most this many words that is not a
# sentence is taken anywhere below the article's start.
BYLINE_BELOW_MAX_WORDS = 12
# A bare name line (no "By") is a byline only next to the date line, or with a @handle, and
# with at most this many words.
BARE_NAME_MAX_WORDS = 4
# A name beside a date on one line is a byline this many blocks under the headline at most (further
# down such lines are the teasers of other articles: "Title 28. Januar 2022").
BESIDE_DATE_MAX_BELOW = 3
# A byline under the article is also read in this many blocks after its last kept block.
ARTICLE_TAIL = 4


def label_header(blocks: list[Block], language: str | None, url: str | None,
                 ruled: Sequence[Label | None] | None = None) -> None:
    """Label the article's byline and date lines, as metadata (field author / date), when no rule
    took that field: only near the top, from HEADER_ABOVE blocks above the headline (or
    HEADER_LOOKBACK above the first paragraph) to HEADER_INSIDE blocks into the article, so that
    a body sentence starting with "By" or holding a date is never taken.

    `ruled`: the labels the rules gave (blocks a rule labelled are left alone; a heuristic's
    label may be replaced). The date lines taken are the one nearest below the headline (else
    the nearest above it) and a line right next to it that gives the other of publication and
    update (else a line led by a date right under the headline; else a date line with its marker,
    on it or alone above it, anywhere). The byline is the first byline line (or names under an
    introducer line); a bare name only next to the date line taken, over a @handle or over its
    job's line; else a byline line under the article or in its tail, never in the comments."""
    ruled = [b.label for b in blocks] if ruled is None else ruled
    taken = {b.label.field for b, r in zip(blocks, ruled) if r is not None and b.label is not None and b.label.field}
    if "author" in taken and "date" in taken:
        return
    current = [b.label for b in blocks]
    headline = next((i for i, b in enumerate(blocks)
                     if b.label is not None and b.label.rule == TITLE_RULE and b.label.value is not None), None)
    start = first_paragraph_index(blocks, current)
    lo = max(0, headline - HEADER_ABOVE) if headline is not None else max(0, start - HEADER_LOOKBACK)
    hi, inside = start, 0
    while hi < len(blocks) and inside < HEADER_INSIDE:
        inside += blocks[hi].live
        hi += 1
    free = [i for i in range(lo, hi)
            if ruled[i] is None and (blocks[i].label is None or blocks[i].label.rule != TITLE_RULE)]
    country = country_of(url)
    anchor = headline if headline is not None else start
    date_lines: list[int] = []
    marker: int | None = None  # a date marker alone on the line above the date line taken
    if "date" not in taken:
        found = [i for i in free if is_date_line(blocks[i].plain, language, country)]
        below = [i for i in found if i > anchor]
        # Above the headline not a line with another number besides its date (a masthead's
        # "Edition 1,482 | Tuesday, March 4, 2026" is not the article's date line).
        above = [i for i in found if i < anchor and not any(c.isdigit() for c in strip_dates(blocks[i].plain, language, country) or "")]
        first = below[0] if below else (above[-1] if above else None)
        if first is None:
            # a line led by a date, then its section or tags ("01.02.2022 Kategorie: Verband"),
            # right under the headline
            first = next((i for i in free if 0 < i - anchor <= BESIDE_DATE_MAX_BELOW
                          and date_led(blocks[i].plain, language, country)), None)
        if first is None:
            # None around the headline: a date line that says what it is ("Published 14 May 2024",
            # "zuletzt bearbeitet: 04.02.2022") anywhere no rule labelled, its marker on the line
            # or alone on the line above ("Datum:" / "03.11.2021").
            first = next((i for i, b in enumerate(blocks) if ruled[i] is None and b.label is None or
                          ruled[i] is None and b.label.rule != TITLE_RULE and b.label.removed
                          if _DIGIT.search(b.plain)
                          and (has_date_marker(b.plain) or i and marker_only(blocks[i - 1].plain))
                          and is_date_line(b.plain, language, country, slow_search=False)),
                         None)
            if first is not None and first and marker_only(blocks[first - 1].plain) and ruled[first - 1] is None:
                marker = first - 1
        if first is not None:
            date_lines.append(first)
            near = [i for i in found if 0 < abs(i - first) <= 2 and _live_between(blocks, first, i) == 0]
            date_lines.extend(near[:1])
        # a "By" line near the headline is the byline before a name a date line holds
        explicit = any(i not in date_lines and parse_byline(blocks[i].plain, language=language) is not None
                       for i in free if i >= anchor - 2)
        for i in sorted(date_lines):
            byline = None if "author" in taken or explicit else _byline_with_date(blocks[i].plain, language, country)
            if byline is not None:  # "Redaktion 1. November 2023 10:29": the byline, its date read from it
                blocks[i].label = Label(keep=False, category="metadata", rule=BYLINE_RULE,
                                        reason="metadata: byline and date line near the headline",
                                        field="author", value=byline.author)
                taken.add("author")
                continue
            value = blocks[i].plain if marker is None or i != marker + 1 else blocks[marker].plain + " " + blocks[i].plain
            blocks[i].label = Label(keep=False, category="metadata", rule=DATE_RULE,
                                    reason="metadata: date line " + ("under the headline" if i > anchor else "above the article"),
                                    field="date", value=value)
        if marker is not None and marker + 1 in date_lines:
            blocks[marker].label = Label(keep=False, category="metadata", rule=DATE_RULE,
                                         reason="metadata: the label of the date line below", field="date")
    if "author" in taken:
        return
    near = [i for i in free if i not in date_lines and i >= anchor - 2]
    found = next(((i, b) for i in near if (b := _byline_at(blocks, i, ruled, language)) is not None), None)
    if found is None:  # a name beside a date: "Ann Lee | 3 May 2020 | Travel"
        found = next(((i, b) for i in near if blocks[i].words <= BYLINE_BELOW_MAX_WORDS
                      and 0 < i - anchor <= BESIDE_DATE_MAX_BELOW and (b := byline_beside_date(blocks[i].plain, language, country)) is not None), None)
    if found is None and headline is not None:
        found = next(((i, b) for i in near if i > headline and _bare_name_here(blocks, i, date_lines)
                      and (b := parse_byline(blocks[i].plain, bare=True)) is not None), None)
    reason = "metadata: byline near the headline"
    if found is None:
        # None near the headline: a short byline line of its own after the article's start (a
        # blog's "Posted by A on March 3, 2012 | Permalink" under the post), or a name line over
        # the line of its job ("Jane Doe" / "Chefredakteurin").
        tail = _article_tail(blocks, start)
        # not in the comments: "Posted by: A | Mar 26, 2007" signs a comment
        end = next((i for i in range(start, len(blocks)) if blocks[i].label is not None
                    and blocks[i].label.category == "comments"), len(blocks))
        found = next(((i, b) for i in range(start, end) if ruled[i] is None and (blocks[i].label is None or i in tail)
                      and blocks[i].words <= BYLINE_BELOW_MAX_WORDS and not _ENDS_LIKE_SENTENCE.search(blocks[i].plain)
                      and ((b := _byline_at(blocks, i, ruled, language)) is not None
                           or _over_role_line(blocks, i) and (b := parse_byline(blocks[i].plain, bare=True)) is not None)),
                     None)
        reason = "metadata: byline line under the article"
    if found is not None:
        i, byline = found
        authors = list(byline.authors) + _more_authors(blocks, i, ruled, language, country)
        blocks[i].label = Label(keep=False, category="metadata", rule=BYLINE_RULE, reason=reason,
                                field="author", value=AUTHOR_JOIN.join(dict.fromkeys(authors)))
        if i and ruled[i - 1] is None and introducer_only(blocks[i - 1].plain):
            blocks[i - 1].label = Label(keep=False, category="metadata", rule=BYLINE_RULE,
                                        reason="metadata: the label of the byline below", field="author")


def _article_tail(blocks: list[Block], start: int) -> range:
    """The ARTICLE_TAIL blocks after the article's last kept block: where a blog writes "Posted
    by A at 3:00 AM" (a heuristic may have taken these lines for the page's bottom)."""
    last = next((i for i in range(len(blocks) - 1, start - 1, -1) if blocks[i].live), start)
    return range(last + 1, last + 1 + ARTICLE_TAIL)


def _byline_at(blocks: list[Block], i: int, ruled: Sequence[Label | None], language: str | None) -> Byline | None:
    """The byline block i holds: a byline line, or the names under an introducer alone on the
    line above ("Autor:" / "Jane Doe")."""
    text = blocks[i].plain
    if i and ruled[i - 1] is None and introducer_only(blocks[i - 1].plain) and len(text.split()) <= BYLINE_BELOW_MAX_WORDS:
        found = parse_byline(blocks[i - 1].plain.strip() + " " + text, language=language)
        # names of two words at least (a one-word line under "Autoren" is a menu's next item)
        if found is not None and (parse_byline(text, bare=True) is not None or parse_byline(text) is not None):
            return found
    return parse_byline(text, language=language)


def _more_authors(blocks: list[Block], i: int, ruled: Sequence[Label | None], language: str | None,
                  country: str | None) -> list[str]:
    """The names on the lines right under byline i when its name stands over a @handle line, each
    a name alone followed by its @handle line or by the date line ("By" / "Ann Lee" / "@annlee" /
    "Bo Chen" / "1 May 2020"); a name line right under the byline with no handle between is an
    outlet or a desk ("Summit Daily News"), not a second author."""
    names: list[str] = []
    j = i + 1
    handles = False  # the names so far stand over handles: the layout of several authors
    while j < len(blocks) and ruled[j] is None:
        text = blocks[j].plain.strip()
        if _HANDLE_LINE.match(text):
            handles = True
            j += 1
            continue
        after = blocks[j + 1].plain.strip() if j + 1 < len(blocks) else ""
        if (handles and len(text.split()) <= BARE_NAME_MAX_WORDS and bare_name(text) and not role_line(text)
                and (_HANDLE_LINE.match(after) or is_date_line(after, language, country, slow_search=False)
                     and not strip_dates(after, language, country))
                and (b := parse_byline(text, bare=True)) is not None):
            names.extend(b.authors)
            j += 1
            continue
        break
    return names


_HANDLE_LINE = re.compile(r"^@\w{2,30}$")


def _over_role_line(blocks: list[Block], i: int) -> bool:
    """Whether block i is a short name line standing over a line of a job ("Chefredakteur")."""
    return (i + 1 < len(blocks) and len(blocks[i].plain.split()) <= BARE_NAME_MAX_WORDS
            and role_line(blocks[i + 1].plain) and bare_name(blocks[i].plain))


def _byline_with_date(text: str, language: str | None, country: str | None) -> Byline | None:
    """The byline a date line also holds ("29. Juni 2017 · von Tobi", "Jane Doe 1. März 2021")."""
    byline = parse_byline(text, language=language)
    if byline is not None:
        return byline
    rest = strip_dates(text, language, country)
    if rest and len(_WORD.findall(rest)) <= BARE_NAME_MAX_WORDS:
        return parse_byline(rest, bare=True) or parse_byline(rest, language=language)
    return None


def _live_between(blocks: list[Block], i: int, j: int) -> int:
    """Blocks still in the article strictly between i and j."""
    lo, hi = min(i, j), max(i, j)
    return sum(1 for b in blocks[lo + 1: hi] if b.live)


def _bare_name_here(blocks: list[Block], i: int, date_lines: list[int]) -> bool:
    """A line of a name alone is a byline next to the date line taken, or with a @handle."""
    text = blocks[i].plain
    # a name and its job next to the date line taken here, or one a rule took ("Updated 1:39 am
    # EST, November 20, 2019")
    dated = [j for j in (i - 1, i + 1) if j in date_lines or 0 <= j < len(blocks) and blocks[j].label is not None
             and blocks[j].label.field == "date"]
    if "," in text and len(text.split()) <= BARE_NAME_MAX_WORDS + 3 and role_line(text.split(",", 1)[1]) and dated:
        return True  # "Ann Lee, AP Auto Writer" next to the date line: the name before the comma
    if len(text.split()) > BARE_NAME_MAX_WORDS + ("@" in text) or not bare_name(text):
        return False
    return "@" in text or any(abs(i - d) == 1 for d in date_lines) or _over_role_line(blocks, i)


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
    if meta.date is None and meta.updated is None and extracted.get("date"):
        meta.date = _day(parse_date(str(extracted["date"])))
        meta.datetime = extracted.get("datetime") or None
        meta.updated = extracted.get("updated") or None
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
    if meta.date is None and meta.updated is not None:
        meta.date = meta.updated  # only an update is given: the day the text carries


def _tidy(value: str) -> str | None:
    value = re.sub(r"\s+", " ", value).strip()
    return value or None
