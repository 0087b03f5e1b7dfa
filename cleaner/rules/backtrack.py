"""Catastrophic backtracking, decided from a pattern's structure (not by timing it).

A backtracking engine (the `regex` module, Python's `re`) takes exponential time on a failing
text when a pattern can match one stretch of text in exponentially many ways: a repeat inside a
repeat whose bodies can match the same text (`(a+)+$`, `(\\w+\\s?)*$`), or a repeated
alternation whose branches overlap (`(a|a)*b`, `(a|aa)+$`). That property is one of the
pattern's automaton, independent of the machine: its *exponential degree of ambiguity* (EDA).

How it is decided (the test of Allauzen, Mohri and Rastogi, "General algorithms for testing the
ambiguity of finite automata", 2008, on a position automaton built here):

1. The pattern is parsed by the stdlib's own parser (`re._parser`). Each character-consuming item
   (a literal, a class, `.`, `\\w`) is a *position*; its label is the set of characters it
   matches, taken over a small alphabet of representative characters (every character the
   pattern names, both ends of its ranges, their other case, and a fixed sample of letters,
   digits, spaces and punctuation), so that two labels meet when some character matches both.
   Zero-width items (anchors, `\\b`, lookarounds, back-references) match no character.
2. Transitions are made as in Glushkov's construction (first / last / follow sets), except that
   each transition remembers which construct made it (a sequence, or one repeat): `(a+)+` gets
   two transitions a -> a, one from each `+`, where Glushkov's automaton merges them.
3. In the product of the automaton with itself, a path pairs two runs on the same text. The
   pattern has EDA exactly when some strongly connected part of the product holds a pair of equal
   states and a step made of two different transitions: from one state, two different ways back
   to it over the same text, which a failing text can repeat n times for 2**n ways.

Bounded repeats `x{m,n}` are written out when small and taken as `x{min(m,1),}` otherwise (more
text than the pattern matches, so a pattern is never found safer than it is). An atomic group
or a possessive repeat does not give back what it matched: it is one position. Polynomial
slowness (`.*.*.*x`) is not EDA and is not rejected here: the per-search time limit and the
per-document budget of cleaner.rules.budget bound it.
"""
from __future__ import annotations

import re
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

try:  # the stdlib's own regex parser: public in effect, private in name
    from re import _constants as _C
    from re import _parser as _P
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _C  # type: ignore[no-redef]
    import sre_parse as _P  # type: ignore[no-redef]

# The representative characters every label is taken over (besides those the pattern names):
# letters (ASCII, accented, other scripts), digits (ASCII and not), spaces, punctuation, symbols.
SAMPLE_CHARS = "aZq_09٣ \t\n\r\u00a0\u2009.,;:!?-–'\"’()[]/\\|@#%&*+=<>~$€©…éßЖж中ا\u202e\x00"
# A bounded repeat is written out when it has at most this many copies and this many positions.
EXPAND_MAX_COPIES = 8
EXPAND_MAX_POSITIONS = 256
# The product automaton may have at most this many states; a pattern needing more is refused as
# too complex to check (a decision by size, not by time).
MAX_PRODUCT_STATES = 200_000

