"""Cleaning a chunk's documents: the work a worker does, the same on the local and Dask engines.

`clean_docs` cleans the documents `read_chunk` gave (with pass 1's common lines, for
--dedup-lines) and returns what is to be written (`ChunkResult`: the outputs, and one entry per
document for the part file); it never raises for one document's sake. `cleaned_record` is a
JSON Lines record with the cleaned fields added, as `newsclean batch` and `clean_bag` write it.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from ..article import Article
from ..read.decode import decode
from ..errors import CleanerError, InputError
from ..render import as_json, as_text
from ..pipeline import clean
from .config import BatchConfig, json_text, shown
from .corpus import get_path, set_path
from .dedup import CrossDoc, as_cross, site_key, text_digest
from .read import Doc
from .stats import CorpusStats, document_site

# --dedup-lines: a document left with less than this share of its words by the common lines
# (e.g. one of many copies of an article) is kept without them, with a warning (as the
# stale-rule guard, cleaner.label.by_rules.STALE_MIN_KEPT_SHARE).
DEDUP_MIN_KEPT_SHARE = 1 / 7


@dataclass
class ChunkResult:
    """What cleaning some documents of a chunk produced, in input order; written by
    `cleaner.batch.state.write_chunk`.

    `entries` has one dict per document: key (Doc.key), ok, and for a folder batch stamp
    ([size, mtime_ns] of the input); a cleaned one has duplicate_of and kept_whole (--dedup-lines,
    when so), and `record` (its manifest line, folder batch); a failed one has `error` (its
    errors-file line) and `corpus` (its own stats.json counts, so that --retry-errors can take
    them back)."""

    outputs: list[tuple[str, bytes]] = field(default_factory=list)   # dir mode: (relative output path, content)
    lines: list[str] = field(default_factory=list)                   # jsonl mode output lines
    entries: list[dict[str, Any]] = field(default_factory=list)
    corpus: CorpusStats = field(default_factory=CorpusStats)       # for stats.json
    # Each cleaned document's own counts (not kept: a failed document's go into its entry).
    doc_corpus: dict[str, CorpusStats] = field(default_factory=dict)

    def new_entry(self, doc: Doc) -> dict[str, Any]:
        """A document's entry, not cleaned yet (ok False), appended to `entries`."""
        entry: dict[str, Any] = {"key": doc.key, "ok": False}
        if doc.item is not None:
            entry["stamp"] = [doc.item.size, doc.item.mtime_ns]
        self.entries.append(entry)
        return entry


# The warning of a document --dedup-lines would have emptied.
DEDUP_KEPT_WARNING = ("all (or nearly all) of its lines are common to its site's documents (--dedup-lines): "
                      "kept without removing them")


def _dedup_words(article: Article) -> int:
    return sum(len(r.text.split()) for r in article.removed if r.rule == "dedup-lines")


def clean_flagged(cfg: BatchConfig, doc: Doc, common: CrossDoc | dict[str, frozenset[str]] | None
                  ) -> tuple[Article, bool, str | None]:
    """Clean one document: (article, kept_whole, duplicate_of). CleanerError for bad input.

    With --dedup-lines, the document's site's common lines are removed, unless that leaves less
    than DEDUP_MIN_KEPT_SHARE of its words: then it is cleaned without them and flagged
    (kept_whole, with a warning). duplicate_of names the first document with the same text
    when this one is a later copy."""
    cross = as_cross(common)
    options = cfg.options
    data: bytes | str = doc.data if doc.data is not None else ""
    duplicate_of = None
    if cfg.dedup is not None and cross:
        data = decode(data, source=doc.name)
        first = cross.duplicates.get(text_digest(data)) if cross.duplicates else None
        if first is not None and first != doc.name:
            duplicate_of = first
        lines = cross.lines.get(site_key(cfg, doc, data))
        if lines:
            options = dataclasses.replace(options, common_lines=lines)
    article = clean(data, url=doc.url, site=cfg.site, options=options, source=doc.name)
    if options is not cfg.options:
        gone = _dedup_words(article)
        kept = len(article.text.split())
        if gone and kept < DEDUP_MIN_KEPT_SHARE * (kept + gone):
            article = clean(data, url=doc.url, site=cfg.site, options=cfg.options, source=doc.name)
            article.warnings.append(DEDUP_KEPT_WARNING)
            return article, True, duplicate_of
    return article, False, duplicate_of


def clean_one(cfg: BatchConfig, doc: Doc, common: CrossDoc | dict[str, frozenset[str]] | None) -> Article:
    """Clean one document; CleanerError for bad input. `common` is pass 1's result (CrossDoc) or
    the common lines per site."""
    return clean_flagged(cfg, doc, common)[0]


