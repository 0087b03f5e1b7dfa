"""Loading rules: one file (load_file), the shipped rules plus the user's directories merged by
precedence into a RuleSet (load_ruleset, cached per process while no file changes), and every
error of a set of directories at once (check_rules, for `newsclean rules check`)."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..errors import RuleError
from ..read.files import file_kind
from .rule import Rule, SiteRules
from .sites import match_site, site_named
from .validate import GENERIC_KEYS, check_keys, closest, compile_rules, compile_site
from .yamlfile import YamlMap, empty_seq, load_yaml


def load_file(path: Path, root: Path | None = None) -> SiteRules | tuple[Rule, ...]:
    """Load one rule file: a site's rules, or a generic family's rules. Raises RuleError.

    `root` is the rules directory the file was found in (test samples are relative to its
    parent); by default the file's own folder."""
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise RuleError(f"cannot read rule file: {reason}", path=name) from None
    data = load_yaml(text, name)
    if not isinstance(data, YamlMap):
        raise RuleError("a rule file must be a mapping with 'site:' or 'generic:'", path=name, line=getattr(data, "line", 1))
    if "site" in data and "generic" in data:
        raise RuleError("a rule file is either a site file ('site:') or a generic file ('generic:'), not both",
                        path=name, line=data.lines["generic"], key="generic")
    if "site" in data:
        base = (Path(root) if root is not None else path.parent).resolve().parent
        return compile_site(data, name, base)
    if "generic" in data:
        check_keys(data, GENERIC_KEYS, name, "a generic rule file")
        return compile_rules(data.get("rules", empty_seq()), name, data.lines.get("rules", 1), {})
    close = closest("site", [k for k in data if isinstance(k, str)]) or closest("generic", [k for k in data])
    hint = f" (is '{close}' a typo?)" if close else ""
    raise RuleError(f"a rule file must have 'site:' (site rules) or 'generic:' (generic rules){hint}",
                    path=name, line=data.line)


@dataclass(frozen=True)
class RuleSet:
    """Site files (highest precedence first: a later --rules-dir, then earlier ones, then shipped)
    and generic rules (a user's generic rule replaces a shipped one with the same id); `files`
    are the rule files read, in the order read."""

    sites: tuple[SiteRules, ...] = ()
    generic: tuple[Rule, ...] = ()
    files: tuple[str, ...] = ()

    def site_named(self, name: str) -> SiteRules | None:
        """A site by its name, its file's name (without .yaml) or one of its hosts (sites.site_named)."""
        return site_named(self.sites, name)

    def match(self, *, url: str | None = None, text: str = "", site: str | None = None) -> SiteRules | None:
        """--site > most specific host > fingerprint > none (generic rules only); see
        sites.match_site. Raises RuleError for a `site` no file names."""
        return match_site(self.sites, url=url, text=text, site=site)


