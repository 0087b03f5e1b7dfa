"""`newsclean rules list|check|show|test|new|suggest`, and docs/rules.md's walkthrough run exactly
as written (its commands, its edited file, and the output it shows)."""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cleaner.cli import main
from cleaner.rules import load_ruleset
from cleaner.rules.load import check_rules, load_file
from conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "rules"
NORTHBAY_DIR = FIXTURES / "northbay"
SAMPLE_REL = "tests/fixtures/rules/northbay/harbor-dredging.txt"
DOC = ROOT / "docs" / "rules.md"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    """A fresh folder with the fixture site's articles where the walkthrough expects them."""
    shutil.copytree(NORTHBAY_DIR, tmp_path / "tests" / "fixtures" / "rules" / "northbay")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---------------------------------------------------------------- list, check, show, test

def test_rules_list_shows_every_shipped_site():
    result = run("rules", "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SITE", "HOSTS", "RULES", "TESTS", "VERIFIED", "FILE"]
    names = {s.name for s in load_ruleset().sites}
    for site in load_ruleset().sites:
        row = next(l for l in lines if l.startswith(site.name + " "))
        assert str(len(site.rules)) in row.split() and (site.last_verified or "never") in row
    assert len(names) >= 5
    assert re.fullmatch(r"generic: \d+ rules in \d+ files", lines[-1])


def test_rules_check_passes_on_shipped_rules_through_the_real_cli():
    proc = run_cli("rules", "check")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().startswith("ok: ")


def test_rules_test_passes_on_shipped_rules_through_the_real_cli():
    proc = run_cli("rules", "test")
    out = proc.stdout.decode()
    assert proc.returncode == 0, out + proc.stderr.decode()
    total = sum(len(s.tests) for s in load_ruleset().sites)
    assert out.splitlines()[-1] == f"{total} passed, 0 failed"
    assert out.count("PASS ") == total


def test_rules_show(tmp_path):
    result = run("rules", "show", "themoscowtimes.com")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("site: The Moscow Times\n")
    assert "hosts: themoscowtimes.com" in out
    for rule in load_ruleset().site_named("The Moscow Times").rules:
        assert f"  {rule.id} " in out
    assert "tests (2):" in out and "samples/moscowtimes.txt" in out and "samples/second/moscowtimes.txt" in out


def test_list_and_show_include_user_rules(workdir):
    Path("my-rules").mkdir()
    Path("my-rules/nb.yaml").write_text("site: Northbay\nhosts: [northbaycourier.example]\n"
                                        "fingerprints: ['Northbay Courier Media']\nrules: []\n", encoding="utf-8")
    listed = run("rules", "list", "--rules-dir", "my-rules")
    row = next(l for l in listed.stdout.splitlines() if l.startswith("Northbay "))
    assert row.split() == ["Northbay", "northbaycourier.example", "0", "0", "never", "my-rules/nb.yaml"]
    shown = run("rules", "show", "northbaycourier.example", "--rules-dir", "my-rules").stdout
    assert "fingerprints: 'Northbay Courier Media'" in shown and "file: my-rules/nb.yaml" in shown
    assert "NONE Northbay: no tests in my-rules/nb.yaml" in run("rules", "test", "Northbay", "--rules-dir", "my-rules").stdout


def test_check_missing_rules_dir(workdir):
    result = run("rules", "check", "--rules-dir", "nowhere")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "newsclean: error: nowhere: rules directory not found"
    cleaning = run("clean", SAMPLE_REL, "--rules-dir", "nowhere")
    assert cleaning.exit_code == 2 and cleaning.stderr == "newsclean: error: nowhere: rules directory not found\n"


def test_unknown_site_is_one_line_exit_2():
    result = run("rules", "show", "The Moscow Tims")
    assert result.exit_code == 2
    assert result.stderr == ("newsclean: error: no rules for site 'The Moscow Tims' (did you mean 'the moscow times'?); "
                             "see 'newsclean rules list'\n")


