"""Tests of the msp_improv builder over dummy_data/ (see make_dummy_data.py)."""

import math
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds
from etils import epath

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.msp_improv import msp_improv_dataset_builder as msp

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class MspImprovFourClassTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = msp.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["four_class"]
    # X (no agreement) and O (other) left out.
    SPLITS = {"speaker_F01": 2, "speaker_M01": 1, "speaker_F02": 1, "speaker_M02": 3}


class MspImprovAllCategoriesTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = msp.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["all_categories"]
    SPLITS = {"speaker_F01": 2, "speaker_M01": 2, "speaker_F02": 1, "speaker_M02": 3}


# --- Parsing -------------------------------------------------------------


def test_turn_name_speaker_is_the_first_letter_of_the_last_field():
    assert msp.parse_turn_name("MSP-IMPROV-S01A-F01-S-MF03") == {
        "session": "1",
        "speaker": "M01",
        "gender": "male",
        "target_actor": "F01",
        "sentence": "01",
        "target_emotion": "angry",
        "scenario": "other_improvised",
    }
    read = msp.parse_turn_name("MSP-IMPROV-S20N-F06-R-FF01")
    assert (read["speaker"], read["scenario"], read["session"]) == (
        "F06",
        "target_read",
        "6",
    )
    assert msp.parse_turn_name("MSP-IMPROV-S08H-M05-P-FM12")["scenario"] == (
        "natural_interaction"
    )
    assert msp.parse_turn_name("MSP-IMPROV-S08S-M05-T-MF01")["target_emotion"] == "sad"
    for bad in (
        "UTD-IMPROV-S01A-F01-S-MF03",
        "MSP-IMPROV-S01X-F01-S-MF03",
        "MSP-IMPROV-S01A-F07-S-MF03",
        "MSP-IMPROV-S01A-F01-Q-MF03",
    ):
        with pytest.raises(ValueError, match="MSP-IMPROV"):
            msp.parse_turn_name(bad)


def test_evaluation_entries():
    text = (
        "UTD-IMPROV-S01A-F01-P-FM01.avi; N; A:2.833333; V:3.166667; "
        "D:NaN ; N:3.500000;\n"
        "p1-1; Neutral; Calm; A:3.000000; V:3.000000; D:3.000000; N:4.000000;\n"
        "\n"
        "UTD-IMPROV-S01A-F01-P-MF01.avi; X; A:3.0; V:3.0; D:3.0 ; N:NaN;\n"
    )
    entries = msp.parse_evaluation(text)
    assert list(entries) == ["MSP-IMPROV-S01A-F01-P-FM01", "MSP-IMPROV-S01A-F01-P-MF01"]
    first = entries["MSP-IMPROV-S01A-F01-P-FM01"]
    assert first["consensus"] == "N" and first["arousal"] == 2.833333
    assert first["valence"] == 3.166667 and math.isnan(first["dominance"])
    assert entries["MSP-IMPROV-S01A-F01-P-MF01"]["consensus"] == "X"
    with pytest.raises(ValueError, match="e.txt:1: not an Evaluation.txt entry"):
        msp.parse_evaluation("UTD-IMPROV-S01A-F01-P-FM01.avi; N\n", "e.txt")
    with pytest.raises(ValueError, match="unknown consensus letter 'Q'"):
        msp.parse_evaluation(text.replace("; X;", "; Q;"))
    with pytest.raises(ValueError, match="listed twice"):
        msp.parse_evaluation(text + text)


def test_list_turns_reads_the_dummy_tree():
    turns = msp.list_turns(epath.Path(DUMMY))
    assert len(turns) == 9  # X included.
    by_name = {Path(rel).stem: labels for rel, labels in turns}
    turn = by_name["MSP-IMPROV-S02H-M02-S-FM01"]
    assert (turn["speaker"], turn["target_actor"], turn["gender"]) == (
        "F02",
        "M02",
        "female",
    )
    assert turn["consensus"] == "N" and math.isnan(turn["dominance"])
    assert dict(turns)["session1/S01A/T/MSP-IMPROV-S01A-F01-T-FM01.wav"][
        "naturalness"
    ] == pytest.approx(3.4)


