"""Tests of the urdu builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError
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


def _build(data_dir, manual_dir=None):
    builder = urdu.Builder(data_dir=str(data_dir))
    config = None
    if manual_dir is not None:
        config = tfds.download.DownloadConfig(manual_dir=str(manual_dir))
    builder.download_and_prepare(download_config=config)
    return builder


def _examples(builder):
    return {
        ex["file_name"].decode(): ex
        for split in builder.info.splits
        for ex in tfds.as_numpy(builder.as_dataset(split=split))
    }


def _copy_dummy(tmp_path) -> Path:
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    return manual


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
    builder = _build(tmp_path / "data", DUMMY)
    features = builder.info.features
    assert features["emotion"].names == ["angry", "happy", "neutral", "sad"]
    examples = _examples(builder)
    assert len(examples) == 7
    ex = examples["Sad/SF10_F1_S01.wav"]
    assert features["emotion"].int2str(ex["emotion"]) == "sad"
    assert features["gender"].int2str(ex["gender"]) == "female"
    assert ex["speaker"] == b"SF10" and ex["clip_index"] == 1
    for ex in examples.values():  # 0.2 s at 44.1 kHz.
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_per_speaker_sub_folders_as_the_readme_describes(tmp_path):
    manual = _copy_dummy(tmp_path)
    sub = manual / "Neutral" / "SM3"
    sub.mkdir()
    (manual / "Neutral" / "SM3_F1_N021.wav").rename(sub / "SM3_F1_N021.wav")
    examples = _examples(_build(tmp_path / "data", manual))
    assert "Neutral/SM3/SM3_F1_N021.wav" in examples
    assert len(examples) == 7


def test_from_github_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    with zipfile.ZipFile(manual / urdu.ZIP_NAME, "w") as zf:
        for path in sorted(DUMMY.rglob("*")):
            zf.write(path, "URDU-Dataset-master/" + path.relative_to(DUMMY).as_posix())
    builder = _build(tmp_path / "data", manual)
    assert builder.info.splits.total_num_examples == 7


def test_clip_in_the_wrong_emotion_folder_stops_the_build(tmp_path):
    manual = _copy_dummy(tmp_path)
    shutil.copy(manual / "Sad" / "SF10_F1_S01.wav", manual / "Happy")
    with pytest.raises(ValueError, match="in the folder Happy"):
        _build(tmp_path / "data", manual)


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_missing_or_empty_manual_dir(tmp_path, kind):
    manual = tmp_path / "manual"
    if kind == "empty":
        manual.mkdir()
    with pytest.raises(ManualDirError, match="does not exist or is empty") as info:
        _build(tmp_path / "data", manual)
    assert "Angry/" in str(info.value)


def test_no_manual_dir_is_an_error(tmp_path):
    with pytest.raises(ManualDirError, match="cannot be downloaded automatically"):
        _build(tmp_path / "data")


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No emotion folders"):
        _build(tmp_path / "data", manual)


def test_undecodable_file_names_it(tmp_path):
    manual = _copy_dummy(tmp_path)
    bad = manual / "Angry" / "SM1_F1_A01.wav"
    bad.write_bytes(b"")
    with pytest.raises(AudioError) as info:
        _build(tmp_path / "data", manual)
    assert str(bad) in str(info.value)


if __name__ == "__main__":
    tfds.testing.test_main()
