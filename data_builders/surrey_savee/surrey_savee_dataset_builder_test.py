"""Tests of the savee builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError
from data_builders.surrey_savee import surrey_savee_dataset_builder as savee

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class SaveeTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = savee.Builder
    SPLITS = {"speaker_DC": 3, "speaker_JE": 2, "speaker_KL": 1}


def _build(data_dir, manual_dir):
    builder = savee.Builder(data_dir=str(data_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir))
    )
    return builder


def _examples(builder):
    return {
        ex["file_name"].decode(): ex
        for split in builder.info.splits
        for ex in tfds.as_numpy(builder.as_dataset(split=split))
    }


def _flatten(src: Path, dst: Path):
    """The Kaggle-style re-packaging: ALL/DC_a01.wav."""
    dst.mkdir(parents=True)
    for wav in sorted(src.glob("*/*.wav")):
        shutil.copy(wav, dst / f"{wav.parent.name}_{wav.name}")


def test_official_layout_labels(tmp_path):
    builder = _build(tmp_path / "data", DUMMY)
    features = builder.info.features
    assert features["emotion"].names == [
        "anger",
        "disgust",
        "fear",
        "happiness",
        "neutral",
        "sadness",
        "surprise",
    ]
    examples = _examples(builder)
    assert set(examples) == {
        "DC/a01.wav",
        "DC/n30.wav",
        "DC/su15.wav",
        "JE/sa01.wav",
        "JE/d02.wav",
        "KL/h03.wav",
    }
    su = examples["DC/su15.wav"]
    assert features["emotion"].int2str(su["emotion"]) == "surprise"
    assert su["speaker"] == b"DC" and su["sentence_number"] == 15
    assert {features["gender"].int2str(ex["gender"]) for ex in examples.values()} == {
        "male"
    }
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert all(ex["audio"].shape == (3200,) for ex in examples.values())


def test_flattened_copy(tmp_path):
    manual = tmp_path / "manual"
    _flatten(DUMMY / "AudioData", manual / "ALL")
    builder = _build(tmp_path / "data", manual)
    assert set(builder.info.splits) == {"speaker_DC", "speaker_JE", "speaker_KL"}
    examples = _examples(builder)
    assert "DC_sa01.wav" not in examples and "JE_sa01.wav" in examples
    assert examples["JE_sa01.wav"]["emotion"] == savee.EMOTIONS.index("sadness")


def test_both_layouts_in_one_copy_are_not_counted_twice(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / "AudioData", manual / "AudioData")
    _flatten(DUMMY / "AudioData", manual / "ALL")
    assert savee.find_corpus_root(manual) == manual / "AudioData"
    assert _build(tmp_path / "data", manual).info.splits.total_num_examples == 6


def test_official_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    with zipfile.ZipFile(manual / "AudioData.zip", "w") as zf:
        for path in sorted(DUMMY.rglob("*")):
            zf.write(path, path.relative_to(DUMMY).as_posix())
    builder = _build(tmp_path / "data", manual)
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
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    shutil.copy(manual / "AudioData/DC/a01.wav", manual / "AudioData/DC/a01 (1).wav")
    with pytest.raises(ValueError, match=r"a01 \(1\).wav: not a SAVEE file name"):
        _build(tmp_path / "data", manual)


def test_undecodable_file_names_it(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    bad = manual / "AudioData" / "JE" / "d02.wav"
    bad.write_bytes(b"not audio" * 10)
    with pytest.raises(AudioError) as info:
        _build(tmp_path / "data", manual)
    assert str(bad) in str(info.value)


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_missing_or_empty_manual_dir(tmp_path, kind):
    manual = tmp_path / "manual"
    if kind == "empty":
        manual.mkdir()
    with pytest.raises(ManualDirError, match="does not exist or is empty") as info:
        _build(tmp_path / "data", manual)
    assert "AudioData.zip" in str(info.value)


def test_no_manual_dir(tmp_path):
    builder = savee.Builder(data_dir=str(tmp_path / "data"))
    with pytest.raises(ManualDirError, match="pass --manual_dir"):
        builder.download_and_prepare()


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    (manual / "DC").mkdir(parents=True)
    np.save(manual / "DC" / "a01.npy", np.zeros(3))
    with pytest.raises(ManualDirError, match="No SAVEE audio"):
        _build(tmp_path / "data", manual)


if __name__ == "__main__":
    tfds.testing.test_main()
