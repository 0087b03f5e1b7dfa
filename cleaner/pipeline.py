"""`clean()`: the stages, in order, and nothing else.

    decode -> detect format and site -> blocks -> label (site rules, generic rules, heuristics)
    -> metadata -> render
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Literal, Sequence, get_args

from . import heuristics, language
from .article import Article, Block, Label
from .blocks import dedup_key, text_blocks
from .read import decode_document, detect_format
from .render import render
from .errors import OptionError
from .metadata import TITLE_RULE, collect, label_header, label_title
from .rules import RuleSet, apply_rules, load_ruleset
from .rules.budget import MatchBudget
from .rules.rule import Rule, SiteRules

if TYPE_CHECKING:
    from .html import HtmlDocument

# Stale-rule guard: when site rules would leave less than this share of the words they judge
# (trafilatura's own guard uses 1/7), the rule that removed most is set aside, with a warning.
STALE_MIN_KEPT_SHARE = 1 / 7


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
        heuristics_off (frozenset[str], default empty): named heuristics not to run
            (`cleaner.heuristics.SWITCHES`, and "title-headline"), for evaluation.
        model (bool, default False): after the heuristics, let the fitted block model
            (cleaner/model.py, weights in cleaner/data/block-model.json) relabel what they decided,
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
    heuristics_off: frozenset[str] = frozenset()
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
        for name in ("common_lines", "heuristics_off"):
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
    fmt, site_rules, blocks, page = made.input_format, made.site_rules, made.blocks, made.page

    extracted: dict[str, Any] = {}
    skip: frozenset[str] = frozenset()
    if page is not None:
        from .html import text_stage_skips  # imported lazily: plain text never needs trafilatura

        extracted = page.metadata
        skip = text_stage_skips(blocks)
    skip = skip | opts.heuristics_off

    budget = MatchBudget()  # this document's time for the user's patterns, all passes together
    lang, labelling = label_in_its_language(blocks, site_rules, rules, opts, url, skip, budget)
    if opts.model and opts.heuristics:
        from .model_stage import label_with_model  # imported lazily: numpy model only when asked for

        def relabel(fresh: list[Block]) -> str:
            """Label the kept text's blocks as cleaning the cleaned text would (site rules found in it)."""
            joined = "\n\n".join(b.text for b in fresh)
            found = rules.match(url=url, text=joined, site=site) if (opts.site_rules or site) else None
            return label_in_its_language(fresh, found, rules, opts, url, skip, budget)[0]

        label_with_model(blocks, lang, relabel)
    applied = labelling.site_rules
    meta = collect(blocks, url=url or extracted.get("url"),
                   site_metadata=dict(applied.metadata) if applied else {}, extracted=extracted, language=lang)
    if page is not None:  # what trafilatura left out, reported among the labelled blocks in page order
        blocks = page.with_left_out(blocks)
    return render(blocks, meta, site=applied.name if applied else None,
                  input_format=fmt, language=lang,
                  warnings=[*decoded.warnings, *labelling.warnings, *budget.warnings()])


