"""Anand & Verma's ensembles: the combiners on hand-made scores, and real (tiny)
runs of configs/anand_er2.py (R1 + R3) and configs/anand_score_classifiers.py
(Table 3: classifiers fitted on R1's chunk scores)."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from configs import anand_er2, anand_score_classifiers
from ser_jax import methods, metrics
from ser_jax.methods import ensemble
from ser_jax.methods.evaluation import utterance_mean

from tiny_fold import on_tiny_fold

# ----------------------------------------------------------------------------
# The combiners.


def scores(rng, labels, k, sharpness):
    """Posteriors that favour each row's label by `sharpness` (in logits)."""
    logits = rng.normal(size=(len(labels), k)) + sharpness * np.eye(k)[labels]
    return np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


def test_mean_averages_the_members_posteriors():
    a = np.array([[0.6, 0.4], [0.2, 0.8]])
    b = np.array([[0.2, 0.8], [0.4, 0.6]])
    out = ensemble.combine("mean", {"test": [a, b]}, None, "train", 2)
    np.testing.assert_allclose(out["test"], [[0.4, 0.6], [0.3, 0.7]])


@pytest.mark.parametrize("name", [c for c in ensemble.COMBINERS if c != "mean"])
def test_fitted_combiners_learn_from_the_fit_split_only(name):
    rng = np.random.default_rng(0)
    k = 4
    labels = {s: rng.integers(0, k, 200) for s in ("train", "test")}
    probs = {s: [scores(rng, y, k, 3.0)] for s, y in labels.items()}
    out = ensemble.combine(name, probs, labels["train"], "train", k)
    for split, y in labels.items():
        np.testing.assert_allclose(out[split].sum(1), 1.0, atol=1e-6)
        assert (out[split].argmax(1) == y).mean() > 0.6  # chance 0.25
    # The test split's scores never reach the fit: other test rows, same model.
    other = {**probs, "test": [probs["test"][0][::-1]]}
    again = ensemble.combine(name, other, labels["train"], "train", k)
    np.testing.assert_allclose(again["test"], out["test"][::-1], atol=1e-8)
    np.testing.assert_allclose(again["train"], out["train"], atol=1e-8)


def test_a_combiner_fitted_on_swapped_labels_swaps_its_decisions():
    """What a combiner learns comes from the scores' labels: train it on scores
    whose classes 0 and 1 are relabelled and its decisions follow."""
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 300)
    probs = {"train": [scores(rng, labels, 3, 4.0)]}
    swapped = np.array([1, 0, 2])[labels]
    out = ensemble.combine("lda", probs, swapped, "train", 3)["train"]
    assert (out.argmax(1) == swapped).mean() > 0.8


def test_gmm_classifier_is_bayes_rule_over_per_class_mixtures():
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(0, 1, (80, 2)), rng.normal(4, 1, (40, 2))])
    y = np.repeat([0, 1], [80, 40])
    model = ensemble.GaussianMixtureClassifier(n_components=1).fit(x, y)
    log_lik = np.stack([m.score_samples(x[:5]) for m in model.mixtures_], 1)
    expected = np.exp(log_lik) / np.exp(log_lik).sum(1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(x[:5]), expected, rtol=1e-6)
    empirical = ensemble.GaussianMixtureClassifier(1, priors=None).fit(x, y)
    np.testing.assert_allclose(np.exp(empirical.log_prior_), [80 / 120, 40 / 120])


def test_bad_ensemble_configs_are_errors():
    config = anand_er2.get_config()
    config.ensemble.combiners = ("mean", "svm")
    with pytest.raises(ValueError, match="combiners"):
        ensemble.check_config(config)
    config = anand_er2.get_config()
    config.ensemble.fit_on = "test"
    with pytest.raises(ValueError, match="fit_on"):
        ensemble.check_config(config)


# ----------------------------------------------------------------------------
# Real runs on synthetic/tiny (fold 0 of 4 speaker groups, one epoch per member).


def tiny(module, data_dir):
    config = on_tiny_fold(
        module.get_config("corpus=synthetic/tiny,protocol=losgo"), data_dir
    )
    config.num_epochs = 1
    config.batch_size = 16
    config.eval_batch_size = 16
    config.warmup_epochs = 0
    config.num_devices = 2
    if "r1" in config.ensemble.members:
        config.ensemble.members.r1.variant = "R2"  # R1's 1024 filters: 32 here
    return config


def test_er2_run_averages_its_two_members(data_dir, tmp_path):
    config = tiny(anand_er2, data_dir)
    results = methods.run(config, tmp_path)
    assert results["method"] == "ensemble" and results["members"] == ["r1", "r3"]
    fold = results["folds"][0]
    assert set(fold["members"]) == {"r1", "r3"}
    assert fold["members"]["r3"]["model"] == "anand_cnn"
    for name in ("r1", "r3"):
        assert any((tmp_path / "fold_00" / name / "checkpoints" / "best").iterdir())
    # The test metrics, recomputed from the members' stored chunk posteriors.
    stored = np.load(tmp_path / "fold_00" / "member_scores.npz")
    chunk_probs = (stored["test_r1"] + stored["test_r3"]) / 2
    utterance = stored["test_utterance"]
    num = fold["num_utterances"]["test"]
    utt = utterance_mean(chunk_probs, SimpleNamespace(utterance=utterance), num)
    labels = np.zeros(num, int)
    labels[utterance] = stored["test_labels"]  # a chunk has its utterance's label
    expected = metrics.level_metrics(labels, utt.argmax(-1), results["class_names"])
    assert (
        fold["test"]["utterance"]["confusion_matrix"] == (expected["confusion_matrix"])
    )
    segment = metrics.level_metrics(
        stored["test_labels"], chunk_probs.argmax(-1), results["class_names"]
    )
    assert fold["test"]["segment"]["confusion_matrix"] == segment["confusion_matrix"]
    assert "ensemble of r1 (anand_cnn, R2), r3 (anand_cnn, R3): mean" in (
        methods.of(results["config"]).describe(results)
    )
    # Resumed: the finished fold is not run again.
    assert methods.run(config, tmp_path)["folds"] == json.loads(
        json.dumps(results["folds"])
    )


def test_score_classifiers_run_fits_on_training_scores(data_dir, tmp_path):
    config = tiny(anand_score_classifiers, data_dir)
    results = methods.run(config, tmp_path)
    fold = results["folds"][0]
    assert set(fold["combiners"]) == set(ensemble.COMBINERS)
    assert set(results["combiner_summaries"]) == set(ensemble.COMBINERS)
    # "mean" of one member is R1 itself: its own test record.
    assert fold["combiners"]["mean"]["test"] == fold["members"]["r1"]["test"]
    assert fold["test"] == fold["combiners"]["mean"]["test"]
    # LDA refitted here on the training chunks' stored scores gives the run's.
    stored = np.load(tmp_path / "fold_00" / "member_scores.npz")
    lda = ensemble.make_combiner("lda", len(results["class_names"]))
    lda.fit(ensemble.score_features([stored["train_r1"]]), stored["train_labels"])
    chunk = lda.predict(ensemble.score_features([stored["test_r1"]]))
    expected = metrics.level_metrics(
        stored["test_labels"], chunk, results["class_names"]
    )
    assert (
        fold["combiners"]["lda"]["test"]["segment"]["confusion_matrix"]
        == (expected["confusion_matrix"])
    )
    assert len(stored["train_labels"]) == fold["num_segments"]["train"]
    for name in ensemble.COMBINERS:
        summary = results["combiner_summaries"][name]["utterance"]["pooled"]
        assert summary["num_examples"] == fold["num_utterances"]["test"]
