"""`clean()`: the stages, in order, and nothing else; and `Options`, how it cleans.

    decode (cleaner.read) -> detect format and site (cleaner.rules) -> blocks (cleaner.blocks)
    -> label (cleaner.label: rules, heuristics, headline, byline and date lines) -> metadata
    (cleaner.metadata.collect) -> render (cleaner.render: the Article)
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal, get_args

from .article import Article, Block
from .blocks import text_blocks
from .read import decode_document, detect_format
from .render import render
from .errors import OptionError
from .label import LabelContext, label
from .metadata import collect
from .rules import RuleSet, load_ruleset
from .rules.budget import MatchBudget
from .rules.rule import SiteRules

if TYPE_CHECKING:
    from .blocks.html import HtmlDocument


# What `Options.input_format` may be: "auto" detects HTML by its markup.
InputFormat = Literal["auto", "text", "html"]
INPUT_FORMATS: tuple[str, ...] = get_args(InputFormat)


def _type_name(value: object) -> str:
    return "None" if value is None else type(value).__name__


def _check_type(what: str, value: object, types: type | tuple[type, ...], expected: str) -> None:
    if not isinstance(value, types):
        raise TypeError(f"{what} must be {expected}, not {_type_name(value)}")


@dataclass(frozen=True)
class Options:
    """How `clean()` cleans: which rules and stages run. Immutable; every field has a default.

    Fields:
        site_rules (bool, default True): apply the site rule file that matches the document (by
            `url` host, else by a fingerprint in the text). False: generic rules and heuristics
            only (a `site=` passed to clean() still applies that site's rules).
        rules_dirs (tuple[str, ...], default ()): folders of the user's own rule files (YAML,
            docs/rules.md); a later folder's site file wins over an earlier one's and over the
            shipped one. A list is accepted and stored as a tuple.
        input_format ("auto" | "text" | "html", default "auto"): how to read the document;
            "auto" takes it as HTML when it starts like markup (a doctype, <html>, ...) or has
            several HTML tags near its start (`cleaner.read.decode.is_html`).
        heuristics (bool, default True): run the language-aware heuristics after the rules.
            False: rules alone (for rule authors).
        common_lines (frozenset[str], default empty): lines known to recur across many documents
            of the site, each as `cleaner.blocks.dedup_key(line)` gives it (`batch --dedup-lines`
            computes them); a block whose key is here is removed with category "duplicate".
        signals_off (frozenset[str], default empty): generic signals not to run, by name
            (`cleaner.label.SIGNALS`: the heuristics' signals, "title-headline" for the headline
            labeller, "header" for the byline and date lines), for evaluation.
        model (bool, default False): after the heuristics, let the fitted block model
            (cleaner/label/model.py, weights in cleaner/data/block-model.json) relabel what they decided,
            then settle on the kept text (idempotence). Off by default: docs/model.md has the
            figures.

    Raises TypeError for a field of the wrong type and OptionError (a ValueError) for a value
    outside the allowed ones, e.g. `Options(input_format="xml")`.
    """

    site_rules: bool = True
    rules_dirs: tuple[str, ...] = ()
    input_format: InputFormat = "auto"
    heuristics: bool = True
    common_lines: frozenset[str] = frozenset()
    signals_off: frozenset[str] = frozenset()
    model: bool = False

    def __post_init__(self) -> None:
        for name in ("site_rules", "heuristics", "model"):
            _check_type(f"Options.{name}", getattr(self, name), bool, "bool")
        dirs = self.rules_dirs
        if isinstance(dirs, (str, bytes)) or not isinstance(dirs, (tuple, list)):
            raise TypeError(f"Options.rules_dirs must be a tuple of folder paths (str), not {_type_name(dirs)}")
        if not all(isinstance(d, (str, os.PathLike)) for d in dirs):
            raise TypeError("Options.rules_dirs must hold folder paths (str or os.PathLike)")
        if not isinstance(dirs, tuple) or not all(isinstance(d, str) for d in dirs):
            object.__setattr__(self, "rules_dirs", tuple(os.fspath(d) for d in dirs))
        if not isinstance(self.input_format, str):
            raise TypeError(f"Options.input_format must be a str, one of {', '.join(INPUT_FORMATS)}; "
                            f"not {_type_name(self.input_format)}")
        if self.input_format not in INPUT_FORMATS:
            raise OptionError(f"input_format must be one of {', '.join(INPUT_FORMATS)}, not {self.input_format!r}")
        for name in ("common_lines", "signals_off"):
            value = getattr(self, name)
            if not isinstance(value, (frozenset, set)) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"Options.{name} must be a frozenset of str, not {_type_name(value)}")
            if not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset(value))


DEFAULT_OPTIONS = Options()
OPTION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Options))


def clean(document: str | bytes, *, url: str | None = None, site: str | None = None,
          options: Options | None = None, ruleset: RuleSet | None = None, source: str = "<input>",
          **overrides: Any) -> Article:
    """Clean one document: the article's text and metadata, and every block removed with why.

    Arguments:
        document (str | bytes): the scraped article, plain text or an HTML page (a fragment
            works). Bytes are decoded from a BOM, UTF-8, the page's declared charset, or by
            detection (charset-normalizer). Empty or blank input gives an Article with text "".
        url (str | None): the article's URL. Picks the site rules by host (the most specific
            host wins) and is returned as `Article.url` (for HTML, the page's canonical URL when
            none is given).
        site (str | None): apply this site's rules whatever the URL says: a site name, rule file
            name or host (case-insensitive). An unknown site raises CleanerError ("did you mean").
        options (Options | None): how to clean; None for the defaults (`Options()`).
        ruleset (RuleSet | None): the rules to use; None loads the shipped rules plus
            `options.rules_dirs` (cached per process, reloaded when a file changes).
        source (str): the document's name in error messages (a file name), default "<input>".
        **overrides: fields of Options replacing those of `options`, e.g.
            `clean(text, site_rules=False)` or `clean(page, input_format="html")`.

    Returns:
        Article: `text` (the kept blocks joined by blank lines), metadata (`title`, `author`,
        `date` as ISO 8601 YYYY-MM-DD, `sitename`, `tags`, `url`), `removed` (every removed
        block with category, rule id and reason), `site`, `input_format`, `language` and
        `warnings`. See Article.

    Raises:
        TypeError: an argument of the wrong type (`clean(None)`, `url=3`, an unknown option).
        OptionError: an option value outside the allowed ones (`input_format="xml"`); a
            ValueError and a CleanerError.
        InputError: a document that cannot be decoded or read (binary data, a page too large).
        RuleError: a rule file that does not load (YAML, schema, pattern), naming file and line.
        CleanerError: the base of the three above; `str(error)` is one line naming the input.
    """
    _check_type("clean(): the document", document, (str, bytes), "str or bytes (plain text or HTML)")
    for name, value in (("url", url), ("site", site)):
        _check_type(f"clean(): {name}", value, (str, type(None)), "a str or None")
    _check_type("clean(): options", options, (Options, type(None)), "an Options or None")
    _check_type("clean(): ruleset", ruleset, (RuleSet, type(None)), "a RuleSet or None")
    _check_type("clean(): source", source, str, "a str")
    unknown = sorted(set(overrides) - set(OPTION_FIELDS))
    if unknown:
        raise TypeError(f"clean() got unknown option {', '.join(map(repr, unknown))}; "
                        f"the options are {', '.join(OPTION_FIELDS)}")
    opts = replace(options or DEFAULT_OPTIONS, **overrides) if overrides else (options or DEFAULT_OPTIONS)
    decoded = decode_document(document, source=source)
    rules = ruleset if ruleset is not None else load_ruleset(opts.rules_dirs)
    made = document_blocks(decoded.text, opts, rules, url=url, site=site, source=source)
    blocks, page = made.blocks, made.page
    ctx = LabelContext(rules=rules, site_rules=made.site_rules, url=url, site=site,
                       match_sites=bool(opts.site_rules or site), heuristics=opts.heuristics,
                       signals_off=opts.signals_off, common_lines=opts.common_lines, model=opts.model,
                       budget=MatchBudget())

    extracted: dict[str, Any] = {}
    if page is not None:
        from .label.html import label_page  # imported lazily: plain text never needs lxml

        extracted = page.metadata
        ctx = replace(ctx, signals_off=label_page(page) | ctx.signals_off)

    lang, labelling = label(blocks, ctx)
    applied = labelling.site_rules
    meta = collect(blocks, url=url or extracted.get("url"),
                   site_metadata=dict(applied.metadata) if applied else {}, extracted=extracted, language=lang)
    if page is not None:  # what trafilatura left out, reported among the labelled blocks in page order
        blocks = page.with_left_out(blocks)
    return render(blocks, meta, site=applied.name if applied else None,
                  input_format=made.input_format, language=lang,
                  warnings=[*decoded.warnings, *labelling.warnings, *ctx.budget.warnings()])


@dataclass
class DocumentBlocks:
    """A decoded document after the stages before labelling (`document_blocks`).

    input_format: "text" | "html". site_rules: the site rules that match the document (None when
    none does, or site rules are off). blocks: what the labelling stages judge (for HTML, the
    article's blocks, then what the site's html rules stripped). page: the HTML page (what it
    declares, what trafilatura left out: cleaner.blocks.html.HtmlDocument), None for plain text.
    No block is labelled but those removed outright (what the site's html rules stripped).
    """

    input_format: str
    site_rules: SiteRules | None
    blocks: list[Block]
    page: HtmlDocument | None = None


def document_blocks(text: str, opts: Options, rules: RuleSet, *, url: str | None = None, site: str | None = None,
                    source: str = "<input>", left_out: bool = True) -> DocumentBlocks:
    """The stages of clean() before labelling, on a decoded document `text`: detect its format
    (`opts.input_format`) and its site (by `url` host or fingerprint, or `site`, when
    `opts.site_rules` or `site`), then cut it into blocks. `left_out=False` skips finding what
    trafilatura left out of an HTML page (`page.left_out` is then empty). Raises InputError (naming
    `source`) for an HTML page too large to extract, RuleError for a bad selector in the site's
    html rules, CleanerError for an unknown `site`."""
    fmt = detect_format(text, opts.input_format)
    site_rules = rules.match(url=url, text=text, site=site) if (opts.site_rules or site) else None
    if fmt == "html":
        from .blocks.html import html_document  # imported lazily: plain text never needs trafilatura

        page = html_document(text, url=url, site=site_rules, source=source, rules=rules.generic, left_out=left_out)
        return DocumentBlocks(fmt, site_rules, page.blocks, page)
    return DocumentBlocks(fmt, site_rules, text_blocks(text))
