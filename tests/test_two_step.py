"""Satt's two-step predictor: the decision rule on hand-made posteriors, and a
real (tiny) run of configs/satt_two_step.py that is killed, resumed, skipped
when done, and classifies new audio."""

import csv
import json

import numpy as np
import pytest

from configs import satt_two_step
from ser_jax import classify, methods
from ser_jax.data import load as data_load
from ser_jax.methods import progress, trainer, two_step

from tiny_fold import on_tiny_fold

FOUR = ["anger", "happiness", "neutral", "sadness"]
ANGER, HAPPINESS, NEUTRAL, SADNESS = range(4)
STAGES = [
    "four_class",
    "neutral_vs_anger",
    "neutral_vs_happiness",
    "neutral_vs_sadness",
]


# ----------------------------------------------------------------------------
# The rule.


def binary(anger, happiness, sadness):
    """Hand-made binary posteriors: p(class) of each neutral-vs-class model, one row."""
    return {
        j: np.array([[p, 1.0 - p]])
        for j, p in ((ANGER, anger), (HAPPINESS, happiness), (SADNESS, sadness))
    }


def test_a_non_neutral_first_stage_decision_stands():
    first = np.array([[0.1, 0.6, 0.2, 0.1], [0.4, 0.1, 0.2, 0.3]])
    two = {j: np.repeat(p, 2, axis=0) for j, p in binary(0.99, 0.01, 0.99).items()}
    decision = two_step.combine(first, two, NEUTRAL)
    assert decision.predictions.tolist() == [HAPPINESS, ANGER]
    assert decision.second_step.tolist() == [False, False]
    np.testing.assert_allclose(decision.scores, first)


def test_neutral_goes_to_the_most_confident_binary_model():
    first = np.array([[0.2, 0.1, 0.6, 0.1]])
    # neutral-vs-sadness is surest of its class (0.9): its 0.1 neutral and the
    # others' 0.3 and 0.4 neutral lose to it.
    decision = two_step.combine(first, binary(0.7, 0.6, 0.9), NEUTRAL)
    assert decision.predictions.tolist() == [SADNESS]
    assert decision.second_step.tolist() == [True]
    # Scores: each class's own binary posterior, neutral's highest, normalised.
    raw = np.array([0.7, 0.6, 0.4, 0.9])
    np.testing.assert_allclose(decision.scores[0], raw / raw.sum())


def test_neutral_stays_when_a_binary_model_is_surest_of_neutral():
    first = np.array([[0.2, 0.1, 0.6, 0.1]])
    # neutral-vs-happiness says neutral with 0.85, more than any p(X) (0.8).
    decision = two_step.combine(first, binary(0.8, 0.15, 0.5), NEUTRAL)
    assert decision.predictions.tolist() == [NEUTRAL]
    assert decision.second_step.tolist() == [True]
    assert decision.scores[0].argmax() == NEUTRAL


def test_combine_needs_a_binary_model_for_every_other_class():
    with pytest.raises(ValueError, match="need every class"):
        two_step.combine(np.full((1, 4), 0.25), {ANGER: np.ones((1, 2))}, NEUTRAL)


def test_binary_stages_and_label_maps():
    assert two_step.binary_stages(FOUR, "neutral") == [
        ("neutral_vs_anger", "anger", ["anger", "neutral"]),
        ("neutral_vs_happiness", "happiness", ["happiness", "neutral"]),
        ("neutral_vs_sadness", "sadness", ["neutral", "sadness"]),
    ]
    with pytest.raises(ValueError, match="label_map"):
        two_step.binary_stages(["anger", "calm"], "neutral")
    from data_builders.emodb import emodb_dataset_builder as emodb
    from data_builders.ravdess import ravdess_dataset_builder as ravdess
    from data_builders.synthetic import synthetic_speech

    for corpus, emotions in (
        ("ravdess", ravdess.EMOTIONS),
        ("emodb", emodb.EMOTIONS),
        ("synthetic/tiny", synthetic_speech.EMOTIONS),
    ):
        config = satt_two_step.get_config(f"corpus={corpus}")
        label_map = dict(config.dataset.label_map)
        assert set(label_map) <= set(emotions), corpus
        assert sorted(label_map.values()) == FOUR
        assert config.method == "two_step" and config.model.name == "satt_cnn_lstm"
        assert config.two_step.binary_model.name == "satt_cnn"
    # Merged corpora carry the shared names already (ser_jax.data.corpus).
    merged = satt_two_step.get_config(
        "corpus=ravdess+emodb,protocol=leave_one_corpus_out"
    )
    assert dict(merged.dataset.label_map) == {c: c for c in FOUR}
    # Any corpus: its own names of the four, by their shared names.
    iemocap = satt_two_step.get_config("corpus=iemocap/four_class_improvised")
    assert dict(iemocap.dataset.label_map) == {
        "angry": "anger",
        "happy": "happiness",
        "neutral": "neutral",
        "sad": "sadness",
    }
    with pytest.raises(ValueError, match="not all of"):
        satt_two_step.get_config("corpus=enterface")  # no neutral


