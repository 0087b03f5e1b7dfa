"""Rules: rule files read, checked, loaded and applied to blocks.

    yamlfile.py   YAML with the line of every key and item (safe loader only)
    validate.py   the format's key tables and checks; a file's mapping compiled to Rule / SiteRules
    selectors.py  CSS selectors of `html:` rules, compiled in one place (for validation and the HTML stage)
    backtrack.py  catastrophic backtracking, decided from a pattern's structure
    rule.py       Rule, SiteRules, SiteTest: what a file compiles to; how a rule searches a text
    budget.py     time limits on the user's patterns (per search, per document: MatchBudget)
    load.py       load_file, load_ruleset (precedence, per-process cache), check_rules
    sites.py      which site's rules apply (--site, URL host, fingerprint)
    actions.py    apply_rules: what each action labels
    plan.py       speed only: all rules' gates in one scan, line rules matched block by block
    prefilter.py  speed only: a pattern's literal gate
    authoring.py  `newsclean rules test|new|suggest` (imports the pipeline: not imported here)

The rest of the code imports load_ruleset / RuleSet (loading, site matching) and apply_rules.
"""
from .actions import apply_rules
from .load import RuleSet, load_ruleset

__all__ = ["RuleSet", "apply_rules", "load_ruleset"]
