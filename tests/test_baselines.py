"""Feature baselines on the tiny synthetic corpus: features, standardisation, a full run."""

import json

import numpy as np
import pytest
import sklearn.base
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GroupKFold

from configs import svm_compare, svm_egemaps, svm_handbuilt, svm_is09
from ser_jax.baselines import classifiers, features
from ser_jax.data import load as data_load
from ser_jax.data import protocols
from ser_jax.data.corpus import Corpus
from ser_jax.data.segments import fixed_chunks
from ser_jax.methods import baseline

from tiny_fold import on_tiny_fold

EXPECTED_DIMS = {"egemaps": 88, "compare": 6373, "is09": 384, "handbuilt": 104}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("tfds"))


@pytest.fixture(scope="module")
def corpus(data_dir):
    config = svm_egemaps.get_config("corpus=synthetic/tiny").dataset
    config.data_dir = data_dir
    return data_load.load_corpus(config)


def tiny_config(data_dir, **overrides):
    config = on_tiny_fold(
        svm_egemaps.get_config("corpus=synthetic/tiny,protocol=losgo"), data_dir
    )
    config.grid.C = (1.0, 10.0)
    config.grid.gamma_scale = (1.0,)
    config.inner_cv_folds = 3
    config.update(overrides)
    return config


@pytest.mark.parametrize("name", features.FEATURE_SETS)
def test_feature_sets_are_finite_with_their_documented_size(corpus, name):
    out = features.compute(name, corpus.audio[:2], corpus.sample_rate)
    assert out.shape == (2, EXPECTED_DIMS[name])
    assert out.dtype == np.float32 and np.isfinite(out).all()
    assert len(features.feature_names(name)) == EXPECTED_DIMS[name]
    assert not np.allclose(out[0], out[1])  # two different clips


