"""The data that flows through the pipeline: blocks, the labels stages put on them, the article.

Every stage only *labels* blocks; nothing is deleted until `render`. A removed block carries
its category and the id of the rule (or heuristic) that removed it, which is what `--explain`,
batch statistics and rule tests read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

# Closed list of categories, shared by rule files and heuristics.
CATEGORIES: tuple[str, ...] = (
    "donation", "newsletter", "related", "share", "social", "caption", "pullquote", "legal",
    "copyright", "navigation", "advertisement", "paywall", "comments", "metadata", "duplicate", "other",
)

# Metadata fields a rule may take from a block.
META_FIELDS: tuple[str, ...] = ("title", "author", "date", "sitename", "tags", "url", "dateline")


# Characters the regex module's case-insensitive matching pairs differently from `str.casefold`:
# it matches i with İ and I with ı (which casefold to "i̇" and "ı"). `fold` maps all four to "i".
_TURKIC_I = str.maketrans({"İ": "i", "ı": "i"})


def fold(text: str) -> str:
    """The text case-folded for case-insensitive literal gates (cleaner.rules.prefilter):
    `str.casefold` (so that the long s or a final sigma fold as the regex engine folds them),
    with the dotted and dotless i made plain i. Folding works character by character, and any two
    characters the engine takes as equal without regard to case fold alike, so a text matching a
    pattern contains its folded key. (Checked against the regex module's case tables for every
    character; the exceptions are characters newer than Python's Unicode database, which it does
    not fold.)"""
    if "İ" in text or "ı" in text:
        text = text.translate(_TURKIC_I)
    return text.casefold()


@dataclass(frozen=True)
class Label:
    """A decision on one block: keep it, or remove it with a category and the rule that said so."""

    keep: bool
    category: str = "body"
    rule: str = ""
    reason: str = ""
    field: str | None = None    # metadata field this block provided (title, author, ...)
    value: str | None = None    # the value taken for that field

    @property
    def removed(self) -> bool:
        return not self.keep


# Leading list markers, stripped for matching (the block's text keeps them).
BULLET_CHARS = "•·▪▫◦‣∙●○■□►▶➤»›*-–—"
BULLET = re.compile(rf"^(?:[{re.escape(BULLET_CHARS)}]+\s*)+")
_BULLET_STARTS = frozenset(BULLET_CHARS)


def plain(text: str) -> str:
    """A block's text without leading bullets: what patterns match against."""
    if text[:1] not in _BULLET_STARTS:  # BULLET matches only at the start, on a bullet
        return text.strip()
    return BULLET.sub("", text).strip()


class computed_once:
    """A value computed from the instance on first use and kept in its __dict__ (where later
    reads find it without calling anything). functools.cached_property does the same but, in
    Python 3.11, takes a lock on every first read, which cost more than the values themselves
    (three per block, read by every stage)."""

    def __init__(self, func: Callable[[Any], Any]):
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


@dataclass
class Block:
    """One unit of text the cleaner judges on its own: a paragraph, a line, or part of a line."""

    text: str
    line: int = 0               # 1-based line in the source text (0 when it has none, e.g. HTML)
    # Where the block came from (cleaner.blocks): "text" (a line of a text), "glued-before" and
    # "glued-dateline" (the parts of a glued line before its first sentence), "html" (a paragraph
    # trafilatura extracted), "html-page" (the page's visible text, when trafilatura's is not
    # used), "html-stripped" (removed by a site's html rules), "html-extractor" (left out by
    # trafilatura).
    origin: str = "text"
    heading: bool = False       # known to be a heading (from HTML markup)
    label: Label | None = None

    # A block's text never changes, so what every rule asks of it is computed once.
    @property
    def live(self) -> bool:
        """Still part of the article as far as anyone knows: unlabelled, or labelled to keep."""
        return self.label is None or self.label.keep

    @computed_once
    def words(self) -> int:
        return len(self.text.split())

    @computed_once
    def plain(self) -> str:
        """The text without leading bullets: what rule patterns match against."""
        return plain(self.text)

    @computed_once
    def lowered(self) -> str:
        """The plain text case-folded (fold): what case-insensitive literal
        gates look in."""
        return fold(self.plain)


