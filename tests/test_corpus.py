"""`Corpus` (`ser_jax.data.corpus`): filtering and relabelling one corpus; several
corpora as one (`dataset.corpus="a+b"`): shared label maps, merging, loading,
and the corpus protocols run end to end (neural and feature baseline).

The end-to-end runs use two corpora carved out of synthetic/tiny: speakers 00-05
as "alpha" (EMO-DB's emotion names) and 06-07 as "beta" (RAVDESS-style names and
"bored"). The two synthetic builder configs (`synthetic`, `synthetic/tiny`) are
not two corpora: both generate the same eight voices from seed 0, so a
cross-corpus test between them would test on voices seen in training. alpha and
beta share the generator but no speaker.
"""

import dataclasses
import json

import ml_collections
import numpy as np
import pytest

from configs import cnn_lstm, svm_handbuilt
from data_builders.emodb import emodb_dataset_builder
from data_builders.ravdess import ravdess_dataset_builder
from data_builders.synthetic import synthetic_dataset_builder
from ser_jax import report, studies
from ser_jax.data import emotions
from ser_jax.data import load as data_load
from ser_jax.data.corpus import Corpus, combine, corpus_names, corpus_of, merge_corpora
from ser_jax.methods import baseline, neural

RAVDESS = list(ravdess_dataset_builder.EMOTIONS)
EMODB = list(emodb_dataset_builder.EMOTIONS)
SYNTHETIC = list(synthetic_dataset_builder.EMOTIONS)


def _corpus(name, class_names, labels, speakers, genders):
    return Corpus(
        name=name,
        audio=[np.full(1600, i, np.int16) for i in range(len(labels))],
        labels=np.asarray(labels, np.int32),
        speakers=np.asarray(speakers),
        genders=np.asarray(genders),
        file_names=np.asarray([f"{name}_{i}.wav" for i in range(len(labels))]),
        class_names=class_names,
        sample_rate=16000,
    )


def toy_a():
    return _corpus(
        "a",
        ["neutral", "calm", "happy", "sad"],
        [0, 1, 2, 3, 2],
        ["1", "1", "2", "3", "4"],
        ["male", "male", "female", "male", "female"],
    )


def toy_b():
    return _corpus(
        "b",
        ["sadness", "boredom", "happiness", "neutral"],
        [0, 1, 2, 3],
        ["1", "1", "2", "2"],
        ["female", "female", "male", "male"],
    )


# ----------------------------------------------------------------------------
# Label maps and merging.


def _two_speakers():
    return Corpus(
        name="toy",
        audio=[np.full(4, i, np.int16) for i in range(6)],
        labels=np.array([0, 1, 2, 0, 1, 2], np.int32),
        speakers=np.array(["a", "a", "a", "b", "b", "b"]),
        genders=np.array(["female"] * 3 + ["male"] * 3),
        file_names=np.array([f"f{i}" for i in range(6)]),
        class_names=["angry", "happy", "calm"],
        sample_rate=16000,
    )


def test_corpus_gender_filter_and_shared_label_map():
    male = _two_speakers().subset(_two_speakers().genders == "male")
    assert male.speaker_ids == ["b"] and [int(a[0]) for a in male.audio] == [3, 4, 5]
    mapped = _two_speakers().relabel({"happy": "happiness", "angry": "anger"})
    assert mapped.class_names == ["anger", "happiness"]  # sorted: key order is lost
    assert mapped.relabel(
        {"happiness": "happiness", "anger": "anger"}
    ).labels.tolist() == (mapped.labels.tolist())
    assert mapped.labels.tolist() == [0, 1, 0, 1]  # calm dropped
    assert mapped.file_names.tolist() == ["f0", "f1", "f3", "f4"]
    with pytest.raises(ValueError, match="not emotions"):
        _two_speakers().relabel({"sad": "sadness"})


