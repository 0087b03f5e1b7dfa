"""Rule files checked and compiled: the format's key tables, strict validation with the file,
line and key of each error (RuleError), and compiling a file's mapping into Rule / SiteRules.

A rule file is either a site file (`site:`, `hosts:`, `fingerprints:`, `rules:`, ...) or a generic
file (`generic:` naming its family, and `rules:`). Every rule has an `id`, a `category` and one
action. Validation is strict: an unknown key, a value of the wrong type, a bad or catastrophically
backtracking regular expression, a duplicate rule id, an unknown category or a CSS selector that
does not compile is a `RuleError` naming the file, the line and the key. A file with an error is
never applied in part: it is compiled whole before anything of it is used. The format is
documented in docs/rules.md and described for editors by cleaner/data/rule-file.schema.json (kept
in step with the key tables below by tests/test_rules_format.py).
"""
from __future__ import annotations

import datetime as _dt
import difflib
from pathlib import Path
from typing import Any, Iterable

import regex

from ..article import CATEGORIES, META_FIELDS
from ..errors import RuleError
from .backtrack import Unreadable, exponential_ambiguity, longest_literal
from .rule import DEFAULT_MIN_RUN, Rule, SiteRules, SiteTest
from .yamlfile import YamlMap, YamlSeq, empty_seq, type_name

# A pattern longer than this is refused at load (a rule is a line's shape, not a copy of a text).
MAX_PATTERN_CHARS = 5_000
# ... and so is one holding a run of literal characters longer than this: the `regex` module's
# search for a long literal that repeats itself ("ab ab ab ...") takes time cubic in its length
# and does not stop at its time limit.
MAX_LITERAL_CHARS = 300
# A fingerprint starting with this is a regular expression; any other is a literal string.
FINGERPRINT_REGEX_PREFIX = "re:"
# `last_verified` is a date written like this.
DATE_FORMAT = r"\d{4}-\d{2}-\d{2}"
# A host: letters, digits, dots and dashes; no scheme, path, port or spaces.
HOST_PATTERN = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
RULE_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
# The JSON Schema for rule files, shipped with the package (editors: yaml-language-server).
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "rule-file.schema.json"

ACTIONS: tuple[str, ...] = ("drop_line", "drop_from", "drop_between", "drop_run", "keep_line", "take")
# Options that only mean something with some actions: anywhere else they are an error.
ACTION_OPTIONS: dict[str, tuple[str, ...]] = {
    "until": ("drop_from",), "min_run": ("drop_run",), "pattern": ("take",), "remove": ("take",),
    "anywhere": ("take",),
}
# The category a `keep_line` rule may give besides the closed list.
KEEP_CATEGORY = "body"

RULE_KEYS: dict[str, tuple[type, ...]] = {
    "id": (str,), "category": (str,), "drop_line": (str, list), "drop_from": (str,),
    "until": (str,), "drop_between": (list,), "drop_run": (str, list), "keep_line": (str, list),
    "take": (str,), "pattern": (str, list), "remove": (bool,), "anywhere": (bool,), "max_words": (int,),
    "min_words": (int,), "min_run": (int,), "first": (int,), "case_sensitive": (bool,),
    "note": (str,),
}
SITE_KEYS: dict[str, tuple[type, ...]] = {
    "$schema": (str,), "site": (str,), "hosts": (list,), "fingerprints": (list,),
    "last_verified": (str, _dt.date), "disable": (list,), "rules": (list,), "metadata": (dict,),
    "html": (dict,), "tests": (list,), "note": (str,),
}
GENERIC_KEYS: dict[str, tuple[type, ...]] = {
    "$schema": (str,), "generic": (str,), "rules": (list,), "note": (str,),
}
HTML_KEYS: dict[str, tuple[type, ...]] = {"strip": (list,), "body": (str,)}
TEST_KEYS: dict[str, tuple[type, ...]] = {
    "sample": (str,), "url": (str,), "must_contain": (list,), "must_not_contain": (list,),
    "expect": (dict,), "name": (str,),
}
# Types of metadata values (site `metadata:` literals and test `expect:`).
META_VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "title": (str,), "author": (str,), "date": (str, _dt.date), "sitename": (str,), "tags": (list, str),
    "url": (str,), "dateline": (str,),
}
# Numeric options and their smallest allowed value.
MIN_VALUES: dict[str, int] = {"max_words": 0, "min_words": 0, "min_run": 1, "first": 1}


