"""`newsclean batch` in a pipe: '-' for standard input and output, and the `--layout` presets.

With '-' as input, the JSON Lines on standard input (plain, or gzip/bzip2/zstd, told by their
first bytes) are copied into a temporary file first; with '-' as output, the batch writes a
temporary file that is copied to standard output at the end (batch.corpus.batch_paths). The state
folder then lives in that temporary folder too, so such a batch does not resume: a rerun starts
over. Errors go to stderr, one line each (or, with `--errors FILE`, to that file as JSON Lines);
stats.json is written only with `--stats FILE`.
"""
from __future__ import annotations

import errno
import json
import tempfile
from pathlib import Path

import click

from ..errors import CleanerError, printable
from ..read.files import silence_stdout, standard_input, standard_output, write_atomic
from .config import BatchConfig, BatchError
from .corpus import LAYOUTS, STDIO, BatchPaths, copy_to_stdout
from .plan import check_jsonl_output_name, check_paths
from .state import errors_path, state_dir
from .stats import stats_path_for

_LAYOUT_OPTIONS = ("text_field", "url_field", "id_field", "output_field", "replace_text")


def layout_fields(layout: str | None, text_field: str, url_field: str, id_field: str | None,
                  output_field: str, replace_text: bool) -> tuple[str, str, str | None, str, bool]:
    """The field options with a `--layout`'s values for those not given on the command line
    (called inside the click command)."""
    if layout is None:
        return text_field, url_field, id_field, output_field, replace_text
    preset = LAYOUTS[layout]
    ctx = click.get_current_context()
    given = {name for name in _LAYOUT_OPTIONS
             if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE}
    return (text_field if "text_field" in given else preset.text_field,
            url_field if "url_field" in given else preset.url_field,
            id_field if "id_field" in given else preset.id_field,
            output_field if "output_field" in given else preset.output_field,
            replace_text if "replace_text" in given else preset.replace_text)


def check_stream_paths(source: Path, target: Path | str) -> str:
    """batch.plan.check_paths, where '-' may stand for standard input and output (JSON Lines only).
    `target` as typed (a str keeps a trailing '/'). Returns the mode ("dir" | "jsonl"); BatchError
    otherwise, and CleanerError before any work when '-' stands for a standard stream the shell
    closed (`<&-`, `>&-`)."""
    if str(target) == STDIO:
        standard_output("use a file name")
    if str(source) == STDIO:
        standard_input()
    if str(source) != STDIO and str(target) != STDIO:
        return check_paths(source, target)
    if str(source) != STDIO:
        mode = check_paths(source, Path(tempfile.gettempdir()) / "newsclean-stdout.jsonl")
        if mode != "jsonl":
            raise BatchError("'-' (standard output) is for a JSON Lines input; a folder's output is a folder",
                             path=str(source))
        return mode
    if str(target) != STDIO and Path(target).is_dir():
        raise BatchError("the output must be a file (e.g. cleaned.jsonl) or '-' when the input is "
                         "standard input", path=str(target))
    if str(target) != STDIO:
        check_jsonl_output_name(target)
    return "jsonl"


def jsonl_state_dir(target: Path) -> Path:
    """The state folder of a JSON Lines output (where a compressed input's plain copy is kept)."""
    return state_dir(BatchConfig(source="", target=str(target), mode="jsonl"))


def deliver_pipe_outputs(cfg: BatchConfig, io_paths: BatchPaths, errors_to: Path | None,
                         stats_to: Path | None) -> None:
    """'-' as output: the cleaned lines to standard output; the errors to `errors_to` (atomically)
    or, one line each, to stderr; stats.json to `stats_to` when asked. Raises CleanerError naming
    a file that cannot be written."""
    try:
        copy_to_stdout(io_paths.target)
    except OSError as exc:
        if exc.errno == errno.EPIPE:   # the reader went away (`| head`): the CLI exits quietly
            raise
        silence_stdout()
        raise CleanerError(f"cannot write: {exc.strerror or exc}", path="standard output") from None
    errors = errors_path(cfg)
    if errors_to is not None:
        try:
            write_atomic(errors_to, errors.read_bytes())
        except OSError as exc:
            raise CleanerError(f"cannot write: {exc.strerror or exc}", path=str(errors_to)) from None
    else:
        with errors.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                where = f"{rec.get('path')}:{rec['line']}" if rec.get("line") else str(rec.get("path"))
                click.echo(f"newsclean batch: {printable(where)}: {printable(str(rec.get('reason')))}", err=True)
    if stats_to is not None:
        try:
            write_atomic(stats_to, stats_path_for(cfg.target, cfg.mode).read_bytes())
        except OSError as exc:
            raise CleanerError(f"cannot write: {exc.strerror or exc}", path=str(stats_to)) from None
