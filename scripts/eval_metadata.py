#!/usr/bin/env python3
"""Metadata match rates (title, author, date) of newsclean on text and HTML, beside trafilatura.

    .venv/bin/python scripts/eval_metadata.py [--sets tfdev,aeb-dev,dev2-dev,dev2-check]
                                              [--limit N] [--jobs N] [--bench DIR] [--data DIR]
                                              [--dump FILE]

For each page of each set, in one run:
  text         cleaner.clean(<page>.page.txt, url=url): the text rendering (all visible text)
  html         cleaner.clean(<page>.html, url=url)
  trafilatura  trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
and each field is compared with the set's reference (issue #13's comparison):
  title   reduced to casefolded words, one contains the other (as a run of words) and the shorter
          is at least half the longer;
  author  every word of the reference's author is a word of the output's author;
  date    the same day (YYYY-MM-DD).
A rate is over the pages whose reference has the field (the matches in brackets); a missing
output is a miss.

References: tfdev: `gold_metadata` (people's annotations; ../shared/bench/tfdev.md); aeb-dev:
silver from the pages' markup (scripts/silver_aeb.py, made into bench-out/aeb-silver.json when
missing); dev2 `dev` / `check`: the silver in each page's meta.json (dev2's README).
Data: --bench (default ../shared/bench, for aeb-dev) and --data (default ../data: the unpacked
tfdev/ and dev2/ folders). `--dump FILE` writes each page's values as JSON lines.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

DEFAULT_BENCH = ROOT.parent / "shared" / "bench"
DEFAULT_DATA = ROOT.parent / "data"
SETS = ("tfdev", "aeb-dev", "dev2-dev", "dev2-check")
FIELDS = ("title", "author", "date")
SYSTEMS = ("text", "html", "trafilatura")
# The shorter title must be at least this share of the longer (in words).
TITLE_MIN_SHARE = 0.5

_WORD = re.compile(r"\w+")


# ---------------------------------------------------------------- the comparison

def words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold())


def title_matches(got: str | None, want: str) -> bool:
    """Casefolded words: one contains the other as a run of words, the shorter at least
    TITLE_MIN_SHARE of the longer."""
    a, b = words(got), words(want)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    if len(short) < TITLE_MIN_SHARE * len(long_):
        return False
    return f" {' '.join(short)} " in f" {' '.join(long_)} "


def author_matches(got: str | None, want: str) -> bool:
    """Every word of the reference's author is a word of the output's author."""
    need = set(words(want))
    return bool(need) and need <= set(words(got))


def date_matches(got: str | None, want: str) -> bool:
    return bool(got) and str(got)[:10] == str(want)[:10]


MATCH: dict[str, Callable[[str | None, str], bool]] = {
    "title": title_matches, "author": author_matches, "date": date_matches}


# ---------------------------------------------------------------- the sets

Page = dict[str, Any]   # name, set, html path, text path, url, reference {field: value}


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def tfdev_pages(data: Path) -> Iterator[Page]:
    folder = data / "tfdev"
    for meta_path in sorted(folder.glob("*.json")):
        name = meta_path.name[: -len(".json")]
        meta = _read_json(meta_path)
        gold = meta.get("gold_metadata") or {}
        yield {"name": name, "set": "tfdev", "html": str(folder / f"{name}.html"),
               "text": str(folder / f"{name}.page.txt"), "url": meta.get("url"),
               "reference": {f: gold.get(f) or None for f in FIELDS}}


def aeb_pages(bench: Path) -> Iterator[Page]:
    from silver_aeb import DEFAULT_OUT, build, write

    folder = bench / "aeb-dev"
    if DEFAULT_OUT.exists():
        silver = _read_json(DEFAULT_OUT)
    else:
        silver = build(folder)
        write(silver, DEFAULT_OUT)
    for name, values in sorted(silver.items()):
        yield {"name": name, "set": "aeb-dev", "html": str(folder / f"{name}.html"),
               "text": str(folder / f"{name}.page.txt"), "url": values.get("url"),
               "reference": {f: values.get(f) for f in FIELDS}}


def dev2_pages(data: Path, part: str) -> Iterator[Page]:
    folder = data / "dev2" / part
    for meta_path in sorted(folder.glob("*.meta.json")):
        name = meta_path.name[: -len(".meta.json")]
        meta = _read_json(meta_path)
        yield {"name": name, "set": f"dev2-{part}", "html": str(folder / f"{name}.html"),
               "text": str(folder / f"{name}.page.txt"), "url": meta.get("url"),
               "reference": {f: meta.get(f) for f in FIELDS}}


def pages_of(set_name: str, bench: Path, data: Path) -> Iterator[Page]:
    if set_name == "tfdev":
        return tfdev_pages(data)
    if set_name == "aeb-dev":
        return aeb_pages(bench)
    return dev2_pages(data, set_name.split("-", 1)[1])


# ---------------------------------------------------------------- running the systems

def run_newsclean(path: str, url: str | None) -> dict[str, Any]:
    from cleaner import CleanerError, clean

    try:
        article = clean(Path(path).read_bytes(), url=url, source=path)
    except CleanerError as exc:
        return {"error": str(exc)}
    return {f: getattr(article, f) for f in FIELDS}


def run_trafilatura(path: str, url: str | None) -> dict[str, Any]:
    import trafilatura

    html = Path(path).read_text(encoding="utf-8", errors="replace")
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    except Exception as exc:  # noqa: BLE001 -- a failure on one page is a miss, not the end of the run
        return {"error": repr(exc)}
    if doc is None:
        return {}
    return {f: getattr(doc, f, None) for f in FIELDS}


def judge(page: Page) -> Page:
    """The page with each system's values and, per field the reference has, whether each matched."""
    out = dict(page)
    got = {"text": run_newsclean(page["text"], page["url"]),
           "html": run_newsclean(page["html"], page["url"]),
           "trafilatura": run_trafilatura(page["html"], page["url"])}
    out["got"] = got
    out["match"] = {f: {s: MATCH[f](got[s].get(f), want) for s in SYSTEMS}
                    for f, want in page["reference"].items() if want}
    return out


