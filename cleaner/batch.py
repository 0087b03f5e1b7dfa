"""Batch cleaning: a directory tree or a JSON Lines corpus, on all cores, resumable.

The corpus is cut into *chunks* (a fixed number of files or lines, in a fixed order). A chunk is
the unit of work, of resume and of output order:

    plan      sorted input files (or byte ranges of JSON lines) -> chunks
    [pass 1]  --dedup-lines: per site, in how many documents each dedup_key occurs -> common lines
    pass 2    each chunk: read -> clean -> write its outputs atomically -> write its part file
    assemble  part files, in chunk order -> manifest.jsonl / out.jsonl and errors.jsonl (atomically)

A chunk's part file (in the state folder) is written last, atomically, so it exists only when
everything the chunk produced exists: a killed run is resumed by skipping the chunks that have
one. The same functions serve the local engine (a process pool) and the Dask engine
(`cleaner.dask_engine`): `read_chunk` -> `clean_docs` -> `write_chunk`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Protocol, TextIO

from .article import Article
from .batch_stats import (STATS_NAME, CorpusStats, document_site, previous_throughput, stats_path_for, throughput,
                          write_stats)
from .blocks import dedup_key, text_blocks
from .corpus_io import compressed_fill, get_path, is_jsonl_name, plain_name, record_problem, set_path
from .decode import decode, detect_format
from .errors import CleanerError
from .fileio import MAX_DOCUMENT_BYTES, write_atomic, write_atomic_stream
from .output import as_json, as_text
from .pipeline import Options, clean
from .progress import Progress
from .rules import load_ruleset, url_host

# Files a directory batch cleans (by suffix, case-insensitive); hidden files and folders are skipped.
TEXT_SUFFIXES: tuple[str, ...] = (".txt", ".text")
HTML_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".xhtml", ".shtml")
DEFAULT_SUFFIXES: tuple[str, ...] = TEXT_SUFFIXES + HTML_SUFFIXES
JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".json", ".jsonlines")
# Documents per chunk: small enough that a killed run loses little, large enough to amortise.
DEFAULT_CHUNK_DOCS = 64
# Chunks submitted ahead of the finished ones, per worker: keeps memory flat on any corpus size.
IN_FLIGHT_PER_JOB = 3
# --dedup-lines: a line is common when it is in at least this share of a site's documents ...
DEFAULT_DEDUP_MIN_SHARE = 0.3
# ... and the site has at least this many documents (fewer say nothing about recurrence).
DEFAULT_DEDUP_MIN_DOCS = 10
# A line must recur in at least this many documents to count as common, whatever the share.
DEDUP_MIN_COUNT = 2

STATE_DIR = ".newsclean"                     # inside OUT_DIR, or `.<out.jsonl>.newsclean` beside it
MANIFEST_NAME = "manifest.jsonl"
ERRORS_NAME = "errors.jsonl"
STATE_VERSION = 2                            # bump when part files change shape (2: corpus counts)
READ_BLOCK = 1 << 20
# Temporary files left by a killed write_atomic: `.<name>.<random>.tmp`.
_TEMP_FILE = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


class BatchError(CleanerError):
    """A batch that cannot start: bad paths, output inside input, unwritable output, ..."""


# ---------------------------------------------------------------- configuration and plan

@dataclass(frozen=True)
class DedupSettings:
    min_share: float = DEFAULT_DEDUP_MIN_SHARE
    min_docs: int = DEFAULT_DEDUP_MIN_DOCS


@dataclass(frozen=True)
class BatchConfig:
    """Everything that decides a batch's output (and so whether a part file can be reused)."""

    source: str                              # absolute input directory or JSON Lines file
    target: str                              # absolute output directory or JSON Lines file
    mode: str                                # "dir" | "jsonl"
    fmt: str = "text"                        # text | json
    with_metadata: bool = False              # dir mode, text format: metadata header
    site: str | None = None
    options: Options = field(default_factory=Options)
    text_field: str = "text"
    url_field: str | None = "url"
    id_field: str | None = None
    output_field: str = "clean"
    replace_text: bool = False
    suffixes: tuple[str, ...] = DEFAULT_SUFFIXES
    chunk_docs: int = DEFAULT_CHUNK_DOCS
    max_bytes: int = MAX_DOCUMENT_BYTES
    dedup: DedupSettings | None = None
    layout: str | None = None                # jsonl: "dolma" | "datatrove" (corpus_io.LAYOUTS)
    source_name: str | None = None           # how messages name the input (default: its file name)

    @property
    def input_name(self) -> str:
        """The input's name in messages and errors.jsonl: `source_name`, else the file's name."""
        return self.source_name or Path(self.source).name

    def fingerprint(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["options"].pop("common_lines", None)
        data["options"]["heuristics_off"] = sorted(data["options"].get("heuristics_off", ()))
        data["options"]["rules_dirs"] = list(self.options.rules_dirs)
        data["version"] = STATE_VERSION
        return json.loads(json.dumps(data))     # as it reads back from config.json


@dataclass(frozen=True)
class FileItem:
    rel: str                                 # input path relative to the input folder (posix)
    out: str                                 # output path relative to the output folder ("" = collision)
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Chunk:
    index: int
    files: tuple[FileItem, ...] = ()         # dir mode
    start: int = 0                           # jsonl mode: byte range [start, end) ...
    end: int = 0
    first_line: int = 1                      # ... and the 1-based number of its first line
    lines: int = 0

    @property
    def size(self) -> int:
        return len(self.files) if self.files else self.lines

    @property
    def digest(self) -> str:
        if self.files:
            payload = json.dumps([dataclasses.astuple(f) for f in self.files])
        else:
            payload = f"{self.start}-{self.end}-{self.first_line}"
        return hashlib.sha1(payload.encode()).hexdigest()


@dataclass
class Doc:
    """One document as read, before cleaning."""

    name: str                                # how messages name it: path, or file:line
    data: bytes | str | None = None
    url: str | None = None
    record: dict[str, Any] | None = None     # jsonl: the input object
    item: FileItem | None = None             # dir mode
    line: int = 0
    ident: Any = None
    error: str | None = None                 # could not even be read


def input_suffix_ok(name: str, suffixes: tuple[str, ...]) -> bool:
    return name.lower().endswith(suffixes)


def list_files(root: Path, suffixes: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """(posix relative path, size, mtime_ns) of every input file, sorted; hidden entries skipped."""
    found: list[tuple[str, int, int]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or not input_suffix_ok(name, suffixes):
                continue
            full = Path(dirpath) / name
            try:
                st = full.stat()
            except OSError:
                st = None
            rel = full.relative_to(root).as_posix()
            found.append((rel, st.st_size if st else -1, st.st_mtime_ns if st else -1))
    found.sort()
    return found


def output_names(rels: list[str], ext: str) -> dict[str, str]:
    """Mirror each input path with the output extension; on a clash (a.txt and a.html), the files
    whose name changes keep their full name (a.html -> a.html.txt). "" when still clashing."""
    first = {rel: str(PurePosixPath(rel).with_suffix(ext)) for rel in rels}
    by_out: dict[str, list[str]] = {}
    for rel, out in first.items():
        by_out.setdefault(out.lower(), []).append(rel)
    names = dict(first)
    for group in by_out.values():
        if len(group) > 1:
            for rel in group:
                if rel != first[rel]:
                    names[rel] = rel + ext
    seen: Counter[str] = Counter(n.lower() for n in names.values())
    seen.update([STATS_NAME])                # stats.json beside the outputs is the batch's own
    return {rel: (out if seen[out.lower()] == 1 else "") for rel, out in names.items()}


def plan_dir(cfg: BatchConfig) -> list[Chunk]:
    files = list_files(Path(cfg.source), cfg.suffixes)
    names = output_names([f[0] for f in files], ".json" if cfg.fmt == "json" else ".txt")
    items = [FileItem(rel, names[rel], size, mtime) for rel, size, mtime in files]
    n = cfg.chunk_docs
    return [Chunk(index=i, files=tuple(items[k:k + n])) for i, k in enumerate(range(0, len(items), n))]


def plan_jsonl(cfg: BatchConfig) -> list[Chunk]:
    """Byte ranges of `chunk_docs` lines each, found by scanning for newlines (never a whole line
    in memory, so a huge line costs nothing here)."""
    chunks: list[Chunk] = []
    start, first_line, lines, pos = 0, 1, 0, 0
    with open(cfg.source, "rb") as fh:
        while True:
            block = fh.read(READ_BLOCK)
            if not block:
                break
            i = block.find(b"\n")
            while i != -1:
                lines += 1
                if lines == cfg.chunk_docs:
                    end = pos + i + 1
                    chunks.append(Chunk(index=len(chunks), start=start, end=end, first_line=first_line, lines=lines))
                    start, first_line, lines = end, first_line + lines, 0
                i = block.find(b"\n", i + 1)
            pos += len(block)
    if pos > start:
        chunks.append(Chunk(index=len(chunks), start=start, end=pos, first_line=first_line, lines=lines + 1))
    return chunks


# ---------------------------------------------------------------- reading

def read_chunk(cfg: BatchConfig, chunk: Chunk) -> list[Doc]:
    return _read_dir_chunk(cfg, chunk) if cfg.mode == "dir" else _read_jsonl_chunk(cfg, chunk)


def _read_dir_chunk(cfg: BatchConfig, chunk: Chunk) -> list[Doc]:
    docs = []
    for item in chunk.files:
        doc = Doc(name=item.rel, item=item)
        path = Path(cfg.source) / item.rel
        try:
            size = path.stat().st_size
            if size > cfg.max_bytes:
                doc.error = f"too large ({size} bytes; the limit is {cfg.max_bytes})"
            else:
                doc.data = path.read_bytes()
        except OSError as exc:
            doc.error = f"cannot read: {exc.strerror or exc}"
        if not item.out and doc.error is None:
            doc.error = "its output name clashes with another input's; rename one of them"
        docs.append(doc)
    return docs


def _read_jsonl_chunk(cfg: BatchConfig, chunk: Chunk) -> list[Doc]:
    docs: list[Doc] = []
    name = cfg.input_name
    with open(cfg.source, "rb") as fh:
        fh.seek(chunk.start)
        number = chunk.first_line
        while fh.tell() < chunk.end:
            raw = fh.readline(cfg.max_bytes + 1)
            if not raw:
                break
            where = f"{name}:{number}"
            if len(raw) > cfg.max_bytes and not raw.endswith(b"\n"):
                size = len(raw)
                while raw and not raw.endswith(b"\n"):
                    raw = fh.readline(READ_BLOCK)
                    size += len(raw)
                docs.append(Doc(name=where, line=number,
                                error=f"line too large ({size} bytes; the limit is {cfg.max_bytes})"))
            elif raw.strip():
                docs.append(_parse_line(cfg, raw, where, number))
            number += 1
    return docs


def _parse_line(cfg: BatchConfig, raw: bytes, where: str, number: int) -> Doc:
    doc = Doc(name=where, line=number)
    try:
        record = json.loads(raw)
    except UnicodeDecodeError:
        doc.error = "undecodable bytes: a JSON line must be UTF-8"
        return doc
    except ValueError as exc:
        doc.error = f"broken JSON line: {exc}"
        return doc
    if not isinstance(record, dict):
        doc.error = "not a JSON object"
        return doc
    doc.record = record
    if cfg.id_field:
        doc.ident = get_path(record, cfg.id_field)
    url = get_path(record, cfg.url_field) if cfg.url_field else None
    if isinstance(url, str):
        doc.url = url or None
    text = get_path(record, cfg.text_field)
    if not isinstance(text, str):
        doc.error = f"no text field {cfg.text_field!r}" if text is None else f"field {cfg.text_field!r} is not a string"
        return doc
    doc.error = record_problem(record, cfg.layout,
                               (cfg.output_field,) + ((cfg.text_field,) if cfg.replace_text else ()))
    doc.data = text
    return doc


# ---------------------------------------------------------------- the site a document counts for

def site_key(cfg: BatchConfig, doc: Doc, text: str) -> str:
    """Whose documents a line is counted among for --dedup-lines: the URL's host (without www.),
    else the site rules that match (--site or a fingerprint), else the input's top folder
    (directory mode; files at the top share one group), else one group for the whole corpus."""
    host = url_host(doc.url)
    host = host[4:] if host.startswith("www.") else host
    if host:
        return "host:" + host
    if cfg.site or cfg.options.site_rules:
        site = load_ruleset(cfg.options.rules_dirs).match(text=text, site=cfg.site)
        if site is not None:
            return "rules:" + site.name
    if doc.item is not None:
        parts = PurePosixPath(doc.item.rel).parts
        return "folder:" + (parts[0] if len(parts) > 1 else "")
    return "corpus"


def document_keys(cfg: BatchConfig, doc: Doc, text: str) -> set[str]:
    """The dedup keys of a document's blocks that the labelling stages could still judge."""
    fmt = detect_format(text, cfg.options.input_format)
    if fmt == "html":
        from .html import html_blocks

        rules = load_ruleset(cfg.options.rules_dirs)
        site = rules.match(url=doc.url, text=text, site=cfg.site) if (cfg.options.site_rules or cfg.site) else None
        blocks, _ = html_blocks(text, url=doc.url, site=site, rules=rules.generic)
    else:
        blocks = text_blocks(text)
    return {k for k in (dedup_key(b.text) for b in blocks if b.label is None) if k}


@dataclass
class LineCounts:
    """Pass 1's result for some documents: documents per site, and per site per key."""

    docs: Counter[str] = field(default_factory=Counter)
    keys: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, other: "LineCounts") -> None:
        self.docs.update(other.docs)
        for site, counts in other.keys.items():
            self.keys.setdefault(site, Counter()).update(counts)

    def common(self, settings: DedupSettings) -> dict[str, frozenset[str]]:
        out: dict[str, frozenset[str]] = {}
        for site in sorted(self.docs):
            n = self.docs[site]
            if n < settings.min_docs:
                continue
            need = max(DEDUP_MIN_COUNT, math.ceil(settings.min_share * n))
            keys = frozenset(k for k, c in self.keys.get(site, Counter()).items() if c >= need)
            if keys:
                out[site] = keys
        return out


def count_docs(cfg: BatchConfig, docs: list[Doc]) -> LineCounts:
    """Pass 1 on some documents. Documents that fail to decode are not counted (pass 2 reports them)."""
    counts = LineCounts()
    for doc in docs:
        if doc.error is not None or doc.data is None:
            continue
        try:
            text = decode(doc.data, source=doc.name)
            keys = document_keys(cfg, doc, text)
            site = site_key(cfg, doc, text)
        except Exception:  # noqa: BLE001 - pass 2 reports every failure, with its reason
            continue
        counts.docs[site] += 1
        counts.keys.setdefault(site, Counter()).update(keys)
    return counts


def common_digest(common: dict[str, frozenset[str]]) -> str:
    h = hashlib.sha1()
    for site in sorted(common):
        h.update(site.encode() + b"\0")
        for key in sorted(common[site]):
            h.update(key.encode() + b"\n")
    return h.hexdigest()


# ---------------------------------------------------------------- cleaning

@dataclass
class ChunkStats:
    documents: int = 0
    cleaned: int = 0
    failed: int = 0
    with_warnings: int = 0
    bytes_in: int = 0
    chars_out: int = 0
    removed: Counter[str] = field(default_factory=Counter)

    def add(self, other: "ChunkStats") -> None:
        self.documents += other.documents
        self.cleaned += other.cleaned
        self.failed += other.failed
        self.with_warnings += other.with_warnings
        self.bytes_in += other.bytes_in
        self.chars_out += other.chars_out
        self.removed.update(other.removed)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["removed"] = dict(sorted(self.removed.items()))
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ChunkStats":
        return cls(**{**d, "removed": Counter(d.get("removed", {}))})


@dataclass
class ChunkResult:
    """What cleaning a chunk produced, in input order; written by `write_chunk`."""

    outputs: list[tuple[str, str]] = field(default_factory=list)   # dir mode: (relative output path, content)
    records: list[dict[str, Any]] = field(default_factory=list)    # dir mode manifest records
    lines: list[str] = field(default_factory=list)                 # jsonl mode output lines
    errors: list[dict[str, Any]] = field(default_factory=list)
    stats: ChunkStats = field(default_factory=ChunkStats)
    corpus: CorpusStats = field(default_factory=CorpusStats)       # for stats.json


def clean_one(cfg: BatchConfig, doc: Doc, common: dict[str, frozenset[str]]) -> Article:
    """Clean one document; CleanerError for bad input. `common` is pass 1's lines per site."""
    options = cfg.options
    data: bytes | str = doc.data if doc.data is not None else ""
    if cfg.dedup is not None and common:
        data = decode(data, source=doc.name)
        lines = common.get(site_key(cfg, doc, data))
        if lines:
            options = dataclasses.replace(options, common_lines=lines)
    return clean(data, url=doc.url, site=cfg.site, options=options, source=doc.name)


def _error_record(cfg: BatchConfig, doc: Doc, reason: str) -> dict[str, Any]:
    rec: dict[str, Any] = {"path": doc.name if cfg.mode == "dir" else cfg.input_name}
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


def cleaned_record(cfg: BatchConfig, record: dict[str, Any], article: Article) -> dict[str, Any]:
    """The input object with the cleaned fields added (jsonl mode and `clean_bag`)."""
    out = dict(record)
    if cfg.fmt == "json":
        added = article.to_dict()
    else:
        added = {"text": article.text, **metadata_fields(article)}
    if cfg.replace_text:   # field paths may be dotted (metadata.newsclean): corpus_io.set_path
        out = set_path(out, cfg.text_field, added.pop("text"))
    return set_path(out, cfg.output_field, added)


def _size(data: bytes | str | None) -> int:
    if data is None:
        return 0
    return len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))


