"""Generic, rule-less signals: where the article starts and ends, and what around it is not article.

A tiny classify-then-revise pipeline in the manner of jusText: every still-unlabelled block gets
a class from its own shape (length, stop-word density, final punctuation); the article's span is
the densest cluster of good blocks; blocks outside the span are removed, with the category their
position suggests; short blocks inside it stay (subheadings, "Said Gates:").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .article import Block, Label
from .blocks import plain

# A block is "good" (article prose) with at least this many words and this stop-word density.
GOOD_MIN_WORDS = 15
GOOD_MIN_STOPWORD_DENSITY = 0.25
# Good blocks separated by at most this many other blocks belong to one cluster.
CLUSTER_MAX_GAP = 6
# Pull quotes: a block this long at least that repeats inside a later block.
PULLQUOTE_MIN_WORDS = 8

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…]['\"”’»)\]]*$")
_QUOTE_CHARS = "\"'“”‘’«»"


@lru_cache(maxsize=128)
def stopwords(language: str) -> frozenset[str]:
    import justext

    try:
        return frozenset(justext.get_stoplist(language))
    except (ValueError, KeyError):
        return frozenset()


@dataclass(frozen=True)
class Shape:
    words: int
    stop_density: float
    sentence_end: bool

    @property
    def good(self) -> bool:
        return self.words >= GOOD_MIN_WORDS and self.stop_density >= GOOD_MIN_STOPWORD_DENSITY


def shape(text: str, stops: frozenset[str]) -> Shape:
    words = _WORD.findall(text.lower())
    density = sum(1 for w in words if w in stops) / len(words) if words else 0.0
    return Shape(words=len(words), stop_density=density, sentence_end=bool(_SENTENCE_END.search(text)))


def _remove(b: Block, category: str, rule: str, reason: str) -> None:
    b.label = Label(keep=False, category=category, rule=rule, reason=f"heuristic: {reason}")


def label_pullquotes(blocks: list[Block]) -> None:
    """A block whose words reappear inside another block is a pull quote (or a repeated teaser)."""
    norm = [re.sub(r"\s+", " ", _WORD.sub(lambda m: m.group(0).lower(), plain(b.text))) for b in blocks]
    for i, b in enumerate(blocks):
        if b.label is not None or b.words < PULLQUOTE_MIN_WORDS:
            continue
        core = norm[i].split(" -- ")[0].strip(_QUOTE_CHARS + " ")
        core = core.rstrip(".,!?" + _QUOTE_CHARS)
        if len(core) < 30:
            continue
        for j, other in enumerate(norm):
            if j != i and len(other) > len(core) and core in other and (blocks[j].label is None or blocks[j].label.keep):
                _remove(b, "pullquote", "pullquote-repeats", f"repeats block at line {blocks[j].line}")
                break


def label_outside_article(blocks: list[Block], language: str) -> None:
    stops = stopwords(language)
    live = [i for i, b in enumerate(blocks) if b.label is None or b.label.keep]
    good = [i for i in live if shape(plain(blocks[i].text), stops).good]
    if not good:
        return
    clusters: list[list[int]] = [[good[0]]]
    for i in good[1:]:
        gap = sum(1 for j in live if clusters[-1][-1] < j < i)
        if gap <= CLUSTER_MAX_GAP:
            clusters[-1].append(i)
        else:
            clusters.append([i])
    main = max(clusters, key=lambda c: sum(blocks[i].words for i in c))
    first, last = main[0], main[-1]
    for i, b in enumerate(blocks):
        if b.label is not None:
            continue
        if i < first:
            _remove(b, "navigation", "outside-article-top", "above the article's first paragraph")
        elif i > last:
            _remove(b, "related", "outside-article-bottom", "below the article's last paragraph")


SWITCHES = ("pullquote", "outside")


def label(blocks: list[Block], language: str = "English", disabled: frozenset[str] = frozenset()) -> None:
    if "pullquote" not in disabled:
        label_pullquotes(blocks)
    if "outside" not in disabled:
        label_outside_article(blocks, language)
