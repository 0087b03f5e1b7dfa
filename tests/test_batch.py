"""`newsclean batch`: folders and JSON Lines, errors, resume after SIGKILL, --dedup-lines."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from cleaner import clean

from conftest import SAMPLE_NAMES, SAMPLES, fixture_corpus, newsclean_command, run_cli, tree_digest

COPIES = 2          # the fixture pages and the samples, over again to 90 documents, twice: 180 documents
SOURCES = 90


def _sources() -> list[tuple[str, str]]:
    return [(name, text) for name, text, _ in fixture_corpus(SOURCES)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "scraped"
    for copy in range(COPIES):
        for i, (name, text) in enumerate(_sources()):
            folder = root / f"copy{copy}" / ("html-like" if i % 3 == 0 else "plain")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "cleaned"
    r = run_cli("batch", str(corpus), str(out), "--jobs", "2", "--chunk-size", "8")
    assert r.returncode == 0, r.stderr.decode()
    return out


@pytest.fixture(scope="module")
def jsonl_corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("jsonl") / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for copy in range(1):
            for i, (_, text, url) in enumerate(fixture_corpus(SOURCES)):
                fh.write(json.dumps({"id": f"{copy}-{i}", "url": url, "lang": "xx", "body": text}) + "\n")
    return path


def test_folder_is_mirrored_with_a_manifest(corpus, reference):
    inputs = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt"))
    outputs = sorted(p.relative_to(reference).as_posix() for p in reference.rglob("*.txt"))
    assert outputs == inputs
    manifest = [json.loads(line) for line in (reference / "manifest.jsonl").read_text().splitlines()]
    assert [m["path"] for m in manifest] == inputs            # one line per document, in path order
    assert (reference / "errors.jsonl").read_text() == ""
    moscow = next(m for m in manifest if m["path"] == "copy0/plain/moscowtimes.txt"
                  or m["path"] == "copy0/html-like/moscowtimes.txt")
    assert moscow["title"] == "Gates Fails to Bridge Gap on Missile Defense"
    assert moscow["removed"].get("donation", 0) > 0
    body = (reference / moscow["output"]).read_text()
    assert "Cooperation, he said, is better than confrontation." in body
    assert "Dear readers," not in body
    assert len(body) == moscow["chars_out"] + 1


def test_inputs_are_never_modified(corpus, tmp_path):
    before = tree_digest(corpus)
    folder = next((corpus / "copy1").rglob("rferl.txt")).parent
    r = run_cli("batch", str(folder), str(tmp_path / "out"), "--jobs", "1", "--format", "json")
    assert r.returncode == 0, r.stderr.decode()
    assert tree_digest(corpus) == before
    article = json.loads(next((tmp_path / "out").rglob("rferl.json")).read_text())
    assert article["date"] == "2007-04-20"
    assert all(r["category"] and r["rule"] for r in article["removed"])


def kill_when(proc: subprocess.Popen, ready, seconds: float = 60) -> None:
    """SIGKILL the batch's whole process group as soon as `ready()` holds (it must still be running)."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if ready():
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the batch finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