# ---------------------------------------------------------------- the tables

def table(set_name: str, results: list[Page]) -> str:
    lines = [f"### {set_name} ({len(results)} pages)", "",
             "| field | pages | from the text rendering (page.txt) | from the HTML | trafilatura, HTML |",
             "|---|---|---|---|---|"]
    for f in FIELDS:
        judged = [r["match"][f] for r in results if f in r["match"]]
        if not judged:
            lines.append(f"| {f} | 0 | - | - | - |")
            continue
        hits = [sum(m[s] for m in judged) for s in SYSTEMS]
        lines.append(f"| {f} | {len(judged)} | " + " | ".join(f"{h / len(judged):.3f} ({h})" for h in hits) + " |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of: {', '.join(SETS)}")
    ap.add_argument("--limit", type=int, default=None, help="the first N pages of each set (by name)")
    ap.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="the shared bench folder (aeb-dev)")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with the unpacked tfdev/ and dev2/")
    ap.add_argument("--dump", type=Path, default=None, help="write each page's values as JSON lines")
    args = ap.parse_args()
    chosen = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SETS]
    if unknown:
        ap.error(f"unknown set(s) {', '.join(unknown)}; one of: {', '.join(SETS)}")
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    started = time.monotonic()
    tables = []
    for set_name in chosen:
        try:
            pages = list(pages_of(set_name, args.bench, args.data))
        except OSError as exc:
            print(f"eval_metadata: {set_name}: {exc}", file=sys.stderr)
            return 2
        if not pages:
            print(f"eval_metadata: {set_name}: no pages (is the data unpacked? --data / --bench)", file=sys.stderr)
            return 2
        pages = pages[: args.limit] if args.limit else pages
        if args.jobs > 1:
            with ProcessPoolExecutor(args.jobs) as pool:
                results = list(pool.map(judge, pages, chunksize=4))
        else:
            results = [judge(p) for p in pages]
        if dump:
            for r in results:
                dump.write(json.dumps(r, ensure_ascii=False) + "\n")
        tables.append(table(set_name, results))
        print(tables[-1] + "\n", flush=True)
    if dump:
        dump.close()
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
