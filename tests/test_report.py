"""`newsclean report OUT`: one self-contained HTML page with the charts of a batch's stats.json
(issue 15, item 3). The page is parsed here; when a Chromium is installed it is also rendered."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cleaner.batch.report import KEPT_COLOR, REMOVED_COLOR
from conftest import ROOT, SAMPLE_NAMES, SAMPLES, run_cli

CHART_IDS = ["chart-categories", "chart-sites", "chart-kept-share", "chart-most-removed"]
CHROMIUM = Path("/usr/bin/chromium")


class Page(HTMLParser):
    """Per <figure id=...>: the tags inside it and its text; every tag's attributes overall."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, dict] = {}
        self.current: str | None = None
        self.depth = 0
        self.tags: list[tuple[str, dict]] = []
        self.section_text: dict[str, list[str]] = {}
        self.section: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "section":
            self.section = attrs.get("id")
        if tag == "figure":
            self.current = attrs.get("id")
            self.figures[self.current] = {"tags": [], "text": []}
            self.depth = 0
        elif self.current:
            self.figures[self.current]["tags"].append(tag)

    def handle_endtag(self, tag):
        if tag == "figure":
            self.current = None
        if tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.current and data.strip():
            self.figures[self.current]["text"].append(data.strip())
        if self.section and data.strip():
            self.section_text.setdefault(self.section, []).append(data.strip())


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("rin") / "in"
    src.mkdir()
    for name in SAMPLE_NAMES:
        (src / f"{name}.txt").write_bytes((SAMPLES / f"{name}.txt").read_bytes())
    (src / "broken.txt").write_bytes(b"\x00\x01" * 40)
    out = tmp_path_factory.mktemp("rout") / "cleaned"
    r = run_cli("batch", str(src), str(out), "--jobs", "1")
    assert r.returncode == 1, r.stderr.decode()
    return out


@pytest.fixture(scope="module")
def page(batch_out) -> tuple[Path, Page, dict]:
    r = run_cli("report", str(batch_out))
    assert r.returncode == 0, r.stderr.decode()
    path = batch_out / "report.html"
    parser = Page()
    parser.feed(path.read_text(encoding="utf-8"))
    return path, parser, json.loads((batch_out / "stats.json").read_text())


def test_the_page_has_the_four_charts_as_inline_svg(page):
    _, p, stats = page
    assert list(p.figures) == CHART_IDS
    for ident in CHART_IDS:
        tags = p.figures[ident]["tags"]
        assert "figcaption" in tags and "svg" in tags, ident
        assert tags.count("path") + tags.count("rect") > 3, ident      # bars drawn, not an empty frame
    # the category chart names every category with its block count
    text = " ".join(p.figures["chart-categories"]["text"])
    for cat, v in stats["categories"].items():
        assert f"{cat} ({v['blocks']:,} blocks)" in text
    sites_text = " ".join(p.figures["chart-sites"]["text"])
    assert all(site in sites_text for site in stats["sites"])
    assert "kept share" in " ".join(p.figures["chart-kept-share"]["text"])


def test_the_page_is_self_contained_and_lists_the_tables(page):
    path, p, stats = page
    assert not [t for t, a in p.tags if t == "script"]
    linked = [a.get("src") or a.get("href") for t, a in p.tags if a.get("src") or a.get("href")]
    assert [l for l in linked if not l.startswith("#")] == []     # no file, no network
    rows = p.section_text["most-removed"]
    for entry in stats["most_removed"]:
        assert entry["document"] in rows
    assert "binary data, not text or HTML" in p.section_text["errors"]
    assert "en" in p.section_text["languages"]
    totals = p.section_text["totals"]
    assert totals[totals.index("documents") + 1] == str(len(SAMPLE_NAMES) + 1)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium to render the page")
