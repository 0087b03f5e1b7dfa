"""What every labeller gets (LabelContext) and what labelling says besides the labels (Labelling)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import language
from ..rules import RuleSet
from ..rules.budget import MatchBudget
from ..rules.rule import Rule, SiteRules


@dataclass(frozen=True)
class LabelContext:
    """Everything the labellers need to label one document's blocks. Immutable: a labeller that
    needs another site's rules or another language gets a copy (`dataclasses.replace`).

    Fields:
        rules (RuleSet): the rules loaded (the generic ones, and every site's for site_rules_for).
        site_rules (SiteRules | None): the site rules in force for this document, or None.
        language (str | None): the document's language code (ISO 639-1, e.g. "en"), once detected.
        url (str | None): the document's URL (the headline detector reads its slug; the date
            reader its country).
        site (str | None): the site named by the caller (`clean(site=...)`), which wins over the
            URL and fingerprints when site rules are looked up for a text.
        match_sites (bool): look site rules up for a text at all (Options.site_rules, or a site named).
        heuristics (bool): run the heuristics (Options.heuristics).
        signals_off (frozenset[str]): the generic signals switched off (names of cleaner.label.SIGNALS).
        common_lines (frozenset[str]): dedup keys of lines that recur across the site's
            documents (Options.common_lines); such a block is removed as "duplicate".
        model (bool): let the fitted block model relabel what the heuristics decided (Options.model).
        budget (MatchBudget): this document's CPU time for the user's patterns, all passes together.
    """

    rules: RuleSet
    site_rules: SiteRules | None = None
    language: str | None = None
    url: str | None = None
    site: str | None = None
    match_sites: bool = True
    heuristics: bool = True
    signals_off: frozenset[str] = frozenset()
    common_lines: frozenset[str] = frozenset()
    model: bool = False
    budget: MatchBudget = field(default_factory=MatchBudget)

    @property
    def stoplist(self) -> str:
        """The jusText stop-word list of the document's language (English when there is none)."""
        return language.stoplist_name(self.language or "")

    def site_rules_for(self, text: str) -> SiteRules | None:
        """The site rules for a text of this document (its URL, the site named, else a fingerprint
        in `text`); None when site rules are not looked up or none match."""
        return self.rules.match(url=self.url, text=text, site=self.site) if self.match_sites else None

    def generic_rules(self) -> list[Rule]:
        """The generic rules in force: all of them but those the site's rules switch off (`disable:`)."""
        rules_off_by_site = self.site_rules.disable if self.site_rules is not None else frozenset()
        return [r for r in self.rules.generic if r.id not in rules_off_by_site]


@dataclass(frozen=True)
class Labelling:
    """What labelling a document said besides the labels: warnings, and the site rules that were
    applied (None when there were none; without the rules the stale-rule guard set aside)."""

    warnings: list[str]
    site_rules: SiteRules | None
