"""Bytes to text, and telling HTML from plain text."""
from __future__ import annotations

import codecs
import re

from .errors import InputError

# Share of control characters (other than whitespace) above which bytes are taken as binary.
MAX_CONTROL_SHARE = 0.05
# How much of a document is looked at to decide it is HTML, and to find a declared charset.
SNIFF_CHARS = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Leading comments are matched so that no comment can run into the next one: `<!--.*?-->` under
# `*` has exponentially many ways to split a run of comments and backtracked for minutes.
_HTML_START = re.compile(r"^\s*(?:<!--(?:[^-]|-(?!->))*-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s)", re.I | re.S)
_HTML_TAGS = re.compile(r"</?(?:html|head|body|div|p|span|article|section|script|a|br|table|meta|link|title)\b[^>]*>", re.I)
# A document is HTML if it starts like one, or if tags are this dense in its opening.
MIN_TAGS_FOR_HTML = 5
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Lone surrogates: no output can encode them. In a str they become U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"
# Declared charsets that decode any bytes, so a wrong declaration never fails: checked against
# detection (codecs.lookup names), and overruled when detection reads the page with this much less
# "chaos" (charset-normalizer's measure of implausible characters, 0..1).
DECODES_ANY_BYTES = frozenset({"iso8859-1", "cp1252", "iso8859-15"})
MISLABELLED_CHAOS_MARGIN = 0.1
# How much of the bytes charset detection looks at.
DETECT_BYTES = 1_000_000
# Codecs a page may declare that are not character sets: they turn "\\ud800" into a lone
# surrogate or refuse everything.
REFUSED_CODECS = frozenset({"raw-unicode-escape", "unicode-escape", "undefined", "utf-7"})


def _looks_binary(text: str) -> bool:
    sample = text[:SNIFF_CHARS * 2]
    if not sample:
        return False
    if "\x00" in sample:
        return True
    return len(_CONTROL.findall(sample)) / len(sample) > MAX_CONTROL_SHARE


def decode(data: bytes | str, *, source: str = "<input>") -> str:
    """Return the document as text. Raises InputError for binary or undecodable bytes.

    Lone surrogates in a str (from json.loads of '\\ud800', or a surrogateescape'd file name) become
    U+FFFD: no output could encode them, so they would crash whoever writes the article.
    """
    if isinstance(data, str):
        try:
            data.encode("utf-8")   # fast: only a str holding lone surrogates fails
            text = data
        except UnicodeEncodeError:
            text = _SURROGATE.sub(REPLACEMENT_CHARACTER, data)
    else:
        text = _decode_bytes(data, source)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _looks_binary(text):
        raise InputError("binary data, not text or HTML", path=source)
    return text


def _decode_bytes(data: bytes, source: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"undecodable bytes for {encoding} at offset {exc.start}", path=source) from None
    if b"\x00" in data[:SNIFF_CHARS]:
        raise InputError("binary data, not text or HTML", path=source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _DECLARED_CHARSET.search(data[:SNIFF_CHARS * 4])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        text = _decode_as(data, name)
        if text is not None and not _mislabelled(data, name):
            return text  # else a wrong declaration: fall through to detection
    from charset_normalizer import from_bytes  # imported lazily: only non-UTF-8 input needs it

    best = from_bytes(data[:DETECT_BYTES]).best()
    if best is None or best.encoding is None:
        raise InputError("undecodable bytes: not UTF-8 and no encoding detected", path=source)
    text = _decode_as(data, best.encoding)
    if text is None:
        raise InputError(f"undecodable bytes (detected {best.encoding})", path=source)
    return text


def _mislabelled(data: bytes, declared: str) -> bool:
    """True when a declared charset that decodes any bytes (Latin-1, Windows-1252) reads this page
    much worse than detection does: e.g. Windows-1251 Russian declared as ISO-8859-1, which would
    otherwise come out as "Ñîâåò äåïóòàòîâ"."""
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return False
    if name not in DECODES_ANY_BYTES:
        return False
    from charset_normalizer import from_bytes

    sample = data[:DETECT_BYTES]
    best = from_bytes(sample).best()
    if best is None or codecs.lookup(best.encoding).name in DECODES_ANY_BYTES:
        return False
    as_declared = from_bytes(sample, cp_isolation=[name]).best()
    return as_declared is None or as_declared.chaos > best.chaos + MISLABELLED_CHAOS_MARGIN


def _decode_as(data: bytes, encoding: str) -> str | None:
    """`data` decoded as `encoding`; None for an unknown or refused codec, bad bytes, or a result
    holding lone surrogates (which could not be written out again)."""
    try:
        if codecs.lookup(encoding).name in REFUSED_CODECS:
            return None
        text = data.decode(encoding)
    except (LookupError, ValueError):  # ValueError: UnicodeError and its subclasses, codec quirks
        return None
    return None if _SURROGATE.search(text) else text


def is_html(text: str) -> bool:
    """True when the document is an HTML page or fragment rather than scraped plain text."""
    head = text[:SNIFF_CHARS]
    if _HTML_START.match(head):
        return True
    return len(_HTML_TAGS.findall(head)) >= MIN_TAGS_FOR_HTML


def detect_format(text: str, requested: str = "auto") -> str:
    if requested in ("text", "html"):
        return requested
    return "html" if is_html(text) else "text"