def clean_docs(cfg: BatchConfig, docs: list[Doc], common: dict[str, frozenset[str]] | None = None) -> ChunkResult:
    """Clean some documents; never raises for one document's sake (its error is recorded)."""
    result = ChunkResult()
    stats = result.stats
    for doc in docs:
        stats.documents += 1
        reason = doc.error
        article = None
        if reason is None:
            try:
                article = clean_one(cfg, doc, common or {})
            except CleanerError as exc:
                reason = exc.detail
            except Exception as exc:  # noqa: BLE001 - a bug; recorded, and the batch goes on
                reason = f"internal error: {type(exc).__name__}: {exc}"
        site = document_site(doc.url, article.site if article else None, doc.item.rel if doc.item else None)
        if article is None:
            stats.failed += 1
            result.errors.append(_error_record(cfg, doc, reason or "unknown error"))
            result.corpus.add_error(reason or "unknown error", site)
            continue
        stats.cleaned += 1
        size = _size(doc.data)
        result.corpus.add_article(doc.name, article, size, site, doc.ident)
        stats.bytes_in += size
        stats.chars_out += len(article.text)
        stats.with_warnings += bool(article.warnings)
        stats.removed.update(article.removed_counts())
        if cfg.mode == "dir":
            assert doc.item is not None
            content = as_json(article) if cfg.fmt == "json" else as_text(article, with_metadata=cfg.with_metadata)
            result.outputs.append((doc.item.out, content))
            result.records.append({"path": doc.item.rel, "output": doc.item.out, **metadata_fields(article),
                                   "bytes_in": size, "chars_out": len(article.text)})
        else:
            assert doc.record is not None
            result.lines.append(json.dumps(cleaned_record(cfg, doc.record, article), ensure_ascii=False) + "\n")
    return result


