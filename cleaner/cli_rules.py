"""`newsclean rules ...`: list, check, show, test, new, suggest."""
from __future__ import annotations

import click


@click.group("rules")
def rules_group() -> None:
    """Inspect, check and write rule files."""