def test_handbuilt_has_26_features_per_512ms_chunk(corpus):
    clip = corpus.audio[0]
    chunks = features.handbuilt_chunk_features(clip, corpus.sample_rate)
    assert chunks.shape == (max(1, len(clip) // 8192), 26)
    assert features.fixed_chunks(len(clip), 8192) == fixed_chunks(len(clip), 8192)
    # Synthetic speech is voiced: a pitch in the search range.
    pitch = chunks[:, features.CHUNK_FEATURES.index("pitch")]
    assert ((pitch >= 65) & (pitch <= 500)).any()


def test_features_are_cached_and_recomputed_when_the_corpus_changes(
    corpus, data_dir, monkeypatch
):
    first, names = features.load_or_compute(corpus, "is09", data_dir)
    assert features.cache_path(corpus.name, "is09", data_dir).exists()
    assert first.shape == (len(corpus.labels), 384) and len(names) == 384

    calls = []
    real = features.compute
    monkeypatch.setattr(features, "compute", lambda *a: calls.append(1) or real(*a))
    again, _ = features.load_or_compute(corpus, "is09", data_dir)
    np.testing.assert_array_equal(again, first)
    assert not calls  # read from the cache

    reordered = Corpus(
        **{
            **corpus.__dict__,
            "audio": corpus.audio[::-1],
            "labels": corpus.labels[::-1],
            "speakers": corpus.speakers[::-1],
            "genders": corpus.genders[::-1],
            "file_names": corpus.file_names[::-1],
        }
    )
    np.testing.assert_array_equal(
        features.load_or_compute(reordered, "is09", data_dir)[0], first[::-1]
    )
    assert not calls  # keyed by file name, not position

    changed = Corpus(**{**corpus.__dict__, "audio": [a // 2 for a in corpus.audio]})
    features.load_or_compute(changed, "is09", data_dir)
    assert calls == [1]


def test_train_speakers_standardisation_never_uses_test_speaker_statistics():
    rng = np.random.default_rng(0)
    train = classifiers.with_speakers(
        np.repeat([0, 1], 20), rng.normal(3.0, 2.0, (40, 5))
    )
    test = classifiers.with_speakers(np.full(10, 2), rng.normal(-5.0, 9.0, (10, 5)))
    step = classifiers.SpeakerStandardizer("train_speakers").fit(train)
    features_ = train[:, 1:]
    expected = (test[:, 1:] - features_.mean(0)) / features_.std(0)
    np.testing.assert_allclose(step.transform(test), expected)
    # A test row's output does not depend on the other rows of its speaker.
    np.testing.assert_allclose(step.transform(test[:1]), expected[:1])
    shifted = test.copy()
    shifted[1:, 1:] += 100.0
    np.testing.assert_allclose(step.transform(shifted)[0], expected[0])
    # So the test speaker is not standardised to zero mean.
    assert np.abs(step.transform(test).mean(0)).min() > 1.0


def test_transductive_standardisation_zero_mean_unit_std_per_speaker():
    rng = np.random.default_rng(1)
    speakers = np.repeat([0, 1, 2], 15)
    x = classifiers.with_speakers(
        speakers, rng.normal(0, 1, (45, 4)) * [1, 2, 3, 4] + speakers[:, None] * 10
    )
    step = classifiers.SpeakerStandardizer("per_speaker_transductive")
    out = step.fit(x[:30]).transform(x)
    for s in range(3):
        np.testing.assert_allclose(out[speakers == s].mean(0), 0, atol=1e-9)
        np.testing.assert_allclose(out[speakers == s].std(0), 1, atol=1e-9)
    np.testing.assert_array_equal(
        classifiers.SpeakerStandardizer("none").fit(x).transform(x), x[:, 1:]
    )
    with pytest.raises(ValueError, match="standardization"):
        classifiers.SpeakerStandardizer("global").fit(x)


@pytest.mark.parametrize("name", classifiers.CLASSIFIERS)
def test_every_classifier_grid_searches_over_speakers(name):
    rng = np.random.default_rng(2)
    speakers = np.repeat(np.arange(4), 12)
    labels = np.tile(np.arange(3), 16)
    x = rng.normal(0, 1, (48, 6)) + labels[:, None]
    search = classifiers.make_search(
        name,
        "train_speakers",
        classifiers.DEFAULT_GRIDS[name],
        num_features=6,
        num_groups=4,
        inner_folds=2,
    )
    search.fit(classifiers.with_speakers(speakers, x), labels, groups=speakers)
    # The score is the mean UAR over the inner folds' held-out speakers: recompute
    # it for the chosen parameters with GroupKFold and balanced accuracy.
    best = search.best_estimator_
    scores = []
    for train, test in GroupKFold(n_splits=2).split(x, labels, speakers):
        model = sklearn.base.clone(best).fit(
            classifiers.with_speakers(speakers[train], x[train]), labels[train]
        )
        predicted = model.predict(classifiers.with_speakers(speakers[test], x[test]))
        scores.append(balanced_accuracy_score(labels[test], predicted))
    assert search.best_score_ == pytest.approx(np.mean(scores), abs=1e-9)
    assert search.best_score_ > 0.6  # the classes are separable here
    with pytest.raises(ValueError, match="grid keys"):
        classifiers.make_search(
            name, "none", {"nope": (1,)}, num_features=6, num_groups=4
        )


def test_configs_name_method_features_and_standardisation():
    for module, name in (
        (svm_egemaps, "egemaps"),
        (svm_compare, "compare"),
        (svm_is09, "is09"),
        (svm_handbuilt, "handbuilt"),
    ):
        config = module.get_config(
            "corpus=ravdess,protocol=losgo,standardization=per_speaker_transductive"
        )
        assert config.method == "baseline" and config.features == name
        assert config.standardization == "per_speaker_transductive"
        assert config.classifier == "svm_rbf" and "gamma_scale" in config.grid
    assert set(svm_is09.get_config("classifier=logreg").grid) == {"C"}
    with pytest.raises(ValueError, match="standardization"):
        svm_is09.get_config("standardization=global")


def test_egemaps_svm_run_writes_the_neural_results_schema(data_dir, corpus, tmp_path):
    config = tiny_config(data_dir)
    results = baseline.train_and_evaluate(config, tmp_path)
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert set(on_disk) >= {
        "corpus",
        "class_names",
        "config",
        "protocol",
        "devices",
        "folds",
        "summary",
    }
    assert on_disk["standardization"] == "train_speakers"
    assert on_disk["protocol"]["name"] == "losgo"
    assert on_disk["protocol"]["num_folds"] == 4

    # The neural models' folds.
    corpus_speakers = corpus.speaker_ids
    assert len(corpus_speakers) == 8
    plan = on_disk["protocol"]["folds"]
    assert sorted(s for f in plan for s in f["test_speakers"]) == corpus_speakers
    expected = protocols.make_folds(
        corpus_speakers,
        corpus.speaker_genders(),
        "losgo",
        num_groups=4,
        num_val_speakers=1,
        seed=0,
    )
    assert plan == json.loads(json.dumps([f.to_dict() for f in expected]))

    fold = on_disk["folds"][0]
    assert set(fold["test_speakers"]).isdisjoint(
        fold["train_speakers"] + fold["val_speakers"]
    )
    # Validation speakers are trained on: 14 utterances per speaker.
    n_train = 14 * (len(fold["train_speakers"]) + len(fold["val_speakers"]))
    assert fold["num_utterances"] == {"train": n_train, "test": 14 * 2}
    test = fold["test"]["utterance"]
    assert set(test) >= {
        "wa",
        "uar",
        "macro_f1",
        "per_class_recall",
        "confusion_matrix",
    }
    assert sum(map(sum, test["confusion_matrix"])) == test["num_examples"] == 28
    assert set(fold["best_params"]) == {"clf__C", "clf__gamma"}
    assert fold["inner_cv"]["splits"] == 3
    assert 1 / 7 < test["uar"] <= 1.0  # seven classes; well above chance here
    summary = on_disk["summary"]["utterance"]
    assert summary["pooled"]["uar"] == pytest.approx(test["uar"])
    assert "segment" not in on_disk["summary"]
    assert (tmp_path / "confusion_matrix.png").stat().st_size > 1000
    assert (tmp_path / "fold_00" / "test_predictions.csv").read_text().count(
        "\n"
    ) == 1 + 28
    assert results["summary"] == on_disk["summary"]

    # Resuming: a finished fold is not redone; another config is an error.
    again = baseline.train_and_evaluate(config, tmp_path)
    assert again["folds"] == results["folds"]
    with pytest.raises(ValueError, match="another config"):
        baseline.train_and_evaluate(
            tiny_config(data_dir, standardization="none"), tmp_path
        )


def test_rbf_svc_matches_libsvm():
    from sklearn.svm import SVC

    rng = np.random.default_rng(3)
    x, y = rng.normal(0, 1, (60, 8)), np.repeat(np.arange(3), 20)
    x += y[:, None] * 0.5
    test = rng.normal(0, 1, (20, 8))
    ours = classifiers.RBFSVC(C=3.0, gamma=0.1).fit(x, y)
    ref = SVC(kernel="rbf", C=3.0, gamma=0.1, class_weight="balanced").fit(x, y)
    np.testing.assert_array_equal(ours.predict(test), ref.predict(test))
    np.testing.assert_allclose(
        ours.decision_function(test), ref.decision_function(test), atol=1e-5
    )