_REPEATS = tuple(getattr(_C, name) for name in ("MAX_REPEAT", "MIN_REPEAT") if hasattr(_C, name))
_ATOMIC = tuple(getattr(_C, name) for name in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT") if hasattr(_C, name))
_ZERO_WIDTH = (_C.AT, _C.ASSERT, _C.ASSERT_NOT, _C.GROUPREF)
# Escapes of the `regex` module that the stdlib parser does not know, read as one it does (a class
# that matches at least as much: the check errs towards rejecting).
_REGEX_ESCAPES = ((re.compile(r"\\[pP]\{\^?Z[^}]*\}|\\[pP]Z"), r"\\s"), (re.compile(r"\\p\{[^}]*\}|\\p[A-Za-z]"), r"\\S"),
                  (re.compile(r"\\P\{[^}]*\}|\\P[A-Za-z]"), r"\\W"), (re.compile(r"\\X"), "."),
                  (re.compile(r"\\[mM]"), r"\\b"), (re.compile(r"\\[GK]"), ""))


# The `regex` module's fuzzy matching (`(?:colour){e<=1}`): the stdlib parser would read it as
# literal text; the check reads the pattern without it (exact matching's structure; what fuzzy
# matching costs beyond that is bounded by the time limit and the budget of cleaner.rules.budget).
_FUZZY = re.compile(r"(?<!\\)\{[\d\s+*<=,.]*[eisd][\deisd\s+*<=,.]*\}")


# Flags of the `regex` module alone: reverse (r: the same automaton read backwards, as ambiguous),
# full case folding (f), best/enhanced match (b, e), POSIX (p), word boundaries (w), V0. Dropped
# from a flag group before the stdlib parser reads it (V1, which changes what a set means, is not).
_REGEX_FLAGS = re.compile(r"\(\?((?:[aiLmsux]|[rfbepw]|V0)*(?:-[imsx]+)?)([:)])")


def _stdlib_flags(m: re.Match) -> str:
    flags = re.sub(r"V0|[rfbepw]", "", m.group(1))
    if m.group(2) == ")":
        return f"(?{flags})" if flags.strip("-") else ""
    return f"(?{flags}:" if flags else "(?:"


class Unreadable(ValueError):
    """The pattern uses syntax the structure check cannot read."""


@dataclass
class _Automaton:
    labels: list[int] = field(default_factory=list)             # position -> bitmask over the alphabet
    edges: set[tuple[int, int, int]] = field(default_factory=set)   # (from, to, construct); from -1: the start
    constructs: int = 0

    def construct(self) -> int:
        self.constructs += 1
        return self.constructs


@dataclass(frozen=True)
class _Frag:
    nullable: bool
    first: frozenset[int]
    last: frozenset[int]


_EMPTY = _Frag(True, frozenset(), frozenset())


class _Builder:
    def __init__(self, alphabet: str):
        self.alphabet = alphabet
        self.auto = _Automaton()
        self.full = (1 << len(alphabet)) - 1
        self.bits: dict[str, int] = {}        # character -> its bit
        self.folded: dict[str, int] = {}      # character -> the bits of the characters equal to it without case
        for bit, ch in enumerate(alphabet):
            self.bits[ch] = 1 << bit
            for variant in {ch, ch.lower(), ch.upper(), ch.casefold()}:
                if len(variant) == 1:
                    self.folded[variant] = self.folded.get(variant, 0) | 1 << bit
        self.cache: dict[tuple, int] = {}

    # ------------------------------------------------------------ labels

    def _mask(self, test, ignore_case: bool) -> int:
        mask = 0
        for bit, ch in enumerate(self.alphabet):
            if test(ch) or (ignore_case and (test(ch.lower()) or test(ch.upper()) or test(ch.casefold()))):
                mask |= 1 << bit
        return mask

    def label(self, op, av, ignore_case: bool) -> int:
        if op in (_C.LITERAL, _C.NOT_LITERAL):
            ch = chr(av)
            same = (self.folded.get(ch, 0) | self.bits.get(ch, 0)) if ignore_case else self.bits.get(ch, 0)
            return same if op is _C.LITERAL else self.full & ~same
        if op is _C.ANY:
            return self.full
        key = (op, repr(av), ignore_case)
        if key not in self.cache:
            self.cache[key] = self._label(op, av, ignore_case)
        return self.cache[key]

    def _label(self, op, av, ignore_case: bool) -> int:
        if op is _C.IN:
            negate = bool(av) and av[0][0] is _C.NEGATE
            items = av[1:] if negate else av
            return self._mask(lambda c: len(c) == 1 and (any(_in_item(i_op, i_av, c) for i_op, i_av in items) != negate),
                              ignore_case)
        if op is _C.CATEGORY:
            return self._mask(lambda c: len(c) == 1 and _category(av, c), ignore_case)
        raise Unreadable(f"unknown item {op}")

    # ------------------------------------------------------------ Glushkov with tagged transitions

    def position(self, mask: int) -> _Frag:
        self.auto.labels.append(mask)
        p = len(self.auto.labels) - 1
        return _Frag(False, frozenset((p,)), frozenset((p,)))

    def link(self, lasts: frozenset[int], firsts: frozenset[int], tag: int) -> None:
        for a in lasts:
            for b in firsts:
                self.auto.edges.add((a, b, tag))

    def sequence(self, items, ignore_case: bool) -> _Frag:
        return self.concat([lambda op=op, av=av: self.item(op, av, ignore_case) for op, av in items])

    def concat(self, makers) -> _Frag:
        """Fragments in a row (each made by calling its maker, in order), linked by one construct."""
        tag = self.auto.construct()
        nullable, first, last = True, frozenset(), frozenset()
        for make in makers:
            frag = make()
            self.link(last, frag.first, tag)
            if nullable:
                first = first | frag.first
            last = (frag.last | last) if frag.nullable else frag.last
            nullable = nullable and frag.nullable
        return _Frag(nullable, first, last)

    def star(self, frag: _Frag, at_least_once: bool) -> _Frag:
        self.link(frag.last, frag.first, self.auto.construct())
        return _Frag(frag.nullable or not at_least_once, frag.first, frag.last)

    def item(self, op, av, ignore_case: bool) -> _Frag:
        if op in (_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN, _C.CATEGORY):
            return self.position(self.label(op, av, ignore_case))
        if op in _ZERO_WIDTH:
            return _EMPTY
        if op is _C.SUBPATTERN:
            _, add, remove, sub = av
            case = (ignore_case or bool(add & re.IGNORECASE)) and not remove & re.IGNORECASE
            return self.sequence(sub, case)
        if op is _C.BRANCH:
            frags = [self.sequence(alt, ignore_case) for alt in av[1]]
            return _Frag(any(f.nullable for f in frags), frozenset().union(*(f.first for f in frags)),
                         frozenset().union(*(f.last for f in frags)))
        if op is _C.GROUPREF_EXISTS:
            _, yes, no = av
            frags = [self.sequence(yes, ignore_case), self.sequence(no, ignore_case) if no is not None else _EMPTY]
            return _Frag(any(f.nullable for f in frags), frags[0].first | frags[1].first, frags[0].last | frags[1].last)
        if op in _REPEATS:
            return self.repeat(av, ignore_case)
        if op in _ATOMIC:
            return self.atomic(op, av, ignore_case)
        raise Unreadable(f"unknown item {op}")

    def repeat(self, av, ignore_case: bool) -> _Frag:
        low, high, sub = av
        if high == 0:
            return _EMPTY
        if high == 1:
            frag = self.sequence(sub, ignore_case)
            return frag if low else _Frag(True, frag.first, frag.last)
        size = _positions(sub)
        if high != _C.MAXREPEAT and high <= EXPAND_MAX_COPIES and size * high <= EXPAND_MAX_POSITIONS:
            # x{m,n} written out as x..x (x (x ...)?)?: m copies, then nested optional ones.
            copy = lambda: self.sequence(sub, ignore_case)  # noqa: E731
            return self.concat([copy] * low + [lambda: self.optional_chain(sub, high - low, ignore_case)])
        return self.star(self.sequence(sub, ignore_case), at_least_once=low >= 1)

    def optional_chain(self, sub, copies: int, ignore_case: bool) -> _Frag:
        """(x (x (...)?)?)? with `copies` copies of x: each copy only after the one before."""
        if copies == 0:
            return _EMPTY
        frag = self.concat([lambda: self.sequence(sub, ignore_case),
                            lambda: self.optional_chain(sub, copies - 1, ignore_case)])
        return _Frag(True, frag.first, frag.last)

    def atomic(self, op, av, ignore_case: bool) -> _Frag:
        """An atomic group or a possessive repeat matches one way: one position with every
        character it can match (nullable when it can match nothing)."""
        inner = _Builder(self.alphabet)
        sub = av if op is getattr(_C, "ATOMIC_GROUP", None) else av[2]
        frag = inner.sequence(sub, ignore_case)
        mask = 0
        for m in inner.auto.labels:
            mask |= m
        nullable = frag.nullable or (op is not getattr(_C, "ATOMIC_GROUP", None) and av[0] == 0)
        if not mask:
            return _EMPTY
        pos = self.position(mask)
        return _Frag(nullable, pos.first, pos.last)


def _positions(items) -> int:
    """How many positions the items make (bounded repeats as written out, roughly)."""
    n = 0
    for op, av in items:
        if op in (_C.LITERAL, _C.NOT_LITERAL, _C.ANY, _C.IN, _C.CATEGORY):
            n += 1
        elif op is _C.SUBPATTERN:
            n += _positions(av[3])
        elif op is _C.BRANCH:
            n += sum(_positions(alt) for alt in av[1])
        elif op in _REPEATS:
            high = av[1]
            n += _positions(av[2]) * (high if high != _C.MAXREPEAT and high <= EXPAND_MAX_COPIES else 1)
        elif op is _C.GROUPREF_EXISTS:
            n += _positions(av[1]) + (_positions(av[2]) if av[2] is not None else 0)
        else:
            n += 1
    return n


def _in_item(op, av, c: str) -> bool:
    if op is _C.LITERAL:
        return ord(c) == av
    if op is _C.NOT_LITERAL:
        return ord(c) != av
    if op is _C.RANGE:
        return av[0] <= ord(c) <= av[1]
    if op is _C.CATEGORY:
        return _category(av, c)
    raise Unreadable(f"unknown class item {op}")


def _category(code, c: str) -> bool:
    name = str(code).replace("UNI_", "").replace("LOC_", "")
    word = c.isalnum() or c == "_"
    return {
        "CATEGORY_DIGIT": c.isdecimal(), "CATEGORY_NOT_DIGIT": not c.isdecimal(),
        "CATEGORY_SPACE": c.isspace(), "CATEGORY_NOT_SPACE": not c.isspace(),
        "CATEGORY_WORD": word, "CATEGORY_NOT_WORD": not word,
        "CATEGORY_LINEBREAK": c == "\n", "CATEGORY_NOT_LINEBREAK": c != "\n",
    }[name]


def _nested(op, av) -> list:
    """The item sequences nested in one parsed item: a group's body, a branch's alternatives, a
    repeat's body, an atomic group, a lookaround's body, a conditional's two arms."""
    if op is _C.SUBPATTERN:
        return [av[3]]
    if op is _C.BRANCH:
        return list(av[1])
    if op in _REPEATS or op is getattr(_C, "POSSESSIVE_REPEAT", None):
        return [av[2]]
    if op is getattr(_C, "ATOMIC_GROUP", None):
        return [av]
    if op in (_C.ASSERT, _C.ASSERT_NOT):
        return [av[1]]
    if op is _C.GROUPREF_EXISTS:
        return [av[1]] + ([av[2]] if av[2] is not None else [])
    return []


def _alphabet(parsed_items) -> str:
    """SAMPLE_CHARS, and every character the pattern names (literals, ends of ranges) in both cases."""
    chars = set(SAMPLE_CHARS)

    def walk(items) -> None:
        for op, av in items:
            if op in (_C.LITERAL, _C.NOT_LITERAL):
                chars.add(chr(av))
            elif op is _C.IN:
                for i_op, i_av in av:
                    if i_op in (_C.LITERAL, _C.NOT_LITERAL):
                        chars.add(chr(i_av))
                    elif i_op is _C.RANGE:
                        chars.update((chr(i_av[0]), chr(i_av[1])))
                        if i_av[0] < i_av[1]:
                            chars.add(chr(i_av[0] + 1))
            else:
                for sub in _nested(op, av):
                    walk(sub)

    walk(parsed_items)
    more = set()
    for c in chars:
        for v in (c.lower(), c.upper(), c.casefold()):
            if len(v) == 1:
                more.add(v)
    return "".join(sorted(chars | more))


_PARSER_LOCK = threading.Lock()


def _alternation_as_written(source, state, verbose, nested):
    """The stdlib parser's reading of `a|b|c`, without its two rewrites (a prefix common to all
    branches moved out; single-character branches merged into one class): both hide the branches'
    overlap (`a|a`, `\\w|\\d`) on which this check turns. The branches are the same text."""
    branches = []
    while True:
        branches.append(_P._parse(source, state, verbose, nested + 1, not nested and not branches))
        if not source.match("|"):
            break
        if not nested:
            verbose = state.flags & _C.SRE_FLAG_VERBOSE
    if len(branches) == 1:
        return branches[0]
    out = _P.SubPattern(state)
    out.append((_C.BRANCH, (None, branches)))
    return out


@contextmanager
def _branches_as_written():
    """The stdlib parser with _alternation_as_written, for the time of one parse. (Another thread
    compiling a pattern meanwhile gets the same language, without the rewrites' speed-up.)"""
    with _PARSER_LOCK:
        original = _P._parse_sub
        _P._parse_sub = _alternation_as_written
        try:
            yield
        finally:
            _P._parse_sub = original


def parse(source: str, ignore_case: bool):
    """The stdlib parser's tree of a pattern written for the `regex` module (V0), its alternations
    as written. Raises Unreadable."""
    text = _REGEX_FLAGS.sub(_stdlib_flags, _FUZZY.sub("", source))
    for pattern, replacement in _REGEX_ESCAPES:
        text = pattern.sub(replacement, text)
    try:
        with _branches_as_written(), warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "possible nested set" (a POSIX class): read as written
            return _P.parse(text, re.IGNORECASE if ignore_case else 0)
    except (re.error, ValueError, OverflowError, RecursionError, TypeError) as exc:
        raise Unreadable(str(exc).split("\n")[0]) from None


def exponential_ambiguity(source: str, ignore_case: bool = False) -> bool:
    """True when the pattern can match some text in exponentially many ways (see the module's
    docstring): a backtracking engine can then take exponential time on a failing text.

    Raises Unreadable when the pattern uses syntax the stdlib parser cannot read (the `regex`
    module's recursion and branch reset, flags in the middle of the pattern), or is too complex
    to check (more than MAX_PRODUCT_STATES pairs of states)."""
    parsed = parse(source, ignore_case)
    items = list(parsed)
    case = ignore_case or bool(parsed.state.flags & re.IGNORECASE)
    builder = _Builder(_alphabet(items))
    frag = builder.sequence(items, case)
    auto = builder.auto
    start = -1
    for p in frag.first:
        auto.edges.add((start, p, 0))
    return _has_eda(auto)


def longest_literal(source: str, ignore_case: bool = False) -> int:
    """The length of the pattern's longest run of literal characters (in one branch, one group).
    Raises Unreadable as `exponential_ambiguity` does."""
    best = 0

    def walk(items) -> None:
        nonlocal best
        run = 0
        for op, av in items:
            if op is _C.LITERAL:
                run += 1
                best = max(best, run)
                continue
            run = 0
            for sub in _nested(op, av):
                walk(sub)

    walk(list(parse(source, ignore_case)))
    return best


def _has_eda(auto: _Automaton) -> bool:
    out: dict[int, list[tuple[int, int]]] = {}
    for a, b, tag in auto.edges:
        out.setdefault(a, []).append((b, tag))
    labels = auto.labels
    # The product's states reachable from the pairs of equal states; a step is "split" when the
    # two runs take different transitions.
    graph: dict[tuple[int, int], list[tuple[tuple[int, int], bool]]] = {}
    stack = [(p, p) for p in [-1, *range(len(labels))]]
    seen = set(stack)
    while stack:
        node = stack.pop()
        p, q = node
        steps: list[tuple[tuple[int, int], bool]] = []
        for b1, t1 in out.get(p, ()):
            for b2, t2 in out.get(q, ()):
                if labels[b1] & labels[b2]:
                    nxt = (b1, b2)
                    steps.append((nxt, (b1, t1) != (b2, t2)))
                    if nxt not in seen:
                        seen.add(nxt)
                        if len(seen) > MAX_PRODUCT_STATES:
                            raise Unreadable(f"too complex to check (more than {MAX_PRODUCT_STATES} states)")
                        stack.append(nxt)
        graph[node] = steps
    component = _components(graph)
    diagonal = {component[n] for n in graph if n[0] == n[1]}
    for node, steps in graph.items():
        c = component[node]
        if c not in diagonal:
            continue
        for nxt, split in steps:
            if split and component[nxt] == c:
                return True
    return False


def _components(graph: dict) -> dict:
    """Strongly connected components (Tarjan's algorithm, iterative): node -> component number."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    comp: dict = {}
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            steps = graph.get(node, ())
            descended = False
            while i < len(steps):
                nxt = steps[i][0]
                i += 1
                if nxt not in index:
                    work.append((node, i))
                    work.append((nxt, 0))
                    descended = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if descended:
                continue
            if low[node] == index[node]:
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp[w] = node
                    if w == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return comp