# ----------------------------------------------------------------------------
# A real run on synthetic/tiny (fold 0 of 4 speaker groups, one epoch per stage).


def tiny(data_dir):
    config = on_tiny_fold(
        satt_two_step.get_config("corpus=synthetic/tiny,protocol=losgo"), data_dir
    )
    config.num_epochs = 1
    config.batch_size = 16
    config.eval_batch_size = 16
    config.warmup_epochs = 0
    config.num_devices = 2
    # Most utterances are neutral (boredom, disgust and fear join it) and classes
    # are not rebalanced, so a one-epoch first stage says neutral and the
    # second step runs.
    config.dataset.label_map = {
        **{c: c for c in FOUR},
        **{c: "neutral" for c in ("boredom", "disgust", "fear")},
    }
    config.class_balance = "none"
    config.max_segment_seconds = 1.0  # 1 to 4 segments per utterance
    config.frontend.grid_hz = 40.0  # DFT of 400 points: the window must fit
    config.frontend.window_ms = 20.0
    kernels = ((5, 5), (5, 5), (3, 3))
    config.model.update(
        conv_features=(4, 4, 8),
        conv_kernels=kernels,
        lstm_units=8,
        dense_units=8,
        dropout_rate=0.0,
    )
    config.two_step.binary_model.update(
        conv_features=(4, 4, 8, 8, 8),
        conv_kernels=kernels + ((3, 3), (3, 3)),
        dense_units=8,
        dropout_rate=0.0,
    )
    return config


_RUN = {}