def check_keys(data: YamlMap, allowed: dict[str, tuple[type, ...]], path: str, where: str) -> None:
    """Every key of `data` (`where`: "a rule", "a site file", ...) is in `allowed` with a value of
    one of its types. Raises RuleError naming the file, line and key (with "did you mean")."""
    for key, value in data.items():
        line = data.lines.get(key)
        if key not in allowed:
            close = closest(key, allowed)
            hint = f" (did you mean '{close}'?)" if close else f"; allowed: {', '.join(k for k in allowed if k != '$schema')}"
            raise RuleError(f"unknown key in {where}{hint}", path=path, line=line, key=key)
        _check_type(value, allowed[key], path, line, key)


def _check_type(value: Any, types: tuple[type, ...], path: str, line: int | None, key: str) -> None:
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = " or ".join(type_name(t) for t in types)
        raise RuleError(f"must be {names}, not {type_name(type(value))}", path=path, line=line, key=key)


def closest(key: str, allowed: Iterable[str]) -> str | None:
    """The allowed name closest to `key` (for "did you mean"), or None."""
    found = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6)
    return found[0] if found else None


def compile_pattern(source: str, path: str, line: int | None, key: str, case_sensitive: bool = False,
                    rule_id: str | None = None) -> regex.Pattern:
    """Compile a rule's pattern (the `regex` module, V0; ignoring case unless `case_sensitive`).

    Raises RuleError (naming `path`, `line` and `key`) for bad syntax, a pattern longer than
    MAX_PATTERN_CHARS or holding a literal longer than MAX_LITERAL_CHARS, and a pattern that could
    backtrack catastrophically: one that can match a
    text in exponentially many ways, decided from its structure (rules.backtrack), never by
    timing it, so that the verdict is the same on any machine."""
    flags = regex.V0 | (0 if case_sensitive else regex.IGNORECASE)
    who = f"rule {rule_id!r}: " if rule_id else ""
    shown = source if len(source) <= 80 else source[:60] + "..."
    if len(source) > MAX_PATTERN_CHARS:
        raise RuleError(f"{who}pattern '{shown}' is {len(source):,} characters long; at most {MAX_PATTERN_CHARS:,}",
                        path=path, line=line, key=key)
    try:
        pattern = regex.compile(source, flags)
    except (regex.error, ValueError, OverflowError, RecursionError) as exc:
        raise RuleError(f"{who}bad regular expression '{shown}': {exc}", path=path, line=line, key=key) from None
    try:
        catastrophic = exponential_ambiguity(source, ignore_case=not case_sensitive)
        literal = longest_literal(source, ignore_case=not case_sensitive)
    except Unreadable as exc:
        raise RuleError(f"{who}pattern '{shown}' cannot be checked for catastrophic backtracking ({exc}); "
                        "write it without regex-module-only syntax", path=path, line=line, key=key) from None
    if literal > MAX_LITERAL_CHARS:
        raise RuleError(f"{who}pattern '{shown}' holds {literal:,} literal characters in a row; at most "
                        f"{MAX_LITERAL_CHARS:,} (match the start of the line)", path=path, line=line, key=key)
    if catastrophic:
        raise RuleError(f"{who}pattern '{shown}' backtracks catastrophically: a repeated part can match the same "
                        "text in more than one way; make each repeat match one way", path=path, line=line, key=key)
    return pattern