def test_every_emotion_name_is_in_the_config():
    for config in msp.CONFIGS:
        assert set(config.code_to_emotion.values()) == set(config.emotions)


# --- Builds from other layouts, errors -------------------------------------


def test_features_of_a_built_turn(tmp_path):
    builder = testing.build(msp.Builder, DUMMY, tmp_path / "data", "all_categories")
    examples = testing.examples_by(builder, keep_audio=True)
    assert len(examples) == 8
    ex = examples["session2/S02H/S/MSP-IMPROV-S02H-M02-S-FM01.wav"]
    assert ex["speaker"] == "F02" and ex["target_actor"] == "M02"
    assert ex["session"] == "2" and ex["sentence"] == "02"
    assert ex["gender"] == "female"
    assert ex["emotion"] == "neutral"
    assert ex["target_emotion"] == "happy"
    assert ex["scenario"] == "other_improvised"
    assert ex["consensus"] == "N" and np.isnan(ex["dominance"])
    assert ex["arousal"] == np.float32(3.0) and ex["naturalness"] == np.float32(4.2)
    # 0.15 s at 48 kHz -> 16 kHz; the stereo clip is down-mixed.
    stereo = examples["session2/S01A/R/MSP-IMPROV-S01A-M02-R-MM01.wav"]
    assert stereo["audio"].dtype == np.int16 and stereo["audio"].shape == (2400,)
    other = examples["session1/S02H/S/MSP-IMPROV-S02H-M01-S-MF01.wav"]
    assert other["emotion"] == "other"


def test_build_from_an_archive_with_audio_folder_and_misspelt_labels(tmp_path):
    # The release zipped in a parent folder, wavs under Audio/, the label
    # file spelt Evalution.txt.
    manual = tmp_path / "manual"
    manual.mkdir()
    with zipfile.ZipFile(manual / "MSP-IMPROV release.zip", "w") as zf:
        for path in sorted(DUMMY.rglob("*")):
            rel = path.relative_to(DUMMY).as_posix()
            if rel == "Evaluation.txt":
                rel = "Evalution.txt"
            elif rel.startswith("session"):
                rel = f"Audio/{rel}"
            zf.write(path, f"MSP-IMPROV/{rel}")
    examples = testing.examples_by(
        testing.build(msp.Builder, manual, tmp_path / "data")
    )
    assert len(examples) == 7
    assert "Audio/session1/S01A/T/MSP-IMPROV-S01A-F01-T-FM01.wav" in examples


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        msp.Builder, tmp_path, "Evaluation.txt"
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        msp.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_the_corpus(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / "session1", manual / "session1")  # No Evaluation.txt.
    with pytest.raises(ManualDirError, match="No Evaluation.txt beside session1/"):
        testing.build(msp.Builder, manual, tmp_path / "data")


def test_missing_wav_is_named(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    (manual / "session2/S02H/P/MSP-IMPROV-S02H-F02-P-MF02.wav").unlink()
    testing.assert_build_fails_naming(
        msp.Builder,
        manual,
        tmp_path / "data",
        "MSP-IMPROV-S02H-F02-P-MF02.wav",
        ManualDirError,
        match="1 turns of Evaluation.txt have no wav",
    )


def test_wav_in_another_sessions_folder_is_an_error(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    wav = "S02H/P/MSP-IMPROV-S02H-F02-P-MF02.wav"
    (manual / "session1/S02H/P").mkdir(parents=True)
    (manual / "session2" / wav).rename(manual / "session1" / wav)
    with pytest.raises(ValueError, match="another session's folder"):
        testing.build(msp.Builder, manual, tmp_path / "data")


def test_undecodable_wav_fails_naming_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "session1/S01A/P/MSP-IMPROV-S01A-F01-P-FM01.wav"
    bad.write_bytes(b"RIFF not really a wav file" * 10)
    testing.assert_build_fails_naming(msp.Builder, manual, tmp_path / "data", bad)


if __name__ == "__main__":
    tfds.testing.test_main()
