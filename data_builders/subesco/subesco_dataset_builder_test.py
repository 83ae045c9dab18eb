"""Tests of the subesco builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.subesco import subesco_dataset_builder as subesco

DUMMY = Path(__file__).resolve().parent / "dummy_data"
CLIPS = DUMMY / "SUBESCO"


class SubescoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = subesco.Builder
    # F_02 and M_02 are two people.
    SPLITS = {
        "speaker_F_01": 1,
        "speaker_F_02": 1,
        "speaker_F_06": 1,
        "speaker_M_01": 1,
        "speaker_M_02": 1,
        "speaker_M_09": 2,
        "speaker_M_10": 1,
    }


def test_parse_file_name():
    assert subesco.parse_file_name("F_02_MONIKA_S_1_NEUTRAL_5.wav") == {
        "emotion": "neutral",
        "speaker": "F_02",
        "gender": "female",
        "speaker_name": "MONIKA",
        "sentence": 1,
        "take": 5,
    }
    assert subesco.parse_file_name("M_10_EVAN_S_10_SURPRISE_3.wav")["sentence"] == 10
    assert subesco.parse_file_name("m_10_evan_s_10_surprise_3.wav")["speaker"] == "M_10"
    assert subesco.parse_file_name("README.wav") is None
    with pytest.raises(ValueError, match="unknown SUBESCO emotion CALM"):
        subesco.parse_file_name("F_02_MONIKA_S_1_CALM_5.wav")


def test_labels_and_mixed_rates(tmp_path):
    builder = testing.build(subesco.Builder, DUMMY, tmp_path / "data")
    assert builder.info.features["emotion"].names == list(subesco.EMOTIONS)
    examples = testing.examples_by(builder, keep_audio=True)
    assert len(examples) == 8
    ex = examples["M_02_NIPUN_S_6_SAD_1.wav"]
    assert ex["emotion"] == "sad"
    assert ex["gender"] == "male"
    assert ex["speaker"] == "M_02" and ex["speaker_name"] == "NIPUN"
    assert ex["sentence"] == 6 and ex["take"] == 1
    emotions = {e["emotion"] for e in examples.values()}
    assert emotions == set(subesco.EMOTIONS)
    # 0.2 s at 44.1 kHz and at 48 kHz: 3200 samples at 16 kHz.
    for ex in examples.values():
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_clips_directly_in_manual_dir(tmp_path):
    manual = testing.copy_tree(CLIPS, tmp_path)
    (manual / "._F_01_OISHI_S_10_HAPPY_4.wav").write_bytes(b"macOS debris")
    builder = testing.build(subesco.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 8


def test_from_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(CLIPS, manual / subesco.ZIP_NAME, "SUBESCO/")
    builder = testing.build(subesco.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 8


def test_bad_name_among_the_clips_stops_the_build(tmp_path):
    manual = testing.copy_tree(CLIPS, tmp_path)
    shutil.copy(
        manual / "M_02_NIPUN_S_6_SAD_1.wav", manual / "M_02_NIPUN_S_6_SAD_1 (1).wav"
    )
    with pytest.raises(ValueError, match="not a SUBESCO file name"):
        testing.build(subesco.Builder, manual, tmp_path / "data")


def test_one_code_two_names_stops_the_build(tmp_path):
    manual = testing.copy_tree(CLIPS, tmp_path)
    shutil.copy(
        manual / "M_02_NIPUN_S_6_SAD_1.wav", manual / "M_02_RAHIM_S_6_SAD_2.wav"
    )
    with pytest.raises(ValueError, match="speaker M_02 is NIPUN"):
        testing.build(subesco.Builder, manual, tmp_path / "data")


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        subesco.Builder, tmp_path, "F_02_MONIKA_S_1_NEUTRAL_5.wav"
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        subesco.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        subesco.Builder, tmp_path, "No folder of SUBESCO clips"
    )


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(CLIPS, tmp_path)
    bad = manual / "F_06_SIMI_S_9_SAD_3.wav"
    bad.write_text("not a wav file\n" * 10)
    testing.assert_build_fails_naming(
        subesco.Builder, manual, tmp_path / "data", bad, match="cannot decode"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