def _patterns(value: Any, path: str, line: int | None, key: str, case_sensitive: bool,
              rule_id: str | None = None) -> tuple[regex.Pattern, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise RuleError("needs at least one pattern", path=path, line=line, key=key)
    lines = getattr(value, "lines", None) or [line] * len(items)
    out = []
    for item, item_line in zip(items, lines):
        if not isinstance(item, str):
            raise RuleError(f"patterns must be strings, not {type_name(type(item))}", path=path, line=item_line, key=key)
        if not item:
            raise RuleError("an empty pattern matches every line", path=path, line=item_line, key=key)
        out.append(compile_pattern(item, path, item_line, key, case_sensitive, rule_id))
    return tuple(out)


def duplicate_id_error(rule_id: str, first_line: int, path: str, line: int) -> RuleError:
    """The error for a rule id used a second time (at `line`; first at `first_line`) in one file."""
    return RuleError(f"duplicate rule id {rule_id!r} (first at line {first_line})", path=path, line=line, key="id")


def check_category(data: Any, rule_id: str, action: str, path: str) -> str:
    """The category of a rule mapping (`take` rules default to 'metadata'), checked against
    article.CATEGORIES (a `keep_line` rule may say 'body'). Raises RuleError naming the file, line
    and key for a missing or unknown category (with "did you mean")."""
    category = data.get("category", "metadata" if action == "take" else None)
    if category is None:
        raise RuleError(f"rule {rule_id!r} has no 'category'; one of: {', '.join(CATEGORIES)}", path=path, line=data.line)
    if category not in CATEGORIES and not (action == "keep_line" and category == KEEP_CATEGORY):
        close = closest(category, CATEGORIES)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise RuleError(f"unknown category {category!r}{hint}; one of: {', '.join(CATEGORIES)}",
                        path=path, line=data.lines["category"], key="category")
    return category


def compile_rule(data: Any, path: str, line: int, seen: dict[str, int]) -> Rule:
    """One rule's mapping (at `line` of `path`) checked and compiled. `seen` maps the file's rule
    ids so far to their lines (for duplicate ids) and gets this one. Raises RuleError."""
    if not isinstance(data, YamlMap):
        raise RuleError("each rule must be a mapping with id, category and one action", path=path, line=line)
    check_keys(data, RULE_KEYS, path, "a rule")
    ln = data.lines
    if "id" not in data:
        raise RuleError("rule has no 'id'", path=path, line=data.line)
    rule_id = data["id"]
    if not regex.fullmatch(RULE_ID_PATTERN, rule_id):
        raise RuleError(f"bad rule id {rule_id!r}: use letters, digits, '-', '_' and '.'", path=path, line=ln["id"], key="id")
    if rule_id in seen:
        raise duplicate_id_error(rule_id, seen[rule_id], path, ln["id"])
    seen[rule_id] = ln["id"]
    actions = [a for a in ACTIONS if a in data]
    if len(actions) != 1:
        what = "no action" if not actions else "more than one action (" + ", ".join(actions) + ")"
        raise RuleError(f"rule {rule_id!r} has {what}; give exactly one of: {', '.join(ACTIONS)}",
                        path=path, line=data.line)
    action = actions[0]
    for option, applies in ACTION_OPTIONS.items():
        if option in data and action not in applies:
            raise RuleError(f"rule {rule_id!r}: '{option}' only applies to {' and '.join(applies)}, not {action}",
                            path=path, line=ln[option], key=option)
    for option, least in MIN_VALUES.items():
        if option in data and data[option] < least:
            raise RuleError(f"rule {rule_id!r}: must be at least {least}", path=path, line=ln[option], key=option)
    category = check_category(data, rule_id, action, path)
    cs = bool(data.get("case_sensitive", False))
    common: dict[str, Any] = dict(id=rule_id, category=category, action=action, source=f"{path}:{data.line}",
                                  max_words=data.get("max_words"), min_words=data.get("min_words"),
                                  first=data.get("first"), remove=data.get("remove", True), note=data.get("note"),
                                  anywhere=data.get("anywhere", False))
    if action in ("drop_line", "keep_line", "drop_run"):
        pats = _patterns(data[action], path, ln[action], action, cs, rule_id)
        return Rule(patterns=pats, min_run=data.get("min_run", DEFAULT_MIN_RUN), **common)
    if action == "drop_from":
        until = compile_pattern(data["until"], path, ln["until"], "until", cs, rule_id) if "until" in data else None
        return Rule(patterns=_patterns(data[action], path, ln[action], action, cs, rule_id), until=until, **common)
    if action == "drop_between":
        pair = data[action]
        if len(pair) != 2:
            raise RuleError(f"rule {rule_id!r}: drop_between takes two patterns: [start, end]", path=path,
                            line=ln[action], key=action)
        start, end = _patterns(pair, path, ln[action], action, cs, rule_id)
        return Rule(patterns=(start,), until=end, **common)
    # take
    field_name = data["take"]
    if field_name not in META_FIELDS:
        close = closest(field_name, META_FIELDS)
        hint = f" (did you mean '{close}'?)" if close else ""
        raise RuleError(f"unknown metadata field {field_name!r}{hint}; one of: {', '.join(META_FIELDS)}",
                        path=path, line=ln["take"], key="take")
    if "pattern" not in data:
        raise RuleError(f"rule {rule_id!r}: 'take' needs a 'pattern'", path=path, line=data.line)
    return Rule(patterns=_patterns(data["pattern"], path, ln["pattern"], "pattern", cs, rule_id), field=field_name, **common)


def compile_rules(data: Any, path: str, line: int, seen: dict[str, int]) -> tuple[Rule, ...]:
    """A `rules:` list (at `line`) compiled in order (compile_rule). Raises RuleError."""
    if not isinstance(data, list):
        raise RuleError("must be a list", path=path, line=line, key="rules")
    return tuple(compile_rule(item, path, item_line, seen) for item, item_line in zip(data, data.lines))


def _string_list(data: YamlMap, key: str, path: str) -> tuple[str, ...]:
    value = data.get(key, [])
    for item, line in zip(value, getattr(value, "lines", [])):
        if not isinstance(item, str):
            raise RuleError(f"items must be strings, not {type_name(type(item))}", path=path, line=line, key=key)
        if not item.strip():
            raise RuleError("items must not be empty", path=path, line=line, key=key)
    return tuple(value)


def _check_meta_values(meta: YamlMap, path: str, where: str) -> None:
    for key, value in meta.items():
        line = meta.lines[key]
        if key not in META_FIELDS:
            close = closest(key, META_FIELDS)
            hint = f" (did you mean '{close}'?)" if close else ""
            raise RuleError(f"unknown metadata field in {where}{hint}; one of: {', '.join(META_FIELDS)}",
                            path=path, line=line, key=key)
        if value is not None:
            _check_type(value, META_VALUE_TYPES[key], path, line, key)


def _compile_tests(data: YamlMap, path: str, base: Path) -> tuple[SiteTest, ...]:
    tests = []
    items = data.get("tests", empty_seq())
    for item, line in zip(items, items.lines):
        if not isinstance(item, YamlMap):
            raise RuleError("each test must be a mapping with a 'sample'", path=path, line=line, key="tests")
        check_keys(item, TEST_KEYS, path, "a test")
        if "sample" not in item:
            raise RuleError("a test needs a 'sample' (a local file)", path=path, line=line, key="tests")
        if regex.match(r"^[a-z][a-z0-9+.-]*://", item["sample"], flags=regex.I):
            raise RuleError("a test's sample must be a local file, not a URL", path=path, line=item.lines["sample"], key="sample")
        for key in ("must_contain", "must_not_contain"):
            _string_list(item, key, path)
        expect = item.get("expect", YamlMap())
        if expect:
            _check_meta_values(expect, path, "expect")
        tests.append(SiteTest(sample=item["sample"], path=str(resolve_sample(item["sample"], base)), base=str(base),
                              url=item.get("url"), name=item.get("name"),
                              must_contain=tuple(item.get("must_contain", [])),
                              must_not_contain=tuple(item.get("must_not_contain", [])),
                              expect=tuple((k, str(v) if isinstance(v, _dt.date) else v) for k, v in expect.items()),
                              line=line))
    return tuple(tests)


def resolve_sample(sample: str, base: Path) -> Path:
    """A test's sample: an absolute path, or a path relative to `base`, the folder that holds the
    rules directory (for the shipped rules/, the repository's root; for `--rules-dir my-rules`,
    the folder my-rules is in)."""
    p = Path(sample).expanduser()
    return p if p.is_absolute() else base / p


def compile_site(data: YamlMap, path: str, base: Path | None = None) -> SiteRules:
    """Compile a site file's mapping. `base` is where test samples are looked up (resolve_sample)."""
    check_keys(data, SITE_KEYS, path, "a site file")
    base = base if base is not None else Path(path).resolve().parent.parent
    name = data["site"].strip()
    if not name:
        raise RuleError("the site needs a name", path=path, line=data.lines["site"], key="site")
    lines: dict[str, int] = dict(data.lines)
    hosts = []
    for host, line in zip(_string_list(data, "hosts", path), getattr(data.get("hosts"), "lines", [])):
        h = host.lower().strip().lstrip(".").rstrip(".")
        if not regex.fullmatch(HOST_PATTERN, h):
            raise RuleError(f"{host!r} is not a host name: write it bare, like example.com (no https://, path or port)",
                            path=path, line=line, key="hosts")
        hosts.append(h)
        lines[f"host:{h}"] = line
    seen: dict[str, int] = {}
    rules = compile_rules(data.get("rules", empty_seq()), path, data.lines.get("rules", 1), seen)
    fps = []
    for fp, line in zip(_string_list(data, "fingerprints", path), getattr(data.get("fingerprints"), "lines", [])):
        source = fp[len(FINGERPRINT_REGEX_PREFIX):] if fp.startswith(FINGERPRINT_REGEX_PREFIX) else regex.escape(fp)
        fps.append(compile_pattern(source, path, line, "fingerprints", case_sensitive=True))
    disable = _string_list(data, "disable", path)
    for rule_id, line in zip(disable, getattr(data.get("disable"), "lines", [])):
        lines[f"disable:{rule_id}"] = line
    meta = data.get("metadata", YamlMap())
    if meta:
        _check_meta_values(meta, path, "metadata")
    html = data.get("html", YamlMap())
    if html:
        check_keys(html, HTML_KEYS, path, "html")
        _check_selectors(html, path)
    lv = data.get("last_verified")
    if isinstance(lv, str) and not regex.fullmatch(DATE_FORMAT, lv.strip()):
        raise RuleError(f"must be a date written YYYY-MM-DD, not {lv!r}", path=path, line=data.lines["last_verified"],
                        key="last_verified")
    return SiteRules(
        name=name, path=path, hosts=tuple(hosts), fingerprints=tuple(fps), rules=rules,
        fingerprint_text=_string_list(data, "fingerprints", path),
        disable=frozenset(disable), metadata=tuple((k, str(v) if isinstance(v, _dt.date) else v) for k, v in meta.items()),
        html_strip=_string_list(html, "strip", path) if html else (), html_body=html.get("body") if html else None,
        last_verified=str(lv).strip() if lv is not None else None, tests=_compile_tests(data, path, base),
        lines=tuple(lines.items()),
    )


def _check_selectors(html: YamlMap, path: str) -> None:
    """Every CSS selector of a site's `html:` rules must compile (selectors.selector_problem)."""
    from .selectors import selector_problem  # lxml and cssselect: only for files that have html rules

    for key in ("strip", "body"):
        value = html.get(key)
        items = value if isinstance(value, list) else [] if value is None else [value]
        lines = getattr(value, "lines", None) or [html.lines.get(key)] * len(items)
        for css, line in zip(items, lines):
            problem = selector_problem(css) if isinstance(css, str) and css.strip() else "a selector must be a non-empty string"
            if problem:
                raise RuleError(f"bad CSS selector {css!r}: {problem}", path=path, line=line, key=key)