def test_a_browser_renders_the_page(page, tmp_path):
    path, _, _ = page
    shot = tmp_path / "shot.png"
    r = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=1200,2400", f"--screenshot={shot}", path.as_uri()],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    from PIL import Image          # matplotlib's own dependency

    colours = {rgb: n for n, rgb in Image.open(shot).convert("RGB").getcolors(1 << 24)}
    # the bars were drawn: many pixels of the kept and the removed colours
    assert colours.get(_rgb(KEPT_COLOR), 0) > 1000 and colours.get(_rgb(REMOVED_COLOR), 0) > 1000


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def test_report_of_a_jsonl_output_and_to_a_chosen_file(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text(json.dumps({"text": (SAMPLES / "rferl.txt").read_text(encoding="utf-8")}) + "\n",
                   encoding="utf-8")
    assert run_cli("batch", str(src), str(tmp_path / "o.jsonl.gz")).returncode == 0
    r = run_cli("report", str(tmp_path / "o.jsonl.gz"))
    assert r.returncode == 0, r.stderr.decode()
    assert (tmp_path / "o.report.html").is_file()
    r = run_cli("report", str(tmp_path / "o.stats.json"), "-o", str(tmp_path / "mine.html"))
    assert r.returncode == 0 and "<svg" in (tmp_path / "mine.html").read_text()


def test_no_stats_is_one_error_line(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run_cli("report", str(tmp_path / "empty"))
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1 and "stats.json" in err and "Traceback" not in err


def test_without_matplotlib_the_error_names_the_extra(batch_out):
    code = ("import sys; sys.modules['matplotlib'] = None\n"   # as if the extra were not installed
            "from cleaner.cli import main\n"
            f"main(['report', {str(batch_out)!r}])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=120)
    err = r.stderr.decode()
    assert r.returncode == 2
    assert err == "newsclean: error: the report's charts need matplotlib: pip install 'newsclean[report]'\n"


def _one_error_line(r: subprocess.CompletedProcess) -> str:
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_report_refuses_to_write_over_the_stats_file_it_reads(batch_out, tmp_path):
    stats = (batch_out / "stats.json").read_bytes()
    (tmp_path / "keep.stats.json").write_bytes(stats)
    folder = tmp_path / "hs-out"
    folder.mkdir()
    (folder / "stats.json").write_bytes(stats)
    os.link(tmp_path / "keep.stats.json", tmp_path / "other-name.html")   # the same inode
    for args in (("keep.stats.json", "-o", "keep.stats.json"),
                 ("hs-out", "-o", "hs-out/stats.json"),
                 ("keep.stats.json", "-o", "./hs-out/../keep.stats.json"),
                 ("keep.stats.json", "-o", "other-name.html")):
        err = _one_error_line(run_cli("report", *args, cwd=tmp_path))
        assert "output is the input" in err, err
    assert (tmp_path / "keep.stats.json").read_bytes() == stats
    assert (folder / "stats.json").read_bytes() == stats
    assert sorted(p.name for p in folder.iterdir()) == ["stats.json"]


@pytest.mark.parametrize("content, problem", [
    ({"version": 1}, "documents is missing"),
    ({"version": 1, "documents": "x", "categories": [1]}, "documents is not a number"),
    ("drop:chars_kept", "chars_kept is missing"),
    ("set:categories=[1]", "categories is not a mapping"),
    ("set:documents=true", "documents is not a number"),
    ("set:most_removed=[{\"document\": \"a\"}]", "most_removed[0].site is missing"),
    ("set:kept_share={\"bins\": [0.0, 1.0], \"documents\": []}", "kept_share.documents is not one count per bin"),
    ("set:throughput=\"fast\"", "throughput is not a mapping"),
])
def test_an_incomplete_stats_file_is_one_error_line(batch_out, tmp_path, content, problem):
    if isinstance(content, dict):
        stats = content
    else:   # the real stats.json with one key dropped or replaced
        stats = json.loads((batch_out / "stats.json").read_text(encoding="utf-8"))
        verb, _, rest = content.partition(":")
        if verb == "drop":
            del stats[rest]
        else:
            key, _, value = rest.partition("=")
            stats[key] = json.loads(value)
    path = tmp_path / "b2.stats.json"
    path.write_text(json.dumps(stats), encoding="utf-8")
    err = _one_error_line(run_cli("report", str(path)))
    assert err == f"newsclean: error: {path}: not a newsclean stats.json ({problem})\n"
    assert not (tmp_path / "b2.report.html").exists()


def test_a_batch_stats_file_has_the_shape_the_report_needs(page):
    from cleaner.batch.report import stats_problem

    _, _, stats = page
    assert stats_problem(stats) is None
