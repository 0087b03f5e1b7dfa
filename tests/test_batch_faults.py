"""`newsclean batch` under hostile input, faults and concurrent runs (issue 14).

Every corpus here is generated (tests/batchdocs.py) or written inline: nothing from outside the repo.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

from batchdocs import documents
from conftest import newsclean_command, run_cli, tree_digest

N_DOCS = 400


def _write_corpus(root: Path, texts: list[str]) -> Path:
    for i, text in enumerate(texts):
        folder = root / f"site{i % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")
    return root


def _one_line_error(r: subprocess.CompletedProcess, *needles: str) -> str:
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return _write_corpus(tmp_path_factory.mktemp("faults") / "scraped", documents(N_DOCS, seed=14))


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("faults-ref") / "cleaned"
    r = run_cli("batch", str(corpus), str(out), "--jobs", "2", "--chunk-size", "4")
    assert r.returncode == 0, r.stderr.decode()
    assert len((out / "manifest.jsonl").read_text().splitlines()) == N_DOCS
    return out


def _popen_batch(*args: str) -> subprocess.Popen:
    return subprocess.Popen(newsclean_command() + ["batch", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _wait_for(cond, proc: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return
        assert proc.poll() is None, "the batch ended before the fault could be injected"
        time.sleep(0.005)
    raise AssertionError("the batch never got there")


def _parts(out: Path) -> int:
    return sum(1 for _ in (out / ".newsclean" / "parts").glob("part-*.json"))


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _alive(pid: int) -> bool:
    """Running (a zombie is dead: nobody may reap it in a container)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


# ---------------------------------------------------------------- 1. derived paths and special files

def test_errors_file_derived_from_the_output_is_never_the_input(tmp_path):
    src = tmp_path / "X.errors.jsonl"
    body = json.dumps({"text": documents(1)[0]}) + "\n"
    src.write_text(body, encoding="utf-8")
    r = run_cli("batch", str(src), str(tmp_path / "X.jsonl"))
    _one_line_error(r, "would be the input")
    assert src.read_text(encoding="utf-8") == body
    assert not (tmp_path / "X.jsonl").exists()

    # The same through a hard link: the errors file would be the input's inode.
    src2 = tmp_path / "corpus.jsonl"
    src2.write_text(body, encoding="utf-8")
    os.link(src2, tmp_path / "out.errors.jsonl")
    _one_line_error(run_cli("batch", str(src2), str(tmp_path / "out.jsonl")), "would be the input")
    assert src2.read_text(encoding="utf-8") == body


def test_special_files_and_symlinks_are_never_replaced_by_outputs(tmp_path):
    src = tmp_path / "corpus.jsonl"
    src.write_text(json.dumps({"text": documents(1)[0]}) + "\n", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")

    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    _one_line_error(run_cli("batch", str(src), str(fifo)))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    link = tmp_path / "link.jsonl"
    link.symlink_to(victim)
    _one_line_error(run_cli("batch", str(src), str(link)), "symbolic link")
    assert link.is_symlink() and victim.read_text() == "keep me\n"

    try:
        os.mknod(tmp_path / "node.jsonl", 0o600 | stat.S_IFCHR, os.makedev(1, 3))   # like /dev/null, made here
    except PermissionError:
        pass
    else:
        _one_line_error(run_cli("batch", str(src), str(tmp_path / "node.jsonl")))
        assert stat.S_ISCHR(os.lstat(tmp_path / "node.jsonl").st_mode)

    # The errors file a FIFO: refused before anything is written (and nothing hangs).
    os.mkfifo(tmp_path / "good.errors.jsonl")
    _one_line_error(run_cli("batch", str(src), str(tmp_path / "good.jsonl")), "a FIFO")
    assert not (tmp_path / "good.jsonl").exists()


def test_folder_outputs_replace_only_regular_files(tmp_path):
    src = _write_corpus(tmp_path / "in", documents(3, seed=2))
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    out = tmp_path / "out"
    (out / "site0").mkdir(parents=True)
    (out / "site0" / "doc0000.txt").symlink_to(victim)          # an output path that is a symlink
    os.mkfifo(out / "site1")                                     # a FIFO where a folder goes
    r = run_cli("batch", str(src), str(out), "--jobs", "1")
    assert r.returncode == 1, r.stderr.decode()
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["path"] for e in errors] == ["site0/doc0000.txt", "site1/doc0001.txt"]
    assert "symbolic link" in errors[0]["reason"]
    assert victim.read_text() == "keep me\n" and (out / "site0" / "doc0000.txt").is_symlink()
    assert (out / "site2" / "doc0002.txt").is_file()

    os.mkfifo(tmp_path / "out2-manifest")
    (tmp_path / "out2").mkdir()
    os.symlink(tmp_path / "out2-manifest", tmp_path / "out2" / "manifest.jsonl")
    _one_line_error(run_cli("batch", str(src), str(tmp_path / "out2")), "symbolic link")


