"""Generic, rule-less signals: where the article starts and ends, and what around it is not article.

Classify, then revise with neighbours, in the manner of jusText, then take the article's span
(docs/generic-detection.md has the figures):

1. **shape** — every block gets a `Shape` (words, stop-word density in the document's language,
   final punctuation, capitalised-word share, numbers, URL shape) and from it a class: `good`
   (prose), `near` (prose-like), `data` (table rows: numbers), `short` (everything else).
2. **section markers** — short lines that open what follows an article ("Related stories",
   "Most read", "12 comments", "Leia também") are removed, with the headline list under them.
3. **span** — each block is worth words (good), half its words (near), nothing (data rows),
   a little (items of a list introduced by a line ending in ':') or a cost (short lines, more in
   long runs; lines rules removed; section markers a lot); prose with no prose on either side
   (a teaser's blurb) is discounted. The article is the run of blocks with the largest total (a
   maximum-sum segment, one pass). Short lines *between* paragraphs are inside the span and stay
   (subheadings, "Said Gates:"); a subheading right above it and a closing credit right below it
   join it; when nothing below it, nor above it, is marked as boilerplate (a clipped region), the
   text's tail joins it too. An author box's heading ("About the author") is never crossed. What
   lies above or below is removed, with the category its shape suggests.
4. **local signals**, anywhere: pull quotes and teasers that repeat text of another block,
   captions split off a glued caption+dateline line, a run of headline-like lines after the
   last paragraph (a related-articles list).

Every decision labels a block with a category, a heuristic id and a reason. Only blocks
without a label are touched: the rules have run already; the headline labeller runs after the
heuristics and replaces their label on the headline (cleaner/label/labellers.py has the order).
Each signal has a name in `SIGNALS`; `label(..., signals_off=...)` switches some off (for
ablation: scripts/evaluate.py --ablate).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..article import Block, Label
from .markers import AUTHOR_BOX_MARKERS, CLOSING_LINES, SECTION_MARKERS

# ---------------------------------------------------------------- thresholds (data, not literals)

# Prose: a block is `good` with at least GOOD_MIN_CHARS characters and this stop-word density
# (jusText's defaults are 70 chars / 0.32 for its "good" class).
GOOD_MIN_CHARS = 70
GOOD_MIN_STOP_DENSITY = 0.30
# Without a final punctuation mark a block must be this long to be `good`.
GOOD_UNPUNCTUATED_MIN_CHARS = 120
# A long block needs less: GOOD_LONG_CHARS characters and GOOD_LONG_STOP_DENSITY.
GOOD_LONG_CHARS = 200
GOOD_LONG_STOP_DENSITY = 0.20
# `near`: prose-like but weaker (jusText's "near-good").
NEAR_MIN_CHARS = 40
NEAR_MIN_STOP_DENSITY = 0.20
# ... and without a final punctuation mark it must be this long (a headline in sentence case is not prose).
NEAR_UNPUNCTUATED_MIN_CHARS = 100
# Without a stop-word list (e.g. Chinese, Japanese, Korean), sentence punctuation and length decide.
NOSTOP_GOOD_CHARS = 60
NOSTOP_NEAR_CHARS = 25
# A line without final punctuation whose words are capitalised at least this much is headline-like.
HEADLINE_MIN_CAPITALISED = 0.6
# `data`: a table row or score line: at least this share of its tokens are numbers.
DATA_MIN_NUMBER_SHARE = 0.3
DATA_MIN_WORDS = 3

# Span values: what each class is worth when finding the article's span.
NEAR_WEIGHT = 0.5
SHORT_COST_BASE = 1.0
SHORT_COST_PER_WORD = 0.5
LIST_ITEM_VALUE = 0.5
# A block a rule removed as boilerplate still costs the span this much (categories in FREE_REMOVALS,
# which also occur inside articles, cost nothing).
REMOVED_COST = 3.0
FREE_REMOVALS = frozenset({"pullquote", "duplicate", "metadata", "caption", "advertisement"})
# In a run of short lines (a menu, a list of links) each SHORT_RUN_STEP lines raise the cost by one
# more time the base cost: a long menu is a wall, a subheading is a step.
SHORT_RUN_STEP = 8
KEPT_BY_RULE_MIN_VALUE = 5.0
# A prose block with short lines on both sides (a teaser's blurb between its headline and its
# date) is worth only this share of its words.
ISOLATED_WEIGHT = 0.25
# How often the span is found again with isolation judged inside the span found before.
SPAN_ROUNDS_MAX = 3
# Section markers (markers.SECTION_MARKERS): a short line that opens what follows an article; the
# article's span never crosses one. At most this many words.
SECTION_MARKER_MAX_WORDS = 7
# What crossing a section marker costs the span (in words of prose).
SECTION_MARKER_COST = 40.0

# An author box's heading (markers.AUTHOR_BOX_MARKERS) is never crossed.
AUTHOR_BOX_COST = float("inf")

# Removals that do not mark the end of an article (they happen inside articles too).
SOFT_END_IGNORES = frozenset({"pullquote", "duplicate", "caption", "advertisement"})
# ... and above the span, metadata lines too (a headline, a byline: a clipped region may start with them).
SOFT_START_IGNORES = SOFT_END_IGNORES | {"metadata"}

# A subheading (a second headline) right above the first paragraph: this many words.
SUBHEADING_MIN_WORDS = 3
SUBHEADING_MAX_WORDS = 15

# Related list: at least this many consecutive headline-like lines after the article's last
# paragraph, each RELATED_MIN_WORDS..RELATED_MAX_WORDS words.
RELATED_MIN_RUN = 3
RELATED_MIN_WORDS = 3
RELATED_MAX_WORDS = 25
# Pull quotes and teasers: a block at least this long whose text stands again inside another block.
PULLQUOTE_MIN_WORDS = 8
PULLQUOTE_MIN_CHARS = 40
# A whole block repeated: later copies go when the block has at least this many words.
DUPLICATE_MIN_WORDS = 15
# (A question is never a duplicate: an interview series repeats its questions. There is no cap
# on the number of copies: with one, cleaning the cleaned text would remove what the first pass
# kept once a copy went for another reason.)

# The heuristics' signals by name; `label(signals_off=...)` switches some off.
SIGNALS: tuple[str, ...] = ("pullquote", "duplicate", "glued-caption", "section-marker", "isolated-prose",
                             "span", "soft-end", "edge-lines", "related-run")

_WORD = re.compile(r"\w+", re.UNICODE)
_NUMBER = re.compile(r"^\d[\d.,:%/]*$|^[\d.,]+%$")
_DIGIT_OR_PERCENT = re.compile(r"[\d%]")
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")
_COLON_END = re.compile(r"[:：]\s*$")
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_QUOTE_CHARS = "\"'“”‘’«»„"
# Whitespace that norms collapse to one space: a run of two or more, or one that is not a plain space.
_SPACE_RUNS = re.compile(r"\s(?:\s+|(?<! ))")
# Below this many characters of long blocks, a core is counted in all of them at once.
JOINED_COUNT_MAX_CHARS = 20_000
_CLOSING_LINE = re.compile("|".join(CLOSING_LINES), re.I)
_QUOTE_END = re.compile(r"[.!?…'\"”’»]\s*$")


def _marker_line(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """A whole line that is one of the patterns, maybe in brackets, maybe ending in ':' '»' '…'."""
    return re.compile(r"^[\[(]?\s*(?:" + "|".join(patterns) + r")\s*[\])]?\s*[:.»>›…]*$", re.I)


_SECTION_MARKER = _marker_line(SECTION_MARKERS)
_AUTHOR_BOX_MARKER = _marker_line(AUTHOR_BOX_MARKERS)


@lru_cache(maxsize=128)
def stopwords(language: str) -> frozenset[str]:
    """jusText's stop-word list for a language name ('English', 'German', ...); empty if none."""
    import justext

    try:
        return frozenset(w.lower() for w in justext.get_stoplist(language))
    except (ValueError, KeyError):
        return frozenset()


