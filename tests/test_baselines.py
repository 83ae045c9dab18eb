"""Feature baselines on the tiny synthetic corpus: features, standardisation, a full run."""

import json

import numpy as np
import pytest
import sklearn.base
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GroupKFold

from configs import (
    anand_handbuilt_chunks,
    svm_compare,
    svm_egemaps,
    svm_handbuilt,
    svm_is09,
)
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
        (anand_handbuilt_chunks, "handbuilt"),
    ):
        config = module.get_config(
            "corpus=ravdess,protocol=losgo,standardization=per_speaker_transductive"
        )
        assert config.method == "baseline" and config.features == name
        assert config.standardization == "per_speaker_transductive"
        assert config.classifier == "svm_rbf" and "gamma_scale" in config.grid
        assert config.chunk_level == (module is anand_handbuilt_chunks)
        assert not any(config.cleaning.values())  # off unless asked for
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


# ----------------------------------------------------------------------------
# Anand & Verma's classifiers of 512 ms chunks.


def test_chunk_features_are_cached_per_chunk_in_corpus_order(
    corpus, data_dir, monkeypatch
):
    rows, utterance = features.load_or_compute_chunks(corpus, data_dir)
    counts = [max(1, len(a) // 8192) for a in corpus.audio]
    np.testing.assert_array_equal(utterance, np.repeat(np.arange(len(counts)), counts))
    assert rows.shape == (sum(counts), 26)
    for i in (0, len(counts) - 1):
        np.testing.assert_allclose(
            rows[utterance == i],
            features.handbuilt_chunk_features(corpus.audio[i], corpus.sample_rate),
            rtol=1e-5,
        )
    # The utterance set is these rows' statistics.
    np.testing.assert_allclose(
        features.handbuilt_features(corpus.audio[0], corpus.sample_rate)[:26],
        rows[utterance == 0].mean(0),
        rtol=1e-5,
    )

    def no_extraction(*a):
        raise AssertionError("recomputed")

    monkeypatch.setattr(features, "handbuilt_chunk_features", no_extraction)
    reordered = Corpus(
        **{
            **corpus.__dict__,
            **{
                k: getattr(corpus, k)[::-1]
                for k in ("audio", "labels", "speakers", "genders", "file_names")
            },
        }
    )
    again, again_utt = features.load_or_compute_chunks(reordered, data_dir)
    last = len(counts) - 1
    np.testing.assert_array_equal(again[again_utt == 0], rows[utterance == last])


def test_class_scores_are_posteriors_or_one_vs_rest_decisions():
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 2, 3], 10)  # class 1 absent from training
    x = rng.normal(size=(30, 3)) + labels[:, None]
    logreg = LogisticRegression().fit(x, labels)
    scores = classifiers.class_scores(logreg, x[:4], 4)
    np.testing.assert_allclose(scores[:, [0, 2, 3]], logreg.predict_proba(x[:4]))
    assert np.isneginf(scores[:, 1]).all()
    svc = SVC().fit(x, labels)
    np.testing.assert_allclose(
        classifiers.class_scores(svc, x[:4], 4)[:, [0, 2, 3]],
        svc.decision_function(x[:4]),
    )
    binary = SVC().fit(x[:20], labels[:20])
    two = classifiers.class_scores(binary, x[:4], 4)[:, [0, 2]]
    np.testing.assert_allclose(two[:, 1] - two[:, 0], binary.decision_function(x[:4]))


def chunk_config(data_dir, classifier="logreg", **overrides):
    config = on_tiny_fold(
        anand_handbuilt_chunks.get_config(
            f"corpus=synthetic/tiny,protocol=losgo,classifier={classifier}"
        ),
        data_dir,
    )
    config.inner_cv_folds = 3
    config.update(overrides)
    return config


def test_handbuilt_chunk_run_classifies_chunks_and_averages_them(
    data_dir, corpus, tmp_path
):
    """Every chunk is an example; an utterance's posterior is the mean of its
    chunks' posteriors from the model refitted on the training chunks alone."""
    config = chunk_config(data_dir, grid={"C": (0.1, 1.0)})
    results = baseline.train_and_evaluate(config, tmp_path)
    fold = results["folds"][0]
    rows, utterance = features.load_or_compute_chunks(corpus, data_dir)
    train_speakers = fold["train_speakers"] + fold["val_speakers"]
    train_rows = np.isin(corpus.speakers[utterance], train_speakers)
    test_idx = corpus.select(fold["test_speakers"])
    test_rows = np.isin(utterance, test_idx)
    assert fold["num_chunks"] == {
        "train": int(train_rows.sum()),
        "test": int(test_rows.sum()),
    }
    assert fold["test"]["segment"]["num_examples"] == test_rows.sum()
    assert fold["test"]["utterance"]["num_examples"] == len(test_idx)
    assert results["features"] == {
        "name": "handbuilt",
        "num_features": 26,
        "level": "chunk",
    }
    assert "per 512 ms chunk" in baseline.describe(results)

    codes = {s: i for i, s in enumerate(corpus.speaker_ids)}
    speaker_codes = np.asarray([codes[s] for s in corpus.speakers])[utterance]
    x = classifiers.with_speakers(speaker_codes, rows)
    model = classifiers.make_pipeline("logreg", "train_speakers")
    model.set_params(**fold["best_params"])
    model.fit(x[train_rows], corpus.labels[utterance][train_rows])
    chunk_probs = model.predict_proba(x[test_rows])
    expected = np.stack(
        [chunk_probs[utterance[test_rows] == i].mean(0) for i in test_idx]
    )
    csv = np.genfromtxt(
        tmp_path / "fold_00" / "test_predictions.csv", delimiter=",", skip_header=1
    )[:, 4:]
    np.testing.assert_allclose(csv, expected, atol=1e-4)
    assert results["summary"]["segment"]["pooled"]["num_examples"] == test_rows.sum()


