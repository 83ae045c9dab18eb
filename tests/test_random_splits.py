"""The papers' speaker-dependent random splits (`random_utterances`,
`random_chunks`): proportions, speaker dependence, the leakage check that
knows them, results.json's flag, the report's separate table and the
split-inflation study."""

import csv
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from configs import common, svm_is09
from ser_jax import studies
from ser_jax.data import protocols
from ser_jax.data.corpus import Corpus
from ser_jax.data.load import load_corpus
from ser_jax.methods import neural
from ser_jax.methods.fold_data import fold_utterances, split_segments

REPO = Path(__file__).resolve().parents[1]
NUM_SPEAKERS, PER_CLASS, CLASSES = 12, 10, ["anger", "happiness", "neutral", "sad"]


def corpus(lengths=(1600,)) -> Corpus:
    """12 speakers (even female, odd male) × 4 emotions × 10 utterances; the
    utterances cycle through `lengths` samples."""
    n = NUM_SPEAKERS * len(CLASSES) * PER_CLASS
    speakers = np.repeat([f"{s:02d}" for s in range(NUM_SPEAKERS)], n // NUM_SPEAKERS)
    return Corpus(
        name="fake",
        audio=[np.ones(lengths[i % len(lengths)], np.int16) for i in range(n)],
        labels=np.tile(np.repeat(np.arange(4), PER_CLASS), NUM_SPEAKERS).astype(
            np.int32
        ),
        speakers=speakers,
        genders=np.asarray(["male" if int(s) % 2 else "female" for s in speakers]),
        file_names=np.asarray([f"u{i:04d}.wav" for i in range(n)]),
        class_names=CLASSES,
        sample_rate=16000,
    )


def random_fold(c: Corpus, protocol: str, fractions=()) -> protocols.Fold:
    (fold,) = protocols.make_folds(
        c.speaker_ids, c.speaker_genders(), protocol, split_fractions=fractions
    )
    return fold


def test_random_utterances_is_8_1_1_per_sex_and_emotion_and_speaker_dependent():
    c = corpus()
    fold = random_fold(c, "random_utterances")
    assert not fold.speaker_independent
    assert fold.to_dict()["split_fractions"] == [0.8, 0.1, 0.1]
    split = fold_utterances(c, fold, seed=0)
    every = np.concatenate(list(split.values()))
    assert sorted(every.tolist()) == list(range(len(c.labels)))  # a partition
    for gender in ("female", "male"):
        for label in range(len(CLASSES)):
            stratum = (c.genders == gender) & (c.labels == label)  # 60 utterances
            counts = [int(stratum[split[s]].sum()) for s in ("train", "val", "test")]
            assert counts == [48, 6, 6]
    # Speaker dependent: most test speakers also speak in training.
    test_speakers = set(c.speakers[split["test"]])
    assert len(test_speakers) > NUM_SPEAKERS // 2
    assert test_speakers <= set(c.speakers[split["train"]])
    # Seeded: the same seed draws the same split, another seed another.
    again = fold_utterances(c, fold, seed=0)
    assert all((again[s] == split[s]).all() for s in split)
    assert (fold_utterances(c, fold, seed=1)["test"] != split["test"]).any()


def test_random_chunks_splits_segments_60_20_20_across_utterances():
    # 0.5 s chunks of 1.0, 1.5 and 2.0 s utterances: 2, 3 or 4 chunks each.
    c = corpus(lengths=(16000, 24000, 32000))
    fold = random_fold(c, "random_chunks")
    cut = split_segments(c, fold, seed=0, max_samples=8000, mode="chunks")
    sizes = {s: len(seg) for s, (_, seg, _) in cut.items()}
    total = sum(sizes.values())
    assert total == 480 * 3  # 2 + 3 + 4 chunks per 3 utterances
    assert abs(sizes["test"] / total - 0.2) < 0.01
    assert abs(sizes["val"] / total - 0.2) < 0.01
    keys = {s: set(k) for s, (_, _, k) in cut.items()}
    assert not keys["test"] & (keys["train"] | keys["val"])
    # Each split's segments point at its own utterances, with their labels.
    for idx, seg, _ in cut.values():
        assert (c.labels[idx][seg.utterance] == seg.labels).all()
    # One utterance's chunks are in training and in test: chunk dependent too.
    owners = {s: set(idx[seg.utterance].tolist()) for s, (idx, seg, _) in cut.items()}
    assert owners["test"] & owners["train"]
    assert set(c.speakers[list(owners["test"])]) <= set(
        c.speakers[list(owners["train"])]
    )
    with pytest.raises(ValueError, match="random_utterances instead"):
        fold_utterances(c, fold, seed=0)


def test_split_fractions_are_checked_and_only_for_random_splits():
    c = corpus()
    fold = random_fold(c, "random_utterances", (0.5, 0.25, 0.25))
    split = fold_utterances(c, fold, seed=0)
    assert [len(split[s]) for s in ("train", "val", "test")] == [240, 120, 120]
    with pytest.raises(ValueError, match="summing to 1"):
        random_fold(c, "random_utterances", (0.8, 0.1, 0.2))
    with pytest.raises(ValueError, match="for the random splits"):
        protocols.make_folds(c.speaker_ids, {}, "loso", split_fractions=(0.8, 0.1, 0.1))


def test_leakage_check_knows_the_random_splits_and_only_them():
    c = corpus()
    fold = random_fold(c, "random_utterances")
    # Shared speakers are the design: no error; shared utterances are.
    protocols.check_no_leakage(
        fold,
        train_speakers=c.speaker_ids,
        items={"train": ["a.wav", "b.wav"], "val": ["c.wav"], "test": ["d.wav"]},
    )
    with pytest.raises(protocols.SplitLeakageError, match="validation|val data"):
        protocols.check_no_leakage(fold, items={"val": ["d.wav"], "test": ["d.wav"]})
    # A fold that only claims to be a random split is not exempt.
    bogus = protocols.Fold(0, ("01",), (), ("01",), random_split="kfold")
    with pytest.raises(ValueError, match="not one of the speaker-dependent"):
        protocols.check_no_leakage(bogus)
    # Speaker-independent folds keep the speaker check, items or not.
    loso = protocols.make_folds(c.speaker_ids, c.speaker_genders(), "loso")[0]
    with pytest.raises(protocols.SpeakerLeakageError):
        protocols.check_no_leakage(
            loso, train_speakers=loso.test_speakers, items={"test": [], "train": []}
        )
    assert protocols.is_speaker_independent("losgo")
    assert not protocols.is_speaker_independent("random_chunks")


def test_config_argument_selects_a_random_split():
    config = svm_is09.get_config("corpus=ravdess,protocol=random_utterances")
    assert config.protocol.name == "random_utterances"
    assert config.protocol.split_fractions == ()  # off: the paper's 8:1:1
    assert "split_fractions" in common.protocol("loso")


def test_neural_random_chunks_run_is_flagged_speaker_dependent(
    data_dir, tiny_config, tmp_path
):
    config = tiny_config(data_dir, num_epochs=1)
    config.protocol.name = "random_chunks"
    config.fold = -1
    results = neural.train_and_evaluate(config, tmp_path)
    assert results["speaker_independent"] is False
    assert (
        json.loads((tmp_path / "results.json").read_text())["speaker_independent"]
        is False
    )
    (fold,) = results["folds"]
    assert fold["random_split"] == "random_chunks"
    segments = fold["num_segments"]
    total = sum(segments.values())
    assert abs(segments["test"] / total - 0.2) < 0.05
    # Utterances cut into several segments: more utterances than a 60/20/20
    # split of utterances would give each split.
    assert sum(fold["num_utterances"].values()) > 112


def _flags(argv):
    from absl import flags

    fv = flags.FlagValues()
    studies.define_flags(fv)
    fv(argv)
    return fv


def test_split_inflation_study_from_one_command(
    data_dir, tmp_path, monkeypatch, capsys
):
    workdir = tmp_path / "inflation"
    argv = [
        "studies",
        "--study=split_inflation",
        "--random_split=random_utterances",
        "--num_draws=2",
        f"--workdir={workdir}",
        f"--config={REPO}/configs/svm_is09.py:corpus=synthetic/tiny,protocol=losgo",
        f"--config.dataset.data_dir={data_dir}",
        "--config.protocol.num_groups=2",
        "--config.grid.C=(1.0,)",
        "--config.grid.gamma_scale=(1.0,)",
        "--config.inner_cv_folds=2",
    ]
    monkeypatch.setattr(sys, "argv", argv)  # config_flags reads overrides there
    study = studies.run_from_flags(_flags(argv))
    names = [
        "speaker_independent",
        "random_utterances_seed_0",
        "random_utterances_seed_1",
    ]
    assert [r["name"] for r in study["runs"]] == names
    runs = [json.loads((workdir / n / "results.json").read_text()) for n in names]
    assert [r["speaker_independent"] for r in runs] == [True, False, False]
    assert [r["protocol"]["seed"] for r in runs[1:]] == [0, 1]
    test_files = [
        {
            row.split(",")[0]
            for row in (workdir / n / "fold_00" / "test_predictions.csv")
            .read_text()
            .splitlines()[1:]
        }
        for n in names[1:]
    ]
    assert test_files[0] != test_files[1]  # two different random draws
    pooled = [r["summary"]["utterance"]["pooled"] for r in runs]
    for m in ("uar", "wa", "macro_f1"):
        gains = [p[m] - pooled[0][m] for p in pooled[1:]]
        assert study["inflation"][m]["per_draw"] == pytest.approx(gains)
        assert study["inflation"][m]["mean"] == pytest.approx(np.mean(gains))
    printed = capsys.readouterr().out
    assert "inflation of random_utterances (speaker DEPENDENT)" in printed

    # The report: the random splits' rows in their own table, under a warning.
    text = (workdir / "report" / "report.md").read_text()
    first_table, rest = text.split("## Speaker-dependent runs (random splits)", 1)
    dependent_table = rest.split("\n## ", 1)[0]
    assert f"{workdir}/speaker_independent |" in first_table
    assert "random_utterances" not in first_table
    assert "**Warning:**" in dependent_table
    for name in names[1:]:
        assert f"{workdir}/{name} |" in dependent_table
    assert "mean ± std over 2 draws" in text

    # Pooling across the two kinds is refused.
    with pytest.raises(ValueError, match="cannot be pooled"):
        studies.pool_runs(runs[:2], names[:2])


def test_sundharam_setup_is_gender_split_under_random_utterances(data_dir, tmp_path):
    """Sundharam & Johari: one model per sex, each on its sex's files split
    8:1:1 at random; `gender_split` with `protocol=random_utterances`."""
    config = svm_is09.get_config("corpus=synthetic/tiny,protocol=random_utterances")
    config.dataset.data_dir = data_dir
    config.grid.C = (1.0,)
    config.grid.gamma_scale = (1.0,)
    config.inner_cv_folds = 2
    studies.gender_split(config, tmp_path)
    c = load_corpus(config.dataset)
    gender_of = dict(zip(c.file_names, c.genders, strict=True))
    for gender in ("female", "male"):
        results = json.loads((tmp_path / gender / "results.json").read_text())
        assert results["speaker_independent"] is False
        with (tmp_path / gender / "fold_00" / "test_predictions.csv").open() as f:
            rows = list(csv.DictReader(f))
        assert {gender_of[r["file_name"]] for r in rows} == {gender}
        # 8 files per emotion and sex on synthetic/tiny: 1 tests, 1 validates
        # (the baseline trains on training and validation files).
        labels = [r["label"] for r in rows]
        assert sorted(labels) == sorted(c.class_names)
        (fold,) = results["folds"]
        assert fold["num_utterances"] == {"train": 49, "test": 7}
    pooled = json.loads((tmp_path / "pooled" / "results.json").read_text())
    assert pooled["speaker_independent"] is False
    text = (tmp_path / "report" / "report.md").read_text()
    assert "## Speaker-dependent runs (random splits)" in text


def test_split_inflation_refuses_what_it_cannot_compare(tmp_path):
    config = svm_is09.get_config("corpus=synthetic/tiny,protocol=losgo")
    with pytest.raises(ValueError, match="random_split must be one of"):
        studies.split_inflation(config, tmp_path / "a", random_split="losgo")
    with pytest.raises(ValueError, match="num_draws must be at least 1"):
        studies.split_inflation(config, tmp_path / "b", num_draws=0)
    dependent = svm_is09.get_config("corpus=synthetic/tiny,protocol=random_chunks")
    with pytest.raises(ValueError, match="protocol is 'random_chunks'"):
        studies.split_inflation(dependent, tmp_path / "c")
    assert not list(tmp_path.iterdir())  # refused before anything was written
