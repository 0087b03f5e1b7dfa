"""JSON Lines corpora as data pipelines hold them: compressed files, pipes, nested fields, layouts.

- Compression by the file name's extension, read and write: `.gz` (gzip), `.bz2` (bzip2), `.zst`
  / `.zstd` (Zstandard). Standard input is recognised by its first bytes instead.
- `-` names standard input (as input) or standard output (as output).
- Field paths: `metadata.url` is the `url` field of the `metadata` object. A key that itself holds
  a dot (`"metadata.url": ...` at the top level) wins over the nested path.
- Layouts (`--layout`): the record shapes of dolma and datatrove, read and written as those tools
  do (see `LAYOUTS`).

A batch reads plain JSON Lines by byte offsets (so that chunks can be read in any order and
resumed); a compressed input or standard input is therefore first decompressed ("spooled") into a
plain file: `batch_paths` does that, and gives the batch a temporary output file when the output is
standard output.
"""
from __future__ import annotations

import bz2
import gzip
import io
import json
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from ..errors import CleanerError
from ..read.files import standard_input, standard_output, write_atomic, write_atomic_stream

# Compression by file name extension (lower case).
COMPRESSIONS: dict[str, str] = {".gz": "gzip", ".bz2": "bzip2", ".zst": "zstd", ".zstd": "zstd"}
# Compression by the first bytes of a stream (standard input has no name).
MAGIC: tuple[tuple[bytes, str], ...] = ((b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"\x28\xb5\x2f\xfd", "zstd"))
# What is written: gzip level 6 (gzip's own default), zstd level 3 (zstd's default), bzip2 level 9.
GZIP_LEVEL = 6
ZSTD_LEVEL = 3
BZIP2_LEVEL = 9
COPY_BLOCK = 1 << 20
STDIO = "-"
STDIN_NAME = "<stdin>"
# Beside the batch's state folder of a JSON Lines output: the decompressed copy of a compressed input.
SPOOL_DIR = "input"
SPOOL_INFO = "input.json"


class CorpusIOError(CleanerError):
    """A corpus file that cannot be read or written as asked (unknown compression, bad field path)."""


# ---------------------------------------------------------------- compression

def compression_of(name: str | Path) -> str | None:
    """"gzip" | "bzip2" | "zstd" from the file name's last extension, or None (plain)."""
    return COMPRESSIONS.get(Path(str(name)).suffix.lower())


def plain_name(name: str | Path) -> str:
    """The file name without its compression extension: "dump.jsonl.gz" -> "dump.jsonl"."""
    text = Path(str(name)).name
    suffix = Path(text).suffix
    return text[: -len(suffix)] if suffix.lower() in COMPRESSIONS else text


def is_jsonl_name(name: str | Path, suffixes: tuple[str, ...]) -> bool:
    """True when the name, without a compression extension, ends with one of `suffixes`."""
    return plain_name(name).lower().endswith(suffixes)


def _zstd() -> Any:
    try:
        import zstandard
    except ImportError as exc:  # a dependency; only a broken install lacks it
        raise CorpusIOError(f"reading or writing .zst needs the zstandard package ({exc})") from None
    return zstandard


