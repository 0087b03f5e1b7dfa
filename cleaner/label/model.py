"""The fitted block model: a logistic regression over cleaner.label.features, and the article span it gives.

The weights ship in `cleaner/data/block-model.json` (written by scripts/train_model.py, fitted on
the development sets only; docs/model.md has the figures). At run time only numpy reads them.

    score    p_i = sigmoid(((x_i - mean) / scale) . w), x_i = block_features(...)[i]; with a second
             stage, the same again over x_i and context_features(p) (its neighbours' first scores)
    span     the maximum-sum run of (p_i - threshold) * (1 + words_i) ** word_power over the blocks
             the model decides (decidable(): not labelled by a rule, nor the headline); blocks a
             rule kept count as p = 1, blocks a rule removed are skipped
    decide   inside the span a decidable block stays when p_i >= inside_threshold; everything else
             decidable is removed (no span: no block scores above the threshold, and today's
             decisions stand), with the reason naming the model, its score and the features
             that pulled the score down most

Site rules and generic rules keep priority: the model only relabels blocks that are unlabelled or
labelled by today's heuristics (whose decisions are among its features).
"""
from __future__ import annotations

import json

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import heuristics
from ..article import Block, Label
from .features import CONTEXT_NAMES, FEATURE_NAMES, block_features, context_features

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "block-model.json"
MODEL_RULE = "block-model"
# How many features a reason names.
REASON_FEATURES = 3


@dataclass(frozen=True)
class BlockModel:
    """Weights read from a model file: `mean`, `scale`, `weights` are float64 arrays of
    len(FEATURE_NAMES); thresholds are probabilities in [0, 1]."""

    name: str
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    threshold: float
    inside_threshold: float
    word_power: float
    # The second stage (None: one stage): (mean, scale, weights) over FEATURE_NAMES + CONTEXT_NAMES.
    stage2: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the last stage's inputs."""
        return FEATURE_NAMES + CONTEXT_NAMES if self.stage2 is not None else FEATURE_NAMES

    def scores(self, x: np.ndarray, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(p, z): p the main-content probability per row of x (shape (n,)), z the last stage's
        standardised inputs (shape (n, len(self.names))). `words`: words per block, shape (n,)."""
        p, z = _stage(x, self.mean, self.scale, self.weights)
        if self.stage2 is not None:
            p, z = _stage(np.hstack([x, context_features(p, words)]), *self.stage2)
        return p, z

    @property
    def last_weights(self) -> np.ndarray:
        return self.stage2[2] if self.stage2 is not None else self.weights


def _stage(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = (x - mean) / scale
    logits = np.clip(z @ weights, -30.0, 30.0)
    return 1.0 / (1.0 + np.exp(-logits)), z


def parse(data: dict, name: str = "block-model") -> BlockModel:
    """A BlockModel from a model file's JSON object. Raises ValueError when the file's feature
    names are not those of cleaner.label.features (a model fitted on other features)."""
    if tuple(data.get("features", ())) != FEATURE_NAMES:
        raise ValueError(f"{name}: its features are not cleaner.label.features.FEATURE_NAMES; fit it again "
                         f"(scripts/train_model.py)")
    stage2 = None
    if data.get("stage2"):
        if tuple(data.get("context_features", ())) != CONTEXT_NAMES:
            raise ValueError(f"{name}: its context features are not cleaner.label.features.CONTEXT_NAMES; fit it "
                             f"again (scripts/train_model.py)")
        stage2 = tuple(np.asarray(data["stage2"][k], dtype=np.float64) for k in ("mean", "scale", "weights"))
    return BlockModel(name=data.get("name", name), mean=np.asarray(data["mean"], dtype=np.float64),
                      scale=np.asarray(data["scale"], dtype=np.float64),
                      weights=np.asarray(data["weights"], dtype=np.float64),
                      threshold=float(data["threshold"]), inside_threshold=float(data["inside_threshold"]),
                      word_power=float(data["word_power"]), stage2=stage2)  # type: ignore[arg-type]


@lru_cache(maxsize=4)
def load(path: str = str(MODEL_FILE)) -> BlockModel:
    """The model in a model file (JSON, see scripts/train_model.py). Raises OSError, ValueError."""
    return parse(json.loads(Path(path).read_text(encoding="utf-8")), Path(path).name)


def decidable(b: Block) -> bool:
    """The model decides this block: it is unlabelled or labelled by today's heuristics (not by a
    site or generic rule, not the headline, not a metadata line)."""
    return b.label is None or b.label.reason.startswith("heuristic:")


def _strongest(model: BlockModel, z: np.ndarray, removed: bool) -> str:
    contributions = z * model.last_weights
    order = np.argsort(contributions if removed else -contributions, kind="stable")
    names = model.names
    parts = []
    for k in order[:REASON_FEATURES + 1]:
        if names[k] == "bias" or len(parts) == REASON_FEATURES:
            continue
        parts.append(f"{names[k]} {contributions[k]:+.2f}")
    return ", ".join(parts)


def label(blocks: list[Block], stoplist: str, model: BlockModel | None = None) -> None:
    """Relabel the decidable blocks of a labelled document by the model's scores (module doc).
    `stoplist` names a jusText stop-word list. No state is kept between calls."""
    if not blocks:
        return
    model = model or load()
    x = block_features(blocks, stoplist)
    p, z = model.scores(x, np.array([b.words for b in blocks], dtype=np.float64))
    values: list[float | None] = []
    can = [decidable(b) for b in blocks]
    for i, b in enumerate(blocks):
        weight = (1.0 + b.words) ** model.word_power
        if can[i]:
            values.append((p[i] - model.threshold) * weight)
        elif b.label is not None and b.label.keep:
            values.append((1.0 - model.threshold) * weight)
        else:
            values.append(None)
    span = heuristics.best_span(values)
    if span is None:
        return  # no block scores above the threshold: today's decisions stand (never an empty text by the model)
    first, last = span
    for i, b in enumerate(blocks):
        if not can[i]:
            continue
        inside = first <= i <= last
        if inside and p[i] >= model.inside_threshold:
            if b.label is not None and b.label.removed:   # a heuristic removed it: the model keeps it
                b.label = Label(keep=True, category="body", rule=MODEL_RULE,
                                reason=f"model: kept, score {p[i]:.2f} (heuristic said: {b.label.reason}); "
                                       f"strongest: {_strongest(model, z[i], False)}")
            continue
        if b.label is not None and b.label.removed:
            category = b.label.category
        else:
            s = heuristics.shape(b.plain, heuristics.stopwords(stoplist))
            category = (heuristics._category_above(s) if i < first else heuristics._category_below(s))[0] \
                if not inside else "other"
        where = ("inside the article's span, below " + f"{model.inside_threshold:.2f}" if inside
                 else "outside the article's span")
        b.label = Label(keep=False, category=category, rule=MODEL_RULE,
                        reason=f"model: score {p[i]:.2f}, {where}; strongest: {_strongest(model, z[i], True)}")



