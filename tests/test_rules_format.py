"""Rule files: strict validation (each error class with the exact line a user sees), safe loading,
patterns that could hang, the JSON Schema, precedence, `disable`, the stale-rule guard, and every
shipped site's own tests."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cleaner import RuleError, clean
from cleaner.article import CATEGORIES, META_FIELDS
from cleaner.cli import main
from cleaner.rules import load_ruleset
from cleaner.rules.authoring import run_site_tests
from cleaner.rules.budget import PATTERN_TIMEOUT_S, USER_PATTERN_BUDGET_S
from cleaner.rules.load import check_rules, load_file
from cleaner.rules.prefilter import MAX_KEY_CHARS, gate
from cleaner.rules.validate import (ACTIONS, GENERIC_KEYS, HTML_KEYS, MAX_LITERAL_CHARS, MAX_PATTERN_CHARS, RULE_KEYS, SCHEMA_PATH,
                                    SITE_KEYS, TEST_KEYS)
from conftest import ROOT, SAMPLES

FIXTURES = ROOT / "tests" / "fixtures" / "rules"
BAD = FIXTURES / "bad"
NORTHBAY = FIXTURES / "northbay" / "harbor-dredging.txt"

# Each error class: the bad file, and the line `newsclean clean` prints for it (after the file's path).
ERRORS = {
    "typo-key.yaml": ":6: 'drop_lien': unknown key in a rule (did you mean 'drop_line'?)",
    "bad-type.yaml": ":7: 'max_words': must be a number, not a string",
    "bad-regex.yaml": ":6: 'drop_line': rule 'br-related': bad regular expression '^Related (stories': "
                      "missing ) at position 17",
    "duplicate-id.yaml": ":7: 'id': duplicate rule id 'di-share' (first at line 4)",
    "unknown-category.yaml": ":5: 'category': unknown category 'donations' (did you mean 'donation'?); one of: "
                             + ", ".join(CATEGORIES),
    "catastrophic.yaml": ":6: 'drop_line': rule 'cat-words': pattern '(\\w+\\s?)+$' backtracks catastrophically: "
                         "a repeated part can match the same text in more than one way; make each repeat match one way",
    "bad-yaml.yaml": ":6: invalid YAML: expected <block end>, but found '<block mapping start>'",
    "unknown-site-key.yaml": ":2: 'host': unknown key in a site file (did you mean 'hosts'?)",
    "wrong-option.yaml": ":7: 'until': rule 'wo-newsletter': 'until' only applies to drop_from, not drop_line",
    "host-url.yaml": ":2: 'hosts': 'https://host-url.example/news' is not a host name: write it bare, like "
                     "example.com (no https://, path or port)",
    "sample-url.yaml": ":4: 'sample': a test's sample must be a local file, not a URL",
    "no-action.yaml": ":4: rule 'na-share' has no action; give exactly one of: " + ", ".join(ACTIONS),
    "disable-unknown.yaml": ":3: 'disable': no generic rule 'badfixture-generic-on' to disable "
                            "(did you mean 'badfixture-generic-one'?)",
}
# Found by `rules check` only (a missing sample does not stop `clean`).
CHECK_ONLY = {
    "missing-sample.yaml": ":4: 'sample': test sample not found: tests/fixtures/rules/no-such-sample.txt "
                           f"(relative to {FIXTURES})",
}


def user_dir(tmp_path: Path, *files: Path | tuple[str, str]) -> Path:
    """A --rules-dir holding copies of fixture files, or (name, text) pairs."""
    d = tmp_path / "my-rules"
    d.mkdir(exist_ok=True)
    for f in files:
        if isinstance(f, tuple):
            (d / f[0]).write_text(f[1], encoding="utf-8")
        else:
            shutil.copy(f, d / f.name)
    return d


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# ---------------------------------------------------------------- each error class, as the CLI shows it

@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_class_exact_cli_line(name, tmp_path):
    extra = [BAD / "generic-for-disable.yaml"] if name == "disable-unknown.yaml" else []
    d = user_dir(tmp_path, BAD / name, *extra)
    result = run("clean", str(NORTHBAY), "--rules-dir", str(d))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"newsclean: error: {d / name}{ERRORS[name]}\n"


def test_rules_check_lists_every_error_one_line_each(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("rules", "check", "--rules-dir", "tests/fixtures/rules/bad")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    expected = {f"newsclean: error: tests/fixtures/rules/bad/{name}{msg}" for name, msg in {**ERRORS, **CHECK_ONLY}.items()}
    assert set(lines[:-1]) == expected
    assert lines[-1].startswith(f"{len(expected)} errors in ")


def test_a_file_with_an_error_is_not_half_applied(tmp_path):
    good_then_bad = ("half.yaml", "site: Half\nhosts: [northbaycourier.example]\nrules:\n"
                     "  - id: half-good\n    category: navigation\n    drop_line: '^Skip to content$'\n"
                     "  - id: half-bad\n    category: navigation\n    drop_line: '^Related (stories'\n")
    d = user_dir(tmp_path, good_then_bad)
    with pytest.raises(RuleError) as err:
        clean(NORTHBAY.read_bytes(), url="https://northbaycourier.example/x", rules_dirs=(str(d),))
    assert str(err.value).startswith(f"{d / 'half.yaml'}:9: 'drop_line': rule 'half-bad': bad regular expression")
    report = check_rules([d])
    assert [s.name for s in report.ruleset.sites if s.name == "Half"] == []
    assert len(report.errors) == 1


def test_unsafe_yaml_is_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    evil = f"site: !!python/object/apply:os.system ['touch {marker}']\n"
    d = user_dir(tmp_path, ("evil.yaml", evil))
    with pytest.raises(RuleError) as err:
        load_file(d / "evil.yaml")
    assert "evil.yaml:1" in str(err.value) and "invalid YAML" in str(err.value)
    assert not marker.exists()


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    d = user_dir(tmp_path, ("bomb.yaml", "\n".join(lines) + "\nsite: Bomb\n"))
    with pytest.raises(RuleError, match="too many YAML nodes"):
        load_file(d / "bomb.yaml")


def test_other_errors_name_file_line_and_key(tmp_path):
    cases = {
        "dup-key.yaml": ("site: A\nhosts: [a.example]\nhosts: [b.example]\n", ":3: 'hosts': duplicate key (first at line 2)"),
        "bad-date.yaml": ("site: B\nlast_verified: last week\n", ":2: 'last_verified': must be a date written YYYY-MM-DD, not 'last week'"),
        "take-field.yaml": ("site: C\nrules:\n  - id: c-t\n    take: auther\n    pattern: '^By (?P<value>.+)$'\n",
                            ":4: 'take': unknown metadata field 'auther' (did you mean 'author'?); one of: " + ", ".join(META_FIELDS)),
        "empty.yaml": ("site: D\nrules:\n  - id: d-e\n    category: other\n    drop_line: ''\n", ":5: 'drop_line': an empty pattern matches every line"),
        "negative.yaml": ("site: E\nrules:\n  - id: e-n\n    category: other\n    drop_line: x\n    max_words: -1\n",
                          ":6: 'max_words': rule 'e-n': must be at least 0"),
        "neither.yaml": ("sit: F\n", ":1: a rule file must have 'site:' (site rules) or 'generic:' (generic rules) (is 'sit' a typo?)"),
    }
    for name, (text, message) in cases.items():
        d = user_dir(tmp_path, (name, text))
        with pytest.raises(RuleError) as err:
            load_file(d / name)
        assert str(err.value) == f"{d / name}{message}"
        (d / name).unlink()


# ---------------------------------------------------------------- patterns that could hang

# `x+x+x+x+x+y` can match a text one way only (it is not rejected at load) but is slow on a long
# run of x's: polynomial, not exponential, time (a search of 1,000 x's takes seconds).
SLOW_PATTERN = "x+x+x+x+x+y"
EVIL_SITE = f"""site: Timeout Site
hosts: [timeout.example]
rules:
  - id: evil-x
    category: other
    drop_line: ['^Alpha line$', '{SLOW_PATTERN}']