@dataclass
class DocumentBlocks:
    """A decoded document after the stages before labelling (`document_blocks`).

    input_format: "text" | "html". site_rules: the site rules that match the document (None when
    none does, or site rules are off). blocks: what the labelling stages judge (for HTML, the
    article's blocks, then what the site's html rules stripped). page: the HTML page (what it
    declares, what trafilatura left out: cleaner.html.HtmlDocument), None for plain text.
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
        from .html import html_document  # imported lazily: plain text never needs trafilatura

        page = html_document(text, url=url, site=site_rules, source=source, rules=rules.generic, left_out=left_out)
        return DocumentBlocks(fmt, site_rules, page.blocks, page)
    return DocumentBlocks(fmt, site_rules, text_blocks(text))


@dataclass(frozen=True)
class Labelling:
    """What labelling a document said besides the labels: warnings, and the site rules that were
    applied (None when there were none; without the rules the stale-rule guard set aside)."""

    warnings: list[str]
    site_rules: SiteRules | None


def label_in_its_language(blocks: list[Block], site_rules: SiteRules | None, rules: RuleSet, opts: Options,
                          url: str | None, skip: frozenset[str],
                          budget: MatchBudget | None = None) -> tuple[str, Labelling]:
    """Detect the language and label the blocks in it (_label_in_detected_language). When no
    language agrees with the text it keeps, the cleaned text's language is the one cleaning it
    again would find: the kept blocks are labelled again on their own, as a document, until that
    removes nothing more (_settle_on_kept_text). Returns the language and the labelling."""
    lang, labelling, agreed = _label_in_detected_language(blocks, site_rules, rules, opts, url, skip, budget)
    if agreed:
        return lang, labelling
    return _settle_on_kept_text(blocks, labelling, rules, opts, url, skip, lang, budget)


def _label_in_detected_language(blocks: list[Block], site_rules: SiteRules | None, rules: RuleSet, opts: Options,
                                url: str | None, skip: frozenset[str],
                                budget: MatchBudget | None = None) -> tuple[str, Labelling, bool]:
    """Detect the language (from the longest blocks) and label the blocks. When the kept text tells
    another language than the whole did (the longest blocks were boilerplate), label again in the
    kept text's language: the one cleaning the cleaned text would find (idempotence). Returns the
    language, the labelling, and whether the text kept tells the language it was labelled in."""
    pristine = [b.label for b in blocks]
    sample = _language_sample(blocks)
    lang = language.detect(sample)
    labelling = label_blocks(blocks, site_rules, rules, lang, opts, url, skip, budget)
    kept_lang = _kept_language(blocks, sample, lang)
    if kept_lang == lang:
        return lang, labelling, True
    for b, label in zip(blocks, pristine):
        b.label = label
    labelling = label_blocks(blocks, site_rules, rules, kept_lang, opts, url, skip, budget)
    return kept_lang, labelling, _kept_language(blocks, sample, lang) == kept_lang


def _kept_language(blocks: list[Block], sample: str, lang: str) -> str:
    """The language of the kept blocks (`lang`, that of `sample`, when they give the same sample)."""
    kept_sample = _language_sample([b for b in blocks if b.live])
    return language.detect(kept_sample) if kept_sample != sample else lang


def _settle_on_kept_text(blocks: list[Block], labelling: Labelling, rules: RuleSet, opts: Options,
                         url: str | None, skip: frozenset[str], lang: str,
                         budget: MatchBudget | None = None) -> tuple[str, Labelling]:
    """For a text in which no language agrees with its own kept text (e.g. its longest line, a
    headline repeated many times, tells another language than its paragraphs): label the kept
    blocks again, as the document that cleaning the cleaned text would see (fresh text blocks),
    and remove what that removes, until it removes nothing. Then cleaning the result again finds
    the same language and removes nothing (idempotence). Rare: only such texts pay for it."""
    warnings = list(labelling.warnings)
    site_rules = labelling.site_rules  # without any rule the stale guard set aside
    live = [b for b in blocks if b.live]
    while live:
        fresh = [Block(text=b.text, line=b.line) for b in live]
        lang, again, _ = _label_in_detected_language(fresh, site_rules, rules, opts, url, skip, budget)
        warnings.extend(w for w in again.warnings if w not in warnings)
        site_rules = again.site_rules
        gone = [(b, f.label) for b, f in zip(live, fresh) if f.label is not None and f.label.removed]
        if not gone:
            break
        for b, label in gone:
            b.label = label
        live = [b for b in live if b.live]
    return lang, Labelling(warnings=warnings, site_rules=site_rules)


def _language_sample(blocks: list[Block]) -> str:
    """What the language is told from: the longest blocks, longest first, one a line, cut at
    language.SAMPLE_CHARS characters (all that language.detect reads). Cut, two samples that are
    equal give the same language: the kept text is detected again only when its sample differs."""
    longest = sorted(blocks, key=lambda b: len(b.text), reverse=True)
    out, size = [], 0
    for b in longest:
        out.append(b.text[:language.SAMPLE_CHARS])  # no copy of a long block's unread part
        size += len(b.text)
        if size >= language.SAMPLE_CHARS:
            break
    return "\n".join(out)[:language.SAMPLE_CHARS]


def label_blocks(blocks: list[Block], site_rules: SiteRules | None, rules: RuleSet, lang: str,
                 opts: Options, url: str | None = None, skip: frozenset[str] = frozenset(),
                 budget: MatchBudget | None = None) -> Labelling:
    """Label every block. Applies the stale-rule guard: a site rule that would leave less than
    STALE_MIN_KEPT_SHARE of the words is set aside (with a warning) and the document labelled again
    with the site's other rules, until none is stale.

    `skip` names text-stage signals not to run (heuristics.SWITCHES, and "title-headline"); `budget`
    is the document's time for the user's patterns (cleaner.rules.budget.MatchBudget)."""
    pristine = [b.label for b in blocks]
    stale: list[str] = []
    applied = site_rules
    while True:
        warnings: list[str] = []
        if not _label_all(blocks, applied, rules, lang, opts, url, warnings, skip, budget):
            keep_metadata_lines_of_clean_text(blocks)
        worst = _stale_rule(blocks, pristine, applied)
        if worst is None or applied is None:
            return Labelling(warnings=stale + warnings, site_rules=applied)
        rule_id, removed, total = worst
        applied, how = _set_aside(applied, rule_id)
        stale.append(f"stale site rules: {applied.name} rule '{rule_id}' would remove {removed} of {total} "
                     f"words; cleaned {how}")
        for b, label in zip(blocks, pristine):
            b.label = label


# A stale drop_from / drop_between rule first skips this many of its markers (the first ones, above
# the article), then is set aside.
STALE_MARKERS_SKIPPED_MAX = 3


def _set_aside(site_rules: SiteRules, rule_id: str) -> tuple[SiteRules, str]:
    """The site's rules without the stale one; a drop_from / drop_between rule first loses its
    first marker (one that stands above the article), so that its section is still removed below
    it. Returns the rules and how the document is cleaned, for the warning."""
    rules = []
    how = "without it"
    for r in site_rules.rules:
        if r.id != rule_id:
            rules.append(r)
        elif r.action in ("drop_from", "drop_between") and r.skip_starts < STALE_MARKERS_SKIPPED_MAX:
            rules.append(replace(r, skip_starts=r.skip_starts + 1))
            skipped = r.skip_starts + 1
            how = "with it skipping its first " + (f"{skipped} markers" if skipped > 1 else "marker")
    return replace(site_rules, rules=tuple(rules)), how


def _stale_rule(blocks: list[Block], pristine: list[Label | None],
                site_rules: SiteRules | None) -> tuple[str, int, int] | None:
    """(rule id, words it removed, words judged) of the site rule that removed most, when the site's
    rules left less than STALE_MIN_KEPT_SHARE of the words; else None."""
    if site_rules is None or not blocks:
        return None
    # Judged: what the site's rules removed against what was kept. What the HTML stage, the generic
    # rules or the heuristics removed does not count (it is gone whichever rules apply: the
    # measure is then the same when the cleaned text is cleaned again).
    site_ids = {r.id for r in site_rules.rules}
    site_removed: dict[str, int] = {}
    total = kept = 0
    for b, label in zip(blocks, pristine):
        if label is not None:
            continue
        if b.live:
            kept += b.words
        elif b.label.rule in site_ids and b.label.category != "metadata":
            site_removed[b.label.rule] = site_removed.get(b.label.rule, 0) + b.words
        else:
            continue
        total += b.words
    if not total or kept >= total * STALE_MIN_KEPT_SHARE or not site_removed:
        return None
    worst = max(site_removed, key=site_removed.__getitem__)
    return worst, site_removed[worst], total


def _label_all(blocks: list[Block], site_rules: SiteRules | None, rules: RuleSet, lang: str,
               opts: Options, url: str | None, warnings: list[str], skip: frozenset[str] = frozenset(),
               budget: MatchBudget | None = None) -> bool:
    """Label every block, then the byline and date lines around the headline (label_header);
    True when the heuristics had removed the headline as boilerplate (before it was labelled the
    title): then the text was not clean, whatever else is removed."""
    ruled, headline_removed = _label_to_headline(blocks, site_rules, rules, lang, opts, url, warnings, skip,
                                                 budget)
    if "header" not in skip:
        label_header(blocks, lang, url, ruled)
    return headline_removed


def _label_to_headline(blocks: list[Block], site_rules: SiteRules | None, rules: RuleSet, lang: str,
                       opts: Options, url: str | None, warnings: list[str],
                       skip: frozenset[str], budget: MatchBudget | None = None) -> tuple[list[Label | None], bool]:
    """Rules, heuristics and the headline. Returns the labels the rules gave and whether the
    heuristics had removed the headline (see _label_all)."""
    disabled: frozenset[str] = frozenset()
    if site_rules is not None:
        report = apply_rules(blocks, site_rules.rules, "site", budget)
        warnings.extend(f"rule '{r}' ({site_rules.name}) timed out and was skipped" for r in report.timed_out)
        disabled = site_rules.disable
    generic = [r for r in rules.generic if r.id not in disabled]
    report = apply_rules(blocks, generic, "generic", budget)
    warnings.extend(f"generic rule '{r}' timed out and was skipped" for r in report.timed_out)
    if opts.common_lines:  # after the rules: a dateline or byline is taken as metadata first
        label_common_lines(blocks, opts.common_lines)
    ruled = [b.label for b in blocks]
    stoplist = language.stoplist_name(lang)
    shapes: dict[int, heuristics.Shape] = {}  # by block index: the same for every judging of this document
    again = _neighbour_rules(site_rules, generic, budget)
    if opts.heuristics:
        ruled = _judge(blocks, ruled, again, stoplist, skip, shapes)
    site_owns_title = site_rules is not None and any(r.action == "take" and r.field == "title" for r in site_rules.rules)
    if "title-headline" not in skip and not site_owns_title:  # after the heuristics, by what the rules left
        judged = [b.label for b in blocks]
        title = label_title(blocks, url, ruled)
        if title is None:
            return ruled, False
        took_live = any(b.label is not None and b.label.rule == TITLE_RULE and (was is None or was.keep)
                        for b, was in zip(blocks, judged))
        if opts.heuristics and took_live and not _nothing_removed(blocks, judged):
            # The heuristics took the headline (or a copy) for article text: judge the rest again
            # without it, as cleaning the cleaned text would (idempotence). (Not when nothing at
            # all was removed before the headline was looked for: that text is clean already, a
            # cleaned text whose first line reads as a headline, and keep_metadata_lines_of_clean_text
            # keeps it whole.)
            for b, label in zip(blocks, ruled):
                if b.label is None or b.label.rule != TITLE_RULE:
                    b.label = label
            _judge(blocks, [b.label for b in blocks], again, stoplist, skip, shapes)
        return ruled, judged[title] is not None and judged[title].removed
    return ruled, False


def _judge(blocks: list[Block], ruled: list[Label | None], again: list[NeighbourRules], stoplist: str,
           skip: frozenset[str], shapes: dict[int, heuristics.Shape]) -> list[Label | None]:
    """The heuristics, then the rules that depend on their neighbours again (_rules_again); when
    those label more, the heuristics judge again without what they labelled (as cleaning the
    cleaned text would see it). Returns the labels the rules gave, for the headline detector."""
    while True:
        heuristics.label(blocks, stoplist, disabled=skip, known_shapes=shapes)
        before = [b.label for b in blocks]
        _rules_again(blocks, again)
        changed = [i for i, b in enumerate(blocks) if b.label is not before[i]]
        if not changed:
            return ruled
        ruled = list(ruled)
        for i in changed:
            ruled[i] = blocks[i].label
        for b, label in zip(blocks, ruled):
            b.label = label


@dataclass(frozen=True)
class NeighbourRules:
    """A stage's rules that depend on their neighbours: `drop_run`, and `take` with a window or
    one that looks only above the article body (Rule.above_body); and the document's budget for
    the user's patterns (cleaner.rules.budget.MatchBudget)."""

    stage: str
    runs: tuple[Rule, ...]
    windowed_takes: tuple[Rule, ...]
    budget: MatchBudget | None = None


