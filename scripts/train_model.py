#!/usr/bin/env python3
"""Fit the block model (cleaner/label/model.py) on the development sets, and measure it.

    .venv/bin/python scripts/train_model.py fit [--without SET,...] [--out FILE]
    .venv/bin/python scripts/train_model.py measure [--model FILE]
    .venv/bin/python scripts/train_model.py loso

First extract the features (scripts/model_data.py extract --corpus ...; cached under
/work/cache-h12 or $NEWSCLEAN_MODEL_CACHE). Training data: aeb-dev, dev2's `dev` part and tfdev
(never dev2's `check` part, which is only measured).

fit      a logistic regression fitted by Newton's method (iteratively reweighted least squares,
         L2 penalty L2_PENALTY, a fixed number of iterations; deterministic: sorted documents,
         float64, weights rounded to ROUND_DIGITS), then the span's thresholds chosen on a grid by
         the pooled strict F1 of the training documents' gold sets. `--without` leaves sets out
         (set names: aeb-dev, tfdev, or a dev2 set: dragnet_data, page-signal-master,
         cleaneval-final, cleaneval-dev, CleanPortalEval-master). Same data, same file, byte for byte.
measure  strict F1 (score.py) per corpus, set and rendering of the model against today's cleaning
         and the text as is, computed from the cache (the model applied to the cached labelled
         blocks, as cleaner.label.model.label does; without the pipeline's settling pass: the pipeline
         figures come from scripts/evaluate.py --model).
loso     leave-one-set-out: for each of the seven sets, a model fitted without it, measured on it.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from cleaner.label import heuristics  # noqa: E402
from cleaner.label.features import CONTEXT_NAMES, FEATURE_NAMES, context_features  # noqa: E402
from cleaner.label.model import MODEL_FILE, BlockModel, parse  # noqa: E402
from model_data import CACHE, RENDERINGS, load  # noqa: E402

BENCH = REPO.parent / "shared" / "bench"
TRAIN_CORPORA = ("aeb-dev", "dev2-dev", "tfdev")
SETS = ("dragnet_data", "page-signal-master", "cleaneval-final", "cleaneval-dev", "CleanPortalEval-master",
        "aeb-dev", "tfdev")
L2_PENALTY = 1.0
NEWTON_ITERATIONS = 25
ROUND_DIGITS = 5
# The span's parameters are chosen on this grid (threshold, inside_threshold, word_power).
THRESHOLDS = (0.3, 0.4, 0.5, 0.6)
INSIDE_THRESHOLDS = (0.0, 0.15, 0.3)
WORD_POWERS = (1.0,)
# Threshold search on every K-th training document (speed).
GRID_EVERY = 2
# 1: one logistic regression; 2: a second one over its scores' context (cleaner.label.features.context_features).
STAGES = 1


class _Lazy:
    """A benchmark scorer module, imported by path from BENCH on first use (never copied)."""

    def __init__(self, file: str):
        self.file = file
        self.module = None

    def __getattr__(self, name: str):
        if self.module is None:
            spec = importlib.util.spec_from_file_location(Path(self.file).stem, BENCH / self.file)
            module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            spec.loader.exec_module(module)  # type: ignore[union-attr]
            self.module = module
        return getattr(self.module, name)


SCORER = _Lazy("score.py")
SNIPPETS = _Lazy("score_snippets.py")


def corpora(corpus_names, cache: Path):
    """Every cached (corpus, rendering) list of documents that exists."""
    out = []
    for corpus in corpus_names:
        for rendering in (("page",) if corpus == "tfdev" else RENDERINGS):
            try:
                out.append((corpus, rendering, load(cache, corpus, rendering)))
            except FileNotFoundError:
                print(f"(no cache for {corpus} {rendering})", file=sys.stderr)
    return out


def training_docs(parts, without: set[str]) -> list[tuple[dict, np.ndarray]]:
    """(document, weight per block) of the documents with labelled blocks, sets in `without` left
    out. A block's weight grows with the square root of its words; each document's weights sum to
    the square root of its labelled blocks (a long page does not drown the others)."""
    out = []
    for _, _, docs in parts:
        for d in docs:
            if d["group"] in without:
                continue
            w = d["w"].astype(np.float64) * np.sqrt(1.0 + d["words"])
            total = w.sum()
            if total <= 0:
                continue
            out.append((d, w / total * (w > 0).sum() ** 0.5))
    return out


def stage_rows(docs: list[tuple[dict, np.ndarray]], stage1: tuple | None = None):
    """(x, y, w) of the labelled blocks; with `stage1` (mean, scale, weights) the rows hold the
    first stage's context features too."""
    xs, ys, ws = [], [], []
    for d, w in docs:
        keep = w > 0
        x = d["x"].astype(np.float64)
        if stage1 is not None:
            z = (x - stage1[0]) / stage1[1]
            p = 1.0 / (1.0 + np.exp(-np.clip(z @ stage1[2], -30, 30)))
            x = np.hstack([x, context_features(p, d["words"].astype(np.float64))])
        xs.append(x[keep])
        ys.append(d["y"][keep].astype(np.float64))
        ws.append(w[keep])
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ws)


