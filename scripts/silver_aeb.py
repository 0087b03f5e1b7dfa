#!/usr/bin/env python3
"""Silver metadata for aeb-dev: title, author, date, site name read from each page's own markup.

    .venv/bin/python scripts/silver_aeb.py [--bench DIR] [--out FILE]
    .venv/bin/python scripts/silver_aeb.py --check-dev2 DIR     # the method against dev2's silver

The method is dev2's ("Silver metadata" in dev2's README), by fixed rules, never from the
visible text, checked by nobody:

- title: `og:title`; else `<title>`, with a leading or trailing ` | ` / ` - ` segment cut only
  when it equals a site name the page declares (og:site_name, JSON-LD publisher or WebSite name,
  `application-name`) or the url's host; else the first `<h1>`.
- author: `meta name=author`, `article:author`, JSON-LD `author.name` (several authors joined by
  "; "), then the text of `<a rel=author>` (not a handle or an address: no "@"). A leading "By" is dropped; values that are URLs, the
  site's own name, placeholders ("admin") or link wording ("View Profile") are skipped.
- date: JSON-LD `datePublished`, `article:published_time`, `meta` `date` / `pubdate` / `DC.date`
  (also `DC.date.issued`, `dcterms.*`), as `YYYY-MM-DD`, the calendar date as written (no
  time-zone shift). Ambiguous (`08/09/2012`) or partial (`2006`) values stay null; `date_raw`
  keeps what was there.
- sitename: `og:site_name`, JSON-LD `publisher.name`.

Each field has a `*_source`. The output (default `bench-out/aeb-silver.json`, gitignored: it is
derived from the benchmark's pages and never committed) maps each page id to its fields;
scripts/eval_metadata.py reads it (and makes it when it is missing). `--check-dev2` runs the
method on dev2's pages and prints how often each field agrees with the silver dev2 ships.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "aeb-dev"
DEFAULT_OUT = ROOT / "bench-out" / "aeb-silver.json"
FIELDS = ("title", "author", "date", "sitename")

# Separators of a <title>'s site segment.
TITLE_SEPARATORS = (" | ", " - ", " :: ", " : ")
# Author values that name nobody.
PLACEHOLDER_AUTHORS = frozenset({"admin", "administrator", "author", "authors", "editor", "editors",
                                 "staff", "guest", "unknown", "anonymous", "webmaster", "user", "none",
                                 "null", "n/a"})
# Link wording that <a rel=author> often carries instead of a name.
LINK_WORDING = re.compile(r"^(?:view|see|more|all|read)\b.*\b(?:profile|posts?|articles?|stories|bio)\b|"
                          r"^(?:posts|articles|stories) by\b|^(?:author|bio|profile|website|home ?page|about(?: us| me)?|"
                          r"contact(?: us| me)?|google ?(?:\+|plus|profile))$", re.I)
_BY = re.compile(r"^\s*by\s*:?\s+", re.I)
_URLISH = re.compile(r"^(?:https?:|www\.)", re.I)
_SPACE = re.compile(r"\s+")
# meta names of a publication date, in the order they are tried after JSON-LD and OpenGraph.
META_DATE_NAMES = ("date", "pubdate", "dc.date", "dc.date.issued")
DCTERMS_PREFIX = "dcterms."
MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for m in names}
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|[T\s])")
_NUMERIC = re.compile(r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})(?:$|[T\s,])")
_MONTH_FIRST = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DAY_FIRST = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def norm(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def meta_content(tree: lxml.html.HtmlElement, key: str, attrs: tuple[str, ...] = ("property", "name")) -> str | None:
    """The first non-empty content of a <meta> whose name or property (`attrs`) is `key`
    (case-insensitive)."""
    key = key.lower()
    for m in tree.iter("meta"):
        for attr in attrs:
            if (m.get(attr) or "").strip().lower() == key:
                value = norm(m.get("content"))
                if value:
                    return value
    return None


def json_ld(tree: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page (top-level, in lists and in @graph), in order."""
    out: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text, strict=False)
        except ValueError:
            continue
        out.extend(_objects(data))
    return out


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"])


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    return {str(x) for x in t} if isinstance(t, list) else {str(t)} if t else set()


def _name(value: Any) -> str | None:
    if isinstance(value, str):
        return norm(value) or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    return None


