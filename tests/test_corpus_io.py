"""Batch input and output as corpus pipelines hold them: .gz/.zst/.bz2, '-' pipes, dotted field
paths, and the dolma / datatrove layouts (issue 15, item 1)."""
from __future__ import annotations

import bz2
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from cleaner.batch.corpus import (CorpusIOError, compression_of, get_path, plain_name, read_lines, set_path,
                               write_lines)

from conftest import SAMPLES, newsclean_command, run_cli

MOSCOW_URL = "https://www.themoscowtimes.com/2010/02/24/gates-fails-to-bridge-gap"
BODY_LINE = "Cooperation, he said, is better than confrontation."
BOILERPLATE = "Dear readers,"        # the Moscow Times donation appeal in samples/moscowtimes.txt

COMPRESS = {".gz": gzip.compress, ".bz2": bz2.compress, ".zst": lambda b: zstandard.ZstdCompressor().compress(b)}
DECOMPRESS = {".gz": gzip.decompress, ".bz2": bz2.decompress,
              ".zst": lambda b: zstandard.ZstdDecompressor().decompressobj().decompress(b)}
MAGIC = {".gz": b"\x1f\x8b", ".bz2": b"BZh", ".zst": b"\x28\xb5\x2f\xfd"}


def _moscow() -> str:
    return (SAMPLES / "moscowtimes.txt").read_text(encoding="utf-8")


def _dolma_records() -> list[dict]:
    """Three dolma documents (two samples and a line without an id)."""
    return [
        {"id": "mt-1", "text": _moscow(), "source": "news-crawl", "added": "2026-11-01T00:00:00Z",
         "created": "2010-02-24T00:00:00Z", "metadata": {"url": MOSCOW_URL, "crawl": "CC-2010"}},
        {"id": "rferl-1", "text": (SAMPLES / "rferl.txt").read_text(encoding="utf-8"), "source": "news-crawl",
         "added": "2026-11-01T00:00:00Z", "metadata": {"url": "https://www.rferl.org/a/1075908.html"}},
        {"text": "A record without an id.", "source": "news-crawl"},
    ]


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")


