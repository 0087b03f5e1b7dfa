"""Reading a chunk's documents: files of a folder, or lines of a JSON Lines file.

Reading never raises for one document's sake: a document that cannot be read (too large, not a
regular file, a broken JSON line, no text field, ...) carries its reason in `Doc.error`, and
becomes a line of the errors file. A FIFO, device or socket is never opened for reading.
"""
from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from typing import Any

from .config import READ_BLOCK, BatchConfig, inside, kind_name, shown
from .corpus import get_path, record_problem
from .plan import Chunk, FileItem


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
        """How a part file names a document: its relative path (folder) or its line number (JSON Lines)."""
        return self.item.rel if self.item is not None else str(self.line)


def read_chunk(cfg: BatchConfig, chunk: Chunk) -> list[Doc]:
    """The chunk's documents (only those of `chunk.redo` when it is set), in input order; a
    document that cannot be read carries its reason in `error` (never an exception)."""
    docs = _read_dir_chunk(cfg, chunk) if cfg.mode == "dir" else _read_jsonl_chunk(cfg, chunk)
    if chunk.redo is not None:
        wanted = set(chunk.redo)
        docs = [d for d in docs if d.key in wanted]
    return docs


class NotRegular(OSError):
    """A path that is not a regular file (or a link not to be followed): never read or replaced."""


def read_regular_file(path: str, max_bytes: int, root: str | None = None) -> bytes:
    """At most `max_bytes` + 1 bytes of a regular file (so `len() > max_bytes` means too large,
    whatever `stat()` said). A FIFO, device or socket is refused without blocking (O_NONBLOCK),
    as is a symbolic link whose target leaves `root` (when given). Raises OSError."""
    if root is not None and os.path.islink(path) and not inside(os.path.realpath(path), root):
        raise NotRegular(0, "a symbolic link leaving the input folder; not followed (use --follow-links)")
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(0, f"{kind_name(st.st_mode)}, not a regular file; not read")
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
