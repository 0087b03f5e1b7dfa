"""Shared fixtures: the repo's samples and a way to run the CLI exactly as a user does."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_NAMES = sorted(p.name[: -len(".txt")] for p in SAMPLES.glob("*.txt") if not p.name.endswith(".expected.txt"))
# Small article pages written for the tests (invented sites, people and events): scraped text
# (<name>.txt) and HTML (<name>.html, with the article's text in <name>.gold.txt); urls.json gives
# each page's url. The suite needs nothing beside the repository.
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"


def fixture_pages(suffix: str = ".txt") -> list[tuple[str, str, str]]:
    """(name, text, url) of each fixture page whose file ends with `suffix` ('.txt' or '.html'),
    sorted by name (gold files are not pages)."""
    urls = json.loads((FIXTURE_PAGES / "urls.json").read_text(encoding="utf-8"))
    paths = sorted(p for p in FIXTURE_PAGES.glob("*" + suffix) if not p.name.endswith(".gold.txt"))
    return [(p.name[: -len(suffix)], p.read_text(encoding="utf-8"), urls[p.name[: -len(suffix)]]) for p in paths]


def fixture_corpus(n: int, samples: bool = True) -> list[tuple[str, str, str | None]]:
    """n documents (name, text, url or None): the fixture text pages, then (with `samples`) the
    samples, and over again from the start until there are n. From the second time round a page
    ends with a correction line naming the round, so that no two documents are the same, and its
    name carries the round: 'rail-strike~1'. The fixture pages are of no shipped site."""
    base = fixture_pages(".txt") + [(name, (SAMPLES / f"{name}.txt").read_text(encoding="utf-8"), None)
                                    for name in (SAMPLE_NAMES if samples else ())]
    out = []
    for i in range(n):
        name, text, url = base[i % len(base)]
        rounds = i // len(base)
        if rounds:
            name += f"~{rounds}"
            text = text.rstrip("\n") + (f"\nCorrection {rounds}: an earlier version of this story gave the wrong day "
                                        "for one of the events it describes.\n")
        out.append((name, text, url))
    return out


_WORD = re.compile(r"\w+")


def shingle_f1(gold: str, pred: str, n: int = 4) -> float:
    """F1 of the n-word shingle multisets of two texts (the benchmark's measure, for one page)."""
    def shingles(text: str) -> Counter:
        words = _WORD.findall(text)
        return Counter(tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1)))

    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    if not tp:
        return 0.0
    precision, recall = tp / sum(p.values()), tp / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def newsclean_command() -> list[str]:
    """The installed console script next to this interpreter (what `make install` puts in .venv/bin)."""
    script = Path(sys.executable).with_name("newsclean")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


def run_cli(*args: str, input: bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path = ROOT) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(newsclean_command() + list(args), input=input, capture_output=True, cwd=cwd,
                          env=full_env, timeout=120)


def run_json(*args: str) -> dict:
    proc = run_cli(*args, "--format", "json")
    assert proc.returncode == 0, proc.stderr.decode()
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root except a batch's state folder, with its content hash; a stats.json by
    its counts, without the run's throughput (seconds differ from run to run)."""
    def digest(p: Path) -> str:
        if p.name.endswith("stats.json"):
            stats = json.loads(p.read_text(encoding="utf-8"))
            stats.pop("throughput", None)
            return hashlib.sha1(json.dumps(stats, sort_keys=True).encode()).hexdigest()
        return hashlib.sha1(p.read_bytes()).hexdigest()

    return {p.relative_to(root).as_posix(): digest(p)
            for p in sorted(root.rglob("*")) if p.is_file() and ".newsclean" not in p.parts}