# ---------------------------------------------------------------- 2. one run per output, one set of settings

def test_a_second_concurrent_run_on_one_output_is_refused(corpus, reference, tmp_path):
    out = tmp_path / "cleaned"
    first = _popen_batch(str(corpus), str(out), "--jobs", "1", "--chunk-size", "2")
    try:
        _wait_for(lambda: _parts(out) >= 1, first)
        os.killpg(first.pid, signal.SIGSTOP)                     # holds its lock, deterministically
        second = run_cli("batch", str(corpus), str(out), "--jobs", "1", "--chunk-size", "2")
        _one_line_error(second, "another newsclean batch is writing to this output")
    finally:
        os.killpg(first.pid, signal.SIGCONT)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    assert tree_digest(out) == tree_digest(reference)                        # the first run's output is whole


def test_other_settings_on_one_output_are_refused_unless_overwrite(tmp_path):
    src = _write_corpus(tmp_path / "in", documents(12, seed=3))
    out = tmp_path / "out"
    assert run_cli("batch", str(src), str(out), "--jobs", "1").returncode == 0
    before = tree_digest(out)
    r = run_cli("batch", str(src), str(out), "--jobs", "1", "--format", "json")
    _one_line_error(r, "other settings (fmt)", "--overwrite")
    assert tree_digest(out) == before                                  # nothing mixed in

    r = run_cli("batch", str(src), str(out), "--jobs", "1", "--format", "json", "--overwrite")
    assert r.returncode == 0, r.stderr.decode()
    names = {p.suffix for p in out.rglob("doc*")}
    assert names == {".json"}                                    # the text outputs of the first run are gone
    r = run_cli("batch", str(src), str(out), "--jobs", "1", "--format", "json")
    assert r.returncode == 0 and "12 already done" in r.stderr.decode()   # same settings: resumes


# ---------------------------------------------------------------- 3. poison records

def test_poison_records_are_recorded_and_the_batch_goes_on(tmp_path):
    good = documents(3, seed=4)
    src = tmp_path / "corpus.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": 1, "text": good[0]}) + "\n")
        fh.write('{"id": 2, "text": ' + "[" * 100_000 + "]" * 100_000 + "}\n")      # RecursionError
        fh.write(json.dumps({"id": 3, "text": good[1] + "\udc80", "note": "\udcff"}) + "\n")  # lone surrogates
        fh.write(json.dumps({"id": 4, "text": good[2]}) + "\n")
    out = tmp_path / "out.jsonl"
    r = run_cli("batch", str(src), str(out), "--id-field", "id", "--jobs", "1")
    err = r.stderr.decode()
    assert r.returncode == 1 and "Traceback" not in err, err
    assert "4 documents: 3 cleaned, 1 failed" in err
    errors = [json.loads(line) for line in (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["line"], e["reason"]) for e in errors] == [(2, "broken JSON line: nested too deep")]
    raw = out.read_bytes()
    raw.decode("utf-8")                                          # valid UTF-8 throughout
    rows = [json.loads(line) for line in raw.splitlines()]
    assert [row["id"] for row in rows] == [1, 3, 4]
    assert rows[1]["note"] == "\udcff"                           # escaped, and reads back the same
    assert "The " in rows[1]["clean"]["text"]


