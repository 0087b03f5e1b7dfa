"""The `newsclean` command: the top-level group (one-line errors, exit codes) and `clean`, one document.

    common.py  exit codes, the one-line error, the options shared by the commands
    batch.py   `newsclean batch`: a folder or JSON Lines corpus
    rules.py   `newsclean rules list|check|show|test|new|suggest`

`newsclean report` comes from cleaner.batch.report. The console script is `cleaner.cli:main`.
"""
from __future__ import annotations

import errno
import os
import sys

import click

from ..batch.report import report_command_factory
from ..errors import CleanerError, one_line, printable
from ..pipeline import Options, clean
from ..read import read_document
from ..read.fetch import fetch, is_url
from ..read.files import check_output, silence_stdout, standard_output, write_atomic
from ..render import as_json, as_markdown, as_text, explain
from .batch import batch_command
from .common import (EXIT_BROKEN_PIPE, EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, fail,
                     input_format_option, rule_options)
from .rules import rules_group

FORMATS = ("text", "json", "markdown")
# Set to 1 to get the traceback of an internal error instead of its one line.
DEBUG_ENV = "NEWSCLEAN_DEBUG"
# An unexpected exception's message is cut to this many characters (its one line stays readable).
MAX_INTERNAL_MESSAGE_CHARS = 300


# click >= 8.2 raises this for a group called without a command; it carries the help, not an error.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _debug() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


class NewscleanGroup(click.Group):
    """The top-level group: every error at the CLI's edges becomes one line on stderr and an exit
    code from EXIT_* (usage errors too, not click's three lines); an unexpected exception is an
    internal error (EXIT_INTERNAL), with its traceback only when NEWSCLEAN_DEBUG=1."""

    def main(self, *args, **kwargs):  # type: ignore[override]
        if not kwargs.get("standalone_mode", True):
            return super().main(*args, **kwargs)
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except _NO_ARGS_IS_HELP as exc:   # `newsclean` or `newsclean rules` alone: the help, as click shows it
            exc.show()
            code = exc.exit_code
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else "newsclean"
            _echo_error(f"{one_line(exc.format_message())} (see '{where} --help')")
            code = exc.exit_code
        except click.ClickException as exc:
            _echo_error(one_line(exc.format_message()))
            code = exc.exit_code
        except click.Abort:
            click.echo("newsclean: interrupted", err=True)
            code = EXIT_INTERRUPTED
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, EOFError):
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                silence_stdout()
                sys.exit(EXIT_BROKEN_PIPE)
            if _debug():
                raise
            if exc.filename is None:   # most likely standard output (a full disk)
                silence_stdout()
            where = f"{printable(str(exc.filename))}: " if exc.filename else ""
            _echo_error(f"{where}{exc.strerror or printable(one_line(str(exc)))}")
            sys.exit(EXIT_USAGE)
        except Exception as exc:  # noqa: BLE001 - the last resort: one line, not a traceback
            if _debug():
                raise
            detail = printable(one_line(str(exc)))[:MAX_INTERNAL_MESSAGE_CHARS]
            what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
            _echo_error(f"{what}; please report it ({DEBUG_ENV}=1 shows the traceback)", internal=True)
            sys.exit(EXIT_INTERNAL)


def _echo_error(message: str, internal: bool = False) -> None:
    label = "internal error" if internal else "error"
    try:
        click.echo(f"newsclean: {label}: {message}", err=True)
    except OSError:   # stderr gone too: the exit code says it
        pass


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.group(cls=NewscleanGroup, epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsclean")
def main() -> None:
    """Clean scraped news articles: the article's text and metadata, without the boilerplate."""


@main.command("clean")
@click.argument("source", default="-")
@click.option("--url", help="The article's URL: picks site rules by host, and is returned as metadata.")
@rule_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: the body; json: body, metadata and every removal, on one line; markdown: "
                   "'# title', paragraphs, '## subheadings'.")
@click.option("--pretty", is_flag=True, help="JSON indented over many lines instead of one line.")
@input_format_option
@click.option("--with-metadata", is_flag=True,
              help="Text and markdown: YAML front matter (title, author, date, site, URL, ...) before the body.")
@click.option("--explain", "show_explain", is_flag=True,
              help="Show every block: kept or removed, category, rule (with --format json: a 'blocks' list).")
@click.option("--model", "use_model", is_flag=True,
              help="Let the fitted block model relabel what the heuristics decided (docs/model.md).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
def clean_command(source: str, url: str | None, site: str | None, no_site_rules: bool, rules_dirs: tuple[str, ...],
                  fmt: str, pretty: bool, input_format: str, with_metadata: bool, show_explain: bool,
                  use_model: bool, output: str | None) -> None:
    """Clean one article: a file, an http(s) URL (fetched), or '-' (the default) for standard input."""
    name = "<stdin>" if source == "-" else source
    try:
        if output:
            check_output(output, inputs=(source,))
        else:
            standard_output("use -o FILE")   # `newsclean clean x >&-`: refused before any work
        if is_url(source):
            data = fetch(source)
            url = url or source
        else:
            data = read_document(source)
        options = Options(site_rules=not no_site_rules, rules_dirs=tuple(rules_dirs), input_format=input_format,  # type: ignore[arg-type]
                          model=use_model)
        article = clean(data, url=url, site=site, options=options, source=name)
    except CleanerError as exc:
        fail(exc)
    if fmt == "json":
        rendered = as_json(article, pretty=pretty, blocks=show_explain)
    elif show_explain:
        rendered = explain(article, color=use_color() and output is None)
    elif fmt == "markdown":
        rendered = as_markdown(article, with_metadata=with_metadata)
    else:
        rendered = as_text(article, with_metadata=with_metadata)
    if output:
        try:
            write_atomic(output, rendered)
        except OSError as exc:
            fail(f"{output}: cannot write: {exc.strerror or exc}")
    else:
        try:
            click.echo(rendered, nl=False)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            silence_stdout()
            fail(f"standard output: cannot write: {exc.strerror or exc}")


main.add_command(rules_group)
main.add_command(batch_command)
main.add_command(report_command_factory())
