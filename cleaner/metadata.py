"""Metadata from labelled blocks: title, authors, dates (ISO 8601), site name, tags, url.

Rules (site first, then generic `take:` rules in rules/generic/metadata.yaml) label the blocks
that carry a field. What no rule found, the detectors here find: the headline (the best
headline-shaped block above the article's first paragraph), then the header lines around it:
the byline (cleaner/byline.py) and the date lines (cleaner/dateline.py). Values from the caller
(url), the site file's `metadata:` literals and, for HTML, trafilatura's metadata are merged in.
What each field holds: docs/metadata.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from .article import Block, Label
from .byline import AUTHOR_JOIN, Byline, bare_name, parse_byline
from .dateline import DateLine, country_of, has_date_marker, is_date_line, parse_date_line, strip_dates

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
    for navigation can still be found. The article's first paragraph is the first one still kept.

    Candidates are the headline-shaped blocks above the first paragraph: from the top down to the
    first kept block of prose, and from the first paragraph up (over at most
    TITLE_PROSE_SKIP short paragraphs, to the first other kept prose: a cookie notice or a
    promotion above the headline). Each scores its words, TITLE_SLUG_WEIGHT x its share of the
    URL slug's words, TITLE_UNDER_PROSE when the next kept block is prose (the article begins
    under it) and TITLE_ECHO_WEIGHT x its share of the document's title line (title_line) when
    it repeats that line or one of its parts. With no candidate, the title line itself."""
    current = [b.label for b in blocks]
    labels = current if labels is None else labels
    slug = _slug_words(url)
    head = title_line(blocks, labels)
    start = first_paragraph_index(blocks, current)
    found = _candidates(blocks, current, labels, start)
    if not _candidates(blocks, current, labels, start, upward=False):
        # Prose from the top: a line under it is the headline only when something says so (a date
        # line or byline under it, the URL, the title line), not a teaser amid the paragraphs.
        found = {i for i in found if _over_header_line(blocks, i) or i > 0 and _is_header_line(blocks[i - 1].plain)
                 or _slug_score(blocks[i].plain, slug) >= SLUG_MATCH_MIN
                 or head is not None and i != head and _echo(blocks[i].plain, blocks[head].plain)}
    for later in _later_paragraphs(blocks, current, start)[: TITLE_MORE_STARTS] if not found else ():
        # The first "paragraph" may be boilerplate above the article (a cookie notice): above the
        # next ones, a headline-shaped line right above a date line or a byline.
        found = {i for i in _candidates(blocks, current, labels, later) if _over_header_line(blocks, i)}
        if found:
            start = later
            break
    candidates = [(_title_score(blocks, current, i, slug, head), i) for i in sorted(found)]
    if not candidates and slug:
        # No paragraph-shaped start: the slug alone may still point at the headline.
        for i, b in enumerate(blocks[: TITLE_LOOKBACK * 4]):
            if labels[i] is None and _is_headline_shaped(b.plain) and _slug_score(b.text, slug) >= SLUG_MATCH_MIN:
                return i
    if head is not None:
        # The headline repeated from the title line, further up than the candidates.
        for i in range(start):
            if i != head and i not in found and labels[i] is None and _echo(blocks[i].plain, blocks[head].plain) \
                    and _is_headline_shaped(blocks[i].plain):
                candidates.append((_title_score(blocks, current, i, slug, head), i))
    if head is not None and (current[head] is None or current[head].keep):
        head = None  # kept as the article's text: its first line, not a page's title line
    if not candidates:
        return head
    best = max(candidates, key=lambda c: (c[0], -c[1]))[1]
    if head is not None and best != head and not _related(blocks[best].plain, blocks[head].plain) \
            and _slug_score(blocks[best].plain, slug) < SLUG_MATCH_MIN and blocks[head].words >= min(blocks[best].words, TITLE_LINE_WINS_WORDS):
        return head  # a headline the title line does not name, nor the URL: the title line is the title
    return best


def _candidates(blocks: list[Block], current: Sequence[Label | None], labels: Sequence[Label | None],
                start: int, upward: bool = True) -> set[int]:
    """Indices of the headline-shaped blocks above `start` a headline may be (see detect_title);
    `upward=False`: only those from the top down."""
    lo = max(0, start - TITLE_LOOKBACK)
    found: set[int] = set()
    for i in range(lo, start):
        shaped = _is_headline_shaped(blocks[i].plain)
        if not shaped and (current[i] is None or current[i].keep):
            if _is_header_line(blocks[i].plain):
                continue  # a date line or byline above the headline
            break  # the article's text has begun: a headline stands above it
        if labels[i] is None and shaped and not (blocks[i].heading and i > lo + 1 and found):
            found.add(i)
    prose_seen = 0
    for i in range(start - 1, lo - 1, -1) if upward else ():
        shaped = _is_headline_shaped(blocks[i].plain)
        if not shaped and (current[i] is None or current[i].keep):
            if _is_header_line(blocks[i].plain):
                continue
            prose_seen += 1
            if any(j > i for j in found) or prose_seen > TITLE_PROSE_SKIP:
                break
            continue
        if labels[i] is None and shaped:
            found.add(i)
    return found