def _error_record(cfg: BatchConfig, doc: Doc, reason: str) -> dict[str, Any]:
    rec: dict[str, Any] = {"path": shown(doc.name) if cfg.mode == "dir" else cfg.input_name}
    if cfg.mode == "jsonl":
        rec["line"] = doc.line
        if cfg.id_field:
            rec["id"] = doc.ident
    rec["reason"] = reason
    return rec


def metadata_fields(article: Article) -> dict[str, Any]:
    d = article.to_dict()
    d.pop("text")
    d.pop("removed")
    d["removed"] = article.removed_counts()
    return d


def cleaned_record(cfg: BatchConfig, record: dict[str, Any], article: Article,
                   duplicate_of: str | None = None) -> dict[str, Any]:
    """The input object with the cleaned fields added (jsonl mode and `clean_bag`). InputError
    when `output_field` is already a field of the record (unless cfg.replace_field)."""
    if get_path(record, cfg.output_field) is not None and not cfg.replace_field:
        raise InputError(f"the record already has a field {cfg.output_field!r}; choose another "
                         "--output-field or add --replace-field")
    out = dict(record)
    if cfg.fmt == "json":
        added = article.to_dict()
    else:
        added = {"text": article.text, **metadata_fields(article)}
    if duplicate_of is not None:
        added["duplicate_of"] = duplicate_of
    if cfg.replace_text:   # field paths may be dotted (metadata.newsclean): corpus.set_path
        out = set_path(out, cfg.text_field, added.pop("text"))
    return set_path(out, cfg.output_field, added)


def _size(data: bytes | str | None) -> int:
    if data is None:
        return 0
    return len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))


def _folder_output(cfg: BatchConfig, article: Article) -> bytes:
    if cfg.fmt == "json":
        text = as_json(article)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:     # lone surrogates: \u escapes, which read back the same
            return (json.dumps(article.to_dict(), ensure_ascii=True, indent=2) + "\n").encode("ascii")
    text = as_text(article, with_metadata=cfg.with_metadata)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("the cleaned text holds lone surrogates, which UTF-8 cannot encode; "
                         "use --format json") from None


def clean_docs(cfg: BatchConfig, docs: list[Doc],
               common: CrossDoc | dict[str, frozenset[str]] | None = None) -> ChunkResult:
    """Clean some documents; never raises for one document's sake: whatever the exception
    (CleanerError, RecursionError, MemoryError, UnicodeEncodeError, ...), its reason is recorded."""
    result = ChunkResult()
    for doc in docs:
        entry = result.new_entry(doc)
        reason = doc.error
        if reason is None:
            try:
                article, kept_whole, duplicate_of = clean_flagged(cfg, doc, common)
                size = _size(doc.data)
                counts: dict[str, Any] = {}
                if duplicate_of is not None:
                    counts["duplicate_of"] = duplicate_of
                if kept_whole:
                    counts["kept_whole"] = True
                site = document_site(doc.url, article.site, doc.item.rel if doc.item else None)
                mine = CorpusStats()
                mine.add_article(doc.name, article, size, site, doc.ident)
                if cfg.mode == "dir":
                    assert doc.item is not None
                    content = _folder_output(cfg, article)
                    record = {"path": doc.item.rel, "output": doc.item.out, **metadata_fields(article),
                              "bytes_in": size, "chars_out": len(article.text)}
                    if duplicate_of is not None:
                        record["duplicate_of"] = duplicate_of
                    json_text(record)                     # fails here, for this document, if at all
                    result.outputs.append((doc.item.out, content))
                    counts["record"] = record
                else:
                    assert doc.record is not None
                    result.lines.append(json_text(cleaned_record(cfg, doc.record, article, duplicate_of)) + "\n")
                entry.update(ok=True, **counts)
                result.corpus.merge(mine)
                result.doc_corpus[doc.key] = mine
                continue
            except CleanerError as exc:
                reason = exc.detail
            except Exception as exc:  # noqa: BLE001 - a bug; recorded, and the batch goes on
                reason = f"internal error: {type(exc).__name__}: {exc}"
        _fail(cfg, result, entry, doc, reason or "unknown error")
    return result


def fail_docs(cfg: BatchConfig, docs: list[Doc], reason: str) -> ChunkResult:
    """Record some documents as failed, unread ones with their own reason, the others with `reason`
    (their chunk could not be cleaned: its worker kept dying)."""
    result = ChunkResult()
    for doc in docs:
        entry = result.new_entry(doc)
        _fail(cfg, result, entry, doc, doc.error or reason)
    return result


def _fail(cfg: BatchConfig, result: ChunkResult, entry: dict[str, Any], doc: Doc, reason: str) -> None:
    site = document_site(doc.url, None, doc.item.rel if doc.item else None)
    mine = CorpusStats()
    mine.add_error(reason, site)
    entry["error"] = _error_record(cfg, doc, reason)
    entry["corpus"] = mine.to_dict()
    result.corpus.merge(mine)