# ---------------------------------------------------------------- writing

def state_dir(cfg: BatchConfig) -> Path:
    if cfg.mode == "dir":
        return Path(cfg.target) / STATE_DIR
    target = Path(cfg.target)
    return target.parent / f".{target.name}{STATE_DIR}"


def errors_path(cfg: BatchConfig) -> Path:
    if cfg.mode == "dir":
        return Path(cfg.target) / ERRORS_NAME
    target = Path(cfg.target)
    name = plain_name(target)                # out.jsonl.gz -> out.errors.jsonl
    stem = name[:-len(Path(name).suffix)] if Path(name).suffix else name
    return target.parent / f"{stem}.{ERRORS_NAME}"


def _part(cfg: BatchConfig, chunk: Chunk, ext: str) -> Path:
    return state_dir(cfg) / "parts" / f"part-{chunk.index:07d}{ext}"


def write_chunk(cfg: BatchConfig, chunk: Chunk, result: ChunkResult) -> ChunkStats:
    """Write the chunk's outputs (each atomically), then its part file: the chunk is done."""
    if cfg.mode == "dir":
        kept_records = []
        for (out, content), record in zip(result.outputs, result.records):
            try:
                write_atomic(Path(cfg.target) / out, content)
                kept_records.append(record)
            except OSError as exc:
                result.stats.cleaned -= 1
                result.stats.failed += 1
                result.errors.append({"path": record["path"],
                                      "reason": f"cannot write {out}: {exc.strerror or exc}"})
                result.corpus.not_written(document_site(record.get("url"), record.get("site"), record["path"]))
        result.records = kept_records
    else:
        write_atomic(_part(cfg, chunk, ".jsonl"), "".join(result.lines))
    meta = {"digest": chunk.digest, "records": result.records,
            "errors": sorted(result.errors, key=_error_order), "stats": result.stats.to_dict(),
            "corpus": result.corpus.to_dict()}
    write_atomic(_part(cfg, chunk, ".json"), json.dumps(meta, ensure_ascii=False) + "\n")
    return result.stats


