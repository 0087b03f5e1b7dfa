"""Reading inputs and writing outputs without losing anything: clear errors, atomic writes.

Inputs: a regular file, standard input ('-'), or a FIFO / device given by name (`<(cmd)` in a
shell is a FIFO); whatever it is, at most `max_bytes` + 1 bytes are read, so a source that never
ends (/dev/zero) is refused as too large rather than exhausting memory. A directory is refused.

Outputs: written to a temporary file in the same folder, then renamed over the target, and only
when the target is missing or a regular file (not a symlink, FIFO, device node or directory),
keeping the mode of the file it replaces. `check_output` also refuses an output that is one of
the inputs (the same inode, under any name).
"""
from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Sequence

from ..errors import CleanerError, InputError

# Documents larger than this are refused rather than cleaned (batch records them as errors).
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# The name of standard input in messages.
STDIN_NAME = "<stdin>"


class UnsafeOutputError(OSError):
    """The output path is something an atomic rename must not replace: a symlink, FIFO, device
    node, socket or directory. An OSError, so every `except OSError` around a write reports it
    (`exc.strerror` is the reason, `exc.filename` the path)."""


def read_document(path: str, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a file, or of standard input for '-'.

    At most `max_bytes` + 1 bytes are read, whatever the file is (regular file, FIFO, device).
    Raises InputError naming the file: missing, a directory, unreadable, too large, standard
    input closed."""
    if path == "-":
        stream = standard_input()
        try:
            return _read_limited(stream, max_bytes, STDIN_NAME)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=STDIN_NAME) from None
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise InputError("is a directory, not a file", path=path)
            if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
                raise InputError(f"too large ({st.st_size} bytes; the limit is {max_bytes})", path=path)
            return _read_limited(fh, max_bytes, path)
    except FileNotFoundError:
        raise InputError("no such file", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=path) from None
    except PermissionError:
        raise InputError("permission denied", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    except ValueError:  # "embedded null byte": a name no file can have
        raise InputError("not a valid file name", path=path.replace("\x00", "\\x00")) from None


def standard_input() -> BinaryIO:
    """Standard input's byte stream. Raises InputError "standard input is closed" when the shell
    closed it (`<&-`: Python then sets sys.stdin to None)."""
    if sys.stdin is None or sys.stdin.closed:
        raise InputError("standard input is closed", path=STDIN_NAME)
    return sys.stdin.buffer


def standard_output(hint: str) -> BinaryIO:
    """Standard output's byte stream. Raises CleanerError "standard output is closed (`hint`)"
    when the shell closed it (`>&-`: Python then sets sys.stdout to None); `hint` says what to use
    instead, e.g. "use -o FILE"."""
    if sys.stdout is None or sys.stdout.closed:
        raise CleanerError(f"standard output is closed ({hint})")
    return sys.stdout.buffer


def silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so that the interpreter's final flush of what is still
    buffered neither fails again nor prints "Exception ignored" after our one line (call it once
    writing to standard output failed)."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):   # no stdout, or not a real file (tests)
        pass


def _read_limited(fh: BinaryIO, max_bytes: int, name: str) -> bytes:
    data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"too large (more than {max_bytes} bytes, the limit)", path=name)
    return data


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, for messages; None for a regular file."""
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def _existing(target: Path) -> os.stat_result | None:
    """lstat of the output path, None when it does not exist; UnsafeOutputError unless it is a
    regular file."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None
    kind = file_kind(st.st_mode)
    if kind is not None:
        raise UnsafeOutputError(errno.EEXIST, f"is {kind}; only a regular file is replaced", str(target))
    return st


def check_output(output: str, inputs: Sequence[str] = ()) -> None:
    """Refuse an output path that writing would harm, before anything is read or written.

    `inputs` are the command's input paths ('-' for standard input). Raises CleanerError naming
    `output` when it exists and is not a regular file (a symlink, FIFO, device node, socket,
    directory), or when it is one of the inputs (the same inode, under this name or another)."""
    try:
        st = _existing(Path(output))
    except UnsafeOutputError as exc:
        raise CleanerError(f"output {exc.strerror}", path=output) from None
    except OSError as exc:
        raise CleanerError(f"cannot use as output: {exc.strerror or exc}", path=output) from None
    except ValueError:
        raise CleanerError("not a valid file name", path=output.replace("\x00", "\\x00")) from None
    if st is None:
        return
    for source in inputs:
        try:
            other = os.fstat(sys.stdin.fileno()) if source == "-" else os.stat(source)
        except (OSError, ValueError, AttributeError):   # a missing input is reported when it is read
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            shown = STDIN_NAME if source == "-" else source
            raise CleanerError(f"output is the input ({shown}); write to another file", path=output)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`: never a half file.

    Raises OSError (UnsafeOutputError when `path` is a symlink, FIFO, device node or directory)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write_atomic_stream(path, lambda fh: fh.write(payload))


def write_atomic_stream(path: str | Path, fill: Callable[[BinaryIO], object]) -> None:
    """Like write_atomic, for outputs too big to hold in memory: `fill(fh)` writes them.

    Only a missing or regular file is replaced (checked before writing and again just before the
    rename); the replacement keeps the replaced file's permission bits, a new file gets 0666 minus
    the umask."""
    target = Path(path)
    previous = _existing(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp makes 0600; an output gets the mode of the file it replaces, or the usual one
        mode = stat.S_IMODE(previous.st_mode) if previous is not None else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _existing(target)   # something put a FIFO or symlink there meanwhile: leave it alone
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