def open_decompressed(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """A binary stream of `raw`'s decompressed bytes (`raw` itself when `compression` is None)."""
    if compression is None:
        return raw
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "bzip2":
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if compression == "zstd":
        reader = _zstd().ZstdDecompressor().stream_reader(raw, read_across_frames=True, closefd=False)
        return io.BufferedReader(reader, COPY_BLOCK)  # type: ignore[arg-type]  # lines need a buffer
    raise CorpusIOError(f"unknown compression {compression!r}")


def sniff_compression(raw: BinaryIO) -> tuple[BinaryIO, str | None]:
    """Look at a stream's first bytes (without losing them): (a stream to read from, compression)."""
    head = raw.read(4)
    rest: BinaryIO = io.BufferedReader(_Prepend(head, raw), COPY_BLOCK)  # type: ignore[assignment]
    for magic, name in MAGIC:
        if head.startswith(magic):
            return rest, name
    return rest, None


class _Prepend(io.RawIOBase):
    """A raw stream: some bytes already read, then the rest of `raw` (which is not closed)."""

    def __init__(self, head: bytes, raw: BinaryIO):
        super().__init__()
        self.head, self.raw = head, raw

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        if self.head:
            n = min(len(buf), len(self.head))
            buf[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.raw.read(len(buf))
        buf[: len(data)] = data
        return len(data)


@contextmanager
def compressing(fh: BinaryIO, compression: str | None) -> Iterator[BinaryIO]:
    """A writable binary stream that compresses into `fh` (which stays open); `fh` when plain.
    gzip output carries no time stamp, so the same lines give the same bytes."""
    if compression is None:
        yield fh
        return
    if compression == "gzip":
        with gzip.GzipFile(fileobj=fh, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as out:
            yield out  # type: ignore[misc]
    elif compression == "bzip2":
        with bz2.BZ2File(fh, "wb", compresslevel=BZIP2_LEVEL) as out:
            yield out  # type: ignore[misc]
    elif compression == "zstd":
        writer = _zstd().ZstdCompressor(level=ZSTD_LEVEL).stream_writer(fh, closefd=False)
        with writer:
            yield writer
    else:
        raise CorpusIOError(f"unknown compression {compression!r}")


def compressed_fill(target: str | Path, fill: Callable[[BinaryIO], object]) -> Callable[[BinaryIO], None]:
    """Wrap a `write_atomic_stream` filler so that the file is compressed as its name says."""
    compression = compression_of(target)

    def wrapped(fh: BinaryIO) -> None:
        with compressing(fh, compression) as out:
            fill(out)

    return wrapped


def read_lines(path: str | Path) -> Iterator[bytes]:
    """The lines (bytes, with their newline) of a JSON Lines file, decompressed as its name says;
    standard input for '-' (decompressed as its first bytes say)."""
    if str(path) == STDIO:
        stream, compression = sniff_compression(standard_input())
        yield from open_decompressed(stream, compression)
        return
    with open(path, "rb") as raw:
        with open_decompressed(raw, compression_of(path)) as stream:  # type: ignore[attr-defined]
            yield from stream


def write_lines(path: str | Path, lines: Iterator[str] | list[str]) -> None:
    """Write text lines (each with its newline) to a file, atomically and compressed as its name
    says, or to standard output for '-'."""
    if str(path) == STDIO:
        out = standard_output("use a file name")
        for line in lines:
            out.write(line.encode("utf-8"))
        out.flush()
        return
    write_atomic_stream(path, compressed_fill(path, lambda fh: [fh.write(l.encode("utf-8")) for l in lines]))


def spool(source: str | Path, dest: Path) -> None:
    """Decompress `source` (a file, or '-' for standard input) into the plain file `dest`, atomically.
    Raises CorpusIOError naming the source when it is not valid compressed data."""
    name = STDIN_NAME if str(source) == STDIO else str(source)

    def fill(fh: BinaryIO) -> None:
        for block in _blocks(source):
            fh.write(block)

    try:
        write_atomic_stream(dest, fill)
    except (OSError, EOFError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.filename and str(dest.parent) in str(exc.filename):
            raise CorpusIOError(f"cannot write: {exc.strerror or exc}", path=str(dest)) from None
        raise CorpusIOError(f"cannot read: {exc}", path=name) from None
    except Exception as exc:  # noqa: BLE001 - zstandard.ZstdError and the like: a broken file
        raise CorpusIOError(f"cannot read: {type(exc).__name__}: {exc}", path=name) from None


def _blocks(source: str | Path) -> Iterator[bytes]:
    if str(source) == STDIO:
        stream, compression = sniff_compression(standard_input())
        reader = open_decompressed(stream, compression)
        while block := reader.read(COPY_BLOCK):
            yield block
        return
    with open(source, "rb") as raw:
        reader = open_decompressed(raw, compression_of(source))
        while block := reader.read(COPY_BLOCK):
            yield block


def copy_to_stdout(path: Path) -> None:
    """Copy a file's bytes to standard output. Raises CleanerError when standard output is
    closed, OSError when writing fails."""
    out = standard_output("use a file name")
    with open(path, "rb") as src:
        shutil.copyfileobj(src, out, COPY_BLOCK)
    out.flush()


# ---------------------------------------------------------------- field paths

_MISSING = object()


def get_path(record: dict[str, Any], path: str) -> Any:
    """The value at a dotted field path ("metadata.url"), or None when any step is missing or
    not an object. An exact top-level key wins over the nested reading."""
    if path in record:
        return record[path]
    node: Any = record
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def set_path(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `record` with `value` at the dotted path; the objects along the path are copied
    (the input record is not changed) and created when missing. An exact top-level key wins.
    Raises CorpusIOError when a step exists and is not an object."""
    if path in record or "." not in path:
        return {**record, path: value}
    head, rest = path.split(".", 1)
    inner = record.get(head, _MISSING)
    if inner is _MISSING or inner is None:
        inner = {}
    if not isinstance(inner, dict):
        raise CorpusIOError(f"field {head!r} is not an object, so {path!r} cannot be written")
    return {**record, head: set_path(inner, rest, value)}


def path_problem(record: dict[str, Any], path: str) -> str | None:
    """Why `set_path(record, path, ...)` would fail, or None."""
    if path in record or "." not in path:
        return None
    node: Any = record
    parts = path.split(".")
    for i, key in enumerate(parts[:-1]):
        node = node.get(key) if isinstance(node, dict) else None
        if node is None:
            return None
        if not isinstance(node, dict):
            return f"field {'.'.join(parts[:i + 1])!r} is not an object, so {path!r} cannot be written"
    return None


# ---------------------------------------------------------------- layouts

@dataclass(frozen=True)
class Layout:
    """Where a record layout keeps a document's parts, and what newsclean writes back.

    text_field: the document (replaced by the cleaned text); url_field: its URL; id_field: its
    identifier; output_field: where newsclean's metadata and removal counts go; required: fields
    besides the text a record must have (a record without them is an error)."""

    text_field: str
    url_field: str
    id_field: str
    output_field: str
    required: tuple[str, ...] = ()
    replace_text: bool = True


# dolma (allenai/dolma docs/data-format.md): {"id" (mandatory), "text" (mandatory), "source"
# (mandatory), "added", "created", "metadata": {...}} with gzipped JSON Lines files; web sources keep
# the page's URL as metadata.url. datatrove (huggingface/datatrove Document): {"text", "id",
# "media", "metadata": {...}}; its readers make an id when there is none; its web readers put
# the URL at metadata.url. Both: cleaned text in "text", newsclean's fields in metadata.newsclean.
LAYOUTS: dict[str, Layout] = {
    "dolma": Layout(text_field="text", url_field="metadata.url", id_field="id",
                    output_field="metadata.newsclean", required=("id",)),
    "datatrove": Layout(text_field="text", url_field="metadata.url", id_field="id",
                        output_field="metadata.newsclean"),
}


def record_problem(record: dict[str, Any], layout: str | None, write_paths: tuple[str, ...]) -> str | None:
    """Why a record cannot be cleaned and written back (a missing field the layout requires, a
    write path blocked by a non-object), or None."""
    if layout is not None:
        for name in LAYOUTS[layout].required:
            if get_path(record, name) is None:
                return f"no {name!r} field (the {layout} layout requires it)"
    for path in write_paths:
        problem = path_problem(record, path)
        if problem:
            return problem
    return None


# ---------------------------------------------------------------- paths of a batch

@dataclass
class BatchPaths:
    """What a JSON Lines batch reads and writes, once pipes and compression are dealt with.

    source: a plain JSON Lines file (the input itself, or its decompressed copy); target: the
    output file the batch writes (a temporary file when the output is standard output); name: how
    messages name the input; to_stdout: copy `target` to standard output at the end."""

    source: Path
    target: Path
    name: str
    to_stdout: bool
    temp_dir: Path | None = None


@contextmanager
def batch_paths(source: str, target: str, *, state_dir_of: Callable[[Path], Path]) -> Iterator[BatchPaths]:
    """Prepare a JSON Lines batch's files: standard input or a compressed input is decompressed
    into a plain file; standard output becomes a temporary file. A compressed input's copy is kept
    in the output's state folder (`state_dir_of(target)`) and reused while the input is unchanged,
    so a rerun resumes; standard input and standard output use a temporary folder, removed on exit.
    Raises CorpusIOError for input that cannot be read or decompressed."""
    to_stdout = target == STDIO
    temp: Path | None = None
    try:
        if to_stdout or source == STDIO:
            temp = Path(tempfile.mkdtemp(prefix="newsclean-"))
        real_target = temp / "stdout.jsonl" if to_stdout else Path(target).resolve()  # type: ignore[operator]
        if source == STDIO:
            plain = temp / "stdin.jsonl"  # type: ignore[operator]
            spool(STDIO, plain)
            paths = BatchPaths(plain, real_target, STDIN_NAME, to_stdout, temp)
        elif compression_of(source):
            src = Path(source).resolve()
            folder = state_dir_of(real_target) / SPOOL_DIR
            plain = folder / plain_name(src)
            _spool_once(src, plain, folder / SPOOL_INFO)
            paths = BatchPaths(plain, real_target, Path(source).name, to_stdout, temp)
        else:
            paths = BatchPaths(Path(source).resolve(), real_target, Path(source).name, to_stdout, temp)
        yield paths
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def _identity(path: Path) -> list[Any]:
    st = path.stat()
    return [str(path), st.st_size, st.st_mtime_ns]


def _spool_once(src: Path, plain: Path, info: Path) -> None:
    """Decompress `src` into `plain` unless a copy of the same input (path, size, time) is there."""
    try:
        wanted = _identity(src)
    except OSError as exc:
        raise CorpusIOError(f"cannot read: {exc.strerror or exc}", path=str(src)) from None
    try:
        if json.loads(info.read_text(encoding="utf-8")) == wanted and plain.is_file():
            return
    except (OSError, ValueError):
        pass
    info.unlink(missing_ok=True)
    spool(src, plain)
    write_atomic(info, json.dumps(wanted) + "\n")
