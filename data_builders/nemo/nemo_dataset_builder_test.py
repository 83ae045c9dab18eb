"""Tests of the nemo builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.nemo import nemo_dataset_builder as nemo

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class NemoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = nemo.Builder
    SPLITS = {"speaker_EB0": 2, "speaker_KD0": 1, "speaker_SM0": 1, "speaker_WR0": 2}


def test_parse_file_name():
    assert nemo.parse_file_name("EB0_surprised_80.wav") == {
        "speaker": "EB0",
        "emotion": "surprised",
        "sentence_id": 80,
    }
    with pytest.raises(ValueError, match="not a nEMO file name"):
        nemo.parse_file_name("EB0-anger-1.wav")
    with pytest.raises(ValueError, match="unknown nEMO emotion surprise"):
        nemo.parse_file_name("EB0_surprise_1.wav")


def test_metadata_speaker_id_is_stripped():
    rows = nemo.read_metadata(nemo.epath.Path(DUMMY / "data.tsv"))
    assert [row["speaker_id"] for _, row in rows][:2] == ["EB0", "EB0"]
    assert rows[0][0] == 2  # Line numbers, for error messages.
    # Quotes are text, not CSV quoting.
    assert rows[1][1]["raw_text"] == "„Zdanie” numer cztery."


def test_labels_texts_and_audio(tmp_path):
    builder = testing.build(nemo.Builder, DUMMY, tmp_path / "data")
    examples = testing.examples_by(builder, keep_audio=True)
    assert len(examples) == 6
    ex = examples["samples/SM0_happiness_2.wav"]
    assert ex["emotion"] == "happiness"
    assert ex["gender"] == "male"
    assert ex["speaker"] == "SM0" and ex["age"] == 24 and ex["sentence_id"] == 2
    assert ex["raw_text"] == "Zdanie numer dwa, z przecinkiem."
    assert ex["normalized_text"] == "zdanie numer dwa z przecinkiem"
    assert examples["samples/EB0_surprised_4.wav"]["emotion"] == "surprised"
    for ex in examples.values():  # 0.2 s at 24 kHz.
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_clip_missing_from_data_tsv_still_builds(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(
        manual / "samples" / "WR0_fear_2.wav", manual / "samples" / "SM0_fear_3.wav"
    )
    examples = testing.examples_by(
        testing.build(nemo.Builder, manual, tmp_path / "data")
    )
    ex = examples["samples/SM0_fear_3.wav"]
    # Gender and age of SM0, text of sentence 3 (WR0's row).
    assert ex["speaker"] == "SM0" and ex["age"] == 24
    assert ex["raw_text"] == "Zdanie numer trzy."


def test_clip_of_an_unknown_speaker_not_in_data_tsv_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(
        manual / "samples" / "WR0_fear_2.wav", manual / "samples" / "XX0_fear_2.wav"
    )
    with pytest.raises(ValueError, match="XX0_fear_2.wav: not in data.tsv"):
        testing.build(nemo.Builder, manual, tmp_path / "data")


def test_row_contradicting_its_file_name_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    tsv = manual / "data.tsv"
    text = tsv.read_text(encoding="utf-8")
    tsv.write_text(
        text.replace("KD0_neutral_1.wav\tneutral", "KD0_neutral_1.wav\tfear")
    )
    with pytest.raises(ValueError, match="line 4: .* do not match the file name"):
        testing.build(nemo.Builder, manual, tmp_path / "data")


def test_missing_column_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    tsv = manual / "data.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8").replace("\tage", "\tyears"))
    with pytest.raises(ValueError, match="missing columns"):
        testing.build(nemo.Builder, manual, tmp_path / "data")


def test_listed_clip_missing_on_disk_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    (manual / "samples" / "KD0_neutral_1.wav").unlink()
    testing.assert_build_fails_naming(
        nemo.Builder,
        manual,
        tmp_path / "data",
        "KD0_neutral_1.wav",
        match="file not found",
    )


def test_from_github_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / nemo.ZIP_NAME, "nEMO-main/")
    builder = testing.build(nemo.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 6


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(nemo.Builder, tmp_path, "data.tsv")


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        nemo.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    (manual / "samples").mkdir(parents=True)  # No data.tsv.
    (manual / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No data.tsv and samples/ folder"):
        testing.build(nemo.Builder, manual, tmp_path / "data")


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "samples" / "WR0_sadness_3.wav"
    bad.write_text("not a wav file\n" * 10)
    testing.assert_build_fails_naming(
        nemo.Builder, manual, tmp_path / "data", bad, match="cannot decode"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
