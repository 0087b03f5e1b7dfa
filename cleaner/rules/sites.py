"""Which site's rules apply to a document: --site, else the most specific host of its URL, else
a fingerprint in its text, else none (generic rules only)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from ..blocks import normalise_text
from ..errors import RuleError
from .budget import PatternTimeout, limited_found
from .rule import SiteRules
from .validate import closest

# Fingerprints are looked for in this much of the document's start (characters).
FINGERPRINT_WINDOW = 200_000


def url_host(url: str | None) -> str:
    """The URL's host, lower-cased, without a trailing dot ('' when there is none)."""
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.lower().rstrip(".")


def site_named(sites: Sequence[SiteRules], name: str) -> SiteRules | None:
    """A site by its name, its file's name (without .yaml) or one of its hosts; the first of
    `sites` (highest precedence first) that answers to it. Failing that, a host under one of a
    site's hosts ("www.rferl.org" for "rferl.org"), the most specific host winning, as for a
    URL's host. None when no site answers."""
    key = name.strip().lower()
    for site in sites:
        stem = Path(site.path).stem.lower()
        if key in (site.name.lower(), stem) or key in site.hosts:
            return site
    under = [(len(h), i) for i, site in enumerate(sites) for h in site.hosts if key.endswith("." + h)]
    return sites[min(under, key=lambda found: (-found[0], found[1]))[1]] if under else None


def match_site(sites: Sequence[SiteRules], *, url: str | None = None, text: str = "",
               site: str | None = None) -> SiteRules | None:
    """The site whose rules apply: `site` (the --site option) > most specific host of `url` >
    first fingerprint found in the start of `text` > None. Raises RuleError when `site` names
    no site (with "did you mean")."""
    if site:
        found = site_named(sites, site)
        if found is None:
            close = closest(site.lower(), [s.name.lower() for s in sites])
            hint = f" (did you mean {close!r}?)" if close else ""
            raise RuleError(f"no rules for site {site!r}{hint}; see 'newsclean rules list'")
        return found
    host = url_host(url)
    if host:
        best: tuple[int, SiteRules] | None = None
        for s in sites:
            for h in s.hosts:
                if (host == h or host.endswith("." + h)) and (best is None or len(h) > best[0]):
                    best = (len(h), s)
        if best:
            return best[1]
    head = normalise_text(text[:FINGERPRINT_WINDOW])
    for s in sites:
        for fp in s.fingerprints:
            try:
                if limited_found(fp, head, None):
                    return s
            except PatternTimeout:
                continue
    return None
