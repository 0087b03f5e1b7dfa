"""The `newsclean` command: `clean` one document; `rules ...` and `batch` live in their own modules."""
from __future__ import annotations

import os
import sys

import click

from .errors import CleanerError
from .fileio import read_document, write_atomic
from .output import as_json, as_text, explain
from .pipeline import Options, clean

FORMATS = ("text", "json")
INPUT_FORMATS = ("auto", "text", "html")


def fail(error: CleanerError | str, code: int = 2) -> None:
    """One line on stderr, then exit: the CLI's only way of reporting a user's error."""
    click.echo(f"newsclean: error: {error}", err=True)
    sys.exit(getattr(error, "exit_code", code))


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsclean")
def main() -> None:
    """Clean scraped news articles: the article's text and metadata, without the boilerplate."""


def rule_options(f):
    f = click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False),
                     help="A folder of your own rule files (repeatable); they win over the shipped ones.")(f)
    f = click.option("--no-site-rules", is_flag=True, help="Generic rules and heuristics only.")(f)
    f = click.option("--site", help="Apply this site's rules (name, file name or host), whatever the URL says.")(f)
    return f


@main.command("clean")
@click.argument("source", default="-")
@click.option("--url", help="The article's URL: picks site rules by host, and is returned as metadata.")
@rule_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: the body; json: body, metadata and every removal.")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default="auto", show_default=True,
              help="Force reading the input as text or HTML.")
@click.option("--with-metadata", is_flag=True, help="Put title, author, date, site and URL before the body.")
@click.option("--explain", "show_explain", is_flag=True, help="Show every block: kept or removed, category, rule.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
def clean_command(source: str, url: str | None, site: str | None, no_site_rules: bool, rules_dirs: tuple[str, ...],
                  fmt: str, input_format: str, with_metadata: bool, show_explain: bool, output: str | None) -> None:
    """Clean one article: a file, or '-' (the default) for standard input."""
    name = "<stdin>" if source == "-" else source
    try:
        data = read_document(source)
        options = Options(site_rules=not no_site_rules, rules_dirs=tuple(rules_dirs), input_format=input_format)
        article = clean(data, url=url, site=site, options=options, source=name)
    except CleanerError as exc:
        fail(exc)
        return
    if show_explain:
        rendered = explain(article, color=use_color() and output is None)
    elif fmt == "json":
        rendered = as_json(article)
    else:
        rendered = as_text(article, with_metadata=with_metadata)
    if output:
        try:
            write_atomic(output, rendered)
        except OSError as exc:
            fail(f"{output}: cannot write: {exc.strerror or exc}")
    else:
        click.echo(rendered, nl=False)


def _register_subcommands() -> None:
    from .cli_batch import batch_command
    from .cli_rules import rules_group

    main.add_command(rules_group)
    main.add_command(batch_command)


_register_subcommands()
