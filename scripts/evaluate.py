#!/usr/bin/env python3
"""Score newsclean's generic cleaning (no site rules) on the article-extraction benchmark.

    .venv/bin/python scripts/evaluate.py [--bench DIR] [--out DIR] [--renderings page,context,region]
                                         [--html] [--ablate] [--seeds] [--per-doc] [--languages]

For each rendering (`<id>.page.txt`, `<id>.context.txt`, `<id>.region.txt`, and with --html the
`<id>.html`) every document is cleaned with `clean(text, url=<meta.json url>, site_rules=False)`,
the body is written to `<out>/<rendering>/<id>.txt`, and the predictions are scored with the
benchmark's own `score.py` (imported by path, not copied): F1 and strict F1, next to the as-is
baseline (the rendering unchanged, written to `<out>/asis-<rendering>/`).

--languages   one line per language (from `cleaner.language.detect`) and rendering: cleaned vs as-is.
--ablate      re-run with each family of generic rules (one rules/generic/<family>.yaml) and each
              signal of the heuristics (`cleaner.label.heuristics.SIGNALS`) switched off, and print the change.
--seeds       also run ../shared/bench/score_seeds.py on the samples with --no-site-rules.
--per-doc     list the documents whose strict F1 is furthest below the as-is text.
--set NAME    aeb-dev (default), dev2-check, dev2-dev (pages in --data, default /work/data/dev2/<part>;
              one line per data set too) or tfdev (page.txt, snippet F1 by score_snippets.py).
--model       clean with the fitted block model (Options.model; docs/model.md).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cleaner.label import heuristics  # noqa: E402  (heuristics.SIGNALS)
from cleaner.pipeline import clean  # noqa: E402
from cleaner.rules import RuleSet, load_ruleset  # noqa: E402
from cleaner.rules.load import rule_files, shipped_rules_dir  # noqa: E402

BENCH = REPO.parent / "shared" / "bench"   # shared/ stands beside the repository
RENDERINGS = ("page", "context", "region")
# The floors (strict F1, no site rules): A must, B stretch.
TARGETS: dict[str, dict[str, float]] = {
    "A": {"page": 0.85, "context": 0.92, "region": 0.96},
    "B": {"page": 0.92, "context": 0.96, "region": 0.97},
}


def require(path: Path, why: str = "the benchmark material is not in this checkout") -> Path:
    """`path` when it exists; otherwise one line on stderr and exit 2 (a clone without ../shared)."""
    if not path.exists():
        print(f"evaluate.py: {path} not found: {why} (see --bench, --data)",
              file=sys.stderr)
        sys.exit(2)
    return path


def load_scorer(bench: Path) -> ModuleType:
    """The benchmark's score.py, imported from its own file (never copied)."""
    return load_module(bench / "score.py", "aeb_score")


@dataclass(frozen=True)
class Doc:
    id: str
    url: str | None
    gold: str
    group: str = ""                      # the data set (dev2's meta.json `set`)
    snippets: tuple[tuple[str, ...], tuple[str, ...]] | None = None   # tfdev: (with, without)


def load_docs(gold_dir: Path) -> list[Doc]:
    docs = []
    for path in sorted(gold_dir.glob("*.gold.txt")):
        doc_id = path.name[: -len(".gold.txt")]
        meta_path = gold_dir / f"{doc_id}.meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        docs.append(Doc(doc_id, meta.get("url"), path.read_text(encoding="utf-8"), meta.get("set", "")))
    return docs


def load_snippet_docs(data_dir: Path) -> list[Doc]:
    """tfdev's pages: `<id>.json` with `with` / `without` snippets (score_snippets.py's format)."""
    docs = []
    for path in sorted(data_dir.glob("*.json")):
        if path.name == "manifest.json":
            continue
        item = json.loads(path.read_text(encoding="utf-8"))
        docs.append(Doc(item["id"], item.get("url"), "", "tfdev", (tuple(item["with"]), tuple(item["without"]))))
    return docs


