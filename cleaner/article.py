"""The data that flows through the pipeline: blocks, the labels stages put on them, the article.

Every stage only *labels* blocks; nothing is deleted until `render`. A removed block carries
its category and the id of the rule (or heuristic) that removed it, which is what `--explain`,
batch statistics and rule tests read.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# Closed list of categories, shared by rule files and heuristics.
CATEGORIES: tuple[str, ...] = (
    "donation", "newsletter", "related", "share", "social", "caption", "pullquote", "legal",
    "copyright", "navigation", "advertisement", "paywall", "comments", "metadata", "duplicate", "other",
)

# Metadata fields a rule may take from a block.
META_FIELDS: tuple[str, ...] = ("title", "author", "date", "sitename", "tags", "url", "dateline")


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


@dataclass
class Block:
    """One unit of text the cleaner judges on its own: a paragraph, a line, or part of a line."""

    text: str
    line: int = 0               # 1-based line in the source text (0 when it has none, e.g. HTML)
    origin: str = "text"        # "text" | "html" | "html-stripped"
    heading: bool = False       # known to be a heading (from HTML markup)
    label: Label | None = None

    # A block's text never changes, so what every rule asks of it is computed once.
    @cached_property
    def words(self) -> int:
        return len(self.text.split())

    @cached_property
    def plain(self) -> str:
        """The text without leading bullets: what rule patterns match against."""
        from .blocks import plain  # blocks.py builds Blocks: imported here to avoid a cycle

        return plain(self.text)

    @cached_property
    def lowered(self) -> str:
        """The plain text case-folded: what case-insensitive literal gates look in."""
        return self.plain.casefold()


@dataclass(frozen=True)
class Removed:
    text: str
    category: str
    rule: str
    reason: str = ""
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "category": self.category, "rule": self.rule,
                "reason": self.reason, "line": self.line}


@dataclass
class Article:
    text: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None
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
        counts: dict[str, int] = {}
        for r in self.removed:
            counts[r.category] = counts.get(r.category, 0) + 1
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "sitename": self.sitename,
            "tags": list(self.tags),
            "url": self.url,
            "site": self.site,
            "input_format": self.input_format,
            "language": self.language,
            "removed": [r.to_dict() for r in self.removed],
            "warnings": list(self.warnings),
        }