def test_shared_label_map_ravdess_emodb():
    ravdess, emodb = emotions.shared_label_map(RAVDESS, EMODB)
    shared = ["neutral", "happiness", "sadness", "anger", "fear", "disgust"]
    assert ravdess == {
        "neutral": "neutral",
        "happy": "happiness",
        "sad": "sadness",
        "angry": "anger",
        "fearful": "fear",
        "disgust": "disgust",
    }
    assert list(ravdess.values()) == shared and list(emodb.values()) == shared
    assert emodb == {name: name for name in shared}
    # Three corpora: what all of them share.
    maps = emotions.shared_label_map(RAVDESS, EMODB, ["Happy", "Angry", "Other"])
    assert [list(m.values()) for m in maps] == [["happiness", "anger"]] * 3
    assert maps[2] == {"Happy": "happiness", "Angry": "anger"}
    assert emotions.canonical_emotion(" Fearful") == "fear"
    assert emotions.canonical_emotion("contempt") == "contempt"


def test_shared_label_map_errors():
    with pytest.raises(ValueError, match="fewer than 2"):
        emotions.shared_label_map(["calm", "neutral"], ["boredom", "neutral"])
    with pytest.raises(ValueError, match="'happy' and 'joy'"):
        emotions.shared_label_map(["happy", "joy", "sad"], EMODB)
    with pytest.raises(ValueError, match="2\\+ corpora"):
        emotions.shared_label_map(EMODB)


def test_corpus_names():
    assert corpus_names("ravdess") == ["ravdess"]
    assert corpus_names("ravdess + emodb+synthetic/tiny") == [
        "ravdess",
        "emodb",
        "synthetic/tiny",
    ]
    assert corpus_names("ravdess:1.0.0") == ["ravdess:1.0.0"]  # one: as ever
    with pytest.raises(ValueError, match="empty corpus name"):
        corpus_names("ravdess+")
    with pytest.raises(ValueError, match="twice"):
        corpus_names("emodb+emodb")
    with pytest.raises(ValueError, match="may not hold ':'"):
        corpus_names("ravdess:1.0.0+emodb")
    assert corpus_of("emodb:03") == "emodb"
    with pytest.raises(ValueError, match="prefix"):
        corpus_of("03")


def test_combine_drops_unshared_classes_and_aligns_labels_by_name():
    merged = combine([toy_a(), toy_b()])
    names = merged.class_names
    assert names == ["neutral", "happiness", "sadness"]  # a's order
    assert merged.name == "a+b"
    assert merged.label_maps == {
        "a": {"neutral": "neutral", "happy": "happiness", "sad": "sadness"},
        "b": {"neutral": "neutral", "happiness": "happiness", "sadness": "sadness"},
    }
    by_file = {
        f: names[label]
        for f, label in zip(merged.file_names, merged.labels, strict=True)
    }
    assert by_file == {
        "a:a_0.wav": "neutral",
        "a:a_2.wav": "happiness",
        "a:a_3.wav": "sadness",
        "a:a_4.wav": "happiness",
        "b:b_0.wav": "sadness",
        "b:b_2.wav": "happiness",
        "b:b_3.wav": "neutral",
    }  # calm and boredom dropped
    assert merged.speaker_ids == ["a:1", "a:2", "a:3", "a:4", "b:1", "b:2"]
    assert merged.speaker_genders()["b:1"] == "female"
    # Corpora in the order given (fold order of leave_one_corpus_out).
    assert list(combine([toy_b(), toy_a()]).speaker_corpora().items()) == [
        ("b:1", "b"),
        ("b:2", "b"),
        ("a:1", "a"),
        ("a:2", "a"),
        ("a:3", "a"),
        ("a:4", "a"),
    ]
    assert toy_a().speaker_corpora() == {s: "a" for s in ("1", "2", "3", "4")}


def test_merge_corpora_errors():
    a, b = toy_a(), toy_b()
    with pytest.raises(ValueError, match="not \\['neutral'"):
        merge_corpora([a, b], ["neutral", "happiness"])
    with pytest.raises(ValueError, match="share a name"):
        merge_corpora([a, a], a.class_names)
    other_rate = dataclasses.replace(
        b.relabel({"neutral": "neutral"}), sample_rate=8000
    )
    with pytest.raises(ValueError, match="sample rate"):
        merge_corpora([a.relabel({"neutral": "neutral"}), other_rate], ["neutral"])


