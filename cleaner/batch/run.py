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

Resume is per document: a part file records, for each of its chunk's documents, whether it was
cleaned or failed (and, in a folder batch, the input's size and time). A rerun redoes only the
documents whose input changed or whose output is gone (and, with `retry_errors`, the failed
ones): such a chunk is given to the workers with `Chunk.redo` naming them, and `write_chunk`
merges their results into the chunk's earlier part.

Faults (docs/batch.md, "Faults"): the output is locked for the run (`OutputLock`); no derived
path may be an input or a special file (`check_derived_paths`); any exception for one document
becomes a line of the errors file; a worker process lost is replaced and its chunks redone;
workers die with the batch process; a full disk stops the batch with a one-line error, resumably.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import math
import os
import re
import shutil
import signal
import stat
import sys
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator, Protocol, TextIO

from .article import Article
from .batch_stats import (STATS_NAME, CorpusStats, document_site, previous_throughput, stats_path_for, throughput,
                          write_stats)
from .blocks import dedup_key, text_blocks
from .corpus_io import compressed_fill, get_path, is_jsonl_name, plain_name, record_problem, set_path
from .decode import decode, detect_format
from .errors import CleanerError, InputError
from .fileio import MAX_DOCUMENT_BYTES, file_kind, write_atomic, write_atomic_stream
from .output import as_json, as_text
from .pipeline import Options, clean
from .progress import Progress
from .rules import load_ruleset
from .rules.sites import url_host

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
LOCK_NAME = "lock"                           # in the state folder: flock'ed by the running batch
STATE_VERSION = 3                            # bump when part files change shape (2: corpus counts; 3: per-document entries)
# Keys of the settings fingerprint that describe the input, not the settings: when only these
# differ, the input changed and the batch starts over; other differences need --overwrite.
INPUT_KEYS: tuple[str, ...] = ("input", "common")
# A chunk whose worker process died this many times is not tried again in this run: its documents
# are recorded as failed (--retry-errors tries them again).
MAX_WORKER_LOSSES = 3
# A worker checks this often (seconds) that the batch process is still its parent (where
# PR_SET_PDEATHSIG is not available, and against the race at start-up).
PARENT_WATCH_S = 1.0
# errno values meaning the output's disk is full: the batch stops (exit 2), resumably.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# --dedup-lines: a document left with less than this share of its words by the common lines
# (e.g. one of many copies of an article) is kept without them, with a warning (as the
# stale-rule guard, pipeline.STALE_MIN_KEPT_SHARE).
DEDUP_MIN_KEPT_SHARE = 1 / 7
# Warnings about skipped input files printed one per line; the rest are counted.
MAX_SKIP_WARNINGS = 20
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
    replace_field: bool = False              # jsonl: output_field may replace an input field
    follow_links: bool = False               # dir mode: follow symlinks leaving the input folder
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
    # None: clean every document. Else the keys (doc_key) of the only documents to clean, whose
    # results are merged into the chunk's earlier part file (per-document resume).
    redo: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        return len(self.files) if self.files else self.lines

    @property
    def todo(self) -> int:
        """Documents this task cleans (lines, for JSON Lines: blank ones included)."""
        return self.size if self.redo is None else len(self.redo)

    @property
    def digest(self) -> str:
        """The chunk's identity: its paths (a file's size and time are kept per document), or its
        byte range."""
        if self.files:
            payload = json.dumps([(f.rel, f.out) for f in self.files])
        else:
            payload = f"{self.start}-{self.end}-{self.first_line}"
        return hashlib.sha1(payload.encode("utf-8", "surrogateescape")).hexdigest()


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

    @property
    def key(self) -> str:
        return doc_key(self)


def doc_key(doc: Doc) -> str:
    """How a part file names a document: its relative path (folder) or its line number (JSON Lines)."""
    return doc.item.rel if doc.item is not None else str(doc.line)


def shown(name: str) -> str:
    """A name fit for JSON and messages: bytes that are not UTF-8 (file names) as \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


def json_text(obj: Any) -> str:
    """`json.dumps(obj, ensure_ascii=False)`, but with \\u escapes when a string holds lone
    surrogates (which UTF-8 cannot hold): the output is always valid UTF-8 and reads back the same."""
    text = json.dumps(obj, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True)
    return text


def input_suffix_ok(name: str, suffixes: tuple[str, ...]) -> bool:
    return name.lower().endswith(suffixes)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    """What a file is, for messages ("a FIFO", "a character device", ..., "a regular file")."""
    return file_kind(mode) or "a regular file"


def list_files(root: Path, suffixes: tuple[str, ...], follow_links: bool = False,
               skipped: list[tuple[str, str]] | None = None) -> list[tuple[str, int, int]]:
    """(posix relative path, size, mtime_ns) of every input file, sorted; hidden entries skipped.

    Regular files only: FIFOs, devices and sockets are never opened (a FIFO would hang the
    batch); symbolic links whose target leaves `root`, and links to folders, are not followed
    unless `follow_links` (folder loops are entered once). What is passed over with a suffix
    that would have been cleaned is appended to `skipped` as (relative path, reason)."""
    skip = skipped if skipped is not None else []
    root_real = os.path.realpath(root)
    found: list[tuple[str, int, int]] = []
    entered: set[tuple[int, int]] = set()

    def visit(folder: str, prefix: str) -> None:
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in entered:
                skip.append((prefix.rstrip("/") or ".", "a symbolic link loop; not followed again"))
                return
            entered.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            skip.append((prefix.rstrip("/") or ".", f"cannot list the folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            wanted = input_suffix_ok(entry.name, suffixes)
            try:
                is_link = entry.is_symlink()
                st = os.stat(entry.path) if is_link else entry.stat(follow_symlinks=False)
            except OSError as exc:
                if wanted:
                    skip.append((rel, "a broken symbolic link" if exc.errno == errno.ENOENT
                                 else f"cannot read: {exc.strerror or exc}"))
                continue
            leaves = is_link and not _inside(os.path.realpath(entry.path), root_real)
            if stat.S_ISDIR(st.st_mode):
                if is_link and not follow_links:
                    skip.append((rel, "a symbolic link to a folder; not followed (use --follow-links)"))
                else:
                    visit(entry.path, rel + "/")
                continue
            if not wanted:
                continue
            if not stat.S_ISREG(st.st_mode):
                skip.append((rel, f"{_kind(st.st_mode)}, not a regular file; not read"))
            elif leaves and not follow_links:
                skip.append((rel, "a symbolic link leaving the input folder; not followed (use --follow-links)"))
            else:
                found.append((rel, st.st_size, st.st_mtime_ns))

    visit(str(root), "")
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


def plan_dir(cfg: BatchConfig, skipped: list[tuple[str, str]] | None = None) -> list[Chunk]:
    files = list_files(Path(cfg.source), cfg.suffixes, cfg.follow_links, skipped)
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
    """The chunk's documents (only those of `chunk.redo` when it is set), in input order; a
    document that cannot be read carries its reason in `error` (never an exception)."""
    docs = _read_dir_chunk(cfg, chunk) if cfg.mode == "dir" else _read_jsonl_chunk(cfg, chunk)
    if chunk.redo is not None:
        wanted = set(chunk.redo)
        docs = [d for d in docs if d.key in wanted]
    return docs


class _NotRegular(OSError):
    pass


def read_regular_file(path: str, max_bytes: int, root: str | None = None) -> bytes:
    """At most `max_bytes` + 1 bytes of a regular file (so `len() > max_bytes` means too large,
    whatever `stat()` said). A FIFO, device or socket is refused without blocking (O_NONBLOCK),
    as is a symbolic link whose target leaves `root` (when given). Raises OSError."""
    if root is not None and os.path.islink(path) and not _inside(os.path.realpath(path), root):
        raise _NotRegular(0, "a symbolic link leaving the input folder; not followed (use --follow-links)")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotRegular(0, f"{_kind(st.st_mode)}, not a regular file; not read")
        parts, left = [], max_bytes + 1
        while left > 0:
            block = os.read(fd, min(left, READ_BLOCK))
            if not block:
                break
            parts.append(block)
            left -= len(block)
        return b"".join(parts)
    finally:
        os.close(fd)


def _read_dir_chunk(cfg: BatchConfig, chunk: Chunk) -> list[Doc]:
    docs = []
    root = None if cfg.follow_links else os.path.realpath(cfg.source)
    wanted = set(chunk.redo) if chunk.redo is not None else None
    for item in chunk.files:
        doc = Doc(name=item.rel, item=item)
        docs.append(doc)
        if wanted is not None and item.rel not in wanted:
            continue
        try:
            if shown(item.rel) != item.rel:
                doc.name = shown(item.rel)
                doc.error = "the file name is not UTF-8; rename it"
                continue
            if item.size > cfg.max_bytes:
                doc.error = f"too large ({item.size} bytes; the limit is {cfg.max_bytes})"
                continue
            data = read_regular_file(os.path.join(cfg.source, item.rel), cfg.max_bytes, root)
            if len(data) > cfg.max_bytes:
                doc.error = f"too large (more than {cfg.max_bytes} bytes read; the limit is {cfg.max_bytes})"
            else:
                doc.data = data
        except OSError as exc:
            doc.error = f"cannot read: {exc.strerror or exc}"
        except Exception as exc:  # noqa: BLE001 - MemoryError and the like: this document only
            doc.error = f"cannot read: {type(exc).__name__}: {exc}"
        if not item.out and doc.error is None:
            doc.error = "its output name clashes with another input's; rename one of them"
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
                try:
                    docs.append(_parse_line(cfg, raw, where, number))
                except Exception as exc:  # noqa: BLE001 - MemoryError and the like: this line only
                    docs.append(Doc(name=where, line=number, error=f"cannot read: {type(exc).__name__}: {exc}"))
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
    except RecursionError:
        doc.error = "broken JSON line: nested too deep"
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


def text_digest(text: str) -> str:
    """Identity of a document's decoded text (exact duplicate documents share it)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class LineCounts:
    """Pass 1's result for some documents: documents per site, and per site per key; and how
    many documents have each text, with the first (in input order) of each."""

    docs: Counter[str] = field(default_factory=Counter)
    keys: dict[str, Counter[str]] = field(default_factory=dict)
    texts: Counter[str] = field(default_factory=Counter)               # text digest -> documents
    firsts: dict[str, tuple[tuple[int, str], str]] = field(default_factory=dict)  # -> (order, name)

    def add(self, other: "LineCounts") -> None:
        self.docs.update(other.docs)
        for site, counts in other.keys.items():
            self.keys.setdefault(site, Counter()).update(counts)
        self.texts.update(other.texts)
        for digest, first in other.firsts.items():
            if digest not in self.firsts or first[0] < self.firsts[digest][0]:
                self.firsts[digest] = first

    def duplicates(self) -> dict[str, str]:
        """Text digest -> name of its first document, for texts that more than one document has."""
        return {d: self.firsts[d][1] for d in sorted(self.texts) if self.texts[d] > 1}

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
        digest = text_digest(text)
        counts.texts[digest] += 1
        order = (doc.line, doc.key)
        if digest not in counts.firsts or order < counts.firsts[digest][0]:
            counts.firsts[digest] = (order, doc.name)
    return counts


@dataclass(frozen=True)
class CrossDoc:
    """What pass 1 of --dedup-lines learnt about the whole corpus, given to every document's
    cleaning: the common lines per site key, and exact duplicate documents."""

    lines: dict[str, frozenset[str]] = field(default_factory=dict)   # site key -> dedup keys
    duplicates: dict[str, str] = field(default_factory=dict)          # text digest -> first copy's name

    def __bool__(self) -> bool:
        return bool(self.lines or self.duplicates)


def as_cross(common: "CrossDoc | dict[str, frozenset[str]] | None") -> CrossDoc:
    """A CrossDoc from a CrossDoc, common lines alone (`clean_bag`), or None."""
    if isinstance(common, CrossDoc):
        return common
    return CrossDoc(lines=dict(common or {}))


def common_digest(common: "CrossDoc | dict[str, frozenset[str]]") -> str:
    cross = as_cross(common)
    h = hashlib.sha1()
    for site in sorted(cross.lines):
        h.update(site.encode("utf-8", "surrogatepass") + b"\0")
        for key in sorted(cross.lines[site]):
            h.update(key.encode("utf-8", "surrogatepass") + b"\n")
    for digest, first in sorted(cross.duplicates.items()):
        h.update(f"{digest}={first}\n".encode("utf-8", "surrogatepass"))
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
    duplicates: int = 0                      # --dedup-lines: exact copies of an earlier document
    kept_whole: int = 0                      # --dedup-lines: all lines common, kept without them

    def add(self, other: "ChunkStats") -> None:
        self.documents += other.documents
        self.cleaned += other.cleaned
        self.failed += other.failed
        self.with_warnings += other.with_warnings
        self.bytes_in += other.bytes_in
        self.chars_out += other.chars_out
        self.removed.update(other.removed)
        self.duplicates += other.duplicates
        self.kept_whole += other.kept_whole

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["removed"] = dict(sorted(self.removed.items()))
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ChunkStats":
        return cls(**{**d, "removed": Counter(d.get("removed", {}))})

    @classmethod
    def of(cls, entries: list[dict[str, Any]]) -> "ChunkStats":
        """The statistics of some documents' entries (see `clean_docs`)."""
        stats = cls(documents=len(entries))
        for e in entries:
            if not e["ok"]:
                stats.failed += 1
                continue
            stats.cleaned += 1
            stats.bytes_in += e["bytes_in"]
            stats.chars_out += e["chars_out"]
            stats.with_warnings += bool(e["warnings"])
            stats.removed.update(e["removed"])
            stats.duplicates += bool(e.get("duplicate_of"))
            stats.kept_whole += bool(e.get("kept_whole"))
        return stats


@dataclass
class ChunkResult:
    """What cleaning some documents of a chunk produced, in input order; written by `write_chunk`.

    `entries` has one dict per document: key (doc_key), ok, and for a folder batch stamp
    ([size, mtime_ns] of the input); a cleaned one has bytes_in, chars_out, warnings (count),
    removed ({category: blocks}), duplicate_of, kept_whole, and `record` (its manifest line,
    folder batch); a failed one has `error` (its errors-file line), `site` and `corpus` (its
    own stats.json counts, so that --retry-errors can take them back)."""

    outputs: list[tuple[str, bytes]] = field(default_factory=list)   # dir mode: (relative output path, content)
    lines: list[str] = field(default_factory=list)                   # jsonl mode output lines
    entries: list[dict[str, Any]] = field(default_factory=list)
    corpus: CorpusStats = field(default_factory=CorpusStats)       # for stats.json
    # Each cleaned document's own counts (not kept: a failed document's go into its entry).
    doc_corpus: dict[str, CorpusStats] = field(default_factory=dict)

    @property
    def stats(self) -> ChunkStats:
        return ChunkStats.of(self.entries)


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
    if cfg.replace_text:   # field paths may be dotted (metadata.newsclean): corpus_io.set_path
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
        entry: dict[str, Any] = {"key": doc.key, "ok": False}
        if doc.item is not None:
            entry["stamp"] = [doc.item.size, doc.item.mtime_ns]
        result.entries.append(entry)
        reason = doc.error
        if reason is None:
            try:
                article, kept_whole, duplicate_of = clean_flagged(cfg, doc, common)
                size = _size(doc.data)
                counts = {"bytes_in": size, "chars_out": len(article.text), "warnings": len(article.warnings),
                          "removed": article.removed_counts()}
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


def _fail(cfg: BatchConfig, result: ChunkResult, entry: dict[str, Any], doc: Doc, reason: str) -> None:
    site = document_site(doc.url, None, doc.item.rel if doc.item else None)
    mine = CorpusStats()
    mine.add_error(reason, site)
    entry["error"] = _error_record(cfg, doc, reason)
    entry["corpus"] = mine.to_dict()
    result.corpus.merge(mine)


def _take_back(corpus: CorpusStats, counts: dict[str, Any]) -> CorpusStats:
    """`corpus` without one document's counts (`CorpusStats.to_dict` of it): for a failed
    document cleaned again by --retry-errors. Entries left at zero are dropped."""
    def neg(v: Any) -> Any:
        if isinstance(v, bool):
            return v
        if isinstance(v, (int, float)):
            return -v
        if isinstance(v, dict):
            return {k: neg(x) for k, x in v.items()}
        if isinstance(v, list):
            return [neg(x) for x in v] if all(isinstance(x, (int, float)) for x in v) else v
        return v
    minus = neg({k: v for k, v in counts.items() if k != "most_removed"})
    minus["kept_share"] = {"documents": [-x for x in counts.get("kept_share", {}).get("documents", [])]}
    corpus.merge(CorpusStats.from_dict(minus))
    corpus.languages, corpus.warnings, corpus.errors = +corpus.languages, +corpus.warnings, +corpus.errors
    corpus.sites = {k: v for k, v in corpus.sites.items() if v.get("documents", 0) > 0}
    corpus.categories = {k: v for k, v in corpus.categories.items() if v.get("blocks", 0) > 0}
    return corpus


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


def check_output_file(path: Path, inside: str | None = None) -> None:
    """OSError unless `path` is absent or a regular file (never a symlink, FIFO, device or
    folder), and, when `inside` (a real path) is given, its folder is really under `inside`
    (no symbolic link on the way leading elsewhere)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise _NotRegular(0, f"it is {_kind(st.st_mode)}; only regular files are replaced")
    if inside is not None and not _inside(os.path.realpath(path.parent), inside):
        raise _NotRegular(0, "a symbolic link on its path leads out of the output folder")


def write_chunk(cfg: BatchConfig, chunk: Chunk, result: ChunkResult) -> ChunkStats:
    """Write the chunk's outputs (each atomically), then its part file: the chunk is done.
    With `chunk.redo`, the results are merged into the chunk's earlier part. OSError for a full
    disk (errno in DISK_FULL_ERRNOS) or an unwritable state folder; other failures to write
    one output are recorded against that document."""
    entries = result.entries
    if cfg.mode == "dir":
        target = Path(cfg.target)
        target_real = os.path.realpath(target)
        for out, content in result.outputs:
            entry = next(e for e in entries if e.get("record", {}).get("output") == out)
            try:
                check_output_file(target / out, target_real)
                write_atomic(target / out, content)
            except OSError as exc:
                if exc.errno in DISK_FULL_ERRNOS:
                    raise
                rel = entry["key"]
                record = entry["record"]
                site = document_site(record.get("url"), record.get("site"), rel)
                for k in [k for k in entry if k not in ("key", "stamp")]:
                    del entry[k]
                entry["ok"] = False
                entry["error"] = {"path": rel, "reason": f"cannot write {out}: {exc.strerror or exc}"}
                result.corpus.not_written(site)
                mine = result.doc_corpus.get(rel, CorpusStats())
                mine.not_written(site)
                entry["corpus"] = mine.to_dict()
    lines = result.lines
    corpus = result.corpus
    old = load_part(cfg, chunk) if chunk.redo is not None else None
    if old is not None:
        redo = set(chunk.redo or ())
        corpus = CorpusStats.from_dict(old.get("corpus", {}))
        for e in old["entries"]:
            if e["key"] in redo and not e["ok"] and "corpus" in e:
                corpus = _take_back(corpus, e["corpus"])
        corpus.merge(result.corpus)
        old_lines: list[str] = []
        if cfg.mode == "jsonl":
            old_lines = _part(cfg, chunk, ".jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        merged: list[tuple[Any, dict[str, Any], str | None]] = []
        it_old, it_new = iter(old_lines), iter(lines)
        for e in old["entries"]:
            line = next(it_old) if e["ok"] and cfg.mode == "jsonl" else None
            if e["key"] not in redo:
                merged.append((e["key"], e, line))
        for e in entries:
            merged.append((e["key"], e, next(it_new) if e["ok"] and cfg.mode == "jsonl" else None))
        if cfg.mode == "dir":
            order = {f.rel: i for i, f in enumerate(chunk.files)}
            merged.sort(key=lambda m: order.get(m[0], len(order)))
        else:
            merged.sort(key=lambda m: int(m[0]))
        entries = [m[1] for m in merged]
        lines = [m[2] for m in merged if m[2] is not None]
    if cfg.mode == "jsonl":
        write_atomic(_part(cfg, chunk, ".jsonl"), "".join(lines))
    stats = ChunkStats.of(entries)
    meta = {"digest": chunk.digest, "entries": entries, "stats": stats.to_dict(), "corpus": corpus.to_dict(),
            "bytes": sum(len(x.encode("utf-8")) for x in lines) if cfg.mode == "jsonl" else 0}
    write_atomic(_part(cfg, chunk, ".json"), json_text(meta) + "\n")
    return stats


def part_errors(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """A part's errors-file lines, in order."""
    return sorted((e["error"] for e in meta["entries"] if not e["ok"]), key=_error_order)


def part_records(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """A folder batch part's manifest lines, in path order."""
    return [e["record"] for e in meta["entries"] if e["ok"]]


def _error_order(rec: dict[str, Any]) -> tuple:
    return (rec.get("line", 0), rec.get("path", ""))


def run_chunk(cfg: BatchConfig, chunk: Chunk, common: CrossDoc | None) -> ChunkStats:
    """The local engine's task: read, clean and write one chunk in this (worker) process."""
    return write_chunk(cfg, chunk, clean_docs(cfg, read_chunk(cfg, chunk), common))


def count_chunk(cfg: BatchConfig, chunk: Chunk) -> LineCounts:
    return count_docs(cfg, read_chunk(cfg, chunk))


def fail_chunk(cfg: BatchConfig, chunk: Chunk, reason: str) -> ChunkStats:
    """Record every document of a chunk that could not be cleaned (its worker kept dying) as failed."""
    result = ChunkResult()
    for doc in read_chunk(cfg, chunk):
        entry: dict[str, Any] = {"key": doc.key, "ok": False}
        if doc.item is not None:
            entry["stamp"] = [doc.item.size, doc.item.mtime_ns]
        result.entries.append(entry)
        _fail(cfg, result, entry, doc, doc.error or reason)
    return write_chunk(cfg, chunk, result)


def load_part(cfg: BatchConfig, chunk: Chunk) -> dict[str, Any] | None:
    try:
        meta = json.loads(_part(cfg, chunk, ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("digest") == chunk.digest and "entries" in meta else None


def resume_plan(cfg: BatchConfig, chunk: Chunk, meta: dict[str, Any] | None, *, retry_errors: bool,
                have_data: bool) -> tuple[str, ...] | None:
    """What a rerun still has to do for a chunk: None (all of it), () (nothing) or the keys of the
    failed documents to clean again: with retry_errors, all of them; in a folder batch, those whose
    input changed (size or time). A cleaned document whose input changed or whose output is gone
    makes the whole chunk redone. `have_data`: a JSON Lines chunk's
    cleaned lines are still to be had (its data part, or the assembled output)."""
    if meta is None or (cfg.mode == "jsonl" and not have_data):
        return None
    entries = meta["entries"]
    redo: list[str] = []
    if cfg.mode == "dir":
        items = {f.rel: f for f in chunk.files}
        if len(entries) != len(items):
            return None
        target = Path(cfg.target)
        for e in entries:
            item = items.get(e["key"])
            if item is None:
                return None
            changed = e.get("stamp") != [item.size, item.mtime_ns]
            if e["ok"] and (changed or not (target / e["record"]["output"]).is_file()):
                return None          # a cleaned document's counts cannot be taken back: the whole chunk
            if not e["ok"] and (changed or retry_errors):
                redo.append(e["key"])
    elif retry_errors:
        redo = [e["key"] for e in entries if not e["ok"]]
    if redo and len(redo) == len(entries):
        return None
    return tuple(redo)


def _copy_into(fh, path: Path) -> None:
    with open(path, "rb") as src:
        shutil.copyfileobj(src, fh, READ_BLOCK)


# ---------------------------------------------------------------- engines

class Engine(Protocol):
    def count(self, cfg: BatchConfig, chunks: list[Chunk]) -> Iterator[tuple[Chunk, LineCounts]]: ...

    def clean(self, cfg: BatchConfig, chunks: list[Chunk],
              common: CrossDoc) -> Iterator[tuple[Chunk, ChunkStats]]: ...


PR_SET_PDEATHSIG = 1                          # linux/prctl.h


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_WATCH_S)
        if os.getppid() != parent:
            os._exit(1)


def worker_init(parent: int) -> None:
    """A pool worker's start-up: it dies with the batch process (SIGKILL on the parent's death
    via prctl(PR_SET_PDEATHSIG) on Linux, and a thread watching the parent's pid everywhere)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:               # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="newsclean-parent-watch").start()


class LocalEngine:
    """`jobs` worker processes (or this process alone for jobs=1); a bounded number of chunks in
    flight, so memory does not grow with the corpus. Completion order does not matter: every
    chunk writes its own files, and assembly goes by chunk number.

    A worker process lost (killed, crashed: BrokenProcessPool) costs only the chunks in flight:
    the pool is replaced and they are redone; a chunk whose worker died MAX_WORKER_LOSSES times
    has its documents recorded as failed. Workers die with this process (`worker_init`)."""

    def __init__(self, jobs: int, stream: TextIO | None = None):
        self.jobs = max(1, jobs)
        self.stream = stream
        self.workers_lost = 0

    def __enter__(self) -> "LocalEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def count(self, cfg: BatchConfig, chunks: list[Chunk]) -> Iterator[tuple[Chunk, LineCounts]]:
        def give_up(cfg: BatchConfig, chunk: Chunk) -> LineCounts:
            raise BatchError(f"a worker process died {MAX_WORKER_LOSSES} times while counting the lines "
                             f"of chunk {chunk.index}; rerun to try again", path=cfg.source)
        return self._map(count_chunk, cfg, chunks, (), give_up)

    def clean(self, cfg: BatchConfig, chunks: list[Chunk],
              common: CrossDoc) -> Iterator[tuple[Chunk, ChunkStats]]:
        def give_up(cfg: BatchConfig, chunk: Chunk) -> ChunkStats:
            return fail_chunk(cfg, chunk, f"its worker process died {MAX_WORKER_LOSSES} times while cleaning "
                                          "its chunk; rerun with --retry-errors to try again")
        return self._map(run_chunk, cfg, chunks, (common,), give_up)

    def _warn(self, message: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(f"newsclean batch: warning: {message}\n")
        stream.flush()

    def _map(self, fn: Callable, cfg: BatchConfig, chunks: list[Chunk], extra: tuple,
             give_up: Callable[[BatchConfig, Chunk], Any]) -> Iterator[tuple[Chunk, Any]]:
        if self.jobs == 1 or len(chunks) <= 1:
            for chunk in chunks:
                yield chunk, fn(cfg, chunk, *extra)
            return
        todo = list(reversed(chunks))         # a stack: the next chunk is todo[-1]
        losses: Counter[int] = Counter()
        while todo:
            pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=worker_init, initargs=(os.getpid(),))
            running: dict[Future, Chunk] = {}
            lost: list[Chunk] = []
            try:
                def submit() -> None:
                    if todo:
                        chunk = todo.pop()
                        running[pool.submit(fn, cfg, chunk, *extra)] = chunk

                for _ in range(self.jobs * IN_FLIGHT_PER_JOB):
                    submit()
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in sorted(done, key=lambda f: running[f].index):
                        chunk = running.pop(fut)
                        if isinstance(fut.exception(), BrokenProcessPool):
                            lost.append(chunk)
                            continue
                        yield chunk, fut.result()
                        if not lost:
                            submit()
                    if lost:                  # the pool is broken: every running chunk fails soon
                        wait(running)
                        for fut, chunk in sorted(running.items(), key=lambda fc: fc[1].index):
                            if isinstance(fut.exception(), BrokenProcessPool):
                                lost.append(chunk)
                            else:
                                yield chunk, fut.result()
                        running.clear()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if lost:
                self.workers_lost += 1
                self._warn(f"a worker process died; its {len(lost)} chunk(s) in flight are redone by a new one")
                for chunk in sorted(lost, key=lambda c: c.index, reverse=True):
                    losses[chunk.index] += 1
                    if losses[chunk.index] >= MAX_WORKER_LOSSES:
                        yield chunk, give_up(cfg, chunk)
                    else:
                        todo.append(chunk)


# ---------------------------------------------------------------- progress and summary

@dataclass
class Summary:
    stats: ChunkStats
    resumed: int                             # documents done by an earlier run and skipped now
    seconds: float
    errors_file: str
    output: str
    common_lines: dict[str, int] = field(default_factory=dict)
    skipped: int = 0                         # input entries that are not regular files, or links not followed
    workers_lost: int = 0

    @property
    def failed(self) -> int:
        return self.stats.failed

    def lines(self) -> list[str]:
        s = self.stats
        out = [f"{s.documents} documents: {s.cleaned} cleaned, {s.failed} failed"
               + (f" (see {self.errors_file}; --retry-errors tries them again)" if s.failed else "")
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
        if s.duplicates:
            out.append(f"exact duplicate documents: {s.duplicates} (each a copy of an earlier one: duplicate_of)")
        if s.kept_whole:
            out.append(f"documents kept whole by --dedup-lines (all their lines are common to their site): "
                       f"{s.kept_whole}")
        if self.skipped:
            out.append(f"skipped input entries (not regular files, or links not followed): {self.skipped}")
        if self.workers_lost:
            out.append(f"worker processes lost and replaced: {self.workers_lost}")
        out.append(f"output: {self.output}")
        return out


# ---------------------------------------------------------------- the batch

def check_paths(source: Path, target: Path | str) -> str:
    """The mode ("dir" | "jsonl"); BatchError for paths that would lose or mix data. `target` as
    typed (a str keeps a trailing '/', which marks a folder)."""
    target_name, target = str(target), Path(target)
    if not source.exists():
        raise BatchError("no such file or directory", path=str(source))
    src = source.resolve()
    if target.is_symlink() and not target.is_dir():
        raise BatchError("the output is a symbolic link; give the path of a regular file or folder",
                         path=str(target))
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
    if not src.is_file():
        raise BatchError(f"the input is {_kind(src.stat().st_mode)}, not a regular file", path=str(source))
    if tgt == src or (tgt.exists() and os.path.samefile(tgt, src)):
        raise BatchError("the output would overwrite the input", path=str(source))
    if tgt.is_dir():
        raise BatchError("the output must be a file (e.g. cleaned.jsonl) when the input is JSON Lines",
                         path=str(target))
    check_jsonl_output_name(target_name)
    return "jsonl"


def check_jsonl_output_name(target: Path | str) -> None:
    """The output name of a JSON Lines batch, as typed: BatchError when it ends in a path separator
    (a folder) or is not named as JSON Lines (JSONL_SUFFIXES, optionally compressed: cleaned.jsonl,
    cleaned.jsonl.gz, ...), so that a document (doc1.txt) is never replaced by JSON Lines."""
    name = str(target)
    if name.endswith(("/", os.sep)):
        raise BatchError("the output must be a file (e.g. cleaned.jsonl), not a folder, when the input "
                         "is JSON Lines", path=name)
    if not is_jsonl_name(Path(name).name, JSONL_SUFFIXES):
        raise BatchError("the output of a JSON Lines input must be named like cleaned.jsonl (.jsonl, "
                         ".ndjson, .json, .jsonlines; .gz, .zst or .bz2 compressed) or be '-'", path=name)


def derived_paths(cfg: BatchConfig) -> list[tuple[Path, str]]:
    """Every path a batch writes besides the per-document outputs, with its kind ("file"/"dir")."""
    state = state_dir(cfg)
    paths = [(state, "dir"), (state / "parts", "dir"), (state / LOCK_NAME, "file"),
             (state / "config.json", "file"), (errors_path(cfg), "file"),
             (stats_path_for(cfg.target, cfg.mode), "file")]
    if cfg.mode == "dir":
        paths.append((Path(cfg.target) / MANIFEST_NAME, "file"))
    else:
        paths += [(Path(cfg.target), "file"), (_assembled_marker(cfg), "file")]
    return paths


def check_derived_paths(cfg: BatchConfig) -> None:
    """BatchError when a path the batch would write is an input (same resolved path or same
    inode; for a folder batch, anywhere in the input tree), holds the input, or exists as
    anything but what the batch writes there (a symlink, FIFO, device, socket; a folder for a file)."""
    src_real = os.path.realpath(cfg.source)
    for path, kind in derived_paths(cfg):
        real = os.path.realpath(path)
        if cfg.mode == "dir":
            clash = _inside(real, src_real)
        else:
            clash = real == src_real or (os.path.exists(path) and os.path.samefile(path, cfg.source))
            if path == state_dir(cfg) / "parts" and _inside(src_real, real):
                clash = True             # its files are deleted on starting over (the state folder
                #                          itself may hold a decompressed copy of the input)
        if clash:
            raise BatchError(f"{path} would be the input (or hold it); choose another output name", path=cfg.source)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise BatchError(f"cannot write the output: {exc.strerror or exc}", path=cfg.target) from None
        ok = stat.S_ISDIR(st.st_mode) if kind == "dir" else stat.S_ISREG(st.st_mode)
        if not ok:
            raise BatchError(f"{path} is {_kind(st.st_mode)}; a batch replaces only the regular files it writes",
                             path=cfg.target)


try:
    import fcntl
except ImportError:  # not on POSIX: no lock
    fcntl = None  # type: ignore[assignment]


class OutputLock:
    """An exclusive lock on the output for the run: flock on `<state folder>/lock`, released when
    the process ends however it ends. BatchError when another run holds it."""

    def __init__(self, cfg: BatchConfig):
        self.cfg = cfg
        self.fd: int | None = None

    def __enter__(self) -> "OutputLock":
        if fcntl is None:
            return self
        path = state_dir(self.cfg) / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                         | os.O_NONBLOCK, 0o666)
        except OSError as exc:
            raise BatchError(f"cannot lock the output: {exc.strerror or exc}", path=self.cfg.target) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise BatchError("another newsclean batch is writing to this output now; wait for it to end "
                             "or choose another output", path=self.cfg.target) from None
        self.fd = fd
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _flat(fingerprint: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in fingerprint.items():
        if isinstance(v, dict) and k == "options":
            out.update({f"options.{kk}": vv for kk, vv in v.items()})
        else:
            out[k] = v
    return out


def _previous_settings(cfg: BatchConfig) -> dict[str, Any] | None:
    try:
        return json.loads((state_dir(cfg) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_settings(cfg: BatchConfig, fingerprint: dict[str, Any], overwrite: bool) -> None:
    """BatchError when the output was made with other settings (never a mix of two runs'
    results), unless `overwrite`. A changed input is not a change of settings."""
    previous = _previous_settings(cfg)
    if previous is None or overwrite:
        return
    old, new = _flat(previous), _flat(fingerprint)
    differ = sorted(k for k in set(old) | set(new) if k not in INPUT_KEYS and old.get(k) != new.get(k))
    if differ:
        raise BatchError(f"the output was made with other settings ({', '.join(differ)}); rerun with the same "
                         "settings to resume, or add --overwrite to replace it", path=cfg.target)


def _remove_old_outputs(cfg: BatchConfig) -> None:
    """Starting over in a folder: delete the outputs the earlier run recorded (regular files
    inside the output folder only), so no output of other settings stays beside the new ones."""
    target = Path(cfg.target)
    target_real = os.path.realpath(target)
    for part in sorted((state_dir(cfg) / "parts").glob("part-*.json")):
        try:
            meta = json.loads(part.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for e in meta.get("entries", []):
            out = e.get("record", {}).get("output") if e.get("ok") else None
            if not out:
                continue
            path = target / out
            try:
                check_output_file(path, target_real)
                path.unlink(missing_ok=True)
            except OSError:
                continue


def _prepare_state(cfg: BatchConfig, fingerprint: dict[str, Any], out: TextIO) -> bool:
    """Create the state folder; drop part files made with other settings or another input
    (check_settings has allowed it). True when resuming."""
    state = state_dir(cfg)
    try:
        (state / "parts").mkdir(parents=True, exist_ok=True)
        probe = state / "parts" / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BatchError(f"cannot write the output: {exc.strerror or exc}", path=cfg.target) from None
    config_file = state / "config.json"
    previous = _previous_settings(cfg)
    if previous == fingerprint:
        return True
    if previous is not None:
        out.write("newsclean batch: settings or input changed since the last run; starting over\n")
        if cfg.mode == "dir":
            _remove_old_outputs(cfg)
    for p in (state / "parts").iterdir():
        if p.name.startswith("part-") or _TEMP_FILE.match(p.name):
            p.unlink()
    _assembled_marker(cfg).unlink(missing_ok=True)
    write_atomic(config_file, json.dumps(fingerprint, sort_keys=True) + "\n")
    return False


def sweep_temp_files(cfg: BatchConfig) -> None:
    """Remove the temporary files a killed run left (they are never outputs)."""
    roots = [state_dir(cfg)]
    if cfg.mode == "dir":
        roots.append(Path(cfg.target))
    else:
        for p in Path(cfg.target).parent.glob(f".{glob_escape(Path(cfg.target).name)}.*.tmp"):
            p.unlink(missing_ok=True)
        for p in Path(cfg.target).parent.glob(f".{glob_escape(errors_path(cfg).name)}.*.tmp"):
            p.unlink(missing_ok=True)
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                if _TEMP_FILE.match(name):
                    (Path(dirpath) / name).unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


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
            for rec in part_errors(meta):
                fh.write((json_text(rec) + "\n").encode("utf-8"))

    if cfg.mode == "dir":
        def fill_manifest(fh) -> None:
            for meta in metas:
                for rec in part_records(meta):
                    fh.write((json_text(rec) + "\n").encode("utf-8"))

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
    # so a rerun knows every chunk is done; --retry-errors cuts the output back into parts).
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


def restore_parts(cfg: BatchConfig, chunks: list[Chunk], metas: list[dict[str, Any]]) -> bool:
    """Cut the assembled JSON Lines output back into its chunks' data parts (each part records its
    size in bytes), so that some documents can be cleaned again and merged in. False (nothing
    written) when the output does not add up."""
    target = Path(cfg.target)
    sizes = [m["bytes"] for m in metas]
    identity = _output_identity(target)
    if plain_name(target) != target.name or identity is None or identity[0] != sum(sizes):
        return False             # compressed (or changed): the chunks are cleaned again instead
    with open(target, "rb") as src:
        for chunk, size in zip(chunks, sizes):
            def fill(fh, left: int = size) -> None:
                while left > 0:
                    block = src.read(min(left, READ_BLOCK))
                    if not block:
                        raise OSError(errno.EIO, "the output ended early")
                    fh.write(block)
                    left -= len(block)

            write_atomic_stream(_part(cfg, chunk, ".jsonl"), fill)
    _assembled_marker(cfg).unlink(missing_ok=True)
    return True


def check_rules(cfg: BatchConfig) -> None:
    """Load the rule set once here, so a bad rule file stops the batch before any work."""
    rules = load_ruleset(cfg.options.rules_dirs)
    if cfg.site and rules.site_named(cfg.site) is None:
        raise BatchError(f"no rules for site {cfg.site!r} (see 'newsclean rules list')")


def check_output_field(cfg: BatchConfig, chunks: list[Chunk]) -> None:
    """BatchError when the first record of a JSON Lines input already has `output_field` (and
    --replace-field is not given): the cleaned fields would replace it in every record."""
    if cfg.mode != "jsonl" or cfg.replace_field or not chunks:
        return
    if cfg.replace_text and cfg.output_field == cfg.text_field:
        raise BatchError(f"--output-field {cfg.output_field!r} is the text field; choose another")
    for doc in read_chunk(cfg, chunks[0]):
        if doc.record is not None:
            if get_path(doc.record, cfg.output_field) is not None:
                raise BatchError(f"the records already have a field {cfg.output_field!r} (line {doc.line}); "
                                 "choose another --output-field or add --replace-field to replace it",
                                 path=cfg.source)
            return


def _write_error(cfg: BatchConfig, exc: OSError) -> BatchError:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in DISK_FULL_ERRNOS:
        return BatchError(f"the disk is full{where}: {exc.strerror or exc}; free some space and rerun the "
                          "same command to resume", path=cfg.target)
    return BatchError(f"cannot write the output{where}: {exc.strerror or exc}; rerun the same command to resume",
                      path=cfg.target)


def run_batch(cfg: BatchConfig, engine: Engine, *, progress: bool | None = None,
              stream: TextIO | None = None, overwrite: bool = False, retry_errors: bool = False) -> Summary:
    """Run (or resume) a batch. Raises BatchError/CleanerError for a batch that cannot start or
    must stop (another run holds the output, other settings without `overwrite`, a full disk).
    `retry_errors`: clean the documents that failed in an earlier run again."""
    stream = stream or sys.stderr
    show = stream.isatty() if progress is None else progress
    check_rules(cfg)
    check_derived_paths(cfg)
    _writable(cfg)  # before any long pass
    with OutputLock(cfg):
        try:
            return _run_locked(cfg, engine, stream, show, overwrite, retry_errors)
        except OSError as exc:
            raise _write_error(cfg, exc) from None


def _run_locked(cfg: BatchConfig, engine: Engine, stream: TextIO, show: bool, overwrite: bool,
                retry_errors: bool) -> Summary:
    skipped: list[tuple[str, str]] = []
    chunks = plan_dir(cfg, skipped) if cfg.mode == "dir" else plan_jsonl(cfg)
    for rel, reason in skipped[:MAX_SKIP_WARNINGS]:
        stream.write(f"newsclean batch: warning: skipped {shown(rel)}: {reason}\n")
    if len(skipped) > MAX_SKIP_WARNINGS:
        stream.write(f"newsclean batch: warning: ... and {len(skipped) - MAX_SKIP_WARNINGS} more entries skipped\n")
    total_docs = sum(c.size for c in chunks)
    check_output_field(cfg, chunks)

    fingerprint = cfg.fingerprint()
    if cfg.mode == "jsonl":
        fingerprint["input"] = _output_identity(Path(cfg.source))
    check_settings(cfg, fingerprint, overwrite)

    cross = CrossDoc()
    if cfg.dedup is not None:
        counts = LineCounts()
        bar = Progress(total_docs, 0, stream, show, label="counting lines")
        for chunk, part in engine.count(cfg, chunks):
            counts.add(part)
            bar.update(chunk.size)
        bar.close()
        cross = CrossDoc(lines=counts.common(cfg.dedup), duplicates=counts.duplicates())
    fingerprint["common"] = common_digest(cross) if cfg.dedup is not None else None

    _prepare_state(cfg, fingerprint, stream)
    sweep_temp_files(cfg)
    assembled = _assembled(cfg)
    metas = [load_part(cfg, chunk) for chunk in chunks]

    def plans() -> list[tuple[str, ...] | None]:
        return [resume_plan(cfg, c, m, retry_errors=retry_errors,
                            have_data=assembled or _part(cfg, c, ".jsonl").is_file())
                for c, m in zip(chunks, metas)]

    todo = plans()
    if assembled and any(t for t in todo):       # JSON Lines: some documents to merge into the output
        if not (all(m is not None for m in metas) and restore_parts(cfg, chunks, metas)):  # type: ignore[arg-type]
            _assembled_marker(cfg).unlink(missing_ok=True)
        assembled = False
        todo = plans()
    pending: list[Chunk] = []
    resumed = 0
    for chunk, meta, redo in zip(chunks, metas, todo):
        if redo is None:
            pending.append(chunk)
        elif redo:
            pending.append(dataclasses.replace(chunk, redo=redo))
            resumed += len(meta["entries"]) - len(redo) if meta else 0
        else:
            resumed += len(meta["entries"]) if meta else 0
    bar = Progress(total_docs, total_docs - sum(c.todo for c in pending), stream, show)
    work_started = time.monotonic()
    new_docs = new_bytes = 0
    for chunk, _stats in engine.clean(cfg, pending, cross):
        bar.update(chunk.todo)
        new_docs += chunk.todo
        new_bytes += _stats.bytes_in if chunk.redo is None else 0
    bar.close()
    seconds = time.monotonic() - work_started
    if getattr(engine, "workers_lost", 0):
        sweep_temp_files(cfg)            # a killed worker's half-written file (this run holds the lock)
    if pending and cfg.mode == "jsonl":
        _assembled_marker(cfg).unlink(missing_ok=True)
    stats = assemble(cfg, chunks)
    write_corpus_stats(cfg, chunks, throughput(seconds if pending else 0.0, new_docs, new_bytes, resumed))
    return Summary(stats=stats, resumed=resumed, seconds=seconds if pending else 0.0,
                   errors_file=str(errors_path(cfg)),
                   output=str(Path(cfg.target) / MANIFEST_NAME) if cfg.mode == "dir" else cfg.target,
                   common_lines={k: len(v) for k, v in cross.lines.items()}, skipped=len(skipped),
                   workers_lost=getattr(engine, "workers_lost", 0))


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