@dataclass(frozen=True)
class Removed:
    """One block that cleaning removed, and why.

    Fields:
        text (str): the block's text as it was in the input (for HTML, as extracted: whitespace
            runs folded to one space).
        category (str): what it is: one of CATEGORIES ("donation", "related", "navigation", ...;
            "metadata" for a headline, byline or dateline taken as metadata), or, for HTML,
            "extractor" (text trafilatura left out of the main content) and the html rules' own.
        rule (str): the id of the rule or heuristic that removed it (a rule file's `id`, e.g.
            "mt-donation-box"; a heuristic's name, e.g. "span"; "trafilatura" for the extractor).
        reason (str): why, in words (e.g. "generic rule: line matches").
        line (int): 1-based line of the block in a text input; 0 when it has none (HTML).
    """

    text: str
    category: str
    rule: str
    reason: str = ""
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        """{"text", "category", "rule", "reason", "line"}: the JSON form."""
        return {"text": self.text, "category": self.category, "rule": self.rule,
                "reason": self.reason, "line": self.line}


@dataclass
class Article:
    """The result of `clean()`: the article's text, its metadata, and what was removed.

    Fields:
        text (str): the article's body, its kept blocks in input order joined by blank lines
            ("\n\n"); "" when nothing is kept (empty input, or all boilerplate).
        title (str | None): the headline.
        author (str | None): the authors joined by "; " (as trafilatura writes it), or None.
        authors (list[str]): the people the byline names, in its order (an agency or staff
            credit only when it names no person), names written in capitals recased; [] if none.
        date (str | None): the publication day, ISO 8601 "YYYY-MM-DD" (the update's day when the
            document gives only that).
        datetime (str | None): the publication moment in full ISO 8601 with its UTC offset
            ("2019-03-12T09:41:00-07:00"), only when the document gives the time and the zone.
        updated (str | None): the day of the last update, "YYYY-MM-DD", when the document says
            one ("Updated", "Actualizado a", "mis à jour le"); else None.
        (What each metadata field holds and when it is null: docs/metadata.md.)
        sitename (str | None): the publication's name (from the site file or the page).
        tags (list[str]): the page's tags or keywords (HTML), else [].
        url (str | None): the URL given to clean(), or the page's canonical URL (HTML).
        removed (list[Removed]): every removed block, in input order, with category, rule and
            reason; for HTML also what the extractor left out of the main content (category
            "extractor").
        site (str | None): the name of the site rule file applied; None when only the generic
            rules and heuristics ran.
        input_format (str): how the document was read: "text" or "html".
        language (str | None): the language of the kept text, ISO 639-1 ("en", "de", ...).
        warnings (list[str]): one line each: a stale site rule set aside, a rule that timed out.
        blocks (list[Block]): every block with its Label, for `--explain` (not in to_dict()).

    `to_dict()` gives the JSON form (`newsclean clean --format json`): every field but `blocks`,
    `removed` as a list of dicts. `removed_counts()` gives {category: blocks removed}.
    """

    text: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    datetime: str | None = None
    updated: str | None = None
    sitename: str | None = None
    tags: list[str] = field(default_factory=list)
    url: str | None = None
    removed: list[Removed] = field(default_factory=list)
    site: str | None = None             # name of the site rule file applied, if any
    input_format: str = "text"          # "text" | "html"
    language: str | None = None
    warnings: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list, repr=False)  # every block, for --explain

    def removed_counts(self) -> dict[str, int]:
        """{category: number of removed blocks}, sorted by category."""
        counts: dict[str, int] = {}
        for r in self.removed:
            counts[r.category] = counts.get(r.category, 0) + 1
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        """The article as JSON-ready data: every field but `blocks`; `removed` as dicts."""
        return {
            "text": self.text,
            "title": self.title,
            "author": self.author,
            "authors": list(self.authors),
            "date": self.date,
            "datetime": self.datetime,
            "updated": self.updated,
            "sitename": self.sitename,
            "tags": list(self.tags),
            "url": self.url,
            "site": self.site,
            "authors": list(self.authors),
            "datetime": self.datetime,
            "updated": self.updated,
            "input_format": self.input_format,
            "language": self.language,
            "removed": [r.to_dict() for r in self.removed],
            "warnings": list(self.warnings),
        }