def load_module(path: Path, name: str) -> ModuleType:
    """The module in file `path` (a scorer of ../shared/bench); exit 2 with one line when missing."""
    spec = importlib.util.spec_from_file_location(name, require(path))
    if spec is None or spec.loader is None:
        sys.exit(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snippet_f1(snippets: ModuleType, docs: list[Doc], preds: dict[str, str]) -> tuple[float, float, float]:
    """(F1, precision, recall) of the snippet metric, micro-averaged over the documents' snippets."""
    tot = [0, 0, 0, 0]
    for d in docs:
        assert d.snippets is not None
        c = snippets.count({"with": list(d.snippets[0]), "without": list(d.snippets[1])}, preds.get(d.id, ""))
        tot = [a + b for a, b in zip(tot, c)]
    p, r, _, f1 = snippets.scores(*tot)
    return f1, p, r


def input_path(gold_dir: Path, doc: Doc, rendering: str) -> Path:
    return gold_dir / (f"{doc.id}.html" if rendering == "html" else f"{doc.id}.{rendering}.txt")


# ---------------------------------------------------------------- ways of cleaning

Cleaner = Callable[[str, str | None], tuple[str, str]]   # (document, url) -> (body, language code)


def generic_ruleset(skip_families: frozenset[str] = frozenset()) -> RuleSet:
    """The shipped generic rules (as `clean()` loads them) without the given families (file stems
    of rules/generic/*.yaml), and no site rules."""
    shipped = load_ruleset()
    rules = tuple(r for r in shipped.generic if _family(r.source) not in skip_families)
    return RuleSet(sites=(), generic=rules, files=shipped.files)


def _family(source: str) -> str:
    """'.../rules/generic/donation.yaml:12' -> 'donation'."""
    return Path(source.rsplit(":", 1)[0]).stem


def generic_families() -> list[str]:
    return [p.stem for p in rule_files([shipped_rules_dir() / "generic"])]


def make_cleaner(skip_families: frozenset[str] = frozenset(),
                 signals_off: frozenset[str] = frozenset(), model: bool = False) -> Cleaner:
    ruleset = generic_ruleset(skip_families)

    def run(document: str, url: str | None) -> tuple[str, str]:
        art = clean(document, url=url, site_rules=False, ruleset=ruleset, signals_off=signals_off,
                    model=model)
        return art.text, art.language or ""

    return run


# ---------------------------------------------------------------- scoring

@dataclass
class Score:
    f1: float
    strict: float
    precision: float
    recall: float
    rows: list[tuple[float, float, float]]


def score(scorer: ModuleType, docs: list[Doc], preds: dict[str, str]) -> Score:
    rows = [scorer.overlap(d.gold, preds.get(d.id, "")) for d in docs]
    s = scorer.summarise(rows)
    return Score(s["f1"], s["f1_strict"], s["precision"], s["recall"], rows)


def subset(scorer: ModuleType, rows: list[tuple[float, float, float]]) -> tuple[float, float]:
    s = scorer.summarise(rows)
    return s["f1"], s["f1_strict"]


def write_preds(out: Path, preds: dict[str, str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for doc_id, text in preds.items():
        (out / f"{doc_id}.txt").write_text(text, encoding="utf-8")


def run_rendering(cleaner: Cleaner, docs: list[Doc], gold_dir: Path, rendering: str
                  ) -> tuple[dict[str, str], dict[str, str], dict[str, str], float]:
    """(predictions, as-is texts, languages, seconds spent cleaning)."""
    preds, asis, langs = {}, {}, {}
    spent = 0.0
    for doc in docs:
        path = input_path(gold_dir, doc, rendering)
        if not path.exists():
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        asis[doc.id] = raw
        t0 = time.perf_counter()
        preds[doc.id], langs[doc.id] = cleaner(raw, doc.url)
        spent += time.perf_counter() - t0
    return preds, asis, langs, spent


def official_check(bench: Path, pred_dir: Path, gold_dir: Path) -> str:
    """The benchmark's own command line on the written predictions (its printed line)."""
    run = subprocess.run([sys.executable, str(bench / "score.py"), str(pred_dir), str(gold_dir)],
                         capture_output=True, text=True)
    return (run.stdout or run.stderr).strip()


# ---------------------------------------------------------------- main

SETS = ("aeb-dev", "dev2-check", "dev2-dev", "tfdev")
DATA = Path("/work/data")


def default_data(bench: Path, set_name: str) -> Path:
    """Where a set's pages are unpacked by default."""
    if set_name == "aeb-dev":
        return bench / "aeb-dev"
    if set_name == "tfdev":
        return DATA / "tfdev"
    return DATA / "dev2" / set_name.split("-", 1)[1]


def snippet_main(args: argparse.Namespace, data_dir: Path) -> int:
    """tfdev: clean each page.txt, score with score_snippets.py's metric (as is, cleaned)."""
    snippets = load_module(args.bench / "score_snippets.py", "score_snippets")
    docs = load_snippet_docs(data_dir)
    preds, asis, _, spent = run_rendering(make_cleaner(model=args.model), docs, data_dir, "page")
    have = [d for d in docs if d.id in preds]
    a, c = snippet_f1(snippets, have, asis), snippet_f1(snippets, have, preds)
    print(f"tfdev page.txt, {len(have)} pages: snippet F1 as-is {a[0]:.3f} (P {a[1]:.3f} R {a[2]:.3f}), "
          f"cleaned {c[0]:.3f} (P {c[1]:.3f} R {c[2]:.3f}), {len(have) / spent if spent else 0:.0f} docs/s")
    if args.out:
        write_preds(args.out / "page", preds)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=BENCH)
    ap.add_argument("--gold", type=Path, help="benchmark pages (default: BENCH/aeb-dev)")
    ap.add_argument("--out", type=Path, help="write predictions here (default: a temporary folder)")
    ap.add_argument("--renderings", default=",".join(RENDERINGS))
    ap.add_argument("--html", action="store_true", help="also clean the .html files")
    ap.add_argument("--ablate", action="store_true", help="switch each family off in turn")
    ap.add_argument("--languages", action="store_true", help="per-language lines")
    ap.add_argument("--seeds", action="store_true", help="run score_seeds.py on the samples")
    ap.add_argument("--per-doc", type=int, nargs="?", const=8, default=0,
                    help="show the N documents most below as-is (strict F1)")
    ap.add_argument("--official", action="store_true",
                    help="also run score.py as a subprocess on each prediction folder (same figures)")
    ap.add_argument("--set", dest="set_name", default="aeb-dev", choices=SETS)
    ap.add_argument("--data", type=Path, help="the set's pages (default: see --set)")
    ap.add_argument("--model", action="store_true", help="clean with the fitted block model")
    args = ap.parse_args()

    gold_dir = args.data or args.gold or default_data(args.bench, args.set_name)
    scorer = load_scorer(args.bench)
    require(gold_dir, "the benchmark's pages are not unpacked there")
    if args.set_name == "tfdev":
        return snippet_main(args, gold_dir)
    docs = load_docs(gold_dir)
    renderings = [r for r in args.renderings.split(",") if r]
    if args.html and "html" not in renderings:
        renderings.append("html")
    tmp = None
    out = args.out
    if out is None:
        tmp = tempfile.mkdtemp(prefix="newsclean-eval-")
        out = Path(tmp)
    failed = False
    try:
        cleaner = make_cleaner(model=args.model)
        results: dict[str, tuple[Score, Score, dict[str, str]]] = {}
        print(f"{'rendering':<10} {'n':>3}  {'as-is F1':>8} {'strict':>7}   {'clean F1':>8} {'strict':>7}"
              f"   {'P':>5} {'R':>5}  docs/s")
        for rendering in renderings:
            preds, asis, langs, spent = run_rendering(cleaner, docs, gold_dir, rendering)
            if not preds:
                continue
            write_preds(out / rendering, preds)
            write_preds(out / f"asis-{rendering}", asis)
            have = [d for d in docs if d.id in preds]
            s_clean, s_asis = score(scorer, have, preds), score(scorer, have, asis)
            results[rendering] = (s_clean, s_asis, langs)
            rate = len(preds) / spent if spent else 0.0
            print(f"{rendering:<10} {len(preds):>3}  {s_asis.f1:>8.3f} {s_asis.strict:>7.3f}   "
                  f"{s_clean.f1:>8.3f} {s_clean.strict:>7.3f}   {s_clean.precision:>5.3f} {s_clean.recall:>5.3f}"
                  f"  {rate:>6.0f}")
            if args.official:
                print("    score.py:", official_check(args.bench, out / rendering, gold_dir))
            groups = sorted({d.group for d in have})
            if len(groups) > 1:
                for group in groups:
                    ks = [k for k, d in enumerate(have) if d.group == group]
                    c = subset(scorer, [s_clean.rows[k] for k in ks])[1]
                    a = subset(scorer, [s_asis.rows[k] for k in ks])[1]
                    failed |= c < a - 1e-9
                    print(f"  {group:<24} {len(ks):>4}  as-is {a:.3f}  clean {c:.3f}"
                          f"{'  BELOW AS-IS' if c < a - 1e-9 else ''}")
        print()
        for name, floors in TARGETS.items():
            parts = []
            for rendering, floor in floors.items():
                if rendering in results:
                    got = results[rendering][0].strict
                    parts.append(f"{rendering} {got:.3f}{'>=' if got >= floor else '<'}{floor:.2f}")
            below = [r for r, (c, a, _) in results.items() if r in RENDERINGS and c.strict < a.strict]
            print(f"issue {name}: " + ", ".join(parts)
                  + ("" if name == "A" else f"; below as-is: {', '.join(below) or 'none'}"))

        if args.languages or args.ablate:
            print("\nper language (strict F1, cleaned vs as-is; n docs):")
            for rendering, (s_clean, s_asis, langs) in results.items():
                have = [d for d in docs if d.id in langs]
                by_lang: dict[str, list[int]] = {}
                for k, d in enumerate(have):
                    by_lang.setdefault(langs[d.id] or "?", []).append(k)
                cells = []
                for lang, ks in sorted(by_lang.items(), key=lambda kv: (-len(kv[1]), kv[0])):
                    c = subset(scorer, [s_clean.rows[k] for k in ks])[1]
                    a = subset(scorer, [s_asis.rows[k] for k in ks])[1]
                    worse = c < a - 1e-9
                    failed |= worse and rendering in RENDERINGS
                    cells.append(f"{lang}({len(ks)}) {c:.3f}/{a:.3f}{' WORSE' if worse else ''}")
                print(f"  {rendering:<8} " + "  ".join(cells))

        if args.per_doc:
            for rendering, (s_clean, s_asis, _) in results.items():
                have = [d for d in docs if d.id in results[rendering][2]]
                deltas = []
                for k, d in enumerate(have):
                    c = subset(scorer, [s_clean.rows[k]])[1]
                    a = subset(scorer, [s_asis.rows[k]])[1]
                    deltas.append((c - a, c, a, d.id))
                deltas.sort()
                print(f"\n{rendering}: documents furthest below as-is (strict F1 cleaned/as-is)")
                for delta, c, a, doc_id in deltas[: args.per_doc]:
                    print(f"  {delta:+.3f}  {c:.3f}/{a:.3f}  {doc_id[:16]}")

        if args.ablate:
            print("\nablation: strict F1 with one family off (change vs all on; + means the family hurts)")
            switches = [("rules", fam) for fam in generic_families()] + [("heur", h) for h in heuristics.SIGNALS]
            header = f"  {'family':<28}" + "".join(f"{r:>18}" for r in results)
            print(header)
            base = {r: results[r][0] for r in results}
            print(f"  {'(all on)':<28}" + "".join(f"{base[r].strict:>18.3f}" for r in results))
            def print_ablation_row(label: str, c) -> None:
                """One row: strict F1 per rendering with `c`, and its change against all on."""
                cells = []
                for rendering in results:
                    preds, _, _, _ = run_rendering(c, docs, gold_dir, rendering)
                    have = [d for d in docs if d.id in preds]
                    s = score(scorer, have, preds)
                    cells.append(f"{s.strict:.3f} ({s.strict - base[rendering].strict:+.3f})")
                print(f"  {label:<28}" + "".join(f"{cell:>18}" for cell in cells))

            for kind, name in switches:
                if kind == "rules":
                    c = make_cleaner(skip_families=frozenset([name]), model=args.model)
                else:
                    c = make_cleaner(signals_off=frozenset([name]), model=args.model)
                print_ablation_row(f"{kind}:{name}", c)
            for label, c in (("all generic rules off", make_cleaner(skip_families=frozenset(generic_families()),
                                                                       model=args.model)),
                             ("all heuristics off", make_cleaner(signals_off=frozenset(heuristics.SIGNALS),
                                                                    model=args.model)),
                             *((("model off", make_cleaner()),) if args.model else ())):
                print_ablation_row(label, c)

        if args.seeds:
            newsclean = REPO / ".venv" / "bin" / "newsclean"
            cmd = f"{newsclean} clean {{path}} --format json --no-site-rules"
            run = subprocess.run([sys.executable, str(require(args.bench / "score_seeds.py")), "--cmd", cmd],
                                 capture_output=True, text=True, cwd=REPO)
            lines = (run.stdout or run.stderr).strip().splitlines()
            print("\nsamples (score_seeds.py --no-site-rules): " + (lines[-1] if lines else "no output"))
        if args.out:
            print(f"\npredictions in {out}/<rendering>/")
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