def test_chunk_level_svm_and_two_and_three_layer_nets_run(data_dir, tmp_path):
    for classifier, grid in (
        ("svm_rbf", {"C": (1.0,), "gamma_scale": (1.0,)}),
        ("mlp", {"alpha": (0.1,), "hidden_layer_sizes": (16,)}),
        ("mlp_2hidden", {"alpha": (0.1,), "hidden_layer_sizes": ((16, 16),)}),
    ):
        config = chunk_config(data_dir, classifier, grid=grid)
        results = baseline.train_and_evaluate(config, tmp_path / classifier)
        test = results["folds"][0]["test"]
        assert set(test) == {"segment", "utterance"}
        assert test["utterance"]["uar"] > 1 / 7  # seven classes; above chance
        if classifier != "svm_rbf":  # 2-layer net: one hidden layer; 3-layer: two
            hidden = results["folds"][0]["best_params"]["clf__hidden_layer_sizes"]
            assert len(hidden) == {"mlp": 1, "mlp_2hidden": 2}[classifier]


def test_chunk_level_needs_the_handbuilt_features(data_dir, tmp_path):
    config = tiny_config(data_dir, chunk_level=True)
    with pytest.raises(ValueError, match="chunk_level needs features='handbuilt'"):
        baseline.train_and_evaluate(config, tmp_path)


def test_noisy_test_features_come_from_mixed_audio_and_leave_training_clean(
    data_dir, corpus
):
    config = tiny_config(data_dir)
    config.evaluation.noise = "white"
    fold = protocols.make_folds(
        corpus.speaker_ids, corpus.speaker_genders(), "losgo", num_groups=4, seed=0
    )[0]
    train_idx = corpus.select(fold.train_speakers)
    test_idx = corpus.select(fold.test_speakers)
    clean, _ = features.load_or_compute(corpus, "egemaps", data_dir)
    noisy, record = baseline.noisy_test_features(
        config, corpus, fold, train_idx, test_idx, clean, None
    )
    assert record["noise"] == "white" and record["snr_db"] == 0.0
    np.testing.assert_array_equal(noisy[train_idx], clean[train_idx])
    # Every test row is recomputed from noisy audio: none equals its clean row.
    assert not np.isclose(noisy[test_idx], clean[test_idx]).all(axis=1).any()
    # At 60 dB the noise is inaudible: the features barely move.
    config.evaluation.snr_db = 60.0
    quiet, _ = baseline.noisy_test_features(
        config, corpus, fold, train_idx, test_idx, clean, None
    )
    far = np.abs(noisy[test_idx] - clean[test_idx]).mean()
    near = np.abs(quiet[test_idx] - clean[test_idx]).mean()
    assert near < 0.2 * far
    # Babble of the test speakers is refused.
    config.evaluation.noise = "babble"
    with pytest.raises(ValueError, match="test speakers"):
        baseline.noisy_test_features(
            config, corpus, fold, test_idx, test_idx, clean, None
        )


def test_noisy_chunk_features_replace_only_the_test_chunks(data_dir, corpus):
    config = tiny_config(data_dir)
    config.evaluation.noise = "white"
    fold = protocols.make_folds(
        corpus.speaker_ids, corpus.speaker_genders(), "losgo", num_groups=4, seed=0
    )[0]
    train_idx = corpus.select(fold.train_speakers)
    test_idx = corpus.select(fold.test_speakers)
    clean, row_utterance = features.load_or_compute_chunks(corpus, data_dir)
    noisy, _ = baseline.noisy_test_features(
        config, corpus, fold, train_idx, test_idx, clean, row_utterance
    )
    test_rows = np.isin(row_utterance, test_idx)
    np.testing.assert_array_equal(noisy[~test_rows], clean[~test_rows])
    assert np.isfinite(noisy).all()
    assert not np.isclose(noisy[test_rows], clean[test_rows]).all(axis=1).any()


def test_noisy_baseline_run_trains_as_the_clean_one(data_dir, tmp_path):
    clean = baseline.train_and_evaluate(tiny_config(data_dir), tmp_path / "clean")
    config = tiny_config(data_dir)
    config.evaluation.noise = "pink"
    config.evaluation.snr_db = -5.0
    noisy = baseline.train_and_evaluate(config, tmp_path / "noisy")
    assert noisy["evaluation"] == {"noise": "pink", "kind": "generated", "snr_db": -5.0}
    (a,), (b,) = clean["folds"], noisy["folds"]
    assert b["evaluation"]["noise"] == "pink"
    # The same training: same hyper-parameters, same inner-CV scores.
    assert a["best_params"] == b["best_params"] and a["inner_cv"] == b["inner_cv"]
    assert a["test"] != b["test"]


def test_cleaning_is_recorded_and_shrinks_training_only(data_dir, tmp_path):
    config = chunk_config(data_dir, grid={"C": (1.0,)})
    config.cleaning.outlier_mads = 2.0
    config.cleaning.mislabelled_below = 0.2
    fold = baseline.train_and_evaluate(config, tmp_path)["folds"][0]
    plain = baseline.train_and_evaluate(
        chunk_config(data_dir, grid={"C": (1.0,)}), tmp_path / "plain"
    )["folds"][0]
    assert fold["cleaning"]["outliers_replaced"] > 0
    removed = fold["cleaning"]["mislabelled_removed"]
    assert removed > 0
    assert fold["num_chunks"]["train"] == plain["num_chunks"]["train"] - removed
    assert fold["num_chunks"]["test"] == plain["num_chunks"]["test"]
    assert "cleaning" not in plain


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
