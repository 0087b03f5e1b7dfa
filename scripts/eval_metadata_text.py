#!/usr/bin/env python3
"""Metadata from the text rendering (page.txt), measured against annotated or silver metadata.

    python scripts/eval_metadata_text.py --tfdev DIR            # tfdev: <id>.page.txt + <id>.json
    python scripts/eval_metadata_text.py --dev2 DIR/dev          # dev2: <name>.page.txt + <name>.meta.json
    ... --jobs 2 --dump out.jsonl                                # per page: got / want / match

A quick measure of the text side only (the full table, text and HTML beside trafilatura, is
scripts/eval_metadata.py). Comparison as in issue 13: a title matches when, reduced to
casefolded words, one contains the other and the shorter has at least half the longer's words;
an author when every word of the reference author is among the output author's words; a date
when the day (YYYY-MM-DD) is the same. Each field is scored over the pages whose reference has it.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_WORD = re.compile(r"\w+")


def words(s: str | None) -> list[str]:
    return _WORD.findall((s or "").casefold())


def title_match(got: str | None, want: str) -> bool:
    g, w = words(got), words(want)
    if not g or not w:
        return False
    short, long_ = (g, w) if len(g) <= len(w) else (w, g)
    if len(short) * 2 < len(long_):
        return False
    n = len(short)
    return any(long_[i:i + n] == short for i in range(len(long_) - n + 1))


def author_match(got: str | None, want: str) -> bool:
    g = set(words(got))
    w = words(want)
    return bool(w) and all(x in g for x in w)


def date_match(got: str | None, want: str) -> bool:
    return bool(got) and got[:10] == want[:10]


MATCH = {"title": title_match, "author": author_match, "date": date_match}


def _one(job: tuple[str, str, dict]) -> dict:
    from cleaner import clean

    path, url, want = job
    try:
        art = clean(Path(path).read_bytes(), url=url or None, source=path)
        got = {"title": art.title, "author": art.author, "date": art.date}
    except Exception as e:  # a measure, not the product: note and go on
        got = {"error": str(e)}
    return {"page": Path(path).name, "url": url, "want": want, "got": got,
            "ok": {f: MATCH[f](got.get(f), v) for f, v in want.items()}}


def jobs_tfdev(folder: Path) -> list[tuple[str, str, dict]]:
    out = []
    for meta in sorted(folder.glob("*.json")):
        d = json.loads(meta.read_text())
        gold = d.get("gold_metadata") or {}
        want = {f: gold[f] for f in MATCH if isinstance(gold.get(f), str) and gold[f].strip()}
        out.append((str(meta.with_suffix(".page.txt")), d.get("url") or "", want))
    return out


def jobs_dev2(folder: Path) -> list[tuple[str, str, dict]]:
    out = []
    for meta in sorted(folder.glob("*.meta.json")):
        d = json.loads(meta.read_text())
        want = {f: d[f] for f in MATCH if isinstance(d.get(f), str) and d[f].strip()}
        out.append((str(meta).replace(".meta.json", ".page.txt"), d.get("url") or "", want))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tfdev", type=Path)
    ap.add_argument("--dev2", type=Path)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--dump", type=Path)
    args = ap.parse_args()
    jobs = (jobs_tfdev(args.tfdev) if args.tfdev else []) + (jobs_dev2(args.dev2) if args.dev2 else [])
    if not jobs:
        ap.error("give --tfdev DIR or --dev2 DIR")
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(_one, jobs, chunksize=8))
    if args.dump:
        with args.dump.open("w") as fh:
            for r in results:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"pages {len(results)}")
    for f in MATCH:
        scored = [r["ok"][f] for r in results if f in r["ok"]]
        if scored:
            print(f"{f:7s} {sum(scored) / len(scored):.3f}  ({sum(scored)}/{len(scored)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
