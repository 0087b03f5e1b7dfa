"""Read: a document's bytes in, its text out, and whether that text is plain text or HTML.

    files.py   reading a file or standard input (with a size limit), and writing outputs atomically
    decode.py  bytes to text (BOM, UTF-8, declared charset, detection); plain text or HTML?
    fetch.py   one HTTP(S) GET for `newsclean clean https://...`

The rest of the package reads a document with `read_document` (files) and decodes it with
`decode_document` and `detect_format` (decode); writers import `write_atomic` from `files`.
"""
from .decode import decode_document, detect_format
from .files import read_document

__all__ = ["decode_document", "detect_format", "read_document"]