def _is_header_line(text: str) -> bool:
    """A date line or a byline (which may stand above or under a headline)."""
    return is_date_line(text) or parse_byline(text) is not None


def _over_header_line(blocks: list[Block], i: int) -> bool:
    """Whether the block after `i` is a date line or a byline (taken by a rule, or read here)."""
    if i + 1 >= len(blocks):
        return False
    nxt = blocks[i + 1]
    if nxt.label is not None and nxt.label.field in ("date", "author"):
        return True
    return _is_header_line(nxt.plain)


def _later_paragraphs(blocks: list[Block], current: Sequence[Label | None], start: int) -> list[int]:
    """Indices of the kept paragraph-shaped blocks after `start` (see first_paragraph_index)."""
    return [i for i in range(start + 1, len(blocks))
            if (current[i] is None or current[i].keep) and blocks[i].words >= FIRST_PARAGRAPH_MIN_WORDS
            and _SENTENCE_END.search(blocks[i].text)]


# Headline scoring (detect_title): weights of the URL slug, of the title line's echo, and the bonus
# of a candidate under which the article's prose begins; how many short paragraphs the upward
# scan passes over before its first candidate.
TITLE_SLUG_WEIGHT = 20
TITLE_ECHO_WEIGHT = 20
TITLE_UNDER_PROSE = 0
TITLE_PROSE_SKIP = 2
# With no candidate above the first paragraph, the next this many paragraphs are tried.
TITLE_MORE_STARTS = 3
# The title line: the document's first block (a page's <title>, as many scrapers write it first),
# when it has at most this many words.
TITLE_LINE_MAX_WORDS = 30
# A first line of this many words or more that ends with a full stop is a sentence, not a title line.
TITLE_LINE_SENTENCE_WORDS = 10
# A title line of at least this many words (or as many as the headline candidate's) is the title
# when neither it nor the URL names the candidate (a shorter one is a site's name).
TITLE_LINE_WINS_WORDS = 3
# A headline the title line names shares at least this share of its words with it.
TITLE_LINE_SHARED_MIN = 0.5
# Separators between a title line's parts ("Headline - Site", "Site | Section | Headline").
_TITLE_PARTS = re.compile(r"\s+[|–—:»·-]+\s+|\s*\|\s*|\s+::\s+")


def title_line(blocks: list[Block], labels: Sequence[Label | None]) -> int | None:
    """Index of the document's title line: its first non-empty block, when no rule labelled it,
    it has at most TITLE_LINE_MAX_WORDS words and is not a URL nor a sentence of prose."""
    for i, b in enumerate(blocks[:1]):
        text = b.plain
        if labels[i] is not None or not text or _URLISH.match(text) or len(text.split()) > TITLE_LINE_MAX_WORDS:
            return None
        if len(text.split()) > TITLE_PROSE_MAX_WORDS and _ENDS_LIKE_SENTENCE.search(text):
            return None
        bare = text.rstrip(_CLOSING_QUOTES)
        if bare.endswith(".") and not bare.endswith("...") and len(text.split()) >= TITLE_LINE_SENTENCE_WORDS:
            return None  # a sentence (a promotion, a notice), not a page's title
        if not any(c.isalpha() for c in text) or len(text) < TITLE_MIN_CHARS:
            return None
        parts = [p for p in _TITLE_PARTS.split(text) if p.strip()]
        if len(parts) >= 3 and all(len(_words(p)) <= 2 for p in parts):
            return None  # a menu ("News | Sport | Weather")
        return i
    return None


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _echo(text: str, line: str) -> float:
    """How much of the title line `text` repeats: the share of the line's words (or of one of its
    parts' words) that `text`, as a run of words, covers; 0.0 when it is not such a run or covers
    less than half."""
    words = _words(text)
    if not words:
        return 0.0
    best = 0.0
    for whole in [line] + [p for p in _TITLE_PARTS.split(line) if p.strip()]:
        target = _words(whole)
        n = len(words)
        if n > len(target) or n * 2 < len(target):
            continue
        if any(target[k:k + n] == words for k in range(len(target) - n + 1)):
            best = max(best, n / max(len(_words(line)), 1) if whole is line else max(n / len(target), 0.5))
    return best if best >= 0.5 else 0.0


def _related(text: str, line: str) -> bool:
    """Whether the title line shares at least TITLE_LINE_SHARED_MIN of `text`'s words."""
    words = _words(text)
    line_words = set(_words(line))
    return bool(words) and sum(1 for w in words if w in line_words) >= TITLE_LINE_SHARED_MIN * len(words)


def _title_score(blocks: list[Block], current: Sequence[Label | None], i: int, slug: list[str], head: int | None) -> float:
    text = blocks[i].plain
    score = len(text.split()) + TITLE_SLUG_WEIGHT * _slug_score(text, slug)
    if head is not None and head != i:
        score += TITLE_ECHO_WEIGHT * _echo(text, blocks[head].plain)
    nxt = next((j for j in range(i + 1, len(blocks)) if current[j] is None or current[j].keep), None)
    if nxt is not None and not _is_headline_shaped(blocks[nxt].plain):
        score += TITLE_UNDER_PROSE
    return score


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