# ---------------------------------------------------------------- shape and class

GOOD, NEAR, DATA, SHORT = "good", "near", "data", "short"


@dataclass(frozen=True)
class Shape:
    words: int
    chars: int
    stop_density: float
    sentence_end: bool
    colon_end: bool
    capitalised: float      # share of alphabetic words that start with a capital
    numbers: float          # share of tokens that are numbers
    url: bool
    cls: str


def shape(text: str, stops: frozenset[str]) -> Shape:
    tokens = text.split()
    words = _WORD.findall(text.lower())
    n = len(words)
    density = sum(map(stops.__contains__, words)) / n if n else 0.0
    alpha = [t for t in tokens if t[:1].isalpha()]
    caps = sum([t[0].isupper() for t in alpha]) / len(alpha) if alpha else 0.0
    numbers = _numbers(text, tokens) / len(tokens) if tokens else 0.0
    sentence_end = bool(_SENTENCE_END.search(text))
    chars = len(text)
    url = bool(_URLISH.match(text))
    cls = _classify(chars, len(tokens), density, sentence_end, numbers, url, stops, text)
    if cls != DATA and not sentence_end and caps >= HEADLINE_MIN_CAPITALISED and len(alpha) >= 3:
        cls = SHORT     # Title Case without a full stop: a headline or a menu entry, never prose
    return Shape(words=len(tokens), chars=chars, stop_density=density, sentence_end=sentence_end,
                 colon_end=bool(_COLON_END.search(text)), capitalised=caps, numbers=numbers, url=url, cls=cls)


