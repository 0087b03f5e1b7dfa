"""Pass 1 of `--dedup-lines`: which lines recur across a site's documents, and which documents are
exact copies of an earlier one.

Each chunk counts, per site, in how many documents each line occurs (`count_docs` -> LineCounts);
the counts are added up in any order, and `LineCounts.common` keeps the lines found in at least
`DedupSettings.min_share` of a site's documents. The result (`CrossDoc`) is given to the cleaning
of every document (cleaner.batch.clean), where those lines are removed (category "duplicate").
A line is counted by its `dedup_key` (cleaner.blocks), only in the blocks the labelling stages
could still judge.
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ..blocks import dedup_key
from ..read.decode import decode
from ..pipeline import document_blocks
from ..rules import load_ruleset
from ..rules.sites import url_host
from .config import BatchConfig, DedupSettings
from .read import Doc

# A line must recur in at least this many documents to count as common, whatever the share.
DEDUP_MIN_COUNT = 2


def site_key(cfg: BatchConfig, doc: Doc, text: str) -> str:
    """Whose documents a line is counted among for --dedup-lines: the URL's host (without www.),
    else the site rules that match (--site or a fingerprint), else the input's top folder
    (directory mode; files at the top share one group), else one group for the whole corpus."""
    host = url_host(doc.url)
    host = host[4:] if host.startswith("www.") else host
    if host:
        return "host:" + host
    if cfg.site or cfg.options.site_rules:
        site = load_ruleset(cfg.options.rules_dirs).match(text=text, site=cfg.site)
        if site is not None:
            return "rules:" + site.name
    if doc.item is not None:
        parts = PurePosixPath(doc.item.rel).parts
        return "folder:" + (parts[0] if len(parts) > 1 else "")
    return "corpus"


def document_keys(cfg: BatchConfig, doc: Doc, text: str) -> set[str]:
    """The dedup keys of a document's blocks that the labelling stages could still judge."""
    rules = load_ruleset(cfg.options.rules_dirs)
    made = document_blocks(text, cfg.options, rules, url=doc.url, site=cfg.site, left_out=False)
    if made.page is not None:
        from ..label.html import label_page  # the page's own headline and standfirst: metadata, not lines to count

        label_page(made.page)
    blocks = made.blocks
    return {k for k in (dedup_key(b.text) for b in blocks if b.label is None) if k}


def text_digest(text: str) -> str:
    """Identity of a document's decoded text (exact duplicate documents share it)."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class LineCounts:
    """Pass 1's result for some documents: documents per site, and per site per key; and how
    many documents have each text, with the first (in input order) of each."""

    docs: Counter[str] = field(default_factory=Counter)
    keys: dict[str, Counter[str]] = field(default_factory=dict)
    texts: Counter[str] = field(default_factory=Counter)               # text digest -> documents
    firsts: dict[str, tuple[tuple[int, str], str]] = field(default_factory=dict)  # -> (order, name)

    def add(self, other: "LineCounts") -> None:
        """Add another's counts to these (the order of additions does not matter)."""
        self.docs.update(other.docs)
        for site, counts in other.keys.items():
            self.keys.setdefault(site, Counter()).update(counts)
        self.texts.update(other.texts)
        for digest, first in other.firsts.items():
            if digest not in self.firsts or first[0] < self.firsts[digest][0]:
                self.firsts[digest] = first

    def duplicates(self) -> dict[str, str]:
        """Text digest -> name of its first document, for texts that more than one document has."""
        return {d: self.firsts[d][1] for d in sorted(self.texts) if self.texts[d] > 1}

    def common(self, settings: DedupSettings) -> dict[str, frozenset[str]]:
        """Site key -> the dedup keys common to its documents (sites with none are left out)."""
        out: dict[str, frozenset[str]] = {}
        for site in sorted(self.docs):
            n = self.docs[site]
            if n < settings.min_docs:
                continue
            need = max(DEDUP_MIN_COUNT, math.ceil(settings.min_share * n))
            keys = frozenset(k for k, c in self.keys.get(site, Counter()).items() if c >= need)
            if keys:
                out[site] = keys
        return out


def count_docs(cfg: BatchConfig, docs: list[Doc]) -> LineCounts:
    """Pass 1 on some documents. Documents that fail to decode are not counted (pass 2 reports them)."""
    counts = LineCounts()
    for doc in docs:
        if doc.error is not None or doc.data is None:
            continue
        try:
            text = decode(doc.data, source=doc.name)
            keys = document_keys(cfg, doc, text)
            site = site_key(cfg, doc, text)
        except Exception:  # noqa: BLE001 - pass 2 reports every failure, with its reason
            continue
        counts.docs[site] += 1
        counts.keys.setdefault(site, Counter()).update(keys)
        digest = text_digest(text)
        counts.texts[digest] += 1
        order = (doc.line, doc.key)
        if digest not in counts.firsts or order < counts.firsts[digest][0]:
            counts.firsts[digest] = (order, doc.name)
    return counts


@dataclass(frozen=True)
class CrossDoc:
    """What pass 1 of --dedup-lines learnt about the whole corpus, given to every document's
    cleaning: the common lines per site key, and exact duplicate documents."""

    lines: dict[str, frozenset[str]] = field(default_factory=dict)   # site key -> dedup keys
    duplicates: dict[str, str] = field(default_factory=dict)          # text digest -> first copy's name

    def __bool__(self) -> bool:
        return bool(self.lines or self.duplicates)


def as_cross(common: "CrossDoc | dict[str, frozenset[str]] | None") -> CrossDoc:
    """A CrossDoc from a CrossDoc, common lines alone (`clean_bag`), or None."""
    if isinstance(common, CrossDoc):
        return common
    return CrossDoc(lines=dict(common or {}))


def common_digest(common: "CrossDoc | dict[str, frozenset[str]]") -> str:
    """A hex digest of pass 1's result: a rerun whose common lines differ starts over."""
    cross = as_cross(common)
    h = hashlib.sha1()
    for site in sorted(cross.lines):
        h.update(site.encode("utf-8", "surrogatepass") + b"\0")
        for key in sorted(cross.lines[site]):
            h.update(key.encode("utf-8", "surrogatepass") + b"\n")
    for digest, first in sorted(cross.duplicates.items()):
        h.update(f"{digest}={first}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()
