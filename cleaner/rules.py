"""Rule files: load (safe YAML, strict validation), match a site, and apply rules to blocks.

A rule file is either a site file (`site:`, `hosts:`, `fingerprints:`, `rules:`, ...) or a generic
file (`generic:` naming its family, and `rules:`). Every rule has an `id`, a `category` and one
action. Actions only label blocks; the first label a block gets wins, so site rules (applied
first) win over generic rules, and rules over heuristics.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import urlsplit

import regex
import yaml

from .article import CATEGORIES, META_FIELDS, Block, Label
from .blocks import plain
from .errors import RuleError

# A user's pattern may not take longer than this on one block (catastrophic backtracking).
PATTERN_TIMEOUT_S = 0.25
# A pattern is tried on these at load time; one that times out on them is rejected.
BACKTRACK_PROBES: tuple[str, ...] = ("a" * 40 + "!", "ab" * 30 + "!", " " * 40 + "!", "1" * 40 + "x")
PROBE_TIMEOUT_S = 0.05
DEFAULT_MIN_RUN = 3

ACTIONS: tuple[str, ...] = ("drop_line", "drop_from", "drop_between", "drop_run", "keep_line", "take")

_RULE_KEYS: dict[str, tuple[type, ...]] = {
    "id": (str,), "category": (str,), "drop_line": (str, list), "drop_from": (str,),
    "until": (str,), "drop_between": (list,), "drop_run": (str, list), "keep_line": (str, list),
    "take": (str,), "pattern": (str, list), "remove": (bool,), "max_words": (int,),
    "min_words": (int,), "min_run": (int,), "first": (int,), "case_sensitive": (bool,),
    "note": (str,), "split": (str,),
}
_SITE_KEYS: dict[str, tuple[type, ...]] = {
    "$schema": (str,), "site": (str,), "hosts": (list,), "fingerprints": (list,),
    "last_verified": (str, _dt.date), "disable": (list,), "rules": (list,), "metadata": (dict,),
    "html": (dict,), "tests": (list,), "note": (str,),
}
_GENERIC_KEYS: dict[str, tuple[type, ...]] = {
    "$schema": (str,), "generic": (str,), "rules": (list,), "note": (str,),
}
_HTML_KEYS: dict[str, tuple[type, ...]] = {"strip": (list,), "body": (str,)}
_TEST_KEYS: dict[str, tuple[type, ...]] = {
    "sample": (str,), "url": (str,), "must_contain": (list,), "must_not_contain": (list,),
    "expect": (dict,), "name": (str,),
}


# ---------------------------------------------------------------- YAML with line numbers

class _Map(dict):
    """A mapping from a YAML file that remembers the line of each key."""

    lines: dict[str, int]
    line: int


class _Seq(list):
    lines: list[int]
    line: int


def _from_node(node: yaml.Node, path: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = _Map()
        out.lines, out.line = {}, node.start_mark.line + 1
        for key_node, value_node in node.value:
            key = _from_node(key_node, path)
            if not isinstance(key, str):
                raise RuleError("keys must be strings", path=path, line=key_node.start_mark.line + 1)
            if key in out:
                raise RuleError("duplicate key", path=path, line=key_node.start_mark.line + 1, key=key)
            out[key] = _from_node(value_node, path)
            out.lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = _Seq(_from_node(n, path) for n in node.value)
        seq.lines, seq.line = [n.start_mark.line + 1 for n in node.value], node.start_mark.line + 1
        return seq
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def load_yaml(text: str, path: str) -> Any:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RuleError(f"invalid YAML: {exc.problem or exc.context}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise RuleError(f"invalid YAML: {exc}", path=path) from None
    return None if node is None else _from_node(node, path)


# ---------------------------------------------------------------- compiled rules

@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    action: str
    patterns: tuple[regex.Pattern, ...] = ()
    until: regex.Pattern | None = None
    field: str | None = None
    remove: bool = True
    max_words: int | None = None
    min_words: int | None = None
    min_run: int = DEFAULT_MIN_RUN
    first: int | None = None
    source: str = ""            # file:line, for messages

    def matches(self, text: str) -> bool:
        n = len(text.split())
        if self.max_words is not None and n > self.max_words:
            return False
        if self.min_words is not None and n < self.min_words:
            return False
        return any(_search(p, text, self) for p in self.patterns)


@dataclass(frozen=True)
class SiteTest:
    sample: str
    url: str | None = None
    name: str | None = None
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()
    expect: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class SiteRules:
    name: str
    path: str
    hosts: tuple[str, ...] = ()
    fingerprints: tuple[regex.Pattern, ...] = ()
    rules: tuple[Rule, ...] = ()
    disable: frozenset[str] = frozenset()
    metadata: tuple[tuple[str, Any], ...] = ()
    html_strip: tuple[str, ...] = ()
    html_body: str | None = None
    last_verified: str | None = None
    tests: tuple[SiteTest, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    sites: tuple[SiteRules, ...] = ()
    generic: tuple[Rule, ...] = ()
    files: tuple[str, ...] = ()

    def site_named(self, name: str) -> SiteRules | None:
        key = name.strip().lower()
        for site in self.sites:
            stem = Path(site.path).stem.lower()
            if key in (site.name.lower(), stem) or key in site.hosts:
                return site
        return None

    def match(self, *, url: str | None = None, text: str = "", site: str | None = None) -> SiteRules | None:
        """--site > most specific host > fingerprint > none."""
        if site:
            found = self.site_named(site)
            if found is None:
                raise RuleError(f"no rules for site {site!r} (see 'newsclean rules list')")
            return found
        host = _host(url)
        if host:
            best: tuple[int, SiteRules] | None = None
            for s in self.sites:
                for h in s.hosts:
                    if host == h or host.endswith("." + h):
                        if best is None or len(h) > best[0]:
                            best = (len(h), s)
            if best:
                return best[1]
        head = text[:FINGERPRINT_WINDOW]
        for s in self.sites:
            if any(_search(fp, head, None) for fp in s.fingerprints):
                return s
        return None


# Fingerprints are looked for in this much of the document's start and end.
FINGERPRINT_WINDOW = 200_000


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def _search(pattern: regex.Pattern, text: str, rule: Rule | None) -> bool:
    try:
        return pattern.search(text, timeout=PATTERN_TIMEOUT_S) is not None
    except TimeoutError:
        raise PatternTimeout(rule) from None


class PatternTimeout(Exception):
    def __init__(self, rule: Rule | None):
        self.rule = rule
        super().__init__(f"pattern of rule {rule.id if rule else '?'} timed out")


# ---------------------------------------------------------------- validation

def _check_keys(data: _Map, allowed: dict[str, tuple[type, ...]], path: str, where: str) -> None:
    for key, value in data.items():
        line = data.lines.get(key)
        if key not in allowed:
            close = _closest(key, allowed)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise RuleError(f"unknown key in {where}{hint}", path=path, line=line, key=key)
        types = allowed[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = " or ".join(_type_name(t) for t in types)
            raise RuleError(f"must be {names}, not {_type_name(type(value))}", path=path, line=line, key=key)


def _type_name(t: type) -> str:
    return {str: "a string", list: "a list", dict: "a mapping", int: "a number", bool: "true/false",
            _Map: "a mapping", _Seq: "a list", _dt.date: "a date", type(None): "empty"}.get(t, t.__name__)


def _closest(key: str, allowed: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return found[0] if found else None


def compile_pattern(source: str, path: str, line: int | None, key: str, case_sensitive: bool = False) -> regex.Pattern:
    flags = regex.V0 | (0 if case_sensitive else regex.IGNORECASE)
    try:
        pattern = regex.compile(source, flags)
    except regex.error as exc:
        raise RuleError(f"bad regular expression {source!r}: {exc}", path=path, line=line, key=key) from None
    for probe in BACKTRACK_PROBES:
        try:
            pattern.search(probe, timeout=PROBE_TIMEOUT_S)
        except TimeoutError:
            raise RuleError(f"pattern {source!r} backtracks catastrophically (timed out on a 40-character probe)",
                            path=path, line=line, key=key) from None
    return pattern


def _patterns(value: Any, path: str, line: int | None, key: str, case_sensitive: bool) -> tuple[regex.Pattern, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise RuleError("needs at least one pattern", path=path, line=line, key=key)
    lines = getattr(value, "lines", None) or [line] * len(items)
    out = []
    for item, item_line in zip(items, lines):
        if not isinstance(item, str):
            raise RuleError(f"patterns must be strings, not {_type_name(type(item))}", path=path, line=item_line, key=key)
        out.append(compile_pattern(item, path, item_line, key, case_sensitive))
    return tuple(out)


def _compile_rule(data: Any, path: str, line: int, seen: set[str]) -> Rule:
    if not isinstance(data, _Map):
        raise RuleError("each rule must be a mapping with id, category and one action", path=path, line=line)
    _check_keys(data, _RULE_KEYS, path, "a rule")
    ln = data.lines
    if "id" not in data:
        raise RuleError("rule has no 'id'", path=path, line=data.line)
    rule_id = data["id"]
    if not regex.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", rule_id):
        raise RuleError("rule ids are letters, digits, '-', '_' and '.'", path=path, line=ln["id"], key="id")
    if rule_id in seen:
        raise RuleError(f"duplicate rule id {rule_id!r}", path=path, line=ln["id"], key="id")
    seen.add(rule_id)
    actions = [a for a in ACTIONS if a in data]
    if len(actions) != 1:
        what = "no action" if not actions else "more than one action (" + ", ".join(actions) + ")"
        raise RuleError(f"rule {rule_id!r} has {what}; give exactly one of: {', '.join(ACTIONS)}",
                        path=path, line=data.line)
    action = actions[0]
    category = data.get("category", "metadata" if action == "take" else None)
    if category is None:
        raise RuleError(f"rule {rule_id!r} has no 'category'", path=path, line=data.line)
    if category not in CATEGORIES and not (action == "keep_line" and category == "body"):
        raise RuleError(f"unknown category {category!r}; one of: {', '.join(CATEGORIES)}",
                        path=path, line=ln["category"], key="category")
    cs = bool(data.get("case_sensitive", False))
    source = f"{path}:{data.line}"
    common: dict[str, Any] = dict(id=rule_id, category=category, action=action, source=source,
                                  max_words=data.get("max_words"), min_words=data.get("min_words"),
                                  first=data.get("first"), remove=data.get("remove", True))
    if action in ("drop_line", "keep_line", "drop_run"):
        pats = _patterns(data[action], path, ln[action], action, cs)
        return Rule(patterns=pats, min_run=data.get("min_run", DEFAULT_MIN_RUN), **common)
    if action == "drop_from":
        until = compile_pattern(data["until"], path, ln["until"], "until", cs) if "until" in data else None
        return Rule(patterns=_patterns(data[action], path, ln[action], action, cs), until=until, **common)
    if action == "drop_between":
        pair = data[action]
        if len(pair) != 2:
            raise RuleError("drop_between takes two patterns: [start, end]", path=path, line=ln[action], key=action)
        start, end = _patterns(pair, path, ln[action], action, cs)
        return Rule(patterns=(start,), until=end, **common)
    # take
    field_name = data["take"]
    if field_name not in META_FIELDS:
        raise RuleError(f"unknown metadata field {field_name!r}; one of: {', '.join(META_FIELDS)}",
                        path=path, line=ln["take"], key="take")
    if "pattern" not in data:
        raise RuleError(f"rule {rule_id!r}: 'take' needs a 'pattern'", path=path, line=data.line)
    return Rule(patterns=_patterns(data["pattern"], path, ln["pattern"], "pattern", cs), field=field_name, **common)


def _compile_rules(data: Any, path: str, line: int, seen: set[str]) -> tuple[Rule, ...]:
    if not isinstance(data, list):
        raise RuleError("'rules' must be a list", path=path, line=line, key="rules")
    return tuple(_compile_rule(item, path, item_line, seen) for item, item_line in zip(data, data.lines))


def _string_list(data: _Map, key: str, path: str) -> tuple[str, ...]:
    value = data.get(key, [])
    for item, line in zip(value, getattr(value, "lines", [])):
        if not isinstance(item, str):
            raise RuleError(f"items must be strings, not {_type_name(type(item))}", path=path, line=line, key=key)
    return tuple(value)


def _compile_tests(data: _Map, path: str) -> tuple[SiteTest, ...]:
    tests = []
    for item, line in zip(data.get("tests", []), getattr(data.get("tests", []), "lines", [])):
        if not isinstance(item, _Map):
            raise RuleError("each test must be a mapping", path=path, line=line, key="tests")
        _check_keys(item, _TEST_KEYS, path, "a test")
        if "sample" not in item:
            raise RuleError("a test needs a 'sample' (a local file)", path=path, line=line, key="tests")
        if regex.match(r"^[a-z]+://", item["sample"]):
            raise RuleError("a test's sample must be a local file, not a URL", path=path, line=item.lines["sample"], key="sample")
        for key in ("must_contain", "must_not_contain"):
            _string_list(item, key, path)
        expect = item.get("expect", {})
        for key in expect:
            if key not in META_FIELDS:
                raise RuleError(f"unknown metadata field {key!r} in expect", path=path, line=expect.lines[key], key=key)
        tests.append(SiteTest(sample=item["sample"], url=item.get("url"), name=item.get("name"),
                              must_contain=tuple(item.get("must_contain", [])),
                              must_not_contain=tuple(item.get("must_not_contain", [])),
                              expect=tuple(expect.items())))
    return tuple(tests)


def compile_site(data: _Map, path: str) -> SiteRules:
    _check_keys(data, _SITE_KEYS, path, "a site file")
    seen: set[str] = set()
    rules = _compile_rules(data.get("rules", _empty_seq()), path, data.lines.get("rules", 1), seen)
    hosts = tuple(h.lower().strip().lstrip(".") for h in _string_list(data, "hosts", path))
    fps = tuple(compile_pattern(regex.escape(fp) if not fp.startswith("re:") else fp[3:], path,
                                line, "fingerprints", case_sensitive=True)
                for fp, line in zip(_string_list(data, "fingerprints", path), getattr(data.get("fingerprints", []), "lines", [])))
    meta = data.get("metadata", {})
    for key in meta:
        if key not in META_FIELDS:
            raise RuleError(f"unknown metadata field {key!r}; one of: {', '.join(META_FIELDS)}",
                            path=path, line=meta.lines[key], key=key)
    html = data.get("html", _Map())
    if html:
        _check_keys(html, _HTML_KEYS, path, "html")
    lv = data.get("last_verified")
    return SiteRules(
        name=data["site"], path=path, hosts=hosts, fingerprints=fps, rules=rules,
        disable=frozenset(_string_list(data, "disable", path)), metadata=tuple(meta.items()),
        html_strip=_string_list(html, "strip", path) if html else (), html_body=html.get("body") if html else None,
        last_verified=str(lv) if lv is not None else None, tests=_compile_tests(data, path),
    )


def _empty_seq() -> _Seq:
    s = _Seq()
    s.lines, s.line = [], 1
    return s


def load_file(path: Path) -> SiteRules | tuple[Rule, ...]:
    """Load one rule file: a site's rules, or a generic family's rules."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"cannot read rule file: {exc.__class__.__name__}: {getattr(exc, 'strerror', None) or exc}", path=name) from None
    data = load_yaml(text, name)
    if not isinstance(data, _Map):
        raise RuleError("a rule file must be a mapping with 'site:' or 'generic:'", path=name, line=1)
    if "site" in data:
        return compile_site(data, name)
    if "generic" in data:
        _check_keys(data, _GENERIC_KEYS, name, "a generic rule file")
        return _compile_rules(data.get("rules", _empty_seq()), name, data.lines.get("rules", 1), set())
    raise RuleError("a rule file must have 'site:' (site rules) or 'generic:' (generic rules)", path=name, line=data.line)


