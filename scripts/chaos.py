#!/usr/bin/env python3
"""Fault injection against a real `newsclean batch` (issue 14): prints what held.

    .venv/bin/python scripts/chaos.py [--trials 20] [--docs 300] [--jobs 2] [--seed 1]

On a corpus of generated documents (tests/batchdocs.py; a few bad ones among them), each fault is
run against the installed `newsclean` next to this interpreter and its result compared, byte for
byte, with an uninterrupted run:

  kill -9        the batch killed with SIGKILL at a random moment (its whole process group, or the
                 parent alone, when its workers must die with it), 1-3 times, then rerun to the end;
                 folder and JSON Lines batches in turn
  worker killed  one pool process killed with SIGKILL mid-batch: the batch must finish, complete
  disk full      the output on a 300 kB tmpfs (needs root and mount; else reported as skipped):
                 exit 2 with one line, then, the tmpfs grown, a rerun completes
  poison         a deeply nested JSON line, lone surrogates, undecodable bytes, an over-long line;
                 a file name that is not UTF-8, a FIFO, a link to /dev/zero, a socket, binary files
  concurrent     a second run on the same output while the first runs (refused, exit 2), and one
                 with other settings after it (refused without --overwrite)

Exit status 0 when everything held, 1 otherwise.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from batchdocs import documents  # noqa: E402

TIMEOUT_S = 900                       # no batch here may take longer: a hang is a failure


def newsclean() -> list[str]:
    script = Path(sys.executable).with_name("newsclean")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(newsclean() + ["batch", *args], capture_output=True, timeout=TIMEOUT_S)


def popen(*args: str) -> subprocess.Popen:
    return subprocess.Popen(newsclean() + ["batch", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def digest(p: Path) -> str:
    """A file's content hash; for stats.json, of its counts (not the run's throughput: seconds differ)."""
    if p.name.endswith("stats.json"):
        stats = json.loads(p.read_text(encoding="utf-8"))
        stats.pop("throughput", None)
        return hashlib.sha1(json.dumps(stats, sort_keys=True).encode()).hexdigest()
    return hashlib.sha1(p.read_bytes()).hexdigest()


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): digest(p)
            for p in sorted(root.rglob("*")) if p.is_file() and ".newsclean" not in p.parts}


def outputs_of(mode: str, out: Path) -> dict[str, str]:
    """The output, errors file and stats.json of a batch, hashed (the state folder left out)."""
    if mode == "dir":
        return tree(out)
    return {p.name: digest(p) for p in sorted(out.parent.iterdir())
            if p.is_file() and p.name.startswith(out.name.replace(".jsonl", "."))}


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def one_line(r: subprocess.CompletedProcess) -> bool:
    err = r.stderr.decode(errors="replace")
    return err.count("\n") == 1 and "Traceback" not in err


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, bool]] = []

    def add(self, fault: str, detail: str, held: bool) -> None:
        self.rows.append((fault, detail, held))
        print(f"  {'held' if held else 'FAILED'}: {fault}: {detail}", flush=True)


def make_corpus(work: Path, n: int, seed: int) -> tuple[Path, Path]:
    texts = documents(n, seed=seed)
    folder = work / "scraped"
    for i, text in enumerate(texts):
        sub = folder / f"site{i % 4}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"doc{i:05d}.txt").write_text(text, encoding="utf-8")
    for k in range(3):                                     # bad documents: recorded, the same every run
        (folder / f"site{k}" / f"binary{k}.txt").write_bytes(bytes(range(256)) * (10 + k))
    jsonl = work / "corpus.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(texts):
            fh.write(json.dumps({"id": i, "url": f"https://site{i % 4}.example/{i}", "text": text}) + "\n")
            if i % 97 == 50:
                fh.write('{"id": "broken", "text": \n')
    return folder, jsonl


def kill_trials(report: Report, work: Path, folder: Path, jsonl: Path, trials: int, jobs: int,
                rng: random.Random) -> None:
    common = ["--jobs", str(jobs), "--chunk-size", "8"]
    refs, took = {}, {}
    for mode, src in (("dir", folder), ("jsonl", jsonl)):
        out = work / f"ref-{mode}" / ("out" if mode == "dir" else "out.jsonl")
        out.parent.mkdir()
        started = time.monotonic()
        r = run(str(src), str(out), *common)
        took[mode] = time.monotonic() - started
        assert r.returncode == 1, r.stderr.decode()          # the bad documents
        refs[mode] = outputs_of(mode, out)
    print(f"  uninterrupted runs: folder {took['dir']:.1f} s, JSON Lines {took['jsonl']:.1f} s", flush=True)
    same = survivors = kills = parent_kills = orphans = killed_trials = 0
    n_chunks = -(-(len(list(folder.rglob('*.txt')))) // 8)
    for t in range(trials):
        mode = "dir" if t % 2 == 0 else "jsonl"
        src = folder if mode == "dir" else jsonl
        out = work / f"trial{t}" / ("out" if mode == "dir" else "out.jsonl")
        out.parent.mkdir()
        parts = (out / ".newsclean" if mode == "dir" else out.parent / f".{out.name}.newsclean") / "parts"
        killed = 0
        for _ in range(rng.randint(1, 3)):
            done = sum(1 for _ in parts.glob("part-*.json")) if parts.is_dir() else 0
            if done >= n_chunks:
                break
            # A random moment: once a random number of chunks more are done, plus up to 50 ms.
            at, extra = rng.randint(done, n_chunks - 1), rng.uniform(0, 0.05)
            proc = popen(str(src), str(out), *common)
            while proc.poll() is None and (sum(1 for _ in parts.glob("part-*.json")) if parts.is_dir() else 0) < at:
                time.sleep(0.002)
            time.sleep(extra)
            workers = children(proc.pid)
            if proc.poll() is None:
                kills += 1
                killed += 1
                if rng.random() < 0.5:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    os.kill(proc.pid, signal.SIGKILL)        # the parent alone: its workers must follow
                    parent_kills += 1
                    orphans += len(workers)
            proc.wait(timeout=TIMEOUT_S)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and any(alive(w) for w in workers):
                time.sleep(0.1)
            left = [w for w in workers if alive(w)]
            survivors += len(left)
            for w in left:
                os.kill(w, signal.SIGKILL)
        killed_trials += killed > 0
        r = run(str(src), str(out), *common)
        ok = (r.returncode == 1 and outputs_of(mode, out) == refs[mode]
              and not list(out.parent.rglob("*.tmp")))
        same += ok
        if not ok:
            print(f"    trial {t} ({mode}): exit {r.returncode}: {r.stderr.decode()[-300:]}", flush=True)
    report.add("kill -9 at random moments, then rerun",
               f"{same}/{trials} trials identical to an uninterrupted run ({kills} kills mid-run, "
               f"{killed_trials} trials killed at least once; folder and JSON Lines)",
               same == trials)
    report.add("workers die with a killed parent",
               f"{survivors} workers survived ({parent_kills} kills of the parent alone, {orphans} workers orphaned)",
               survivors == 0)
    return None


def worker_killed(report: Report, work: Path, folder: Path, jobs: int) -> None:
    ref = work / "ref-dir" / "out"
    out = work / "worker" / "out"
    proc = popen(str(folder), str(out), "--jobs", str(max(2, jobs)), "--chunk-size", "8")
    parts = out / ".newsclean" / "parts"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.is_dir() and sum(1 for _ in parts.glob("part-*.json")) >= 2 and len(children(proc.pid)) >= 2:
            break
        time.sleep(0.005)
    victims = children(proc.pid)
    if proc.poll() is not None or not victims:
        report.add("a worker killed", "the batch ended before a worker could be killed", False)
        return
    os.kill(victims[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=TIMEOUT_S)
    ok = proc.returncode == 1 and tree(out) == tree(ref) and "worker process died" in err.decode()
    if not ok:
        a, b = tree(out), tree(ref)
        print(f"    {err.decode()[-400:]}\n    differ: {sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))[:5]}")
    report.add("a worker killed (SIGKILL)", f"exit {proc.returncode}, output complete and identical: {ok}", ok)


def disk_full(report: Report, work: Path, folder: Path, jobs: int) -> None:
    mnt = work / "small-disk"
    mnt.mkdir()
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mnt)], capture_output=True)
    if m.returncode != 0:
        report.add("disk full", f"skipped: cannot mount a tmpfs ({m.stderr.decode().strip()})", True)
        return
    try:
        out = mnt / "out"
        r1 = run(str(folder), str(out), "--jobs", str(jobs), "--chunk-size", "8")
        stopped = r1.returncode == 2 and one_line(r1) and "disk is full" in r1.stderr.decode()
        subprocess.run(["mount", "-o", "remount,size=32m", str(mnt)], check=True)
        r2 = run(str(folder), str(out), "--jobs", str(jobs), "--chunk-size", "8")
        whole = r2.returncode == 1 and tree(out) == tree(work / "ref-dir" / "out")
        report.add("disk full (300 kB tmpfs)",
                   f"stopped with one line, exit 2: {stopped}; rerun after space freed complete and identical: {whole}",
                   stopped and whole)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def poison(report: Report, work: Path, jobs: int) -> None:
    good = documents(6, seed=99)
    src = work / "poison.jsonl"
    with src.open("wb") as fh:
        fh.write((json.dumps({"id": 0, "text": good[0]}) + "\n").encode())
        fh.write(b'{"id": 1, "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
        fh.write((json.dumps({"id": 2, "text": good[1] + "\udc80"}) + "\n").encode())
        fh.write(b'{"id": 3, "text": "\xff\xfe undecodable"}\n')
        fh.write((json.dumps({"id": 4, "text": "x" * 3_000_000}) + "\n").encode())
        fh.write((json.dumps({"id": 5, "text": good[2]}) + "\n").encode())
    out = work / "poison-out.jsonl"
    r = run(str(src), str(out), "--jobs", str(jobs), "--chunk-size", "2", "--max-bytes", "2000000")
    errors = (work / "poison-out.errors.jsonl").read_text().splitlines() if r.returncode in (0, 1) else []
    ok = (r.returncode == 1 and "Traceback" not in r.stderr.decode() and len(errors) == 3
          and len(out.read_bytes().decode("utf-8").splitlines()) == 3)
    report.add("poison JSON lines (100,000-deep nesting, lone surrogates, bad bytes, 3 MB line)",
               f"exit {r.returncode}, {len(errors)} recorded errors, 3 cleaned: {ok}", ok)

    tree_in = work / "poison-tree"
    tree_in.mkdir()
    for i, text in enumerate(good[3:]):
        (tree_in / f"good{i}.txt").write_text(text, encoding="utf-8")
    Path(os.fsdecode(bytes(tree_in) + b"/name-\xff.txt")).write_text(good[0], encoding="utf-8")
    os.mkfifo(tree_in / "fifo.txt")
    (tree_in / "zero.txt").symlink_to("/dev/zero")
    (tree_in / "loop").symlink_to(tree_in)
    (tree_in / "binary.html").write_bytes(os.urandom(5000))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tree_in / "sock.txt"))
    try:
        r = run(str(tree_in), str(work / "poison-tree-out"), "--jobs", str(jobs), "--follow-links")
    except subprocess.TimeoutExpired:
        report.add("poison files", "the batch hung", False)
        return
    finally:
        sock.close()
    manifest = (work / "poison-tree-out" / "manifest.jsonl").read_text().splitlines() if r.returncode < 2 else []
    err = r.stderr.decode(errors="replace")
    ok = (r.returncode == 1 and "Traceback" not in err and len(manifest) == 3
          and all(f"skipped {n}" in err for n in ("fifo.txt", "zero.txt", "sock.txt")))
    report.add("poison files (non-UTF-8 name, FIFO, link to /dev/zero, socket, link loop, binary)",
               f"exit {r.returncode}, 3 cleaned, specials skipped, nothing hung: {ok}", ok)


def concurrent(report: Report, work: Path, folder: Path, jobs: int) -> None:
    out = work / "concurrent" / "out"
    first = popen(str(folder), str(out), "--jobs", str(jobs), "--chunk-size", "8")
    parts = out / ".newsclean" / "parts"
    while first.poll() is None and not (parts.is_dir() and any(parts.glob("part-*.json"))):
        time.sleep(0.005)
    second = run(str(folder), str(out), "--jobs", str(jobs), "--chunk-size", "8")
    first_running = first.poll() is None
    first.communicate(timeout=TIMEOUT_S)
    refused = second.returncode == 2 and one_line(second) and "another newsclean batch" in second.stderr.decode()
    whole = first.returncode == 1 and tree(out) == tree(work / "ref-dir" / "out")
    report.add("two concurrent runs on one output",
               f"second refused while the first ran: {refused and first_running}; first complete and identical: {whole}",
               refused and first_running and whole)
    other = run(str(folder), str(out), "--jobs", str(jobs), "--format", "json")
    kept = tree(out) == tree(work / "ref-dir" / "out")
    ok = other.returncode == 2 and one_line(other) and "other settings" in other.stderr.decode() and kept
    report.add("a run with other settings on a finished output", f"refused, output unchanged: {ok}", ok)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=20, help="kill -9 trials (default 20)")
    ap.add_argument("--docs", type=int, default=300, help="generated documents (default 300)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="newsclean-chaos-"))
    report = Report()
    started = time.monotonic()
    try:
        folder, jsonl = make_corpus(work, args.docs, args.seed)
        print(f"chaos: {args.docs} documents (+3 binary files), --jobs {args.jobs}, seed {args.seed}, in {work}",
              flush=True)
        kill_trials(report, work, folder, jsonl, args.trials, args.jobs, rng)
        worker_killed(report, work, folder, args.jobs)
        disk_full(report, work, folder, args.jobs)
        poison(report, work, args.jobs)
        concurrent(report, work, folder, args.jobs)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    held = sum(1 for r in report.rows if r[2])
    print(f"\nchaos: {held}/{len(report.rows)} held in {time.monotonic() - started:.0f} s")
    for fault, detail, ok in report.rows:
        print(f"| {fault} | {detail} | {'held' if ok else 'FAILED'} |")
    return 0 if held == len(report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
