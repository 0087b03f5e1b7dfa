#!/usr/bin/env python3
"""The block model's data: documents of the development sets, their blocks' features and labels.

    .venv/bin/python scripts/model_data.py extract --corpus aeb-dev|dev2-dev|dev2-check|tfdev
                                                   [--data DIR] [--cache DIR] [--jobs N] [--every K]

Each document (each rendering: page, context, region; tfdev: page) is cleaned as today with no
site rules and no model (`clean(text, url=..., site_rules=False, model=False)`); its blocks, their
features (cleaner.label.features.block_features), the decisions of today's cleaning, and a label per
block are stored in `<cache>/<corpus>-<rendering>.pkl` (a list of dicts, sorted by document id).
The cache is for fitting and measuring; it never goes into the repository.

A block's label (training data, docs/model.md):
  * gold text (aeb-dev, dev2): the share of the block's 4-word shingles (scorer's `\\w+` words)
    found in the gold: >= POSITIVE_SHARE is main content (1), <= NEGATIVE_SHARE boilerplate (0),
    between: left out of the loss (weight 0). A block of fewer than 4 words: 1 when its words
    stand in that order in the gold, else 0; a one-word block is left out.
  * snippets (tfdev): a block holding a `with` snippet is 1, one holding a `without` snippet 0,
    others left out.
  * blocks the model never decides (removed or kept by a rule, the headline, metadata lines) are
    left out of the loss: that is where the sets' gold conventions differ (headline, bylines,
    captions in or out).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import sys
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from cleaner import language  # noqa: E402
from cleaner.label.features import block_features  # noqa: E402
from cleaner.label.model import decidable  # noqa: E402
from cleaner.pipeline import clean  # noqa: E402

CACHE = Path(os.environ.get("NEWSCLEAN_MODEL_CACHE", "/work/cache-h12"))
DATA: dict[str, Path] = {
    "aeb-dev": REPO.parent / "shared" / "bench" / "aeb-dev",
    "dev2-dev": Path("/work/data/dev2/dev"),
    "dev2-check": Path("/work/data/dev2/check"),
    "tfdev": Path("/work/data/tfdev"),
}
RENDERINGS = ("page", "context", "region")
POSITIVE_SHARE = 0.5
NEGATIVE_SHARE = 0.2
WORD = re.compile(r"\w+")


def list_docs(corpus: str, data: Path) -> list[dict]:
    """The corpus's documents, sorted by id: id, group (the data set), url, gold or snippets."""
    docs = []
    if corpus == "tfdev":
        for path in sorted(data.glob("*.json")):
            if path.name == "manifest.json":
                continue
            item = json.loads(path.read_text(encoding="utf-8"))
            docs.append({"id": item["id"], "group": "tfdev", "url": item.get("url"),
                         "with": item["with"], "without": item["without"], "dir": str(data)})
        return docs
    for path in sorted(data.glob("*.gold.txt")):
        doc_id = path.name[: -len(".gold.txt")]
        meta_path = data / f"{doc_id}.meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        group = meta.get("set", "aeb-dev") if corpus != "aeb-dev" else "aeb-dev"
        docs.append({"id": doc_id, "group": group, "url": meta.get("url"), "gold": path.read_text(encoding="utf-8"),
                     "dir": str(data)})
    return docs


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def block_labels(texts: list[str], doc: dict) -> tuple[np.ndarray, np.ndarray]:
    """(label 0/1 per block, weight per block: 0 = left out of the loss)."""
    n = len(texts)
    y = np.zeros(n)
    w = np.zeros(n)
    if "gold" in doc:
        gold_words = WORD.findall(doc["gold"])
        gold_sh = set(tuple(gold_words[i:i + 4]) for i in range(len(gold_words) - 3))
        gold_joined = " " + " ".join(gold_words) + " "
        for i, t in enumerate(texts):
            words = WORD.findall(t)
            if len(words) >= 4:
                sh = [tuple(words[k:k + 4]) for k in range(len(words) - 3)]
                share = sum(s in gold_sh for s in sh) / len(sh)
                if share >= POSITIVE_SHARE:
                    y[i], w[i] = 1, 1
                elif share <= NEGATIVE_SHARE:
                    y[i], w[i] = 0, 1
            elif len(words) >= 2:
                y[i], w[i] = float(" " + " ".join(words) + " " in gold_joined), 1
    else:
        with_s = [_norm(s) for s in doc["with"]]
        without_s = [_norm(s) for s in doc["without"]]
        for i, t in enumerate(texts):
            nt = _norm(t)
            if any(s in nt for s in with_s):
                y[i], w[i] = 1, 1
            elif any(s in nt for s in without_s):
                y[i], w[i] = 0, 1
    return y, w


def extract_one(args: tuple[dict, str]) -> dict | None:
    doc, rendering = args
    path = Path(doc["dir"]) / f"{doc['id']}.{rendering}.txt"
    if not path.exists():
        return None
    raw = path.read_text(encoding="utf-8", errors="replace")
    try:
        art = clean(raw, url=doc["url"], site_rules=False, model=False)
    except Exception as e:  # one bad document never stops the extraction
        print(f"{path}: {e}", file=sys.stderr)
        return None
    blocks = art.blocks
    texts = [b.text for b in blocks]
    x = block_features(blocks, language.stoplist_name(art.language or "en"))
    y, w = block_labels(texts, doc)
    mask = np.array([decidable(b) for b in blocks], dtype=bool)
    w = np.where(mask, w, 0.0)
    live = np.array([b.live for b in blocks], dtype=bool)
    words = np.array([b.words for b in blocks], dtype=np.int32)
    out = {"id": doc["id"], "group": doc["group"], "rendering": rendering, "texts": texts,
           "x": x.astype(np.float32), "y": y.astype(np.int8), "w": w.astype(np.float32), "decidable": mask,
           "live": live, "words": words, "asis": raw, "today": art.text}
    if "gold" in doc:
        out["gold"] = doc["gold"]
    else:
        out["with"], out["without"] = doc["with"], doc["without"]
    return out


def cache_path(cache: Path, corpus: str, rendering: str) -> Path:
    return cache / f"{corpus}-{rendering}.pkl"


def load(cache: Path, corpus: str, rendering: str) -> list[dict]:
    with open(cache_path(cache, corpus, rendering), "rb") as f:
        return pickle.load(f)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["extract"])
    ap.add_argument("--corpus", required=True, choices=sorted(DATA))
    ap.add_argument("--data", type=Path)
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--every", type=int, default=1, help="take every K-th document only")
    ap.add_argument("--renderings", default=None)
    args = ap.parse_args()
    data = args.data or DATA[args.corpus]
    docs = list_docs(args.corpus, data)[:: args.every]
    renderings = (args.renderings.split(",") if args.renderings
                  else (["page"] if args.corpus == "tfdev" else list(RENDERINGS)))
    args.cache.mkdir(parents=True, exist_ok=True)
    for rendering in renderings:
        with Pool(args.jobs) as pool:
            rows = [r for r in pool.imap(extract_one, [(d, rendering) for d in docs], chunksize=4) if r is not None]
        target = cache_path(args.cache, args.corpus, rendering)
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(rows, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(target)
        print(f"{args.corpus} {rendering}: {len(rows)} documents -> {target}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
