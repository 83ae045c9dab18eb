"""Tests of the portuguese builder over dummy_data/ (see make_dummy_data.py)."""

import math
import shutil
import zipfile
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError
from data_builders.portuguese import portuguese_dataset_builder as pt

DUMMY = Path(__file__).resolve().parent / "dummy_data"
SENTS, PSEUDO = "Castro-BRM-2010 Sents", "Castro-BRM-2010 Pseudosents"


class PortugueseTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = pt.Builder
    SPLITS = {"speaker_A": 3, "speaker_B": 3}


def _build(data_dir, manual_dir):
    builder = pt.Builder(data_dir=str(data_dir))
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


def test_labels_and_appendices(tmp_path):
    builder = _build(tmp_path / "data", DUMMY)
    features = builder.info.features
    assert features["emotion"].names == list(pt.EMOTIONS)
    examples = _examples(builder)
    assert len(examples) == 6
    angry = examples["12sA_angry3.wav"]
    assert features["emotion"].int2str(angry["emotion"]) == "angry"
    assert features["sentence_type"].int2str(angry["sentence_type"]) == "sentence"
    assert angry["speaker"] == b"A"
    assert angry["sentence"] == b"oQuadro"
    assert angry["transcript"].decode() == "O quadro está na parede"
    assert angry["intensity"] == pytest.approx(5.6)  # "5,6": decimal comma.
    fear = examples["12pA_fear1.wav"]
    assert features["sentence_type"].int2str(fear["sentence_type"]) == "pseudosentence"
    assert fear["transcript"].decode() == "O juadre está na pafêne"
    unlisted = examples["9pB_sad1.wav"]
    assert unlisted["sentence"] == b"" and math.isnan(unlisted["intensity"])
    # 0.2 s at 44.1 kHz -> 3200 samples at 16 kHz.
    assert all(ex["audio"].shape == (3200,) for ex in examples.values())


def test_the_two_archives(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    # The Sents archive holds its folder; the Pseudosents one its files.
    with zipfile.ZipFile(manual / pt.ZIP_NAMES[0], "w") as zf:
        for path in sorted((DUMMY / SENTS).iterdir()):
            zf.write(path, f"{SENTS}/{path.name}")
    with zipfile.ZipFile(manual / pt.ZIP_NAMES[1], "w") as zf:
        for path in sorted((DUMMY / PSEUDO).iterdir()):
            zf.write(path, path.name)
    examples = _examples(_build(tmp_path / "data", manual))
    assert len(examples) == 6
    assert examples["5pB_happy2.wav"]["sentence"] == b"oLao"


def test_archives_beside_their_extracted_content_count_once(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    with zipfile.ZipFile(manual / pt.ZIP_NAMES[1], "w") as zf:
        for path in sorted((DUMMY / PSEUDO).iterdir()):
            zf.write(path, path.name)
    assert _build(tmp_path / "data", manual).info.splits.total_num_examples == 6


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
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    shutil.copy(manual / SENTS / "12sA_angry3.wav", manual / SENTS / "12sA_angry.wav")
    with pytest.raises(ValueError, match="12sA_angry.wav: not a Castro"):
        _build(tmp_path / "data", manual)


def test_undecodable_file_names_it(tmp_path):
    manual = tmp_path / "manual"
    shutil.copytree(DUMMY, manual)
    bad = manual / PSEUDO / "5pB_happy2.wav"
    bad.write_bytes(b"garbage" * 20)
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
    assert "Castro-BRM-2010 Sents.zip" in str(info.value)


def test_no_manual_dir(tmp_path):
    builder = pt.Builder(data_dir=str(tmp_path / "data"))
    with pytest.raises(ManualDirError, match="not downloaded automatically"):
        builder.download_and_prepare()


def test_manual_dir_without_corpus(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match="No Castro & Lima .wav files"):
        _build(tmp_path / "data", manual)


if __name__ == "__main__":
    tfds.testing.test_main()
