"""Fetching a document named by its URL (`newsclean clean https://...`): one GET with a timeout
and a size limit, the body's bytes for the pipeline (which decodes them as it decodes a file's)."""
from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request

from ..errors import InputError
from .files import MAX_DOCUMENT_BYTES

# A command-line argument that is a URL rather than a file name.
URL_ARGUMENT = re.compile(r"^https?://", re.I)
# Seconds to wait for the server to connect and for each read.
FETCH_TIMEOUT_S = 30.0
# A page larger than this is refused (the same limit as a file's).
FETCH_MAX_BYTES = MAX_DOCUMENT_BYTES
# Read the body in pieces of this many bytes (to stop as soon as the limit is passed).
READ_CHUNK_BYTES = 1 << 16
USER_AGENT = "newsclean/0.1"


def is_url(argument: str) -> bool:
    """True for an http(s) URL given where a file name is expected."""
    return bool(URL_ARGUMENT.match(argument))


def fetch(url: str, *, timeout: float = FETCH_TIMEOUT_S, max_bytes: int = FETCH_MAX_BYTES) -> bytes:
    """The body of `url` (http or https; redirects followed). Raises InputError naming the URL, on
    one line, for an HTTP error status, a network failure or timeout, or a body over max_bytes."""
    try:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain, */*"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise InputError(f"cannot fetch: too large ({declared} bytes; the limit is {max_bytes})", path=url)
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = response.read(READ_CHUNK_BYTES)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(f"cannot fetch: too large (over {max_bytes} bytes)", path=url)
                chunks.append(chunk)
            return b"".join(chunks)
    except urllib.error.HTTPError as exc:
        raise InputError(f"cannot fetch: HTTP {exc.code} {exc.reason}", path=url) from None
    except urllib.error.URLError as exc:
        raise InputError(f"cannot fetch: {getattr(exc.reason, 'strerror', None) or exc.reason}", path=url) from None
    except TimeoutError:
        raise InputError(f"cannot fetch: no answer in {timeout:g} s", path=url) from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # a reset connection, a malformed URL or response
        raise InputError(f"cannot fetch: {getattr(exc, 'strerror', None) or exc}", path=url) from None
