"""Tests of the emovo builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError
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


def _build(data_dir, manual_dir=None):
    builder = emovo.Builder(data_dir=str(data_dir))
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
    builder = _build(tmp_path / "data", DUMMY)
    examples = _examples(builder)
    assert len(examples) == 7
    ex = examples["m1/pau-m1-l4.wav"]
    features = builder.info.features
    assert features["emotion"].int2str(ex["emotion"]) == "paura"
    assert features["gender"].int2str(ex["gender"]) == "male"
    assert ex["speaker"] == b"m1" and ex["sentence"] == b"l4"
    emotions = {features["emotion"].int2str(e["emotion"]) for e in examples.values()}
    assert emotions == set(emovo.EMOTIONS)
    for ex in examples.values():  # 0.2 s at 48 kHz.
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def _zip_dir(src: Path, zip_path: Path):
    with zipfile.ZipFile(zip_path, "w") as zf:
        for path in sorted(src.rglob("*")):
            zf.write(path, path.relative_to(src).as_posix())


def test_from_official_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    _zip_dir(DUMMY, manual / "EMOVO.zip")
    builder = _build(tmp_path / "data", manual)
    assert builder.info.splits.total_num_examples == 7


def test_speaker_folders_directly_in_manual_dir(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / "EMOVO", manual)
    (manual / "f1" / "._dis-f1-b1.wav").write_bytes(b"macOS debris")
    (manual / "f1" / "notes.txt").write_text("not audio")
    builder = _build(tmp_path / "data", manual)
    assert builder.info.splits["speaker_f1"].num_examples == 2


def test_file_in_the_wrong_folder_stops_the_build(tmp_path):
    manual = _copy_dummy(tmp_path)
    shutil.copy(
        manual / "EMOVO" / "m1" / "pau-m1-l4.wav",
        manual / "EMOVO" / "f1" / "pau-m1-l4.wav",
    )
    with pytest.raises(ValueError, match="does not match its folder f1"):
        _build(tmp_path / "data", manual)


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_missing_or_empty_manual_dir(tmp_path, kind):
    manual = tmp_path / "manual"
    if kind == "empty":
        manual.mkdir()
    with pytest.raises(ManualDirError, match="does not exist or is empty") as info:
        _build(tmp_path / "data", manual)
    assert "EMOVO.zip" in str(info.value)


def test_no_manual_dir_is_an_error(tmp_path):
    with pytest.raises(ManualDirError, match="cannot be downloaded automatically"):
        _build(tmp_path / "data")


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No speaker folders"):
        _build(tmp_path / "data", manual)


def test_undecodable_file_names_it(tmp_path):
    manual = _copy_dummy(tmp_path)
    bad = manual / "EMOVO" / "f2" / "neu-f2-d2.wav"
    bad.write_text("not a wav file\n" * 10)
    with pytest.raises(AudioError, match="cannot decode") as info:
        _build(tmp_path / "data", manual)
    assert str(bad) in str(info.value)


if __name__ == "__main__":
    tfds.testing.test_main()