def shipped_rules_dir() -> Path:
    """The rules that ship with newsclean: `cleaner/shipped_rules/` in an installed wheel
    (pyproject maps the repository's rules/ there), else rules/ next to the package in a checkout."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "shipped_rules"
    return installed if installed.is_dir() else here.parent / "rules"


def samples_shipped(site: SiteRules) -> bool:
    """False for a shipped site file of an installed package: its test samples stay in the
    repository (samples/), so `rules check` and `rules test` skip them there."""
    return Path(site.path).resolve().parent.parent.name != "shipped_rules"


def rule_files(dirs: Sequence[Path]) -> list[Path]:
    """The rule files of several rules directories (files_in each), in order. Raises RuleError."""
    files: list[Path] = []
    for d in dirs:
        files.extend(files_in(d))
    return files


def files_in(d: Path) -> list[Path]:
    """The rule files (*.yaml, *.yml) under one rules directory, sorted. Raises the first RuleError
    of `walk_rules_dir` (a broken or looping symbolic link, a special file, an unreadable folder)."""
    files, errors = walk_rules_dir(d)
    if errors:
        raise errors[0]
    return files


RULE_SUFFIXES = (".yaml", ".yml")


def walk_rules_dir(d: Path) -> tuple[list[Path], list[RuleError]]:
    """The rule files under one rules directory, sorted, and a RuleError naming each entry that
    cannot be a rule file: a *.yaml/*.yml name that is a broken or looping symbolic link or not a
    regular file (a FIFO would hang the reader), a symbolic link to a folder above it (a loop), an
    unreadable folder. Broken links of other names are not rule files and are passed over.

    Every command (clean, batch, rules list/check) gets the same errors, so `rules check` passes
    exactly when loading does. Folders linked from the tree are followed (each folder once);
    entries whose name starts with '.' are skipped (editor lock files such as Emacs's
    `.#site.yaml` are dangling links; version-control folders hold no rules)."""
    root = Path(d)
    if not root.is_dir():
        return [], [RuleError("rules directory not found", path=str(root))]
    files: list[Path] = []
    errors: list[RuleError] = []
    seen: set[tuple[int, int]] = set()

    def visit(folder: Path, ancestors: dict[tuple[int, int], Path]) -> None:
        try:
            st = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            errors.append(RuleError(f"cannot read rules folder: {exc.strerror or exc}", path=str(folder)))
            return
        seen.add((st.st_dev, st.st_ino))
        ancestors = {**ancestors, (st.st_dev, st.st_ino): folder}
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                target = os.stat(entry.path)       # follows symbolic links
            except FileNotFoundError:
                if entry.name.endswith(RULE_SUFFIXES):
                    errors.append(RuleError("broken symbolic link: its target does not exist", path=str(path)))
                continue
            except OSError as exc:                 # ELOOP: a link to itself, or a ring of links
                if entry.name.endswith(RULE_SUFFIXES):
                    errors.append(RuleError(f"cannot read: {exc.strerror or exc}", path=str(path)))
                continue
            key = (target.st_dev, target.st_ino)
            if stat.S_ISDIR(target.st_mode):
                if key in ancestors:
                    errors.append(RuleError(f"symbolic link loop: leads back to {ancestors[key]}", path=str(path)))
                elif key not in seen:
                    visit(path, ancestors)
            elif entry.name.endswith(RULE_SUFFIXES):
                if stat.S_ISREG(target.st_mode):
                    files.append(path)
                else:
                    errors.append(RuleError(f"not a regular file ({file_kind(target.st_mode)}): not read", path=str(path)))

    visit(root, {})
    return sorted(files), errors


@dataclass(frozen=True)
class _Loaded:
    priority: int               # 0 = shipped; then each --rules-dir in the order given
    root: Path
    path: Path
    content: SiteRules | tuple[Rule, ...]


SHIPPED_PRIORITY = 0


def _vetted(content: SiteRules | tuple[Rule, ...]) -> SiteRules | tuple[Rule, ...]:
    """Shipped rules run without a per-search time limit (see Rule.timeout)."""
    if isinstance(content, SiteRules):
        return replace(content, rules=tuple(replace(r, timeout=None) for r in content.rules))
    return tuple(replace(r, timeout=None) for r in content)


def _rule_dirs(extra_dirs: Sequence[str | Path], shipped: bool) -> list[tuple[int, Path]]:
    dirs = [(SHIPPED_PRIORITY, shipped_rules_dir())] if shipped else []
    return dirs + [(i + 1, Path(d)) for i, d in enumerate(extra_dirs)]


def _where(source: str) -> tuple[str, int | None]:
    path, _, line = source.rpartition(":")
    return (path, int(line)) if line.isdigit() else (source, None)


def _assemble(loaded: Sequence[_Loaded], check_disable: bool) -> tuple[RuleSet, list[RuleError]]:
    """Merge loaded files by precedence; collect cross-file errors (duplicates, unknown disables)."""
    errors: list[RuleError] = []
    chosen: dict[str, _Loaded] = {}
    host_owner: dict[tuple[int, str], SiteRules] = {}
    generic: dict[str, tuple[int, Rule]] = {}
    for item in loaded:
        content = item.content
        if isinstance(content, SiteRules):
            key = content.name.lower()
            prior = chosen.get(key)
            if prior is not None and prior.priority == item.priority:
                errors.append(RuleError(f"site {content.name!r} is also defined in {prior.path}", path=content.path,
                                        line=content.line_of("site"), key="site"))
                continue
            for h in content.hosts:
                owner = host_owner.get((item.priority, h))
                if owner is not None and owner.name.lower() != key:
                    errors.append(RuleError(f"host {h!r} is also claimed by site {owner.name!r} ({owner.path})",
                                            path=content.path, line=content.line_of(f"host:{h}"), key="hosts"))
                host_owner[(item.priority, h)] = content
            chosen[key] = item      # a later directory (the user's) replaces an earlier one (shipped)
            continue
        for rule in content:
            prior_rule = generic.get(rule.id)
            if prior_rule is not None and prior_rule[0] == item.priority:
                path, line = _where(rule.source)
                errors.append(RuleError(f"duplicate rule id {rule.id!r} (also in {prior_rule[1].source})",
                                        path=path, line=line, key="id"))
                continue
            generic[rule.id] = (item.priority, rule)
    order = sorted(chosen.values(), key=lambda it: (-it.priority, str(it.path)))
    sites = tuple(it.content for it in order)  # type: ignore[misc]
    if check_disable:
        for site in sites:
            for rule_id in sorted(site.disable):
                if rule_id not in generic:
                    close = closest(rule_id, generic)
                    hint = f" (did you mean '{close}'?)" if close else ""
                    errors.append(RuleError(f"no generic rule {rule_id!r} to disable{hint}", path=site.path,
                                            line=site.line_of(f"disable:{rule_id}"), key="disable"))
    files = tuple(str(it.path) for it in loaded)
    return RuleSet(sites=sites, generic=tuple(r for _, r in generic.values()), files=files), errors


def load_ruleset(extra_dirs: Sequence[str | Path] = (), *, shipped: bool = True) -> RuleSet:
    """Shipped rules plus the user's directories. Precedence: a later directory's site file wins
    over an earlier one's (and over the shipped one) for the same site name, and is tried first for
    hosts and fingerprints; a user's generic rule replaces a shipped one with the same id.
    Raises the first RuleError; nothing of a set with an error is used."""
    dirs = tuple(str(Path(d)) for d in extra_dirs)
    return _load_ruleset_cached(dirs, shipped, _signature(dirs, shipped))


def _signature(extra_dirs: tuple[str, ...], shipped: bool) -> tuple[tuple[str, int, int], ...]:
    """Where the files are and when they last changed: a new cwd or an edited file is a new set.
    Raises the first RuleError of the folders' walk (which loading would raise too)."""
    out: list[tuple[str, int, int]] = []
    for _, root in _rule_dirs(extra_dirs, shipped):
        files, errors = walk_rules_dir(root)
        if errors:
            raise errors[0]
        for path in files:
            where = os.path.abspath(path)
            try:
                st = path.stat()
            except OSError:   # gone since the walk: loading it will say so
                out.append((where, -1, -1))
                continue
            out.append((where, st.st_mtime_ns, st.st_size))
    return tuple(out)


@lru_cache(maxsize=8)
def _load_ruleset_cached(extra_dirs: tuple[str, ...], shipped: bool,
                         signature: tuple[tuple[str, int, int], ...]) -> RuleSet:
    loaded = [_Loaded(prio, root, path, _vetted(load_file(path, root)) if prio == SHIPPED_PRIORITY else load_file(path, root))
              for prio, root in _rule_dirs(extra_dirs, shipped) for path in files_in(root)]
    ruleset, errors = _assemble(loaded, check_disable=shipped)
    if errors:
        raise errors[0]
    return ruleset


@dataclass
class CheckReport:
    """Everything wrong with a set of rule directories, not only the first error."""

    files: list[str] = field(default_factory=list)
    errors: list[RuleError] = field(default_factory=list)
    ruleset: RuleSet = field(default_factory=RuleSet)


def check_rules(extra_dirs: Sequence[str | Path] = (), *, shipped: bool = True) -> CheckReport:
    """Validate every rule file (each on its own, then across files), and that test samples exist."""
    report = CheckReport()
    loaded: list[_Loaded] = []
    for prio, root in _rule_dirs(extra_dirs, shipped):
        paths, walk_errors = walk_rules_dir(root)
        report.errors.extend(walk_errors)
        for path in paths:
            report.files.append(str(path))
            try:
                loaded.append(_Loaded(prio, root, path, load_file(path, root)))
            except RuleError as exc:
                report.errors.append(exc)
    report.ruleset, cross = _assemble(loaded, check_disable=shipped)
    report.errors.extend(cross)
    for item in loaded:
        if isinstance(item.content, SiteRules) and samples_shipped(item.content):
            for t in item.content.tests:
                if not Path(t.path).is_file():
                    where = "" if Path(t.sample).is_absolute() else f" (relative to {t.base})"
                    report.errors.append(RuleError(f"test sample not found: {t.sample}{where}", path=item.content.path,
                                                   line=t.line, key="sample"))
    return report
