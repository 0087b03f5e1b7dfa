"""What a batch is: its settings (`BatchConfig`), the error that stops it, and how it names things.

`BatchConfig` holds everything that decides a batch's output; its `fingerprint` is stored in the
state folder, so that a rerun resumes only a run made with the same settings (cleaner.batch.state).
The helpers here name inputs in messages and JSON (`shown`, `json_text`) and tell what a path is
(`inside`, `kind_name`); every other module of cleaner.batch uses them.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CleanerError
from ..read.files import MAX_DOCUMENT_BYTES, file_kind
from ..pipeline import Options

# Files a directory batch cleans (by suffix, case-insensitive); hidden files and folders are skipped.
TEXT_SUFFIXES: tuple[str, ...] = (".txt", ".text")
HTML_SUFFIXES: tuple[str, ...] = (".html", ".htm", ".xhtml", ".shtml")
DEFAULT_SUFFIXES: tuple[str, ...] = TEXT_SUFFIXES + HTML_SUFFIXES
JSONL_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".json", ".jsonlines")
# Documents per chunk: small enough that a killed run loses little, large enough to amortise.
DEFAULT_CHUNK_DOCS = 64
# --dedup-lines: a line is common when it is in at least this share of a site's documents ...
DEFAULT_DEDUP_MIN_SHARE = 0.3
# ... and the site has at least this many documents (fewer say nothing about recurrence).
DEFAULT_DEDUP_MIN_DOCS = 10

# The part files' shape: part files of another version are not reused (the batch starts over).
STATE_VERSION = 3                            # 2: corpus counts; 3: per-document entries
# Input and output are read and copied in blocks of this many bytes.
READ_BLOCK = 1 << 20


class BatchError(CleanerError):
    """A batch that cannot start: bad paths, output inside input, unwritable output, ..."""


@dataclass(frozen=True)
class DedupSettings:
    """--dedup-lines: a line is common to a site when it is in at least `min_share` (0..1] of the
    site's documents, and the site has at least `min_docs` documents."""

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
    layout: str | None = None                # jsonl: "dolma" | "datatrove" (batch.corpus.LAYOUTS)
    source_name: str | None = None           # how messages name the input (default: its file name)

    @property
    def input_name(self) -> str:
        """The input's name in messages and errors.jsonl: `source_name`, else the file's name."""
        return self.source_name or Path(self.source).name

    def fingerprint(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (config.json in the state folder), with STATE_VERSION;
        the common lines are left out (the batch adds their digest)."""
        data = dataclasses.asdict(self)
        data["options"].pop("common_lines", None)
        data["options"]["signals_off"] = sorted(data["options"].get("signals_off", ()))
        data["options"]["rules_dirs"] = list(self.options.rules_dirs)
        data["version"] = STATE_VERSION
        return json.loads(json.dumps(data))     # as it reads back from config.json


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


def inside(path: str, root: str) -> bool:
    """True when `path` is `root` or below it (both real paths, as os.path.realpath gives them)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def kind_name(mode: int) -> str:
    """What a file is, for messages ("a FIFO", "a character device", ..., "a regular file")."""
    return file_kind(mode) or "a regular file"
