"""Tests of the shemo builder over dummy_data/ (see make_dummy_data.py)."""

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError
from data_builders.shemo import shemo_dataset_builder as shemo

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class ShemoTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = shemo.Builder
    # F01 and M01 are different speakers; F01S23 has no transcript.
    SPLITS = {
        "speaker_F01": 2,
        "speaker_F03": 1,
        "speaker_M01": 1,
        "speaker_M21": 1,
        "speaker_M46": 1,
    }


def _build(data_dir, manual_dir=None):
    builder = shemo.Builder(data_dir=str(data_dir))
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
    assert shemo.parse_file_name("F03F01.wav") == {
        "emotion": "fear",
        "speaker": "F03",
        "gender": "female",
    }
    assert shemo.parse_file_name("M02W11.wav") == {
        "emotion": "surprise",
        "speaker": "M02",
        "gender": "male",
    }
    with pytest.raises(ValueError, match="not a ShEMO file name"):
        shemo.parse_file_name("X03S02.wav")
    with pytest.raises(ValueError, match="unknown ShEMO emotion letter Q"):
        shemo.parse_file_name("F03Q02.wav")


def test_emotion_letters_cover_the_class_names():
    assert sorted(shemo.EMOTION_LETTERS.values()) == sorted(shemo.EMOTIONS)


def test_labels_transcripts_and_resampling(tmp_path):
    builder = _build(tmp_path / "data", DUMMY)
    examples = _examples(builder)
    assert set(examples) == {
        "female/F01A01.wav",
        "female/F01S23.wav",
        "female/F03F01.wav",
        "male/M01N01.wav",
        "male/M21F01.wav",
        "male/M46A03.wav",
    }
    features = builder.info.features

    def label(ex, key):
        return features[key].int2str(ex[key])

    fear = examples["female/F03F01.wav"]
    assert label(fear, "emotion") == "fear" and label(fear, "gender") == "female"
    assert fear["speaker"] == b"F03"
    assert label(examples["male/M46A03.wav"], "emotion") == "anger"
    # Transcripts from shemo.json, byte-order mark removed; none for F01S23.
    assert examples["female/F01A01.wav"]["transcript"].decode() == "جمله نمونه 0"
    assert examples["female/F01A01.wav"]["transcript_ipa"] == b"jomleye nemune 0"
    assert examples["female/F01S23.wav"]["transcript"] == b""
    # 0.2 s at 44.1 kHz and at 22.05 kHz: 3200 samples at 16 kHz.
    for ex in examples.values():
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_list_layout_of_shemo_json(tmp_path):
    manual = _copy_dummy(tmp_path)
    data = json.loads((manual / "shemo.json").read_text(encoding="utf-8"))
    records = [{"id": key, **value} for key, value in data.items()]
    # With a byte-order mark at the start of the file too.
    (manual / "shemo.json").write_text("\ufeff" + json.dumps(records), encoding="utf-8")
    transcripts = shemo.load_transcripts(shemo.epath.Path(manual / "shemo.json"))
    assert transcripts["M21F01"] == ("جمله نمونه 4", "jomleye nemune 4")
    assert "F01S23" not in transcripts


def test_without_shemo_json_transcripts_are_empty(tmp_path):
    manual = _copy_dummy(tmp_path)
    (manual / "shemo.json").unlink()
    examples = _examples(_build(tmp_path / "data", manual))
    assert len(examples) == 6
    assert all(ex["transcript"] == b"" for ex in examples.values())


def _zip(zip_path: Path, files: dict[str, Path]):
    with zipfile.ZipFile(zip_path, "w") as zf:
        for arcname, path in files.items():
            zf.write(path, arcname)


def test_from_the_two_official_zips(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    # One archive with its folder, one with the clips at the top level, and
    # macOS debris, which is ignored.
    female = {f"female/{p.name}": p for p in (DUMMY / "female").glob("*.wav")}
    female["__MACOSX/female/._F01A01.wav"] = DUMMY / "female" / "F01A01.wav"
    _zip(manual / "female.zip", female)
    _zip(manual / "male.zip", {p.name: p for p in (DUMMY / "male").glob("*.wav")})
    shutil.copy(DUMMY / "shemo.json", manual)
    builder = _build(tmp_path / "data", manual)
    examples = _examples(builder)
    assert len(examples) == 6
    assert "male/M46A03.wav" in examples and "female/F03F01.wav" in examples
    assert examples["male/M21F01.wav"]["transcript"].decode() == "جمله نمونه 4"


def test_nested_folder_and_one_sex_only(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / "female", manual / "ShEMO" / "female")
    builder = _build(tmp_path / "data", manual)
    assert list(builder.info.splits) == ["speaker_F01", "speaker_F03"]


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_missing_or_empty_manual_dir(tmp_path, kind):
    manual = tmp_path / "manual"
    if kind == "empty":
        manual.mkdir()
    with pytest.raises(ManualDirError, match="does not exist or is empty") as info:
        _build(tmp_path / "data", manual)
    assert "female.zip" in str(info.value)


def test_no_manual_dir_is_an_error(tmp_path):
    with pytest.raises(ManualDirError, match="cannot be downloaded automatically"):
        _build(tmp_path / "data")


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No female/ or male/ folder"):
        _build(tmp_path / "data", manual)


def test_bad_name_stops_the_build(tmp_path):
    manual = _copy_dummy(tmp_path)
    shutil.copy(manual / "male" / "M01N01.wav", manual / "male" / "M01N01 (copy).wav")
    with pytest.raises(ValueError, match="not a ShEMO file name"):
        _build(tmp_path / "data", manual)


def test_undecodable_file_names_it(tmp_path):
    manual = _copy_dummy(tmp_path)
    bad = manual / "male" / "M21F01.wav"
    bad.write_text("not a wav file\n" * 10)
    with pytest.raises(AudioError, match="cannot decode") as info:
        _build(tmp_path / "data", manual)
    assert str(bad) in str(info.value)


def test_too_short_file_names_it(tmp_path):
    manual = _copy_dummy(tmp_path)
    bad = manual / "female" / "F01A01.wav"
    sf.write(bad, np.full(441, 1000, np.int16), 44100, subtype="PCM_16")
    with pytest.raises(AudioError, match="too short") as info:
        _build(tmp_path / "data", manual)
    assert str(bad) in str(info.value)


if __name__ == "__main__":
    tfds.testing.test_main()