def _numbers(text: str, tokens: list[str]) -> int:
    """How many tokens are numbers (_NUMBER, brackets and separators around them stripped). Every
    number holds a digit or a '%': a text without one has none."""
    if _DIGIT_OR_PERCENT.search(text) is None:
        return 0
    return sum(1 for t in tokens if _NUMBER.match(t.strip("()[],;")))


def _classify(chars: int, words: int, density: float, sentence_end: bool, numbers: float, url: bool,
              stops: frozenset[str], text: str) -> str:
    if url:
        return SHORT
    if words >= DATA_MIN_WORDS and numbers >= DATA_MIN_NUMBER_SHARE:
        return DATA
    if not stops or _CJK.search(text[:200]):
        if chars >= NOSTOP_GOOD_CHARS and sentence_end:
            return GOOD
        if chars >= NOSTOP_NEAR_CHARS and sentence_end:
            return NEAR
        return SHORT
    if ((chars >= GOOD_MIN_CHARS and density >= GOOD_MIN_STOP_DENSITY) or
            (chars >= GOOD_LONG_CHARS and density >= GOOD_LONG_STOP_DENSITY)) and \
            (sentence_end or chars >= GOOD_UNPUNCTUATED_MIN_CHARS):
        return GOOD
    if chars >= NEAR_MIN_CHARS and density >= NEAR_MIN_STOP_DENSITY and \
            (sentence_end or chars >= NEAR_UNPUNCTUATED_MIN_CHARS or text.rstrip().endswith((":", ",", ";"))):
        return NEAR
    return SHORT


# ---------------------------------------------------------------- labelling helpers

def _remove(b: Block, category: str, rule: str, reason: str) -> None:
    b.label = Label(keep=False, category=category, rule=rule, reason=f"heuristic: {reason}")


# ---------------------------------------------------------------- signals

def label_glued_captions(blocks: list[Block]) -> None:
    """The text before a dateline glued into one line ("photo caption (epa) April 20, 2007 (RFE/RL) --")."""
    for i, b in enumerate(blocks):
        if b.label is None and b.origin == "glued-before":
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            if nxt is not None and nxt.origin == "glued-dateline":
                _remove(b, "caption", "glued-caption", "text glued before a dateline (a photo caption)")


def _norm_plain(text: str) -> str:
    return _SPACE_RUNS.sub(" ", text.lower()).strip(_QUOTE_CHARS + " ")


