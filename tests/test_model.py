"""The fitted block model (cleaner/label/features.py, cleaner/label/model.py, scripts/train_model.py) on texts
built here and on the samples: features, the shipped model file, the span it gives, its reasons,
idempotence, and the training script's determinism."""
from __future__ import annotations

import importlib
import json
import sys

import numpy as np
import pytest

from cleaner import clean
from cleaner.article import Block
from cleaner.label import model
from cleaner.label.features import FEATURE_NAMES, block_features
from conftest import ROOT, SAMPLE_NAMES, SAMPLES, run_cli

PARA = ("The minister said on Tuesday that the talks would continue next week, although the two sides "
        "remain far apart on the question of how the system would be deployed and who would pay for it.")
MENU = ["Home", "World", "Politics", "Business", "Sport", "Culture", "Weather", "Sign in"]
FOOTER = ["Contact us", "Careers", "Advertise with us", "Site map", "Accessibility"]


def article_text() -> str:
    paragraphs = [f"In the {n}th round of the negotiations, " + PARA for n in range(1, 7)]
    lines = MENU + ["Talks on missile defence to continue next week"] + paragraphs + FOOTER
    return "\n\n".join(lines)


def test_features_have_one_row_per_block_and_named_columns():
    blocks = [Block(text=t) for t in ["Home", PARA, "Contact us"]]
    x = block_features(blocks, "English")
    assert x.shape == (3, len(FEATURE_NAMES))
    assert np.isfinite(x).all()
    col = FEATURE_NAMES.index
    assert x[1, col("good")] == 1.0 and x[0, col("short")] == 1.0
    assert x[1, col("sentence_end")] == 1.0 and x[0, col("sentence_end")] == 0.0
    # the paragraph's left neighbour is the one-word menu entry; the first block has none
    assert x[1, col("n-1_exists")] == 1.0 and x[0, col("n-1_exists")] == 0.0
    assert x[1, col("n-1_log_words")] == pytest.approx(np.log1p(1))
    assert x[0, col("rel_pos")] == 0.0 and x[2, col("rel_pos")] == 1.0
    assert block_features([], "English").shape == (0, len(FEATURE_NAMES))


def test_features_count_repeated_blocks():
    blocks = [Block(text=t) for t in [PARA, "Share", PARA]]
    x = block_features(blocks, "English")
    assert x[0, FEATURE_NAMES.index("repeated")] == 1.0
    assert x[1, FEATURE_NAMES.index("repeated")] == 0.0


def test_shipped_model_file_is_small_and_matches_the_features():
    assert model.MODEL_FILE.stat().st_size <= 2 * 1024 * 1024
    m = model.load()
    assert m.weights.shape == (len(FEATURE_NAMES),)
    assert 0.0 <= m.inside_threshold <= m.threshold <= 1.0


def test_a_model_file_for_other_features_is_refused():
    data = json.loads(model.MODEL_FILE.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    with pytest.raises(ValueError, match="FEATURE_NAMES"):
        model.parse(data)


def test_model_keeps_the_article_and_removes_menu_and_footer_with_reasons():
    art = clean(article_text(), site_rules=False, model=True)
    kept = art.text.split("\n\n")
    assert sum("round of the negotiations" in k for k in kept) == 6
    assert not any(k in MENU + FOOTER for k in kept)
    by_model = [r for r in art.removed if r.rule == model.MODEL_RULE]
    # the model decides what the heuristics decided (the rules keep what they removed)
    assert {r.text for r in by_model} >= {"Home", "World", "Careers"}
    # the reason names the model's score and its strongest features
    for r in by_model:
        assert r.reason.startswith("model: score 0.")
        assert "strongest: " in r.reason


def test_without_the_option_the_model_does_not_run():
    art = clean(article_text(), site_rules=False)
    assert not any(r.rule == model.MODEL_RULE for r in art.removed)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
@pytest.mark.parametrize("site_rules", [True, False])
def test_model_cleaning_is_idempotent_on_the_samples(name, site_rules):
    text = (SAMPLES / f"{name}.txt").read_text(encoding="utf-8")
    once = clean(text, site_rules=site_rules, model=True).text
    twice = clean(once, site_rules=site_rules, model=True).text
    assert twice == once


def test_explain_shows_the_model_reason(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(article_text(), encoding="utf-8")
    plain = run_cli("clean", str(path), "--no-site-rules", "--model", "--explain")
    assert plain.returncode == 0
    out = plain.stdout.decode()
    assert model.MODEL_RULE in out and "strongest: " in out


def _train_module():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        return importlib.import_module("train_model")
    finally:
        sys.path.pop(0)


def test_fitting_is_deterministic_and_learns_the_signal():
    train = _train_module()
    rng = np.random.default_rng(7)
    n = 400
    x = rng.normal(size=(n, len(FEATURE_NAMES)))
    x[:, FEATURE_NAMES.index("bias")] = 1.0
    good = FEATURE_NAMES.index("stop_density")
    y = (x[:, good] + 0.3 * rng.normal(size=n) > 0).astype(float)
    w = np.ones(n)
    first = train.fit_weights(x, y, w)
    second = train.fit_weights(x.copy(), y.copy(), w.copy())
    for a, b in zip(first, second):
        assert a.tobytes() == b.tobytes()
    mean, scale, beta = first
    # the one informative feature has by far the largest weight
    assert int(np.argmax(np.abs(beta))) == good
    doc = {"name": "t", "features": list(FEATURE_NAMES), "mean": mean.tolist(), "scale": scale.tolist(),
           "weights": beta.tolist(), "threshold": 0.5, "inside_threshold": 0.1, "word_power": 1.0}
    assert train.dump(doc) == train.dump(json.loads(train.dump(doc)))


def test_no_block_above_the_threshold_leaves_todays_decisions():
    """A model under which no block scores above its threshold gives no span: it must not empty the
    text (it did: a dev2 page came out empty), today's labels stand."""
    from cleaner.pipeline import clean as clean_without_model
    data = json.loads(model.MODEL_FILE.read_text(encoding="utf-8"))
    strict = model.parse({**data, "threshold": 1.0})
    art = clean_without_model(article_text(), site_rules=False)
    before = [b.label for b in art.blocks]
    model.label(art.blocks, "English", strict)
    assert [b.label for b in art.blocks] == before
    assert any(b.live for b in art.blocks)
