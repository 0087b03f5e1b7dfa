"""The state of a batch on disk: part files, resume, the lock, and the assembled outputs.

The state folder (`.newsclean` inside an output folder, `.<out.jsonl>.newsclean` beside a JSON
Lines output) holds the settings of the run (config.json), the lock, and one part file per chunk
done. A chunk's part file is written last, atomically, after everything the chunk produced
(`write_chunk`), so it exists only when the chunk is done: a killed run is resumed by skipping
the chunks that have one. Resume is per document: a part file records, for each of its chunk's
documents, whether it was cleaned or failed (and, in a folder batch, the input's size and time);
`resume_plan` tells what a rerun still has to do. `assemble` joins the part files, in chunk order,
into manifest.jsonl / out.jsonl and errors.jsonl.

Faults (docs/batch.md, "Faults"): the output is locked for the run (`OutputLock`); no derived
path may be an input or a special file (`check_derived_paths`); a run with other settings never
mixes its outputs with an earlier run's (`check_settings`).
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
from pathlib import Path
from typing import Any, TextIO

try:
    import fcntl
except ImportError:  # not on POSIX: no lock
    fcntl = None  # type: ignore[assignment]

from ..read.files import write_atomic, write_atomic_stream
from .clean import ChunkResult
from .config import READ_BLOCK, BatchConfig, BatchError, inside, json_text, kind_name
from .corpus import compressed_fill, plain_name
from .plan import Chunk
from .read import NotRegular
from .stats import CorpusStats, document_site, previous_throughput, stats_path_for, write_stats

STATE_DIR = ".newsclean"                     # inside OUT_DIR, or `.<out.jsonl>.newsclean` beside it
MANIFEST_NAME = "manifest.jsonl"
ERRORS_NAME = "errors.jsonl"
LOCK_NAME = "lock"                           # in the state folder: flock'ed by the running batch
# Keys of the settings fingerprint that describe the input, not the settings: when only these
# differ, the input changed and the batch starts over; other differences need --overwrite.
INPUT_KEYS: tuple[str, ...] = ("input", "common")
# errno values meaning the output's disk is full: the batch stops (exit 2), resumably.
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
# Temporary files left by a killed write_atomic: `.<name>.<random>.tmp`.
_TEMP_FILE = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


def state_dir(cfg: BatchConfig) -> Path:
    """The batch's state folder (see the module docstring)."""
    if cfg.mode == "dir":
        return Path(cfg.target) / STATE_DIR
    target = Path(cfg.target)
    return target.parent / f".{target.name}{STATE_DIR}"


def errors_path(cfg: BatchConfig) -> Path:
    """The errors file: OUT_DIR/errors.jsonl, or out.errors.jsonl beside out.jsonl (or .jsonl.gz, ...)."""
    if cfg.mode == "dir":
        return Path(cfg.target) / ERRORS_NAME
    target = Path(cfg.target)
    name = plain_name(target)                # out.jsonl.gz -> out.errors.jsonl
    stem = name[:-len(Path(name).suffix)] if Path(name).suffix else name
    return target.parent / f"{stem}.{ERRORS_NAME}"


def part_path(cfg: BatchConfig, chunk: Chunk, ext: str) -> Path:
    """A chunk's part file (".json") or, for JSON Lines, its cleaned lines (".jsonl")."""
    return state_dir(cfg) / "parts" / f"part-{chunk.index:07d}{ext}"


