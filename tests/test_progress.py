"""The batch's progress bar (issue 15, item 4): fitted to the terminal's width, so a redraw never
wraps (a wrapped line leaves a stale copy on screen per redraw); silent when not a terminal."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import unicodedata
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE_NAMES, SAMPLES, newsclean_command

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text if c.isprintable())


def _corpus(root: Path, copies: int = 3) -> Path:
    src = root / "in"
    src.mkdir()
    for copy in range(copies):
        for name in SAMPLE_NAMES:
            (src / f"{name}-{copy}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    return src


def _run_on_terminal(args: list[str], columns: int) -> str:
    """Run newsclean with stderr on a pseudo-terminal of `columns` columns; what it drew there."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(newsclean_command() + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:          # EIO: the other side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) in (0, 1)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("columns", [80, 40])
def test_the_bar_never_wraps_at_the_terminal_width(tmp_path, columns):
    src = _corpus(tmp_path)
    drawn = _run_on_terminal(["batch", str(src), str(tmp_path / "out"), "--jobs", "1", "--chunk-size", "1"],
                             columns)
    frames = [f for f in re.split(r"[\r\n]", _ANSI.sub("", drawn)) if "docs" in f and "%" in f]
    assert len(frames) >= 2, drawn                             # drawn at the start and the end at least
    assert max(_width(f) for f in frames) <= columns, frames
    total = 3 * len(SAMPLE_NAMES)
    assert f"{total}/{total}" in frames[-1] and "100%" in frames[-1]


def test_silent_when_stderr_is_not_a_terminal(tmp_path):
    src = _corpus(tmp_path, copies=1)
    r = subprocess.run(newsclean_command() + ["batch", str(src), str(tmp_path / "o"), "--jobs", "1"],
                       capture_output=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0
    assert "\r" not in r.stderr.decode() and "%|" not in r.stderr.decode()