def test_a_file_name_that_is_not_utf8_is_recorded(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    texts = documents(2, seed=5)
    (src / "good.txt").write_text(texts[0], encoding="utf-8")
    (Path(os.fsdecode(bytes(src) + b"/bad-\xff.txt"))).write_text(texts[1], encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("batch", str(src), str(out), "--jobs", "1")
    err = r.stderr.decode()
    assert r.returncode == 1 and "Traceback" not in err, err
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert errors == [{"path": "bad-\\xff.txt", "reason": "the file name is not UTF-8; rename it"}]
    assert (out / "good.txt").is_file()
    assert [json.loads(x)["path"] for x in (out / "manifest.jsonl").read_text().splitlines()] == ["good.txt"]


# ---------------------------------------------------------------- 4. the tree walk

def test_tree_walk_reads_regular_files_only(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    texts = documents(4, seed=6)
    (src / "a.txt").write_text(texts[0], encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text(texts[1], encoding="utf-8")
    (src / "sub" / "inner.txt").write_text(texts[2], encoding="utf-8")
    os.mkfifo(src / "fifo.txt")                                   # would hang the batch if opened
    (src / "zero.txt").symlink_to("/dev/zero")                    # would exhaust memory if read
    (src / "leaves.txt").symlink_to(outside)                      # leaves the input tree
    (src / "inside.txt").symlink_to(src / "sub" / "inner.txt")    # stays in the tree: followed
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(src / "sock.txt"))
    out = tmp_path / "out"
    try:
        r = subprocess.run(newsclean_command() + ["batch", str(src), str(out), "--jobs", "1"],
                           capture_output=True, timeout=60)
    finally:
        sock.close()
    err = r.stderr.decode()
    assert r.returncode == 0, err
    cleaned = sorted(json.loads(x)["path"] for x in (out / "manifest.jsonl").read_text().splitlines())
    assert cleaned == ["a.txt", "inside.txt", "sub/inner.txt"]
    for name, why in [("fifo.txt", "a FIFO"), ("zero.txt", "character device"), ("sock.txt", "a socket"),
                      ("leaves.txt", "leaving the input folder")]:
        assert any(line.startswith(f"newsclean batch: warning: skipped {name}: ") and why in line
                   for line in err.splitlines()), (name, err)

    # --follow-links follows the link out of the tree, but still never reads a device.
    r = subprocess.run(newsclean_command() + ["batch", str(src), str(tmp_path / "out2"), "--jobs", "1",
                                              "--follow-links"], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    cleaned = sorted(json.loads(x)["path"] for x in (tmp_path / "out2" / "manifest.jsonl").read_text().splitlines())
    assert cleaned == ["a.txt", "inside.txt", "leaves.txt", "sub/inner.txt"]


def test_size_limit_is_on_the_bytes_read_not_on_stat(tmp_path):
    """/proc files say size 0 and hold more: the limit must hold on what is read."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "status.txt").symlink_to("/proc/self/status")
    assert os.stat(src / "status.txt").st_size == 0 and len(Path("/proc/self/status").read_bytes()) > 200
    out = tmp_path / "out"
    r = run_cli("batch", str(src), str(out), "--jobs", "1", "--follow-links", "--max-bytes", "200")
    assert r.returncode == 1, r.stderr.decode()
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert errors[0]["path"] == "status.txt" and errors[0]["reason"].startswith("too large")


# ---------------------------------------------------------------- 5. worker processes

def test_a_killed_worker_is_replaced_and_its_chunk_redone(corpus, reference, tmp_path):
    out = tmp_path / "cleaned"
    proc = _popen_batch(str(corpus), str(out), "--jobs", "2", "--chunk-size", "4")
    _wait_for(lambda: _parts(out) >= 3 and len(_children(proc.pid)) >= 2, proc)
    os.kill(_children(proc.pid)[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    assert "a worker process died" in err.decode()
    assert tree_digest(out) == tree_digest(reference)                         # complete, byte for byte


def test_workers_die_with_the_batch_process(corpus, tmp_path):
    out = tmp_path / "cleaned"
    proc = _popen_batch(str(corpus), str(out), "--jobs", "2", "--chunk-size", "4")
    _wait_for(lambda: _parts(out) >= 1 and len(_children(proc.pid)) >= 2, proc)
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)                             # the parent only, not its group
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    survivors = [w for w in workers if _alive(w)]
    for w in survivors:
        os.kill(w, signal.SIGKILL)
    assert not survivors


# ---------------------------------------------------------------- 6. disk full

@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "small-disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({r.stderr.decode().strip()}): disk full untested")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_stops_the_batch_resumably(corpus, reference, small_disk):
    out = small_disk / "cleaned"
    r = run_cli("batch", str(corpus), str(out), "--jobs", "2", "--chunk-size", "4")
    _one_line_error(r, "the disk is full", "rerun the same command to resume")
    assert not (out / "manifest.jsonl").exists()
    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)   # space freed
    r = run_cli("batch", str(corpus), str(out), "--jobs", "2", "--chunk-size", "4")
    assert r.returncode == 0, r.stderr.decode()
    assert "already done by an earlier run" in r.stderr.decode()
    assert tree_digest(out) == tree_digest(reference)                         # nothing lost
    assert not list(out.rglob("*.tmp"))


def test_disk_full_in_a_jsonl_batch(small_disk, tmp_path):
    src = tmp_path / "corpus.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(documents(150, seed=9))),
                   encoding="utf-8")
    ref = tmp_path / "ref.jsonl"
    assert run_cli("batch", str(src), str(ref), "--jobs", "1", "--chunk-size", "8").returncode == 0
    out = small_disk / "out.jsonl"
    r = run_cli("batch", str(src), str(out), "--jobs", "1", "--chunk-size", "8")
    _one_line_error(r, "the disk is full")
    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
    r = run_cli("batch", str(src), str(out), "--jobs", "1", "--chunk-size", "8")
    assert r.returncode == 0, r.stderr.decode()
    assert out.read_bytes() == ref.read_bytes()


# ---------------------------------------------------------------- 7. per-document resume

def test_a_failed_document_is_not_redone_with_its_chunk(tmp_path):
    src = _write_corpus(tmp_path / "in", documents(10, seed=7))
    (src / "site0" / "bad.txt").write_bytes(bytes(range(256)) * 20)     # binary: fails
    out = tmp_path / "out"
    r = run_cli("batch", str(src), str(out), "--jobs", "1")
    assert r.returncode == 1 and "11 documents: 10 cleaned, 1 failed" in r.stderr.decode()
    inodes = {p: p.stat().st_ino for p in out.rglob("doc*.txt")}
    assert len(inodes) == 10

    r = run_cli("batch", str(src), str(out), "--jobs", "1")               # a rerun: nothing redone
    assert r.returncode == 1 and "11 already done" in r.stderr.decode()
    assert {p: p.stat().st_ino for p in out.rglob("doc*.txt")} == inodes

    r = run_cli("batch", str(src), str(out), "--jobs", "1", "--retry-errors")   # only the failed one
    assert r.returncode == 1 and "10 already done" in r.stderr.decode()
    assert {p: p.stat().st_ino for p in out.rglob("doc*.txt")} == inodes
    stats = json.loads((out / "stats.json").read_text())
    assert (stats["documents"], stats["cleaned"], stats["failed"]) == (11, 10, 1)    # counted once

    (src / "site0" / "bad.txt").write_text(documents(1, seed=8)[0], encoding="utf-8")   # fixed
    r = run_cli("batch", str(src), str(out), "--jobs", "1")               # a changed input is redone
    assert r.returncode == 0 and "10 already done" in r.stderr.decode()
    assert {p: p.stat().st_ino for p in out.rglob("doc*.txt")} == inodes
    assert (out / "site0" / "bad.txt").is_file() and (out / "errors.jsonl").read_text() == ""
    assert len((out / "manifest.jsonl").read_text().splitlines()) == 11
    stats = json.loads((out / "stats.json").read_text())
    assert (stats["documents"], stats["cleaned"], stats["failed"], stats["errors"]) == (11, 11, 0, {})


def test_retry_errors_in_jsonl_merges_into_the_assembled_output(tmp_path):
    texts = documents(9, seed=10)
    src = tmp_path / "corpus.jsonl"
    rows = [json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)]
    rows.insert(4, '{"id": "broken", ')
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["batch", str(src), str(out), "--jobs", "1", "--chunk-size", "3"]
    assert run_cli(*args).returncode == 1
    first, first_errors = out.read_bytes(), (tmp_path / "out.errors.jsonl").read_bytes()
    r = run_cli(*args, "--retry-errors")
    assert r.returncode == 1 and "9 already done" in r.stderr.decode()
    assert out.read_bytes() == first and (tmp_path / "out.errors.jsonl").read_bytes() == first_errors
    assert not list((tmp_path / ".out.jsonl.newsclean" / "parts").glob("*.jsonl"))


# ---------------------------------------------------------------- 8. --dedup-lines never empties a document

def test_dedup_lines_never_empties_a_document(tmp_path):
    texts = documents(39, seed=11)
    article = documents(1, seed=12)[0]
    rows = []
    at = set(range(0, 60, 3)) | {58}                             # 21 copies of one article among 60
    for i in range(60):
        text = article if i in at else texts.pop() + "\nThe Vale Courier is read by people like you every week\n"
        rows.append({"id": i, "url": f"https://valecourier.example/news/{i}", "text": text})
    copies = [r["id"] for r in rows if r["text"] == article]
    assert len(copies) == 21
    src = tmp_path / "corpus.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run_cli("batch", str(src), str(out), "--dedup-lines", "--jobs", "1", "--format", "json")
    err = r.stderr.decode()
    assert r.returncode == 0, err
    assert "documents kept whole by --dedup-lines (all their lines are common to their site): 21" in err
    assert "exact duplicate documents: 20" in err
    got = {row["id"]: row["clean"] for row in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    alone = run_cli("clean", "-", "--format", "json", input=article.encode())
    expected = json.loads(alone.stdout)["text"]
    for i in copies:
        assert got[i]["text"] == expected and expected.count(" ") > 100   # the article, whole
        assert any("--dedup-lines" in w for w in got[i]["warnings"])
        assert not any(x["rule"] == "dedup-lines" for x in got[i]["removed"])
    assert [got[i].get("duplicate_of") for i in copies] == [None] + [f"corpus.jsonl:{copies[0] + 1}"] * 20
    # The other documents still lose the line common to the site.
    others = [got[i] for i in got if i not in copies]
    assert all("The Vale Courier is read by people like you every week"
               in [x["text"] for x in o["removed"] if x["rule"] == "dedup-lines"] for o in others)
    assert not any(o["warnings"] for o in others)
    assert all(o["text"] for o in others)


# ---------------------------------------------------------------- 9. --output-field

def test_output_field_never_replaces_an_input_field(tmp_path):
    texts = documents(2, seed=13)
    src = tmp_path / "corpus.jsonl"
    src.write_text("".join(json.dumps({"text": t, "metadata": {"url": f"https://example.com/{i}"}}) + "\n"
                           for i, t in enumerate(texts)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    _one_line_error(run_cli("batch", str(src), str(out), "--output-field", "metadata"),
                    "already have a field 'metadata'", "--replace-field")
    assert not out.exists()
    r = run_cli("batch", str(src), str(out), "--output-field", "metadata", "--replace-field")
    assert r.returncode == 0, r.stderr.decode()
    assert all("removed" in json.loads(x)["metadata"] for x in out.read_text().splitlines())

    # A later record with the field: that record fails, the others are cleaned.
    src.write_text(json.dumps({"text": texts[0]}) + "\n" + json.dumps({"text": texts[1], "clean": 1}) + "\n",
                   encoding="utf-8")
    r = run_cli("batch", str(src), str(tmp_path / "o2.jsonl"))
    assert r.returncode == 1
    errors = [json.loads(x) for x in (tmp_path / "o2.errors.jsonl").read_text().splitlines()]
    assert errors[0]["line"] == 2 and "already has a field 'clean'" in errors[0]["reason"]
