"""Tests of the jl_corpus builder over dummy_data/ (see make_dummy_data.py)."""

import shutil
import zipfile
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError
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


def _build(data_dir, manual_dir):
    builder = jl.Builder(data_dir=str(data_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir))
    )
    return builder


def _examples(builder):
    return {
        ex["file_name"].decode(): ex
        for split in builder.info.splits
        for ex in tfds.as_numpy(builder.as_dataset(split=split))
    }


def test_labels_and_transcripts(tmp_path):
    builder = _build(tmp_path / "data", DUMMY)
    features = builder.info.features
    assert features["emotion"].names == list(jl.EMOTIONS)
    examples = _examples(builder)
    assert len(examples) == 5
    anxious = examples["female1_anxious_1b_2.wav"]  # Root: the JL(wav+txt) folder.
    assert features["emotion"].int2str(anxious["emotion"]) == "anxious"
    assert features["emotion_type"].int2str(anxious["emotion_type"]) == "secondary"
    assert features["gender"].int2str(anxious["gender"]) == "female"
    assert anxious["speaker"] == b"female1"
    assert anxious["sentence_id"] == b"1b" and anxious["take"] == 2
    assert anxious["transcript"] == b"Placeholder sentence 2."
    male = examples["male1_neutral_15b_2.wav"]
    assert features["gender"].int2str(male["gender"]) == "male"
    assert features["emotion_type"].int2str(male["emotion_type"]) == "primary"
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert all(ex["audio"].shape == (3200,) for ex in examples.values())


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
    with zipfile.ZipFile(manual / zip_name, "w") as zf:
        for path in sorted(DUMMY.rglob("*")):
            zf.write(path, path.relative_to(DUMMY).as_posix())
    builder = _build(tmp_path / "data", manual)
    assert builder.info.splits.total_num_examples == 5


def test_missing_transcript_is_empty(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / FOLDER, manual)
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
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY / FOLDER, manual)
    shutil.copy(manual / "male1_neutral_15b_2.wav", manual / "male1_neutral_15b.wav")
    with pytest.raises(ValueError, match="male1_neutral_15b.wav: not a JL"):
        _build(tmp_path / "data", manual)


def test_undecodable_file_names_it(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    bad = manual / FOLDER / "male1_neutral_15b_2.wav"
    bad.write_text("not audio\n")
    with pytest.raises(AudioError) as info:
        _build(tmp_path / "data", manual)
    assert str(bad) in str(info.value)


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_missing_or_empty_manual_dir(tmp_path, kind):
    manual = tmp_path / "manual"
    if kind == "empty":
        manual.mkdir()
    with pytest.raises(ManualDirError, match="does not exist or is empty") as info:
        _build(tmp_path / "data", manual)
    assert "JL(wav+txt)" in str(info.value)


def test_no_manual_dir(tmp_path):
    builder = jl.Builder(data_dir=str(tmp_path / "data"))
    with pytest.raises(ManualDirError, match="Kaggle needs an account"):
        builder.download_and_prepare()


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "readme.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No JL-Corpus .wav files"):
        _build(tmp_path / "data", manual)


if __name__ == "__main__":
    tfds.testing.test_main()
