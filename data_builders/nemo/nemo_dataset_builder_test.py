"""Tests of the nemo builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError
from data_builders.nemo import nemo_dataset_builder as nemo

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class NemoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = nemo.Builder
    SPLITS = {"speaker_EB0": 2, "speaker_KD0": 1, "speaker_SM0": 1, "speaker_WR0": 2}


def _build(data_dir, manual_dir=None):
    builder = nemo.Builder(data_dir=str(data_dir))
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
    builder = _build(tmp_path / "data", DUMMY)
    features = builder.info.features
    examples = _examples(builder)
    assert len(examples) == 6
    ex = examples["samples/SM0_happiness_2.wav"]
    assert features["emotion"].int2str(ex["emotion"]) == "happiness"
    assert features["gender"].int2str(ex["gender"]) == "male"
    assert ex["speaker"] == b"SM0" and ex["age"] == 24 and ex["sentence_id"] == 2
    assert ex["raw_text"].decode() == "Zdanie numer dwa, z przecinkiem."
    assert ex["normalized_text"].decode() == "zdanie numer dwa z przecinkiem"
    assert (
        features["emotion"].int2str(examples["samples/EB0_surprised_4.wav"]["emotion"])
        == "surprised"
    )
    for ex in examples.values():  # 0.2 s at 24 kHz.
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_clip_missing_from_data_tsv_still_builds(tmp_path):
    manual = _copy_dummy(tmp_path)
    shutil.copy(
        manual / "samples" / "WR0_fear_2.wav", manual / "samples" / "SM0_fear_3.wav"
    )
    examples = _examples(_build(tmp_path / "data", manual))
    ex = examples["samples/SM0_fear_3.wav"]
    # Gender and age of SM0, text of sentence 3 (WR0's row).
    assert ex["speaker"] == b"SM0" and ex["age"] == 24
    assert ex["raw_text"].decode() == "Zdanie numer trzy."


def test_clip_of_an_unknown_speaker_not_in_data_tsv_stops_the_build(tmp_path):
    manual = _copy_dummy(tmp_path)
    shutil.copy(
        manual / "samples" / "WR0_fear_2.wav", manual / "samples" / "XX0_fear_2.wav"
    )
    with pytest.raises(ValueError, match="XX0_fear_2.wav: not in data.tsv"):
        _build(tmp_path / "data", manual)


def test_row_contradicting_its_file_name_stops_the_build(tmp_path):
    manual = _copy_dummy(tmp_path)
    tsv = manual / "data.tsv"
    text = tsv.read_text(encoding="utf-8")
    tsv.write_text(
        text.replace("KD0_neutral_1.wav\tneutral", "KD0_neutral_1.wav\tfear")
    )
    with pytest.raises(ValueError, match="line 4: .* do not match the file name"):
        _build(tmp_path / "data", manual)


def test_missing_column_stops_the_build(tmp_path):
    manual = _copy_dummy(tmp_path)
    tsv = manual / "data.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8").replace("\tage", "\tyears"))
    with pytest.raises(ValueError, match="missing columns"):
        _build(tmp_path / "data", manual)


def test_listed_clip_missing_on_disk_names_it(tmp_path):
    manual = _copy_dummy(tmp_path)
    (manual / "samples" / "KD0_neutral_1.wav").unlink()
    with pytest.raises(AudioError, match="file not found") as info:
        _build(tmp_path / "data", manual)
    assert "KD0_neutral_1.wav" in str(info.value)


def test_from_github_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    with zipfile.ZipFile(manual / nemo.ZIP_NAME, "w") as zf:
        for path in sorted(DUMMY.rglob("*")):
            zf.write(path, "nEMO-main/" + path.relative_to(DUMMY).as_posix())
    assert _build(tmp_path / "data", manual).info.splits.total_num_examples == 6


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_missing_or_empty_manual_dir(tmp_path, kind):
    manual = tmp_path / "manual"
    if kind == "empty":
        manual.mkdir()
    with pytest.raises(ManualDirError, match="does not exist or is empty") as info:
        _build(tmp_path / "data", manual)
    assert "data.tsv" in str(info.value)


def test_no_manual_dir_is_an_error(tmp_path):
    with pytest.raises(ManualDirError, match="cannot be downloaded automatically"):
        _build(tmp_path / "data")


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    (manual / "samples").mkdir(parents=True)  # No data.tsv.
    (manual / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No data.tsv and samples/ folder"):
        _build(tmp_path / "data", manual)


def test_undecodable_file_names_it(tmp_path):
    manual = _copy_dummy(tmp_path)
    bad = manual / "samples" / "WR0_sadness_3.wav"
    bad.write_text("not a wav file\n" * 10)
    with pytest.raises(AudioError, match="cannot decode") as info:
        _build(tmp_path / "data", manual)
    assert str(bad) in str(info.value)


if __name__ == "__main__":
    tfds.testing.test_main()
