"""Corpus statistics of a batch: `stats.json` beside every batch output.

Each chunk of a batch counts its documents into a `CorpusStats` (kept in the chunk's part file);
the batch merges them in chunk order and writes `stats.json` atomically, with the run's throughput.
Every figure is a sum, a count or a top list, so merging is exact whatever the order and the
number of workers. `newsclean report` draws them (cleaner.batch.report).

stats.json (all character counts are Unicode code points, sizes in bytes, times in seconds):

    {"version": 1,
     "documents": 120, "cleaned": 118, "failed": 2, "emptied": 3, "with_warnings": 1,
     "bytes_in": 812345, "chars_kept": 401234, "chars_removed": 98765, "blocks_removed": 1402,
     "categories": {"navigation": {"blocks": 800, "chars": 20345}, ...},
     "sites": {"example.com": {"documents": 40, "failed": 0, "emptied": 1, "with_warnings": 0,
                               "chars_kept": ..., "chars_removed": ..., "blocks_removed": ...,
                               "categories": {"navigation": 300, ...}}, ...},      # chars
     "sites_total": 7,              # sites counted; "sites" lists the SITES_KEPT largest
     "languages": {"en": 110, "ru": 8},
     "warnings": {"stale site rules": 1},                # kinds of warnings: documents
     "errors": {"broken JSON line": 2},                  # kinds of errors: documents
     "kept_share": {"bins": [0.0, 0.05, ..., 1.0], "documents": [2, 0, ..., 71]},
     "most_removed": [{"document": "corpus.jsonl:17", "site": "example.com",
                       "chars_kept": 120, "chars_removed": 9000, "top_category": "related",
                       "id": "doc-17"}, ...],                # "id" with --id-field
     "throughput": {"seconds": 12.5, "documents": 120, "bytes": 812345,
                    "docs_per_s": 9.6, "mb_per_s": 0.065, "resumed": 0}}

The *site* of a document is the host of its URL (without "www."), else the site rules applied,
else, in a folder batch, the input's top folder, else "(unknown)". Its *kept share* is kept
characters / (kept + removed characters): 1.0 when nothing was removed; a document with neither
is counted in the last bin. A document is *emptied* when it was cleaned to no text at all.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..article import Article
from ..errors import CleanerError
from ..read.files import write_atomic
from ..rules.sites import url_host
from .corpus import plain_name

STATS_VERSION = 1
STATS_NAME = "stats.json"
# Width of a kept-share bin: 20 bins of 5%.
KEPT_SHARE_BINS = 20
# The documents with the most removed characters listed in stats.json.
MOST_REMOVED_KEPT = 25
# Sites listed in stats.json (by documents, then name); the others are summed in OTHER_SITES.
SITES_KEPT = 500
OTHER_SITES = "(other sites)"
UNKNOWN_SITE = "(unknown)"
# Kinds of warnings and errors listed (by count).
KINDS_KEPT = 50
MB = 1_000_000

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def message_kind(message: str) -> str:
    """A warning's or error's kind: its text before the first ': ', quoted parts and numbers
    replaced ("too large (N bytes; the limit is N)", "rule '…' (…) timed out and was skipped")."""
    head = message.split(": ", 1)[0]
    head = _QUOTED.sub("'…'", head)
    return _NUMBER.sub("N", head).strip() or "(empty)"


def document_site(url: str | None, site_rules: str | None, rel_path: str | None) -> str:
    """The site a document is counted for (see the module docstring)."""
    host = url_host(url) if url else ""
    if host:
        return host[4:] if host.startswith("www.") else host
    if site_rules:
        return site_rules
    if rel_path is not None:
        parts = PurePosixPath(rel_path).parts
        return parts[0] + "/" if len(parts) > 1 else "(top folder)"
    return UNKNOWN_SITE


def _site() -> dict[str, Any]:
    return {"documents": 0, "failed": 0, "emptied": 0, "with_warnings": 0, "chars_kept": 0,
            "chars_removed": 0, "blocks_removed": 0, "categories": {}}


def _add_site(into: dict[str, Any], site: dict[str, Any]) -> None:
    for k, v in site.items():
        if k == "categories":
            for cat, chars in v.items():
                into["categories"][cat] = into["categories"].get(cat, 0) + chars
        else:
            into[k] = into.get(k, 0) + v


@dataclass
class CorpusStats:
    """Counts over some documents of a batch; `merge` adds another's, `to_dict` is stats.json's
    body (without throughput)."""

    documents: int = 0
    cleaned: int = 0
    failed: int = 0
    emptied: int = 0
    with_warnings: int = 0
    bytes_in: int = 0
    chars_kept: int = 0
    chars_removed: int = 0
    blocks_removed: int = 0
    categories: dict[str, dict[str, int]] = field(default_factory=dict)
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)
    languages: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    kept_share: list[int] = field(default_factory=lambda: [0] * KEPT_SHARE_BINS)
    most_removed: list[dict[str, Any]] = field(default_factory=list)

    def add_article(self, name: str, article: Article, bytes_in: int, site: str, ident: Any = None) -> None:
        """Count one cleaned document. `name`: how the batch names it (path, or file:line);
        `bytes_in`: its input size; `site`: from `document_site`; `ident`: its id (--id-field)."""
        self.documents += 1
        self.cleaned += 1
        self.bytes_in += bytes_in
        kept = len(article.text)
        removed = 0
        by_category: Counter[str] = Counter()
        for r in article.removed:
            cat = self.categories.setdefault(r.category, {"blocks": 0, "chars": 0})
            cat["blocks"] += 1
            cat["chars"] += len(r.text)
            by_category[r.category] += len(r.text)
            removed += len(r.text)
        self.chars_kept += kept
        self.chars_removed += removed
        self.blocks_removed += len(article.removed)
        emptied = not article.text.strip()
        self.emptied += emptied
        self.with_warnings += bool(article.warnings)
        self.warnings.update({message_kind(w) for w in article.warnings})
        if article.language:
            self.languages[article.language] += 1
        s = self.sites.setdefault(site, _site())
        s["documents"] += 1
        s["emptied"] += emptied
        s["with_warnings"] += bool(article.warnings)
        s["chars_kept"] += kept
        s["chars_removed"] += removed
        s["blocks_removed"] += len(article.removed)
        for cat, chars in by_category.items():
            s["categories"][cat] = s["categories"].get(cat, 0) + chars
        total = kept + removed
        share = kept / total if total else 1.0
        self.kept_share[min(int(share * KEPT_SHARE_BINS), KEPT_SHARE_BINS - 1)] += 1
        if removed:
            top = max(sorted(by_category), key=lambda c: by_category[c])
            entry = {"document": name, "site": site, "chars_kept": kept, "chars_removed": removed,
                     "top_category": top}
            if ident is not None:
                entry["id"] = ident if isinstance(ident, (str, int, float)) else str(ident)
            self._add_removed([entry])

    def add_error(self, reason: str, site: str) -> None:
        """Count one document that could not be cleaned (or written), with its reason."""
        self.documents += 1
        self.failed += 1
        self.errors[message_kind(reason)] += 1
        self.sites.setdefault(site, _site())
        self.sites[site]["documents"] += 1
        self.sites[site]["failed"] += 1

    def not_written(self, site: str) -> None:
        """A document counted as cleaned whose output could not be written: it moves to the
        failed ones (error kind "cannot write"); its characters stay counted."""
        self.cleaned -= 1
        self.failed += 1
        self.errors["cannot write"] += 1
        self.sites.setdefault(site, _site())["failed"] += 1

    def _add_removed(self, entries: list[dict[str, Any]]) -> None:
        merged = self.most_removed + entries
        merged.sort(key=lambda e: (-e["chars_removed"], e["document"]))
        self.most_removed = merged[:MOST_REMOVED_KEPT]

    def merge(self, other: "CorpusStats") -> None:
        """Add another's counts to these (exact whatever the order)."""
        for name in ("documents", "cleaned", "failed", "emptied", "with_warnings", "bytes_in",
                     "chars_kept", "chars_removed", "blocks_removed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for cat, c in other.categories.items():
            mine = self.categories.setdefault(cat, {"blocks": 0, "chars": 0})
            mine["blocks"] += c["blocks"]
            mine["chars"] += c["chars"]
        for site, s in other.sites.items():
            _add_site(self.sites.setdefault(site, _site()), s)
        self.languages.update(other.languages)
        self.warnings.update(other.warnings)
        self.errors.update(other.errors)
        self.kept_share = [a + b for a, b in zip(self.kept_share, other.kept_share)]
        self._add_removed(list(other.most_removed))

    def take_back(self, counts: dict[str, Any]) -> None:
        """Remove one document's counts (`to_dict` of its own CorpusStats): a failed document
        cleaned again by --retry-errors. Entries left at zero are dropped."""
        def neg(v: Any) -> Any:
            if isinstance(v, bool):
                return v
            if isinstance(v, (int, float)):
                return -v
            if isinstance(v, dict):
                return {k: neg(x) for k, x in v.items()}
            if isinstance(v, list):
                return [neg(x) for x in v] if all(isinstance(x, (int, float)) for x in v) else v
            return v
        minus = neg({k: v for k, v in counts.items() if k != "most_removed"})
        minus["kept_share"] = {"documents": [-x for x in counts.get("kept_share", {}).get("documents", [])]}
        self.merge(CorpusStats.from_dict(minus))
        self.languages, self.warnings, self.errors = +self.languages, +self.warnings, +self.errors
        self.sites = {k: v for k, v in self.sites.items() if v.get("documents", 0) > 0}
        self.categories = {k: v for k, v in self.categories.items() if v.get("blocks", 0) > 0}

    def to_dict(self, *, sites_kept: int | None = None) -> dict[str, Any]:
        """A JSON-ready dict. With `sites_kept`, only that many sites (most documents first) are
        listed; the others are summed under OTHER_SITES (`sites_total` says how many there were)."""
        sites = {k: {**v, "categories": dict(sorted(v["categories"].items()))}
                 for k, v in sorted(self.sites.items())}
        if sites_kept is not None and len(sites) > sites_kept:
            order = sorted(sites, key=lambda k: (-sites[k]["documents"], k))
            other = _site()
            for k in order[sites_kept:]:
                _add_site(other, sites.pop(k))
            other["categories"] = dict(sorted(other["categories"].items()))
            sites[OTHER_SITES] = other
        return {
            "version": STATS_VERSION,
            "documents": self.documents, "cleaned": self.cleaned, "failed": self.failed,
            "emptied": self.emptied, "with_warnings": self.with_warnings, "bytes_in": self.bytes_in,
            "chars_kept": self.chars_kept, "chars_removed": self.chars_removed,
            "blocks_removed": self.blocks_removed,
            "categories": dict(sorted(self.categories.items())),
            "sites": sites,
            "sites_total": len(self.sites),
            "languages": dict(sorted(self.languages.items(), key=lambda kv: (-kv[1], kv[0]))),
            "warnings": dict(sorted(self.warnings.items(), key=lambda kv: (-kv[1], kv[0]))[:KINDS_KEPT]),
            "errors": dict(sorted(self.errors.items(), key=lambda kv: (-kv[1], kv[0]))[:KINDS_KEPT]),
            "kept_share": {"bins": [round(i / KEPT_SHARE_BINS, 4) for i in range(KEPT_SHARE_BINS + 1)],
                           "documents": list(self.kept_share)},
            "most_removed": [dict(e) for e in self.most_removed],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CorpusStats":
        """The inverse of `to_dict` (a part file's counts; stats.json's, but for capped sites)."""
        out = cls()
        for name in ("documents", "cleaned", "failed", "emptied", "with_warnings", "bytes_in",
                     "chars_kept", "chars_removed", "blocks_removed"):
            setattr(out, name, int(d.get(name, 0)))
        out.categories = {k: dict(v) for k, v in d.get("categories", {}).items()}
        out.sites = {k: {**v, "categories": dict(v.get("categories", {}))} for k, v in d.get("sites", {}).items()}
        out.languages = Counter(d.get("languages", {}))
        out.warnings = Counter(d.get("warnings", {}))
        out.errors = Counter(d.get("errors", {}))
        share = d.get("kept_share", {}).get("documents")
        out.kept_share = list(share) if share and len(share) == KEPT_SHARE_BINS else [0] * KEPT_SHARE_BINS
        out.most_removed = [dict(e) for e in d.get("most_removed", [])]
        return out


def throughput(seconds: float, documents: int, size: int, resumed: int) -> dict[str, Any]:
    """This run's speed: `documents` of `size` bytes cleaned in `seconds` (wall clock), besides the
    `resumed` documents an earlier run had done. Rates are None when nothing was timed."""
    timed = seconds > 0 and documents > 0
    return {"seconds": round(seconds, 3), "documents": documents, "bytes": size,
            "docs_per_s": round(documents / seconds, 3) if timed else None,
            "mb_per_s": round(size / MB / seconds, 4) if timed else None,
            "resumed": resumed}


def write_stats(path: str | Path, stats: CorpusStats, speed: dict[str, Any]) -> dict[str, Any]:
    """Write stats.json atomically; returns what was written."""
    data = stats.to_dict(sites_kept=SITES_KEPT)
    data["throughput"] = speed
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return data


def previous_throughput(path: str | Path) -> dict[str, Any] | None:
    """The throughput an existing stats.json recorded, or None."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    speed = data.get("throughput") if isinstance(data, dict) else None
    return speed if isinstance(speed, dict) else None


def stats_path_for(target: str | Path, mode: str) -> Path:
    """Where a batch's stats go: OUT_DIR/stats.json (folder), or out.stats.json beside a JSON Lines
    output out.jsonl (or out.jsonl.gz, ...)."""
    target = Path(target)
    if mode == "dir":
        return target / STATS_NAME
    name = plain_name(target)
    stem = name[: -len(Path(name).suffix)] if Path(name).suffix else name
    return target.parent / f"{stem}.{STATS_NAME}"


def load_stats(path: str | Path) -> dict[str, Any]:
    """stats.json as a dict. Raises CleanerError naming the file when it is missing or broken."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CleanerError("no such file (run 'newsclean batch' first)", path=str(path)) from None
    except (OSError, ValueError) as exc:
        raise CleanerError(f"cannot read statistics: {exc}", path=str(path)) from None
    if not isinstance(data, dict) or data.get("version") != STATS_VERSION:
        raise CleanerError("not a newsclean stats.json (or of another version)", path=str(path))
    return data
