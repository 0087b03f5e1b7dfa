"""Literal gates: a cheap test that rules out most regex searches before they are run.

Most rule patterns start with literal words (`\\b(?:sign up|subscribe)\\b...`, `^Related Links$`).
Any text a pattern matches must then contain one of those literal starts, and a substring test
(`in`, in C) costs a fraction of a regex search. Profiling the generic rules on the benchmark's
text renderings showed rule matching at ~80% of the cleaning time, nearly all of it searches that
found nothing. A pattern whose start is not a literal (or that the stdlib parser cannot read)
simply has no gate and is always searched.
"""
from __future__ import annotations

import re
from functools import lru_cache

import regex

try:  # the stdlib's own regex parser: public in effect, private in name
    from re import _constants as _C
    from re import _parser as _P
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _C  # type: ignore[no-redef]
    import sre_parse as _P  # type: ignore[no-redef]

# A gate with a literal shorter than this would pass nearly every text: no gate then.
MIN_GATE_CHARS = 3
# More alternatives than this at the start: not worth a gate.
MAX_GATE_KEYS = 24
_SKIPPABLE_AT = {_C.AT_BEGINNING, _C.AT_BEGINNING_STRING, _C.AT_BOUNDARY}
# Syntax the regex module reads otherwise than the stdlib parser: fuzzy constraints `{e<=1}`,
# flags f (full case folding), r (reverse), V1, `\p{..}`/`\X`, nested sets. No gate for those.
_REGEX_ONLY = re.compile(r"\{[^}]*[eisd][^}]*\}|\(\?[a-zA-Z-]*[frV]|\\[pPXNmMGK]|\[\[|\[[^\]]*--")
_REGEX_ONLY_FLAGS = regex.FULLCASE | regex.REVERSE | regex.VERSION1 | regex.BESTMATCH | regex.ENHANCEMATCH


def _literal_starts(items: list) -> list[str] | None:
    """The literal strings one of which every match starts with; None when there are none."""
    starts = [""]
    for op, av in items:
        if op is _C.AT and av in _SKIPPABLE_AT and starts == [""]:
            continue
        if op is _C.LITERAL:
            starts = [s + chr(av) for s in starts]
            continue
        if op is _C.BRANCH:
            branch_starts: list[str] = []
            for alternative in av[1]:
                sub = _literal_starts(list(alternative))
                if sub is None:
                    break
                branch_starts.extend(sub)
            else:
                if len(branch_starts) * len(starts) <= MAX_GATE_KEYS:
                    starts = [s + b for s in starts for b in branch_starts]
            break  # what follows a branch depends on which alternative matched: stop here
        if op is _C.SUBPATTERN:
            if av[1] or av[2]:  # scoped flags, e.g. (?i:...): its case is not the pattern's
                break
            sub = _literal_starts(list(av[-1]))
            if sub is not None and len(sub) * len(starts) <= MAX_GATE_KEYS:
                starts = [s + b for s in starts for b in sub]
            break
        break
    return starts if starts and all(len(s) >= 1 for s in starts) else None


@lru_cache(maxsize=4096)
def gate(pattern: regex.Pattern) -> tuple[str, ...] | None:
    """Literal strings (case-folded when the pattern ignores case: `str.casefold`, so that the
    long s or a final sigma fold as the regex engine folds them) one of which a text must contain
    for `pattern` to match it; None when the pattern has no such gate."""
    ignore_case = bool(pattern.flags & regex.IGNORECASE)
    if pattern.flags & _REGEX_ONLY_FLAGS or _REGEX_ONLY.search(pattern.pattern):
        return None
    try:
        parsed = _P.parse(pattern.pattern, re.IGNORECASE if ignore_case else 0)
    except Exception:  # noqa: BLE001 - regex-module syntax the stdlib parser does not know
        return None
    starts = _literal_starts(list(parsed))
    if not starts or min(len(s) for s in starts) < MIN_GATE_CHARS:
        return None
    keys = sorted({s.casefold() for s in starts} if ignore_case else set(starts))
    return tuple(keys)

