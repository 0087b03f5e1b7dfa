"""The header labeller: the byline and the date lines around the headline, labelled as metadata.

It runs after the headline labeller (cleaner/label/headline.py), on what the rules left. The
byline is read by cleaner/label/byline.py, the date lines by cleaner/label/dateline.py; the
header words of each language are data (cleaner/data/header.yaml). collect()
(cleaner/metadata.py) then reads the authors and dates from the blocks labelled here.
"""
from __future__ import annotations

import re
from typing import Sequence

from ..article import Block, Label
from .byline import AUTHOR_JOIN, Byline, bare_name, byline_beside_date, introducer_only, parse_byline, role_line
from .dateline import (ENDS_LIKE_SENTENCE, country_of, date_led, has_date_marker, is_date_line, marker_only,
                       strip_dates)
from .headline import TITLE_RULE, first_paragraph_index

_WORD = re.compile(r"\w+", re.UNICODE)
_DIGIT = re.compile(r"\d")  # a date line holds digits: the cheap test before its marker words

# The rule ids of the header labeller's labels; collect() ranks the fields they carry.
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
                      and blocks[i].words <= BYLINE_BELOW_MAX_WORDS and not ENDS_LIKE_SENTENCE.search(blocks[i].plain)
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