def test_rules_test_reports_each_failure_and_exits_1(workdir):
    rules = workdir / "my-rules"
    rules.mkdir()
    (rules / "nb.yaml").write_text(f"""site: Northbay
hosts: [northbaycourier.example]
rules:
  - id: nb-related
    category: related
    drop_from: '^Related stories$'
tests:
  - sample: {SAMPLE_REL}
    must_contain: ["Fishermen ask city for longer pier leases", "The money will come from the harbor"]
    must_not_contain: ["Become a member", "Related stories"]
    expect: {{sitename: Northbay Courier}}
""", encoding="utf-8")
    result = run("rules", "test", "Northbay", "--rules-dir", "my-rules")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"FAIL Northbay: test 1 ({SAMPLE_REL})",
        "    must_contain 'Fishermen ask city for longer pier leases': not in the body (removed at line 24 as "
        "related by nb-related)",
        "    must_not_contain 'Become a member': still in the body (kept at line 17)",
        "    expect sitename: 'Northbay Courier', got None",
        "0 passed, 1 failed",
    ]


# ---------------------------------------------------------------- rules new

def test_rules_new_writes_a_loadable_file_with_a_passing_test(workdir):
    result = run("rules", "new", "www.northbaycourier.example", "--from", SAMPLE_REL, "-o", "my-rules/nb.yaml")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("wrote my-rules/nb.yaml: ")
    site = load_file(Path("my-rules/nb.yaml"), Path("my-rules"))
    assert site.name == "northbaycourier.example" and site.hosts == ("www.northbaycourier.example",)
    # one drop_line rule per category the generic stage removed, each pattern escaped and anchored
    assert site.rules and all(r.action == "drop_line" for r in site.rules)
    assert len({r.category for r in site.rules}) == len(site.rules)
    assert all(p.pattern.startswith("^") for r in site.rules for p in r.patterns)
    text = Path("my-rules/nb.yaml").read_text(encoding="utf-8")
    patterns = [p.pattern for r in site.rules for p in r.patterns]
    assert "^Skip to content$" not in patterns                  # the generic rules remove it anyway
    assert "'^Subscribe for \\$\\d+ a week$'" in text       # $ escaped, the price generalised
    assert "'^Northbay Courier$'" in text                       # the heuristics removed it: kept
    [t] = site.tests
    assert t.sample == SAMPLE_REL and len(t.must_contain) == 2 and t.must_not_contain
    assert "Skip to content" in t.must_not_contain
    # the file passes `rules check` and its own test
    assert run("rules", "check", "--rules-dir", "my-rules").exit_code == 0
    tested = run("rules", "test", "northbaycourier.example", "--rules-dir", "my-rules")
    assert tested.exit_code == 0, tested.stdout
    assert tested.stdout.splitlines()[-1] == "1 passed, 0 failed"
    # and now the host picks the new rules
    explain = run("clean", SAMPLE_REL, "--url", "https://www.northbaycourier.example/a", "--rules-dir", "my-rules", "--explain")
    assert explain.stdout.startswith("# site rules: northbaycourier.example;")
    assert "[northbaycourier-navigation]" in explain.stdout


def test_rules_new_to_stdout_and_no_overwrite(workdir):
    result = run("rules", "new", "northbaycourier.example", "--from", SAMPLE_REL, "--name", "Northbay Courier")
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert data["site"] == "Northbay Courier" and data["tests"][0]["sample"] == SAMPLE_REL
    Path("taken.yaml").write_text("site: x\n", encoding="utf-8")
    again = run("rules", "new", "northbaycourier.example", "--from", SAMPLE_REL, "-o", "taken.yaml")
    assert again.exit_code == 2
    assert again.stderr == "newsclean: error: taken.yaml: exists (use --force to overwrite)\n"
    missing = run("rules", "new", "northbaycourier.example", "--from", "nope.txt")
    assert missing.exit_code == 2 and missing.stderr == "newsclean: error: nope.txt: no such file\n"
    # standard input cannot be the sample: the test the file holds must find its sample again
    piped = run("rules", "new", "northbaycourier.example", "--from", "-", "-o", "piped.yaml")
    assert piped.exit_code == 2 and "--from -: the sample must be a file" in piped.stderr
    assert not Path("piped.yaml").exists()


# ---------------------------------------------------------------- rules suggest

