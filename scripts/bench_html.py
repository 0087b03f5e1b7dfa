#!/usr/bin/env python3
"""newsclean on HTML against trafilatura alone, on the same pages in the same run.

    .venv/bin/python scripts/bench_html.py [--bench DIR] [--out DIR] [--repeat N] [--per-doc]

For every <id>.html of the benchmark folder (URL from <id>.meta.json) it writes
  OUT/trafilatura/<id>.txt   trafilatura.extract(html, url=url, include_comments=False)
  OUT/newsclean/<id>.txt     cleaner.clean(html, url=url, site_rules=False).text
scores both folders with the benchmark's own scorer (bench/score.py, run as a subprocess), and
prints F1 for both, time per page for both and their ratio.

Timing: each page is run by both, alternately, `--repeat` times after one warm-up pass (imports,
caches); a page's time is its fastest run, so that other work on the machine weighs less.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "aeb-dev"
DEFAULT_REPEAT = 3


def load_pages(bench: Path) -> list[tuple[str, str, str | None]]:
    """(id, html, url) for every page of the folder, in name order."""
    pages = []
    for path in sorted(bench.glob("*.html")):
        doc_id = path.name[: -len(".html")]
        meta_path = bench / f"{doc_id}.meta.json"
        url = json.loads(meta_path.read_text(encoding="utf-8")).get("url") if meta_path.exists() else None
        pages.append((doc_id, path.read_text(encoding="utf-8", errors="replace"), url))
    return pages


def run_trafilatura(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def run_newsclean(html: str, url: str | None) -> str:
    from cleaner import clean

    return clean(html, url=url, site_rules=False).text


SYSTEMS: dict[str, Callable[[str, str | None], str]] = {
    "trafilatura": run_trafilatura,
    "newsclean": run_newsclean,
}


def timed(fn: Callable[[str, str | None], str], html: str, url: str | None) -> tuple[str, float]:
    start = time.perf_counter()
    out = fn(html, url)
    return out, time.perf_counter() - start


def score(scorer: Path, pred: Path, gold: Path, per_doc: Path | None) -> tuple[str, dict]:
    """bench/score.py on one folder of predictions: its printed line and its JSON summary."""
    summary = pred.with_suffix(".score.json")
    cmd = [sys.executable, str(scorer), str(pred), str(gold), "--name", pred.name, "--json", str(summary)]
    if per_doc:
        cmd += ["--per-doc", str(per_doc)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return done.stdout.strip(), json.loads(summary.read_text(encoding="utf-8"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="folder of <id>.html, <id>.gold.txt, <id>.meta.json")
    ap.add_argument("--scorer", type=Path, help="score.py (default: score.py beside the bench folder)")
    ap.add_argument("--out", type=Path, help="where predictions go (default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help="timed runs per page and system")
    ap.add_argument("--per-doc", action="store_true", help="also write per-document TSVs into --out")
    args = ap.parse_args()

    scorer = args.scorer or args.bench.parent / "score.py"
    for path in (args.bench, scorer):
        if not path.exists():   # a clone without ../shared
            print(f"bench_html.py: {path} not found: the benchmark material is not in this checkout "
                  "(see --bench, --scorer)", file=sys.stderr)
            return 2
    pages = load_pages(args.bench)
    if not pages:
        print(f"no *.html in {args.bench}", file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_html."))
    for name in SYSTEMS:
        (out / name).mkdir(parents=True, exist_ok=True)

    # warm-up: imports, rule loading, caches; not timed
    for _, html, url in pages[:5]:
        for fn in SYSTEMS.values():
            fn(html, url)

    best: dict[str, list[float]] = {name: [] for name in SYSTEMS}
    for doc_id, html, url in pages:
        times: dict[str, list[float]] = {name: [] for name in SYSTEMS}
        outputs: dict[str, str] = {}
        for round_ in range(max(1, args.repeat)):
            order = list(SYSTEMS) if round_ % 2 == 0 else list(reversed(SYSTEMS))
            for name in order:
                outputs[name], dt = timed(SYSTEMS[name], html, url)
                times[name].append(dt)
        for name in SYSTEMS:
            best[name].append(min(times[name]))
            (out / name / f"{doc_id}.txt").write_text(outputs[name], encoding="utf-8")

    scores = {name: score(scorer, out / name, args.bench, out / f"{name}.per-doc.tsv" if args.per_doc else None)
              for name in SYSTEMS}
    for line, _ in scores.values():
        print(line)
    ms = {name: 1000 * statistics.fmean(best[name]) for name in SYSTEMS}
    ratio = ms["newsclean"] / ms["trafilatura"]
    f1 = {name: summary["f1"] for name, (_, summary) in scores.items()}
    print(f"pages {len(pages)}  F1 trafilatura {f1['trafilatura']:.4f}  newsclean {f1['newsclean']:.4f}")
    print(f"time per page (fastest of {args.repeat}): trafilatura {ms['trafilatura']:.1f} ms  "
          f"newsclean {ms['newsclean']:.1f} ms  ratio {ratio:.2f}")
    print(f"predictions in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