def check_output_file(path: Path, root: str | None = None) -> None:
    """OSError unless `path` is absent or a regular file (never a symlink, FIFO, device or
    folder), and, when `root` (a real path) is given, its folder is really under `root`
    (no symbolic link on the way leading elsewhere)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise NotRegular(0, f"it is {kind_name(st.st_mode)}; only regular files are replaced")
    if root is not None and not inside(os.path.realpath(path.parent), root):
        raise NotRegular(0, "a symbolic link on its path leads out of the output folder")


def write_chunk(cfg: BatchConfig, chunk: Chunk, result: ChunkResult) -> CorpusStats:
    """Write the chunk's outputs (each atomically), then its part file: the chunk is done.
    With `chunk.redo`, the results are merged into the chunk's earlier part. OSError for a full
    disk (errno in DISK_FULL_ERRNOS) or an unwritable state folder; other failures to write
    one output are recorded against that document."""
    entries = result.entries
    if cfg.mode == "dir":
        target = Path(cfg.target)
        target_real = os.path.realpath(target)
        for out, content in result.outputs:
            entry = next(e for e in entries if e.get("record", {}).get("output") == out)
            try:
                check_output_file(target / out, target_real)
                write_atomic(target / out, content)
            except OSError as exc:
                if exc.errno in DISK_FULL_ERRNOS:
                    raise
                rel = entry["key"]
                record = entry["record"]
                site = document_site(record.get("url"), record.get("site"), rel)
                for k in [k for k in entry if k not in ("key", "stamp")]:
                    del entry[k]
                entry["ok"] = False
                entry["error"] = {"path": rel, "reason": f"cannot write {out}: {exc.strerror or exc}"}
                result.corpus.not_written(site)
                mine = result.doc_corpus.get(rel, CorpusStats())
                mine.not_written(site)
                entry["corpus"] = mine.to_dict()
    lines = result.lines
    corpus = result.corpus
    old = load_part(cfg, chunk) if chunk.redo is not None else None
    if old is not None:
        redo = set(chunk.redo or ())
        corpus = CorpusStats.from_dict(old.get("corpus", {}))
        for e in old["entries"]:
            if e["key"] in redo and not e["ok"] and "corpus" in e:
                corpus.take_back(e["corpus"])
        corpus.merge(result.corpus)
        old_lines: list[str] = []
        if cfg.mode == "jsonl":
            old_lines = part_path(cfg, chunk, ".jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
        merged: list[tuple[Any, dict[str, Any], str | None]] = []
        it_old, it_new = iter(old_lines), iter(lines)
        for e in old["entries"]:
            line = next(it_old) if e["ok"] and cfg.mode == "jsonl" else None
            if e["key"] not in redo:
                merged.append((e["key"], e, line))
        for e in entries:
            merged.append((e["key"], e, next(it_new) if e["ok"] and cfg.mode == "jsonl" else None))
        if cfg.mode == "dir":
            order = {f.rel: i for i, f in enumerate(chunk.files)}
            merged.sort(key=lambda m: order.get(m[0], len(order)))
        else:
            merged.sort(key=lambda m: int(m[0]))
        entries = [m[1] for m in merged]
        lines = [m[2] for m in merged if m[2] is not None]
    if cfg.mode == "jsonl":
        write_atomic(part_path(cfg, chunk, ".jsonl"), "".join(lines))
    meta = {"digest": chunk.digest, "entries": entries, "corpus": corpus.to_dict(),
            "bytes": sum(len(x.encode("utf-8")) for x in lines) if cfg.mode == "jsonl" else 0}
    write_atomic(part_path(cfg, chunk, ".json"), json_text(meta) + "\n")
    return corpus


def part_errors(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """A part's errors-file lines, in order."""
    return sorted((e["error"] for e in meta["entries"] if not e["ok"]), key=_error_order)


