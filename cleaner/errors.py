"""The one exception type for errors a user can cause: a bad input file or a bad rule file."""
from __future__ import annotations


class CleanerError(Exception):
    """An error with a one-line message that names the file (and line, for rules).

    The CLI prints `str(error)` on one line of stderr and exits with `exit_code`.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 key: str | None = None):
        self.path = path
        self.line = line
        self.key = key
        self.detail = one_line(message)
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.path or ""
        if where and self.line:
            where = f"{where}:{self.line}"
        parts = [printable(p) for p in (where, self.key and f"'{self.key}'") if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.detail}" if prefix else self.detail


def printable(text: str) -> str:
    """The text with its line breaks and other unprintable characters escaped (a YAML key or a file
    name may hold them; the message stays one line)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def one_line(message: str) -> str:
    """A library's message on one line. PyYAML's marks a position on indented extra lines (where,
    the text, a caret): those go, the file and line are in the error already; other lines are
    joined with '; '."""
    lines = message.splitlines()
    if len(lines) <= 1:
        return message.strip()
    kept = [l.strip() for l in lines if l.strip() and not l[:1].isspace()]
    return "; ".join(kept or [l.strip() for l in lines if l.strip()])


class InputError(CleanerError):
    """A document that cannot be read or decoded."""


class RuleError(CleanerError):
    """A rule file that cannot be loaded: YAML, schema, regular expression, duplicate id, ..."""


class OptionError(CleanerError, ValueError):
    """An argument or option whose value is not one of the allowed ones (e.g. `input_format="xml"`);
    the message names the allowed values. Also a ValueError, as Python code expects of a bad value."""