def test_rules_suggest_proposes_recurring_lines_with_counts(workdir):
    result = run("rules", "suggest", "tests/fixtures/rules/northbay", "--site", "Northbay Courier", "--min-share", "0.6")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert data["site"] == "Northbay Courier"
    by_pattern = {r["drop_line"]: r for r in data["rules"]}
    # a line in all three documents, the year turned into \d+
    copyright = by_pattern["^Copyright © \\d+ Northbay Courier Media\\. All rights reserved\\.$"]
    assert copyright["category"] == "copyright" and copyright["note"].startswith("in 3 of 3 documents (100%)")
    # the member appeal the generic stage keeps is proposed too
    assert any(p.startswith("^The Courier is reader-funded") for p in by_pattern)
    # no body sentence (each is in one document only)
    assert not any("Harbor Commission voted" in p or "school board" in p for p in by_pattern)
    # and the output is a valid rule file
    Path("suggested").mkdir()
    Path("suggested/nb.yaml").write_text(result.stdout, encoding="utf-8")
    assert check_rules(["suggested"]).errors == []


def test_rules_suggest_min_share_filters(workdir):
    loose = yaml.safe_load(run("rules", "suggest", "tests/fixtures/rules/northbay", "--site", "X", "--min-share", "0.5").stdout)
    strict = yaml.safe_load(run("rules", "suggest", "tests/fixtures/rules/northbay", "--site", "X", "--min-share", "1").stdout)
    assert len(strict["rules"]) < len(loose["rules"])
    assert all(r["note"].startswith("in 3 of 3") for r in strict["rules"])
    bad = run("rules", "suggest", "tests/fixtures/rules/northbay", "--site", "X", "--min-share", "1.5")
    assert bad.exit_code == 2 and bad.stderr == "newsclean: error: --min-share must be in (0, 1], not 1.5\n"


# ---------------------------------------------------------------- the walkthrough in docs/rules.md

def walkthrough_steps(doc: str) -> list[tuple[str, str, list[str]]]:
    """('file', path, lines) for each file the page shows after `<!-- walkthrough-file: PATH -->`;
    ('run', command, expected output lines) for each `$ ...` line of a console block, in order.
    Only the part of the page before '## The format' is the walkthrough."""
    doc = doc.split("\n## The format", 1)[0]
    steps: list[tuple[str, str, list[str]]] = []
    for m in re.finditer(r"(<!-- walkthrough-file: (?P<path>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", doc, re.S):
        body = m.group("body").splitlines()
        if m.group("path"):
            steps.append(("file", m.group("path"), body))
            continue
        if m.group("lang") != "console":
            continue
        current = None
        for line in body:
            if line.startswith("$ "):
                current = ("run", line[2:], [])
                steps.append(current)
            elif current is not None:
                current[2].append(line)
    return steps


def matches(expected: list[str], actual: list[str]) -> bool:
    """Lines in order; a line '...' stands for any lines, '...' inside a line for any text."""
    pattern = "".join(r"(?:.*\n)*?" if line == "..." else
                      ".*".join(re.escape(part) for part in line.split("...")) + r"\n" for line in expected)
    return re.fullmatch(pattern + (r"(?:.*\n)*" if expected and expected[-1] == "..." else ""),
                        "".join(l + "\n" for l in actual)) is not None


def test_matcher_itself():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a ... c"], ["a b c"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "...", "e"], ["a", "b", "d"])


def test_the_walkthrough_works_as_written(workdir):
    steps = walkthrough_steps(DOC.read_text(encoding="utf-8"))
    kinds = [s[0] for s in steps]
    assert kinds.count("file") == 1 and kinds.count("run") >= 6
    commands = [s[1].split()[:3] for s in steps if s[0] == "run"]
    for needed in (["newsclean", "rules", "new"], ["newsclean", "rules", "test"], ["newsclean", "clean"]):
        assert any(c[: len(needed)] == needed for c in commands), needed
    for kind, what, lines in steps:
        if kind == "file":
            Path(what).parent.mkdir(parents=True, exist_ok=True)
            Path(what).write_text("\n".join(lines) + "\n", encoding="utf-8")
            continue
        argv = shlex.split(what)
        if argv[0] == "cat":
            actual = Path(argv[1]).read_text(encoding="utf-8").splitlines()
            code = 0
        else:
            assert argv[0] == "newsclean", what
            result = CliRunner().invoke(main, argv[1:])
            actual, code = result.output.splitlines(), result.exit_code
        assert code == 0, f"{what}\n{chr(10).join(actual)}"
        assert matches(lines, actual), f"$ {what}\n--- the page shows:\n" + "\n".join(lines) + \
            "\n--- the command printed:\n" + "\n".join(actual)