def shipped_rules_dir() -> Path:
    """The rules/ folder that ships with newsclean (next to the package in a checkout)."""
    return Path(__file__).resolve().parent.parent / "rules"


def rule_files(dirs: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise RuleError("rules directory not found", path=str(d))
        files.extend(sorted(p for p in d.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
    return files


def load_ruleset(extra_dirs: Sequence[str | Path] = (), *, shipped: bool = True) -> RuleSet:
    """Shipped rules plus the user's directories; a user's site file wins over a shipped one
    for the same site name, and a user's generic rule replaces a shipped one with the same id."""
    return _load_ruleset_cached(tuple(str(Path(d)) for d in extra_dirs), shipped)


@lru_cache(maxsize=8)
def _load_ruleset_cached(extra_dirs: tuple[str, ...], shipped: bool) -> RuleSet:
    dirs = ([shipped_rules_dir()] if shipped else []) + [Path(d) for d in extra_dirs]
    sites: dict[str, SiteRules] = {}
    generic: dict[str, Rule] = {}
    files = rule_files(dirs)
    ids_seen: dict[str, str] = {}
    for path in files:
        loaded = load_file(path)
        if isinstance(loaded, SiteRules):
            sites[loaded.name.lower()] = loaded   # later (user) files replace earlier (shipped) ones
        else:
            for rule in loaded:
                if rule.id in ids_seen and ids_seen[rule.id] == str(path.parent):
                    raise RuleError(f"duplicate rule id {rule.id!r} (also in {generic[rule.id].source})",
                                    path=rule.source.rsplit(":", 1)[0], line=int(rule.source.rsplit(":", 1)[1]), key="id")
                ids_seen[rule.id] = str(path.parent)
                generic[rule.id] = rule
    return RuleSet(sites=tuple(sites.values()), generic=tuple(generic.values()), files=tuple(map(str, files)))


# ---------------------------------------------------------------- applying rules

@dataclass
class ApplyReport:
    """What applying a rule list did: which rules fired and which timed out."""

    fired: dict[str, int] = field(default_factory=dict)
    timed_out: list[str] = field(default_factory=list)


def apply_rules(blocks: list[Block], rules: Sequence[Rule], stage: str) -> ApplyReport:
    """Label the still-unlabelled blocks by each rule, in order. `stage` is 'site' or 'generic'."""
    report = ApplyReport()
    for rule in rules:
        try:
            n = _APPLY[rule.action](blocks, rule, stage)
        except PatternTimeout:
            report.timed_out.append(rule.id)
            continue
        if n:
            report.fired[rule.id] = report.fired.get(rule.id, 0) + n
    return report


def _label(rule: Rule, stage: str, reason: str) -> Label:
    return Label(keep=False, category=rule.category, rule=rule.id, reason=f"{stage} rule: {reason}")


def _drop_line(blocks: list[Block], rule: Rule, stage: str) -> int:
    n = 0
    for b in _window(blocks, rule):
        if b.label is None and rule.matches(plain(b.text)):
            b.label = _label(rule, stage, "line matches")
            n += 1
    return n


def _keep_line(blocks: list[Block], rule: Rule, stage: str) -> int:
    n = 0
    for b in _window(blocks, rule):
        if b.label is None and rule.matches(plain(b.text)):
            b.label = Label(keep=True, category="body", rule=rule.id, reason=f"{stage} rule: kept")
            n += 1
    return n


def _drop_from(blocks: list[Block], rule: Rule, stage: str) -> int:
    """From a block matching the marker to the end, or through the next block matching `until`."""
    n, start = 0, None
    for i, b in enumerate(blocks):
        text = plain(b.text)
        if start is None:
            if (b.label is None or b.label.removed) and rule.matches(text):
                start = i
            else:
                continue
        if b.label is None:
            b.label = _label(rule, stage, "inside marked section")
            n += 1
        if rule.until is not None and i > start and _search(rule.until, text, rule):
            start = None
    return n


def _drop_run(blocks: list[Block], rule: Rule, stage: str) -> int:
    """Runs of at least `min_run` blocks matching (removed blocks in between do not break a run)."""
    n, run = 0, []
    for b in blocks + [None]:  # type: ignore[list-item]
        if b is not None and b.label is not None and b.label.removed:
            continue
        if b is not None and b.label is None and rule.matches(plain(b.text)):
            run.append(b)
            continue
        if len(run) >= rule.min_run:
            for r in run:
                r.label = _label(rule, stage, f"run of {len(run)} matching lines")
            n += len(run)
        run = []
    return n


def _take(blocks: list[Block], rule: Rule, stage: str) -> int:
    """Take a metadata field from the first matching block (within `first` blocks)."""
    for b in _window(blocks, rule):
        if b.label is not None:
            continue
        text = plain(b.text)
        n = len(text.split())
        if (rule.max_words is not None and n > rule.max_words) or (rule.min_words is not None and n < rule.min_words):
            continue
        for p in rule.patterns:
            try:
                m = p.search(text, timeout=PATTERN_TIMEOUT_S)
            except TimeoutError:
                raise PatternTimeout(rule) from None
            if m:
                value = m.groupdict().get("value") or m.group(0)
                b.label = Label(keep=not rule.remove, category="metadata", rule=rule.id,
                                reason=f"{stage} rule: {rule.field}", field=rule.field, value=value.strip())
                return 1
    return 0


def _window(blocks: list[Block], rule: Rule) -> list[Block]:
    return blocks[: rule.first] if rule.first else blocks


_APPLY = {"drop_line": _drop_line, "keep_line": _keep_line, "drop_from": _drop_from,
          "drop_between": _drop_from, "drop_run": _drop_run, "take": _take}