# ----------------------------------------------------------------------------
# load_corpus with "a+b".


def dataset_config(corpus: str, **fields) -> ml_collections.ConfigDict:
    config = cnn_lstm.get_config(f"corpus={corpus}").dataset
    config.update(fields)
    return config


@pytest.fixture
def toy_corpora(monkeypatch):
    """`data_load.read_corpus` returns the toy corpora a and b by name."""
    read = []

    def read_corpus(config):
        read.append(config.to_dict())
        return {"a": toy_a, "b": toy_b}[config.corpus]()

    monkeypatch.setattr(data_load, "read_corpus", read_corpus)
    return read


def test_load_corpus_merges_several_then_filters_and_maps(toy_corpora):
    merged = data_load.load_corpus(dataset_config("a+b", data_dir="/x"))
    assert toy_corpora == [
        {"corpus": "a", "data_dir": "/x"},
        {"corpus": "b", "data_dir": "/x"},
    ]
    assert merged.name == "a+b" and merged.class_names == [
        "neutral",
        "happiness",
        "sadness",
    ]
    assert set(merged.label_maps) == {"a", "b"} and len(merged.labels) == 7

    # genders and label_map apply to the merged corpus (label_map: shared names).
    female = data_load.load_corpus(
        dataset_config(
            "a+b",
            genders=("female",),
            label_map={"happiness": "positive", "sadness": "negative"},
        )
    )
    assert female.speaker_ids == ["a:2", "a:4", "b:1"]
    assert female.class_names == ["negative", "positive"]
    assert sorted(female.file_names) == ["a:a_2.wav", "a:a_4.wav", "b:b_0.wav"]
    assert female.label_maps == merged.label_maps  # recorded for results.json

    # One corpus: exactly as before (no prefix, no label maps).
    single = data_load.load_corpus(dataset_config("a"))
    assert single.speaker_ids == ["1", "2", "3", "4"] and single.label_maps == {}
    assert single.class_names == ["neutral", "calm", "happy", "sad"]


def test_load_corpus_refuses_manual_dir_with_several_corpora(toy_corpora):
    with pytest.raises(ValueError, match="manual_dir builds one corpus"):
        data_load.load_corpus(dataset_config("a+b", manual_dir="/corpora/a"))
    assert toy_corpora == []  # refused before reading anything


def test_config_argument_names_several_corpora():
    config = cnn_lstm.get_config("corpus=ravdess+emodb,protocol=leave_one_corpus_out")
    assert config.dataset.corpus == "ravdess+emodb"
    assert config.protocol.name == "leave_one_corpus_out"
    assert config.protocol.test_corpus == ""
    assert svm_handbuilt.get_config("corpus=a+b").protocol.test_corpus == ""


# ----------------------------------------------------------------------------
# End to end on two corpora carved out of synthetic/tiny.

BETA_NAMES = {
    "anger": "angry",
    "boredom": "bored",
    "fear": "fearful",
    "happiness": "happy",
    "sadness": "sad",
}
_TINY = {}


@pytest.fixture
def alpha_beta(data_dir, monkeypatch):
    """`read_corpus` serves "alpha" (speakers 00-05) and "beta" (06-07, other
    emotion names) of synthetic/tiny, read from TFDS once per session."""
    if "corpus" not in _TINY:
        config = ml_collections.ConfigDict(
            {"corpus": "synthetic/tiny", "data_dir": data_dir}
        )
        _TINY["corpus"] = data_load.read_corpus(config)
    tiny = _TINY["corpus"]
    beta_rows = np.isin(tiny.speakers, ["06", "07"])
    alpha = dataclasses.replace(tiny.subset(~beta_rows), name="alpha")
    beta = dataclasses.replace(
        tiny.subset(beta_rows),
        name="beta",
        class_names=[BETA_NAMES.get(c, c) for c in tiny.class_names],
    )
    by_name = {"alpha": alpha, "beta": beta}
    monkeypatch.setattr(data_load, "read_corpus", lambda config: by_name[config.corpus])
    return by_name


