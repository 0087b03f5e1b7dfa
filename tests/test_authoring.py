"""Rule authoring: `rules new` leaves out what the generic rules remove and generalises years, dates
and counts; `rules check` lists every error of a file; the shipped files validate against the
shipped JSON Schema with plain jsonschema after yaml.safe_load."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import regex
import yaml
from click.testing import CliRunner

from cleaner.rules.authoring import file_errors, line_pattern
from cleaner.cli import main
from cleaner.rules import load_ruleset
from cleaner.rules.load import load_file
from cleaner.rules.validate import SCHEMA_PATH
from conftest import ROOT

SHIPPED = sorted((ROOT / "rules").rglob("*.yaml"))

LEDGER = """Skip to content
The Valley Ledger
Edition 1,482 | Tuesday, March 4, 2026
Home | Valley | Farms | Schools | Opinion
Orchard growers brace for a late frost
By Ana Ruiz
The growers of the upper valley spent Monday night lighting smudge pots between the rows, as forecasters warned of the coldest March night in a decade.
Frost this late can kill the blossoms outright, said Tom Beck, who farms forty acres of apples above the river and has lost a harvest to it twice before.
The county extension office said it would open its hall on Wednesday for growers who want advice on wind machines and crop insurance claims.
Share on Facebook
Share on X
Most read
Dairy prices fall for a third month
School board approves the new bus routes
Copyright © 2026 Valley Ledger Media. All rights reserved.
Printed March 4, 2026 from valleyledger.example
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# ---------------------------------------------------------------- the schema, as a plain validator sees it

def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_file_validates_with_plain_jsonschema_after_safe_load(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))     # no conversion of any value
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(data)]
    assert errors == []


def test_shipped_files_were_found():
    assert len([p for p in SHIPPED if p.parent.name == "sites"]) >= 5 and any(p.parent.name == "generic" for p in SHIPPED)


def test_an_unquoted_date_is_what_plain_validation_refuses_and_the_loader_accepts(tmp_path):
    unquoted = "site: Dated\nhosts: [dated.example]\nlast_verified: 2026-11-22\nrules: []\n"
    errors = list(validator().iter_errors(yaml.safe_load(unquoted)))
    # the file is a site file or a generic file (oneOf): the site branch fails at last_verified only
    site_branch = [sub for e in errors for sub in e.context if list(sub.schema_path)[0] == 0]
    assert [(list(sub.absolute_path), sub.validator) for sub in site_branch] == [(["last_verified"], "type")]
    assert not list(validator().iter_errors(yaml.safe_load(unquoted.replace("2026-11-22", "'2026-11-22'"))))
    path = tmp_path / "dated.yaml"
    path.write_text(unquoted, encoding="utf-8")
    assert load_file(path).last_verified == "2026-11-22"


# ---------------------------------------------------------------- rules new

@pytest.mark.parametrize("line, pattern", [
    ("12 comments", r"^\d+ comments$"),
    ("© 2024 The Valley Ledger", r"^© \d{4} The Valley Ledger$"),
    ("Edition 1,482", r"^Edition \d[\d,.]*$"),
    ("Page 2 of 10", r"^Page \d+ of \d+$"),
    ("May I help you?", r"^May I help you\?$"),            # a month name with no date stays literal
])
def test_line_pattern_generalises_years_and_counts(line, pattern):
    assert line_pattern(line) == pattern


def test_line_pattern_generalises_dates_to_any_day():
    pattern = regex.compile(line_pattern("Updated Tuesday, March 4, 2026 at 10:45"), regex.I)
    assert pattern.fullmatch("Updated Tuesday, March 4, 2026 at 10:45")
    assert pattern.fullmatch("Updated Friday, November 21, 2025 at 9:05")
    assert not pattern.fullmatch("Updated later today")
    day_first = regex.compile(line_pattern("Posted 3 May 2026"), regex.I)
    assert day_first.fullmatch("Posted 17 Sept 2025") and not day_first.fullmatch("Posted 17 Mayday 2025")