def fit_weights(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, scale, weights) of an L2-penalised weighted logistic regression, by Newton steps.
    x: (n, d) float64 whose column FEATURE_NAMES.index('bias') is all ones; y: (n,) 0/1; w: (n,)."""
    bias = FEATURE_NAMES.index("bias")
    wsum = w.sum()
    mean = (x * w[:, None]).sum(0) / wsum
    var = ((x - mean) ** 2 * w[:, None]).sum(0) / wsum
    scale = np.sqrt(var)
    scale[scale < 1e-6] = 1.0
    mean[bias], scale[bias] = 0.0, 1.0
    mean, scale = np.round(mean, ROUND_DIGITS), np.round(scale, ROUND_DIGITS)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    d = z.shape[1]
    penalty = np.full(d, L2_PENALTY)
    penalty[bias] = 0.0
    beta = np.zeros(d)
    for _ in range(NEWTON_ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (w * (p - y)) + penalty * beta
        h = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(d)
        step = np.linalg.solve(h, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, np.round(beta, ROUND_DIGITS)


def decide(model: BlockModel, d: dict, p: np.ndarray | None = None) -> np.ndarray:
    """Kept mask of a cached document under the model (cleaner.label.model.label without the settling)."""
    if p is None:
        p, _ = model.scores(d["x"].astype(np.float64), d["words"].astype(np.float64))
    can, live = d["decidable"], d["live"]
    weight = (1.0 + d["words"]) ** model.word_power
    values = np.where(can, (p - model.threshold) * weight, np.where(live, (1 - model.threshold) * weight, np.nan))
    first, last = _span(values)
    if first > last:
        return live  # no span: today's decisions stand (cleaner.label.model.label)
    idx = np.arange(len(p))
    inside = (idx >= first) & (idx <= last)
    kept_model = inside & (p >= model.inside_threshold)
    return np.where(can, kept_model, live)


def _span(values: np.ndarray) -> tuple[int, int]:
    """heuristics.best_span over the array (NaN skipped); (len, -1) when no run is positive."""
    found = heuristics.best_span([None if v != v else v for v in values.tolist()])
    return found if found is not None else (len(values), -1)


def text_of(d: dict, kept: np.ndarray) -> str:
    return "\n\n".join(t for t, k in zip(d["texts"], kept) if k)


def strict_f1(rows) -> float:
    return SCORER.summarise(rows)["f1_strict"]


def snippet_f1(docs, texts) -> float:
    tot = [0, 0, 0, 0]
    for d, t in zip(docs, texts):
        c = SNIPPETS.count({"with": d["with"], "without": d["without"]}, t)
        tot = [a + b for a, b in zip(tot, c)]
    return SNIPPETS.scores(*tot)[3]


WORD = re.compile(r"\w+")


def _overlap(gold, block_words: list[list[str]], kept: np.ndarray) -> tuple[float, float, float]:
    """score.py's overlap(gold, text of the kept blocks), from the gold's shingles (score.shingles)
    and the blocks' words (the text joins blocks with blank lines: no word spans two blocks)."""
    words = [w for ws, k in zip(block_words, kept) if k for w in ws]
    if len(words) < 4:
        p = Counter([tuple(words)]) if words else Counter()
    else:
        p = Counter(zip(words, words[1:], words[2:], words[3:]))
    tp = sum((gold & p).values())
    fp = sum((p - gold).values())
    fn = sum((gold - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def choose_thresholds(base: dict, parts, without: set[str]) -> dict:
    grid_docs = []
    for corpus, rendering, docs in parts:
        if corpus == "tfdev":
            continue
        chosen = [d for d in docs if d["group"] not in without][::GRID_EVERY]
        if chosen:
            grid_docs.append(chosen)
    if not grid_docs:
        return {"threshold": 0.5, "inside_threshold": 0.1, "word_power": 1.0}
    model0 = parse(base)
    probs = [[model0.scores(d["x"].astype(np.float64), d["words"].astype(np.float64))[0] for d in docs]
             for docs in grid_docs]
    golds = [[SCORER.shingles(d["gold"]) for d in docs] for docs in grid_docs]
    block_words = [[[WORD.findall(t) for t in d["texts"]] for d in docs] for docs in grid_docs]
    best, best_params = -1.0, None
    for wp in WORD_POWERS:
        for t in THRESHOLDS:
            for ti in INSIDE_THRESHOLDS:
                if ti > t:
                    continue
                m = parse({**base, "threshold": t, "inside_threshold": ti, "word_power": wp})
                score = np.mean([strict_f1([_overlap(g, bw, decide(m, d, p))
                                            for d, p, g, bw in zip(docs, ps, gs, bws)])
                                 for docs, ps, gs, bws in zip(grid_docs, probs, golds, block_words)])
                if score > best + 1e-12:
                    best, best_params = score, {"threshold": t, "inside_threshold": ti, "word_power": wp}
    print(f"thresholds {best_params}: training pooled strict F1 {best:.4f}", file=sys.stderr)
    return best_params  # type: ignore[return-value]


def fit(cache: Path, without: set[str], name: str) -> dict:
    parts = corpora(TRAIN_CORPORA, cache)
    docs = training_docs(parts, without)
    x, y, w = stage_rows(docs)
    print(f"fitting on {len(y)} labelled blocks ({int(y.sum())} main content), without {sorted(without)}",
          file=sys.stderr)
    mean, scale, beta = fit_weights(x, y, w)
    base = {"name": name, "features": list(FEATURE_NAMES), "mean": mean.tolist(), "scale": scale.tolist(),
            "weights": beta.tolist(), "threshold": 0.5, "inside_threshold": 0.1, "word_power": 1.0,
            "trained_on": sorted({d["group"] for _, _, docs_ in parts for d in docs_} - without),
            "blocks": int(len(y))}
    if STAGES == 2:
        x2, y2, w2 = stage_rows(docs, (mean, scale, beta))
        mean2, scale2, beta2 = fit_weights(x2, y2, w2)
        base["context_features"] = list(CONTEXT_NAMES)
        base["stage2"] = {"mean": mean2.tolist(), "scale": scale2.tolist(), "weights": beta2.tolist()}
    base.update(choose_thresholds(base, parts, without))
    return base


def dump(model: dict) -> str:
    """The model file's text: JSON, one key a line, numbers as rounded."""
    lines = ["{"]
    keys = sorted(model)
    for k, key in enumerate(keys):
        lines.append(f"  {json.dumps(key)}: {json.dumps(model[key], ensure_ascii=False)}"
                     + ("," if k < len(keys) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def measure(model: BlockModel, cache: Path, groups: set[str] | None = None, corpus_names=None) -> list[tuple]:
    """Rows (corpus, set, rendering, n, as-is, today, model) of strict F1 (snippet F1 for tfdev)."""
    rows = []
    for corpus, rendering, docs in corpora(corpus_names or ("aeb-dev", "dev2-check", "dev2-dev", "tfdev"), cache):
        by_group: dict[str, list] = {}
        for d in docs:
            by_group.setdefault(d["group"], []).append(d)
        by_group["(pooled)"] = docs
        for group, ds in sorted(by_group.items()):
            if groups is not None and group not in groups and group != "(pooled)":
                continue
            if groups is not None and group == "(pooled)" and len(by_group) > 2:
                continue
            texts = [text_of(d, decide(model, d)) for d in ds]
            if corpus == "tfdev":
                a = snippet_f1(ds, [d["asis"] for d in ds])
                t = snippet_f1(ds, [d["today"] for d in ds])
                m = snippet_f1(ds, texts)
            else:
                a = strict_f1([SCORER.overlap(d["gold"], d["asis"]) for d in ds])
                t = strict_f1([SCORER.overlap(d["gold"], d["today"]) for d in ds])
                m = strict_f1([SCORER.overlap(d["gold"], tx) for d, tx in zip(ds, texts)])
            rows.append((corpus, group, rendering, len(ds), a, t, m))
    return rows


def print_rows(rows) -> None:
    print(f"{'corpus':<11} {'set':<24} {'rendering':<8} {'n':>5} {'as-is':>6} {'today':>6} {'model':>6}")
    for corpus, group, rendering, n, a, t, m in rows:
        flag = " <as-is" if m < a - 1e-9 else ""
        print(f"{corpus:<11} {group:<24} {rendering:<8} {n:>5} {a:>6.3f} {t:>6.3f} {m:>6.3f}{flag}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["fit", "measure", "loso"])
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--without", default="", help="sets left out of fitting, comma-separated")
    ap.add_argument("--out", type=Path, default=MODEL_FILE)
    ap.add_argument("--model", type=Path, default=MODEL_FILE)
    ap.add_argument("--sets", default=",".join(SETS), help="loso: the sets to leave out, one at a time")
    ap.add_argument("--corpora", default="aeb-dev,dev2-check,tfdev", help="measure: corpora to measure on")
    args = ap.parse_args()
    without = {s for s in args.without.split(",") if s}
    if args.command == "fit":
        model = fit(args.cache, without, "block-model" + (f" without {','.join(sorted(without))}" if without else ""))
        text = dump(model)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.out)
        print(f"wrote {args.out} ({len(text.encode())} bytes)", file=sys.stderr)
        return 0
    if args.command == "measure":
        print_rows(measure(parse(json.loads(args.model.read_text(encoding="utf-8"))), args.cache,
                           corpus_names=tuple(args.corpora.split(","))))
        return 0
    print(f"{'left out':<24} {'scored on':<11} {'rendering':<8} {'n':>5} {'as-is':>6} {'today':>6} {'model':>6}")
    for left in [s for s in args.sets.split(",") if s]:
        if left not in SETS:
            ap.error(f"--sets: unknown set {left!r} (one of {', '.join(SETS)})")
        model = parse(fit(args.cache, {left}, f"without {left}"))
        corpus = {"aeb-dev": "aeb-dev", "tfdev": "tfdev"}.get(left, "dev2-check")
        for _, group, rendering, n, a, t, m in measure(model, args.cache, {left}, (corpus,)):
            if group != left:
                continue
            print(f"{left:<24} {corpus:<11} {rendering:<8} {n:>5} {a:>6.3f} {t:>6.3f} {m:>6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