def test_sigkill_midway_then_rerun_equals_an_uninterrupted_run(corpus, reference, tmp_path):
    out = tmp_path / "cleaned"
    args = newsclean_command() + ["batch", str(corpus), str(out), "--jobs", "2", "--chunk-size", "8"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    kill_when(proc, lambda: sum(1 for _ in out.rglob("*.txt")) >= 12
              and any((out / ".newsclean" / "parts").glob("part-*.json")))
    assert not (out / "manifest.jsonl").exists()
    done_before = sum(1 for _ in out.rglob("*.txt"))
    assert 0 < done_before < len(list(corpus.rglob("*.txt")))

    r = run_cli("batch", str(corpus), str(out), "--jobs", "2", "--chunk-size", "8")
    assert r.returncode == 0, r.stderr.decode()
    assert "already done by an earlier run" in r.stderr.decode()
    assert tree_digest(out) == tree_digest(reference)
    assert not [p for p in out.rglob("*.tmp")]                 # no half file left anywhere


def test_sigkill_midway_jsonl_then_rerun_equals_an_uninterrupted_run(jsonl_corpus, tmp_path):
    ref = tmp_path / "ref.jsonl"
    common = ["--text-field", "body", "--jobs", "2", "--chunk-size", "2"]
    r = run_cli("batch", str(jsonl_corpus), str(ref), *common)
    assert r.returncode == 0, r.stderr.decode()

    out = tmp_path / "out.jsonl"
    parts = tmp_path / ".out.jsonl.newsclean" / "parts"
    proc = subprocess.Popen(newsclean_command() + ["batch", str(jsonl_corpus), str(out), *common],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    kill_when(proc, lambda: parts.is_dir() and sum(1 for p in parts.glob("part-*.json")) >= 3)
    assert not out.exists()

    r = run_cli("batch", str(jsonl_corpus), str(out), *common)
    assert r.returncode == 0, r.stderr.decode()
    assert "already done by an earlier run" in r.stderr.decode()
    assert out.read_bytes() == ref.read_bytes()
    assert not list(tmp_path.rglob("*.tmp"))


def test_rerun_of_a_finished_batch_does_nothing_and_keeps_the_output(jsonl_corpus, tmp_path):
    src = tmp_path / "small.jsonl"
    src.write_text("".join(jsonl_corpus.read_text(encoding="utf-8").splitlines(keepends=True)[:20]), encoding="utf-8")
    jsonl_corpus = src
    out = tmp_path / "out.jsonl"
    r1 = run_cli("batch", str(jsonl_corpus), str(out), "--text-field", "body", "--jobs", "1")
    first = out.read_bytes()
    r2 = run_cli("batch", str(jsonl_corpus), str(out), "--text-field", "body", "--jobs", "1")
    assert r1.returncode == r2.returncode == 0
    assert out.read_bytes() == first
    assert "20 already done" in r2.stderr.decode()
    # Other settings: refused (never a mix of two runs' results) unless --overwrite; then the
    # part files are not reused.
    r3 = run_cli("batch", str(jsonl_corpus), str(out), "--text-field", "body", "--jobs", "1", "--format", "json")
    assert r3.returncode == 2 and "other settings (fmt)" in r3.stderr.decode()
    assert out.read_bytes() == first
    r3 = run_cli("batch", str(jsonl_corpus), str(out), "--text-field", "body", "--jobs", "1", "--format", "json",
                 "--overwrite")
    assert r3.returncode == 0 and "starting over" in r3.stderr.decode()
    assert "removed" in json.loads(out.read_text().splitlines()[0])["clean"]
    assert isinstance(json.loads(out.read_text().splitlines()[0])["clean"]["removed"], list)


def test_jsonl_fields_carried_through_and_bad_lines_recorded(tmp_path):
    src = tmp_path / "corpus.jsonl"
    moscow = (SAMPLES / "moscowtimes.txt").read_text(encoding="utf-8")
    lines = [
        json.dumps({"id": "a", "text": moscow, "url": "https://www.themoscowtimes.com/2007/04/24/x", "n": [1, 2]}),
        '{"id": "b", "text": "broken',
        "",
        json.dumps([1, 2]),
        json.dumps({"id": "c", "url": "https://example.com/"}),
        json.dumps({"id": "d", "text": "x" * 8000}),
        json.dumps({"id": "e", "text": (SAMPLES / "rferl.txt").read_text(encoding="utf-8")}),
    ]
    src.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "f", "text": "\xff\xfe bad"}\n')
    out = tmp_path / "cleaned.jsonl"
    r = run_cli("batch", str(src), str(out), "--id-field", "id", "--max-bytes", "6000", "--chunk-size", "2")
    assert r.returncode == 1
    stderr = r.stderr.decode()
    assert "7 documents: 2 cleaned, 5 failed" in stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["id"] for row in rows] == ["a", "e"]               # input order
    assert rows[0]["n"] == [1, 2] and rows[0]["text"] == moscow    # other fields carried through
    assert rows[0]["clean"]["title"] == "Gates Fails to Bridge Gap on Missile Defense"
    assert "Dear readers," not in rows[0]["clean"]["text"]
    assert rows[0]["clean"]["removed"]["donation"] > 0
    errors = [json.loads(line) for line in (tmp_path / "cleaned.errors.jsonl").read_text().splitlines()]
    assert [(e["line"], e["id"]) for e in errors] == [(2, None), (4, None), (5, "c"), (6, None), (8, None)]
    reasons = [e["reason"] for e in errors]
    assert reasons[0].startswith("broken JSON line")
    assert reasons[1] == "not a JSON object"
    assert reasons[2] == "no text field 'text'"
    assert reasons[3].startswith("line too large")
    assert "UTF-8" in reasons[4]