def _error_order(rec: dict[str, Any]) -> tuple:
    return (rec.get("line", 0), rec.get("path", ""))


def run_chunk(cfg: BatchConfig, chunk: Chunk, common: dict[str, frozenset[str]] | None) -> ChunkStats:
    """The local engine's task: read, clean and write one chunk in this (worker) process."""
    return write_chunk(cfg, chunk, clean_docs(cfg, read_chunk(cfg, chunk), common))


def count_chunk(cfg: BatchConfig, chunk: Chunk) -> LineCounts:
    return count_docs(cfg, read_chunk(cfg, chunk))


def load_part(cfg: BatchConfig, chunk: Chunk) -> dict[str, Any] | None:
    try:
        meta = json.loads(_part(cfg, chunk, ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("digest") == chunk.digest else None


def _chunk_done(cfg: BatchConfig, chunk: Chunk, meta: dict[str, Any] | None, assembled: bool) -> bool:
    if meta is None:
        return False
    if cfg.mode == "dir":
        # Failed documents are tried again on a rerun (an unwritable folder may have been fixed);
        # a deleted output is written again.
        return not meta["errors"] and all((Path(cfg.target) / r["output"]).is_file() for r in meta["records"])
    return assembled or _part(cfg, chunk, ".jsonl").is_file()


def _copy_into(fh, path: Path) -> None:
    with open(path, "rb") as src:
        shutil.copyfileobj(src, fh, READ_BLOCK)


# ---------------------------------------------------------------- engines

class Engine(Protocol):
    def count(self, cfg: BatchConfig, chunks: list[Chunk]) -> Iterator[tuple[Chunk, LineCounts]]: ...

    def clean(self, cfg: BatchConfig, chunks: list[Chunk],
              common: dict[str, frozenset[str]]) -> Iterator[tuple[Chunk, ChunkStats]]: ...


class LocalEngine:
    """`jobs` worker processes (or this process alone for jobs=1); a bounded number of chunks in
    flight, so memory does not grow with the corpus. Completion order does not matter: every
    chunk writes its own files, and assembly goes by chunk number."""

    def __init__(self, jobs: int):
        self.jobs = max(1, jobs)

    def __enter__(self) -> "LocalEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def count(self, cfg: BatchConfig, chunks: list[Chunk]) -> Iterator[tuple[Chunk, LineCounts]]:
        return self._map(count_chunk, cfg, chunks, ())

    def clean(self, cfg: BatchConfig, chunks: list[Chunk],
              common: dict[str, frozenset[str]]) -> Iterator[tuple[Chunk, ChunkStats]]:
        return self._map(run_chunk, cfg, chunks, (common,))

    def _map(self, fn: Callable, cfg: BatchConfig, chunks: list[Chunk], extra: tuple) -> Iterator[tuple[Chunk, Any]]:
        if self.jobs == 1 or len(chunks) <= 1:
            for chunk in chunks:
                yield chunk, fn(cfg, chunk, *extra)
            return
        todo = iter(chunks)
        with ProcessPoolExecutor(max_workers=self.jobs) as pool:
            running: dict[Future, Chunk] = {}

            def submit() -> bool:
                chunk = next(todo, None)
                if chunk is None:
                    return False
                running[pool.submit(fn, cfg, chunk, *extra)] = chunk
                return True

            for _ in range(self.jobs * IN_FLIGHT_PER_JOB):
                if not submit():
                    break
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: running[f].index):
                    chunk = running.pop(fut)
                    yield chunk, fut.result()
                    submit()


# ---------------------------------------------------------------- progress and summary

@dataclass
class Summary:
    stats: ChunkStats
    resumed: int                             # documents done by an earlier run and skipped now
    seconds: float
    errors_file: str
    output: str
    common_lines: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.stats.failed

    def lines(self) -> list[str]:
        s = self.stats
        out = [f"{s.documents} documents: {s.cleaned} cleaned, {s.failed} failed"
               + (f" (see {self.errors_file})" if s.failed else "")
               + (f"; {self.resumed} already done by an earlier run" if self.resumed else "")]
        new = s.documents - self.resumed
        if new > 0 and self.seconds > 0:
            out.append(f"{new} documents in {self.seconds:.1f} s ({new / self.seconds:,.1f} docs/s)")
        removed = ", ".join(f"{k} {v}" for k, v in sorted(s.removed.items())) or "nothing"
        out.append(f"removed blocks: {removed}")
        out.append(f"documents with warnings: {s.with_warnings}")
        if self.common_lines:
            out.append("common lines (--dedup-lines): "
                       + ", ".join(f"{k} {v}" for k, v in sorted(self.common_lines.items())))
        out.append(f"output: {self.output}")
        return out


# ---------------------------------------------------------------- the batch

def check_paths(source: Path, target: Path) -> str:
    """The mode ("dir" | "jsonl"); BatchError for paths that would lose or mix data."""
    if not source.exists():
        raise BatchError("no such file or directory", path=str(source))
    src = source.resolve()
    tgt = target.resolve()
    if src.is_dir():
        if tgt == src or src in tgt.parents:
            raise BatchError(f"the output {target} is inside the input folder; choose a folder outside it",
                             path=str(source))
        if tgt in src.parents:
            raise BatchError(f"the input is inside the output folder {target}; choose a folder outside it",
                             path=str(source))
        if tgt.exists() and not tgt.is_dir():
            raise BatchError("the output must be a folder when the input is a folder", path=str(target))
        return "dir"
    if not is_jsonl_name(source.name, JSONL_SUFFIXES):
        raise BatchError("the input must be a folder or a JSON Lines file (.jsonl, .ndjson; "
                         ".gz, .zst or .bz2 compressed), or '-' for standard input; "
                         "use 'newsclean clean' for one document", path=str(source))
    if tgt == src:
        raise BatchError("the output would overwrite the input", path=str(source))
    if tgt.is_dir():
        raise BatchError("the output must be a file (e.g. cleaned.jsonl) when the input is JSON Lines",
                         path=str(target))
    return "jsonl"


def _prepare_state(cfg: BatchConfig, fingerprint: dict[str, Any], out: TextIO) -> bool:
    """Create the state folder; drop part files made with other settings. True when resuming."""
    state = state_dir(cfg)
    try:
        (state / "parts").mkdir(parents=True, exist_ok=True)
        probe = state / "parts" / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BatchError(f"cannot write the output: {exc.strerror or exc}", path=cfg.target) from None
    config_file = state / "config.json"
    try:
        previous = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    if previous == fingerprint:
        return True
    if previous is not None:
        out.write("newsclean batch: settings or input changed since the last run; starting over\n")
    for p in (state / "parts").iterdir():
        if p.name.startswith("part-") or _TEMP_FILE.match(p.name):
            p.unlink()
    (state / "assembled.json").unlink(missing_ok=True)
    write_atomic(config_file, json.dumps(fingerprint, sort_keys=True) + "\n")
    return False


def sweep_temp_files(cfg: BatchConfig) -> None:
    """Remove the temporary files a killed run left (they are never outputs)."""
    roots = [state_dir(cfg)]
    if cfg.mode == "dir":
        roots.append(Path(cfg.target))
    else:
        for p in Path(cfg.target).parent.glob(f".{Path(cfg.target).name}.*.tmp"):
            p.unlink(missing_ok=True)
        for p in Path(cfg.target).parent.glob(f".{errors_path(cfg).name}.*.tmp"):
            p.unlink(missing_ok=True)
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                if _TEMP_FILE.match(name):
                    (Path(dirpath) / name).unlink(missing_ok=True)


def _assembled_marker(cfg: BatchConfig) -> Path:
    return state_dir(cfg) / "assembled.json"


def _output_identity(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def assemble(cfg: BatchConfig, chunks: list[Chunk]) -> ChunkStats:
    """Part files, in chunk order, into the final outputs (each written atomically)."""
    total = ChunkStats()
    metas = []
    for chunk in chunks:
        meta = load_part(cfg, chunk)
        assert meta is not None, f"chunk {chunk.index} has no part file"
        total.add(ChunkStats.from_dict(meta["stats"]))
        metas.append(meta)

    def fill_errors(fh) -> None:
        for meta in metas:
            for rec in meta["errors"]:
                fh.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))

    if cfg.mode == "dir":
        def fill_manifest(fh) -> None:
            for meta in metas:
                for rec in meta["records"]:
                    fh.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))

        write_atomic_stream(Path(cfg.target) / MANIFEST_NAME, fill_manifest)
        write_atomic_stream(errors_path(cfg), fill_errors)
        return total

    target = Path(cfg.target)
    marker = _assembled_marker(cfg)
    try:
        done = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        done = None
    if done is None or done.get("output") != _output_identity(target):
        def fill_output(fh) -> None:
            for chunk in chunks:
                _copy_into(fh, _part(cfg, chunk, ".jsonl"))

        write_atomic_stream(target, compressed_fill(target, fill_output))   # .gz/.zst/.bz2 by name
        write_atomic_stream(errors_path(cfg), fill_errors)
        write_atomic(marker, json.dumps({"output": _output_identity(target)}) + "\n")
    # The assembled output now holds the data parts' lines: drop them (the small part files stay,
    # so a rerun knows every chunk is done).
    for chunk in chunks:
        _part(cfg, chunk, ".jsonl").unlink(missing_ok=True)
    return total


