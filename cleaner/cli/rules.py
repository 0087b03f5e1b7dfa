"""`newsclean rules ...`: list, check, show, test, new, suggest."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import CleanerError, RuleError
from ..read.files import write_atomic
from ..rules import RuleSet, load_ruleset
from ..rules.load import check_rules, samples_shipped
from ..rules.rule import SiteRules
from .common import EXIT_PARTIAL, fail, rules_dir_option

# `rules list` shows this many hosts of a site, then "+N".
LIST_MAX_HOSTS = 3


def _display(path: str) -> str:
    """A path relative to the current folder when it is under it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _load(rules_dirs: tuple[str, ...]) -> RuleSet:
    try:
        return load_ruleset(rules_dirs)
    except CleanerError as exc:
        fail(exc)


@click.group("rules")
def rules_group() -> None:
    """Inspect, check, test and write rule files (format: docs/rules.md)."""


@rules_group.command("list")
@rules_dir_option
def list_command(rules_dirs: tuple[str, ...]) -> None:
    """Every site with rules: hosts, rule count, tests, last verified, file."""
    ruleset = _load(rules_dirs)
    rows = [("SITE", "HOSTS", "RULES", "TESTS", "VERIFIED", "FILE")]
    for s in sorted(ruleset.sites, key=lambda s: s.name.lower()):
        hosts = ", ".join(s.hosts[:LIST_MAX_HOSTS]) + (f" +{len(s.hosts) - LIST_MAX_HOSTS}" if len(s.hosts) > LIST_MAX_HOSTS else "")
        rows.append((s.name, hosts or "-", str(len(s.rules)), str(len(s.tests)), s.last_verified or "never",
                     _display(s.path)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
    files = len({r.source.rsplit(":", 1)[0] for r in ruleset.generic})
    click.echo(f"generic: {len(ruleset.generic)} rules in {files} files")


@rules_group.command("check")
@rules_dir_option
def check_command(rules_dirs: tuple[str, ...]) -> None:
    """Validate every rule file (shipped and --rules-dir): one line per error; exit 1 if any."""
    report = check_rules(rules_dirs)
    report.errors = _every_error(report.errors, report.files)
    for err in report.errors:
        click.echo(f"newsclean: error: {err}", err=True)
    rs = report.ruleset
    summary = (f"{len(report.files)} files: {len(rs.sites)} sites, {len(rs.generic)} generic rules, "
               f"{sum(len(s.tests) for s in rs.sites)} tests")
    if report.errors:
        click.echo(f"{len(report.errors)} errors in {summary}", err=True)
        sys.exit(EXIT_PARTIAL)
    click.echo(f"ok: {summary}")


def _every_error(errors: list[RuleError], files: list[str]) -> list[RuleError]:
    """`errors` with the first error of a file that does not load replaced by all of its errors
    (cleaner.rules.authoring.file_errors); errors across files (duplicates, unknown disables) kept."""
    from ..rules.authoring import file_errors

    out: list[RuleError] = []
    expanded: dict[str, list[RuleError]] = {}
    for err in errors:
        path = err.path
        if path in files and path not in expanded:
            expanded[path] = file_errors(Path(path))
            if any(str(e) == str(err) for e in expanded[path]):
                out.extend(expanded[path])
                continue
            expanded[path] = []
        if path in expanded and any(str(e) == str(err) for e in expanded[path]):
            continue
        out.append(err)
    return out


@rules_group.command("show")
@click.argument("site")
@rules_dir_option
def show_command(site: str, rules_dirs: tuple[str, ...]) -> None:
    """One site's rules, hosts, fingerprints, metadata and tests."""
    ruleset = _load(rules_dirs)
    try:
        found = ruleset.match(site=site)
    except CleanerError as exc:
        fail(exc)
    assert found is not None
    click.echo(_describe(found, ruleset), nl=False)


def _describe(s: SiteRules, ruleset: RuleSet) -> str:
    out = [f"site: {s.name}", f"file: {_display(s.path)}", f"hosts: {', '.join(s.hosts) or '-'}",
           f"fingerprints: {', '.join(repr(f) for f in s.fingerprint_text) or '-'}",
           f"last verified: {s.last_verified or 'never'}"]
    if s.disable:
        out.append(f"disables generic rules: {', '.join(sorted(s.disable))}")
    if s.metadata:
        out.append("metadata: " + ", ".join(f"{k}={v!r}" for k, v in s.metadata))
    if s.html_strip or s.html_body:
        out.append(f"html: strip {', '.join(s.html_strip) or '-'}; body {s.html_body or '-'}")
    out.append(f"rules ({len(s.rules)}):")
    for r in s.rules:
        out.append(f"  {r.id:<28} {r.category:<13} {r.describe()}")
    out.append(f"tests ({len(s.tests)}):")
    for i, t in enumerate(s.tests, start=1):
        out.append(f"  {i}. {t.sample}: must_contain {len(t.must_contain)}, must_not_contain "
                   f"{len(t.must_not_contain)}, expect {', '.join(k for k, _ in t.expect) or '-'}")
    generic_on = sum(1 for r in ruleset.generic if r.id not in s.disable)
    out.append(f"generic rules also applied: {generic_on} of {len(ruleset.generic)}")
    return "\n".join(out) + "\n"


@rules_group.command("test")
@click.argument("site", required=False)
@rules_dir_option
def test_command(site: str | None, rules_dirs: tuple[str, ...]) -> None:
    """Run the sites' `tests:` (one site, or all): PASS/FAIL per test; exit 1 if any fails."""
    from ..rules.authoring import run_site_tests, site_or_error

    ruleset = _load(rules_dirs)
    try:
        sites = [site_or_error(ruleset, site)] if site else sorted(ruleset.sites, key=lambda s: s.name.lower())
    except CleanerError as exc:
        fail(exc)
    passed = failed = 0
    for s in sites:
        if not s.tests:
            click.echo(f"NONE {s.name}: no tests in {_display(s.path)}")
        if s.tests and not samples_shipped(s):
            click.echo(f"SKIP {s.name}: {len(s.tests)} tests (their samples are in the repository, not the package)")
            continue
        for outcome in run_site_tests(ruleset, s):
            if outcome.passed:
                passed += 1
                click.echo(f"PASS {outcome.label}")
            else:
                failed += 1
                click.echo(f"FAIL {outcome.label}")
                for f in outcome.failures:
                    click.echo(f"    {f}")
    click.echo(f"{passed} passed, {failed} failed")
    if failed:
        sys.exit(EXIT_PARTIAL)


@rules_group.command("new")
@click.argument("host")
@click.option("--from", "sample", required=True, type=click.Path(dir_okay=False),
              help="A raw article of the site (text or HTML), saved locally.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the rule file here instead of stdout.")
@click.option("--name", help="The site's name (default: the host).")
@click.option("--url", help="The sample's URL (helps find its headline; kept in the test).")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@rules_dir_option
def new_command(host: str, sample: str, output: str | None, name: str | None, url: str | None, force: bool,
                rules_dirs: tuple[str, ...]) -> None:
    """Start a rule file for HOST from a raw sample: what the generic rules remove, plus a test."""
    from ..rules.authoring import new_rule_file

    if sample == "-":
        fail("--from -: the sample must be a file (the rule file's test names it, to run it again)")
    out = Path(output) if output else None
    if out is not None and out.exists() and not force:
        fail(f"{output}: exists (use --force to overwrite)")
    ruleset = _load(rules_dirs)
    try:
        made = new_rule_file(host, Path(sample), ruleset=ruleset, output=out, name=name, url=url)
    except CleanerError as exc:
        fail(exc)
    if out is None:
        click.echo(made.text, nl=False)
        return
    try:
        write_atomic(out, made.text)
    except OSError as exc:
        fail(f"{output}: cannot write: {exc.strerror or exc}")
    rules_dir = out.parent
    click.echo(f"wrote {output}: {made.rules} rules ({made.patterns} lines) and 1 test for {made.site!r}", err=True)
    click.echo(f"next: edit it, then: newsclean rules test {_quote(made.site)} --rules-dir {rules_dir}", err=True)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


@rules_group.command("suggest")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--site", "site", required=True, help="The site the documents come from (a known site or a new name).")
@click.option("--min-share", type=float, default=0.5, show_default=True,
              help="Propose lines found in at least this share of the documents.")
@click.option("--min-docs", type=int, default=2, show_default=True, help="... and in at least this many.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the YAML here instead of stdout.")
@rules_dir_option
def suggest_command(directory: str, site: str, min_share: float, min_docs: int, output: str | None,
                    rules_dirs: tuple[str, ...]) -> None:
    """Lines that recur across many documents of one site, proposed as rules with their counts."""
    from ..rules.authoring import suggest_rules

    ruleset = _load(rules_dirs)
    try:
        made = suggest_rules(Path(directory), site, ruleset=ruleset, min_share=min_share, min_docs=min_docs)
    except CleanerError as exc:
        fail(exc)
    for reason in made.skipped:
        click.echo(f"newsclean: skipped: {reason}", err=True)
    if output:
        try:
            write_atomic(output, made.text)
        except OSError as exc:
            fail(f"{output}: cannot write: {exc.strerror or exc}")
        click.echo(f"wrote {output}: {len(made.lines)} rules from {made.documents} documents", err=True)
    else:
        click.echo(made.text, nl=False)
