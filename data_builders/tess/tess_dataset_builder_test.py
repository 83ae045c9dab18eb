"""Tests of the tess builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
import zipfile
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.tess import tess_dataset_builder as tess

DUMMY = Path(__file__).resolve().parent / "dummy_data"
# Per-emotion folder names of the common re-packaging (irregular case).
FOLDERS = {
    "angry": "angry",
    "ps": "Pleasant_surprise",
    "neutral": "neutral",
    "fear": "fear",
    "sad": "sad",
}


class TessTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = tess.Builder
    SPLITS = {"speaker_OAF": 4, "speaker_YAF": 2}


def _per_emotion_folders(dst: Path):
    """TESS Toronto emotional speech set data/OAF_angry/OAF_back_angry.wav."""
    for wav in sorted(DUMMY.glob("*.wav")):
        speaker, _, emotion = wav.stem.split("_")
        folder = dst / f"{speaker.replace('OA', 'OAF', 1)[:3]}_{FOLDERS[emotion]}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(wav, folder / wav.name)


def test_flat_release(tmp_path):
    builder = testing.build(tess.Builder, DUMMY, tmp_path / "data")
    assert builder.info.features["emotion"].names == [
        "anger",
        "disgust",
        "fear",
        "happiness",
        "pleasant_surprise",
        "sadness",
        "neutral",
    ]
    examples = testing.examples_by(builder)
    ps = examples["OAF_bite_ps.wav"]
    assert ps["emotion"] == "pleasant_surprise"
    assert ps["speaker"] == "OAF" and ps["age"] == 64
    assert ps["word"] == "bite" and ps["transcript"] == "Say the word bite"
    assert examples["YAF_germ_sad.wav"]["age"] == 26
    misnamed = examples["OA_bite_neutral.wav"]
    assert misnamed["speaker"] == "OAF" and misnamed["word"] == "bite"
    for ex in examples.values():
        assert ex["gender"] == "female"
        # 0.2 s at 24414 Hz and at 96 kHz: 3200 samples at 16 kHz.
        assert ex["num_samples"] == 3200


def test_per_emotion_folders_with_a_duplicate_copy(tmp_path):
    # Kaggle's TESS holds the per-emotion folders twice, one copy nested in
    # a second top folder.
    manual = tmp_path / "manual"
    top = "TESS Toronto emotional speech set data"
    _per_emotion_folders(manual / top)
    _per_emotion_folders(manual / top.lower() / top)
    builder = testing.build(tess.Builder, manual, tmp_path / "data")
    examples = testing.examples_by(builder)
    assert len(examples) == 6  # Not 12.
    assert f"{top}/OAF_Pleasant_surprise/OAF_bite_ps.wav" in examples
    assert f"{top}/OAF_neutral/OA_bite_neutral.wav" in examples
    assert builder.info.splits["speaker_OAF"].num_examples == 4


def test_misnamed_and_corrected_copies_count_once(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual / "release")
    (manual / "fixed").mkdir()
    shutil.copy(DUMMY / "OA_bite_neutral.wav", manual / "fixed/OAF_bite_neutral.wav")
    files = tess.list_files(manual)
    assert len(files["OAF"]) == 4
    bite = [rel for rel, labels in files["OAF"] if labels["word"] == "bite"]
    assert len(bite) == 2  # bite_ps and one copy of bite_neutral.
    assert "fixed/OAF_bite_neutral.wav" in bite


def test_root_is_the_single_folder_holding_the_files(tmp_path):
    manual = tmp_path / "manual"
    _per_emotion_folders(manual / "TESS")
    assert tess.find_corpus_root(manual) == manual / "TESS"
    files = tess.list_files(manual / "TESS")
    assert [rel for rel, _ in files["YAF"]] == [
        "YAF_fear/YAF_dog_fear.wav",
        "YAF_sad/YAF_germ_sad.wav",
    ]


def test_dataverse_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    with zipfile.ZipFile(manual / "dataverse_files.zip", "w") as zf:
        for wav in sorted(DUMMY.glob("*.wav")):
            zf.write(wav, wav.name)
        zf.writestr("MANIFEST.TXT", "files\n")
    builder = testing.build(tess.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 6


def test_parse_file_name():
    assert tess.parse_file_name("YAF_Raid_Fear.wav") == {
        "emotion": "fear",
        "speaker": "YAF",
        "gender": "female",
        "age": 26,
        "word": "raid",
        "transcript": "Say the word raid",
    }
    with pytest.raises(ValueError, match="unknown TESS emotion 'calm'"):
        tess.parse_file_name("OAF_back_calm.wav")
    with pytest.raises(ValueError, match="unknown TESS emotion 'pleasant_surprise'"):
        tess.parse_file_name("OAF_back_pleasant_surprise.wav")
    with pytest.raises(ValueError, match="not a TESS file name"):
        tess.parse_file_name("MAF_back_angry.wav")
    assert tess.parse_file_name("OA_bite_neutral.wav")["speaker"] == "OAF"
    with pytest.raises(ValueError, match="unknown TESS speaker OA"):
        tess.parse_file_name("OA_back_neutral.wav")


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "YAF_germ_sad.wav"
    bad.write_bytes(b"\0" * 100)
    testing.assert_build_fails_naming(tess.Builder, manual, tmp_path / "data", bad)


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        tess.Builder, tmp_path, "dataverse_files.zip"
    )


def test_no_manual_dir(tmp_path):
    testing.assert_no_manual_dir_fails(
        tess.Builder, tmp_path, "not downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "song.wav").write_bytes(b"RIFF")
    with pytest.raises(ManualDirError, match="No TESS .wav files"):
        testing.build(tess.Builder, manual, tmp_path / "data")


if __name__ == "__main__":
    tfds.testing.test_main()
