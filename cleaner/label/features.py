"""Per-block feature vectors for the fitted block model (cleaner/label/model.py, docs/model.md).

`block_features(blocks, stoplist)` turns a labelled document (after the site rules, the generic
rules, today's heuristics and the headline detector) into a float64 array of shape
(len(blocks), len(FEATURE_NAMES)): for every block its shape, its neighbours' shapes, its position
in the document, the label the rules or heuristics gave it (the rule's category, the heuristic's
signal), section markers, and how often its text stands in the document. The same function serves
training (scripts/train_model.py) and cleaning, so the model sees at run time what it was fitted on.

Only numpy and the standard library; no state between calls.
"""
from __future__ import annotations

import math

import numpy as np

from . import heuristics
from ..article import CATEGORIES, Block

# Neighbours whose shape each block sees (offsets in blocks), and the half width of the window
# whose mean shape it sees.
NEIGHBOUR_OFFSETS: tuple[int, ...] = (-3, -2, -1, 1, 2, 3)
WINDOW_HALF_WIDTH = 6
# Words are counted up to this many for the log-length features' cap (a 5,000-word block is prose).
WORDS_CAP = 400

# Heuristic rule ids grouped into the signals the model sees.
_HEURISTIC_GROUPS: dict[str, str] = {
    "outside-article-top": "h_top",
    "outside-article-bottom": "h_bottom",
    heuristics.SECTION_MARKER_RULE: "h_marker",
    heuristics.AUTHOR_BOX_RULE: "h_marker",
    "marker-list": "h_marker_list",
    "related-run": "h_related_run",
    "pullquote-repeats": "h_repeat",
    "repeated-block": "h_repeat",
}
_HEURISTIC_FEATURES = ("h_top", "h_bottom", "h_marker", "h_marker_list", "h_related_run", "h_repeat", "h_other")

# The block's own shape.
_OWN = ("log_words", "log_chars", "stop_density", "sentence_end", "colon_end", "capitalised", "numbers",
        "url", "good", "near", "data", "short", "no_stoplist", "heading", "html", "quote_start",
        "bullet", "question_end", "comma_share", "mean_word_len")
# The label the rules gave (the generic rule families by the category they remove), the headline,
# kept by a rule, and today's heuristics (removed by which signal, or kept).
_LABELS = (tuple(f"rule_{c}" for c in CATEGORIES) + ("rule_kept", "title") + _HEURISTIC_FEATURES
           + ("h_kept",))
# Neighbours: a few shape values of the block at each offset (0 beyond the document's ends).
_NEIGHBOUR_SHAPE = ("log_words", "stop_density", "sentence_end", "good", "short", "removed_rule",
                    "h_kept", "exists")
_POSITION = ("rel_pos", "log_before", "log_after", "words_before_share", "log_doc_words", "log_doc_blocks",
             "doc_good_share")
_WINDOW = ("win_good_share", "win_short_share", "win_log_words", "win_kept_share", "win_rule_removed_share")
_REPEATS = ("log_copies", "repeated")

FEATURE_NAMES: tuple[str, ...] = (
    _OWN + _LABELS
    + tuple(f"n{o:+d}_{name}" for o in NEIGHBOUR_OFFSETS for name in _NEIGHBOUR_SHAPE)
    + _POSITION + _WINDOW + _REPEATS
    + ("bias",)
)
INDEX: dict[str, int] = {name: k for k, name in enumerate(FEATURE_NAMES)}


def _is_heuristic(label) -> bool:
    return label.reason.startswith("heuristic:")


