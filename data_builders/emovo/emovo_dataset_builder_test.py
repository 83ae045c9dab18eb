"""Tests of the emovo builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.emovo import emovo_dataset_builder as emovo

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class EmovoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = emovo.Builder
    SPLITS = {
        "speaker_f1": 2,
        "speaker_f2": 1,
        "speaker_m1": 1,
        "speaker_m2": 1,
        "speaker_m3": 2,
    }


def test_parse_file_name():
    assert emovo.parse_file_name("gio-m2-d1.wav") == {
        "emotion": "gioia",
        "speaker": "m2",
        "gender": "male",
        "sentence": "d1",
    }
    assert emovo.parse_file_name("PAU-F3-N5.wav")["emotion"] == "paura"
    with pytest.raises(ValueError, match="not an EMOVO file name"):
        emovo.parse_file_name("gio_m2_d1.wav")
    with pytest.raises(ValueError, match="unknown EMOVO emotion code ans"):
        emovo.parse_file_name("ans-m2-d1.wav")
    with pytest.raises(ValueError, match="unknown EMOVO speaker m4"):
        emovo.parse_file_name("gio-m4-d1.wav")
    with pytest.raises(ValueError, match="unknown EMOVO sentence code d3"):
        emovo.parse_file_name("gio-m1-d3.wav")


def test_class_names_are_the_italian_words():
    assert emovo.EMOTIONS == (
        "disgusto",
        "gioia",
        "neutro",
        "paura",
        "rabbia",
        "sorpresa",
        "tristezza",
    )
    assert len(emovo.SENTENCES) == 14


def test_labels_and_audio(tmp_path):
    builder = testing.build(emovo.Builder, DUMMY, tmp_path / "data")
    examples = testing.examples_by(builder, keep_audio=True)
    assert len(examples) == 7
    ex = examples["m1/pau-m1-l4.wav"]
    assert ex["emotion"] == "paura"
    assert ex["gender"] == "male"
    assert ex["speaker"] == "m1" and ex["sentence"] == "l4"
    emotions = {e["emotion"] for e in examples.values()}
    assert emotions == set(emovo.EMOTIONS)
    for ex in examples.values():  # 0.2 s at 48 kHz.
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_from_official_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / "EMOVO.zip")
    builder = testing.build(emovo.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 7


def test_speaker_folders_directly_in_manual_dir(tmp_path):
    manual = testing.copy_tree(DUMMY / "EMOVO", tmp_path)
    (manual / "f1" / "._dis-f1-b1.wav").write_bytes(b"macOS debris")
    (manual / "f1" / "notes.txt").write_text("not audio")
    builder = testing.build(emovo.Builder, manual, tmp_path / "data")
    assert builder.info.splits["speaker_f1"].num_examples == 2


def test_file_in_the_wrong_folder_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(
        manual / "EMOVO" / "m1" / "pau-m1-l4.wav",
        manual / "EMOVO" / "f1" / "pau-m1-l4.wav",
    )
    with pytest.raises(ValueError, match="does not match its folder f1"):
        testing.build(emovo.Builder, manual, tmp_path / "data")


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        emovo.Builder, tmp_path, "EMOVO.zip"
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        emovo.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        emovo.Builder, tmp_path, "No speaker folders"
    )


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "EMOVO" / "f2" / "neu-f2-d2.wav"
    bad.write_text("not a wav file\n" * 10)
    testing.assert_build_fails_naming(
        emovo.Builder, manual, tmp_path / "data", bad, match="cannot decode"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
