"""Tests of the savee builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.surrey_savee import surrey_savee_dataset_builder as savee

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class SaveeTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = savee.Builder
    SPLITS = {"speaker_DC": 3, "speaker_JE": 2, "speaker_KL": 1}


def _flatten(src: Path, dst: Path):
    """The Kaggle-style re-packaging: ALL/DC_a01.wav."""
    dst.mkdir(parents=True)
    for wav in sorted(src.glob("*/*.wav")):
        shutil.copy(wav, dst / f"{wav.parent.name}_{wav.name}")


def test_official_layout_labels(tmp_path):
    builder = testing.build(savee.Builder, DUMMY, tmp_path / "data")
    assert builder.info.features["emotion"].names == [
        "anger",
        "disgust",
        "fear",
        "happiness",
        "neutral",
        "sadness",
        "surprise",
    ]
    examples = testing.examples_by(builder)
    assert set(examples) == {
        "DC/a01.wav",
        "DC/n30.wav",
        "DC/su15.wav",
        "JE/sa01.wav",
        "JE/d02.wav",
        "KL/h03.wav",
    }
    su = examples["DC/su15.wav"]
    assert su["emotion"] == "surprise"
    assert su["speaker"] == "DC" and su["sentence_number"] == 15
    assert {ex["gender"] for ex in examples.values()} == {"male"}
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert all(ex["num_samples"] == 3200 for ex in examples.values())


def test_flattened_copy(tmp_path):
    manual = tmp_path / "manual"
    _flatten(DUMMY / "AudioData", manual / "ALL")
    builder = testing.build(savee.Builder, manual, tmp_path / "data")
    assert set(builder.info.splits) == {"speaker_DC", "speaker_JE", "speaker_KL"}
    examples = testing.examples_by(builder)
    assert "DC_sa01.wav" not in examples and "JE_sa01.wav" in examples
    assert examples["JE_sa01.wav"]["emotion"] == "sadness"


def test_both_layouts_in_one_copy_are_not_counted_twice(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / "AudioData", manual / "AudioData")
    _flatten(DUMMY / "AudioData", manual / "ALL")
    assert savee.find_corpus_root(manual) == manual / "AudioData"
    builder = testing.build(savee.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 6


def test_official_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / "AudioData.zip")
    builder = testing.build(savee.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 6


def test_parse_file_name():
    assert savee.parse_file_name("n30.wav", speaker="JK") == {
        "emotion": "neutral",
        "speaker": "JK",
        "gender": "male",
        "sentence_number": 30,
    }
    assert savee.parse_file_name("KL_sa07.wav")["emotion"] == "sadness"
    with pytest.raises(ValueError, match="not a SAVEE file name"):
        savee.parse_file_name("x01.wav", speaker="DC")
    with pytest.raises(ValueError, match="sentences 01-15 for anger, not 16"):
        savee.parse_file_name("DC_a16.wav")


def test_unexpected_name_in_speaker_folder_fails(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(manual / "AudioData/DC/a01.wav", manual / "AudioData/DC/a01 (1).wav")
    with pytest.raises(ValueError, match=r"a01 \(1\).wav: not a SAVEE file name"):
        testing.build(savee.Builder, manual, tmp_path / "data")


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "AudioData" / "JE" / "d02.wav"
    bad.write_bytes(b"not audio" * 10)
    testing.assert_build_fails_naming(savee.Builder, manual, tmp_path / "data", bad)


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        savee.Builder, tmp_path, "AudioData.zip"
    )


def test_no_manual_dir(tmp_path):
    testing.assert_no_manual_dir_fails(savee.Builder, tmp_path, "pass --manual_dir")


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    (manual / "DC").mkdir(parents=True)
    np.save(manual / "DC" / "a01.npy", np.zeros(3))
    with pytest.raises(ManualDirError, match="No SAVEE audio"):
        testing.build(savee.Builder, manual, tmp_path / "data")


if __name__ == "__main__":
    tfds.testing.test_main()