def load(path) -> dict:
    return json.loads(path.read_text())


def test_leave_one_corpus_out_trains_a_fold_per_corpus(
    alpha_beta, data_dir, tiny_config, tmp_path
):
    config = tiny_config(data_dir, num_epochs=1, fold=-1)
    config.dataset.corpus = "alpha+beta"
    config.protocol.name = "leave_one_corpus_out"
    results = neural.train_and_evaluate(config, tmp_path)

    on_disk = load(tmp_path / "results.json")
    assert on_disk["summary"] == results["summary"]
    assert on_disk["corpus"] == "alpha+beta"
    assert on_disk["class_names"] == SYNTHETIC  # alpha's order, all 7 shared
    assert on_disk["corpora"]["names"] == ["alpha", "beta"]
    assert on_disk["corpora"]["shared_classes"] == SYNTHETIC
    assert on_disk["corpora"]["label_maps"]["beta"]["angry"] == "anger"
    assert on_disk["protocol"]["name"] == "leave_one_corpus_out"
    assert on_disk["protocol"]["num_folds"] == len(on_disk["folds"]) == 2
    speakers = {
        name: sorted(f"{name}:{s}" for s in set(c.speakers.tolist()))
        for name, c in alpha_beta.items()
    }
    for k, (test, train_corpus) in enumerate((("alpha", "beta"), ("beta", "alpha"))):
        fold = on_disk["folds"][k]
        assert fold["fold"] == k
        assert fold["test_speakers"] == speakers[test]
        trained = sorted(fold["val_speakers"] + fold["train_speakers"])
        assert trained == speakers[train_corpus]
        assert len(fold["val_speakers"]) == 1  # num_val_speakers of beta / alpha
        assert fold["test"]["utterance"]["num_examples"] == 14 * len(speakers[test])
    # Test labels are the test corpus's emotions under their shared names.
    rows = (tmp_path / "fold_01" / "test_predictions.csv").read_text().splitlines()
    beta = alpha_beta["beta"]
    beta_label = {
        f"beta:{f}": beta.class_names[k]
        for f, k in zip(beta.file_names, beta.labels, strict=True)
    }
    assert len(rows) == 1 + 28
    for line in rows[1:]:
        file_name, _, label, *_ = line.split(",")
        assert emotions.canonical_emotion(beta_label[file_name]) == label

    # The report names the corpora, shared classes and test corpus per fold.
    text = report.write_report([tmp_path], tmp_path / "report")
    assert "leave one corpus out, 2 corpora" in text
    assert "Corpora alpha, beta, shared classes anger, boredom" in text
    assert "| 1 | beta (2 speakers) |" in text


def test_gender_split_with_a_corpus_protocol_pools_both_sexes(
    alpha_beta, data_dir, tiny_config, tmp_path
):
    config = tiny_config(data_dir, num_epochs=1)
    config.dataset.corpus = "alpha+beta"
    config.protocol.name = "cross_corpus"
    config.protocol.test_corpus = "beta"
    study = studies.gender_split(config, tmp_path, report=False)
    for gender, test in (("female", ["beta:06"]), ("male", ["beta:07"])):
        fold = load(tmp_path / gender / "results.json")["folds"][0]
        assert fold["test_speakers"] == test
        assert len(fold["train_speakers"] + fold["val_speakers"]) == 3  # of alpha
    pooled = load(tmp_path / "pooled" / "results.json")
    assert pooled["corpora"]["names"] == ["alpha", "beta"]
    assert study["runs"][2]["folds_done"] == 2


