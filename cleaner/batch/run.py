"""Running a batch: the local engine (a pool of worker processes) and `run_batch`, which drives
the whole batch on either engine.

The corpus is cut into *chunks* (a fixed number of files or lines, in a fixed order). A chunk is
the unit of work, of resume and of output order:

    plan      sorted input files (or byte ranges of JSON lines) -> chunks          (batch.plan)
    [pass 1]  --dedup-lines: per site, in how many documents each dedup_key occurs
              -> common lines                                                       (batch.dedup)
    pass 2    each chunk: read -> clean -> write its outputs atomically -> write its part file
              (batch.read, batch.clean, batch.state)
    assemble  part files, in chunk order -> manifest.jsonl / out.jsonl and errors.jsonl, and
              stats.json (atomically)                                     (batch.state, batch.stats)

The same functions serve the local engine and the Dask engine (cleaner.batch.dask):
`read_chunk` -> `clean_docs` -> `write_chunk`. A rerun of the same command resumes: it skips the
chunks whose part file says they are done, and redoes only the documents whose input changed or
whose output is gone (and, with `retry_errors`, the failed ones).

Faults (docs/batch.md, "Faults"): any exception for one document becomes a line of the errors
file; a worker process lost is replaced and its chunks redone; workers die with the batch
process; a full disk stops the batch with a one-line error, resumably.
"""
from __future__ import annotations

import dataclasses
import os
import signal
import sys
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, TextIO

from ..rules import load_ruleset
from .clean import clean_docs, fail_docs
from .config import BatchConfig, BatchError, shown
from .corpus import get_path
from .dedup import CrossDoc, LineCounts, common_digest, count_docs
from .plan import Chunk, plan_dir, plan_jsonl
from .progress import Progress
from .read import read_chunk
from .state import (DISK_FULL_ERRNOS, MANIFEST_NAME, OutputLock, assemble, assembled_marker, check_derived_paths,
                    check_settings, check_writable, errors_path, is_assembled, load_part, output_identity,
                    part_path, prepare_state, restore_parts, resume_plan, sweep_temp_files, write_chunk,
                    write_corpus_stats)
from .stats import CorpusStats, throughput

# Chunks submitted ahead of the finished ones, per worker: keeps memory flat on any corpus size.
IN_FLIGHT_PER_JOB = 3
# A chunk whose worker process died this many times is not tried again in this run: its documents
# are recorded as failed (--retry-errors tries them again).
MAX_WORKER_LOSSES = 3
# A worker checks this often (seconds) that the batch process is still its parent (where
# PR_SET_PDEATHSIG is not available, and against the race at start-up).
PARENT_WATCH_S = 1.0
# Warnings about skipped input files printed one per line; the rest are counted.
MAX_SKIP_WARNINGS = 20


def run_chunk(cfg: BatchConfig, chunk: Chunk, common: CrossDoc | None) -> CorpusStats:
    """The local engine's task: read, clean and write one chunk in this (worker) process."""
    return write_chunk(cfg, chunk, clean_docs(cfg, read_chunk(cfg, chunk), common))


def count_chunk(cfg: BatchConfig, chunk: Chunk) -> LineCounts:
    """The local engine's task in pass 1 (--dedup-lines): read and count one chunk."""
    return count_docs(cfg, read_chunk(cfg, chunk))


def fail_chunk(cfg: BatchConfig, chunk: Chunk, reason: str) -> CorpusStats:
    """Record every document of a chunk that could not be cleaned (its worker kept dying) as failed."""
    return write_chunk(cfg, chunk, fail_docs(cfg, read_chunk(cfg, chunk), reason))


# ---------------------------------------------------------------- engines

class Engine(Protocol):
    def count(self, cfg: BatchConfig, chunks: list[Chunk]) -> Iterator[tuple[Chunk, LineCounts]]: ...

    def clean(self, cfg: BatchConfig, chunks: list[Chunk],
              common: CrossDoc) -> Iterator[tuple[Chunk, CorpusStats]]: ...


PR_SET_PDEATHSIG = 1                          # linux/prctl.h


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_WATCH_S)
        if os.getppid() != parent:
            os._exit(1)


