"""The plan of a batch: its input cut into chunks, in a fixed order, and the checks on its paths.

A chunk is a fixed number of documents (`BatchConfig.chunk_docs`): files of a folder, in sorted
path order, or a byte range of JSON lines. It is the unit of work, of resume and of output order:
the same input and settings always give the same chunks, whatever the number of workers.
`check_paths` refuses, before any work, paths that would lose or mix data.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import JSONL_SUFFIXES, READ_BLOCK, BatchConfig, BatchError, inside, kind_name
from .corpus import is_jsonl_name
from .stats import STATS_NAME


@dataclass(frozen=True)
class FileItem:
    """One input file of a folder batch, as listed when the batch was planned."""

    rel: str                                 # input path relative to the input folder (posix)
    out: str                                 # output path relative to the output folder ("" = collision)
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Chunk:
    """A chunk: files of a folder (`files`) or a byte range of JSON lines (`start`..`end`)."""

    index: int
    files: tuple[FileItem, ...] = ()         # dir mode
    start: int = 0                           # jsonl mode: byte range [start, end) ...
    end: int = 0
    first_line: int = 1                      # ... and the 1-based number of its first line
    lines: int = 0
    # None: clean every document. Else the keys (Doc.key) of the only documents to clean, whose
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
            wanted = entry.name.lower().endswith(suffixes)
            try:
                is_link = entry.is_symlink()
                st = os.stat(entry.path) if is_link else entry.stat(follow_symlinks=False)
            except OSError as exc:
                if wanted:
                    skip.append((rel, "a broken symbolic link" if exc.errno == errno.ENOENT
                                 else f"cannot read: {exc.strerror or exc}"))
                continue
            leaves = is_link and not inside(os.path.realpath(entry.path), root_real)
            if stat.S_ISDIR(st.st_mode):
                if is_link and not follow_links:
                    skip.append((rel, "a symbolic link to a folder; not followed (use --follow-links)"))
                else:
                    visit(entry.path, rel + "/")
                continue
            if not wanted:
                continue
            if not stat.S_ISREG(st.st_mode):
                skip.append((rel, f"{kind_name(st.st_mode)}, not a regular file; not read"))
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
    """The chunks of a folder batch: its input files (list_files), `chunk_docs` a chunk, each with
    its output name (output_names). What is passed over is appended to `skipped`."""
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
        raise BatchError(f"the input is {kind_name(src.stat().st_mode)}, not a regular file", path=str(source))
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