def test_feature_baseline_cross_corpus(alpha_beta, data_dir, tmp_path):
    config = svm_handbuilt.get_config("corpus=alpha+beta,protocol=cross_corpus")
    config.dataset.data_dir = data_dir
    config.protocol.test_corpus = "beta"
    config.protocol.num_val_speakers = 1
    config.grid.C = (1.0, 10.0)
    config.grid.gamma_scale = (1.0,)
    config.inner_cv_folds = 3
    results = baseline.train_and_evaluate(config, tmp_path)

    on_disk = load(tmp_path / "results.json")
    assert on_disk["summary"] == results["summary"]
    assert on_disk["method"] == "baseline"
    assert on_disk["protocol"]["name"] == "cross_corpus"
    assert on_disk["protocol"]["num_folds"] == 1
    assert on_disk["corpora"]["label_maps"]["beta"]["bored"] == "boredom"
    (fold,) = on_disk["folds"]
    assert fold["test_speakers"] == ["beta:06", "beta:07"]
    # Validation speakers come from alpha and join its training speakers here.
    assert sorted(fold["train_speakers"] + fold["val_speakers"]) == [
        f"alpha:0{i}" for i in range(6)
    ]
    assert fold["val_speakers_in_training"] is True
    assert fold["num_utterances"] == {"train": 6 * 14, "test": 2 * 14}
    assert sum(map(sum, fold["test"]["utterance"]["confusion_matrix"])) == 28
    assert report.describe_protocol(on_disk) == "cross-corpus, test beta"

    config.protocol.test_corpus = "gamma"
    with pytest.raises(ValueError, match="test_corpus, one of \\['alpha', 'beta'\\]"):
        baseline.train_and_evaluate(config, tmp_path / "unknown")


def test_sessions_follow_subsets_and_merges():
    a = _corpus("a", ["x", "y"], [0, 1, 0, 1], ["1F", "1F", "2M", "2M"], ["f"] * 4)
    a.sessions = np.array(["1", "1", "2", "2"])
    assert a.speaker_sessions() == {"1F": "1", "2M": "2"}
    assert a.subset(a.speakers == "2M").sessions.tolist() == ["2", "2"]
    merged = merge_corpora([a, dataclasses.replace(a, name="b")], ["x", "y"])
    assert merged.speaker_sessions() == {
        "a:1F": "a:1",
        "a:2M": "a:2",
        "b:1F": "b:1",
        "b:2M": "b:2",
    }
    no_sessions = dataclasses.replace(a, name="c", sessions=None)
    assert merge_corpora([a, no_sessions], ["x", "y"]).sessions is None
    a.sessions = np.array(["1", "2", "2", "2"])
    with pytest.raises(ValueError, match="'1F' is in sessions '1' and '2'"):
        a.speaker_sessions()


def test_other_is_never_shared():
    maps = emotions.shared_label_map(
        ["angry", "happy", "sad", "other"], ["anger", "happiness", "other"]
    )
    assert maps == [
        {"angry": "anger", "happy": "happiness"},
        {"anger": "anger", "happiness": "happiness"},
    ]


def test_ratings_follow_subsets_and_merges():
    # IEMOCAP's and MSP-IMPROV's annotated ratings (Corpus.ratings) stay with
    # their utterances; a merged corpus has NaN for a corpus without them.
    a = _corpus("a", ["x", "y"], [0, 1, 0, 1], ["1F", "1F", "2M", "2M"], ["f"] * 4)
    a.ratings = {"activation": np.array([1.0, 2.0, 3.0, 4.0], np.float32)}
    kept = a.subset(a.speakers == "2M")
    assert kept.ratings["activation"].tolist() == [3.0, 4.0]
    assert a.relabel({"y": "y"}).ratings["activation"].tolist() == [2.0, 4.0]
    b = dataclasses.replace(a, name="b", ratings={})
    merged = merge_corpora([b, a], ["x", "y"])
    np.testing.assert_array_equal(
        merged.ratings["activation"], [np.nan] * 4 + [1.0, 2.0, 3.0, 4.0]
    )
    c = dataclasses.replace(b, name="c")
    assert merge_corpora([b, c], ["x", "y"]).ratings == {}