def test_rules_new_leaves_out_what_the_generic_rules_remove_and_generalises(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("ledger.txt").write_text(LEDGER, encoding="utf-8")
    result = run("rules", "new", "valleyledger.example", "--from", "ledger.txt", "-o", "my-rules/ledger.yaml")
    assert result.exit_code == 0, result.output
    site = load_file(Path("my-rules/ledger.yaml"), Path("my-rules"))
    patterns = [p for r in site.rules for p in r.patterns]
    sources = [p.pattern for p in patterns]
    generic_ids = {r.id for r in load_ruleset().generic}
    text = Path("my-rules/ledger.yaml").read_text(encoding="utf-8")
    # removed by generic rules (skip link, breadcrumb, share row, copyright): not written
    for line in ("Skip to content", "Home | Valley | Farms | Schools | Opinion", "Share on Facebook",
                 "Copyright © 2026 Valley Ledger Media. All rights reserved."):
        assert not any(p.search(line) for p in patterns), line
    assert not any(f"# line {n}: {rule}" in text for n in range(1, 17) for rule in generic_ids)
    # removed by the heuristics: written, with the edition number and the dates generalised
    assert "^The Valley Ledger$" in sources
    edition = next(p for p in patterns if p.pattern.startswith("^Edition"))
    assert "1,482" not in edition.pattern and "2026" not in edition.pattern
    assert edition.fullmatch("Edition 1,517 | Monday, April 13, 2026")
    printed = next(p for p in patterns if p.pattern.startswith("^Printed"))
    assert printed.fullmatch("Printed November 30, 2027 from valleyledger.example")
    # the date is quoted, so the written file validates as plain YAML too
    assert "last_verified: '" in text
    assert not list(validator().iter_errors(yaml.safe_load(text)))
    tested = run("rules", "test", "valleyledger.example", "--rules-dir", "my-rules")
    assert tested.exit_code == 0, tested.output


# ---------------------------------------------------------------- rules check: every error

MANY_ERRORS = """site: Many Errors
host: [example.org]
hosts: ["https://example.org/x"]
last_verified: 22-11-2026
rules:
  - id: me-one
    category: navigaton
    drop_line: '^Home$'
  - id: me-two
    category: share
    drop_line: '^Share (on'
  - id: me-one
    category: share
    drop_line: '^Tweet$'
  - id: me-ok
    category: related
    drop_line: '^Related$'
    max_words: many
tests:
  - sample: https://example.org/a
  - sample: a.txt
    expect: {titel: x}
"""


def test_rules_check_lists_every_error_of_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad").mkdir()
    Path("bad/many.yaml").write_text(MANY_ERRORS, encoding="utf-8")
    result = run("rules", "check", "--rules-dir", "bad")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    where = "newsclean: error: bad/many.yaml"
    assert lines[:-1] == [
        f"{where}:2: 'host': unknown key in a site file (did you mean 'hosts'?)",
        f"{where}:3: 'hosts': 'https://example.org/x' is not a host name: write it bare, like example.com "
        "(no https://, path or port)",
        f"{where}:4: 'last_verified': must be a date written YYYY-MM-DD, not '22-11-2026'",
        f"{where}:7: 'category': unknown category 'navigaton' (did you mean 'navigation'?); one of: donation, "
        "newsletter, related, share, social, caption, pullquote, legal, copyright, navigation, advertisement, "
        "paywall, comments, metadata, duplicate, other",
        f"{where}:11: 'drop_line': rule 'me-two': bad regular expression '^Share (on': missing ) at position 10",
        f"{where}:12: 'id': duplicate rule id 'me-one' (first at line 6)",
        f"{where}:18: 'max_words': must be a number, not a string",
        f"{where}:20: 'sample': a test's sample must be a local file, not a URL",
        f"{where}:22: 'titel': unknown metadata field in expect (did you mean 'title'?); one of: title, author, "
        "date, sitename, tags, url, dateline",
    ]
    assert lines[-1].startswith("9 errors in ")


# Two errors in one rule, and a repeated id whose first rule has an error of its own.
ONE_RULE_MANY_ERRORS = """site: Example
hosts: [example.org]
rules:
  - id: w-1
    category: sharez
    drop_line: 7
  - id: w-2
    category: share
    drop_from: '^Share'
    untill: '^End'
  - id: w-1
    category: share
    drop_line: '^Tweet$'
"""


def test_rules_check_lists_an_unknown_category_and_a_repeated_id_beside_other_errors(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(ONE_RULE_MANY_ERRORS, encoding="utf-8")
    found = [(e.line, e.key) for e in file_errors(path)]
    assert found == [(5, "category"), (6, "drop_line"), (10, "untill"), (11, "id")]


def test_file_errors_of_a_good_file_and_of_one_that_is_not_yaml(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("site: Good\nhosts: [good.example]\nrules:\n  - id: g-nav\n    category: navigation\n"
                    "    drop_line: '^Home$'\n", encoding="utf-8")
    assert file_errors(good) == []
    broken = tmp_path / "broken.yaml"
    broken.write_text("site: [unclosed\n", encoding="utf-8")
    [only] = file_errors(broken)
    assert "invalid YAML" in str(only)


def test_errors_across_files_are_still_listed_with_every_error_of_a_bad_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("mine").mkdir()
    one = "site: Twice\nhosts: [one.example]\nrules: []\n"
    Path("mine/a.yaml").write_text(one, encoding="utf-8")
    Path("mine/b.yaml").write_text(one.replace("one.example", "two.example"), encoding="utf-8")
    Path("mine/c.yaml").write_text("site: Bad\nhost: [x.example]\nrules:\n  - id: b-x\n    category: nope\n"
                                   "    drop_line: '^x$'\n", encoding="utf-8")
    result = run("rules", "check", "--rules-dir", "mine")
    lines = result.stderr.splitlines()
    assert any("mine/b.yaml" in l and "site 'Twice' is also defined in" in l for l in lines)
    assert sum("mine/c.yaml" in l for l in lines) == 2
    assert lines[-1].startswith("3 errors in ")