@pytest.fixture
def two_step_run(data_dir, tmp_path_factory):
    """The run, killed after its second stage's epoch and resumed; once per module."""
    if _RUN:
        return _RUN
    config = tiny(data_dir)
    workdir = tmp_path_factory.mktemp("two_step")
    stage, trained = [], []
    real_run = trainer.FoldRunner.run

    def run(self):
        stage.append(self.dir.name)
        return real_run(self)

    def killed_after_two_epochs(self, fold, epoch, *args):
        trained.append(stage[-1])
        if len(trained) == 2:
            raise KeyboardInterrupt("killed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(trainer.FoldRunner, "run", run)
        patch.setattr(progress.Progress, "epoch_done", killed_after_two_epochs)
        with pytest.raises(KeyboardInterrupt):
            methods.run(config, workdir)
        killed = {
            "trained": list(trained),
            "dirs": sorted(
                p.name for p in (workdir / "fold_00").iterdir() if p.is_dir()
            ),
        }
        assert not (workdir / "fold_00" / "fold_result.json").exists()
        stage.clear()
        trained.clear()
        patch.setattr(
            progress.Progress, "epoch_done", lambda self, *a: trained.append(stage[-1])
        )
        results = methods.run(config, workdir)
        resumed = {"ran": list(stage), "trained": list(trained)}
    _RUN.update(
        config=config, workdir=workdir, results=results, killed=killed, resumed=resumed
    )
    return _RUN


def test_killed_two_step_run_resumes_in_the_stage_it_stopped(two_step_run):
    assert two_step_run["killed"] == {
        "trained": ["four_class", "neutral_vs_anger"],
        "dirs": ["four_class", "neutral_vs_anger"],
    }
    # Resumed: every stage is scored again, only the untrained ones train.
    assert two_step_run["resumed"] == {
        "ran": STAGES,
        "trained": ["neutral_vs_happiness", "neutral_vs_sadness"],
    }


def test_two_step_run_stages_checkpoints_and_results(two_step_run, monkeypatch):
    config, workdir, results = (
        two_step_run[k] for k in ("config", "workdir", "results")
    )
    fold_dir = workdir / "fold_00"
    for name in STAGES:
        for kind in ("latest", "best"):
            assert any((fold_dir / name / "checkpoints" / kind).iterdir()), name
        assert (fold_dir / name / "test_predictions.csv").exists()

    on_disk = json.loads((workdir / "results.json").read_text())
    assert on_disk == json.loads(json.dumps(results))
    assert results["method"] == "two_step" and results["stages"] == STAGES
    assert results["class_names"] == FOUR
    fold = results["folds"][0]
    assert set(fold["stages"]) == set(STAGES)

    # Each binary stage trained and was validated and tested on neutral + X only.
    corpus = data_load.load_corpus(config.dataset)
    split_idx = {
        s: corpus.select(fold[f"{s}_speakers"]) for s in ("train", "val", "test")
    }
    first = fold["stages"]["four_class"]
    assert first["class_names"] == FOUR and first["model"] == "satt_cnn_lstm"
    assert first["num_utterances"] == {s: len(i) for s, i in split_idx.items()}
    for name, other, names in two_step.binary_stages(FOUR, "neutral"):
        record = fold["stages"][name]
        assert record["class_names"] == names and record["model"] == "satt_cnn"
        pair = [FOUR.index(other), NEUTRAL]
        assert record["num_utterances"] == {
            s: int(np.isin(corpus.labels[i], pair).sum()) for s, i in split_idx.items()
        }
        assert record["num_utterances"]["train"] < first["num_utterances"]["train"]
        assert len(record["test"]["utterance"]["confusion_matrix"]) == 2

    # The combined decision, from every model's posteriors on all test utterances.
    test_idx = split_idx["test"]
    saved = np.load(fold_dir / "stage_posteriors.npz")
    assert saved["test_file_names"].tolist() == corpus.file_names[test_idx].tolist()
    probs = {name: saved[f"test_{name}"] for name in STAGES}
    assert all(p.shape[0] == len(test_idx) for p in probs.values())
    # The hook scores as run() does: the first stage's own test record.
    cm = np.zeros((4, 4), int)
    np.add.at(cm, (corpus.labels[test_idx], probs["four_class"].argmax(-1)), 1)
    assert cm.tolist() == first["test"]["utterance"]["confusion_matrix"]
    decision = two_step.combine(
        probs["four_class"],
        {
            FOUR.index(other): probs[name][
                :, [names.index(other), names.index("neutral")]
            ]
            for name, other, names in two_step.binary_stages(FOUR, "neutral")
        },
        NEUTRAL,
    )
    cm = np.zeros((4, 4), int)
    np.add.at(cm, (corpus.labels[test_idx], decision.predictions), 1)
    test = fold["test"]["utterance"]
    assert test["confusion_matrix"] == cm.tolist()
    assert test["num_examples"] == fold["num_utterances"]["test"] == len(test_idx)
    second = probs["four_class"].argmax(-1) == NEUTRAL
    assert fold["second_step"]["test"] == {
        "utterances": int(second.sum()),
        "left_neutral": int((decision.predictions[second] != NEUTRAL).sum()),
    }
    assert second.any()  # the binary models were used
    assert set(fold["val"]["utterance"]) >= {"uar", "wa", "confusion_matrix"}
    rows = list(csv.DictReader((fold_dir / "test_predictions.csv").open()))
    assert [r["prediction"] for r in rows] == [FOUR[p] for p in decision.predictions]
    summary = results["summary"]["utterance"]
    assert summary["pooled"]["uar"] == pytest.approx(test["uar"])

    # Done: a third call trains and scores nothing.
    monkeypatch.setattr(trainer.FoldRunner, "run", lambda self: pytest.fail("redone"))
    again = methods.run(config, workdir)
    assert again["folds"] == results["folds"]


def test_classify_with_a_two_step_run(two_step_run):
    config, workdir = two_step_run["config"], two_step_run["workdir"]
    classifier = classify.Classifier(workdir)
    assert classifier.class_names == FOUR and classifier.folds == ["fold_00"]
    corpus = data_load.load_corpus(config.dataset)
    fold = two_step_run["results"]["folds"][0]
    test_idx = corpus.select(fold["test_speakers"])
    saved = np.load(workdir / "fold_00" / "stage_posteriors.npz")
    for row in (0, 1):
        audio = corpus.audio[test_idx[row]].astype(np.float32) / 32767.0
        binary = {
            FOUR.index(other): saved[f"test_{name}"][[row]][
                :, [names.index(other), names.index("neutral")]
            ]
            for name, other, names in two_step.binary_stages(FOUR, "neutral")
        }
        expected = two_step.combine(saved["test_four_class"][[row]], binary, NEUTRAL)
        np.testing.assert_allclose(
            classifier.posteriors(audio), expected.scores[0], atol=1e-4
        )


def test_two_step_timelines_score_each_window_by_the_rule(two_step_run):
    """Per window, the two-step scores are the recording rule on that window alone."""
    config, workdir = two_step_run["config"], two_step_run["workdir"]
    classifier = classify.Classifier(workdir)
    corpus = data_load.load_corpus(config.dataset)
    test_idx = corpus.select(two_step_run["results"]["folds"][0]["test_speakers"])
    audio = np.concatenate([corpus.audio[i] for i in test_idx[:2]])
    rows = classifier.timeline(audio)
    assert rows and all(r.speech for r in rows)
    for row in rows:
        start, stop = round(row.start_s * 16000), round(row.end_s * 16000)
        one = classifier.segments(audio[start:stop])
        assert len(one) == 1  # a window is one segment (at most the width)
        np.testing.assert_allclose(
            row.posteriors, classifier.scorer.posteriors(one), atol=1e-5
        )
        assert np.isclose(row.posteriors.sum(), 1, atol=1e-5)
