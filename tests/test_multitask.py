"""Neumann's multi-task loss: activation and valence heads beside the emotion."""

import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest
from flax import nnx

from data_builders.synthetic import synthetic_speech
from ser_jax import classify, frontends
from ser_jax.data import emotions
from ser_jax.methods import neural, steps
from ser_jax.methods.checkpoints import FoldCheckpoints


def test_dimensions_follow_the_documented_table():
    ravdess = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust"]
    act = emotions.task_labels("activation", ravdess)
    val = emotions.task_labels("valence", ravdess)
    named = {
        e: (emotions.TASK_CLASSES["activation"][a], emotions.TASK_CLASSES["valence"][v])
        for e, a, v in zip(ravdess, act, val, strict=True)
    }
    assert named["happy"] == ("high", "positive")
    assert named["angry"] == ("high", "negative")
    assert named["sad"] == ("low", "negative")
    assert named["neutral"] == ("medium", "neutral")
    assert named["calm"] == ("low", "positive")
    emodb = emotions.task_labels("valence", ["boredom", "happiness"])
    assert emodb.tolist() == [0, 2]
    assert emotions.task_labels("activation", ["frustration"]).tolist() == [2]
    with pytest.raises(ValueError, match="'pondering' has no activation"):
        emotions.task_labels("activation", ["pondering"])  # SmartKom's
    with pytest.raises(ValueError, match="Unknown task"):
        emotions.task_labels("dominance", ["anger"])


def test_task_weights_and_loss():
    config = ml_collections.ConfigDict({"tasks": {"activation": 0.2, "valence": 0.1}})
    weights = steps.task_weights(config)
    assert weights == pytest.approx({"emotion": 0.7, "activation": 0.2, "valence": 0.1})
    assert (
        steps.task_weights(ml_collections.ConfigDict({"tasks": {"valence": 0.0}}))
        is None
    )
    assert steps.task_weights(ml_collections.ConfigDict()) is None
    for bad, match in (
        ({"activation": 0.6, "valence": 0.4}, "sum below 1"),
        ({"activation": -0.1}, ">= 0"),
        ({"dominance": 0.1}, "unknown"),
    ):
        with pytest.raises(ValueError, match=match):
            steps.task_weights(ml_collections.ConfigDict({"tasks": bad}))

    rng = np.random.default_rng(0)
    outputs = {
        "emotion": jnp.asarray(rng.normal(size=(4, 7))),
        "activation": jnp.asarray(rng.normal(size=(4, 3))),
        "valence": jnp.asarray(rng.normal(size=(4, 3))),
    }
    batch = {
        "label": np.array([0, 1, 2, 3]),
        "activation_label": np.array([0, 1, 2, 0]),
        "valence_label": np.array([2, 2, 1, 0]),
    }
    ce = optax.softmax_cross_entropy_with_integer_labels
    expected = (
        0.7 * ce(outputs["emotion"], batch["label"])
        + 0.2 * ce(outputs["activation"], batch["activation_label"])
        + 0.1 * ce(outputs["valence"], batch["valence_label"])
    )
    np.testing.assert_allclose(
        steps.example_loss(outputs, batch, weights), expected, rtol=1e-6
    )
    np.testing.assert_allclose(
        steps.example_loss(outputs["emotion"], batch, None),
        ce(outputs["emotion"], batch["label"]),
    )


def head_kernels(config, fold_dir) -> dict[str, np.ndarray]:
    """Each task head's kernel: initial (`fold_dir=None`) or the fold's best."""
    frontend = frontends.create_frontend(
        config.frontend, 16000, round(config.max_segment_seconds * 16000)
    )
    _, state, _ = steps.create_state(config, frontend, 7, 0, 10, 5)
    pure = nnx.to_pure_dict(state)
    if fold_dir is not None:
        ckpt = FoldCheckpoints(fold_dir / "checkpoints")
        pure, _ = ckpt.restore_best(pure)
        ckpt.close()
    heads = pure[0]["classifier"]["heads"]
    return {task: np.asarray(heads[task]["kernel"]) for task in heads}


def test_multitask_run_trains_heads_and_classifies(data_dir, tiny_config, tmp_path):
    """A multi-task run's loss includes the auxiliary terms; evaluation and the
    classifier of new audio read the emotion head."""
    config = tiny_config(data_dir, num_epochs=1)
    config.tasks.activation, config.tasks.valence = 0.3, 0.3
    results = neural.train_and_evaluate(config, tmp_path / "multi")
    single = neural.train_and_evaluate(
        tiny_config(data_dir, num_epochs=1), tmp_path / "single"
    )
    fold, fold1 = results["folds"][0], single["folds"][0]
    # Two heads of 3 classes on the 8-unit dense layer: 2 * (8 + 1) * 3 more.
    assert fold["num_params"] - fold1["num_params"] == 54
    # The auxiliary terms reach the heads: their weights moved from their
    # initial values by training steps, not by weight decay alone (which
    # changes a weight by about lr * 1e-4 per step).
    initial, trained = (
        head_kernels(config, None),
        head_kernels(config, tmp_path / "multi" / "fold_00"),
    )
    for task in ("activation", "valence", "emotion"):
        assert np.abs(trained[task] - initial[task]).max() > 1e-3, task
    test = fold["test"]["utterance"]
    assert sum(map(sum, test["confusion_matrix"])) == fold["num_utterances"]["test"]
    assert len(results["class_names"]) == 7

    classifier = classify.Classifier(tmp_path / "multi")
    clip = next(synthetic_speech.generate_corpus(seed=3, utterances_per_emotion=1))
    probs = classifier.posteriors(np.asarray(clip["audio"], np.float32))
    assert probs.shape == (7,) and np.isclose(probs.sum(), 1, atol=1e-5)


def test_annotated_ratings_give_the_classes_and_the_table_fills_the_gaps():
    # 1-5 ratings: below 2.5 low, 2.5-3.5 medium, above 3.5 high.
    ratings = np.array([1.0, 2.49, 2.5, 3.5, 3.51, 5.0, np.nan], np.float32)
    assert emotions.rating_classes(ratings).tolist() == [0, 0, 1, 1, 2, 2, -1]
    names = ["angry", "sad", "other"]  # "other" has no row in the table
    labels = np.array([0, 1, 0, 2, 1])
    act = np.array([1.5, 4.0, np.nan, 3.0, np.nan], np.float32)
    classes, annotated = emotions.utterance_task_labels(
        "activation", labels, names, act
    )
    # Ratings where they exist (sad rated 4.0 is high, angry rated 1.5 low),
    # the table (angry high, sad low) where they do not.
    assert classes.tolist() == [0, 2, 2, 1, 0]
    assert annotated.tolist() == [True, True, False, True, False]
    table, none = emotions.utterance_task_labels("activation", labels[:2], names)
    assert table.tolist() == [2, 0] and not none.any()
    with pytest.raises(ValueError, match="'other' has no activation"):
        emotions.utterance_task_labels("activation", labels, names, np.full(5, np.nan))
