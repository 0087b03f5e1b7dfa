"""Literal gates: a cheap test that rules out most regex searches before they are run.

Most rule patterns hold literal words (`\\b(?:sign up|subscribe)\\b...`, `^Related Links$`,
`\\d+ (?:likes?|votes?)$`). Any text a pattern matches must then contain one of those literals,
and a substring test costs a fraction of a regex search; most searches of most rules find
nothing. A pattern without such literals (or that the stdlib parser cannot read) simply has no
gate and is always searched. Gates are for speed only: a gate never keeps a pattern from a text
it could match, so the labels are those of searching every pattern.

`KeyScan` tests many gates at once: one pass of one compiled pattern over a text finds every
key it contains, so the cost no longer grows with the number of rules.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping

import regex

from ..article import fold

try:  # the stdlib's own regex parser: public in effect, private in name
    from re import _constants as _C
    from re import _parser as _P
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _C  # type: ignore[no-redef]
    import sre_parse as _P  # type: ignore[no-redef]

# A key shorter than this passes nearly every text (unless it holds a rare character: see
# _selective); a pattern has no gate with such a key, unless it is anchored at the text's start.
MIN_GATE_CHARS = 3
# More alternatives than this: not worth a gate.
MAX_GATE_KEYS = 24
# A key is cut to this many characters: a text holding the whole literal holds its start, and a
# longer key is no more selective. (It also keeps gating linear in a pattern's length.)
MAX_KEY_CHARS = 48
# A pattern anchored at the text's start is gated by one `str.startswith` of all its keys: more
# of them cost little there.
MAX_START_KEYS = 64
# Syntax the regex module reads otherwise than the stdlib parser: fuzzy constraints `{e<=1}`,
# flags f (full case folding), r (reverse), V1, `\p{..}`/`\X`, nested sets. No gate for those.
_REGEX_ONLY = re.compile(r"\{[^}]*[eisd][^}]*\}|\(\?[a-zA-Z-]*[frV]|\\[pPXNmMGK]|\[\[|\[[^\]]*--")
_REGEX_ONLY_FLAGS = regex.FULLCASE | regex.REVERSE | regex.VERSION1 | regex.BESTMATCH | regex.ENHANCEMATCH
# Repeats, as the stdlib parser names them (POSSESSIVE_REPEAT: Python 3.11 and later).
_REPEATS = tuple(getattr(_C, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_C, name))


def _literal_starts(items: list, limit: int = MAX_GATE_KEYS) -> tuple[list[str], bool] | None:
    """The literal strings one of which every match of `items` starts with, and whether they are
    the whole match (every item was literal, so what follows `items` follows them directly);
    None when there are none. Zero-width assertions (`^`, `\\b`, `$`) match no text: skipped.
    Starts are cut to MAX_KEY_CHARS (then they are not the whole match): the walk stops there,
    so its cost does not grow with the pattern's length."""
    starts = [""]
    run: list[str] = []          # literal characters read since `starts` was last extended

    def joined() -> list[str]:
        tail = "".join(run)
        return [s + tail for s in starts]

    for op, av in items:
        if min(len(s) for s in starts) + len(run) >= MAX_KEY_CHARS:
            return [s[:MAX_KEY_CHARS] for s in joined()], False
        if op is _C.AT:
            continue
        if op is _C.LITERAL:
            run.append(chr(av))
            continue
        sub = _group_starts(op, av, limit)
        if sub is None or len(sub[0]) * len(starts) > limit:
            break
        starts = [s + b for s in joined() for b in sub[0]]
        run = []
        if not sub[1]:
            break  # what follows depends on how the group ended: stop here
    else:
        starts = joined()
        return ([s[:MAX_KEY_CHARS] for s in starts], all(len(s) <= MAX_KEY_CHARS for s in starts)) if all(starts) else None
    starts = [s[:MAX_KEY_CHARS] for s in joined()]
    return (starts, False) if all(starts) else None


def _group_starts(op: object, av: object, limit: int) -> tuple[list[str], bool] | None:
    """The literal starts of one item that is not a literal: an alternation, a group without
    scoped flags, a set of plain characters, or a repeat of at least one."""
    if op is _C.BRANCH:
        out: list[str] = []
        complete = True
        for alternative in av[1]:  # type: ignore[index]
            sub = _literal_starts(list(alternative), limit)
            if sub is None:
                return None
            out.extend(sub[0])
            complete = complete and sub[1]
        return out, complete
    if op is _C.SUBPATTERN:
        if av[1] or av[2]:  # type: ignore[index]  # scoped flags, e.g. (?i:...): its case is not the pattern's
            return None
        return _literal_starts(list(av[-1]), limit)  # type: ignore[index]
    if op is _C.IN:
        if all(item_op is _C.LITERAL for item_op, _ in av):  # type: ignore[attr-defined]
            return [chr(c) for _, c in av], True  # type: ignore[attr-defined]
        return None
    if op in _REPEATS and av[0] >= 1:  # type: ignore[index]
        sub = _literal_starts(list(av[2]), limit)  # type: ignore[index]
        return None if sub is None else (sub[0], False)
    return None


def _mandatory_parts(items: list) -> list[list]:
    """`items` and, recursively, the contents of its groups that every match passes through
    (groups without scoped flags, repeats of at least one)."""
    parts = [items]
    for op, av in items:
        if op is _C.SUBPATTERN and not (av[1] or av[2]):
            parts.extend(_mandatory_parts(list(av[-1])))
        elif op in _REPEATS and av[0] >= 1:
            parts.extend(_mandatory_parts(list(av[2])))
    return parts