def block_features(blocks: list[Block], stoplist: str) -> np.ndarray:
    """The feature matrix of a labelled document: float64, shape (len(blocks), len(FEATURE_NAMES)),
    row i for blocks[i], columns named by FEATURE_NAMES. `stoplist` names a jusText stop-word list
    ('English', 'German', ...; cleaner.language.stoplist_name)."""
    n = len(blocks)
    x = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float64)
    if n == 0:
        return x
    stops = heuristics.stopwords(stoplist)
    col = INDEX
    # own shape, label
    words = np.zeros(n)
    good = np.zeros(n)
    short = np.zeros(n)
    kept_h = np.zeros(n)
    removed_rule = np.zeros(n)
    own_vals = np.zeros((n, 3))  # log_words, stop_density, sentence_end
    copies: dict[str, int] = {}
    norms = []
    for b in blocks:
        key = " ".join(b.plain.lower().split())
        norms.append(key)
        copies[key] = copies.get(key, 0) + 1
    for i, b in enumerate(blocks):
        s = heuristics.shape(b.plain, stops)
        row = x[i]
        lw = math.log1p(min(s.words, WORDS_CAP))
        row[col["log_words"]] = lw
        row[col["log_chars"]] = math.log1p(min(s.chars, WORDS_CAP * 6)) / 2
        row[col["stop_density"]] = s.stop_density
        row[col["sentence_end"]] = s.sentence_end
        row[col["colon_end"]] = s.colon_end
        row[col["capitalised"]] = s.capitalised
        row[col["numbers"]] = s.numbers
        row[col["url"]] = s.url
        row[col[s.cls]] = 1.0
        row[col["no_stoplist"]] = not stops
        row[col["heading"]] = b.heading
        row[col["html"]] = b.origin != "text"
        text = b.plain
        row[col["quote_start"]] = text[:1] in "\"'“”‘’«»„"
        row[col["bullet"]] = b.text[:1] != text[:1]
        row[col["question_end"]] = text.rstrip().endswith("?")
        tokens = text.split()
        if tokens:
            row[col["comma_share"]] = min(text.count(",") / len(tokens), 1.0)
            row[col["mean_word_len"]] = min(sum(map(len, tokens)) / len(tokens), 20) / 10
        label = b.label
        if label is not None:
            if label.rule == "title-headline":
                row[col["title"]] = 1.0
            elif _is_heuristic(label):
                if label.removed:
                    row[col[_HEURISTIC_GROUPS.get(label.rule, "h_other")]] = 1.0
                else:
                    row[col["h_kept"]] = 1.0
                    kept_h[i] = 1.0
            elif label.removed:
                row[col[f"rule_{label.category}"]] = 1.0
                removed_rule[i] = 1.0
            else:
                row[col["rule_kept"]] = 1.0
                kept_h[i] = 1.0
        else:
            row[col["h_kept"]] = 1.0
            kept_h[i] = 1.0
        words[i] = s.words
        good[i] = s.cls == heuristics.GOOD
        short[i] = s.cls == heuristics.SHORT
        own_vals[i] = (lw, s.stop_density, s.sentence_end)
        c = copies[norms[i]]
        row[col["log_copies"]] = math.log(c)
        row[col["repeated"]] = c > 1 and s.words >= 3
    # neighbours
    neighbour = np.stack([own_vals[:, 0], own_vals[:, 1], own_vals[:, 2], good, short, removed_rule, kept_h,
                          np.ones(n)], axis=1)
    width = len(_NEIGHBOUR_SHAPE)
    for k, o in enumerate(NEIGHBOUR_OFFSETS):
        start = col[f"n{o:+d}_{_NEIGHBOUR_SHAPE[0]}"]
        lo, hi = max(0, -o), min(n, n - o)
        if lo < hi:
            x[lo:hi, start:start + width] = neighbour[lo + o:hi + o]
    # position
    idx = np.arange(n, dtype=np.float64)
    total = float(words.sum()) or 1.0
    before = np.concatenate([[0.0], np.cumsum(words)[:-1]])
    x[:, col["rel_pos"]] = idx / max(n - 1, 1)
    x[:, col["log_before"]] = np.log1p(idx)
    x[:, col["log_after"]] = np.log1p(n - 1 - idx)
    x[:, col["words_before_share"]] = before / total
    x[:, col["log_doc_words"]] = math.log1p(total) / 5
    x[:, col["log_doc_blocks"]] = math.log1p(n) / 5
    x[:, col["doc_good_share"]] = good.mean()
    # window means (prefix sums)
    w = WINDOW_HALF_WIDTH
    for name, values in (("win_good_share", good), ("win_short_share", short), ("win_log_words", own_vals[:, 0]),
                         ("win_kept_share", kept_h), ("win_rule_removed_share", removed_rule)):
        cum = np.concatenate([[0.0], np.cumsum(values)])
        lo = np.clip(np.arange(n) - w, 0, n)
        hi = np.clip(np.arange(n) + w + 1, 0, n)
        x[:, col[name]] = (cum[hi] - cum[lo]) / (hi - lo)
    x[:, col["bias"]] = 1.0
    return x


# ---------------------------------------------------------------- the second stage's features

# Offsets at which the second stage sees the first stage's score, and the half widths of the
# windows whose mean score it sees.
CONTEXT_OFFSETS: tuple[int, ...] = (-3, -2, -1, 1, 2, 3)
CONTEXT_WINDOWS: tuple[int, ...] = (3, 10)
CONTEXT_NAMES: tuple[str, ...] = (
    ("p1", "p1_x_log_words")
    + tuple(f"p1{o:+d}" for o in CONTEXT_OFFSETS)
    + tuple(f"p1_mean{w}" for w in CONTEXT_WINDOWS)
    + ("p1_words_before", "p1_words_after", "p1_max_before", "p1_max_after")
)


def context_features(p: np.ndarray, words: np.ndarray) -> np.ndarray:
    """What the second stage adds to a block's features: the first stage's score `p` (shape (n,))
    of the block and its neighbours, window means, and the share of the document's likely-content
    words (p-weighted) before and after it. `words`: words per block, shape (n,). Returns float64
    (n, len(CONTEXT_NAMES))."""
    n = len(p)
    out = np.zeros((n, len(CONTEXT_NAMES)), dtype=np.float64)
    if n == 0:
        return out
    col = {name: k for k, name in enumerate(CONTEXT_NAMES)}
    lw = np.log1p(np.minimum(words, WORDS_CAP))
    out[:, col["p1"]] = p
    out[:, col["p1_x_log_words"]] = p * lw
    for o in CONTEXT_OFFSETS:
        lo, hi = max(0, -o), min(n, n - o)
        if lo < hi:
            out[lo:hi, col[f"p1{o:+d}"]] = p[lo + o:hi + o]
    cum = np.concatenate([[0.0], np.cumsum(p)])
    for w in CONTEXT_WINDOWS:
        lo = np.clip(np.arange(n) - w, 0, n)
        hi = np.clip(np.arange(n) + w + 1, 0, n)
        out[:, col[f"p1_mean{w}"]] = (cum[hi] - cum[lo]) / (hi - lo)
    content = p * words
    total = float(content.sum()) or 1.0
    before = np.concatenate([[0.0], np.cumsum(content)[:-1]])
    out[:, col["p1_words_before"]] = before / total
    out[:, col["p1_words_after"]] = (total - before - content) / total
    out[:, col["p1_max_before"]] = np.concatenate([[0.0], np.maximum.accumulate(p)[:-1]])
    out[:, col["p1_max_after"]] = np.concatenate([np.maximum.accumulate(p[::-1])[::-1][1:], [0.0]])
    return out
