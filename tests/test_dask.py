"""The Dask engine on a real LocalCluster (2 worker processes): the same bytes as the local engine."""
from __future__ import annotations

import json
from pathlib import Path

import dask.bag as db
import pytest
from distributed import Client, LocalCluster

from cleaner.batch import DedupSettings
from cleaner.batch.dask import clean_bag, common_lines_of
from conftest import SAMPLE_NAMES, SAMPLES, fixture_corpus, fixture_pages, run_cli, tree_digest

N_DOCS = 12


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as c:
        yield c


def _records() -> list[dict]:
    rows = []
    for i, (_, text, url) in enumerate(fixture_corpus(N_DOCS)):
        rows.append({"id": i, "url": url, "body": text})
    return rows


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("dask") / "corpus.jsonl"
    lines = [json.dumps(r) for r in _records()]
    lines.insert(5, '{"id": "broken", "body": ')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_on_dask_equals_local_byte_for_byte(cluster, jsonl, tmp_path):
    args = ["--text-field", "body", "--id-field", "id", "--chunk-size", "5", "--format", "json"]
    local = run_cli("batch", str(jsonl), str(tmp_path / "local.jsonl"), "--jobs", "2", *args)
    dask = run_cli("batch", str(jsonl), str(tmp_path / "dask.jsonl"), "--engine", "dask",
                   "--scheduler", cluster.scheduler_address, *args)
    assert local.returncode == dask.returncode == 1, dask.stderr.decode()   # the broken line
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "dask.errors.jsonl").read_bytes() == (tmp_path / "local.errors.jsonl").read_bytes()
    assert len((tmp_path / "dask.jsonl").read_text().splitlines()) == N_DOCS
    assert f"{N_DOCS + 1} documents: {N_DOCS} cleaned, 1 failed" in dask.stderr.decode()


def test_folder_on_dask_equals_local_byte_for_byte(cluster, tmp_path):
    src = tmp_path / "in"
    for name in SAMPLE_NAMES:
        (src / "samples").mkdir(parents=True, exist_ok=True)
        (src / "samples" / f"{name}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    for name, html, _ in fixture_pages(".html")[:2]:
        (src / "pages").mkdir(parents=True, exist_ok=True)
        (src / "pages" / f"{name}.html").write_text(html, encoding="utf-8")
    (src / "pages" / "garbage.txt").write_bytes(b"\x00\x01\x02" * 100)
    local = run_cli("batch", str(src), str(tmp_path / "local"), "--jobs", "2", "--chunk-size", "3")
    dask = run_cli("batch", str(src), str(tmp_path / "dask"), "--engine", "dask", "--scheduler",
                   cluster.scheduler_address, "--chunk-size", "3")
    assert local.returncode == dask.returncode == 1, dask.stderr.decode()
    assert tree_digest(tmp_path / "dask") == tree_digest(tmp_path / "local")
    assert len((tmp_path / "dask" / "manifest.jsonl").read_text().splitlines()) == len(SAMPLE_NAMES) + 2


def test_dedup_lines_on_dask_equals_local(cluster, jsonl, tmp_path):
    args = ["--text-field", "body", "--chunk-size", "4", "--dedup-lines", "--dedup-min-docs", "3",
            "--url-field", ""]
    local = run_cli("batch", str(jsonl), str(tmp_path / "local.jsonl"), "--jobs", "1", *args)
    dask = run_cli("batch", str(jsonl), str(tmp_path / "dask.jsonl"), "--engine", "dask",
                   "--scheduler", cluster.scheduler_address, *args)
    assert local.returncode == dask.returncode == 1
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert "common lines (--dedup-lines): corpus" in dask.stderr.decode()


def test_clean_bag_gives_what_batch_writes(cluster, jsonl, tmp_path):
    local = run_cli("batch", str(jsonl), str(tmp_path / "local.jsonl"), "--text-field", "body", "--jobs", "1")
    assert local.returncode == 1
    expected = [json.loads(line) for line in (tmp_path / "local.jsonl").read_text().splitlines()]
    records = _records() + [{"id": "no text"}, {"id": "binary", "body": b"\x00\x01\x02" * 50}]
    with Client(cluster):
        bag = db.from_sequence(records, npartitions=4)
        got = clean_bag(bag, text_field="body", url_field="url").compute()
        # Plain strings are documents too.
        strings = clean_bag(db.from_sequence([r["body"] for r in records[:3]], npartitions=2)).compute()
        common = common_lines_of(bag, dedup=DedupSettings(min_share=0.3, min_docs=3), text_field="body",
                                 url_field=None)
    assert got[:N_DOCS] == expected
    assert got[N_DOCS]["error"] == "no text field 'body'"
    assert "binary" in got[N_DOCS + 1]["error"]
    assert [s["clean"]["text"] for s in strings] == [e["clean"]["text"] for e in expected[:3]]
    assert set(common) == {"corpus"} and common["corpus"]
