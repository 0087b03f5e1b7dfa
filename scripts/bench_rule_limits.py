#!/usr/bin/env python3
"""What hostile user rules cost per document (issue 14), with the limits of cleaner/rules/.

    .venv/bin/python scripts/bench_rule_limits.py [--slow-rules 40] [--literal 9000]

Three cases, each a user's --rules-dir applied to one document (the Northbay fixture article
plus a line of 3,000 x's), timed with the CPU clock of this process and the wall clock:
  * no user rules (the baseline);
  * `--slow-rules` rules whose pattern matches one way (so it loads) but is slow on a run of
    x's (`x+x+x+x+x+y`, no literal gate): each search runs into PATTERN_TIMEOUT_S, and the
    document's budget (USER_PATTERN_BUDGET_S of CPU) stops the rest;
  * one rule holding the longest literal allowed (MAX_LITERAL_CHARS), "ab ab ab ...", which the
    regex module searches in cubic time, matched against a line holding it; its gate is cut to
    MAX_KEY_CHARS characters (building gates once took quadratic time in a literal's length).
The first clean of each rule set also loads and checks it (the structural backtracking check);
that is timed separately ("load").
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cleaner import clean  # noqa: E402
from cleaner.rules import load_ruleset  # noqa: E402
from cleaner.rules.budget import PATTERN_TIMEOUT_S, USER_PATTERN_BUDGET_S  # noqa: E402
from cleaner.rules.validate import MAX_LITERAL_CHARS, MAX_PATTERN_CHARS  # noqa: E402

ARTICLE = REPO / "tests" / "fixtures" / "rules" / "northbay" / "harbor-dredging.txt"
URL = "https://bench.example/story"


def site_file(rules: str) -> str:
    return f"site: Bench\nhosts: [bench.example]\nrules:\n{rules}"


def timed(fn) -> tuple[float, float, object]:
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def run(name: str, rules: str | None, doc: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dirs: tuple[str, ...] = ()
        if rules is not None:
            (Path(tmp) / "bench.yaml").write_text(site_file(rules), encoding="utf-8")
            dirs = (tmp,)
        load_cpu, load_wall, _ = timed(lambda: load_ruleset(dirs))
        cpu, wall, article = timed(lambda: clean(doc, url=URL, rules_dirs=dirs))
        skipped = sum(w.count("rule '") for w in article.warnings if w.startswith("user rules timed out"))
        timed_out = sum(1 for w in article.warnings if w.endswith("timed out and was skipped"))
        print(f"{name:<34} load {load_cpu:6.2f} s cpu   clean {cpu:6.2f} s cpu {wall:6.2f} s wall   "
              f"timed out {timed_out:3d}   skipped by the budget {skipped:3d}   text {len(article.text):5d} chars")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slow-rules", type=int, default=40)
    ap.add_argument("--literal", type=int, default=MAX_LITERAL_CHARS,
                    help=f"characters (at most MAX_LITERAL_CHARS, {MAX_LITERAL_CHARS})")
    args = ap.parse_args()
    doc = ARTICLE.read_text(encoding="utf-8") + "x" * 3000 + "\n"
    print(f"PATTERN_TIMEOUT_S {PATTERN_TIMEOUT_S} s per search, USER_PATTERN_BUDGET_S {USER_PATTERN_BUDGET_S} s "
          f"per document, MAX_PATTERN_CHARS {MAX_PATTERN_CHARS:,}, MAX_LITERAL_CHARS {MAX_LITERAL_CHARS}")
    run("no user rules", None, doc)
    slow = "".join(f"  - id: slow-{i}\n    category: other\n    drop_line: 'x+x+x+x+x+y'\n"
                   for i in range(args.slow_rules))
    run(f"{args.slow_rules} slow user rules", slow, doc)
    literal = ("ab " * (args.literal // 3 + 1))[: args.literal].strip()
    run(f"one {len(literal):,}-character literal", f"  - id: lit\n    category: other\n    drop_line: '^{literal}$'\n",
        doc + literal + "\n")


if __name__ == "__main__":
    main()
