"""Tests of the iemocap builder over dummy_data/ (see make_dummy_data.py)."""

import collections
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds
from etils import epath

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.iemocap import iemocap_dataset_builder as iemocap

DUMMY = Path(__file__).resolve().parent / "dummy_data"
ROOT = DUMMY / "IEMOCAP_full_release"


class IemocapFourClassTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = iemocap.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["four_class"]
    # xxx, fru, oth, sur, fea, dis left out; exc counted as happy.
    SPLITS = {
        "speaker_Ses01F": 3,
        "speaker_Ses01M": 2,
        "speaker_Ses02F": 1,
        "speaker_Ses02M": 2,
    }


class IemocapImprovisedTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = iemocap.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["four_class_improvised"]
    SPLITS = {
        "speaker_Ses01F": 2,
        "speaker_Ses01M": 1,
        "speaker_Ses02F": 1,
        "speaker_Ses02M": 1,
    }


class IemocapAllCategoriesTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = iemocap.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["all_categories"]
    SPLITS = {
        "speaker_Ses01F": 3,
        "speaker_Ses01M": 4,
        "speaker_Ses02F": 3,
        "speaker_Ses02M": 3,
    }


# --- Parsing -------------------------------------------------------------


def test_speaker_is_the_actor_of_the_last_field():
    assert iemocap.parse_utterance_name("Ses01F_impro01_M000") == {
        "session": "1",
        "dialog": "Ses01F_impro01",
        "speaker": "Ses01M",
        "gender": "male",
        "scenario": "improvised",
    }
    labels = iemocap.parse_utterance_name("Ses05M_script02_2_F017")
    assert labels["speaker"] == "Ses05F" and labels["gender"] == "female"
    assert labels["dialog"] == "Ses05M_script02_2"
    assert labels["scenario"] == "scripted" and labels["session"] == "5"
    # Dialog names with a letter suffix keep it.
    assert iemocap.parse_utterance_name("Ses03M_impro05b_F001")["dialog"] == (
        "Ses03M_impro05b"
    )
    for bad in ("Ses01F_impro01_MXX0", "Ses06F_impro01_F000", "foo.wav"):
        with pytest.raises(ValueError, match="IEMOCAP"):
            iemocap.parse_utterance_name(bad)


def test_emo_evaluation_header_lines():
    text = (
        "% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]\n\n"
        "[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, 2.5000, 2.5000]\n"
        "C-E2:\tNeutral;\t()\n"
        "A-E3:\tval 3; act 2; dom  2;\t()\n\n"
        "[10.01 - 11.3925]\tSes01F_impro01_M000\txxx\t[1.5000, 3.0000, 4.0000]\n"
    )
    items = iemocap.parse_emo_evaluation(text)
    assert [(i["utterance"], i["code"]) for i in items] == [
        ("Ses01F_impro01_F000", "neu"),
        ("Ses01F_impro01_M000", "xxx"),
    ]
    assert (items[1]["valence"], items[1]["activation"], items[1]["dominance"]) == (
        1.5,
        3.0,
        4.0,
    )
    with pytest.raises(ValueError, match="x.txt:1: not an EmoEvaluation header"):
        iemocap.parse_emo_evaluation("[6.29 - 8.23] Ses01F_impro01_F000 neu\n", "x.txt")


def test_transcriptions_skip_overlap_lines():
    text = (
        "Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me.\n"
        "Ses01F_script01_1_MXX0 [010.0000-011.0000]: [LAUGHTER]\n"
        "M: not a transcript line\n"
    )
    assert iemocap.parse_transcriptions(text) == {"Ses01F_impro01_F000": "Excuse me."}


def test_list_utterances_reads_the_dummy_tree():
    utterances = iemocap.list_utterances(epath.Path(ROOT))
    assert len(utterances) == 14  # Every header line, xxx included.
    by_name = {Path(rel).stem: labels for rel, labels in utterances}
    exc = by_name["Ses01F_impro01_M000"]
    assert exc["consensus"] == "exc" and exc["speaker"] == "Ses01M"
    assert exc["transcript"] == "Do you have your forms?"
    assert (exc["valence"], exc["activation"], exc["dominance"]) == (4.0, 3.5, 3.0)
    # Windows-1252 transcription.
    assert (
        by_name["Ses02F_impro02_F000"]["transcript"] == "I don\u2019t want you to go."
    )
    scripted = by_name["Ses01M_script01_1_F000"]
    assert (scripted["speaker"], scripted["scenario"]) == ("Ses01F", "scripted")
    assert utterances[0][0] == (
        "Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav"
    )