def _neighbour_rules(site_rules: SiteRules | None, generic: Sequence[Rule],
                     budget: MatchBudget | None = None) -> list[NeighbourRules]:
    stages = (("site", site_rules.rules if site_rules is not None else ()), ("generic", generic))
    return [NeighbourRules(stage, tuple(r for r in rules if r.action == "drop_run"),
                           tuple(r for r in rules if r.action == "take" and (r.first or r.above_body)), budget)
            for stage, rules in stages]


def _rules_again(blocks: list[Block], again: list[NeighbourRules]) -> None:
    """The rules that depend on their neighbours, once more after the heuristics, on what is left,
    as cleaning the cleaned text would see it (idempotence): `drop_run` (a removed repeat may have
    split a run) and `take` with a window (`first: N` counts the blocks still in the article) or
    above the body (its start is the first prose paragraph still in the article)."""
    live = [b for b in blocks if b.live]
    for rules in again:
        if rules.runs:
            apply_rules(blocks, rules.runs, rules.stage, rules.budget)
        if rules.windowed_takes:
            apply_rules(live, rules.windowed_takes, rules.stage, rules.budget)


def _text_input(blocks: list[Block]) -> bool:
    """All blocks are lines of a text input (not HTML, not parts of a glued line)."""
    return all(b.origin == "text" for b in blocks)


