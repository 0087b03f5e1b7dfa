#!/usr/bin/env python3
"""Speed and memory of text cleaning, beside trafilatura.extract and a C4-style line filter.

    .venv/bin/python scripts/bench_speed.py --data /tmp/bench        # dev2 unpacked there
    .venv/bin/python scripts/bench_speed.py --data /tmp/bench --rounds 5 --docs 400 --skip-batch

`--data` is a folder into which `../shared/bench/dev2.tar.xz` was unpacked (it holds `dev2/`).

What it measures, and how (issue 16's rules for a figure that can be trusted):

1. Per core, in this one process, in interleaved rounds: each round times, one after the other,
   `cleaner.clean` on N distinct dev2 text renderings (`<name>.<rendering>.txt`, with the page's
   url), `trafilatura.extract` on the same N pages' HTML, and a C4-style line filter on the same
   texts (the floor: what a line filter with no model costs). Time is CPU time of this process
   (`time.process_time`, seconds), so another program on the machine does not count. One
   warm-up pass of each runs first (imports, the language model's load, rule loading). Each round
   takes its own slice of the pages, shuffled once with a fixed seed so that every slice mixes the
   five sets (round r uses pages r*N .. r*N+N-1, wrapping), so no cache sees a document twice. Printed: docs/s per round for each, the ratio newsclean/trafilatura
   per round, and the median and spread (min-max) over rounds.
2. Batch scaling (subprocess, as users run it): `newsclean batch` on the same distinct documents
   (a JSON Lines corpus of every dev2 rendering) with 1 job and with all cores; the batch's own
   docs/s; peak RSS of the process tree (psutil) for a small and the full corpus.
3. Shapes that could grow faster than linearly, one subprocess each, after a warm-up: one 10 MB
   document of article text, one 1 MB single line, 1 MB of templated prose (lines that share
   their inner words, numbered), and 1 MB of lines numbered at both ends (all their inner words
   shared: the shape on which the pull-quote count was quadratic).

Targets (issue 16): newsclean >= 10x trafilatura's docs/s per core (median of the rounds); all
cores >= 1.8x one job on 2 cores; peak memory of the full corpus within 1.2x of the small one;
1 MB of templated prose in under 1 s.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/tmp/bench")
SAMPLE_EVERY_S = 0.05
SINGLE_DOC_TIMEOUT_S = 600
BIG_DOC_BYTES = 10 * 1024 * 1024
ONE_MB = 1024 * 1024
PAGE_ORDER_SEED = 0
_SPEED = re.compile(r"(\d+) documents in ([\d.]+) s")

# The C4 line filter (Raffel et al. 2020, "Exploring the Limits of Transfer Learning", section
# 2.2): keep lines that end in terminal punctuation and have at least C4_MIN_WORDS words, drop
# lines mentioning javascript, drop the page when fewer than C4_MIN_SENTENCES sentences remain.
C4_MIN_WORDS = 5
C4_MIN_SENTENCES = 3
C4_TERMINAL = (".", "!", "?", '"', "\u201d")
_C4_SENTENCE = re.compile(r"[.!?]+(?:\s|$)")


def c4_filter(text: str) -> str:
    """The C4-style line filter over one document: the kept lines joined by newlines ('' if dropped)."""
    kept = [ln for ln in (line.strip() for line in text.splitlines())
            if ln.endswith(C4_TERMINAL) and len(ln.split()) >= C4_MIN_WORDS and "javascript" not in ln.lower()]
    out = "\n".join(kept)
    return out if len(_C4_SENTENCE.findall(out)) >= C4_MIN_SENTENCES else ""


def newsclean() -> list[str]:
    script = Path(sys.executable).with_name("newsclean")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


def dev2_pages(data: Path, rendering: str) -> list[tuple[str, str | None, Path, Path]]:
    """Every dev2 page (both parts) that has the rendering: (name, url, text path, html path)."""
    root = data / "dev2"
    if not root.is_dir():
        print(f"bench_speed.py: no dev2/ in {data}: unpack ../shared/bench/dev2.tar.xz there (--data)",
              file=sys.stderr)
        sys.exit(2)
    out = []
    for part in ("dev", "check"):
        for text in sorted((root / part).glob(f"*.{rendering}.txt")):
            name = text.name[: -len(f".{rendering}.txt")]
            html = text.with_name(f"{name}.html")
            meta = json.loads(text.with_name(f"{name}.meta.json").read_text(encoding="utf-8"))
            if html.exists():
                out.append((name, meta.get("url"), text, html))
    return out


def per_core_rounds(pages: list, rounds: int, n: int) -> dict:
    """Interleaved rounds in this process, CPU time; returns docs/s per round for each contender."""
    import trafilatura

    from cleaner import clean

    texts = [(url, p.read_text(encoding="utf-8")) for _, url, p, _ in pages]
    htmls = [h.read_bytes() for _, _, _, h in pages]
    # Warm-up on pages no round uses first: imports, the language model, the rule set.
    for url, text in texts[-3:]:
        clean(text, url=url)
        c4_filter(text)
    for html in htmls[-3:]:
        trafilatura.extract(html)

    figures: dict[str, list[float]] = {"newsclean": [], "trafilatura": [], "c4": []}
    for r in range(rounds):
        idx = [(r * n + i) % len(pages) for i in range(n)]
        t = time.process_time()
        for i in idx:
            clean(texts[i][1], url=texts[i][0])
        figures["newsclean"].append(n / (time.process_time() - t))
        t = time.process_time()
        for i in idx:
            trafilatura.extract(htmls[i])
        figures["trafilatura"].append(n / (time.process_time() - t))
        t = time.process_time()
        for i in idx:
            c4_filter(texts[i][1])
        figures["c4"].append(n / max(time.process_time() - t, 1e-9))
        ratio = figures["newsclean"][-1] / figures["trafilatura"][-1]
        print(f"  round {r + 1}/{rounds}: newsclean {figures['newsclean'][-1]:7.1f} docs/s  "
              f"trafilatura {figures['trafilatura'][-1]:6.1f} docs/s  C4 filter {figures['c4'][-1]:8.0f} docs/s  "
              f"ratio {ratio:.2f}x", flush=True)
    figures["ratio"] = [a / b for a, b in zip(figures["newsclean"], figures["trafilatura"])]
    return figures


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f})"


def write_corpus(path: Path, data: Path, limit: int | None) -> tuple[int, int]:
    """A JSON Lines corpus of distinct documents: every dev2 rendering (page, context, region)."""
    docs = size = 0
    with path.open("w", encoding="utf-8") as fh:
        for rendering in ("page", "context", "region"):
            for name, url, text_path, _ in dev2_pages(data, rendering):
                if limit is not None and docs >= limit:
                    return docs, size
                text = text_path.read_text(encoding="utf-8")
                fh.write(json.dumps({"id": f"{name}.{rendering}", "url": url, "text": text}, ensure_ascii=False) + "\n")
                docs += 1
                size += len(text.encode("utf-8"))
    return docs, size


def tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_batch(corpus: Path, out: Path, jobs: int) -> dict:
    """One `newsclean batch` run: its own docs and seconds, wall time, peak RSS of the process tree."""
    import psutil

    cmd = newsclean() + ["batch", str(corpus), str(out), "--jobs", str(jobs), "--no-progress"]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        time.sleep(SAMPLE_EVERY_S)
    wall = time.monotonic() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in (0, 1):
        sys.exit(f"batch failed ({proc.returncode}):\n{stderr}")
    m = _SPEED.search(stderr)
    docs, seconds = (int(m.group(1)), float(m.group(2))) if m else (0, wall)
    return {"jobs": jobs, "docs": docs, "seconds": seconds, "wall": wall, "peak_rss": peak}


_SINGLE = """
import json, sys, time
from cleaner import clean
kind, size, source = sys.argv[1], int(sys.argv[2]), sys.argv[3]
texts = [l for l in open(source, encoding='utf-8').read().split('\\n\\n') if l.strip()]
if kind == 'big':
    parts, n, i = [], 0, 0
    while n < size:
        t = texts[i % len(texts)]; parts.append(t); n += len(t.encode()) + 2; i += 1
    doc = '\\n\\n'.join(parts)