"""


# Exponentially ambiguous: a repeat inside a repeat, or a repeated alternation, whose parts can
# match the same text; `\\s*` next to `\\s` or `.` inside a repeat likewise.
CATASTROPHIC = ["(a+)+$", "(a|a)*b", r"(\w+\s?)*$", r"(\w+\s?)+$", "(a|aa)+$", r"(\w|\w\w)+$", r"(\w|\d)+x",
                r"^(\w+\s?)+$", r"(?:,\s*[^,]+)+$", r"(\s*\S+)+!", "((ab)*)*c", r"(?:\d+|,)+x", "(x+x+)+y",
                r"^(?:[A-Z][\w'-]*\s?)+$"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_patterns_are_rejected_at_load_by_their_structure(tmp_path, pattern):
    quoted = pattern.replace("'", "''")
    text = f"site: Evil\nrules:\n  - id: evil\n    category: other\n    drop_line: '{quoted}'\n"
    d = user_dir(tmp_path, ("evil.yaml", text))
    for _ in range(3):   # the same verdict every time: it is read from the pattern, not timed
        with pytest.raises(RuleError) as err:
            load_file(d / "evil.yaml")
        assert str(err.value) == (f"{d / 'evil.yaml'}:5: 'drop_line': rule 'evil': pattern '{pattern}' backtracks "
                                  "catastrophically: a repeated part can match the same text in more than one way; "
                                  "make each repeat match one way")


# Look-alikes that match a text one way only: each repeat's body cannot match what the repeat's
# next turn (or what follows it) matches, or it does not give back (atomic, possessive).
ONE_WAY = [r"(\w+\s)*$", r"^Read more: .+$", r"\w+\s*\w+$", "a*a*b", "(?:ab{0,2}c)*$", "(?>a+)+$", "a++b",
           r"(?:\S+\s+){0,12}\S+$", r"^By (?P<value>.+?), Courier staff$", "(?:foo|bar)+$", r"^\p{Lu}\w+$",
           r"^(?:subscribe|log ?in)(?:\s*(?:(?:or|/)\s*)?(?:subscribe|log ?in))+$", SLOW_PATTERN]


def test_one_way_look_alikes_still_load(tmp_path):
    items = ", ".join("'" + p.replace("'", "''") + "'" for p in ONE_WAY)
    text = f"site: Fine\nrules:\n  - id: fine\n    category: other\n    drop_line: [{items}]\n"
    d = user_dir(tmp_path, ("fine.yaml", text))
    assert [p.pattern for p in load_file(d / "fine.yaml").rules[0].patterns] == ONE_WAY


def test_every_shipped_pattern_passes_the_structure_check():
    """The shipped rules load through the same check (four were rewritten to match one way)."""
    rules = load_ruleset()
    assert len(rules.generic) > 50 and rules.sites
    report = check_rules()
    assert report.errors == []


def test_regex_module_syntax_the_check_cannot_read_is_refused_in_one_line(tmp_path):
    text = "site: Rec\nrules:\n  - id: rec\n    category: other\n    drop_line: '^\\((?:[^()]|(?R))*\\)$'\n"
    d = user_dir(tmp_path, ("rec.yaml", text))
    with pytest.raises(RuleError) as err:
        load_file(d / "rec.yaml")
    message = str(err.value)
    assert message == (f"{d / 'rec.yaml'}:5: 'drop_line': rule 'rec': pattern '^\\((?:[^()]|(?R))*\\)$' cannot be "
                       "checked for catastrophic backtracking (unknown extension ?R at position 13); write it without "
                       "regex-module-only syntax")
    # Fuzzy matching is read as exact matching by the check: it loads when that matches one way.
    fuzzy = "site: Fuzzy\nrules:\n  - id: fuzzy\n    category: other\n    drop_line: '^(?:colour){e<=1}$'\n"
    d = user_dir(tmp_path, ("fuzzy.yaml", fuzzy))
    assert load_file(d / "fuzzy.yaml").rules[0].matches("color")


def test_a_pattern_longer_than_the_limit_is_refused_naming_file_and_line(tmp_path):
    text = "site: Long\nrules:\n  - id: long\n    category: other\n    drop_line:\n      - '^Alpha$'\n" \
           f"      - '{'x' * 300_000}'\n"
    d = user_dir(tmp_path, ("long.yaml", text))
    with pytest.raises(RuleError) as err:
        load_file(d / "long.yaml")
    assert str(err.value) == (f"{d / 'long.yaml'}:7: 'drop_line': rule 'long': pattern '{'x' * 60}...' is "
                              f"300,000 characters long; at most {MAX_PATTERN_CHARS:,}")
    assert MAX_PATTERN_CHARS == 5_000


def test_a_literal_longer_than_the_limit_is_refused(tmp_path):
    """The regex module's search for a long literal repeating itself takes cubic time and does not
    stop at its time limit: such literals are refused at load (the start of a line will do)."""
    literal = "ab " * 200
    text = f"site: Lit\nrules:\n  - id: lit\n    category: other\n    drop_line: '^(?:Read more|{literal})$'\n"
    d = user_dir(tmp_path, ("lit.yaml", text))
    with pytest.raises(RuleError) as err:
        load_file(d / "lit.yaml")
    assert str(err.value) == (f"{d / 'lit.yaml'}:5: 'drop_line': rule 'lit': pattern '^(?:Read more|{literal[:46]}...' "
                              f"holds 600 literal characters in a row; at most {MAX_LITERAL_CHARS} (match the start of "
                              "the line)")


def test_a_long_literal_gets_a_gate_of_its_start(tmp_path):
    """Gates are cut to MAX_KEY_CHARS characters: building them reads no more of a long literal
    (it once read all of it, once per character: quadratic)."""
    literal = " ".join(["Lorem ipsum"] * 24)     # 287 characters
    text = f"site: Lit\nhosts: [lit.example]\nrules:\n  - id: lit\n    category: other\n    drop_line: '^{literal}$'\n"
    d = user_dir(tmp_path, ("lit.yaml", text))
    [pattern] = load_file(d / "lit.yaml").rules[0].patterns
    found = gate(pattern)
    assert found is not None and found.at_start and found.keys == (literal.casefold()[:MAX_KEY_CHARS],)
    doc = "Alpha\n" + literal + "\n" + NORTHBAY.read_text(encoding="utf-8")
    article = clean(doc, url="https://lit.example/a", rules_dirs=(str(d),))
    assert [r.rule for r in article.removed if r.text.startswith("Lorem ipsum")] == ["lit"]


def test_runtime_timeout_skips_the_whole_rule_and_warns(tmp_path):
    d = user_dir(tmp_path, ("evil.yaml", EVIL_SITE))
    load_file(d / "evil.yaml")       # matches one way: accepted at load; it is only slow on x's
    doc = "Alpha line\n" + NORTHBAY.read_text(encoding="utf-8") + "x" * 3000 + "\n"
    article = clean(doc, url="https://timeout.example/story", rules_dirs=(str(d),))
    assert "rule 'evil-x' (Timeout Site) timed out and was skipped" in article.warnings
    # the label its first pattern had put on line 1 was taken back: the rule is skipped whole
    assert not [r for r in article.removed if r.rule == "evil-x"]
    result = CliRunner().invoke(main, ["clean", "-", "--url", "https://timeout.example/story", "--rules-dir", str(d),
                                       "--explain"], input=doc)
    assert result.exit_code == 0
    assert "# warning: rule 'evil-x' (Timeout Site) timed out and was skipped" in result.stdout.splitlines()


# More slow rules than the budget lets run: each would take PATTERN_TIMEOUT_S on the x line.
SLOW_RULES = 60


def test_slow_user_rules_stop_at_the_documents_budget(tmp_path):
    assert SLOW_RULES * PATTERN_TIMEOUT_S > 4 * USER_PATTERN_BUDGET_S   # even at a quarter of a core
    rules = "".join(f"  - id: slow-{i:02d}\n    category: other\n    drop_line: ['^Alpha line$', 'x+x+x+x+x+y{i}']\n"
                    for i in range(SLOW_RULES))
    site = f"site: Slow Site\nhosts: [slow.example]\nrules:\n{rules}" \
           "  - id: slow-last\n    category: other\n    drop_line: '^Omega line$'\n"
    d = user_dir(tmp_path, ("slow.yaml", site))
    doc = "Alpha line\n" + NORTHBAY.read_text(encoding="utf-8") + "x" * 3000 + "\nOmega line\n"
    article = clean(doc, url="https://slow.example/story", rules_dirs=(str(d),))
    [budget_warning] = [w for w in article.warnings if w.startswith("user rules timed out")]
    assert budget_warning.startswith(f"user rules timed out: their time budget ({USER_PATTERN_BUDGET_S:g} s of CPU "
                                     "per document for all user patterns) was spent; skipped: site rule 'slow-")
    skipped = budget_warning.split("skipped: ")[1].split(", ")
    timed_out = [w.split("'")[1] for w in article.warnings if w.endswith("(Slow Site) timed out and was skipped")]
    # Every slow rule, and the rule after them, either timed out on its own or was skipped (once
    # the budget is spent, every later pass over the document skips all the user's rules).
    names = {f"slow-{i:02d}" for i in range(SLOW_RULES)} | {"slow-last"}
    assert {name.split("'")[1] for name in skipped} | set(timed_out) == names
    assert "site rule 'slow-last'" in skipped and len(skipped) == len(set(skipped))
    # Still a whole article: the skipped rules removed nothing, the generic rules and heuristics ran.
    assert "The Northbay Harbor Commission voted 4-1 on Tuesday night" in article.text
    assert not [r for r in article.removed if r.rule.startswith("slow-")]
    assert any(r.rule == "share-row" for r in article.removed)      # "Share on Facebook" (a shipped generic rule)
    assert json.loads(json.dumps(article.to_dict()))["warnings"] == article.warnings


def test_evil_fingerprint_does_not_crash_matching(tmp_path):
    text = f"site: Evil Print\nfingerprints: ['re:{SLOW_PATTERN}']\n"
    d = user_dir(tmp_path, ("print.yaml", text))
    article = clean("x" * 3000 + "\n" + NORTHBAY.read_text(encoding="utf-8"), rules_dirs=(str(d),))
    assert article.site is None


# ---------------------------------------------------------------- JSON Schema

def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_schema_keys_match_the_loader():
    defs = schema()["definitions"]
    assert set(defs["siteFile"]["properties"]) == set(SITE_KEYS)
    assert set(defs["genericFile"]["properties"]) == set(GENERIC_KEYS)
    assert set(defs["rule"]["properties"]) == set(RULE_KEYS)
    assert set(defs["test"]["properties"]) == set(TEST_KEYS)
    assert set(defs["siteFile"]["properties"]["html"]["properties"]) == set(HTML_KEYS)
    assert set(defs["siteFile"]["properties"]["metadata"]["properties"]) == set(META_FIELDS)
    assert set(defs["test"]["properties"]["expect"]["properties"]) == set(META_FIELDS)
    assert defs["rule"]["properties"]["category"]["enum"] == list(CATEGORIES) + ["body"]
    assert defs["rule"]["properties"]["take"]["enum"] == list(META_FIELDS)
    assert [next(iter(alt["required"])) for alt in defs["rule"]["oneOf"]] == list(ACTIONS)


def test_schema_ships_inside_the_package():
    assert SCHEMA_PATH.parent.name == "data" and SCHEMA_PATH.parent.parent.name == "cleaner"


def _as_json(path: Path):
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def _shipped_files() -> list[Path]:
    return sorted((ROOT / "rules").rglob("*.yaml"))


def test_shipped_rule_files_reference_the_schema():
    for path in sorted((ROOT / "rules" / "sites").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../cleaner/data/rule-file.schema.json", path
        assert (path.parent / "../../cleaner/data/rule-file.schema.json").resolve() == SCHEMA_PATH


def test_shipped_rule_files_validate_against_the_schema():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft7Validator(schema())
    jsonschema.Draft7Validator.check_schema(schema())
    for path in _shipped_files():
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(_as_json(path))]
        assert errors == [], path


def test_schema_rejects_what_the_loader_rejects():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft7Validator(schema())
    for name in ("typo-key.yaml", "bad-type.yaml", "unknown-category.yaml", "unknown-site-key.yaml", "wrong-option.yaml",
                 "host-url.yaml", "sample-url.yaml", "no-action.yaml"):
        assert list(validator.iter_errors(_as_json(BAD / name))), name


# ---------------------------------------------------------------- precedence

def site_file(name: str, hosts: list[str] = (), fingerprints: list[str] = (), rule_id: str = "x-nav") -> str:
    return (f"site: {name}\nhosts: {json.dumps(list(hosts))}\nfingerprints: {json.dumps(list(fingerprints))}\n"
            f"rules:\n  - id: {rule_id}\n    category: navigation\n    drop_line: '^Skip to content$'\n")


@pytest.fixture()
def precedence_dir(tmp_path):
    return user_dir(tmp_path,
                    ("broad.yaml", site_file("Broad", ["example.org"], rule_id="broad-nav")),
                    ("narrow.yaml", site_file("Narrow", ["news.example.org"], rule_id="narrow-nav")),
                    ("printed.yaml", site_file("Printed", [], ["Northbay Courier Media"], rule_id="printed-nav")))


def test_precedence_site_over_host_over_fingerprint_over_generic(precedence_dir):
    rs = load_ruleset([precedence_dir])
    text = NORTHBAY.read_text(encoding="utf-8")
    assert rs.match(url="https://www.news.example.org/a", text=text, site="Broad").name == "Broad"   # --site first
    assert rs.match(url="https://www.news.example.org/a", text=text).name == "Narrow"                # most specific host
    assert rs.match(url="https://blog.example.org/a", text=text).name == "Broad"
    assert rs.match(url="https://example.org/a", text=text).name == "Broad"
    assert rs.match(url="https://notexample.org/a", text=text).name == "Printed"                     # fingerprint
    assert rs.match(url=None, text=text).name == "Printed"
    assert rs.match(url="https://elsewhere.example/a", text="nothing to see") is None                # generic only
    with pytest.raises(RuleError, match=r"no rules for site 'Brod' \(did you mean 'broad'\?\)"):
        rs.match(site="Brod")


def test_precedence_end_to_end(precedence_dir):
    data = NORTHBAY.read_bytes()
    dirs = (str(precedence_dir),)
    assert clean(data, url="https://news.example.org/a", rules_dirs=dirs).site == "Narrow"
    assert clean(data, url="https://news.example.org/a", site="Broad", rules_dirs=dirs).site == "Broad"
    assert clean(data, rules_dirs=dirs).site == "Printed"
    assert clean(data, rules_dirs=dirs, site_rules=False).site is None
    removed = {r.rule for r in clean(data, url="https://news.example.org/a", rules_dirs=dirs).removed}
    assert "narrow-nav" in removed and "broad-nav" not in removed


def test_user_rules_dir_wins_over_shipped_file(tmp_path):
    data = (SAMPLES / "moscowtimes.txt").read_bytes()
    url = "https://www.themoscowtimes.com/2011/03/23/gates-fails-to-bridge-gap"
    shipped = {r.rule for r in clean(data, url=url).removed}
    assert "mt-support-banner" in shipped
    mine = ("site: The Moscow Times\nhosts: [themoscowtimes.com]\nrules:\n"
            "  - id: my-mt-banner\n    category: donation\n    drop_line: '^Support The Moscow Times!$'\n")
    d = user_dir(tmp_path, ("mt.yaml", mine))
    article = clean(data, url=url, rules_dirs=(str(d),))
    rules = {r.rule for r in article.removed}
    assert article.site == "The Moscow Times"
    assert "my-mt-banner" in rules and not rules & {"mt-support-banner", "mt-donation-box", "mt-newsletter"}
    # and a later --rules-dir wins over an earlier one
    later = tmp_path / "later"
    later.mkdir()
    (later / "mt.yaml").write_text(mine.replace("my-mt-banner", "later-mt-banner"), encoding="utf-8")
    rules = {r.rule for r in clean(data, url=url, rules_dirs=(str(d), str(later))).removed}
    assert "later-mt-banner" in rules and "my-mt-banner" not in rules


def test_user_file_claiming_a_shipped_host_is_tried_first(tmp_path):
    d = user_dir(tmp_path, ("mine.yaml", site_file("My Moscow", ["themoscowtimes.com"], rule_id="mine-nav")))
    assert clean((SAMPLES / "moscowtimes.txt").read_bytes(), url="https://www.themoscowtimes.com/x",
                 rules_dirs=(str(d),)).site == "My Moscow"


def test_same_site_or_host_twice_in_one_directory_is_an_error(tmp_path):
    d = user_dir(tmp_path, ("a.yaml", site_file("Twice", ["twice.example"])), ("b.yaml", site_file("Twice", ["other.example"])))
    with pytest.raises(RuleError, match=r"b.yaml:1: 'site': site 'Twice' is also defined in .*a.yaml"):
        load_ruleset([d])
    (d / "b.yaml").write_text(site_file("Thrice", ["twice.example"]), encoding="utf-8")
    with pytest.raises(RuleError, match=r"b.yaml:2: 'hosts': host 'twice.example' is also claimed by site 'Twice'"):
        load_ruleset([d])


def test_disable_switches_off_a_generic_rule_for_that_site_only(tmp_path):
    data = NORTHBAY.read_bytes()
    url = "https://northbaycourier.example/x"
    generic_ids = {r.id for r in load_ruleset().generic}
    d = user_dir(tmp_path, ("nb.yaml", site_file("Northbay", ["northbaycourier.example"])))
    fired = [r for r in clean(data, url=url, rules_dirs=(str(d),)).removed if r.rule in generic_ids]
    assert fired, "the fixture should trip at least one generic rule"
    victim = fired[0].rule
    (d / "nb.yaml").write_text(site_file("Northbay", ["northbaycourier.example"]) + f"disable: [{victim}]\n", encoding="utf-8")
    after = clean(data, url=url, rules_dirs=(str(d),))
    assert after.site == "Northbay"
    assert victim not in {r.rule for r in after.removed}
    # other documents, without that site, still get the rule
    assert victim in {r.rule for r in clean(data, site_rules=False, rules_dirs=(str(d),)).removed}


# ---------------------------------------------------------------- stale-rule guard

STALE = """site: Stale Site
hosts: [northbaycourier.example]
rules:
  - id: stale-old-footer
    category: related
    note: the old template had its footer start with the headline; the redesign put it on top
    drop_from: '^Harbor commission approves'
