"""Tests of the urdu builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.urdu import urdu_dataset_builder as urdu

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class UrduTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = urdu.Builder
    # SM3 speaks in Happy/ and Neutral/: one speaker, one split.
    SPLITS = {
        "speaker_SF1": 1,
        "speaker_SF10": 1,
        "speaker_SM1": 1,
        "speaker_SM3": 2,
        "speaker_SM4": 1,
        "speaker_SM6": 1,
    }


def test_parse_file_name():
    assert urdu.parse_file_name("SM5_F62_N090.wav") == {
        "emotion": "neutral",
        "speaker": "SM5",
        "gender": "male",
        "clip_index": 90,
    }
    assert urdu.parse_file_name("SF10_F1_S01.wav")["gender"] == "female"
    assert urdu.parse_file_name("SM4_F48_A0100.wav")["clip_index"] == 100
    with pytest.raises(ValueError, match="not a URDU file name"):
        urdu.parse_file_name("SX5_F62_N090.wav")
    with pytest.raises(ValueError, match="unknown URDU emotion letter X"):
        urdu.parse_file_name("SM5_F62_X090.wav")


def test_labels_and_audio(tmp_path):
    builder = testing.build(urdu.Builder, DUMMY, tmp_path / "data")
    assert builder.info.features["emotion"].names == [
        "angry",
        "happy",
        "neutral",
        "sad",
    ]
    examples = testing.examples_by(builder, keep_audio=True)
    assert len(examples) == 7
    ex = examples["Sad/SF10_F1_S01.wav"]
    assert ex["emotion"] == "sad"
    assert ex["gender"] == "female"
    assert ex["speaker"] == "SF10" and ex["clip_index"] == 1
    for ex in examples.values():  # 0.2 s at 44.1 kHz.
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_per_speaker_sub_folders_as_the_readme_describes(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    sub = manual / "Neutral" / "SM3"
    sub.mkdir()
    (manual / "Neutral" / "SM3_F1_N021.wav").rename(sub / "SM3_F1_N021.wav")
    examples = testing.examples_by(
        testing.build(urdu.Builder, manual, tmp_path / "data")
    )
    assert "Neutral/SM3/SM3_F1_N021.wav" in examples
    assert len(examples) == 7


def test_from_github_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / urdu.ZIP_NAME, "URDU-Dataset-master/")
    builder = testing.build(urdu.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 7


def test_clip_in_the_wrong_emotion_folder_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(manual / "Sad" / "SF10_F1_S01.wav", manual / "Happy")
    with pytest.raises(ValueError, match="in the folder Happy"):
        testing.build(urdu.Builder, manual, tmp_path / "data")


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(urdu.Builder, tmp_path, "Angry/")


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        urdu.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        urdu.Builder, tmp_path, "No emotion folders"
    )


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "Angry" / "SM1_F1_A01.wav"
    bad.write_bytes(b"")
    testing.assert_build_fails_naming(urdu.Builder, manual, tmp_path / "data", bad)


if __name__ == "__main__":
    tfds.testing.test_main()
