"""Studies on the tiny synthetic corpus: repeats, snippet length, gender split,
cross-corpus (two corpora carved out of synthetic/tiny), shared label maps."""

import dataclasses
import json
import shutil
import sys
from pathlib import Path

import ml_collections
import numpy as np
import pytest

from ser_jax import input_pipeline, metrics, studies, train

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = ["anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral"]


_DONE = {}


@pytest.fixture
def repeats_study(data_dir, tiny_config, tmp_path_factory):
    """`repeats` with 2 seeds on the tiny config, run once for this module."""
    if "repeats" not in _DONE:
        config = tiny_config(data_dir, num_epochs=1)
        workdir = tmp_path_factory.mktemp("repeats")
        _DONE["repeats"] = (
            config,
            workdir,
            studies.repeats(config, workdir, num_repeats=2),
        )
    return _DONE["repeats"]


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def test_repeats_two_seeds_same_folds_mean_std(repeats_study, monkeypatch):
    config, workdir, study = repeats_study
    assert load(workdir / "study.json") == study
    runs = [load(workdir / f"seed_{s}" / "results.json") for s in (0, 1)]
    assert [r["config"]["seed"] for r in runs] == [0, 1]
    assert runs[0]["protocol"]["folds"] == runs[1]["protocol"]["folds"]
    history = [[h["train_loss"] for h in r["folds"][0]["history"]] for r in runs]
    assert history[0] != history[1]

    uars = [r["summary"]["utterance"]["pooled"]["uar"] for r in runs]
    was = [r["summary"]["utterance"]["pooled"]["wa"] for r in runs]
    assert [r["uar"] for r in study["runs"]] == uars
    assert study["summary"]["uar"] == pytest.approx(
        {"mean": np.mean(uars), "std": np.std(uars)}
    )
    assert study["summary"]["wa"] == pytest.approx(
        {"mean": np.mean(was), "std": np.std(was)}
    )
    report = (workdir / "report" / "report.md").read_text()
    (line,) = [x for x in report.splitlines() if x.startswith("| mean ± std over 2 ")]
    assert line.split("|")[3].strip().startswith(f"{100 * np.mean(uars):.1f} ± ")

    # Run again: every sub-run resumes as done, nothing is trained.
    monkeypatch.setattr(train.FoldRunner, "run", lambda self: pytest.fail("retrained"))
    assert studies.repeats(config, workdir, num_repeats=2, report=False) == study
    with pytest.raises(ValueError, match="holds a 'repeats' study"):
        studies.gender_split(config, workdir)


def _flag_overrides(config) -> list[str]:
    """`--config.x=...` flags turning configs/cnn_lstm.py into `config`."""
    from configs import cnn_lstm

    def flatten(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict) and v:
                yield from flatten(v, f"{prefix}{k}.")
            else:
                yield f"{prefix}{k}", v

    base = dict(flatten(cnn_lstm.get_config("corpus=synthetic/tiny").to_dict()))
    return [
        f"--config.{k}={v if isinstance(v, str) else repr(v)}"
        for k, v in flatten(config.to_dict())
        if base.get(k) != v
    ]


def test_command_line_resumes_a_finished_study(repeats_study, capsys, monkeypatch):
    """The flags of `python -m ser_jax.studies`, parsed in-process (no new process)."""
    from absl import flags

    config, workdir, study = repeats_study
    argv = [
        "studies",
        "--study=repeats",
        "--num_repeats=2",
        f"--workdir={workdir}",
        f"--config={REPO}/configs/cnn_lstm.py:corpus=synthetic/tiny,protocol=losgo",
        *_flag_overrides(config),
    ]
    monkeypatch.setattr(sys, "argv", argv)  # config_flags reads overrides there
    fv = flags.FlagValues()
    studies.define_flags(fv)
    fv(argv)
    assert fv.config.to_dict() == config.to_dict()
    assert studies.run_from_flags(fv) == study  # all done: resumed, not retrained
    uar = study["summary"]["uar"]
    printed = capsys.readouterr().out
    assert f"mean ± std over runs: UAR {uar['mean']:.1%} ± {uar['std']:.1%}" in printed
    assert "seed_1: pooled UAR" in printed


