"""stats.json beside every batch output (issue 15, item 3): per category and per site, blocks and
characters removed, emptied documents, warnings, errors, languages, throughput."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from cleaner import clean
from cleaner.batch.stats import (KEPT_SHARE_BINS, OTHER_SITES, CorpusStats, document_site, message_kind,
                                 stats_path_for)

from conftest import SAMPLE_NAMES, SAMPLES, run_cli

SHARE_ONLY = "Share this article\nFacebook\nTwitter\n"     # all boilerplate: cleaned to nothing


def _sample(name: str) -> str:
    return (SAMPLES / f"{name}.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Two site folders of samples, an all-boilerplate page and a binary file at the top."""
    root = tmp_path_factory.mktemp("stats") / "scraped"
    for i, name in enumerate(SAMPLE_NAMES):
        sub = root / ("alpha" if i % 2 else "beta")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{name}.txt").write_text(_sample(name), encoding="utf-8")
    (root / "share.txt").write_text(SHARE_ONLY, encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    return root


@pytest.fixture(scope="module")
def stats(folder, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("out") / "cleaned"
    r = run_cli("batch", str(folder), str(out), "--jobs", "2", "--chunk-size", "2")
    assert r.returncode == 1, r.stderr.decode()              # the binary file
    assert not list(out.glob(".stats.json.*.tmp"))
    return json.loads((out / "stats.json").read_text(encoding="utf-8"))


def test_totals_match_the_library_on_each_document(folder, stats):
    """What clean() says of each input, added up here, is what the batch's stats.json says."""
    cats: dict[str, list[int]] = {}
    kept = removed = 0
    langs: Counter[str] = Counter()
    for path in sorted(folder.rglob("*.txt")):
        if path.name == "binary.txt":
            continue
        article = clean(path.read_bytes())
        kept += len(article.text)
        langs[article.language] += 1
        for r in article.removed:
            c = cats.setdefault(r.category, [0, 0])
            c[0] += 1
            c[1] += len(r.text)
            removed += len(r.text)
    assert (stats["documents"], stats["cleaned"], stats["failed"]) == (len(SAMPLE_NAMES) + 2, len(SAMPLE_NAMES) + 1, 1)
    assert stats["chars_kept"] == kept and stats["chars_removed"] == removed
    assert {k: [v["blocks"], v["chars"]] for k, v in stats["categories"].items()} == cats
    assert stats["languages"] == dict(langs)
    assert stats["emptied"] == 1                               # share.txt
    assert stats["errors"] == {"binary data, not text or HTML": 1}
    assert sum(stats["kept_share"]["documents"]) == stats["cleaned"]
    assert stats["kept_share"]["documents"][0] == 1            # share.txt kept nothing


def test_per_site_counts_add_up_to_the_totals(folder, stats):
    sites = stats["sites"]
    # without URLs: the site rules that matched (by fingerprint), else the top folder
    expected = Counter(clean(p.read_bytes()).site or (p.parent.name + "/")
                       for p in folder.glob("*/*.txt"))
    assert {k: v["documents"] for k, v in sites.items() if k != "(top folder)"} == dict(expected)
    assert sites["(top folder)"]["failed"] == 1 and sites["(top folder)"]["emptied"] == 1
    assert sum(s["documents"] for s in sites.values()) == stats["documents"]
    assert sum(s["chars_removed"] for s in sites.values()) == stats["chars_removed"]
    for s in sites.values():
        assert sum(s["categories"].values()) == s["chars_removed"]


def test_most_removed_lists_documents_by_characters_removed(stats):
    top = stats["most_removed"]
    assert [d["chars_removed"] for d in top] == sorted((d["chars_removed"] for d in top), reverse=True)
    expected = max(SAMPLE_NAMES, key=lambda n: sum(len(r.text) for r in clean(_sample(n)).removed))
    assert top[0]["document"].endswith(f"{expected}.txt")


def test_throughput_is_recorded_and_kept_by_a_rerun_with_nothing_to_do(folder, tmp_path):
    out = tmp_path / "o"
    run_cli("batch", str(folder), str(out), "--jobs", "1")
    first = json.loads((out / "stats.json").read_text())["throughput"]
    assert first["documents"] == len(SAMPLE_NAMES) + 2 and first["seconds"] > 0 and first["docs_per_s"] > 0
    assert first["bytes"] > 0 and first["mb_per_s"] > 0 and first["resumed"] == 0
    # the binary file failed, so a folder rerun retries its chunk only
    run_cli("batch", str(folder), str(out), "--jobs", "1", "--chunk-size", "64")
    again = json.loads((out / "stats.json").read_text())
    assert again["documents"] == len(SAMPLE_NAMES) + 2


def test_the_same_stats_for_one_and_two_workers(folder, stats, tmp_path):
    out = tmp_path / "one"
    run_cli("batch", str(folder), str(out), "--jobs", "1", "--chunk-size", "3")
    one = json.loads((out / "stats.json").read_text())
    one.pop("throughput")
    two = dict(stats)
    two.pop("throughput")
    assert one == two


def test_jsonl_stats_name_sites_by_url_host(tmp_path):
    src = tmp_path / "c.jsonl"
    lines = [{"text": _sample("moscowtimes"), "url": "https://www.themoscowtimes.com/a", "id": "mt"},
             {"text": _sample("rferl"), "url": "https://rferl.org/b", "id": "rf"},
             {"text": _sample("spacewar"), "id": "sw"}]
    src.write_text("".join(json.dumps(l) + "\n" for l in lines), encoding="utf-8")
    r = run_cli("batch", str(src), str(tmp_path / "c.out.jsonl.gz"), "--id-field", "id")
    assert r.returncode == 0, r.stderr.decode()
    s = json.loads((tmp_path / "c.out.stats.json").read_text())
    assert set(s["sites"]) == {"themoscowtimes.com", "rferl.org", clean(_sample("spacewar")).site or "(unknown)"}
    assert s["most_removed"][0]["document"].startswith("c.jsonl:")
    by_line = {d["document"]: d["id"] for d in s["most_removed"]}
    assert by_line == {f"c.jsonl:{i + 1}": l["id"] for i, l in enumerate(lines)}


def test_a_top_level_input_named_stats_does_not_overwrite_stats_json(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "stats.txt").write_text(_sample("rferl"), encoding="utf-8")
    out = tmp_path / "out"
    r = run_cli("batch", str(src), str(out), "--format", "json")
    assert r.returncode == 1
    assert json.loads((out / "stats.json").read_text())["failed"] == 1
    assert "clashes" in (out / "errors.jsonl").read_text()


# ---------------------------------------------------------------- the counting itself

def test_merge_is_the_same_as_counting_in_one():
    articles = [(n, clean(_sample(n))) for n in SAMPLE_NAMES]
    whole, a, b = CorpusStats(), CorpusStats(), CorpusStats()
    for i, (name, art) in enumerate(articles):
        whole.add_article(name, art, 10, "s" + str(i % 2))
        (a if i % 2 else b).add_article(name, art, 10, "s" + str(i % 2))
    whole.add_error("too large (123 bytes; the limit is 100)", "s0")
    b.add_error("too large (999 bytes; the limit is 100)", "s0")
    b.merge(a)
    assert b.to_dict() == whole.to_dict()
    assert CorpusStats.from_dict(whole.to_dict()).to_dict() == whole.to_dict()
    assert whole.to_dict()["errors"] == {"too large (N bytes; the limit is N)": 1}


def test_sites_beyond_the_limit_are_summed_as_other_sites():
    art = clean(_sample("moscowtimes"))
    s = CorpusStats()
    for i in range(5):
        for _ in range(5 - i):
            s.add_article(f"d{i}", art, 1, f"site{i}")
    d = s.to_dict(sites_kept=2)
    assert set(d["sites"]) == {"site0", "site1", OTHER_SITES} and d["sites_total"] == 5
    assert d["sites"][OTHER_SITES]["documents"] == 3 + 2 + 1
    assert sum(v["documents"] for v in d["sites"].values()) == d["documents"]


def test_kept_share_bins_and_site_names():
    empty = clean(SHARE_ONLY)
    s = CorpusStats()
    s.add_article("e", empty, 1, "x")
    s.add_article("m", clean(_sample("moscowtimes")), 1, "x")
    assert s.kept_share[0] == 1 and sum(s.kept_share) == 2 and len(s.kept_share) == KEPT_SHARE_BINS
    assert document_site("https://www.example.com/a", "Rules", "a/b.txt") == "example.com"
    assert document_site(None, "Rules", "a/b.txt") == "Rules"
    assert document_site(None, None, "a/b.txt") == "a/"
    assert document_site(None, None, None) == "(unknown)"
    assert message_kind("rule 'x' (Site) timed out and was skipped") == "rule '…' (Site) timed out and was skipped"
    assert message_kind("broken JSON line: Expecting value: line 1") == "broken JSON line"
    assert stats_path_for("/d/out.jsonl.zst", "jsonl") == Path("/d/out.stats.json")
    assert stats_path_for("/d/out", "dir") == Path("/d/out/stats.json")


def test_an_output_that_cannot_be_written_counts_as_failed_once(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("moscowtimes", "rferl"):
        (src / f"{name}.txt").write_text(_sample(name), encoding="utf-8")
    out = tmp_path / "out"
    (out / "rferl.txt").mkdir(parents=True)                    # a folder in the output's way
    r = run_cli("batch", str(src), str(out))
    assert r.returncode == 1
    s = json.loads((out / "stats.json").read_text())
    assert (s["documents"], s["cleaned"], s["failed"]) == (2, 1, 1)
    assert s["errors"] == {"cannot write": 1}
    assert sum(v["documents"] for v in s["sites"].values()) == 2
    assert sum(v["failed"] for v in s["sites"].values()) == 1


def _summary(stderr: str) -> dict:
    """The counts in the lines a batch prints at its end (stderr)."""
    docs = re.search(r"(\d+) documents: (\d+) cleaned, (\d+) failed", stderr)
    removed = re.search(r"removed blocks: (.*)", stderr)
    warned = re.search(r"documents with warnings: (\d+)", stderr)
    assert docs and removed and warned, stderr
    blocks = {} if removed.group(1) == "nothing" else {
        cat: int(n) for cat, n in (part.rsplit(" ", 1) for part in removed.group(1).split(", "))}
    return {"documents": int(docs.group(1)), "cleaned": int(docs.group(2)), "failed": int(docs.group(3)),
            "blocks": blocks, "with_warnings": int(warned.group(1))}


def _stats_counts(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"documents": data["documents"], "cleaned": data["cleaned"], "failed": data["failed"],
            "blocks": {cat: c["blocks"] for cat, c in data["categories"].items()},
            "with_warnings": data["with_warnings"]}


def test_the_closing_summary_counts_what_stats_json_counts_also_after_a_failure_is_cleaned_again(tmp_path):
    """The closing lines and stats.json agree; when a failed input is fixed, the rerun cleans it
    and both drop its failure and count its removals (what clean() removes from it)."""
    root = tmp_path / "scraped"
    root.mkdir()
    for name in SAMPLE_NAMES[:3]:
        (root / f"{name}.txt").write_text(_sample(name), encoding="utf-8")
    (root / "late.txt").write_bytes(b"\x00\x01\x02\xff" * 50)       # binary: cannot be cleaned
    out = tmp_path / "cleaned"
    r = run_cli("batch", str(root), str(out), "--jobs", "1", "--chunk-size", "2")
    assert r.returncode == 1, r.stderr.decode()
    first = _summary(r.stderr.decode())
    assert first == _stats_counts(out / "stats.json")
    assert (first["documents"], first["cleaned"], first["failed"]) == (4, 3, 1)

    (root / "late.txt").write_text(SHARE_ONLY, encoding="utf-8")     # fixed: another size
    r = run_cli("batch", str(root), str(out), "--jobs", "1", "--chunk-size", "2")
    assert r.returncode == 0, r.stderr.decode()
    second = _summary(r.stderr.decode())
    assert second == _stats_counts(out / "stats.json")
    assert (second["documents"], second["cleaned"], second["failed"]) == (4, 4, 0)
    added = Counter(x.category for x in clean(SHARE_ONLY).removed)
    assert added and Counter(second["blocks"]) == Counter(first["blocks"]) + added
