"""`newsclean clean` (and the rule commands) under hostile input: special files as outputs and
inputs, closed or full standard streams, endless inputs, broken rule folders, unexpected errors.
Every error is one line on stderr and a documented exit code; nothing is changed on failure."""
from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES, newsclean_command, run_cli
from cleaner.cli import main
from cleaner.cli.common import EXIT_BROKEN_PIPE, EXIT_INTERNAL
from cleaner.errors import InputError
from cleaner.read.files import read_document

MT = SAMPLES / "moscowtimes.txt"
BODY_START = "U.S. and Russian defense leaders"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def invoke(*args: str, **kwargs):
    return CliRunner().invoke(main, list(args), **kwargs)


def one_line(stderr: str, *fragments: str) -> str:
    assert stderr.count("\n") == 1 and stderr.startswith("newsclean: "), stderr
    assert "Traceback" not in stderr, stderr
    for f in fragments:
        assert f in stderr, stderr
    return stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ---------------------------------------------------------------- -o PATH

def test_output_fifo_is_refused_and_left_a_fifo(tmp_path: Path):
    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    result = invoke("clean", str(MT), "-o", str(fifo))
    assert result.exit_code == 2
    one_line(result.stderr, str(fifo), "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


def test_output_symlink_is_refused_and_its_target_untouched(tmp_path: Path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "out.txt"
    link.symlink_to(target)
    result = invoke("clean", str(MT), "-o", str(link))
    assert result.exit_code == 2
    one_line(result.stderr, str(link), "symbolic link")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "keep me\n"


def test_output_device_node_is_refused(tmp_path: Path):
    node = tmp_path / "null-like"
    try:   # a node made here, in a temporary folder; never a system device
        os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    result = invoke("clean", str(MT), "-o", str(node))
    assert result.exit_code == 2
    one_line(result.stderr, str(node), "character device")
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert leftovers(tmp_path) == []


def test_output_directory_is_one_line_exit_2(tmp_path: Path):
    folder = tmp_path / "out"
    folder.mkdir()
    result = invoke("clean", str(MT), "-o", str(folder))
    assert result.exit_code == 2
    one_line(result.stderr, "is a directory")
    assert folder.is_dir() and list(folder.iterdir()) == []


def test_output_that_is_the_input_is_refused_under_any_name(tmp_path: Path):
    article = tmp_path / "article.txt"
    article.write_bytes(MT.read_bytes())
    other_name = tmp_path / "same-inode.txt"
    os.link(article, other_name)
    for output in (article, other_name):
        result = invoke("clean", str(article), "-o", str(output))
        assert result.exit_code == 2
        one_line(result.stderr, str(output), "is the input")
        assert article.read_bytes() == MT.read_bytes()


def test_output_that_is_standard_input_is_refused(tmp_path: Path):
    article = tmp_path / "article.txt"
    article.write_bytes(MT.read_bytes())
    with open(article, "rb") as stdin:
        proc = subprocess.run(newsclean_command() + ["clean", "-", "-o", str(article)], stdin=stdin,
                              capture_output=True, timeout=120)
    assert proc.returncode == 2
    one_line(proc.stderr.decode(), "is the input", "<stdin>")
    assert article.read_bytes() == MT.read_bytes()


def test_replacing_a_regular_file_keeps_its_mode(tmp_path: Path):
    out = tmp_path / "clean.txt"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o640)
    result = invoke("clean", str(MT), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith(BODY_START)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- reading

def _feed_fifo(fifo: Path, data: bytes) -> threading.Thread:
    def feed() -> None:
        try:
            with open(fifo, "wb") as fh:
                fh.write(data)
        except BrokenPipeError:   # the reader stopped at its limit
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return thread


def test_size_limit_counts_the_bytes_read_not_the_stat_size(tmp_path: Path):
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)       # stat() says 0 bytes, whatever comes through it
    feeder = _feed_fifo(fifo, b"word " * 100_000)
    with pytest.raises(InputError) as caught:
        read_document(str(fifo), max_bytes=1000)
    feeder.join(timeout=30)
    assert "too large" in str(caught.value) and "1000" in str(caught.value) and str(fifo) in str(caught.value)


def test_clean_dev_zero_is_one_line_not_memory_error():
    proc = run_cli("clean", "/dev/zero")   # reading /dev/zero is harmless; it never ends
    assert proc.returncode == 2
    one_line(proc.stderr.decode(), "/dev/zero", "too large")


def test_a_fifo_given_by_name_is_read(tmp_path: Path):
    fifo = tmp_path / "article"
    os.mkfifo(fifo)        # what a shell's <(cat article.txt) gives
    feeder = _feed_fifo(fifo, MT.read_bytes())
    result = invoke("clean", str(fifo))
    feeder.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(BODY_START)


def test_a_directory_as_input_is_one_line(tmp_path: Path):
    result = invoke("clean", str(tmp_path))
    assert result.exit_code == 2
    one_line(result.stderr, str(tmp_path), "directory")


# ---------------------------------------------------------------- standard streams

def _run_with(fd_setup, *args: str, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL):
    return subprocess.run(newsclean_command() + list(args), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                          preexec_fn=fd_setup, timeout=120)


def test_closed_stdin_is_one_line_exit_2():
    proc = _run_with(lambda: os.close(0), "clean", "-")
    assert proc.returncode == 2
    one_line(proc.stderr.decode(), "standard input is closed")


def test_closed_stdout_is_one_line_exit_2():
    proc = _run_with(lambda: os.close(1), "clean", str(MT))
    assert proc.returncode == 2
    one_line(proc.stderr.decode(), "standard output is closed")


def test_full_disk_on_stdout_is_one_line_exit_2():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        proc = _run_with(None, "clean", str(MT), stdout=full)
    assert proc.returncode == 2
    err = one_line(proc.stderr.decode(), "standard output", "No space left on device")
    assert "Exception ignored" not in err


def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "in.jsonl"
    corpus.write_text('{"text": "The harbour dredging was approved on Tuesday after six hours of debate in '
                      'the town hall, the mayor said."}\n', encoding="utf-8")
    return corpus


def test_batch_to_a_closed_stdout_is_refused_before_any_work(tmp_path: Path):
    """`newsclean batch in.jsonl - >&-` cleaned everything, then failed with an AttributeError
    (exit 3). Now: one line before starting (no summary lines), exit 2."""
    proc = _run_with(lambda: os.close(1), "batch", "-j", "1", str(_corpus(tmp_path)), "-")
    assert proc.returncode == 2
    one_line(proc.stderr.decode(), "standard output is closed (use a file name)")


def test_batch_from_a_closed_stdin_is_one_line_exit_2(tmp_path: Path):
    out = tmp_path / "out.jsonl"
    proc = _run_with(lambda: os.close(0), "batch", "-j", "1", "-", str(out))
    assert proc.returncode == 2
    one_line(proc.stderr.decode(), "<stdin>: standard input is closed")
    assert not out.exists()


def test_batch_to_a_full_stdout_names_standard_output(tmp_path: Path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        proc = _run_with(None, "batch", "-j", "1", str(_corpus(tmp_path)), "-", stdout=full)
    assert proc.returncode == 2
    err = one_line(proc.stderr.decode(), "standard output: cannot write: No space left on device")
    assert "Exception ignored" not in err


def test_stdout_closed_by_its_reader_exits_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)    # the reader is gone before anything is written, as after `| head -c1`
    try:
        proc = _run_with(None, "clean", str(MT), "--format", "json", stdout=write_end)
    finally:
        os.close(write_end)
    assert proc.returncode == EXIT_BROKEN_PIPE
    assert proc.stderr == b""


# ---------------------------------------------------------------- errors and exit codes

def test_unexpected_exception_is_one_line_exit_3(monkeypatch):
    def broken(*args, **kwargs):   # a fault injected where the cleaner is called: a bug's stand-in
        raise RuntimeError("something\nunforeseen")

    monkeypatch.setattr("cleaner.cli.clean", broken)
    monkeypatch.delenv("NEWSCLEAN_DEBUG", raising=False)
    result = invoke("clean", str(MT))
    assert result.exit_code == EXIT_INTERNAL == 3
    one_line(result.stderr, "internal error", "RuntimeError: something; unforeseen", "please report",
             "NEWSCLEAN_DEBUG=1")
    debug = invoke("clean", str(MT), env={"NEWSCLEAN_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)   # the traceback, for a developer


def test_usage_errors_are_one_line_exit_2():
    for args in (("clean", "--no-such-option"), ("no-such-command",), ("clean", "--format", "xml")):
        result = invoke(*args)
        assert result.exit_code == 2, args
        one_line(result.stderr, "--help")


def test_help_lists_the_exit_codes():
    out = invoke("--help").stdout
    assert "Exit codes:" in out
    for line in ("0    done", "1    partly done", "2    usage or input error", "3    internal error"):
        assert line in out


# ---------------------------------------------------------------- broken rule folders

def _site_file(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ok.yaml").write_text("site: Fine\nhosts: [fine.example]\nrules: []\n", encoding="utf-8")


def _all_commands_fail_alike(rules: Path, tmp_path: Path, named: Path, reason: str) -> None:
    """rules check reports it (exit 1, its 'rules have errors'); clean, rules list and batch stop
    with the same one line (exit 2)."""
    check = invoke("rules", "check", "--rules-dir", str(rules))
    assert check.exit_code == 1 and "ok:" not in check.stdout
    assert f"{named}: {reason}" in check.stderr
    for args in (("clean", str(MT), "--rules-dir", str(rules)), ("rules", "list", "--rules-dir", str(rules))):
        result = invoke(*args)
        assert result.exit_code == 2, args
        one_line(result.stderr, f"{named}: {reason}")
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_bytes(MT.read_bytes())
    batch = run_cli("batch", str(corpus), str(tmp_path / "cleaned"), "--rules-dir", str(rules), "--jobs", "1")
    assert batch.returncode == 2
    one_line(batch.stderr.decode(), f"{named.name}: {reason}")


def test_symlink_loop_in_rules_dir(tmp_path: Path):
    rules = tmp_path / "rules"
    _site_file(rules / "sub")
    loop = rules / "sub" / "back"
    loop.symlink_to("..")
    _all_commands_fail_alike(rules, tmp_path, loop, "symbolic link loop")


def test_self_referencing_link_in_rules_dir(tmp_path: Path):
    rules = tmp_path / "rules"
    _site_file(rules)
    link = rules / "self.yaml"
    link.symlink_to("self.yaml")
    _all_commands_fail_alike(rules, tmp_path, link, "cannot read: Too many levels of symbolic links")


def test_dangling_rule_file_link(tmp_path: Path):
    rules = tmp_path / "rules"
    _site_file(rules)
    link = rules / "gone.yaml"
    link.symlink_to(tmp_path / "deleted.yaml")
    _all_commands_fail_alike(rules, tmp_path, link, "broken symbolic link")


def test_fifo_named_like_a_rule_file_is_not_read(tmp_path: Path):
    rules = tmp_path / "rules"
    _site_file(rules)
    fifo = rules / "pipe.yaml"
    os.mkfifo(fifo)    # reading it would wait for a writer for ever
    _all_commands_fail_alike(rules, tmp_path, fifo, "not a regular file (a FIFO)")


@pytest.mark.skipif(ROOT_USER, reason="root reads files whatever their mode")
def test_unreadable_rule_file(tmp_path: Path):
    rules = tmp_path / "rules"
    _site_file(rules)
    locked = rules / "locked.yaml"
    locked.write_text("site: Locked\nrules: []\n", encoding="utf-8")
    locked.chmod(0)
    try:
        _all_commands_fail_alike(rules, tmp_path, locked, "cannot read rule file: Permission denied")
    finally:
        locked.chmod(0o644)


def test_hidden_entries_such_as_editor_lock_links_are_skipped(tmp_path: Path):
    rules = tmp_path / "rules"
    _site_file(rules)
    (rules / ".#ok.yaml").symlink_to("user@host.1234:1700000000")   # what Emacs leaves while editing
    check = invoke("rules", "check", "--rules-dir", str(rules))
    assert check.exit_code == 0, check.stderr
    assert invoke("clean", str(MT), "--rules-dir", str(rules)).exit_code == 0