def label_pullquotes(blocks: list[Block], duplicates: bool = True, pullquotes: bool = True) -> None:
    """Text that stands twice: a pull quote (a sentence repeated inside a longer paragraph) or a
    block repeated whole (a teaser, a sidebar shown twice: later copies go).

    Both only concern prose-like blocks (ending like a sentence or a quote), so repeated list
    items and captions in structured articles stay.
    """
    norms = [_norm_plain(b.plain) for b in blocks]
    long_live = [(b, n) for b, n in zip(blocks, norms) if b.live and b.words >= PULLQUOTE_MIN_WORDS]
    copies: dict[str, int] = {}
    for _, n in long_live:
        copies[n] = copies.get(n, 0) + 1
    # A small document: all its long blocks in one string (norms hold no line break, so no core
    # stands across two of them), where str.count counts a core in all of them at once. A large
    # one: every core found in every long block by one Aho-Corasick scan (_cores_elsewhere).
    joined = "\n".join(n for _, n in long_live)
    small = len(joined) <= JOINED_COUNT_MAX_CHARS
    judged: list[tuple[Block, str, str]] = []   # (block, its norm, its core): judged as a pull quote
    seen: set[str] = set()
    for b, n in zip(blocks, norms):
        if b.label is not None or b.words < PULLQUOTE_MIN_WORDS or not (
                _QUOTE_END.search(b.text) or b.plain[:1] in _QUOTE_CHARS):
            continue
        if n in seen and duplicates and b.words >= DUPLICATE_MIN_WORDS and not n.endswith("?"):
            _remove(b, "duplicate", "repeated-block", "the same text stands earlier in the document")
            continue
        seen.add(n)  # a copy not removed as a repeat is judged as a pull quote like the first
        core = n.split(" -- ")[0].rstrip(".,!?;:…" + _QUOTE_CHARS + " ").lstrip(_QUOTE_CHARS + " ")
        if pullquotes and len(core) >= PULLQUOTE_MIN_CHARS:
            judged.append((b, n, core))
    elsewhere = set() if small else _cores_elsewhere([(core, n) for _, n, core in judged], copies)
    for b, n, core in judged:
        # The core stands once in each copy of this block; one more means another block holds it.
        if (joined.count(core) > copies.get(n, 0)) if small else ((core, n) in elsewhere or n.count(core) > 1):
            _remove(b, "pullquote", "pullquote-repeats", "its text stands again inside another paragraph")


def _cores_elsewhere(cores: list[tuple[str, str]], copies: dict[str, int]) -> set[tuple[str, str]]:
    """The (core, norm) pairs of `cores` (a core and the norm it was cut from) whose core stands in a long
    block (a norm of `copies`, each distinct norm once) other than that norm. One Aho-Corasick
    scan of every distinct norm (pyahocorasick): linear in the text, where counting each core in
    every block holding its words would be quadratic on lines sharing their inner words (numbered
    or templated prose). Each block it was cut from holds a core, so `norm` is judged
    a pull quote when the core stands elsewhere, or twice in `norm` itself."""
    import ahocorasick  # imported lazily: only documents over JOINED_COUNT_MAX_CHARS need it

    if not cores:
        return set()
    automaton = ahocorasick.Automaton()
    for core, _ in cores:
        automaton.add_word(core, core)
    automaton.make_automaton()
    holders: dict[str, str | None] = {}   # core -> the one distinct norm holding it, None: two or more
    for n in copies:
        for _, core in automaton.iter(n):
            first = holders.get(core, n)
            holders[core] = first if first == n else None
    return {(core, n) for core, n in cores if holders.get(core, n) != n}


_COMMENTS_WORD = re.compile(r"comment|repl(?:y|ies)|respon|discuss|conversation|коммент|kommentar", re.I)
SECTION_MARKER_RULE = "section-marker"
AUTHOR_BOX_RULE = "author-box"
_MARKER_COSTS = {SECTION_MARKER_RULE: SECTION_MARKER_COST, AUTHOR_BOX_RULE: AUTHOR_BOX_COST}