elif kind == 'line':
    words = ' '.join(' '.join(texts).split())
    doc = (words * (1 + size // len(words))).encode()[:size].decode('utf-8', 'ignore')
elif kind == 'templated':  # templated prose: numbered lines sharing their inner words
    lines, n, i = [], 0, 0
    while n < size:
        line = f'Item {i}: the council said on Tuesday that the new budget for the district would be published soon.'
        lines.append(line); n += len(line) + 1; i += 1
    doc = '\\n'.join(lines)
else:  # numbered at both ends: every inner word shared by all lines (the pull-quote count was quadratic)
    lines, n, i = [], 0, 0
    while n < size:
        line = f'{i:07d}. The council said on Tuesday that the new budget would be published soon, in report {i:07d}.'
        lines.append(line); n += len(line) + 2; i += 1
    doc = '\\n\\n'.join(lines)
clean('A warm-up line of text for the cleaner.')
t = time.process_time()
a = clean(doc)
dt = time.process_time() - t
print(json.dumps({'bytes': len(doc.encode()), 'seconds': dt, 'kept_chars': len(a.text)}))
"""


def time_single(kind: str, size: int, source: Path) -> dict:
    try:
        r = subprocess.run([sys.executable, "-c", _SINGLE, kind, str(size), str(source)], capture_output=True,
                           timeout=SINGLE_DOC_TIMEOUT_S, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {SINGLE_DOC_TIMEOUT_S} s"}
    if r.returncode != 0:
        return {"error": r.stderr.decode().strip().splitlines()[-1] if r.stderr else f"exit {r.returncode}"}
    return json.loads(r.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding the unpacked dev2/ [/tmp/bench]")
    ap.add_argument("--rendering", default="context", choices=("context", "page", "region"),
                    help="text rendering timed per core [context]")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved rounds [7]")
    ap.add_argument("--docs", type=int, default=300, help="distinct documents per round [300]")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="'all cores' for the batch [cpu count]")
    ap.add_argument("--small", type=int, default=2000, help="documents of the small corpus (memory) [2000]")
    ap.add_argument("--skip-batch", action="store_true", help="skip the batch scaling and memory runs")
    ap.add_argument("--skip-single", action="store_true", help="skip the single large documents")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()

    results: dict = {"cores": os.cpu_count(), "rendering": args.rendering}
    pages = dev2_pages(args.data, args.rendering)
    # A fixed shuffle: each round's slice mixes the five sets (sorted by name, a slice is one set).
    random.Random(PAGE_ORDER_SEED).shuffle(pages)
    print(f"per core: {args.rounds} interleaved rounds of {args.docs} distinct dev2 {args.rendering} texts "
          f"(of {len(pages)}), CPU time of this process", flush=True)
    fig = per_core_rounds(pages, args.rounds, args.docs)
    results["per_core"] = fig
    print(f"newsclean (text)          docs/s {spread(fig['newsclean'])}")
    print(f"trafilatura.extract (HTML) docs/s {spread(fig['trafilatura'])}")
    print(f"C4-style line filter       docs/s {spread(fig['c4'])}")
    print(f"newsclean / trafilatura:   {spread(fig['ratio'])}   (target >= 10x)")

    if not args.skip_batch:
        work = Path(tempfile.mkdtemp(prefix="newsclean-bench-"))
        try:
            corpus, small = work / "corpus.jsonl", work / "small.jsonl"
            docs, size = write_corpus(corpus, args.data, None)
            write_corpus(small, args.data, args.small)
            print(f"batch: {docs} distinct documents ({size / 1e6:.1f} MB of text, every dev2 rendering)", flush=True)
            one = run_batch(corpus, work / "out1.jsonl", 1)
            many = run_batch(corpus, work / "outN.jsonl", args.jobs)
            few = run_batch(small, work / "outS.jsonl", args.jobs)
            results["batch"] = {"one_job": one, "all_cores": many, "small": few, "docs": docs, "bytes": size}
            for label, r in (("1 job", one), (f"{args.jobs} jobs", many)):
                print(f"  {label:<8} {r['docs']:>6} docs  {r['seconds']:7.1f} s  {r['docs'] / r['seconds']:7.1f} docs/s  "
                      f"{size / 1e6 / r['seconds']:5.2f} MB/s  peak RSS {r['peak_rss'] / 2**20:5.0f} MB")
            print(f"  scaling: {(many['docs'] / many['seconds']) / (one['docs'] / one['seconds']):.2f}x   "
                  "(target >= 1.8x on 2 cores)")
            print(f"  peak RSS: {few['peak_rss'] / 2**20:.0f} MB for {args.small} docs, {many['peak_rss'] / 2**20:.0f} MB "
                  f"for {docs} docs: {many['peak_rss'] / max(few['peak_rss'], 1):.2f}x   (target <= 1.2x)")
        finally:
            shutil.rmtree(work, ignore_errors=True)

    if not args.skip_single:
        source = Path(tempfile.mkstemp(prefix="newsclean-bench-", suffix=".txt")[1])
        source.write_text("\n\n".join(p.read_text(encoding="utf-8") for _, _, p, _ in pages[:200]), encoding="utf-8")
        for kind, size, label in (("big", BIG_DOC_BYTES, "one 10 MB document"), ("line", ONE_MB, "one 1 MB line"),
                                  ("templated", ONE_MB, "1 MB of templated prose"),
                                  ("numbered", ONE_MB, "1 MB of lines numbered at both ends")):
            r = time_single(kind, size, source)
            results[kind] = r
            if "error" in r:
                print(f"{label}: {r['error']}")
            else:
                print(f"{label}: {r['seconds']:.2f} s CPU, {r['bytes'] / 1e6 / max(r['seconds'], 1e-9):.2f} MB/s")
        source.unlink()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