def _nothing_removed(blocks: list[Block], labels: Sequence[Label | None]) -> bool:
    """True when the blocks are a text input and none was removed under these labels."""
    return _text_input(blocks) and all(label is None or label.keep for label in labels)


def keep_metadata_lines_of_clean_text(blocks: list[Block]) -> None:
    """Text from which nothing would be removed but the lines of one metadata field (a
    headline-shaped first line; or a date line) is taken as an article body already: those lines
    stay in the body, and their value is still reported.

    This is what makes cleaning idempotent: the cleaned text has nothing left to remove, so a
    second pass must not take its first subheading as the headline. Scraped text nearly always
    has boilerplate around the article, or a header of two fields or more (headline, byline,
    date), and then those lines go as before. (`take` rules remove every line that matches after
    the one they take, so no second date or byline line is left for a second pass to take.)
    (Not for HTML: a page always had boilerplate around it.)"""
    removed = [b for b in blocks if b.label is not None and b.label.removed]
    fields = {b.label.field for b in removed}
    if None in fields or len(fields) > 1 or not _text_input(blocks):
        return  # boilerplate, a header of several fields, or HTML
    for b in removed:
        b.label = replace(b.label, keep=True, reason=f"{b.label.reason}; kept: nothing else was removed (text already clean)")


def label_common_lines(blocks: list[Block], common: frozenset[str]) -> None:
    for b in blocks:
        if b.label is None and dedup_key(b.text) in common:
            b.label = Label(keep=False, category="duplicate", rule="dedup-lines",
                            reason="batch: line recurs across many documents of this site")

