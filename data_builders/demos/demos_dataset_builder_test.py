"""Tests of the demos builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.demos import demos_dataset_builder as demos

DUMMY = Path(__file__).resolve().parent / "dummy_data"
ROOT = DUMMY / "wav_DEMoS"


class DemosPrototypicalTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = demos.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["prototypical"]
    # PR_ files only; speaker 05 has none.
    SPLITS = {"speaker_01": 1, "speaker_02": 2}


class DemosAllTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = demos.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["all"]
    SPLITS = {"speaker_01": 3, "speaker_02": 2, "speaker_05": 1}


def test_parse_file_name():
    assert demos.parse_file_name("PR_f_01_col001.wav") == {
        "emotion": "guilt",
        "speaker": "01",
        "gender": "female",
        "prototypicality": "prototypical",
    }
    assert demos.parse_file_name("NP_m_69_sor123.wav") == {
        "emotion": "surprise",
        "speaker": "69",
        "gender": "male",
        "prototypicality": "non_prototypical",
    }
    assert demos.parse_file_name("m_02_neu004.wav") == {
        "emotion": "neutral",
        "speaker": "02",
        "gender": "male",
        "prototypicality": "none",
    }
    for name, error in [
        ("PR_f_1_col001.wav", "not a DEMoS file name"),
        ("PR_x_01_col001.wav", "not a DEMoS file name"),
        ("PR_f_01_xyz001.wav", "unknown DEMoS emotion code 'xyz'"),
        ("XX_f_01_col001.wav", "unknown DEMoS prefix 'XX'"),
        ("PR_f_01_neu001.wav", "neutral utterance marked PR"),
        ("f_01_rab001.wav", "without PR_ or NP_"),
    ]:
        with pytest.raises(ValueError, match=error):
            demos.parse_file_name(name)


def test_configs_and_emotions():
    assert demos.Builder.DEFAULT_CONFIG_NAME == "prototypical"
    configs = demos.Builder.builder_configs
    assert configs["prototypical"].emotions == (
        "guilt",
        "disgust",
        "happiness",
        "fear",
        "anger",
        "surprise",
        "sadness",
    )
    assert configs["all"].emotions[-1] == "neutral"


def test_built_examples(tmp_path):
    builder = testing.build(demos.Builder, DUMMY, tmp_path / "data", "all")
    examples = testing.examples_by(builder, keep_audio=True)
    ex = examples["NEU/f_01_neu001.wav"]
    assert ex["emotion"] == "neutral"
    assert ex["prototypicality"] == "none"
    assert ex["gender"] == "female"
    ex = examples["DEMOS/NP_m_05_sor001.wav"]
    assert ex["speaker"] == "05"
    assert ex["prototypicality"] == "non_prototypical"
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)

    proto = testing.build(demos.Builder, DUMMY, tmp_path / "proto", "prototypical")
    assert proto.info.features["emotion"].names == list(
        demos.Builder.builder_configs["prototypical"].emotions
    )
    assert set(testing.examples_by(proto)) == {
        "DEMOS/PR_f_01_rab001.wav",
        "DEMOS/PR_m_02_col001.wav",
        "DEMOS/PR_m_02_tri003.wav",
    }


def test_official_zip_in_manual_dir(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / demos.ZIP_NAME)
    builder = testing.build(demos.Builder, manual, tmp_path / "data", "all")
    assert builder.info.splits.total_num_examples == 6


def test_find_corpus_root():
    assert demos.find_corpus_root(epath.Path(DUMMY)) == epath.Path(ROOT)
    assert demos.find_corpus_root(epath.Path(ROOT / "DEMOS")) is None


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(demos.Builder, tmp_path, "DEMOS/")


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        demos.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    (manual / "wav").mkdir(parents=True)
    shutil.copy(ROOT / "DEMOS/PR_f_01_rab001.wav", manual / "wav")
    with pytest.raises(ManualDirError, match="No DEMOS/ or NEU/ folder"):
        testing.build(demos.Builder, manual, tmp_path / "data")


def test_undecodable_file_names_the_file(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "wav_DEMoS/DEMOS/PR_m_02_tri003.wav"
    bad.write_bytes(bad.read_bytes()[:30])  # cut inside the header
    testing.assert_build_fails_naming(
        demos.Builder, manual, tmp_path / "data", bad, match="cannot decode"
    )


def test_misnamed_file_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(
        manual / "wav_DEMoS/NEU/f_01_neu001.wav", manual / "wav_DEMoS/NEU/neutral.wav"
    )
    with pytest.raises(ValueError, match="neutral.wav: not a DEMoS file name"):
        testing.build(demos.Builder, manual, tmp_path / "data", "all")


if __name__ == "__main__":
    tfds.testing.test_main()
