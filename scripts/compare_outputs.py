#!/usr/bin/env python3
"""Digest of newsclean's output on every aeb-dev text rendering and the samples, to show that a
change (a speed-up) leaves every output byte-identical.

    .venv/bin/python scripts/compare_outputs.py --save /tmp/before.json          # before the change
    .venv/bin/python scripts/compare_outputs.py --save /tmp/after.json           # after it
    .venv/bin/python scripts/compare_outputs.py --compare /tmp/before.json /tmp/after.json

Cleaned: `<bench>/*.{page,context,region}.txt` and `<bench>/*.html` (url from `<id>.meta.json`),
`samples/*.txt`, and with `--dev2 DIR` every text rendering of that dev2 part; each with site rules
and with `site_rules=False`. The digest of one output is the SHA-256 of
`Article.to_dict()` as canonical JSON (text, metadata, language, every removed block with its
category, rule and reason). --compare prints every file whose digest differs and exits 1 if any does.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_BENCH = REPO.parent / "shared" / "bench" / "aeb-dev"
RENDERINGS = ("page", "context", "region")


def inputs(bench: Path) -> list[tuple[str, Path, str | None]]:
    """(name, path, url) of every rendering of the benchmark and every sample, sorted by name."""
    out: list[tuple[str, Path, str | None]] = []
    for meta in sorted(bench.glob("*.meta.json")):
        doc_id = meta.name[: -len(".meta.json")]
        url = json.loads(meta.read_text(encoding="utf-8")).get("url")
        for name in [f"{doc_id}.{r}.txt" for r in RENDERINGS] + [f"{doc_id}.html"]:
            path = bench / name
            if path.exists():
                out.append((f"aeb-dev/{path.name}", path, url))
    for path in sorted((REPO / "samples").glob("*.txt")):
        if not path.name.endswith(".expected.txt"):
            out.append((f"samples/{path.name}", path, None))
    return out


def dev2_inputs(folder: Path) -> list[tuple[str, Path, str | None]]:
    """(name, path, url) of every text rendering in a dev2 part (`<id>.{page,context,region}.txt`)."""
    out: list[tuple[str, Path, str | None]] = []
    for rendering in RENDERINGS:
        for path in sorted(folder.glob(f"*.{rendering}.txt")):
            out.append((f"dev2/{path.name}", path, None))
    return out


def digests(bench: Path, dev2: Path | None = None) -> dict[str, str]:
    """{'<name> site-rules|no-site-rules': sha256 hex of the output} for every input."""
    from cleaner.pipeline import clean

    out: dict[str, str] = {}
    for name, path, url in inputs(bench) + (dev2_inputs(dev2) if dev2 else []):
        text = path.read_text(encoding="utf-8")
        for site_rules in (True, False):
            article = clean(text, url=url, site_rules=site_rules, source=str(path))
            blob = json.dumps(article.to_dict(), sort_keys=True, ensure_ascii=False).encode()
            out[f"{name} {'site-rules' if site_rules else 'no-site-rules'}"] = hashlib.sha256(blob).hexdigest()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="aeb-dev folder [../shared/bench/aeb-dev]")
    ap.add_argument("--dev2", type=Path, help="also every text rendering of this dev2 part (e.g. /work/data/dev2/check)")
    ap.add_argument("--save", type=Path, help="write the digests (JSON) here")
    ap.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"), help="compare two saved runs")
    args = ap.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        for k in differ:
            print(f"differs: {k}")
        print(f"{len(before)} vs {len(after)} outputs, {len(differ)} differ")
        sys.exit(1 if differ else 0)
    if not args.bench.is_dir():
        sys.exit(f"compare_outputs: no benchmark folder {args.bench} (--bench)")
    found = digests(args.bench, args.dev2)
    print(f"{len(found)} outputs digested")
    if args.save:
        args.save.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
