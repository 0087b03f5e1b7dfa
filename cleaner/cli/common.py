"""What every `newsclean` command shares: the exit codes, the one-line error, and the options that
choose the rules and the input format (the same names and help in `clean`, `batch` and `rules`)."""
from __future__ import annotations

import sys
from typing import Callable, NoReturn, TypeVar

import click

from ..errors import CleanerError
from ..pipeline import INPUT_FORMATS

# Exit codes of every command (also in `newsclean --help` and docs/hostile-input.md).
EXIT_OK = 0
EXIT_PARTIAL = 1          # batch: some documents failed; rules check/test: errors or failed tests
EXIT_USAGE = 2            # a usage or input error: bad argument, unreadable input or rule file, unwritable output
EXIT_INTERNAL = 3         # a bug: an unexpected exception, reported on one line
EXIT_INTERRUPTED = 130    # Ctrl-C (128 + SIGINT)
EXIT_BROKEN_PIPE = 141    # the reader of stdout went away (`| head`): quiet, as a Unix tool stopped by SIGPIPE

EXIT_CODES_HELP = """\b
Exit codes:
  0    done
  1    partly done: some documents failed (batch), rule errors or failed tests (rules)
  2    usage or input error: bad argument, unreadable input or rule file, unwritable output
  3    internal error (a bug: please report it; NEWSCLEAN_DEBUG=1 shows the traceback)
  130  interrupted;  141  standard output closed by its reader (e.g. | head), quietly
"""

F = TypeVar("F", bound=Callable[..., object])


def fail(error: CleanerError | str, code: int = EXIT_USAGE) -> NoReturn:
    """Print `newsclean: error: <error>` on stderr and exit: with the error's `exit_code` for a
    CleanerError, else with `code`. The commands' only way of reporting a user's error."""
    click.echo(f"newsclean: error: {error}", err=True)
    sys.exit(getattr(error, "exit_code", code))


def rules_dir_option(f: F) -> F:
    """`--rules-dir DIR` (repeatable), passed to the command as `rules_dirs: tuple[str, ...]`."""
    return click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False),
                        help="A folder of your own rule files (repeatable); they win over the shipped ones.")(f)


def rule_options(f: F) -> F:
    """`--site NAME`, `--no-site-rules` and `--rules-dir DIR`: which rules clean a document."""
    f = rules_dir_option(f)
    f = click.option("--no-site-rules", is_flag=True, help="Generic rules and heuristics only.")(f)
    f = click.option("--site", help="Apply this site's rules (name, file name or host), whatever the URL says.")(f)
    return f


def input_format_option(f: F) -> F:
    """`--input-format auto|text|html`, passed as `input_format: str`."""
    return click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
                        help="Read the input as text or HTML (auto: tell which from each document).")(f)
