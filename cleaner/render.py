"""Render: the labelled blocks and metadata as an Article (`render`, the last stage of `clean()`), and
the Article as the CLI prints it: the body (text or Markdown), YAML front matter, JSON, and the
block-by-block explanation (as text, or as JSON with `--explain --format json`).

    text      the body: kept blocks joined by blank lines
    markdown  `# title`, then the body, a heading block as `## ...` (markdown_heading says which)
    json      Article.to_dict() on one line (`--pretty`: indented); with --explain, plus "blocks"
    --with-metadata (text, markdown): YAML front matter first, as trafilatura writes it:
              ---\\ntitle: ...\\nauthor: ...\\n---\\n then the body
"""
from __future__ import annotations

import json
from typing import Any

import yaml

from .article import Article, Block, Removed
from .metadata import Metadata

# Front matter: Article field -> YAML key, in this order; empty fields are left out.
FRONT_MATTER_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "title"), ("author", "author"), ("date", "date"), ("sitename", "sitename"), ("url", "url"),
    ("tags", "tags"), ("language", "language"),
)
FRONT_MATTER_DELIMITER = "---"
# Indentation of `--pretty` JSON.
PRETTY_INDENT = 2
# Markdown: a kept line of a text input is a subheading when it has at most this many words, does
# not end like a sentence or a clause (MARKDOWN_SENTENCE_ENDS), starts with a capital letter or a
# digit, and a kept block follows it. HTML blocks are subheadings when the page marks them (<h2>...).
MARKDOWN_HEADING_MAX_WORDS = 10
MARKDOWN_SENTENCE_ENDS = tuple(".!?:;,…\"'”’»)]-–—")
# A body line starting with one of these would read as Markdown structure: it gets a backslash.
MARKDOWN_ESCAPE_STARTS = ("#", ">", "=", "|")


def render(blocks: list[Block], meta: Metadata, *, site: str | None, input_format: str, language: str | None,
           warnings: list[str]) -> Article:
    """The Article of a labelled document: `text` is the kept blocks' text joined by blank lines,
    `removed` every removed block (category, rule, reason, line) in document order, the metadata
    fields from `meta`, and `blocks` the labelled blocks themselves. site: the applied site rules'
    name; input_format: "text" or "html"; language: an ISO 639-1 code or None; warnings: one line each."""
    kept = [b.text for b in blocks if b.live]
    removed = [Removed(text=b.text, category=b.label.category, rule=b.label.rule, reason=b.label.reason, line=b.line)
               for b in blocks if b.label is not None and b.label.removed]
    return Article(text="\n\n".join(kept), title=meta.title, authors=list(meta.authors), author=meta.author,
                   date=meta.date, datetime=meta.datetime, updated=meta.updated,
                   sitename=meta.sitename, tags=meta.tags, url=meta.url, removed=removed, site=site,
                   input_format=input_format, language=language, warnings=warnings, blocks=blocks)


def front_matter(article: Article) -> str:
    """The article's metadata as YAML front matter (`---`, one `key: value` line per non-empty
    field, `---`), values escaped by PyYAML (a date stays a string: '2008-03-27')."""
    data: dict[str, Any] = {}
    for attr, key in FRONT_MATTER_FIELDS:
        value = getattr(article, attr)
        if value:
            data[key] = list(value) if isinstance(value, list) else value
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=float("inf")) if data else ""
    return f"{FRONT_MATTER_DELIMITER}\n{body}{FRONT_MATTER_DELIMITER}\n"


def as_text(article: Article, *, with_metadata: bool = False) -> str:
    """The body, ending in one newline ("" for an empty body); with_metadata: front matter first."""
    body = article.text + "\n" if article.text else ""
    return front_matter(article) + body if with_metadata else body


def as_json(article: Article, *, pretty: bool = False, blocks: bool = False) -> str:
    """Article.to_dict() as JSON on one line (pretty: indented), ending in a newline. blocks: add
    "blocks", every block with its label (explain_records)."""
    data = article.to_dict()
    if blocks:
        data["blocks"] = explain_records(article)
    return json.dumps(data, ensure_ascii=False, indent=PRETTY_INDENT if pretty else None) + "\n"


def markdown_heading(block: Block, following: Block | None) -> bool:
    """Whether a kept block is rendered as a `## ` subheading (see MARKDOWN_HEADING_MAX_WORDS)."""
    if block.heading:
        return True
    if block.origin != "text" or following is None:
        return False
    text = block.plain
    return (0 < block.words <= MARKDOWN_HEADING_MAX_WORDS and not text.endswith(MARKDOWN_SENTENCE_ENDS)
            and (text[:1].isupper() or text[:1].isdigit()))


def _markdown_line(text: str) -> str:
    return "\\" + text if text.startswith(MARKDOWN_ESCAPE_STARTS) else text


def as_markdown(article: Article, *, with_metadata: bool = False) -> str:
    """The article as Markdown: `# title` (when there is one), then each kept block as a paragraph,
    a subheading as `## ...` (markdown_heading); with_metadata: YAML front matter first."""
    kept = [b for b in article.blocks if b.live]
    parts = [f"# {article.title}"] if article.title else []
    for i, b in enumerate(kept):
        following = kept[i + 1] if i + 1 < len(kept) else None
        parts.append(f"## {b.text}" if markdown_heading(b, following) else _markdown_line(b.text))
    body = "\n\n".join(parts) + "\n" if parts else ""
    return front_matter(article) + body if with_metadata else body


def explain_records(article: Article) -> list[dict[str, Any]]:
    """Every block of the input in order, as the JSON of `--explain --format json`: text, line
    (1-based, 0 for HTML), kept (bool), category ("body" when kept), rule (the rule or heuristic
    that labelled it, "" when none did), reason, field and value (a metadata field it gave)."""
    out = []
    for b in article.blocks:
        label = b.label
        out.append({
            "text": b.text, "line": b.line, "kept": b.live,
            "category": label.category if label is not None else "body",
            "rule": label.rule if label is not None else "",
            "reason": label.reason if label is not None else "",
            "field": label.field if label is not None else None,
            "value": label.value if label is not None else None,
        })
    return out


_STYLES = {
    "keep": {},
    "metadata": {"fg": "cyan"},
    "removed": {"fg": "red"},
}


# Reasons shown under their block by --explain (the block model's score and strongest features).
MODEL_REASON_PREFIX = "model:"


def explain(article: Article, *, color: bool) -> str:
    """Every block of the input: kept or removed, with category and rule (and, for the block
    model's decisions, its score and strongest features on a line below)."""
    import click  # imported here: clean() renders Articles without the CLI's library

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
        if label is not None and label.reason.startswith(MODEL_REASON_PREFIX):
            lines.append(f"{'':>4}   # {label.reason}")  # the model's score and strongest features
    counts = article.removed_counts()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items()) or "nothing"
    kept = sum(1 for b in article.blocks if b.live)
    lines.append(f"# kept {kept} of {len(article.blocks)} blocks; removed: {summary}")
    return "\n".join(lines) + "\n"
