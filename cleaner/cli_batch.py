"""`newsclean batch`: a directory or JSON Lines corpus on all cores (or a Dask cluster)."""
from __future__ import annotations

import click


@click.command("batch")
def batch_command() -> None:
    """Clean a directory or a JSON Lines file (not implemented yet)."""
    raise click.ClickException("not implemented yet")