def label_section_markers(blocks: list[Block]) -> None:
    """Short lines like "Related stories", "Most read", "12 comments", "Leia também": removed, and
    the article's span will not cross them."""
    for b in blocks:
        if b.label is not None or b.words > SECTION_MARKER_MAX_WORDS:
            continue
        text = b.plain
        if _AUTHOR_BOX_MARKER.match(text):
            _remove(b, "other", AUTHOR_BOX_RULE, "the heading of an author box")
        elif _SECTION_MARKER.match(text):
            category = "comments" if _COMMENTS_WORD.search(text) else "related"
            _remove(b, category, SECTION_MARKER_RULE, "a section heading that follows articles")


def label_marker_lists(blocks: list[Block], shapes: list[Shape | None]) -> None:
    """The headline-like lines right after a section marker ("More:", "Related stories") are the
    list it introduces, even inside the article."""
    for i, b in enumerate(blocks):
        if b.label is None or b.label.rule != SECTION_MARKER_RULE:
            continue
        j = i + 1
        while j < len(blocks) and blocks[j].label is None and shapes[j] is not None \
                and shapes[j].cls == SHORT and _headline_like(shapes[j]):  # type: ignore[union-attr]
            _remove(blocks[j], "related", "marker-list", f"a headline in the list under {b.plain!r}")
            j += 1


