"""Tests of the shemo builder over dummy_data/ (see make_dummy_data.py)."""

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds

from data_builders import testing
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
    builder = testing.build(shemo.Builder, DUMMY, tmp_path / "data")
    examples = testing.examples_by(builder, keep_audio=True)
    assert set(examples) == {
        "female/F01A01.wav",
        "female/F01S23.wav",
        "female/F03F01.wav",
        "male/M01N01.wav",
        "male/M21F01.wav",
        "male/M46A03.wav",
    }
    fear = examples["female/F03F01.wav"]
    assert fear["emotion"] == "fear" and fear["gender"] == "female"
    assert fear["speaker"] == "F03"
    assert examples["male/M46A03.wav"]["emotion"] == "anger"
    # Transcripts from shemo.json, byte-order mark removed; none for F01S23.
    assert examples["female/F01A01.wav"]["transcript"] == "جمله نمونه 0"
    assert examples["female/F01A01.wav"]["transcript_ipa"] == "jomleye nemune 0"
    assert examples["female/F01S23.wav"]["transcript"] == ""
    # 0.2 s at 44.1 kHz and at 22.05 kHz: 3200 samples at 16 kHz.
    for ex in examples.values():
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_list_layout_of_shemo_json(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    data = json.loads((manual / "shemo.json").read_text(encoding="utf-8"))
    records = [{"id": key, **value} for key, value in data.items()]
    # With a byte-order mark at the start of the file too.
    (manual / "shemo.json").write_text("\ufeff" + json.dumps(records), encoding="utf-8")
    transcripts = shemo.load_transcripts(shemo.epath.Path(manual / "shemo.json"))
    assert transcripts["M21F01"] == ("جمله نمونه 4", "jomleye nemune 4")
    assert "F01S23" not in transcripts


def test_without_shemo_json_transcripts_are_empty(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    (manual / "shemo.json").unlink()
    examples = testing.examples_by(
        testing.build(shemo.Builder, manual, tmp_path / "data")
    )
    assert len(examples) == 6
    assert all(ex["transcript"] == "" for ex in examples.values())


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
    examples = testing.examples_by(
        testing.build(shemo.Builder, manual, tmp_path / "data")
    )
    assert len(examples) == 6
    assert "male/M46A03.wav" in examples and "female/F03F01.wav" in examples
    assert examples["male/M21F01.wav"]["transcript"] == "جمله نمونه 4"


def test_nested_folder_and_one_sex_only(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / "female", manual / "ShEMO" / "female")
    builder = testing.build(shemo.Builder, manual, tmp_path / "data")
    assert list(builder.info.splits) == ["speaker_F01", "speaker_F03"]


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        shemo.Builder, tmp_path, "female.zip"
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        shemo.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        shemo.Builder, tmp_path, "No female/ or male/ folder"
    )


def test_bad_name_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(manual / "male" / "M01N01.wav", manual / "male" / "M01N01 (copy).wav")
    with pytest.raises(ValueError, match="not a ShEMO file name"):
        testing.build(shemo.Builder, manual, tmp_path / "data")


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "male" / "M21F01.wav"
    bad.write_text("not a wav file\n" * 10)
    testing.assert_build_fails_naming(
        shemo.Builder, manual, tmp_path / "data", bad, match="cannot decode"
    )


def test_too_short_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "female" / "F01A01.wav"
    sf.write(bad, np.full(441, 1000, np.int16), 44100, subtype="PCM_16")
    testing.assert_build_fails_naming(
        shemo.Builder, manual, tmp_path / "data", bad, match="too short"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
