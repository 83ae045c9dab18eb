"""Tests of the portuguese builder over dummy_data/ (see make_dummy_data.py)."""

import math
import shutil
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.portuguese import portuguese_dataset_builder as pt

DUMMY = Path(__file__).resolve().parent / "dummy_data"
SENTS, PSEUDO = "Castro-BRM-2010 Sents", "Castro-BRM-2010 Pseudosents"


class PortugueseTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = pt.Builder
    SPLITS = {"speaker_A": 3, "speaker_B": 3}


def test_labels_and_appendices(tmp_path):
    builder = testing.build(pt.Builder, DUMMY, tmp_path / "data")
    assert builder.info.features["emotion"].names == list(pt.EMOTIONS)
    examples = testing.examples_by(builder)
    assert len(examples) == 6
    angry = examples["12sA_angry3.wav"]
    assert angry["emotion"] == "angry"
    assert angry["sentence_type"] == "sentence"
    assert angry["speaker"] == "A"
    assert angry["sentence"] == "oQuadro"
    assert angry["transcript"] == "O quadro está na parede"
    assert angry["intensity"] == pytest.approx(5.6)  # "5,6": decimal comma.
    fear = examples["12pA_fear1.wav"]
    assert fear["sentence_type"] == "pseudosentence"
    assert fear["transcript"] == "O juadre está na pafêne"
    unlisted = examples["9pB_sad1.wav"]
    assert unlisted["sentence"] == "" and math.isnan(unlisted["intensity"])
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert all(ex["num_samples"] == 3200 for ex in examples.values())


def test_the_two_archives(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    # The Sents archive holds its folder; the Pseudosents one its files.
    testing.zip_tree(DUMMY / SENTS, manual / pt.ZIP_NAMES[0], f"{SENTS}/")
    testing.zip_tree(DUMMY / PSEUDO, manual / pt.ZIP_NAMES[1])
    examples = testing.examples_by(testing.build(pt.Builder, manual, tmp_path / "data"))
    assert len(examples) == 6
    assert examples["5pB_happy2.wav"]["sentence"] == "oLao"


def test_archives_beside_their_extracted_content_count_once(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    testing.zip_tree(DUMMY / PSEUDO, manual / pt.ZIP_NAMES[1])
    builder = testing.build(pt.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 6


def test_flat_folder_with_renamed_appendices(tmp_path):
    # As nkululeko's instructions leave it: one folder, appendix names
    # without the leading space.
    manual = tmp_path / "PORTUGUESE"
    manual.mkdir()
    for path in DUMMY.glob("*/*"):
        shutil.copy(path, manual / path.name.strip())
    wavs, appendices = pt.find_files([manual])
    assert sorted(p.name for p in appendices) == sorted(pt.APPENDICES)
    files = pt.label_files(wavs, appendices)
    assert {rel for rel, _ in files["B"]} == {
        "3sB_neutral1.wav",
        "5pB_happy2.wav",
        "9pB_sad1.wav",
    }


def test_read_appendix(tmp_path):
    appendix = tmp_path / "Castro_2010_AppxB_Sents.txt"
    appendix.write_bytes(
        "t\n\n\n\n\nN\tStimulus \tContent\tIntensity (1-7)\n"
        "1\t1sA_happy1\tnovoCodigo\t6,25\n\n2\t\t\t\n3\t2sA_sad1\toCao\t-\n".encode(
            "cp1252"
        )
    )
    table = pt.read_appendix(appendix)
    assert set(table) == {"1sA_happy1", "2sA_sad1"}
    assert table["1sA_happy1"] == {
        "sentence": "novoCodigo",
        "transcript": "novoCodigo",  # Unknown code: kept as is.
        "intensity": 6.25,
    }
    assert table["2sA_sad1"]["transcript"] == "O cão trouxe a bola"
    assert math.isnan(table["2sA_sad1"]["intensity"])
    appendix.write_text("no header here\n")
    with pytest.raises(ValueError, match="no header row"):
        pt.read_appendix(appendix)


def test_parse_file_name():
    assert pt.parse_file_name("190sB_disgust12.wav") == {
        "emotion": "disgust",
        "speaker": "B",
        "gender": "female",
        "sentence_type": "sentence",
    }
    with pytest.raises(ValueError, match="unknown emotion 'joy'"):
        pt.parse_file_name("1sA_joy1.wav")
    with pytest.raises(ValueError, match="not a Castro & Lima file name"):
        pt.parse_file_name("1sC_sad1.wav")


def test_near_miss_name_fails_naming_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(manual / SENTS / "12sA_angry3.wav", manual / SENTS / "12sA_angry.wav")
    with pytest.raises(ValueError, match="12sA_angry.wav: not a Castro"):
        testing.build(pt.Builder, manual, tmp_path / "data")


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / PSEUDO / "5pB_happy2.wav"
    bad.write_bytes(b"garbage" * 20)
    testing.assert_build_fails_naming(pt.Builder, manual, tmp_path / "data", bad)


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        pt.Builder, tmp_path, "Castro-BRM-2010 Sents.zip"
    )


def test_no_manual_dir(tmp_path):
    testing.assert_no_manual_dir_fails(
        pt.Builder, tmp_path, "not downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        pt.Builder, tmp_path, "No Castro & Lima .wav files"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