def _selective(key: str) -> bool:
    """A key worth testing: long enough, or holding a character that is rare in running text
    (neither a letter, a digit nor a space: ©, ×, |, ›)."""
    return len(key) >= MIN_GATE_CHARS or any(not (c.isalnum() or c.isspace()) for c in key)


def _best_keys(items: list) -> list[str] | None:
    """The most selective literal gate of a pattern. Every match contains a match of each suffix
    of its top-level sequence, and of each suffix of the groups every match passes through, so
    the literal starts of any of those suffixes are a gate. Tried: each suffix starting at a
    sequence's start or after an item that is not a literal; kept: the one whose shortest key is
    longest (then the one with the fewest keys), among those whose keys are all selective."""
    best: list[str] | None = None
    for part in _mandatory_parts(items):
        for j in range(len(part)):
            if j and part[j - 1][0] is _C.LITERAL:
                continue
            found = _literal_starts(part[j:])
            if found is None or not all(map(_selective, found[0])):
                continue
            keys = found[0]
            if best is None or (min(map(len, keys)), -len(keys)) > (min(map(len, best)), -len(best)):
                best = keys
    return best


@dataclass(frozen=True)
class Gate:
    """Literal strings one of which a text must contain for a pattern to match it (folded by
    `fold` when the pattern ignores case, and to be looked for in the text folded likewise);
    with `at_start`, one of which the text must start with (the pattern is anchored by `^`)."""

    keys: tuple[str, ...]
    at_start: bool = False

    def passes(self, text: str) -> bool:
        if self.at_start:
            return text.startswith(self.keys)
        for key in self.keys:
            if key in text:
                return True
        return False


def _anchored(items: list, flags: int) -> bool:
    """True when every match starts at the text's start: the pattern begins with `\\A`, or with
    `^` and is not multi-line."""
    if not items or items[0][0] is not _C.AT:
        return False
    at = items[0][1]
    return at is _C.AT_BEGINNING_STRING or (at is _C.AT_BEGINNING and not flags & re.MULTILINE)


@lru_cache(maxsize=4096)
def gate(pattern: regex.Pattern) -> Gate | None:
    """The pattern's gate; None when it has none. A pattern anchored at the text's start is
    gated by its literal starts there, which any number of keys of any length make selective;
    any other by its most selective literals (_best_keys)."""
    ignore_case = bool(pattern.flags & regex.IGNORECASE)
    if pattern.flags & _REGEX_ONLY_FLAGS or _REGEX_ONLY.search(pattern.pattern):
        return None
    try:
        parsed = _P.parse(pattern.pattern, re.IGNORECASE if ignore_case else 0)
    except Exception:  # noqa: BLE001 - regex-module syntax the stdlib parser does not know
        return None
    items = list(parsed)
    flags = parsed.state.flags | (re.MULTILINE if pattern.flags & regex.MULTILINE else 0)
    found = _literal_starts(items, MAX_START_KEYS) if _anchored(items, flags) else None
    at_start = found is not None
    starts = found[0] if found is not None else _best_keys(items)
    if not starts:
        return None
    keys = sorted({fold(s) for s in starts} if ignore_case else set(starts))
    return Gate(keys=tuple(keys), at_start=at_start)


_NONE: frozenset[int] = frozenset()


@dataclass(frozen=True)
class KeyScan:
    """Which of many gates a text passes, found by one compiled pattern: the gates' keys as a
    trie, so that it finds the longest key at a position; the keys at that position are that
    key's prefixes among the keys. Gates are known by number; a key may belong to several.
    With `at_start` (gates anchored at the text's start) only the text's start is looked at."""

    pattern: re.Pattern
    opens: Mapping[str, frozenset[int]]   # key -> the gates it and the keys it starts with belong to
    at_start: bool = False

    @classmethod
    def build(cls, gates: Mapping[int, Iterable[str]], at_start: bool = False) -> KeyScan | None:
        """A scan for gates {number: keys}; None when there are no keys."""
        owners: dict[str, set[int]] = {}
        for number, keys in gates.items():
            for key in keys:
                owners.setdefault(key, set()).add(number)
        if not owners:
            return None
        opens = {key: frozenset().union(*(owners[key[:n]] for n in range(1, len(key) + 1) if key[:n] in owners))
                 for key in owners}
        return cls(pattern=re.compile(_trie(sorted(owners))), opens=opens, at_start=at_start)

    def opened(self, text: str) -> frozenset[int]:
        """The numbers of the gates `text` passes."""
        if self.at_start:
            m = self.pattern.match(text)
            return self.opens[m.group()] if m is not None else _NONE
        search = self.pattern.search
        m = search(text)
        if m is None:
            return _NONE
        found = _NONE
        while m is not None:
            found = found | self.opens[m.group()]
            m = search(text, m.start() + 1)
        return found


def _trie(keys: list[str]) -> str:
    """A pattern matching exactly the (sorted, distinct, non-empty) keys, as a trie of literals:
    one alternative per first character, longer keys before their prefixes, so that the key it
    finds at a position is the longest key starting there."""
    branches: list[str] = []
    i = 0
    while i < len(keys):
        j = i
        while j < len(keys) and keys[j][0] == keys[i][0]:
            j += 1
        common = os.path.commonprefix(keys[i:j])
        tails = [k[len(common):] for k in keys[i:j] if len(k) > len(common)]
        branch = re.escape(common)
        if tails:
            optional = "?" if len(tails) < j - i else ""   # `common` alone is a key too
            branch += f"(?:{_trie(tails)}){optional}"
        branches.append(branch)
        i = j
    return "|".join(branches)
