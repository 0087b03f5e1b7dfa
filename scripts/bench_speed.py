#!/usr/bin/env python3
"""Speed and memory of `newsclean batch`, beside trafilatura.extract, on the aeb-dev pages.

    .venv/bin/python scripts/bench_speed.py                 # 20,000 documents (takes a while)
    .venv/bin/python scripts/bench_speed.py --docs 2000 --small 500

What it measures, in one run:
  * the text renderings (`<id>.context.txt` by default) repeated to N documents in a JSON Lines
    corpus, cleaned by `newsclean batch` (a subprocess, as a user runs it) with 1 job and with all
    cores: docs/s and MB/s (the batch's own timing, without interpreter start-up, and wall time);
  * peak memory of the batch's process tree (psutil: the sum of the RSS of the process and its
    workers, sampled every 50 ms), for the small and the full corpus: it should stay flat;
  * trafilatura.extract on the same pages' HTML, in this process (one core): docs/s;
  * one 10 MB document and one 1 MB single line, cleaned with `cleaner.clean` (issue 7): seconds, MB/s.
Targets (issue 6): text cleaning >= 10x trafilatura's docs/s per core; all cores >= 1.7x one job
on 2 cores; peak memory for N vs the small corpus within 1.2x.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "aeb-dev"
SAMPLE_EVERY_S = 0.05
TRAFILATURA_MIN_SECONDS = 10.0
BIG_DOC_BYTES = 10 * 1024 * 1024
LONG_LINE_BYTES = 1024 * 1024
SINGLE_DOC_TIMEOUT_S = 600
_SPEED = re.compile(r"(\d+) documents in ([\d.]+) s")


def newsclean() -> list[str]:
    script = Path(sys.executable).with_name("newsclean")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


def pages(rendering: str) -> list[tuple[dict, str, Path]]:
    out = []
    for path in sorted(BENCH.glob(f"*.{rendering}.txt")):
        page_id = path.name.split(".")[0]
        meta = json.loads((BENCH / f"{page_id}.meta.json").read_text(encoding="utf-8"))
        out.append((meta, path.read_text(encoding="utf-8"), BENCH / f"{page_id}.html"))
    if not out:
        sys.exit(f"no *.{rendering}.txt in {BENCH}")
    return out


def write_corpus(path: Path, docs: int, rendering: str) -> int:
    """N documents: the renderings repeated (each copy gets its own id). Returns the text bytes."""
    items = pages(rendering)
    total = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(docs):
            meta, text, _ = items[i % len(items)]
            total += len(text.encode("utf-8"))
            fh.write(json.dumps({"id": i, "url": meta.get("url"), "text": text}, ensure_ascii=False) + "\n")
    return total


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


def run_batch(corpus: Path, out: Path, jobs: int, extra: list[str]) -> dict:
    import psutil

    for p in (out, out.parent / f".{out.name}.newsclean", out.with_name(out.stem + ".errors.jsonl")):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    cmd = newsclean() + ["batch", str(corpus), str(out), "--jobs", str(jobs), "--no-progress", *extra]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        time.sleep(SAMPLE_EVERY_S)
    wall = time.monotonic() - started
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"batch failed ({proc.returncode}):\n{stderr}")
    m = _SPEED.search(stderr)
    docs, seconds = (int(m.group(1)), float(m.group(2))) if m else (0, wall)
    return {"jobs": jobs, "docs": docs, "seconds": seconds, "wall": wall, "peak_rss": peak}


def bench_trafilatura(rendering: str, min_seconds: float) -> dict:
    import trafilatura

    htmls = [html.read_bytes() for _, _, html in pages(rendering)]
    trafilatura.extract(htmls[0])  # warm-up: imports, caches
    done, size, started = 0, 0, time.monotonic()
    while True:
        for html in htmls:
            trafilatura.extract(html)
            done += 1
            size += len(html)
        if time.monotonic() - started >= min_seconds:
            break
    seconds = time.monotonic() - started
    return {"docs": done, "seconds": seconds, "docs_per_s": done / seconds, "mb_per_s": size / seconds / 1e6}


def _time_clean_subprocess(kind: str, timeout: float) -> dict:
    code = f"""
import json, time, glob
from cleaner import clean
texts = [open(p, encoding='utf-8').read() for p in sorted(glob.glob({str(BENCH)!r} + '/*.context.txt'))]
if {kind!r} == 'big':
    doc, i = [], 0
    size = 0
    while size < {BIG_DOC_BYTES}:
        t = texts[i % len(texts)]; doc.append(t); size += len(t.encode()); i += 1
    doc = '\\n\\n'.join(doc)