def label_header(blocks: list[Block], language: str | None, url: str | None,
                 ruled: Sequence[Label | None] | None = None) -> None:
    """Label the article's byline and date lines, as metadata (field author / date), when no rule
    took that field: only near the top, from HEADER_ABOVE blocks above the headline (or
    HEADER_LOOKBACK above the first paragraph) to HEADER_INSIDE blocks into the article, so that
    a body sentence starting with "By" or holding a date is never taken.

    `ruled`: the labels the rules gave (blocks a rule labelled are left alone; a heuristic's
    label may be replaced). The date lines taken are the one nearest below the headline (else
    the nearest above it) and a line right next to it that gives the other of publication and
    update. The byline is the first byline line; a bare name only next to the date line taken."""
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
    if "date" not in taken:
        found = [i for i in free if is_date_line(blocks[i].plain, language, country)]
        below = [i for i in found if i > anchor]
        # Above the headline not a line with another number besides its date (a masthead's
        # "Edition 1,482 | Tuesday, March 4, 2026" is not the article's date line).
        above = [i for i in found if i < anchor and not any(c.isdigit() for c in strip_dates(blocks[i].plain, language, country) or "")]
        first = below[0] if below else (above[-1] if above else None)
        if first is None:
            # None around the headline: a date line that says what it is ("Published 14 May 2024",
            # "zuletzt bearbeitet: 04.02.2022") anywhere no rule labelled.
            first = next((i for i, b in enumerate(blocks) if ruled[i] is None and b.label is None or
                          ruled[i] is None and b.label.rule != TITLE_RULE and b.label.removed
                          if has_date_marker(b.plain) and is_date_line(b.plain, language, country, slow_search=False)),
                         None)
        if first is not None:
            date_lines.append(first)
            near = [i for i in found if 0 < abs(i - first) <= 2 and _live_between(blocks, first, i) == 0]
            date_lines.extend(near[:1])
        for i in sorted(date_lines):
            byline = None if "author" in taken else _byline_with_date(blocks[i].plain, language, country)
            if byline is not None:  # "Redaktion 1. November 2023 10:29": the byline, its date read from it
                blocks[i].label = Label(keep=False, category="metadata", rule=BYLINE_RULE,
                                        reason="metadata: byline and date line near the headline",
                                        field="author", value=byline.author)
                taken.add("author")
                continue
            blocks[i].label = Label(keep=False, category="metadata", rule=DATE_RULE,
                                    reason="metadata: date line " + ("under the headline" if i > anchor else "above the article"),
                                    field="date", value=blocks[i].plain)
    if "author" in taken:
        return
    near = [i for i in free if i not in date_lines and i >= anchor - 2]
    found = next(((i, b) for i in near if (b := parse_byline(blocks[i].plain)) is not None), None)
    if found is None and headline is not None:
        found = next(((i, b) for i in near if i > headline and _bare_name_here(blocks, i, date_lines)
                      and (b := parse_byline(blocks[i].plain, bare=True)) is not None), None)
    reason = "metadata: byline near the headline"
    if found is None:
        # None near the headline: a short byline line of its own after the article's start (a
        # blog's "Posted by A on March 3, 2012 | Permalink" under the post).
        found = next(((i, b) for i in range(start, len(blocks)) if ruled[i] is None and blocks[i].label is None
                      and blocks[i].words <= BYLINE_BELOW_MAX_WORDS and not _ENDS_LIKE_SENTENCE.search(blocks[i].plain)
                      and (b := parse_byline(blocks[i].plain)) is not None), None)
        reason = "metadata: byline line under the article"
    if found is not None:
        i, byline = found
        blocks[i].label = Label(keep=False, category="metadata", rule=BYLINE_RULE, reason=reason,
                                field="author", value=byline.author)


def _byline_with_date(text: str, language: str | None, country: str | None) -> Byline | None:
    """The byline a date line also holds ("29. Juni 2017 · von Tobi", "Jane Doe 1. März 2021")."""
    byline = parse_byline(text)
    if byline is not None:
        return byline
    rest = strip_dates(text, language, country)
    if rest and len(rest.split()) <= BARE_NAME_MAX_WORDS:
        return parse_byline(rest, bare=True) or parse_byline(rest)
    return None


def _live_between(blocks: list[Block], i: int, j: int) -> int:
    """Blocks still in the article strictly between i and j."""
    lo, hi = min(i, j), max(i, j)
    return sum(1 for b in blocks[lo + 1: hi] if b.live)


def _bare_name_here(blocks: list[Block], i: int, date_lines: list[int]) -> bool:
    """A line of a name alone is a byline next to the date line taken, or with a @handle."""
    text = blocks[i].plain
    if len(text.split()) > BARE_NAME_MAX_WORDS + ("@" in text) or not bare_name(text):
        return False
    return "@" in text or any(abs(i - d) == 1 for d in date_lines)


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
        text = b.label.value if _trust(b) == 0 and b.label.value else b.plain
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