def part_records(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """A folder batch part's manifest lines, in path order."""
    return [e["record"] for e in meta["entries"] if e["ok"]]


def _error_order(rec: dict[str, Any]) -> tuple:
    return (rec.get("line", 0), rec.get("path", ""))



def load_part(cfg: BatchConfig, chunk: Chunk) -> dict[str, Any] | None:
    """A chunk's part file as a dict (digest, entries, corpus, bytes), or None when it has none
    (or one of another chunk: a changed input)."""
    try:
        meta = json.loads(part_path(cfg, chunk, ".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if meta.get("digest") == chunk.digest and "entries" in meta else None


def resume_plan(cfg: BatchConfig, chunk: Chunk, meta: dict[str, Any] | None, *, retry_errors: bool,
                have_data: bool) -> tuple[str, ...] | None:
    """What a rerun still has to do for a chunk: None (all of it), () (nothing) or the keys of the
    failed documents to clean again: with retry_errors, all of them; in a folder batch, those whose
    input changed (size or time). A cleaned document whose input changed or whose output is gone
    makes the whole chunk redone. `have_data`: a JSON Lines chunk's
    cleaned lines are still to be had (its data part, or the assembled output)."""
    if meta is None or (cfg.mode == "jsonl" and not have_data):
        return None
    entries = meta["entries"]
    redo: list[str] = []
    if cfg.mode == "dir":
        items = {f.rel: f for f in chunk.files}
        if len(entries) != len(items):
            return None
        target = Path(cfg.target)
        for e in entries:
            item = items.get(e["key"])
            if item is None:
                return None
            changed = e.get("stamp") != [item.size, item.mtime_ns]
            if e["ok"] and (changed or not (target / e["record"]["output"]).is_file()):
                return None          # a cleaned document's counts cannot be taken back: the whole chunk
            if not e["ok"] and (changed or retry_errors):
                redo.append(e["key"])
    elif retry_errors:
        redo = [e["key"] for e in entries if not e["ok"]]
    if redo and len(redo) == len(entries):
        return None
    return tuple(redo)


def _copy_into(fh, path: Path) -> None:
    with open(path, "rb") as src:
        shutil.copyfileobj(src, fh, READ_BLOCK)



def derived_paths(cfg: BatchConfig) -> list[tuple[Path, str]]:
    """Every path a batch writes besides the per-document outputs, with its kind ("file"/"dir")."""
    state = state_dir(cfg)
    paths = [(state, "dir"), (state / "parts", "dir"), (state / LOCK_NAME, "file"),
             (state / "config.json", "file"), (errors_path(cfg), "file"),
             (stats_path_for(cfg.target, cfg.mode), "file")]
    if cfg.mode == "dir":
        paths.append((Path(cfg.target) / MANIFEST_NAME, "file"))
    else:
        paths += [(Path(cfg.target), "file"), (assembled_marker(cfg), "file")]
    return paths


def check_derived_paths(cfg: BatchConfig) -> None:
    """BatchError when a path the batch would write is an input (same resolved path or same
    inode; for a folder batch, anywhere in the input tree), holds the input, or exists as
    anything but what the batch writes there (a symlink, FIFO, device, socket; a folder for a file)."""
    src_real = os.path.realpath(cfg.source)
    for path, kind in derived_paths(cfg):
        real = os.path.realpath(path)
        if cfg.mode == "dir":
            clash = inside(real, src_real)
        else:
            clash = real == src_real or (os.path.exists(path) and os.path.samefile(path, cfg.source))
            if path == state_dir(cfg) / "parts" and inside(src_real, real):
                clash = True             # its files are deleted on starting over (the state folder
                #                          itself may hold a decompressed copy of the input)
        if clash:
            raise BatchError(f"{path} would be the input (or hold it); choose another output name", path=cfg.source)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise BatchError(f"cannot write the output: {exc.strerror or exc}", path=cfg.target) from None
        ok = stat.S_ISDIR(st.st_mode) if kind == "dir" else stat.S_ISREG(st.st_mode)
        if not ok:
            raise BatchError(f"{path} is {kind_name(st.st_mode)}; a batch replaces only the regular files it writes",
                             path=cfg.target)


class OutputLock:
    """An exclusive lock on the output for the run: flock on `<state folder>/lock`, released when
    the process ends however it ends. BatchError when another run holds it."""

    def __init__(self, cfg: BatchConfig):
        self.cfg = cfg
        self.fd: int | None = None

    def __enter__(self) -> "OutputLock":
        if fcntl is None:
            return self
        path = state_dir(self.cfg) / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
                         | os.O_NONBLOCK, 0o666)
        except OSError as exc:
            raise BatchError(f"cannot lock the output: {exc.strerror or exc}", path=self.cfg.target) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise BatchError("another newsclean batch is writing to this output now; wait for it to end "
                             "or choose another output", path=self.cfg.target) from None
        self.fd = fd
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _flat(fingerprint: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in fingerprint.items():
        if isinstance(v, dict) and k == "options":
            out.update({f"options.{kk}": vv for kk, vv in v.items()})
        else:
            out[k] = v
    return out


def _previous_settings(cfg: BatchConfig) -> dict[str, Any] | None:
    try:
        return json.loads((state_dir(cfg) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def check_settings(cfg: BatchConfig, fingerprint: dict[str, Any], overwrite: bool) -> None:
    """BatchError when the output was made with other settings (never a mix of two runs'
    results), unless `overwrite`. A changed input is not a change of settings."""
    previous = _previous_settings(cfg)
    if previous is None or overwrite:
        return
    old, new = _flat(previous), _flat(fingerprint)
    differ = sorted(k for k in set(old) | set(new) if k not in INPUT_KEYS and old.get(k) != new.get(k))
    if differ:
        raise BatchError(f"the output was made with other settings ({', '.join(differ)}); rerun with the same "
                         "settings to resume, or add --overwrite to replace it", path=cfg.target)


def _remove_old_outputs(cfg: BatchConfig) -> None:
    """Starting over in a folder: delete the outputs the earlier run recorded (regular files
    inside the output folder only), so no output of other settings stays beside the new ones."""
    target = Path(cfg.target)
    target_real = os.path.realpath(target)
    for part in sorted((state_dir(cfg) / "parts").glob("part-*.json")):
        try:
            meta = json.loads(part.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for e in meta.get("entries", []):
            out = e.get("record", {}).get("output") if e.get("ok") else None
            if not out:
                continue
            path = target / out
            try:
                check_output_file(path, target_real)
                path.unlink(missing_ok=True)
            except OSError:
                continue


def prepare_state(cfg: BatchConfig, fingerprint: dict[str, Any], out: TextIO) -> bool:
    """Create the state folder; drop part files made with other settings or another input
    (check_settings has allowed it). True when resuming."""
    state = state_dir(cfg)
    try:
        (state / "parts").mkdir(parents=True, exist_ok=True)
        probe = state / "parts" / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BatchError(f"cannot write the output: {exc.strerror or exc}", path=cfg.target) from None
    config_file = state / "config.json"
    previous = _previous_settings(cfg)
    if previous == fingerprint:
        return True
    if previous is not None:
        out.write("newsclean batch: settings or input changed since the last run; starting over\n")
        if cfg.mode == "dir":
            _remove_old_outputs(cfg)
    for p in (state / "parts").iterdir():
        if p.name.startswith("part-") or _TEMP_FILE.match(p.name):
            p.unlink()
    assembled_marker(cfg).unlink(missing_ok=True)
    write_atomic(config_file, json.dumps(fingerprint, sort_keys=True) + "\n")
    return False


def sweep_temp_files(cfg: BatchConfig) -> None:
    """Remove the temporary files a killed run left (they are never outputs)."""
    roots = [state_dir(cfg)]
    if cfg.mode == "dir":
        roots.append(Path(cfg.target))
    else:
        for p in Path(cfg.target).parent.glob(f".{glob_escape(Path(cfg.target).name)}.*.tmp"):
            p.unlink(missing_ok=True)
        for p in Path(cfg.target).parent.glob(f".{glob_escape(errors_path(cfg).name)}.*.tmp"):
            p.unlink(missing_ok=True)
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                if _TEMP_FILE.match(name):
                    (Path(dirpath) / name).unlink(missing_ok=True)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def assembled_marker(cfg: BatchConfig) -> Path:
    return state_dir(cfg) / "assembled.json"


def output_identity(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def assemble(cfg: BatchConfig, chunks: list[Chunk]) -> list[dict[str, Any]]:
    """Part files, in chunk order, into the final outputs (each written atomically). Returns the
    part files' contents (load_part), in chunk order."""
    metas = []
    for chunk in chunks:
        meta = load_part(cfg, chunk)
        assert meta is not None, f"chunk {chunk.index} has no part file"
        metas.append(meta)

    def fill_errors(fh) -> None:
        for meta in metas:
            for rec in part_errors(meta):
                fh.write((json_text(rec) + "\n").encode("utf-8"))

    if cfg.mode == "dir":
        def fill_manifest(fh) -> None:
            for meta in metas:
                for rec in part_records(meta):
                    fh.write((json_text(rec) + "\n").encode("utf-8"))

        write_atomic_stream(Path(cfg.target) / MANIFEST_NAME, fill_manifest)
        write_atomic_stream(errors_path(cfg), fill_errors)
        return metas

    target = Path(cfg.target)
    marker = assembled_marker(cfg)
    try:
        done = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        done = None
    if done is None or done.get("output") != output_identity(target):
        def fill_output(fh) -> None:
            for chunk in chunks:
                _copy_into(fh, part_path(cfg, chunk, ".jsonl"))

        write_atomic_stream(target, compressed_fill(target, fill_output))   # .gz/.zst/.bz2 by name
        write_atomic_stream(errors_path(cfg), fill_errors)
        write_atomic(marker, json.dumps({"output": output_identity(target)}) + "\n")
    # The assembled output now holds the data parts' lines: drop them (the small part files stay,
    # so a rerun knows every chunk is done; --retry-errors cuts the output back into parts).
    for chunk in chunks:
        part_path(cfg, chunk, ".jsonl").unlink(missing_ok=True)
    return metas


def is_assembled(cfg: BatchConfig) -> bool:
    if cfg.mode != "jsonl":
        return False
    try:
        done = json.loads(assembled_marker(cfg).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return done.get("output") == output_identity(Path(cfg.target))


def restore_parts(cfg: BatchConfig, chunks: list[Chunk], metas: list[dict[str, Any]]) -> bool:
    """Cut the assembled JSON Lines output back into its chunks' data parts (each part records its
    size in bytes), so that some documents can be cleaned again and merged in. False (nothing
    written) when the output does not add up."""
    target = Path(cfg.target)
    sizes = [m["bytes"] for m in metas]
    identity = output_identity(target)
    if plain_name(target) != target.name or identity is None or identity[0] != sum(sizes):
        return False             # compressed (or changed): the chunks are cleaned again instead
    with open(target, "rb") as src:
        for chunk, size in zip(chunks, sizes):
            def fill(fh, left: int = size) -> None:
                while left > 0:
                    block = src.read(min(left, READ_BLOCK))
                    if not block:
                        raise OSError(errno.EIO, "the output ended early")
                    fh.write(block)
                    left -= len(block)

            write_atomic_stream(part_path(cfg, chunk, ".jsonl"), fill)
    assembled_marker(cfg).unlink(missing_ok=True)
    return True



def write_corpus_stats(cfg: BatchConfig, metas: list[dict[str, Any]], speed: dict[str, Any]) -> CorpusStats:
    """Merge the chunks' counts (their part files' contents, `metas`) into stats.json beside the
    output (stats.stats_path_for), atomically, with the run's `speed` (stats.throughput).
    Returns the merged counts."""
    corpus = CorpusStats()
    for meta in metas:
        corpus.merge(CorpusStats.from_dict(meta.get("corpus", {})))
    path = stats_path_for(cfg.target, cfg.mode)
    if not speed["documents"]:   # a rerun with nothing left to do keeps the speed of the run that worked
        speed = previous_throughput(path) or speed
    write_stats(path, corpus, speed)
    return corpus


def check_writable(cfg: BatchConfig) -> None:
    """BatchError when the state folder cannot be made (before any long pass)."""
    state = state_dir(cfg)
    try:
        state.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"cannot write the output: {exc.strerror or exc}", path=cfg.target) from None