def _assembled(cfg: BatchConfig) -> bool:
    if cfg.mode != "jsonl":
        return False
    try:
        done = json.loads(_assembled_marker(cfg).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return done.get("output") == _output_identity(Path(cfg.target))


def check_rules(cfg: BatchConfig) -> None:
    """Load the rule set once here, so a bad rule file stops the batch before any work."""
    rules = load_ruleset(cfg.options.rules_dirs)
    if cfg.site and rules.site_named(cfg.site) is None:
        raise BatchError(f"no rules for site {cfg.site!r} (see 'newsclean rules list')")


def run_batch(cfg: BatchConfig, engine: Engine, *, progress: bool | None = None,
              stream: TextIO | None = None) -> Summary:
    """Run (or resume) a batch. Raises BatchError/CleanerError for a batch that cannot start."""
    stream = stream or sys.stderr
    show = stream.isatty() if progress is None else progress
    check_rules(cfg)
    chunks = plan_dir(cfg) if cfg.mode == "dir" else plan_jsonl(cfg)
    total_docs = sum(c.size for c in chunks)

    fingerprint = cfg.fingerprint()
    if cfg.mode == "jsonl":
        fingerprint["input"] = _output_identity(Path(cfg.source))
    _writable(cfg)  # before any long pass

    common: dict[str, frozenset[str]] = {}
    if cfg.dedup is not None:
        counts = LineCounts()
        bar = Progress(total_docs, 0, stream, show, label="counting lines")
        for chunk, part in engine.count(cfg, chunks):
            counts.add(part)
            bar.update(chunk.size)
        bar.close()
        common = counts.common(cfg.dedup)
    fingerprint["common"] = common_digest(common) if cfg.dedup is not None else None

    _prepare_state(cfg, fingerprint, stream)
    sweep_temp_files(cfg)
    assembled = _assembled(cfg)
    pending: list[Chunk] = []
    resumed = 0
    for chunk in chunks:
        meta = load_part(cfg, chunk)
        if _chunk_done(cfg, chunk, meta, assembled):
            resumed += meta["stats"]["documents"] if meta else 0
        else:
            pending.append(chunk)
    bar = Progress(total_docs, total_docs - sum(c.size for c in pending), stream, show)
    work_started = time.monotonic()
    new_docs = new_bytes = 0
    for chunk, _stats in engine.clean(cfg, pending, common):
        bar.update(chunk.size)
        new_docs, new_bytes = new_docs + _stats.documents, new_bytes + _stats.bytes_in
    bar.close()
    seconds = time.monotonic() - work_started
    if pending and cfg.mode == "jsonl":
        _assembled_marker(cfg).unlink(missing_ok=True)
    stats = assemble(cfg, chunks)
    write_corpus_stats(cfg, chunks, throughput(seconds if pending else 0.0, new_docs, new_bytes, resumed))
    return Summary(stats=stats, resumed=resumed, seconds=seconds if pending else 0.0,
                   errors_file=str(errors_path(cfg)),
                   output=str(Path(cfg.target) / MANIFEST_NAME) if cfg.mode == "dir" else cfg.target,
                   common_lines={k: len(v) for k, v in common.items()})


def write_corpus_stats(cfg: BatchConfig, chunks: list[Chunk], speed: dict[str, Any]) -> Path:
    """Merge the chunks' counts (from their part files) into stats.json beside the output
    (batch_stats.stats_path_for), atomically. Returns its path."""
    corpus = CorpusStats()
    for chunk in chunks:
        meta = load_part(cfg, chunk)
        if meta is not None:
            corpus.merge(CorpusStats.from_dict(meta.get("corpus", {})))
    path = stats_path_for(cfg.target, cfg.mode)
    if not speed["documents"]:   # a rerun with nothing left to do keeps the speed of the run that worked
        speed = previous_throughput(path) or speed
    write_stats(path, corpus, speed)
    return path


def _writable(cfg: BatchConfig) -> None:
    state = state_dir(cfg)
    try:
        state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"cannot write the output: {exc.strerror or exc}", path=cfg.target) from None
