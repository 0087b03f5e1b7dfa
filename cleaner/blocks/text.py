"""Text into blocks: one block per non-empty line, glued lines split into their parts."""
from __future__ import annotations

import re

from ..article import Block, plain

# Whitespace that scrapers leave inside lines: tabs, non-breaking and other Unicode spaces. Runs
# of them become one space. The pattern finds only what that changes (a run of two or more, or
# one that is not a plain space), and starts with a character class, which the engine skips to,
# so that a text of single spaces costs one quick scan.
_SPACE_CLASS = r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_SPACES = re.compile(rf"{_SPACE_CLASS}(?:{_SPACE_CLASS}+|(?<! ))")
_ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
# Characters that are dropped: zero-width ones, and control characters (C0 and C1, bar the
# whitespace and line breaks handled above), which no article contains and which would make the
# cleaned text look binary when cleaned again.
_DROPPED = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x0b|\x0c|\x85")


# What normalise_text would change: a line break or space other than LF and ' ', two spaces, a
# space at a line's end or start, a character that is dropped.
_NOT_NORMAL = re.compile(r"[^\S\n ]|  |^ | $|" + _DROPPED.pattern[1:-1].join("[]"), re.M)


def normalise_text(text: str) -> str:
    """Each line as blocks see it (normalise_line), joined by LF: what fingerprints are matched
    against, so that a site is recognised the same in a scraped text and in its cleaned text."""
    if _NOT_NORMAL.search(text) is None:
        return text
    return "\n".join(normalise_line(line) for line in _LINE_BREAKS.split(text))


_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
# A dateline glued after other text on the same line, e.g. a caption followed by
# "April 20, 2007 (RFE/RL) -- U.S. Defense Secretary ...": split before the date and after the dash.
GLUED_DATELINE = re.compile(
    rf"(?<=\S)\s+(?P<dateline>{_MONTH}\s+\d{{1,2}},\s+\d{{4}}\s+\([^()]{{2,40}}\)\s*(?:--|—|–|-)\s*)(?=\S)"
)
# Every glued dateline holds this: a cheap test before searching a whole text for one.
_GLUED_HINT = re.compile(r"\)\s*(?:--|—|–|-)")


def normalise_line(line: str) -> str:
    """Collapse runs of spaces, tabs and non-breaking spaces; drop zero-width and control characters."""
    return _SPACES.sub(" ", _DROPPED.sub("", line)).strip()


def split_glued(text: str) -> list[tuple[str, str]]:
    """Split a line that glues e.g. a caption, a dateline and a sentence. Returns (part, role)."""
    m = GLUED_DATELINE.search(text)
    if not m:
        return [(text, "")]
    before, dateline, after = text[:m.start()].strip(), m.group("dateline").strip(), text[m.end():].strip()
    return [(p, role) for p, role in ((before, "glued-before"), (dateline, "glued-dateline"), (after, "")) if p]


def text_blocks(text: str) -> list[Block]:
    """One block per non-empty line, in order, with its 1-based line number."""
    if _DROPPED.search(text) is None:
        return _text_blocks_fast(text)
    blocks: list[Block] = []
    for number, raw in enumerate(_LINE_BREAKS.split(text), start=1):
        line = normalise_line(raw)
        if not line:
            continue
        for part, role in split_glued(line):
            blocks.append(Block(text=part, line=number, origin=role or "text"))
    return blocks


def _text_blocks_fast(text: str) -> list[Block]:
    """text_blocks of a text without characters to drop, with one pass of each pattern over the
    whole text instead of one per line. The same blocks: runs of spaces never span a line break
    (no line-break character is in _SPACES), so collapsing them in the whole text collapses them
    in each line; and a glued dateline found in a line is found in the whole text (it is bounded
    by non-spaces inside the line), so a text without one has none in any line."""
    spaced = _SPACES.sub(" ", text) if "  " in text or _ODD_SPACE.search(text) else text
    glued = _GLUED_HINT.search(spaced) is not None and GLUED_DATELINE.search(spaced) is not None
    blocks: list[Block] = []
    for number, raw in enumerate(_LINE_BREAKS.split(spaced), start=1):
        line = raw.strip()
        if not line:
            continue
        if glued:
            for part, role in split_glued(line):
                blocks.append(Block(text=part, line=number, origin=role or "text"))
        else:
            blocks.append(Block(text=line, line=number, origin="text"))
    return blocks


_DIGITS = re.compile(r"\d+")


def dedup_key(text: str) -> str:
    """A line's identity for cross-document counting: case, digits, bullets and spacing folded."""
    return _DIGITS.sub("0", " ".join(plain(text).lower().split()))