def test_snippet_length_clips_train_and_test(repeats_study, tmp_path):
    config, repeats_dir, _ = repeats_study
    # "full" is the config unchanged, i.e. repeats' seed 0: that finished run is
    # reused (resumed as done) instead of trained again.
    shutil.copytree(repeats_dir / "seed_0", tmp_path / "full")
    study = studies.snippet_length(config, tmp_path, lengths=(0.5, None))
    assert [r["name"] for r in study["runs"]] == ["first_0.5s", "full"]
    assert [r["snippet_seconds"] for r in study["uar_by_length"]] == [0.5, None]

    clipped = load(tmp_path / "first_0.5s" / "results.json")
    full = load(tmp_path / "full" / "results.json")
    assert clipped["config"]["segmentation"] == "clip"
    assert clipped["config"]["max_segment_seconds"] == 0.5
    assert full["config"] == json.loads(json.dumps(config.to_dict()))
    fold = clipped["folds"][0]
    # One segment (the first 0.5 s) per utterance, in training and test alike.
    assert fold["num_segments"] == fold["num_utterances"]
    assert full["folds"][0]["num_segments"]["test"] > fold["num_utterances"]["test"]
    for run, results in zip(study["runs"], (clipped, full), strict=True):
        assert run["uar"] == results["summary"]["utterance"]["pooled"]["uar"]
    report_dir = tmp_path / "report"
    assert (
        report_dir / f"{studies._slug(str(tmp_path))}_uar_vs_snippet_length.png"
    ).exists()


def test_gender_split_trains_one_model_per_sex_and_pools(
    data_dir, tiny_config, tmp_path
):
    config = tiny_config(data_dir, num_epochs=1)
    study = studies.gender_split(config, tmp_path)
    assert [r["name"] for r in study["runs"]] == ["female", "male", "pooled"]
    runs = {g: load(tmp_path / g / "results.json") for g in ("female", "male")}
    for gender, parity in (("female", 0), ("male", 1)):  # synthetic: even ids female
        results = runs[gender]
        assert results["config"]["dataset"]["genders"] == [gender]
        assert results["protocol"]["name"] == "losgo"
        speakers = {
            s
            for f in results["protocol"]["folds"]
            for s in f["test_speakers"] + f["val_speakers"] + f["train_speakers"]
        }
        assert len(speakers) == 4 and {int(s) % 2 for s in speakers} == {parity}

    pooled_cm = sum(
        np.asarray(r["summary"]["utterance"]["pooled"]["confusion_matrix"])
        for r in runs.values()
    )
    pooled = load(tmp_path / "pooled" / "results.json")
    assert pooled["summary"]["utterance"]["pooled"]["confusion_matrix"] == (
        pooled_cm.tolist()
    )
    expected = metrics.metrics_from_confusion(pooled_cm, SYNTHETIC)
    assert study["runs"][2]["uar"] == pytest.approx(expected["uar"])
    assert study["pooled"]["utterance"]["pooled"]["wa"] == pytest.approx(expected["wa"])
    assert "| female | 1/4 |" in (tmp_path / "report" / "report.md").read_text()


# ----------------------------------------------------------------------------
# Cross-corpus.

RAVDESS = [
    "neutral",
    "calm",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgust",
    "surprised",
]
EMODB = ["anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral"]


def test_shared_label_map_ravdess_emodb():
    ravdess, emodb = studies.shared_label_map(RAVDESS, EMODB)
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
    maps = studies.shared_label_map(RAVDESS, EMODB, ["Happy", "Angry", "Other"])
    assert [list(m.values()) for m in maps] == [["happiness", "anger"]] * 3
    assert maps[2] == {"Happy": "happiness", "Angry": "anger"}


def test_shared_label_map_errors():
    with pytest.raises(ValueError, match="fewer than 2"):
        studies.shared_label_map(["calm", "neutral"], ["boredom", "neutral"])
    with pytest.raises(ValueError, match="'happy' and 'joy'"):
        studies.shared_label_map(["happy", "joy", "sad"], EMODB)
    with pytest.raises(ValueError, match="2\\+ corpora"):
        studies.shared_label_map(EMODB)


def _corpus(name, class_names, labels, speakers, genders):
    return input_pipeline.Corpus(
        name=name,
        audio=[np.full(1600, i, np.int16) for i in range(len(labels))],
        labels=np.asarray(labels, np.int32),
        speakers=np.asarray(speakers),
        genders=np.asarray(genders),
        file_names=np.asarray([f"{name}_{i}.wav" for i in range(len(labels))]),
        class_names=class_names,
        sample_rate=16000,
    )


