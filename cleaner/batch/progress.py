"""The batch's progress bar: tqdm, fitted to the terminal's width, silent when not a terminal.

One line on stderr, redrawn in place: label, percentage, bar, documents done / total, docs/s and
the time left. tqdm measures the terminal at every redraw (`dynamic_ncols`), so the line never
wraps, even when the window is narrowed mid-run (a wrapped line would leave a stale copy on
screen at every redraw).
"""
from __future__ import annotations

from typing import Any, TextIO

from tqdm import tqdm

# Redraw at most this often (seconds).
PROGRESS_EVERY_S = 0.25
# label: pct|bar| done/total [rate docs/s, ETA h:mm:ss]; tqdm gives the bar what the width leaves.
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{rate_noinv_fmt}, ETA {remaining}]"


class Progress:
    """Documents done out of `total` (of which `done` were done before this run started: they do
    not count towards the rate). `enabled` False draws nothing. Use `update(n)` after each piece
    of work and `close()` at the end."""

    def __init__(self, total: int, done: int, stream: TextIO, enabled: bool, label: str = "cleaning"):
        self.bar: Any = tqdm(total=total, initial=done, file=stream, disable=not enabled, desc=label,
                             unit=" docs", dynamic_ncols=True, mininterval=PROGRESS_EVERY_S,
                             bar_format=BAR_FORMAT, leave=True)

    def update(self, n: int) -> None:
        """`n` more documents done."""
        self.bar.update(n)

    def close(self) -> None:
        """Draw the last state and end the line."""
        self.bar.close()