else:
    words = ' '.join(' '.join(texts).split())
    doc = (words * (1 + {LONG_LINE_BYTES} // len(words))).encode()[:{LONG_LINE_BYTES}].decode('utf-8', 'ignore')
clean('warm-up line.')
t = time.perf_counter()
a = clean(doc)
dt = time.perf_counter() - t
print(json.dumps({{'bytes': len(doc.encode()), 'seconds': dt, 'kept_chars': len(a.text)}}))
"""
    try:
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish in {timeout:.0f} s"}
    if r.returncode != 0:
        return {"error": r.stderr.decode().strip().splitlines()[-1] if r.stderr else f"exit {r.returncode}"}
    out = json.loads(r.stdout)
    out["mb_per_s"] = out["bytes"] / out["seconds"] / 1e6 if out["seconds"] else float("inf")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=20_000, help="documents in the full corpus [20000]")
    ap.add_argument("--small", type=int, default=2_000, help="documents in the small corpus (memory check) [2000]")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="'all cores' [os.cpu_count()]")
    ap.add_argument("--rendering", default="context", choices=("context", "page", "region"),
                    help="which text rendering of the pages [context]")
    ap.add_argument("--one-job-docs", type=int, default=None,
                    help="documents for the 1-job run [same as --docs]")
    ap.add_argument("--trafilatura-seconds", type=float, default=TRAFILATURA_MIN_SECONDS)
    ap.add_argument("--skip-single", action="store_true", help="skip the 10 MB / 1 MB single documents")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--workdir", type=Path, help="keep the corpus and outputs here (default: a temp dir)")
    args = ap.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsclean-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {"cores": os.cpu_count(), "jobs": args.jobs, "rendering": args.rendering}
    try:
        corpus, small = work / "corpus.jsonl", work / "small.jsonl"
        size = write_corpus(corpus, args.docs, args.rendering)
        write_corpus(small, args.small, args.rendering)
        one_job_corpus = corpus
        one_job_size = size
        if args.one_job_docs and args.one_job_docs != args.docs:
            one_job_corpus = work / "one-job.jsonl"
            one_job_size = write_corpus(one_job_corpus, args.one_job_docs, args.rendering)
        print(f"corpus: {args.docs} documents, {size / 1e6:.1f} MB of text ({args.rendering} renderings "
              f"of {len(pages(args.rendering))} aeb-dev pages); {os.cpu_count()} cores", flush=True)

        one = run_batch(one_job_corpus, work / "out1.jsonl", 1, [])
        one["mb"] = one_job_size / 1e6
        allc = run_batch(corpus, work / "outN.jsonl", args.jobs, [])
        allc["mb"] = size / 1e6
        smallrun = run_batch(small, work / "outS.jsonl", args.jobs, [])
        traf = bench_trafilatura(args.rendering, args.trafilatura_seconds)
        results.update(one_job=one, all_cores=allc, small=smallrun, trafilatura=traf)

        def line(name: str, r: dict) -> str:
            dps = r["docs"] / r["seconds"]
            return (f"{name:<22} {r['docs']:>6} docs  {r['seconds']:7.1f} s  {dps:8.1f} docs/s  "
                    f"{r['mb'] / r['seconds']:6.2f} MB/s  (wall {r['wall']:.1f} s)  "
                    f"peak RSS {r['peak_rss'] / 2**20:6.0f} MB")

        print(line("batch, 1 job", one))
        print(line(f"batch, {args.jobs} jobs", allc))
        print(f"{'trafilatura.extract':<22} {traf['docs']:>6} docs  {traf['seconds']:7.1f} s  "
              f"{traf['docs_per_s']:8.1f} docs/s  {traf['mb_per_s']:6.2f} MB/s of HTML (this process, 1 core)")
        per_core = one["docs"] / one["seconds"]
        ratio = per_core / traf["docs_per_s"]
        scaling = (allc["docs"] / allc["seconds"]) / per_core
        mem = allc["peak_rss"] / smallrun["peak_rss"] if smallrun["peak_rss"] else float("nan")
        results.update(ratio_vs_trafilatura=ratio, scaling=scaling, memory_ratio=mem)
        print(f"text cleaning per core vs trafilatura: {ratio:.1f}x   (target >= 10x)")
        print(f"all cores vs 1 job: {scaling:.2f}x on {args.jobs} jobs   (target >= 1.7x on 2 cores)")
        print(f"peak RSS (process tree, psutil): {smallrun['peak_rss'] / 2**20:.0f} MB for {args.small} docs, "
              f"{allc['peak_rss'] / 2**20:.0f} MB for {args.docs} docs: {mem:.2f}x   (target <= 1.2x)")

        if not args.skip_single:
            for kind, label in (("big", "one 10 MB document"), ("line", "one 1 MB single line")):
                r = _time_clean_subprocess(kind, SINGLE_DOC_TIMEOUT_S)
                results[kind] = r
                if "error" in r:
                    print(f"{label}: {r['error']}")
                else:
                    print(f"{label}: {r['seconds']:.2f} s, {r['mb_per_s']:.2f} MB/s "
                          f"({r['bytes'] / 1e6:.1f} MB in, {r['kept_chars']} chars kept)")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
