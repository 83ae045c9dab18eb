"""Tests of the enterface builder over dummy_data/ (see make_dummy_data.py)."""

from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.enterface import enterface_dataset_builder as enterface

DUMMY = Path(__file__).resolve().parent / "dummy_data"
TOP = DUMMY / "enterface database"


class EnterfaceTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = enterface.Builder
    # Subject 6 (unsegmented sessions) is left out; subject 11's clip is
    # named s12_*, subject 3's s_3_*.
    SPLITS = {
        "speaker_1": 1,
        "speaker_3": 1,
        "speaker_11": 1,
        "speaker_12": 1,
        "speaker_16": 1,
    }


def test_labels_come_from_the_folders():
    listing = enterface.list_files(epath.Path(TOP))
    assert sorted(listing, key=int) == ["1", "3", "11", "12", "16"]
    flat = {rel: labels for files in listing.values() for rel, labels in files}
    assert flat == {
        "subject 1/anger/sentence 1/s1_an_1.avi": {
            "emotion": "anger",
            "sentence": 1,
            "speaker": "1",
            "gender": -1,
        },
        "subject 3/happiness/sentence 2/s_3_ha_2.avi": {
            "emotion": "happiness",
            "sentence": 2,
            "speaker": "3",
            "gender": -1,
        },
        # Named s12_*, but in subject 11's folder: speaker 11.
        "subject 11/fear/sentence 4/s12_fe_4.avi": {
            "emotion": "fear",
            "sentence": 4,
            "speaker": "11",
            "gender": -1,
        },
        "subject 12/fear/sentence 4/s12_fe_4.avi": {
            "emotion": "fear",
            "sentence": 4,
            "speaker": "12",
            "gender": -1,
        },
        "subject 16/surprise/sentence 3/s16_su_3avi.avi": {
            "emotion": "surprise",
            "sentence": 3,
            "speaker": "16",
            "gender": -1,
        },
    }


def test_labels_of():
    assert enterface.labels_of(("anger", "sentence 2", "s1_an_2.avi")) == {
        "emotion": "anger",
        "sentence": 2,
    }
    # Without a sentence folder: the number at the end of the name.
    assert enterface.labels_of(("Sadness", "s16_sa_3avi.avi")) == {
        "emotion": "sadness",
        "sentence": 3,
    }
    # A deeper, irregular nesting still finds the emotion folder.
    assert enterface.labels_of(("fear", "sentence 5", "x", "s2_fe_5.avi")) == {
        "emotion": "fear",
        "sentence": 5,
    }
    with pytest.raises(ValueError, match="one emotion folder"):
        enterface.labels_of(("sentence 1", "s1_an_1.avi"))


def test_find_corpus_root():
    assert enterface.find_corpus_root(epath.Path(DUMMY)) == epath.Path(TOP)
    assert enterface.find_corpus_root(epath.Path(TOP)) == epath.Path(TOP)
    assert enterface.find_corpus_root(epath.Path(TOP / "subject 1")) is None


def test_audio_features_and_skipped_subject(tmp_path):
    builder = testing.build(enterface.Builder, DUMMY, tmp_path / "data")
    info = builder.info
    assert info.features["emotion"].names == list(enterface.EMOTIONS)
    assert dict(info.metadata["skipped_files"]) == enterface._SKIPPED
    examples = testing.examples_by(builder, keep_audio=True)
    assert not any("subject 6" in name for name in examples)
    ex = examples["subject 11/fear/sentence 4/s12_fe_4.avi"]
    assert ex["speaker"] == "11"
    assert ex["gender"] == -1
    assert ex["sentence"] == 4
    # 0.12 s of 48 kHz stereo -> 1920 mono samples at 16 kHz, not silent.
    assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (1920,)
    assert np.abs(ex["audio"]).max() > 3000


def test_official_zip_in_manual_dir(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / enterface.ZIP_NAME)
    builder = testing.build(enterface.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 5


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        enterface.Builder, tmp_path, "subject 1"
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        enterface.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    (manual / "videos").mkdir(parents=True)
    (manual / "videos" / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No 'subject N' folders"):
        testing.build(enterface.Builder, manual, tmp_path / "data")


def test_undecodable_clip_names_the_file(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "enterface database/subject 3/happiness/sentence 2/s_3_ha_2.avi"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 200)
    testing.assert_build_fails_naming(
        enterface.Builder, manual, tmp_path / "data", bad, match="cannot decode"
    )


def test_clip_outside_an_emotion_folder_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    moved = manual / "enterface database/subject 1/s1_an_1.avi"
    (manual / "enterface database/subject 1/anger/sentence 1/s1_an_1.avi").rename(moved)
    with pytest.raises(ValueError, match="s1_an_1.avi: expected exactly one emotion"):
        testing.build(enterface.Builder, manual, tmp_path / "data")


if __name__ == "__main__":
    tfds.testing.test_main()
