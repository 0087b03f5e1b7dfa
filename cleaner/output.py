"""What the CLI prints: the body, a metadata header, JSON, and the block-by-block explanation."""
from __future__ import annotations

import json

import click

from .article import Article

_HEADER_FIELDS: tuple[tuple[str, str], ...] = (
    ("Title", "title"), ("Author", "author"), ("Date", "date"), ("Site", "sitename"), ("URL", "url"),
)


def as_text(article: Article, *, with_metadata: bool = False) -> str:
    body = article.text
    if not with_metadata:
        return body + "\n" if body else ""
    header = [f"{name}: {getattr(article, key)}" for name, key in _HEADER_FIELDS if getattr(article, key)]
    if article.tags:
        header.append("Tags: " + ", ".join(article.tags))
    return "\n".join(header) + ("\n\n" + body if body else "") + "\n"


def as_json(article: Article) -> str:
    return json.dumps(article.to_dict(), ensure_ascii=False, indent=2) + "\n"


_STYLES = {
    "keep": {},
    "metadata": {"fg": "cyan"},
    "removed": {"fg": "red"},
}


def explain(article: Article, *, color: bool) -> str:
    """Every block of the input: kept or removed, with category and rule."""
    lines = [f"# site rules: {article.site or 'none (generic rules only)'}; "
             f"format: {article.input_format}; language: {article.language or '?'}"]
    for w in article.warnings:
        lines.append(f"# warning: {w}")
    for b in article.blocks:
        label = b.label
        where = f"{b.line:>4}" if b.line else "    "
        if label is None or label.keep:
            tag = "keep" if label is None else f"keep [{label.rule}]"
            style = _STYLES["keep"]
            mark = " "
        else:
            kind = "metadata" if label.category == "metadata" else "removed"
            field = f"={label.field}" if label.field else ""
            tag = f"{label.category}{field} [{label.rule}]"
            style = _STYLES[kind]
            mark = "-"
        text = f"{where} {mark} {tag:<40} {b.text}"
        lines.append(click.style(text, **style) if color and style else text)
    counts = article.removed_counts()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing"
    kept = sum(1 for b in article.blocks if b.live)
    lines.append(f"# kept {kept} of {len(article.blocks)} blocks; removed: {summary}")
    return "\n".join(lines) + "\n"
