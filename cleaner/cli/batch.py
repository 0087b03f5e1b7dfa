"""`newsclean batch`: a directory or JSON Lines corpus on all cores (or a Dask cluster)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..batch import BatchConfig, DedupSettings, LocalEngine, run_batch
from ..batch.config import DEFAULT_CHUNK_DOCS, DEFAULT_DEDUP_MIN_DOCS, DEFAULT_DEDUP_MIN_SHARE, DEFAULT_SUFFIXES
from ..batch.corpus import LAYOUTS, STDIO, batch_paths
from ..batch.pipes import check_stream_paths, deliver_pipe_outputs, jsonl_state_dir, layout_fields
from ..errors import CleanerError
from ..pipeline import Options
from ..read.files import MAX_DOCUMENT_BYTES
from .common import EXIT_INTERRUPTED, EXIT_PARTIAL, fail, input_format_option, rule_options


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@click.command("batch")
@click.argument("source", type=click.Path(path_type=Path, allow_dash=True))
@click.argument("target_name", metavar="TARGET", type=click.Path(allow_dash=True))   # str: keeps a trailing '/'
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes (local engine) or local Dask workers. [default: all cores]")
@click.option("--engine", type=click.Choice(("local", "dask")), default="local", show_default=True,
              help="local: a process pool on this machine; dask: a Dask cluster (pip install newsclean[dask]).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Folder output: .txt bodies or .json articles. JSON Lines: metadata and counts, or every removal.")
@click.option("--with-metadata", is_flag=True,
              help="Folder output, text format: YAML front matter (title, author, date, ...) before the body.")
@input_format_option
@rule_options
@click.option("--text-field", default="text", show_default=True,
              help="JSON Lines: the field holding the document (a dotted path for a nested field).")
@click.option("--url-field", default="url", show_default=True,
              help="JSON Lines: the field holding its URL, e.g. metadata.url ('' for none).")
@click.option("--id-field", default=None, help="JSON Lines: a field naming the document in errors.jsonl.")
@click.option("--layout", type=click.Choice(tuple(LAYOUTS)), default=None,
              help="JSON Lines records as dolma or datatrove write them: text in 'text', URL in "
                   "metadata.url, cleaned text back in 'text', newsclean's fields in metadata.newsclean.")
@click.option("--errors", "errors_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With '-' as output: write the errors file here. [default: each error on stderr]")
@click.option("--stats", "stats_to", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With '-' as output: write stats.json here. [default: not written]")
@click.option("--output-field", default="clean", show_default=True,
              help="JSON Lines: the field the cleaned text and metadata are added under.")
@click.option("--replace-text", is_flag=True,
              help="JSON Lines: put the cleaned text in the text field itself (the original is not kept).")
@click.option("--replace-field", is_flag=True,
              help="JSON Lines: let --output-field replace a field the input records already have.")
@click.option("--follow-links", is_flag=True,
              help="Folder input: follow symbolic links that leave the input folder, and links to folders.")
@click.option("--overwrite", is_flag=True,
              help="Replace an output made with other settings (by default the batch refuses to mix them).")
@click.option("--retry-errors", is_flag=True,
              help="Clean again the documents that failed in an earlier run (only those).")
@click.option("--dedup-lines", is_flag=True,
              help="First count lines per site; remove lines found in many of a site's documents (category duplicate).")
@click.option("--dedup-min-share", type=click.FloatRange(0.0, 1.0, min_open=True), default=DEFAULT_DEDUP_MIN_SHARE,
              show_default=True, help="--dedup-lines: share of a site's documents a line must be in.")
@click.option("--dedup-min-docs", type=click.IntRange(min=2), default=DEFAULT_DEDUP_MIN_DOCS, show_default=True,
              help="--dedup-lines: sites with fewer documents are left alone.")
@click.option("--suffix", "suffixes", multiple=True,
              help=f"Folder input: file suffixes to clean (repeatable). [default: {' '.join(DEFAULT_SUFFIXES)}]")
@click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_DOCS, show_default=True,
              help="Documents per unit of work (and of resume).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_DOCUMENT_BYTES, show_default=True,
              help="Larger documents are recorded as errors, not cleaned.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr. [default: when stderr is a terminal]")
def batch_command(source: Path, target_name: str, jobs: int | None, engine: str, scheduler: str | None, fmt: str,
                  with_metadata: bool, input_format: str, site: str | None, no_site_rules: bool,
                  rules_dirs: tuple[str, ...], text_field: str, url_field: str, id_field: str | None,
                  output_field: str, replace_text: bool, dedup_lines: bool, dedup_min_share: float,
                  dedup_min_docs: int, suffixes: tuple[str, ...], chunk_size: int, max_bytes: int,
                  progress: bool | None, layout: str | None, errors_to: Path | None,
                  stats_to: Path | None, replace_field: bool, follow_links: bool, overwrite: bool,
                  retry_errors: bool) -> None:
    """Clean a folder of text/HTML files (recursively) or a JSON Lines file.

    \b
      newsclean batch scraped/ cleaned/          mirrored tree of .txt + manifest.jsonl
      newsclean batch corpus.jsonl cleaned.jsonl --text-field text --url-field url
      zcat dump.jsonl.gz | newsclean batch - - --layout dolma | gzip > clean.jsonl.gz

    Rerunning the same command resumes a killed run (--retry-errors also retries the failed
    documents). Failed documents are listed in errors.jsonl (exit code 1); the others are cleaned.
    Exit 2: the batch cannot start or must stop (bad paths, output locked by another run, other
    settings without --overwrite, a full disk), with a one-line message.
    """
    if scheduler and engine != "dask":
        fail("--scheduler needs --engine dask")
    target = Path(target_name)
    text_field, url_field, id_field, output_field, replace_text = layout_fields(
        layout, text_field, url_field, id_field, output_field, replace_text)
    if (errors_to or stats_to) and str(target) != STDIO:
        fail("--errors and --stats are for '-' as output (a file output has them beside it)")
    try:
        mode = check_stream_paths(source, target_name)
        # '-' and compressed input: a plain copy to read; '-' output: a temporary file (removed at exit)
        io_paths = click.get_current_context().with_resource(
            batch_paths(str(source), str(target), state_dir_of=jsonl_state_dir)) if mode == "jsonl" else None
    except CleanerError as exc:
        fail(exc)
    cfg = BatchConfig(
        source=str(io_paths.source if io_paths else source.resolve()),
        target=str(io_paths.target if io_paths else target.resolve()), mode=mode, fmt=fmt,
        layout=layout, source_name=io_paths.name if io_paths else None,
        with_metadata=with_metadata, site=site,
        options=Options(site_rules=not no_site_rules, rules_dirs=tuple(str(Path(d).resolve()) for d in rules_dirs),
                        input_format=input_format),
        text_field=text_field, url_field=url_field or None, id_field=id_field, output_field=output_field,
        replace_text=replace_text, replace_field=replace_field, follow_links=follow_links,
        suffixes=tuple(s.lower() if s.startswith(".") else "." + s.lower() for s in suffixes) or DEFAULT_SUFFIXES,
        chunk_docs=chunk_size, max_bytes=max_bytes,
        dedup=DedupSettings(min_share=dedup_min_share, min_docs=dedup_min_docs) if dedup_lines else None,
    )
    n_jobs = jobs or _cores()
    try:
        if engine == "dask":
            try:
                from ..batch.dask import DaskEngine
            except ImportError as exc:
                fail(f"--engine dask needs Dask: pip install 'newsclean[dask]' ({exc})")
            runner = DaskEngine(scheduler=scheduler, jobs=n_jobs)
        else:
            runner = LocalEngine(n_jobs)
        with runner:
            summary = run_batch(cfg, runner, progress=progress, overwrite=overwrite, retry_errors=retry_errors)
    except CleanerError as exc:
        fail(exc)
    except KeyboardInterrupt:
        click.echo("\nnewsclean: interrupted; rerun the same command to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if io_paths is not None and io_paths.to_stdout:
        summary.output, summary.errors_file = "standard output", str(errors_to or "stderr")
        try:
            deliver_pipe_outputs(cfg, io_paths, errors_to, stats_to)
        except CleanerError as exc:
            fail(exc)
    for line in summary.lines():
        click.echo(f"newsclean batch: {line}", err=True)
    if summary.failed:
        sys.exit(EXIT_PARTIAL)
