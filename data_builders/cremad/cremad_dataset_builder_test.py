"""Tests of the crema_d builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.cremad import cremad_dataset_builder as crema_d

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class CremaDTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = crema_d.Builder
    # 1076_MTI_SAD_XX.wav is a documented known-bad file: skipped.
    SPLITS = {
        "speaker_1001": 2,
        "speaker_1002": 1,
        "speaker_1040": 1,
        "speaker_1076": 1,
    }


def test_labels_votes_and_demographics(tmp_path):
    builder = testing.build(crema_d.Builder, DUMMY, tmp_path / "data")
    info = builder.info
    assert info.features["emotion"].names == [
        "anger",
        "disgust",
        "fear",
        "happy",
        "neutral",
        "sad",
    ]
    assert info.metadata["skipped_files"] == crema_d.KNOWN_BAD
    examples = testing.examples_by(builder, keep_audio=True)
    assert set(examples) == {
        "AudioWAV/1001_DFA_ANG_XX.wav",
        "AudioWAV/1001_IEO_HAP_HI.wav",
        "AudioWAV/1002_TIE_NEU_XX.wav",
        "AudioWAV/1040_ITH_SAD_X.wav",
        "AudioWAV/1076_ITH_NEU_XX.wav",
    }
    hap = examples["AudioWAV/1001_IEO_HAP_HI.wav"]
    assert hap["emotion"] == "happy"
    assert hap["intensity"] == "high"
    assert hap["gender"] == "male"
    assert hap["speaker"] == "1001" and hap["age"] == 51
    assert hap["sentence"] == "IEO" and hap["transcript"] == "It's eleven o'clock"
    assert hap["race"] == "Caucasian" and hap["ethnicity"] == "Not Hispanic"
    assert hap["voice_vote"] == "tie"  # "F:H"
    assert hap["face_vote"] == "happy"
    old = examples["AudioWAV/1040_ITH_SAD_X.wav"]  # Pre-2022 name.
    assert old["intensity"] == "unspecified"
    assert old["voice_vote"] == "sad"  # Row 1040_ITH_SAD_XX.
    assert old["face_vote"] == "neutral"
    no_row = examples["AudioWAV/1002_TIE_NEU_XX.wav"]
    assert no_row["gender"] == "female"
    assert no_row["voice_vote"] == "unknown"
    for ex in examples.values():
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (4800,)


def test_without_metadata_files(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    (manual / "VideoDemographics.csv").unlink()
    shutil.rmtree(manual / "processedResults")
    examples = testing.examples_by(
        testing.build(crema_d.Builder, manual, tmp_path / "data")
    )
    ex = examples["AudioWAV/1076_ITH_NEU_XX.wav"]
    assert ex["gender"] == "female" and ex["age"] == -1 and ex["race"] == ""
    assert ex["voice_vote"] == "unknown"


def test_newer_repository_layout_and_parent_folder(tmp_path):
    # data/AudioWAV, data/InfoAndStats/processedResults/summaryTable.csv.
    manual = tmp_path / "manual"
    data = manual / "CREMA-D" / "data"
    shutil.copytree(DUMMY / "AudioWAV", data / "AudioWAV")
    (data / "InfoAndStats").mkdir()
    shutil.copytree(
        DUMMY / "processedResults", data / "InfoAndStats" / "processedResults"
    )
    shutil.copy(DUMMY / "VideoDemographics.csv", data / "InfoAndStats")
    examples = testing.examples_by(
        testing.build(crema_d.Builder, manual, tmp_path / "data")
    )
    assert len(examples) == 5
    hap = examples["AudioWAV/1001_IEO_HAP_HI.wav"]
    assert hap["voice_vote"] == "tie" and hap["age"] == 51


def test_old_and_new_name_of_one_clip_count_once(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(
        manual / "AudioWAV" / "1040_ITH_SAD_X.wav",
        manual / "AudioWAV" / "1040_ITH_SAD_XX.wav",
    )
    files = crema_d.list_files(manual)
    assert [rel for rel, _ in files["1040"]] == ["AudioWAV/1040_ITH_SAD_XX.wav"]


def test_parse_file_name():
    assert crema_d.parse_file_name("1091_WSI_DIS_LO.wav") == {
        "emotion": "disgust",
        "speaker": "1091",
        "sentence": "WSI",
        "transcript": "We'll stop in a couple of minutes",
        "intensity": "low",
    }
    for name, match in [
        ("1001_DFA_ANG.wav", "not a CREMA-D file name"),
        ("1092_DFA_ANG_XX.wav", "unknown CREMA-D actor"),
        ("1001_ABC_ANG_XX.wav", "unknown CREMA-D sentence"),
        ("1001_DFA_SUR_XX.wav", "unknown CREMA-D emotion"),
    ]:
        with pytest.raises(ValueError, match=match):
            crema_d.parse_file_name(name)


def test_parse_vote():
    assert crema_d.parse_vote("A") == "anger"
    assert crema_d.parse_vote("N:S") == "tie"
    assert crema_d.parse_vote("") == "unknown"
    assert crema_d.parse_vote(None) == "unknown"


def test_tables():
    assert len(crema_d.ACTORS) == 91 and len(crema_d.FEMALE_ACTORS) == 43
    assert crema_d.FEMALE_ACTORS <= crema_d.ACTORS
    assert len(crema_d.SENTENCES) == 12


def test_git_lfs_stub_names_the_file(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    stub = manual / "AudioWAV" / "1002_TIE_NEU_XX.wav"
    stub.write_text(
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:c6f94b2592487c7556bd86df7df6e8f4420d1b9c11414aeec9d8e5e640b51495\n"
        "size 72862\n"
    )
    testing.assert_build_fails_naming(
        crema_d.Builder, manual, tmp_path / "data", stub, match="git-lfs pointer"
    )


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "AudioWAV" / "1002_TIE_NEU_XX.wav"
    bad.write_bytes(b"RIFF....WAVEjunk" * 4)
    testing.assert_build_fails_naming(crema_d.Builder, manual, tmp_path / "data", bad)


def test_unknown_actor_in_demographics_fails(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    sf.write(
        manual / "AudioWAV" / "1003_DFA_ANG_XX.wav", np.zeros(4800, np.int16), 16000
    )
    with pytest.raises(ValueError, match="1003 is not in VideoDemographics.csv"):
        crema_d.list_files(manual)


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        crema_d.Builder, tmp_path, "AudioWAV/"
    )


def test_no_manual_dir(tmp_path):
    testing.assert_no_manual_dir_fails(
        crema_d.Builder, tmp_path, "not downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        crema_d.Builder, tmp_path, "No AudioWAV/ folder found"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