def host_of(url: str | None) -> str:
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def declared_site_names(tree: lxml.html.HtmlElement, objs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(name, where) of the site names the page declares."""
    out = []
    og = meta_content(tree, "og:site_name")
    if og:
        out.append((og, "og:site_name"))
    for obj in objs:
        pub = _name(obj.get("publisher"))
        if pub:
            out.append((pub, "JSON-LD publisher"))
        if "WebSite" in _types(obj) and _name(obj.get("name")):
            out.append((_name(obj.get("name")), "JSON-LD WebSite"))  # type: ignore[arg-type]
    app = meta_content(tree, "application-name")
    if app:
        out.append((app, "application-name"))
    return out


def silver_title(tree, objs, url) -> tuple[str | None, str | None]:
    og = meta_content(tree, "og:title")
    if og:
        return og, "og:title"
    title_el = tree.find(".//title")
    title = norm(title_el.text_content()) if title_el is not None else ""
    if title:
        names = [(n.casefold(), where) for n, where in declared_site_names(tree, objs)]
        host = host_of(url)
        if host:
            names.append((host, "url host"))
        for sep in TITLE_SEPARATORS:
            if sep not in title:
                continue
            head, _, tail = title.rpartition(sep)
            first, _, rest = title.partition(sep)
            for name, where in names:
                if tail.casefold() == name or where == "url host" and tail.casefold().removeprefix("www.") == name:
                    return head.strip(), f"title minus site suffix (= {where})"
                if first.casefold() == name or where == "url host" and first.casefold().removeprefix("www.") == name:
                    return rest.strip(), f"title minus site prefix (= {where})"
        return title, "title"
    for h1 in tree.iter("h1"):
        text = norm(h1.text_content())
        if text:
            return text, "h1"
    return None, None


def _author_ok(value: str, site_names: set[str]) -> str | None:
    value = _BY.sub("", norm(value)).strip(" ,;|")
    if not value or _URLISH.search(value) or value.casefold() in PLACEHOLDER_AUTHORS:
        return None
    if value.casefold() in site_names or LINK_WORDING.search(value):
        return None
    return value


def silver_author(tree, objs, url) -> tuple[str | None, str | None]:
    site_names = {n.casefold() for n, _ in declared_site_names(tree, objs)}
    if host_of(url):
        site_names.add(host_of(url))
    for key, attr, source in (("author", "name", "meta name=author"), ("article:author", "property", "article:author")):
        value = meta_content(tree, key, (attr,))
        ok = _author_ok(value, site_names) if value else None
        if ok:
            return ok, source
    for obj in objs:
        authors = obj.get("author")
        if authors is None:
            continue
        names = [n for n in (_name(a) for a in (authors if isinstance(authors, list) else [authors])) if n]
        names = [ok for ok in (_author_ok(n, site_names) for n in names) if ok]
        if names:
            return "; ".join(dict.fromkeys(names)), "JSON-LD author.name"
    for a in tree.iter("a"):
        if "author" in (a.get("rel") or "").lower().split():
            ok = _author_ok(a.text_content(), site_names)
            if ok and "@" not in ok:  # a handle ("Peter @ Enviroman"), an e-mail address
                return ok, "rel=author"
    return None, None


def calendar_date(raw: str) -> str | None:
    """The calendar date `raw` writes, as YYYY-MM-DD (no time-zone shift); None when it is
    partial or ambiguous (08/09/2012) or not a date."""
    for pattern in (_ISO, _COMPACT):
        m = pattern.match(raw)
        if m:
            return _ymd(int(m[1]), int(m[2]), int(m[3]))
    m = _NUMERIC.match(raw)
    if m:
        a, b, c = (int(x) for x in m.groups())
        if len(m[1]) == 4:
            return _ymd(a, b, c)
        if len(m[3]) != 4:
            return None  # a two-digit year: which century, which order?
        if a > 12 >= b:
            return _ymd(c, b, a)
        if b > 12 >= a:
            return _ymd(c, a, b)
        return _ymd(c, a, b) if a == b else None
    for pattern, order in ((_MONTH_FIRST, "mdy"), (_DAY_FIRST, "dmy")):
        m = pattern.search(raw)
        if m:
            month_name, day = (m[1], m[2]) if order == "mdy" else (m[2], m[1])
            month = MONTHS.get(month_name.lower().rstrip("."))
            if month:
                return _ymd(int(m[3]), month, int(day))
    return None


def _ymd(y: int, m: int, d: int) -> str | None:
    import datetime as dt

    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def silver_date(tree, objs) -> tuple[str | None, str | None, str | None]:
    """(date, source, raw)."""
    candidates: list[tuple[str, str]] = []
    for obj in objs:
        value = obj.get("datePublished")
        if isinstance(value, str) and value.strip():
            candidates.append((value.strip(), "JSON-LD datePublished"))
            break
    value = meta_content(tree, "article:published_time")
    if value:
        candidates.append((value, "article:published_time"))
    for name in META_DATE_NAMES:
        value = meta_content(tree, name)
        if value:
            candidates.append((value, f"meta {name}"))
    for m in tree.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        if name.startswith(DCTERMS_PREFIX) and name[len(DCTERMS_PREFIX):] in ("date", "issued") \
                and norm(m.get("content")):
            candidates.append((norm(m.get("content")), f"meta {name}"))
    if not candidates:
        return None, None, None
    raw, source = candidates[0]
    date = calendar_date(raw)
    return (date, source, raw) if date else (None, f"{source} (not a full date: left null)", raw)


def silver_sitename(tree, objs) -> tuple[str | None, str | None]:
    og = meta_content(tree, "og:site_name")
    if og:
        return og, "og:site_name"
    for obj in objs:
        pub = _name(obj.get("publisher"))
        if pub:
            return pub, "JSON-LD publisher.name"
    return None, None


def silver(html: str, url: str | None) -> dict[str, Any]:
    """The silver fields of one page: title, author, date (YYYY-MM-DD), sitename, each with its
    `*_source` (None when the markup lacks it), and `date_raw`."""
    out: dict[str, Any] = {f: None for f in FIELDS}
    out.update({f"{f}_source": None for f in FIELDS})
    out["date_raw"] = None
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=_PARSER)
    except (ValueError, lxml.etree.ParserError):
        return out
    objs = json_ld(tree)
    out["title"], out["title_source"] = silver_title(tree, objs, url)
    out["author"], out["author_source"] = silver_author(tree, objs, url)
    out["date"], out["date_source"], out["date_raw"] = silver_date(tree, objs)
    out["sitename"], out["sitename_source"] = silver_sitename(tree, objs)
    return out


def build(bench: Path) -> dict[str, dict[str, Any]]:
    """Page id -> its silver fields, for every <id>.html of `bench` (url from <id>.meta.json)."""
    result = {}
    for path in sorted(bench.glob("*.html")):
        doc_id = path.name[: -len(".html")]
        meta_path = bench / f"{doc_id}.meta.json"
        url = json.loads(meta_path.read_text(encoding="utf-8")).get("url") if meta_path.exists() else None
        result[doc_id] = {"url": url, **silver(path.read_text(encoding="utf-8", errors="replace"), url)}
    return result


def write(data: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out)


def check_dev2(folder: Path) -> None:
    """How often this script's fields equal the silver dev2 ships (both parts)."""
    agree = {f: [0, 0] for f in FIELDS}
    for meta_path in sorted(folder.glob("*/*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        html = meta_path.with_name(meta_path.name[: -len(".meta.json")] + ".html").read_text(encoding="utf-8", errors="replace")
        mine = silver(html, meta.get("url"))
        for f in FIELDS:
            agree[f][0] += mine[f] == meta.get(f)
            agree[f][1] += 1
            if mine[f] != meta.get(f) and "-v" in sys.argv:
                print(f"{meta_path.name}\t{f}\tmine={mine[f]!r} ({mine[f + '_source']})\tdev2={meta.get(f)!r} ({meta.get(f + '_source')})")
    for f, (same, n) in agree.items():
        print(f"{f:9s} same as dev2's silver on {same}/{n} pages ({same / n:.3f})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="aeb-dev folder (default ../shared/bench/aeb-dev)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output JSON (default bench-out/aeb-silver.json)")
    ap.add_argument("--check-dev2", type=Path, metavar="DIR", help="unpacked dev2 folder: compare the method with its silver")
    args, _ = ap.parse_known_args()
    if args.check_dev2:
        check_dev2(args.check_dev2)
        return 0
    if not args.bench.is_dir():
        print(f"silver_aeb: no folder {args.bench}", file=sys.stderr)
        return 2
    data = build(args.bench)
    write(data, args.out)
    have = {f: sum(1 for v in data.values() if v[f]) for f in FIELDS}
    print(f"wrote {args.out}: {len(data)} pages; " + ", ".join(f"{f} {n}" for f, n in have.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
