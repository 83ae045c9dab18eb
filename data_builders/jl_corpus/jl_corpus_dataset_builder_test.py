"""Tests of the jl_corpus builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.jl_corpus import jl_corpus_dataset_builder as jl

DUMMY = Path(__file__).resolve().parent / "dummy_data"
RAW = "Raw JL corpus (unchecked and unannotated)"
FOLDER = f"{RAW}/JL(wav+txt)"


class JlCorpusTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = jl.Builder
    SPLITS = {
        "speaker_female1": 2,
        "speaker_female2": 1,
        "speaker_male1": 1,
        "speaker_male2": 1,
    }


def test_labels_and_transcripts(tmp_path):
    builder = testing.build(jl.Builder, DUMMY, tmp_path / "data")
    assert builder.info.features["emotion"].names == list(jl.EMOTIONS)
    examples = testing.examples_by(builder)
    assert len(examples) == 5
    anxious = examples["female1_anxious_1b_2.wav"]  # Root: the JL(wav+txt) folder.
    assert anxious["emotion"] == "anxious"
    assert anxious["emotion_type"] == "secondary"
    assert anxious["gender"] == "female"
    assert anxious["speaker"] == "female1"
    assert anxious["sentence_id"] == "1b" and anxious["take"] == 2
    assert anxious["transcript"] == "Placeholder sentence 2."
    male = examples["male1_neutral_15b_2.wav"]
    assert male["gender"] == "male"
    assert male["emotion_type"] == "primary"
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert all(ex["num_samples"] == 3200 for ex in examples.values())


def test_partial_lower_case_copy_is_not_counted_twice(tmp_path):
    # The Kaggle upload also has "raw jl corpus (unchecked and unannotated)/
    # JL(wav+txt)/" holding some of the files again.
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / FOLDER, manual / FOLDER)
    partial = manual / RAW.lower() / "JL(wav+txt)"
    partial.mkdir(parents=True)
    for name in ("female1_angry_10a_1.wav", "female1_angry_10a_1.txt"):
        shutil.copy(manual / FOLDER / name, partial / name)
    (manual / "perception test").mkdir()
    (manual / "perception test" / "survey.pdf").write_bytes(b"%PDF")
    assert jl.find_corpus_root(manual) == manual
    files = jl.list_files(manual)
    assert sum(len(f) for f in files.values()) == 5
    assert [rel for rel, _ in files["female1"]] == [
        f"{FOLDER}/female1_angry_10a_1.wav",
        f"{FOLDER}/female1_anxious_1b_2.wav",
    ]


@pytest.mark.parametrize("zip_name", jl.ZIP_NAMES)
def test_archives(tmp_path, zip_name):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(DUMMY, manual / zip_name)
    builder = testing.build(jl.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 5


def test_missing_transcript_is_empty(tmp_path):
    manual = testing.copy_tree(DUMMY / FOLDER, tmp_path)
    (manual / "male2_encouraging_3a_1.txt").unlink()
    (manual / "female2_excited_5a_1.txt").write_bytes("caf\xe9 \n".encode("latin-1"))
    files = {rel: labels for f in jl.list_files(manual).values() for rel, labels in f}
    assert files["male2_encouraging_3a_1.wav"]["transcript"] == ""
    assert files["female2_excited_5a_1.wav"]["transcript"] == "caf\xe9"


def test_parse_file_name():
    assert jl.parse_file_name("male2_concerned_12b_1.wav") == {
        "emotion": "concerned",
        "emotion_type": "secondary",
        "speaker": "male2",
        "gender": "male",
        "sentence_id": "12b",
        "take": 1,
    }
    with pytest.raises(ValueError, match="unknown JL-Corpus emotion 'bored'"):
        jl.parse_file_name("male2_bored_12b_1.wav")
    with pytest.raises(ValueError, match="not a JL-Corpus file name"):
        jl.parse_file_name("male2_sad_12c_1.wav")


def test_odd_name_in_the_folder_fails_naming_it(tmp_path):
    manual = testing.copy_tree(DUMMY / FOLDER, tmp_path)
    shutil.copy(manual / "male1_neutral_15b_2.wav", manual / "male1_neutral_15b.wav")
    with pytest.raises(ValueError, match="male1_neutral_15b.wav: not a JL"):
        testing.build(jl.Builder, manual, tmp_path / "data")


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / FOLDER / "male1_neutral_15b_2.wav"
    bad.write_text("not audio\n")
    testing.assert_build_fails_naming(jl.Builder, manual, tmp_path / "data", bad)


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        jl.Builder, tmp_path, "JL(wav+txt)"
    )


def test_no_manual_dir(tmp_path):
    testing.assert_no_manual_dir_fails(jl.Builder, tmp_path, "Kaggle needs an account")


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        jl.Builder, tmp_path, "No JL-Corpus .wav files"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