def test_replace_text_puts_the_clean_body_in_the_text_field(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"text": (SAMPLES / "spacewar.txt").read_text(encoding="utf-8")}) + "\n")
    out = tmp_path / "o.jsonl"
    r = run_cli("batch", str(src), str(out), "--replace-text", "--output-field", "meta")
    assert r.returncode == 0, r.stderr.decode()
    row = json.loads(out.read_text())
    assert "text" not in row["meta"] and row["meta"]["removed"]
    assert row["text"] == clean((SAMPLES / "spacewar.txt").read_text(encoding="utf-8")).text
    assert len(row["text"]) < len(src.read_text())


def test_bad_files_among_good_ones(tmp_path):
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    for name in SAMPLE_NAMES:
        (src / "a" / f"{name}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    (src / "a" / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (src / "a" / "huge.html").write_bytes(b"<p>" + b"word " * 3000 + b"</p>")
    (src / "a" / "notes.pdf").write_bytes(b"%PDF-1.4 not looked at")
    before = tree_digest(src)
    out = tmp_path / "out"
    r = run_cli("batch", str(src), str(out), "--max-bytes", "10000")
    assert r.returncode == 1
    assert f"{len(SAMPLE_NAMES) + 2} documents: {len(SAMPLE_NAMES)} cleaned, 2 failed" in r.stderr.decode()
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["path"] for e in errors] == ["a/binary.txt", "a/huge.html"]
    assert "binary" in errors[0]["reason"] and "too large" in errors[1]["reason"]
    assert sorted(p.name for p in (out / "a").iterdir()) == sorted(f"{n}.txt" for n in SAMPLE_NAMES)
    assert tree_digest(src) == before


def test_output_inside_input_is_refused(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "x.txt").write_text("Hello.\n")
    for target in (src / "cleaned", src):
        r = run_cli("batch", str(src), str(target))
        assert r.returncode == 2
        err = r.stderr.decode()
        assert err.count("\n") == 1 and "inside the input" in err and "Traceback" not in err
    assert sorted(p.name for p in src.iterdir()) == ["x.txt"]
    r = run_cli("batch", str(src), str(tmp_path))           # the input inside the output
    assert r.returncode == 2 and "inside the output" in r.stderr.decode()


