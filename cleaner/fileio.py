"""Reading inputs and writing outputs without losing anything: clear errors, atomic writes."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import InputError

# Documents larger than this are refused rather than cleaned (batch records them as errors).
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def read_document(path: str, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a file, or of standard input for '-'. Raises InputError naming the file."""
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError("is a directory, not a file", path=path)
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(f"too large ({size} bytes; the limit is {max_bytes})", path=path)
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except PermissionError:
        raise InputError("permission denied", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    except ValueError:  # "embedded null byte": a name no file can have
        raise InputError("not a valid file name", path=path.replace("\x00", "\\x00")) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`: never a half file."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomic_stream(path, lambda fh: fh.write(payload))


def write_atomic_stream(path: str | Path, fill: Callable[[BinaryIO], object]) -> None:
    """Like write_atomic, for outputs too big to hold in memory: `fill(fh)` writes them."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())   # mkstemp makes 0600; an output gets the usual mode
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