def span_values(blocks: list[Block], shapes: list[Shape | None], isolated: bool = True,
                inside: tuple[int, int] | None = None) -> list[float | None]:
    """What each block is worth to the article's span (None: not part of the sequence). `inside`:
    a span found before, whose blocks have no neighbours outside it (see _discount_isolated)."""
    values: list[float | None] = []
    in_list = False
    short_run = 0
    for b, s in zip(blocks, shapes):
        if b.label is not None and b.label.removed:
            if b.label.rule in _MARKER_COSTS:
                values.append(-_MARKER_COSTS[b.label.rule])
                in_list = False
            elif b.label.category in FREE_REMOVALS:
                values.append(None)
            else:
                values.append(-REMOVED_COST)
            continue
        if s is None:
            values.append(None)
            continue
        if b.label is not None and b.label.keep:
            values.append(max(float(s.words), KEPT_BY_RULE_MIN_VALUE))
            in_list = False
            continue
        if s.cls == GOOD:
            v = float(s.words)
        elif s.cls == NEAR:
            v = s.words * NEAR_WEIGHT
        elif s.cls == DATA:
            v = 0.0
        elif in_list:
            v = LIST_ITEM_VALUE
        else:
            v = -(SHORT_COST_BASE + SHORT_COST_PER_WORD * s.words) * (1 + short_run // SHORT_RUN_STEP)
        if s.colon_end and s.cls in (GOOD, NEAR):
            in_list = True
        elif s.cls in (GOOD, NEAR):
            in_list = False
        short_run = short_run + 1 if v < 0 else 0
        values.append(v)
    if isolated:
        _discount_isolated(values, shapes, [b.label is not None and b.label.removed for b in blocks], inside)
    return values


def _discount_isolated(values: list[float | None], shapes: list[Shape | None], removed: list[bool],
                       inside: tuple[int, int] | None = None) -> None:
    """Prose with no prose on either side (a teaser's blurb) is worth ISOLATED_WEIGHT of itself.
    Removed blocks are not neighbours; nor, given a span found before (`inside`), are the blocks
    outside it to the blocks inside it: those go, and the cleaned text shows them no neighbours."""
    idx = [i for i, v in enumerate(values) if v is not None and not removed[i]]
    prose = [values[i] is not None and values[i] > 0 and shapes[i] is not None and shapes[i].cls in (GOOD, NEAR)
             for i in idx]
    lo, hi = inside if inside is not None else (-1, -1)  # no span: no block is inside one
    for k, i in enumerate(idx):
        if not prose[k]:
            continue
        within = lo <= i <= hi
        before = k > 0 and prose[k - 1] and (not within or idx[k - 1] >= lo)
        after = k + 1 < len(idx) and prose[k + 1] and (not within or idx[k + 1] <= hi)
        if not before and not after:
            values[i] = values[i] * ISOLATED_WEIGHT  # type: ignore[operator]


def best_span(values: list[float | None]) -> tuple[int, int] | None:
    """(first, last) index of the maximum-sum run of values (None values are skipped)."""
    best, best_span_ = 0.0, None
    run, start = 0.0, None
    for i, v in enumerate(values):
        if v is None:
            continue
        if start is None or run <= 0:
            if v <= 0:
                continue
            run, start = v, i
        else:
            run += v
        if run > best:
            best, best_span_ = run, (start, i)
    return best_span_


def _category_above(s: Shape) -> tuple[str, str]:
    if s.cls in (GOOD, NEAR):
        return "other", "prose above the article's span (a teaser or another story)"
    return "navigation", "above the article's first paragraph"


def _category_below(s: Shape) -> tuple[str, str]:
    if s.cls in (GOOD, NEAR):
        return "other", "prose below the article's span (teasers, comments or another story)"
    if s.words >= RELATED_MIN_WORDS and not s.sentence_end:
        return "related", "headline-like line below the article's last paragraph"
    return "navigation", "below the article's last paragraph"


def soft_end(blocks: list[Block], first: int, last: int) -> int:
    """Extend the span to the document's end when nothing after it is marked as boilerplate (no
    rule, no section marker): a text that ends with its article (a clipped region) keeps its tail.
    Not when boilerplate was marked above the span: a page's text, not a clipped region."""
    if any(_marked(b, SOFT_START_IGNORES) for b in blocks[:first]) or \
            any(_marked(b, SOFT_END_IGNORES) for b in blocks[last + 1:]):
        return last
    return len(blocks) - 1


def _marked(b: Block, ignores: frozenset[str]) -> bool:
    """Removed as boilerplate, in a category not in `ignores`."""
    return b.label is not None and b.label.removed and b.label.category not in ignores


def _next_unlabelled(blocks: list[Block], i: int, step: int) -> int | None:
    """The nearest unlabelled block from i in direction step, skipping removed ones (None at a kept one)."""
    i += step
    while 0 <= i < len(blocks):
        b = blocks[i]
        if b.label is None:
            return i
        if b.label.keep:
            return None
        i += step
    return None


def _edge_lines(blocks: list[Block], shapes: list[Shape | None], first: int, last: int) -> tuple[int, int]:
    """A subheading right above the first paragraph and a closing credit line right below the last
    ("(Reporting by ...)", "... contributed to this report") belong to the article."""
    above = _next_unlabelled(blocks, first, -1)
    if above is not None:
        s = shapes[above]
        if s is not None and s.cls == SHORT and SUBHEADING_MIN_WORDS <= s.words <= SUBHEADING_MAX_WORDS \
                and not s.sentence_end and not s.url and s.numbers == 0:
            # Not the last entry of a menu: what stands above it is not another short line.
            prev = _next_unlabelled(blocks, above, -1)
            prev_shape = shapes[prev] if prev is not None else None
            if prev_shape is None or prev_shape.cls != SHORT:
                first = above
    below = _next_unlabelled(blocks, last, 1)
    if below is not None and _CLOSING_LINE.search(blocks[below].plain):
        last = below
    return first, last


def _stable_span(blocks: list[Block], shapes: list[Shape | None],
                 span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The span narrowed until it is the best span of its own blocks, judged as the cleaned text
    shows them (isolation inside it, no neighbours outside): what cleaning the cleaned text finds.

    Finding the span again with isolation judged inside the span before need not settle: the
    rounds can swing between two spans (prose isolated inside one span has a prose neighbour
    when the other is taken, and the other way round), and the last one of SPAN_ROUNDS_MAX is
    then one whose own blocks, cleaned alone, have a smaller best span; a second pass removed
    that difference (idempotence). Narrowing only, so it ends; a span that settled is unchanged."""
    while span is not None:
        first, last = span
        values = span_values(blocks, shapes, True, inside=span)
        inner = best_span(values[first:last + 1])
        inner = (inner[0] + first, inner[1] + first) if inner is not None else None
        if inner == span:
            return span
        span = inner
    return span


def label_outside_span(blocks: list[Block], shapes: list[Shape | None], isolated: bool = True,
                       soft_bottom: bool = True, edges: bool = True) -> tuple[int, int] | None:
    span = best_span(span_values(blocks, shapes, isolated))
    if isolated:
        # Prose is isolated or not as the cleaned text shows it: without the blocks outside the
        # span (idempotence). Found again with that until the span stays (a few rounds at most).
        for _ in range(SPAN_ROUNDS_MAX):
            if span is None:
                break
            again = best_span(span_values(blocks, shapes, isolated, inside=span))
            if again == span:
                break
            span = again
        span = _stable_span(blocks, shapes, span)
    if span is None:
        return None
    first, last = span
    if soft_bottom:
        last = soft_end(blocks, first, last)
    if edges:
        first, last = _edge_lines(blocks, shapes, first, last)
    for i, b in enumerate(blocks):
        if b.label is not None or first <= i <= last:
            continue
        s = shapes[i]
        assert s is not None
        if i < first:
            category, reason = _category_above(s)
            _remove(b, category, "outside-article-top", reason)
        else:
            category, reason = _category_below(s)
            _remove(b, category, "outside-article-bottom", reason)
    return span


def _headline_like(s: Shape) -> bool:
    return (RELATED_MIN_WORDS <= s.words <= RELATED_MAX_WORDS and not s.sentence_end and not s.colon_end
            and s.cls != DATA)


def label_related_runs(blocks: list[Block], shapes: list[Shape | None]) -> None:
    """A run of headline-like lines after the last good paragraph is a list of other articles."""
    last_good = max((i for i, s in enumerate(shapes) if s is not None and s.cls == GOOD and blocks[i].live),
                    default=None)
    if last_good is None:
        return
    run: list[int] = []
    for i in range(last_good + 1, len(blocks) + 1):
        b = blocks[i] if i < len(blocks) else None
        if b is not None and b.label is not None and b.label.removed:
            continue
        s = shapes[i] if b is not None else None
        if b is not None and b.label is None and s is not None and _headline_like(s):
            run.append(i)
            continue
        if len(run) >= RELATED_MIN_RUN:
            for j in run:
                _remove(blocks[j], "related", "related-run",
                        f"one of {len(run)} headline-like lines after the article")
        run = []


def label(blocks: list[Block], language: str = "English", signals_off: frozenset[str] = frozenset(),
          known_shapes: dict[int, Shape] | None = None) -> None:
    """Label the still-unlabelled blocks. `language` names a jusText stop-word list; `signals_off`
    names signals (SIGNALS) not to run.

    `known_shapes`: the caller's store of the blocks' shapes by index, for labelling the same
    blocks again in the same language (a shape depends only on the text and the language)."""
    if not blocks:
        return
    if "glued-caption" not in signals_off:
        label_glued_captions(blocks)
    if "pullquote" not in signals_off or "duplicate" not in signals_off:
        label_pullquotes(blocks, duplicates="duplicate" not in signals_off, pullquotes="pullquote" not in signals_off)
    if "section-marker" not in signals_off:
        label_section_markers(blocks)
    stops = stopwords(language)
    known = {} if known_shapes is None else known_shapes
    shapes: list[Shape | None] = []
    for i, b in enumerate(blocks):
        if b.label is not None and b.label.removed:
            shapes.append(None)
            continue
        found = known.get(i)
        if found is None:
            found = known[i] = shape(b.plain, stops)
        shapes.append(found)
    if "section-marker" not in signals_off:
        label_marker_lists(blocks, shapes)
    if "span" not in signals_off:
        label_outside_span(blocks, shapes, isolated="isolated-prose" not in signals_off,
                           soft_bottom="soft-end" not in signals_off, edges="edge-lines" not in signals_off)
    if "related-run" not in signals_off:
        label_related_runs(blocks, shapes)
