"""The header patterns of plain text (cleaner/data/header.yaml), loaded once at import.

The file is package data, read-only: loading it is a constant, not state."""
from __future__ import annotations

import re
from importlib import resources
from typing import Any, Iterable, Mapping

import yaml


def _load() -> dict[str, Any]:
    return yaml.safe_load(resources.files("cleaner.data").joinpath("header.yaml").read_text(encoding="utf-8"))


HEADER: dict[str, Any] = _load()


def phrases(groups: Mapping[str, Iterable[str]] | Iterable[str]) -> list[str]:
    """The phrases of a by-language table (or a plain list), longest first (so that "last updated"
    wins over "updated" in an alternation)."""
    items = [p for ps in groups.values() for p in ps] if isinstance(groups, Mapping) else list(groups)
    return sorted({str(p) for p in items}, key=lambda p: (-len(p), p))


def phrase_pattern(groups: Mapping[str, Iterable[str]] | Iterable[str]) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of the phrases as whole words (a phrase's spaces
    match any run of spaces)."""
    alts = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in phrases(groups))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.I)