def test_configs_select_their_labels():
    utterances = iemocap.list_utterances(epath.Path(ROOT))
    four = iemocap.select(utterances, iemocap.FOUR_CLASS)
    emotions = collections.Counter(
        (labels["consensus"], labels["emotion"])
        for files in four.values()
        for _, labels in files
    )
    assert emotions == {
        ("neu", "neutral"): 2,
        ("hap", "happy"): 1,
        ("exc", "happy"): 1,
        ("ang", "angry"): 2,
        ("sad", "sad"): 2,
    }
    every = iemocap.select(utterances, iemocap.ALL_CATEGORIES)
    codes = {labels["consensus"] for files in every.values() for _, labels in files}
    assert codes == set(iemocap.EMOTION_CODES)  # All but xxx.
    improvised = iemocap.select(utterances, iemocap.FOUR_CLASS_IMPROVISED)
    assert all(
        labels["scenario"] == "improvised"
        for files in improvised.values()
        for _, labels in files
    )


def test_every_emotion_name_is_in_the_config():
    for config in iemocap.CONFIGS:
        assert set(config.code_to_emotion.values()) == set(config.emotions)


# --- Builds from other layouts, errors -------------------------------------


def test_build_from_the_official_archive(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    with tarfile.open(manual / iemocap.ZIP_NAME, "w:gz") as tar:
        for path in sorted(DUMMY.iterdir()):
            tar.add(path, arcname=path.name)
    builder = testing.build(iemocap.Builder, manual, tmp_path / "data")
    examples = testing.examples_by(builder, keep_audio=True)
    assert len(examples) == 8
    ex = examples["Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M000.wav"]
    assert ex["speaker"] == "Ses01M" and ex["session"] == "1"
    assert ex["consensus"] == "exc"
    assert ex["emotion"] == "happy"
    assert ex["gender"] == "male"
    assert ex["scenario"] == "improvised"
    assert ex["dialog"] == "Ses01F_impro01"
    assert ex["transcript"] == "Do you have your forms?"
    assert ex["activation"] == np.float32(3.5)
    assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)


def test_build_from_the_session_folders(tmp_path):
    manual = testing.copy_tree(ROOT, tmp_path)  # Session1/, Session2/ directly.
    builder = testing.build(
        iemocap.Builder, manual, tmp_path / "data", "all_categories"
    )
    assert builder.info.splits.total_num_examples == 13
    assert builder.info.features["emotion"].names == list(
        iemocap.EMOTION_CODES.values()
    )


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        iemocap.Builder, tmp_path, "IEMOCAP_full_release"
    )


def test_no_manual_dir_is_an_error(tmp_path):
    testing.assert_no_manual_dir_fails(
        iemocap.Builder, tmp_path, "cannot be downloaded automatically"
    )


def test_manual_dir_without_sessions(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        iemocap.Builder, tmp_path, "No Session1/"
    )


def test_missing_wav_is_named(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    wav = "Session2/sentences/wav/Ses02F_impro02/Ses02F_impro02_M000.wav"
    (manual / "IEMOCAP_full_release" / wav).unlink()
    testing.assert_build_fails_naming(
        iemocap.Builder,
        manual,
        tmp_path / "data",
        wav,
        ManualDirError,
        match="1 labelled utterances have no wav",
    )


def test_session_without_labels_is_an_error(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.rmtree(manual / "IEMOCAP_full_release/Session2/dialog/EmoEvaluation")
    with pytest.raises(ManualDirError, match="Session2 has no dialog/EmoEvaluation"):
        testing.build(iemocap.Builder, manual, tmp_path / "data")


def test_unknown_consensus_code_is_an_error(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    path = manual / "IEMOCAP_full_release/Session1/dialog/EmoEvaluation"
    path = path / "Ses01F_impro01.txt"
    path.write_text(path.read_text().replace("\tneu\t", "\tjoy\t"))
    with pytest.raises(ValueError, match="unknown consensus code 'joy'"):
        testing.build(iemocap.Builder, manual, tmp_path / "data")


def test_undecodable_wav_fails_naming_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "IEMOCAP_full_release/Session2/sentences/wav/Ses02M_script02_1"
    bad = bad / "Ses02M_script02_1_M000.wav"
    bad.write_bytes(b"RIFF not really a wav file" * 10)
    testing.assert_build_fails_naming(iemocap.Builder, manual, tmp_path / "data", bad)


def test_too_short_wav_fails_naming_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "IEMOCAP_full_release/Session1/sentences/wav/Ses01F_impro01"
    bad = bad / "Ses01F_impro01_F000.wav"
    sf.write(bad, np.full(160, 1000, np.int16), 16000, subtype="PCM_16")
    testing.assert_build_fails_naming(
        iemocap.Builder, manual, tmp_path / "data", bad, match="short"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