def test_unwritable_output(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("moscowtimes", "rferl"):
        (src / f"{name}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = run_cli("batch", str(src), str(blocker / "out"))    # cannot be created (even as root)
    assert r.returncode == 2
    assert r.stderr.decode().count("\n") == 1 and "cannot write the output" in r.stderr.decode()

    # One output cannot be written (a folder is in its way): recorded, the others are written,
    # and a rerun once the way is clear writes it.
    out = tmp_path / "out"
    (out / "rferl.txt").mkdir(parents=True)
    r = run_cli("batch", str(src), str(out))
    assert r.returncode == 1
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["path"] for e in errors] == ["rferl.txt"] and "cannot write" in errors[0]["reason"]
    assert (out / "moscowtimes.txt").is_file()
    (out / "rferl.txt").rmdir()
    r = run_cli("batch", str(src), str(out))                 # a failed document is not redone ...
    assert r.returncode == 1 and not (out / "rferl.txt").exists()
    r = run_cli("batch", str(src), str(out), "--retry-errors")   # ... unless asked
    assert r.returncode == 0, r.stderr.decode()
    assert (out / "rferl.txt").is_file() and (out / "errors.jsonl").read_text() == ""
    assert len((out / "manifest.jsonl").read_text().splitlines()) == 2


def test_clashing_output_names_stay_apart(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    text = (SAMPLES / "dodbuzz.txt").read_text(encoding="utf-8")
    (src / "page.txt").write_text(text)
    (src / "page.html").write_text("<html><body><article><p>" + "A sentence of the article body. " * 20
                                   + "</p></article></body></html>")
    out = tmp_path / "out"
    r = run_cli("batch", str(src), str(out))
    assert r.returncode == 0, r.stderr.decode()
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        ["errors.jsonl", "manifest.jsonl", "page.html.txt", "page.txt", "stats.json"]


def test_no_progress_bar_when_not_a_terminal(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in SAMPLE_NAMES:
        (src / f"{name}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    r = run_cli("batch", str(src), str(tmp_path / "o"), "--jobs", "1")
    assert r.returncode == 0
    assert "\r" not in r.stderr.decode()
    r = run_cli("batch", str(src), str(tmp_path / "p"), "--jobs", "1", "--progress", "--chunk-size", "1")
    assert "\r" in r.stderr.decode() and "docs/s" in r.stderr.decode() and "ETA" in r.stderr.decode()


# ---------------------------------------------------------------- --dedup-lines

SITE_LINE = "The Vale Courier is read by people like you in Lower Vale every week"


def _dedup_corpus(path: Path, order_seed: int | None) -> None:
    """Two hosts; the first one's pages carry SITE_LINE (in 60% of them), the second's do not."""
    texts = [text for _, text, _ in fixture_corpus(30, samples=False)]   # no site rules: the line is the dedup's
    rows = []
    for i, text in enumerate(texts):
        host = "valecourier.example" if i % 2 == 0 else "other.example"
        if host == "valecourier.example" and i % 10 < 6:
            text = text + "\n\n" + SITE_LINE + "\n"
        rows.append({"id": i, "url": f"https://www.{host}/news/{i}", "text": text})
    if order_seed is not None:
        random.Random(order_seed).shuffle(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _by_id(path: Path) -> dict[int, dict]:
    return {row["id"]: row for row in map(json.loads, path.read_text().splitlines())}


def test_dedup_lines_is_the_same_for_any_jobs_and_input_order(tmp_path):
    _dedup_corpus(tmp_path / "a.jsonl", None)
    _dedup_corpus(tmp_path / "b.jsonl", 7)
    dedup = ["--dedup-lines", "--dedup-min-share", "0.3", "--dedup-min-docs", "5", "--format", "json",
             "--chunk-size", "3"]
    runs = {
        "a1": ("a.jsonl", ["--jobs", "1"]),
        "a2": ("a.jsonl", ["--jobs", "2"]),
        "b2": ("b.jsonl", ["--jobs", "2"]),
    }
    for name, (src, jobs) in runs.items():
        r = run_cli("batch", str(tmp_path / src), str(tmp_path / f"{name}.out.jsonl"), *dedup, *jobs)
        assert r.returncode == 0, r.stderr.decode()
        assert "common lines (--dedup-lines)" in r.stderr.decode()
    a1 = (tmp_path / "a1.out.jsonl").read_bytes()
    assert (tmp_path / "a2.out.jsonl").read_bytes() == a1
    assert _by_id(tmp_path / "b2.out.jsonl") == _by_id(tmp_path / "a1.out.jsonl")

    rows = _by_id(tmp_path / "a1.out.jsonl")
    carrying = [r for r in rows.values() if SITE_LINE in r["text"]]
    assert len(carrying) == 9
    for row in carrying:
        assert SITE_LINE not in row["clean"]["text"]
        assert any(x["text"] == SITE_LINE and x["category"] == "duplicate" and x["rule"] == "dedup-lines"
                   for x in row["clean"]["removed"])
    # Lines of the other host's pages are not judged by the first host's counts, and no body is lost.
    r = run_cli("batch", str(tmp_path / "a.jsonl"), str(tmp_path / "plain.jsonl"), "--format", "json")
    assert r.returncode == 0, r.stderr.decode()
    plain = _by_id(tmp_path / "plain.jsonl")
    assert not any(x["rule"] == "dedup-lines" for row in plain.values() for x in row["clean"]["removed"])
    for i, row in rows.items():
        if i % 2 == 1:
            assert row["clean"]["text"] == plain[i]["clean"]["text"]


def test_dedup_lines_in_a_folder_counts_per_top_folder(tmp_path):
    src = tmp_path / "in"
    texts = [text for _, text, _ in fixture_corpus(16, samples=False)]
    for i, text in enumerate(texts):
        folder = src / ("vale" if i < 8 else "other")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:02d}.txt").write_text(text + ("\n\n" + SITE_LINE + "\n" if i < 8 else ""), encoding="utf-8")
    (src / "other" / "99.txt").write_text(texts[0] + "\n\n" + SITE_LINE + "\n", encoding="utf-8")
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        r = run_cli("batch", str(src), str(out), "--dedup-lines", "--dedup-min-docs", "5", "--jobs", jobs,
                    "--no-site-rules", "--chunk-size", "5", "--format", "json")
        assert r.returncode == 0, r.stderr.decode()
        outs[jobs] = tree_digest(out)
    assert outs["1"] == outs["2"]

    def dedup_removed(rel: str) -> list[str]:
        article = json.loads((tmp_path / "out1" / rel).read_text())
        return [x["text"] for x in article["removed"] if x["rule"] == "dedup-lines"]

    for i in range(8):
        assert SITE_LINE in dedup_removed(f"vale/{i:02d}.json")
    assert SITE_LINE not in dedup_removed("other/99.json")            # once in 9 documents: not common there


def test_jsonl_input_needs_a_jsonl_output_name(tmp_path):
    """`batch corpus.jsonl outdir/` wrote a file `outdir`; `batch corpus.jsonl scraped/doc1.txt`
    replaced a document with JSON Lines. Both are one error line now, and nothing is written."""
    src = tmp_path / "corpus.jsonl"
    src.write_text(json.dumps({"text": (SAMPLES / "rferl.txt").read_text(encoding="utf-8")}) + "\n",
                   encoding="utf-8")
    (tmp_path / "scraped").mkdir()
    doc = tmp_path / "scraped" / "doc1.txt"
    doc.write_bytes(b"An article, not JSON Lines.\n")
    (tmp_path / "existing").mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    for target, says in (("outdir/", "must be a file"), ("existing", "must be a file"),
                         ("existing/", "must be a file"), ("scraped/doc1.txt", "must be named like cleaned.jsonl"),
                         ("cleaned", "must be named like cleaned.jsonl"), ("cleaned.jsonl/", "must be a file")):
        r = run_cli("batch", "corpus.jsonl", target, cwd=tmp_path)
        err = r.stderr.decode()
        assert r.returncode == 2 and err.count("\n") == 1 and "Traceback" not in err, (target, err)
        assert says in err and target.rstrip("/") in err, (target, err)
    r = run_cli("batch", "-", "doc2.txt", input=src.read_bytes(), cwd=tmp_path)
    assert r.returncode == 2 and "must be named like cleaned.jsonl" in r.stderr.decode()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert doc.read_bytes() == b"An article, not JSON Lines.\n"
    for target in ("ok.jsonl", "ok.json", "ok.jsonl.gz", "ok.jsonl.zst", "ok.jsonl.bz2"):
        r = run_cli("batch", "corpus.jsonl", target, cwd=tmp_path)
        assert r.returncode == 0, (target, r.stderr.decode())
        assert (tmp_path / target).is_file()
