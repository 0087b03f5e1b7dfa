"""The headline labeller: the best headline-shaped block above the article's first paragraph,
labelled as the title (metadata), with its copies.

It runs after the heuristics, on what the rules left (a headline the heuristics took for
navigation can still be found), and its label replaces theirs. When the heuristics had taken
the headline (or a copy) for article text, the labelling pass judges the rest again without it
(label_headline's `judge_again`), as cleaning the cleaned text would.
"""
from __future__ import annotations

import re
from typing import Callable, Sequence
from urllib.parse import unquote, urlsplit

from ..article import Block, Label
from ..rules.rule import SiteRules
from .byline import parse_byline
from .clean_text import nothing_removed
from .context import LabelContext
from .dateline import ENDS_LIKE_SENTENCE, is_date_line

# A block this long (words) that ends like a sentence is taken as the article's first paragraph.
FIRST_PARAGRAPH_MIN_WORDS = 25
# A paragraph's last characters: the end of a sentence or of a clause, closing quotes after it.
_SENTENCE_OR_CLAUSE_END = re.compile(r"[.!?…:;,]['\"”’»)\]]*$")


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


# The rule id of this labeller's title. The header lines (label/header.py) are looked for around
# it, and collect() lets a title from the page's markup win over it.
TITLE_RULE = "title-headline"

# The headline labeller's name among the generic signals (LabelContext.signals_off): its rule id.
HEADLINE_SIGNAL = TITLE_RULE

_WORD = re.compile(r"\w+", re.UNICODE)

# A headline: this many words at most, at least this many characters.
TITLE_MAX_WORDS = 24
TITLE_MIN_CHARS = 8
# The headline is looked for among this many blocks above the first paragraph.
TITLE_LOOKBACK = 25
# Share of the URL slug's words a block must contain to be taken as the title by the slug alone.
SLUG_MATCH_MIN = 0.6
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
# A headline is one sentence (3 word characters before the mark: "Mr. Smith", "U.S. troops" stay).
_MULTI_SENTENCE = re.compile(r"(?<=\w\w\w)[.!?…]['\"”’»)]*\s+\S")
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
    if len(words) > TITLE_PROSE_MAX_WORDS and ENDS_LIKE_SENTENCE.search(text):
        return False
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and not text.islower()


def _slug_score(text: str, slug: list[str]) -> float:
    if not slug:
        return 0.0
    words = {w.lower() for w in _WORD.findall(text)}
    return sum(1 for w in slug if w in words) / len(slug)


def detect_title(blocks: list[Block], url: str | None, labels: Sequence[Label | None] | None = None) -> int | None:
    """Index of the headline block, or None. Never labels anything itself.

    `labels`: which blocks may be the headline: those without a label there (default: the current
    labels); the labelling pass gives the labels the rules gave, so that a headline the heuristics took
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
    """Indices of the kept paragraph-shaped blocks after `start` (metadata.is_paragraph)."""
    return [i for i in range(start + 1, len(blocks))
            if (current[i] is None or current[i].keep) and is_paragraph(blocks[i])]


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
        if len(text.split()) > TITLE_PROSE_MAX_WORDS and ENDS_LIKE_SENTENCE.search(text):
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


def site_owns_title(site_rules: SiteRules | None) -> bool:
    """The site's rules take the title themselves (a `take` rule for the field title)."""
    return site_rules is not None and any(r.action == "take" and r.field == "title" for r in site_rules.rules)


def label_headline(blocks: list[Block], ctx: LabelContext, ruled: Sequence[Label | None],
                   judge_again: Callable[[], object]) -> bool:
    """Label the headline as the title (label_title), unless the signal is off or the site's rules
    take the title. `ruled`: the labels the rules gave. When the heuristics had kept the headline
    (or a copy) as article text, every other block gets its rule label back and `judge_again()`
    judges them again without it (as cleaning the cleaned text would); not when nothing at all
    was removed before the headline was looked for: that text is clean already, a cleaned text
    whose first line reads as a headline (clean_text.keep_metadata_lines_of_clean_text keeps it).

    Returns whether the heuristics had removed the headline as boilerplate before it was labelled
    the title (then the text was not clean, whatever else is removed)."""
    if HEADLINE_SIGNAL in ctx.signals_off or site_owns_title(ctx.site_rules):
        return False
    judged = [b.label for b in blocks]
    title = label_title(blocks, ctx.url, ruled)
    if title is None:
        return False
    took_live = any(b.label is not None and b.label.rule == TITLE_RULE and (was is None or was.keep)
                    for b, was in zip(blocks, judged))
    if ctx.heuristics and took_live and not nothing_removed(blocks, judged):
        for b, label in zip(blocks, ruled):
            if b.label is None or b.label.rule != TITLE_RULE:
                b.label = label
        judge_again()
    return judged[title] is not None and judged[title].removed