def _lines(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


# ---------------------------------------------------------------- field paths

def test_dotted_paths_read_nested_fields_and_an_exact_key_wins():
    record = {"metadata": {"url": "https://a.example/x", "deep": {"id": 7}}, "metadata.url": "exact"}
    assert get_path(record, "metadata.deep.id") == 7
    assert get_path(record, "metadata.url") == "exact"           # the literal key first
    assert get_path({"metadata": {"url": "u"}}, "metadata.url") == "u"
    assert get_path({"metadata": "not an object"}, "metadata.url") is None
    assert get_path({}, "metadata.url") is None


def test_set_path_copies_instead_of_changing_the_input_and_refuses_a_non_object():
    record = {"id": 1, "metadata": {"url": "u"}}
    out = set_path(record, "metadata.newsclean", {"removed": {}})
    assert out == {"id": 1, "metadata": {"url": "u", "newsclean": {"removed": {}}}}
    assert record == {"id": 1, "metadata": {"url": "u"}}           # input untouched
    assert set_path({}, "a.b.c", 1) == {"a": {"b": {"c": 1}}}
    with pytest.raises(CorpusIOError, match="'metadata' is not an object"):
        set_path({"metadata": "x"}, "metadata.newsclean", {})


# ---------------------------------------------------------------- compression

@pytest.mark.parametrize("ext", [".gz", ".bz2", ".zst"])
def test_lines_are_written_compressed_by_extension_and_read_back(tmp_path, ext):
    path = tmp_path / f"c.jsonl{ext}"
    lines = [json.dumps({"n": i, "text": "é" * i}) + "\n" for i in range(50)]
    write_lines(path, lines)
    raw = path.read_bytes()
    assert raw.startswith(MAGIC[ext])
    assert DECOMPRESS[ext](raw).decode("utf-8") == "".join(lines)
    assert [l.decode("utf-8") for l in read_lines(path)] == lines
    assert compression_of(path) is not None and plain_name(path) == "c.jsonl"


@pytest.mark.parametrize("ext", [".gz", ".bz2", ".zst"])
def test_batch_reads_and_writes_compressed_corpora_and_resumes(tmp_path, ext):
    records = _dolma_records()[:2]
    src = tmp_path / f"corpus.jsonl{ext}"
    src.write_bytes(COMPRESS[ext](_jsonl(records)))
    out = tmp_path / f"cleaned.jsonl{ext}"
    r = run_cli("batch", str(src), str(out), "--url-field", "metadata.url", "--jobs", "1", "--chunk-size", "1")
    assert r.returncode == 0, r.stderr.decode()
    assert out.read_bytes().startswith(MAGIC[ext])
    cleaned = _lines(DECOMPRESS[ext](out.read_bytes()))
    assert [c["id"] for c in cleaned] == ["mt-1", "rferl-1"]
    assert BODY_LINE in cleaned[0]["clean"]["text"] and BOILERPLATE not in cleaned[0]["clean"]["text"]
    assert cleaned[0]["text"] == records[0]["text"]                # the input's fields are kept
    assert (tmp_path / "cleaned.errors.jsonl").read_text() == ""
    assert json.loads((tmp_path / "cleaned.stats.json").read_text())["documents"] == 2
    first = out.read_bytes()
    again = run_cli("batch", str(src), str(out), "--url-field", "metadata.url", "--jobs", "1", "--chunk-size", "1")
    assert again.returncode == 0
    assert "2 already done by an earlier run" in again.stderr.decode()
    assert out.read_bytes() == first


def test_a_broken_compressed_input_is_one_error_line_naming_it(tmp_path):
    src = tmp_path / "corpus.jsonl.gz"
    src.write_bytes(gzip.compress(_jsonl(_dolma_records()))[:-30])   # truncated
    r = run_cli("batch", str(src), str(tmp_path / "out.jsonl"))
    err = r.stderr.decode()
    assert r.returncode == 2
    assert err.count("\n") == 1 and "corpus.jsonl.gz" in err and "Traceback" not in err


# ---------------------------------------------------------------- pipes

def test_stdin_to_stdout_with_errors_on_stderr(tmp_path):
    records = _dolma_records()
    data = _jsonl(records) + b"not json\n"
    temp = tmp_path / "tmp"
    temp.mkdir()
    r = run_cli("batch", "-", "-", "--layout", "dolma", "--jobs", "1", input=data, env={"TMPDIR": str(temp)})
    assert r.returncode == 1                                         # two documents failed
    out = _lines(r.stdout)
    assert [o["id"] for o in out] == ["mt-1", "rferl-1"]
    err = r.stderr.decode()
    assert "<stdin>:3: no 'id' field (the dolma layout requires it)" in err
    assert "<stdin>:4: broken JSON line" in err
    assert "output: standard output" in err
    assert not list(temp.iterdir())                                  # its temporary files are gone


def test_stdin_compressed_to_stdout_with_errors_and_stats_files(tmp_path):
    data = gzip.compress(_jsonl(_dolma_records()))                   # compression told by the first bytes
    errors, stats = tmp_path / "errs.jsonl", tmp_path / "stats.json"
    r = run_cli("batch", "-", "-", "--layout", "dolma", "--errors", str(errors), "--stats", str(stats),
                input=data)
    assert r.returncode == 1
    assert len(_lines(r.stdout)) == 2
    assert [e["line"] for e in _lines(errors.read_bytes())] == [3]
    assert "no 'id' field" not in r.stderr.decode()                  # it is in the errors file instead
    s = json.loads(stats.read_text())
    assert (s["documents"], s["cleaned"], s["failed"]) == (3, 2, 1)


def test_a_piped_batch_that_cannot_start_leaves_no_temporary_files(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    r = run_cli("batch", "-", "-", "--site", "no-such-site", input=_jsonl(_dolma_records()),
                env={"TMPDIR": str(temp)})
    assert r.returncode == 2 and r.stderr.decode().count("\n") == 1 and "no-such-site" in r.stderr.decode()
    assert r.stdout == b""
    r = run_cli("batch", "-", "-", input=gzip.compress(b'{"text": "x"}\n')[:-12], env={"TMPDIR": str(temp)})
    assert r.returncode == 2 and r.stderr.decode().startswith("newsclean: error: <stdin>: cannot read")
    assert r.stderr.decode().count("\n") == 1
    assert not list(temp.iterdir())


def test_file_to_stdout_and_stdin_to_file(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl(_dolma_records()[:1]))
    r = run_cli("batch", str(src), "-", "--url-field", "metadata.url")
    assert r.returncode == 0, r.stderr.decode()
    assert _lines(r.stdout)[0]["clean"]["site"] == "The Moscow Times"
    out = tmp_path / "out.jsonl.gz"
    r = run_cli("batch", "-", str(out), "--url-field", "metadata.url", input=src.read_bytes())
    assert r.returncode == 0, r.stderr.decode()
    assert _lines(gzip.decompress(out.read_bytes()))[0]["id"] == "mt-1"


def test_dash_output_for_a_folder_and_errors_option_without_dash_are_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(_moscow(), encoding="utf-8")
    r = run_cli("batch", str(folder), "-")
    assert r.returncode == 2 and "JSON Lines" in r.stderr.decode() and r.stderr.decode().count("\n") == 1
    r = run_cli("batch", str(folder), str(tmp_path / "o"), "--errors", str(tmp_path / "e.jsonl"))
    assert r.returncode == 2 and "--errors" in r.stderr.decode()


@pytest.mark.skipif(not (shutil.which("zcat") and shutil.which("gzip")), reason="needs zcat and gzip")
def test_the_readme_pipeline_works_as_written(tmp_path):
    (tmp_path / "dump.jsonl.gz").write_bytes(gzip.compress(_jsonl(_dolma_records()[:2])))
    bindir = Path(newsclean_command()[0]).parent
    if newsclean_command()[0] == sys.executable:
        pytest.skip("newsclean is not installed as a script")
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    pipeline = "zcat dump.jsonl.gz | newsclean batch - - --layout dolma | gzip > clean.jsonl.gz"
    assert pipeline in readme
    r = subprocess.run(pipeline, shell=True, cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    out = _lines(gzip.decompress((tmp_path / "clean.jsonl.gz").read_bytes()))
    assert [o["id"] for o in out] == ["mt-1", "rferl-1"]
    assert BODY_LINE in out[0]["text"] and BOILERPLATE not in out[0]["text"]


# ---------------------------------------------------------------- field paths and layouts in a batch

def test_a_nested_url_field_picks_the_site_rules(tmp_path):
    src = tmp_path / "in.jsonl"
    text = "The talks ended without an agreement, officials said on Tuesday in Moscow."
    src.write_bytes(_jsonl([{"body": {"text": text}, "metadata": {"url": MOSCOW_URL}, "n": 1}]))
    out = tmp_path / "out.jsonl"
    r = run_cli("batch", str(src), str(out), "--text-field", "body.text", "--url-field", "metadata.url",
                "--id-field", "n")
    assert r.returncode == 0, r.stderr.decode()
    rec = _lines(out.read_bytes())[0]
    assert rec["clean"]["url"] == MOSCOW_URL and rec["clean"]["site"] == "The Moscow Times"
    assert rec["clean"]["text"] == text
    r = run_cli("batch", str(src), str(tmp_path / "plain.jsonl"), "--text-field", "body.text")
    assert _lines((tmp_path / "plain.jsonl").read_bytes())[0]["clean"]["site"] is None


def test_dolma_layout_keeps_every_field_and_puts_newsclean_under_metadata(tmp_path):
    records = _dolma_records()
    src = tmp_path / "docs.jsonl.gz"
    src.write_bytes(gzip.compress(_jsonl(records)))
    out = tmp_path / "clean.jsonl.gz"
    r = run_cli("batch", str(src), str(out), "--layout", "dolma")
    assert r.returncode == 1                                         # the record without an id
    got = _lines(gzip.decompress(out.read_bytes()))
    mt = got[0]
    assert set(mt) == {"id", "text", "source", "added", "created", "metadata"}
    assert (mt["id"], mt["source"], mt["added"], mt["created"]) == \
        ("mt-1", "news-crawl", "2026-11-01T00:00:00Z", "2010-02-24T00:00:00Z")
    assert mt["metadata"]["url"] == MOSCOW_URL and mt["metadata"]["crawl"] == "CC-2010"
    assert BODY_LINE in mt["text"] and BOILERPLATE not in mt["text"]          # cleaned text in "text"
    nc = mt["metadata"]["newsclean"]
    assert nc["site"] == "The Moscow Times" and nc["removed"]["donation"] >= 1 and "text" not in nc
    errors = _lines((tmp_path / "clean.errors.jsonl").read_bytes())
    assert errors == [{"path": "docs.jsonl.gz", "line": 3, "id": None,
                       "reason": "no 'id' field (the dolma layout requires it)"}]


def test_datatrove_layout_needs_no_id_and_keeps_media(tmp_path):
    src = tmp_path / "dt.jsonl"
    src.write_bytes(_jsonl([{"text": _moscow(), "media": [{"type": "image", "url": "x.png"}],
                             "metadata": {"url": MOSCOW_URL, "file_path": "s3://b/0.warc.gz"}},
                            {"text": "x", "id": "2", "metadata": "a string"}]))
    out = tmp_path / "out.jsonl"
    r = run_cli("batch", str(src), str(out), "--layout", "datatrove")
    assert r.returncode == 1
    rec = _lines(out.read_bytes())[0]
    assert rec["media"] == [{"type": "image", "url": "x.png"}]
    assert rec["metadata"]["file_path"] == "s3://b/0.warc.gz"
    assert rec["metadata"]["newsclean"]["url"] == MOSCOW_URL
    assert BOILERPLATE not in rec["text"]
    err = _lines((tmp_path / "out.errors.jsonl").read_bytes())[0]
    assert err["line"] == 2 and "'metadata' is not an object" in err["reason"] and err["id"] == "2"


def test_an_explicit_option_wins_over_the_layout(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(_jsonl([{"id": "a", "content": _moscow(), "metadata": {"url": MOSCOW_URL}}]))
    out = tmp_path / "out.jsonl"
    r = run_cli("batch", str(src), str(out), "--layout", "dolma", "--text-field", "content")
    assert r.returncode == 0, r.stderr.decode()
    rec = _lines(out.read_bytes())[0]
    assert BOILERPLATE not in rec["content"] and BODY_LINE in rec["content"] and "text" not in rec
    assert rec["metadata"]["newsclean"]["site"] == "The Moscow Times"