def test_merge_drops_unshared_classes_and_aligns_labels_by_name():
    a = _corpus(
        "a",
        ["neutral", "calm", "happy", "sad"],
        [0, 1, 2, 3, 2],
        ["1", "1", "2", "3", "4"],
        ["male", "male", "female", "male", "female"],
    )
    b = _corpus(
        "b",
        ["sadness", "boredom", "happiness", "neutral"],
        [0, 1, 2, 3],
        ["1", "1", "2", "2"],
        ["female", "female", "male", "male"],
    )
    maps = studies.shared_label_map(a.class_names, b.class_names)
    names = list(maps[0].values())
    assert names == ["neutral", "happiness", "sadness"]
    merged = studies.merge_corpora(
        [c.relabel(m) for c, m in zip((a, b), maps, strict=True)], names
    )
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
    assert set(merged.speakers) == {"a:1", "a:2", "a:3", "a:4", "b:1", "b:2"}

    fold = studies.cross_corpus_fold(merged, ["a"], "b", num_val_speakers=2, seed=0)
    assert fold.test_speakers == ("b:1", "b:2")
    assert len(fold.val_speakers) == 2
    assert {merged.speaker_genders()[s] for s in fold.val_speakers} == {
        "female",
        "male",
    }
    assert set(fold.val_speakers + fold.train_speakers) == {"a:1", "a:2", "a:3", "a:4"}


# synthetic/tiny's speakers 06 and 07 as a corpus "beta" that names emotions as
# RAVDESS does (and "bored"); speakers 00-05 as "alpha" (EMO-DB's names).
BETA_NAMES = {
    "anger": "angry",
    "boredom": "bored",
    "fear": "fearful",
    "happiness": "happy",
    "sadness": "sad",
}


def test_cross_corpus_trains_on_one_corpus_and_tests_on_another(
    data_dir, tiny_config, tmp_path, monkeypatch
):
    config = tiny_config(data_dir, num_epochs=1)
    real = input_pipeline.load_corpus(config.dataset)
    alpha = dataclasses.replace(
        real.subset(~np.isin(real.speakers, ["06", "07"])), name="alpha"
    )
    beta = real.subset(np.isin(real.speakers, ["06", "07"]))
    beta = dataclasses.replace(
        beta, name="beta", class_names=[BETA_NAMES.get(c, c) for c in beta.class_names]
    )
    monkeypatch.setattr(
        studies,
        "load_corpus",
        lambda dataset: {"alpha": alpha, "beta": beta}[dataset.corpus],
    )
    study = studies.cross_corpus(config, tmp_path, ["alpha"], "beta")

    results = load(tmp_path / "results.json")
    assert results["corpus"] == "alpha -> beta"
    assert results["class_names"] == SYNTHETIC  # alpha's order, all 7 shared
    assert results["cross_corpus"]["label_maps"]["beta"]["angry"] == "anger"
    fold = results["folds"][0]
    assert fold["test_speakers"] == ["beta:06", "beta:07"]
    assert all(
        s.startswith("alpha:") for s in fold["train_speakers"] + fold["val_speakers"]
    )
    assert len(fold["train_speakers"]) == 5 and len(fold["val_speakers"]) == 1
    assert fold["test"]["utterance"]["num_examples"] == len(beta.labels) == 28
    # Test labels are beta's emotions under their shared names.
    rows = (tmp_path / "fold_00" / "test_predictions.csv").read_text().splitlines()[1:]
    beta_label = {
        f"beta:{f}": BETA_NAMES.get(SYNTHETIC[k], SYNTHETIC[k])
        for f, k in zip(beta.file_names, beta.labels, strict=True)
    }
    for line in rows:
        file_name, _, label, *_ = line.split(",")
        assert studies.canonical_emotion(beta_label[file_name]) == label
    assert study["runs"][0]["uar"] == results["summary"]["utterance"]["pooled"]["uar"]
    assert (tmp_path / "report" / "report.md").exists()


def test_leave_one_corpus_out_runs_each_corpus_as_test(tmp_path, monkeypatch):
    calls = []

    def fake_cross_corpus(config, workdir, train_corpora, test_corpus, report):
        calls.append((Path(workdir).name, train_corpora, test_corpus))
        uar = {"a": 0.5, "b": 0.7, "c/x": 0.6}[test_corpus]
        return {
            "runs": [
                {
                    "name": "ignored",
                    "workdir": ".",
                    "test_corpus": test_corpus,
                    "folds_done": 1,
                    "num_folds": 1,
                    "uar": uar,
                    "wa": uar,
                    "macro_f1": uar,
                }
            ]
        }

    monkeypatch.setattr(studies, "cross_corpus", fake_cross_corpus)
    study = studies.leave_one_corpus_out(
        ml_collections.ConfigDict({"seed": 0}),
        tmp_path,
        ["a", "b", "c/x"],
        report=False,
    )
    assert calls == [
        ("test_a", ["b", "c/x"], "a"),
        ("test_b", ["a", "c/x"], "b"),
        ("test_c_x", ["a", "b"], "c/x"),
    ]
    assert [r["name"] for r in study["runs"]] == ["test_a", "test_b", "test_c_x"]
    assert study["summary"]["uar"]["mean"] == pytest.approx(0.6)