def worker_init(parent: int) -> None:
    """A pool worker's start-up: it dies with the batch process (SIGKILL on the parent's death
    via prctl(PR_SET_PDEATHSIG) on Linux, and a thread watching the parent's pid everywhere)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:               # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="newsclean-parent-watch").start()


class LocalEngine:
    """`jobs` worker processes (or this process alone for jobs=1); a bounded number of chunks in
    flight, so memory does not grow with the corpus. Completion order does not matter: every
    chunk writes its own files, and assembly goes by chunk number.

    A worker process lost (killed, crashed: BrokenProcessPool) costs only the chunks in flight:
    the pool is replaced and they are redone; a chunk whose worker died MAX_WORKER_LOSSES times
    has its documents recorded as failed. Workers die with this process (`worker_init`)."""

    def __init__(self, jobs: int, stream: TextIO | None = None):
        self.jobs = max(1, jobs)
        self.stream = stream
        self.workers_lost = 0

    def __enter__(self) -> "LocalEngine":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def count(self, cfg: BatchConfig, chunks: list[Chunk]) -> Iterator[tuple[Chunk, LineCounts]]:
        def give_up(cfg: BatchConfig, chunk: Chunk) -> LineCounts:
            raise BatchError(f"a worker process died {MAX_WORKER_LOSSES} times while counting the lines "
                             f"of chunk {chunk.index}; rerun to try again", path=cfg.source)
        return self._map(count_chunk, cfg, chunks, (), give_up)

    def clean(self, cfg: BatchConfig, chunks: list[Chunk],
              common: CrossDoc) -> Iterator[tuple[Chunk, CorpusStats]]:
        def give_up(cfg: BatchConfig, chunk: Chunk) -> CorpusStats:
            return fail_chunk(cfg, chunk, f"its worker process died {MAX_WORKER_LOSSES} times while cleaning "
                                          "its chunk; rerun with --retry-errors to try again")
        return self._map(run_chunk, cfg, chunks, (common,), give_up)

    def _warn(self, message: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(f"newsclean batch: warning: {message}\n")
        stream.flush()

    def _map(self, fn: Callable, cfg: BatchConfig, chunks: list[Chunk], extra: tuple,
             give_up: Callable[[BatchConfig, Chunk], Any]) -> Iterator[tuple[Chunk, Any]]:
        if self.jobs == 1 or len(chunks) <= 1:
            for chunk in chunks:
                yield chunk, fn(cfg, chunk, *extra)
            return
        todo = list(reversed(chunks))         # a stack: the next chunk is todo[-1]
        losses: Counter[int] = Counter()
        while todo:
            pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=worker_init, initargs=(os.getpid(),))
            running: dict[Future, Chunk] = {}
            lost: list[Chunk] = []
            try:
                def submit() -> None:
                    if todo:
                        chunk = todo.pop()
                        running[pool.submit(fn, cfg, chunk, *extra)] = chunk

                for _ in range(self.jobs * IN_FLIGHT_PER_JOB):
                    submit()
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for fut in sorted(done, key=lambda f: running[f].index):
                        chunk = running.pop(fut)
                        if isinstance(fut.exception(), BrokenProcessPool):
                            lost.append(chunk)
                            continue
                        yield chunk, fut.result()
                        if not lost:
                            submit()
                    if lost:                  # the pool is broken: every running chunk fails soon
                        wait(running)
                        for fut, chunk in sorted(running.items(), key=lambda fc: fc[1].index):
                            if isinstance(fut.exception(), BrokenProcessPool):
                                lost.append(chunk)
                            else:
                                yield chunk, fut.result()
                        running.clear()
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
            if lost:
                self.workers_lost += 1
                self._warn(f"a worker process died; its {len(lost)} chunk(s) in flight are redone by a new one")
                for chunk in sorted(lost, key=lambda c: c.index, reverse=True):
                    losses[chunk.index] += 1
                    if losses[chunk.index] >= MAX_WORKER_LOSSES:
                        yield chunk, give_up(cfg, chunk)
                    else:
                        todo.append(chunk)


# ---------------------------------------------------------------- summary

@dataclass
class Summary:
    """What a batch did, for the lines printed at its end (`lines`). `stats`: the counts over the
    whole corpus (those of stats.json); `duplicates` and `kept_whole`: documents that are exact
    copies of an earlier one, and documents --dedup-lines kept whole."""

    stats: CorpusStats
    duplicates: int
    kept_whole: int
    resumed: int                             # documents done by an earlier run and skipped now
    seconds: float
    errors_file: str
    output: str
    common_lines: dict[str, int] = field(default_factory=dict)
    skipped: int = 0                         # input entries that are not regular files, or links not followed
    workers_lost: int = 0

    @property
    def failed(self) -> int:
        return self.stats.failed

    def lines(self) -> list[str]:
        s = self.stats
        out = [f"{s.documents} documents: {s.cleaned} cleaned, {s.failed} failed"
               + (f" (see {self.errors_file}; --retry-errors tries them again)" if s.failed else "")
               + (f"; {self.resumed} already done by an earlier run" if self.resumed else "")]
        new = s.documents - self.resumed
        if new > 0 and self.seconds > 0:
            out.append(f"{new} documents in {self.seconds:.1f} s ({new / self.seconds:,.1f} docs/s)")
        removed = ", ".join(f"{k} {v['blocks']}" for k, v in sorted(s.categories.items())) or "nothing"
        out.append(f"removed blocks: {removed}")
        out.append(f"documents with warnings: {s.with_warnings}")
        if self.common_lines:
            out.append("common lines (--dedup-lines): "
                       + ", ".join(f"{k} {v}" for k, v in sorted(self.common_lines.items())))
        if self.duplicates:
            out.append(f"exact duplicate documents: {self.duplicates} (each a copy of an earlier one: duplicate_of)")
        if self.kept_whole:
            out.append(f"documents kept whole by --dedup-lines (all their lines are common to their site): "
                       f"{self.kept_whole}")
        if self.skipped:
            out.append(f"skipped input entries (not regular files, or links not followed): {self.skipped}")
        if self.workers_lost:
            out.append(f"worker processes lost and replaced: {self.workers_lost}")
        out.append(f"output: {self.output}")
        return out


# ---------------------------------------------------------------- the batch

def check_rules(cfg: BatchConfig) -> None:
    """Load the rule set once here, so a bad rule file stops the batch before any work."""
    rules = load_ruleset(cfg.options.rules_dirs)
    if cfg.site and rules.site_named(cfg.site) is None:
        raise BatchError(f"no rules for site {cfg.site!r} (see 'newsclean rules list')")


def check_output_field(cfg: BatchConfig, chunks: list[Chunk]) -> None:
    """BatchError when the first record of a JSON Lines input already has `output_field` (and
    --replace-field is not given): the cleaned fields would replace it in every record."""
    if cfg.mode != "jsonl" or cfg.replace_field or not chunks:
        return
    if cfg.replace_text and cfg.output_field == cfg.text_field:
        raise BatchError(f"--output-field {cfg.output_field!r} is the text field; choose another")
    for doc in read_chunk(cfg, chunks[0]):
        if doc.record is not None:
            if get_path(doc.record, cfg.output_field) is not None:
                raise BatchError(f"the records already have a field {cfg.output_field!r} (line {doc.line}); "
                                 "choose another --output-field or add --replace-field to replace it",
                                 path=cfg.source)
            return


def _write_error(cfg: BatchConfig, exc: OSError) -> BatchError:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in DISK_FULL_ERRNOS:
        return BatchError(f"the disk is full{where}: {exc.strerror or exc}; free some space and rerun the "
                          "same command to resume", path=cfg.target)
    return BatchError(f"cannot write the output{where}: {exc.strerror or exc}; rerun the same command to resume",
                      path=cfg.target)


def run_batch(cfg: BatchConfig, engine: Engine, *, progress: bool | None = None,
              stream: TextIO | None = None, overwrite: bool = False, retry_errors: bool = False) -> Summary:
    """Run (or resume) a batch. Raises BatchError/CleanerError for a batch that cannot start or
    must stop (another run holds the output, other settings without `overwrite`, a full disk).
    `retry_errors`: clean the documents that failed in an earlier run again."""
    stream = stream or sys.stderr
    show = stream.isatty() if progress is None else progress
    check_rules(cfg)
    check_derived_paths(cfg)
    check_writable(cfg)  # before any long pass
    with OutputLock(cfg):
        try:
            return _run_locked(cfg, engine, stream, show, overwrite, retry_errors)
        except OSError as exc:
            raise _write_error(cfg, exc) from None


def _run_locked(cfg: BatchConfig, engine: Engine, stream: TextIO, show: bool, overwrite: bool,
                retry_errors: bool) -> Summary:
    skipped: list[tuple[str, str]] = []
    chunks = plan_dir(cfg, skipped) if cfg.mode == "dir" else plan_jsonl(cfg)
    for rel, reason in skipped[:MAX_SKIP_WARNINGS]:
        stream.write(f"newsclean batch: warning: skipped {shown(rel)}: {reason}\n")
    if len(skipped) > MAX_SKIP_WARNINGS:
        stream.write(f"newsclean batch: warning: ... and {len(skipped) - MAX_SKIP_WARNINGS} more entries skipped\n")
    total_docs = sum(c.size for c in chunks)
    check_output_field(cfg, chunks)

    fingerprint = cfg.fingerprint()
    if cfg.mode == "jsonl":
        fingerprint["input"] = output_identity(Path(cfg.source))
    check_settings(cfg, fingerprint, overwrite)

    cross = CrossDoc()
    if cfg.dedup is not None:
        counts = LineCounts()
        bar = Progress(total_docs, 0, stream, show, label="counting lines")
        for chunk, part in engine.count(cfg, chunks):
            counts.add(part)
            bar.update(chunk.size)
        bar.close()
        cross = CrossDoc(lines=counts.common(cfg.dedup), duplicates=counts.duplicates())
    fingerprint["common"] = common_digest(cross) if cfg.dedup is not None else None

    prepare_state(cfg, fingerprint, stream)
    sweep_temp_files(cfg)
    assembled = is_assembled(cfg)
    metas = [load_part(cfg, chunk) for chunk in chunks]

    def plans() -> list[tuple[str, ...] | None]:
        return [resume_plan(cfg, c, m, retry_errors=retry_errors,
                            have_data=assembled or part_path(cfg, c, ".jsonl").is_file())
                for c, m in zip(chunks, metas)]

    todo = plans()
    if assembled and any(t for t in todo):       # JSON Lines: some documents to merge into the output
        if not (all(m is not None for m in metas) and restore_parts(cfg, chunks, metas)):  # type: ignore[arg-type]
            assembled_marker(cfg).unlink(missing_ok=True)
        assembled = False
        todo = plans()
    pending: list[Chunk] = []
    resumed = 0
    for chunk, meta, redo in zip(chunks, metas, todo):
        if redo is None:
            pending.append(chunk)
        elif redo:
            pending.append(dataclasses.replace(chunk, redo=redo))
            resumed += len(meta["entries"]) - len(redo) if meta else 0
        else:
            resumed += len(meta["entries"]) if meta else 0
    bar = Progress(total_docs, total_docs - sum(c.todo for c in pending), stream, show)
    work_started = time.monotonic()
    new_docs = new_bytes = 0
    for chunk, _stats in engine.clean(cfg, pending, cross):
        bar.update(chunk.todo)
        new_docs += chunk.todo
        new_bytes += _stats.bytes_in if chunk.redo is None else 0
    bar.close()
    seconds = time.monotonic() - work_started
    if getattr(engine, "workers_lost", 0):
        sweep_temp_files(cfg)            # a killed worker's half-written file (this run holds the lock)
    if pending and cfg.mode == "jsonl":
        assembled_marker(cfg).unlink(missing_ok=True)
    metas = assemble(cfg, chunks)
    stats = write_corpus_stats(cfg, metas, throughput(seconds if pending else 0.0, new_docs, new_bytes, resumed))
    cleaned = [e for meta in metas for e in meta["entries"] if e["ok"]]
    return Summary(stats=stats, duplicates=sum(bool(e.get("duplicate_of")) for e in cleaned),
                   kept_whole=sum(bool(e.get("kept_whole")) for e in cleaned),
                   resumed=resumed, seconds=seconds if pending else 0.0,
                   errors_file=str(errors_path(cfg)),
                   output=str(Path(cfg.target) / MANIFEST_NAME) if cfg.mode == "dir" else cfg.target,
                   common_lines={k: len(v) for k, v in cross.lines.items()}, skipped=len(skipped),
                   workers_lost=getattr(engine, "workers_lost", 0))