"""


def test_stale_rule_is_set_aside_and_named(tmp_path):
    d = user_dir(tmp_path, ("stale.yaml", STALE))
    article = clean(NORTHBAY.read_bytes(), url="https://northbaycourier.example/x", rules_dirs=(str(d),))
    assert len(article.warnings) == 1
    assert article.warnings[0].startswith("stale site rules: Stale Site rule 'stale-old-footer' would remove ")
    # a drop_from rule first skips its first marker (above the article), up to STALE_MARKERS_SKIPPED_MAX
    assert article.warnings[0].endswith("words; cleaned with it skipping its first marker")
    assert article.site == "Stale Site"  # the site's other rules (none here) still apply
    assert "The Northbay Harbor Commission voted 4-1 on Tuesday night" in article.text
    assert not [r for r in article.removed if r.rule == "stale-old-footer"]


def test_stale_rule_warning_in_explain_and_json(tmp_path):
    d = user_dir(tmp_path, ("stale.yaml", STALE))
    base = ["clean", str(NORTHBAY), "--url", "https://northbaycourier.example/x", "--rules-dir", str(d)]
    explain = run(*base, "--explain")
    assert explain.exit_code == 0
    warning = [l for l in explain.stdout.splitlines() if l.startswith("# warning: ")]
    assert len(warning) == 1 and "stale site rules: Stale Site rule 'stale-old-footer'" in warning[0]
    assert explain.stdout.splitlines()[0].startswith("# site rules: Stale Site")
    as_json = json.loads(run(*base, "--format", "json").stdout)
    assert as_json["warnings"][0].startswith("stale site rules: Stale Site rule 'stale-old-footer'")


def test_a_rule_test_fails_when_the_guard_sets_a_rule_aside(tmp_path):
    stale = STALE + ("tests:\n  - sample: tests/fixtures/rules/northbay/harbor-dredging.txt\n"
                     "    must_contain: [\"The Northbay Harbor Commission voted\"]\n")
    d = user_dir(tmp_path, ("stale.yaml", stale))
    shutil.copytree(FIXTURES / "northbay", tmp_path / "tests" / "fixtures" / "rules" / "northbay")
    rs = load_ruleset([d])
    [outcome] = run_site_tests(rs, rs.site_named("Stale Site"))
    assert not outcome.passed
    assert outcome.failures[0].startswith("a site rule was set aside: stale site rules: Stale Site rule 'stale-old-footer'")


# ---------------------------------------------------------------- the shipped rules

def test_shipped_rules_check_clean():
    report = check_rules()
    assert [str(e) for e in report.errors] == []
    assert len(report.ruleset.sites) >= 5


def _shipped_tests():
    rs = load_ruleset()
    return [pytest.param(site.name, i, id=f"{Path(site.path).stem}-{i}") for site in rs.sites for i in range(len(site.tests))]


def test_every_shipped_site_has_tests():
    rs = load_ruleset()
    assert all(site.tests for site in rs.sites), [s.name for s in rs.sites if not s.tests]


@pytest.mark.parametrize("site_name, index", _shipped_tests())
def test_shipped_site_tests_pass(site_name, index):
    from cleaner.rules.authoring import run_test

    rs = load_ruleset()
    site = rs.site_named(site_name)
    outcome = run_test(rs, site, site.tests[index], index + 1)
    assert outcome.failures == []


def test_the_rules_load_and_apply_without_the_html_stage():
    """The rules package does not depend on the block stages that use it: loading the shipped
    rules and applying them to blocks imports neither cleaner.blocks.html nor trafilatura."""
    code = ("import sys\n"
            "from cleaner.article import Block\n"
            "from cleaner.rules import apply_rules, load_ruleset\n"
            "blocks = [Block(text='Share this article'), Block(text='The council met on Tuesday.')]\n"
            "apply_rules(blocks, load_ruleset().generic, 'generic')\n"
            "print(sorted(m for m in ('cleaner.blocks.html', 'trafilatura') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_one_selector_compiler_for_validation_and_html_rules():
    """A selector is checked at load and applied to a page by the same compilation: what the
    check accepts finds elements, and what it refuses is a RuleError naming the file when applied."""
    import lxml.html

    from cleaner.rules.selectors import css_selector, selector_problem

    tree = lxml.html.fromstring("<div><aside class='related'>More</aside><p>Text</p></div>")
    assert selector_problem("aside.related") is None
    assert [e.text for e in css_selector("aside.related", "site.yaml")(tree)] == ["More"]
    problem = selector_problem("aside[[")
    assert problem
    with pytest.raises(RuleError) as caught:
        css_selector("aside[[", "site.yaml")
    assert "site.yaml" in str(caught.value) and problem in str(caught.value)
