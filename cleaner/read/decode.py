"""Bytes to text, and telling HTML from plain text.

Bytes are decoded in this order: a byte-order mark; UTF-16 without one (told by where its NUL
bytes fall); UTF-8; damaged UTF-8 (a cut-off tail, or a few invalid bytes beside valid multi-byte
characters: each invalid byte becomes U+FFFD, with a warning); the charset the page declares;
detection by charset-normalizer. Text in which control characters (NUL included) are a large
share is binary and refused; a stray one is kept as it is.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from ..errors import InputError

# Binary, not text: control characters (NUL included; not tab, line feed, carriage return or form
# feed) are more than this share of the opening (2 * SNIFF_CHARS characters or bytes).
MAX_CONTROL_SHARE = 0.05
# How much of a document is looked at to decide it is HTML, and to find a declared charset.
SNIFF_CHARS = 4096
# Bytes that are not valid UTF-8 are still read as UTF-8 (each invalid byte becomes U+FFFD, and
# the article gets a warning) when they are at most this share of the non-ASCII bytes: the rest
# are well-formed multi-byte characters, which a file in a one-byte charset (Windows-1252,
# Latin-1) hardly ever holds, so such a file is still decoded by declaration or detection.
MAX_INVALID_UTF8_SHARE = 0.25
# Also read as UTF-8: a text holding at least one valid multi-byte UTF-8 sequence, where the valid
# multi-byte sequences are at least this many times the runs of invalid bytes. In a one-byte
# charset each accented letter is a run of invalid bytes on its own and a valid multi-byte
# sequence needs two high bytes side by side in just the right ranges (an accented capital then a
# symbol), so as many valid sequences as bad runs says damaged UTF-8 (a byte dropped or pasted
# in): "José" with one stray byte is UTF-8, not "Jos├®" in code page 437.
MIN_VALID_SEQUENCES_PER_INVALID_RUN = 1
# UTF-16 without a byte-order mark: of the opening's bytes at odd positions (little-endian) or at
# even positions (big-endian), at least this share are NUL (the high byte of Latin characters)...
UTF16_MIN_NUL_SHARE = 0.3
# ... and at most this share of the bytes at the other positions.
UTF16_MAX_OTHER_NUL_SHARE = 0.05

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
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ASCII = bytes(range(128))
# Lone surrogates: no output can encode them. In a str they become U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")
# What the surrogateescape error handler makes of an invalid byte (0x80-0xff): one per byte.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")
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


@dataclass(frozen=True)
class Decoded:
    """A document as text, and what decoding it had to say (e.g. "3 invalid UTF-8 bytes replaced
    by U+FFFD"); the warnings go to Article.warnings."""

    text: str
    warnings: tuple[str, ...] = ()


def _control_share(sample: str | bytes) -> float:
    if not sample:
        return 0.0
    pattern = _CONTROL if isinstance(sample, str) else _CONTROL_BYTES
    return len(pattern.findall(sample)) / len(sample)


def _looks_binary(text: str) -> bool:
    return _control_share(text[:SNIFF_CHARS * 2]) > MAX_CONTROL_SHARE


def decode(data: bytes | str, *, source: str = "<input>") -> str:
    """Return the document as text. Raises InputError for binary or undecodable bytes.

    Lone surrogates in a str (from json.loads of '\\ud800', or a surrogateescape'd file name) become
    U+FFFD: no output could encode them, so they would crash whoever writes the article.
    """
    return decode_document(data, source=source).text


def decode_document(data: bytes | str, *, source: str = "<input>") -> Decoded:
    """Like `decode`, with the warnings decoding gave (invalid UTF-8 bytes replaced).

    Raises InputError naming `source` for binary data (control characters above
    MAX_CONTROL_SHARE) or bytes no encoding reads."""
    warnings: tuple[str, ...] = ()
    if isinstance(data, str):
        try:
            data.encode("utf-8")   # fast: only a str holding lone surrogates fails
            text = data
        except UnicodeEncodeError:
            text = _SURROGATE.sub(REPLACEMENT_CHARACTER, data)
    else:
        text, warnings = _decode_bytes(data, source)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _looks_binary(text):
        raise InputError("binary data, not text or HTML", path=source)
    return Decoded(text, warnings)


def _decode_bytes(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), ()
            except UnicodeDecodeError as exc:
                raise InputError(f"undecodable bytes for {encoding} at offset {exc.start}", path=source) from None
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16, ()
    if _control_share(data[:SNIFF_CHARS * 2]) > MAX_CONTROL_SHARE:
        raise InputError("binary data, not text or HTML", path=source)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _utf8_replacing_a_few(data)
    if mostly_utf8 is not None:
        return mostly_utf8
    declared = _DECLARED_CHARSET.search(data[:SNIFF_CHARS * 4])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        text = _decode_as(data, name)
        if text is not None and not _mislabelled(data, name):
            return text, ()  # else a wrong declaration: fall through to detection
    from charset_normalizer import from_bytes  # imported lazily: only non-UTF-8 input needs it

    best = from_bytes(data[:DETECT_BYTES]).best()
    if best is None or best.encoding is None:
        raise InputError("undecodable bytes: not UTF-8 and no encoding detected", path=source)
    text = _decode_as(data, best.encoding)
    if text is None:
        raise InputError(f"undecodable bytes (detected {best.encoding})", path=source)
    return text, ()


def _utf16_without_bom(data: bytes) -> str | None:
    """The text, when the NUL bytes of the opening fall on one parity of positions only (UTF-16
    of mostly Latin text, without a byte-order mark); else None. Text in another script has no
    such NULs and is left to detection."""
    sample = data[:SNIFF_CHARS * 2]
    half = len(sample) // 2
    if half == 0:
        return None
    even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if odd >= UTF16_MIN_NUL_SHARE and even <= UTF16_MAX_OTHER_NUL_SHARE:
        encoding = "utf-16-le"
    elif even >= UTF16_MIN_NUL_SHARE and odd <= UTF16_MAX_OTHER_NUL_SHARE:
        encoding = "utf-16-be"
    else:
        return None
    return _decode_as(data, encoding)


def _utf8_replacing_a_few(data: bytes) -> tuple[str, tuple[str, ...]] | None:
    """UTF-8 with its invalid bytes replaced by U+FFFD (one per byte) and a warning, when

    (a) the only invalid bytes are an incomplete sequence at the very end (a file cut off inside a
        character), of two bytes or more, or of one lead byte after at least one valid multi-byte
        sequence (a lone high byte ending ASCII text is more likely "é" in Windows-1252); or
    (b) the text holds at least one valid multi-byte sequence and they are at least
        MIN_VALID_SEQUENCES_PER_INVALID_RUN times the runs of invalid bytes; or
    (c) the invalid bytes are at most MAX_INVALID_UTF8_SHARE of the non-ASCII bytes;

    else None (some other charset: declaration or detection decides). The opening (DETECT_BYTES)
    is judged first: a long file in a one-byte charset is refused without the cost of escaping
    each of its bytes."""
    if len(data) > DETECT_BYTES:
        cut = DETECT_BYTES
        while cut > DETECT_BYTES - 3 and 0x80 <= data[cut] < 0xC0:   # not inside a character
            cut -= 1
        if _utf8_replacing_a_few(data[:cut]) is None:
            return None
    escaped = data.decode("utf-8", "surrogateescape")
    text, invalid = _ESCAPED_BYTE.subn(REPLACEMENT_CHARACTER, escaped)   # counted without a list
    non_ascii = len(data.translate(None, _ASCII))
    valid_sequences = len(escaped) - len(escaped.encode("ascii", "ignore")) - invalid
    if not (_cut_off_tail(data, valid_sequences)
            or (valid_sequences >= 1 and valid_sequences >= MIN_VALID_SEQUENCES_PER_INVALID_RUN
                * sum(1 for _ in _ESCAPED_RUN.finditer(escaped)))
            or invalid <= MAX_INVALID_UTF8_SHARE * non_ascii):
        return None
    noun = "byte" if invalid == 1 else "bytes"
    return text, (f"{invalid} invalid UTF-8 {noun} replaced by U+FFFD",)


def _cut_off_tail(data: bytes, valid_sequences: int) -> bool:
    """True when `data` is valid UTF-8 but for an incomplete sequence at its very end, of two
    bytes or more, or of one lead byte when `valid_sequences` (valid multi-byte sequences) >= 1."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return False
    pending = len(decoder.getstate()[0])
    return pending >= 2 or (pending == 1 and valid_sequences >= 1)


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
    """The input format of a decoded document: `requested` when it is "text" or "html", else (for
    "auto") "html" when `is_html(text)`, "text" otherwise."""
    if requested in ("text", "html"):
        return requested
    return "html" if is_html(text) else "text"
