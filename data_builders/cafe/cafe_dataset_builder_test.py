"""Tests of the cafe builder over dummy_data/ (see make_dummy_data.py)."""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.cafe import cafe_dataset_builder as cafe

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class CafeTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = cafe.Builder
    # 48 kHz WAV (actors 01, 02) and 192 kHz AIFF (actor 07).
    SPLITS = {"speaker_01": 2, "speaker_02": 2, "speaker_07": 1}


def test_parse_file_name():
    assert cafe.parse_file_name("01-C-2-1.wav") == {
        "emotion": "colère",
        "speaker": "01",
        "gender": "male",
        "intensity": "fort",
        "sentence": 1,
        "text": "Un cheval fou dans mon jardin",
    }
    # Neutral: AA-N-1-S in the 48 kHz release, AA-N-S in the 192 kHz one.
    for name in ("12-N-1-4.wav", "12-N-4.aiff"):
        labels = cafe.parse_file_name(name)
        assert labels["emotion"] == "neutre" and labels["intensity"] == "none"
        assert labels["sentence"] == 4 and labels["gender"] == "female"
    assert cafe.parse_file_name("06-D-1-3.aiff")["intensity"] == "faible"
    for name, error in [
        ("readme.wav", "not a CaFE file name"),
        ("13-C-1-1.wav", "unknown CaFE actor"),
        ("01-X-1-1.wav", "unknown CaFE emotion letter"),
        ("01-C-1-7.wav", "unknown CaFE sentence"),
        ("01-C-3-1.wav", "intensity 1"),
        ("01-C-1.wav", "intensity 1"),
        ("01-N-2-1.wav", "neutral utterance with intensity 2"),
    ]:
        with pytest.raises(ValueError, match=error):
            cafe.parse_file_name(name)


def test_emotion_names_are_french():
    assert cafe.EMOTIONS == (
        "colère",
        "dégoût",
        "joie",
        "neutre",
        "peur",
        "surprise",
        "tristesse",
    )


def test_built_examples(tmp_path):
    builder = testing.build(cafe.Builder, DUMMY, tmp_path / "data")
    examples = testing.examples_by(builder, keep_audio=True)
    assert set(examples) == {
        "CaFE_48k/Colère/Faible/01-C-1-1.wav",
        "CaFE_48k/Colère/Fort/02-C-2-3.wav",
        "CaFE_48k/Dégoût/Fort/01-D-2-6.wav",
        "CaFE_48k/Neutre/02-N-1-5.wav",
        "CaFE_192k_2/Neutre/07-N-2.aiff",
    }
    neutral = examples["CaFE_192k_2/Neutre/07-N-2.aiff"]
    assert neutral["emotion"] == "neutre"
    assert neutral["intensity"] == "none"
    assert neutral["gender"] == "male"
    assert neutral["text"] == "Deux ânes aigris au pelage brun"
    # 0.11 s of 192 kHz 24-bit AIFF and 0.2 s of 48 kHz WAV, at 16 kHz.
    assert neutral["audio"].shape == (1760,)
    wav = examples["CaFE_48k/Colère/Fort/02-C-2-3.wav"]
    assert wav["audio"].dtype == np.int16 and wav["audio"].shape == (3200,)
    assert wav["intensity"] == "fort"
    assert wav["gender"] == "female"


def test_both_releases_keep_each_utterance_once(tmp_path, caplog):
    manual = testing.copy_tree(DUMMY, tmp_path)
    # The same utterance in part 1 of the 192 kHz release.
    copy = manual / "CaFE_192k_1/Colère/Faible/01-C-1-1.aiff"
    copy.parent.mkdir(parents=True)
    sf.write(copy, np.zeros(19200, np.float32), 192000, subtype="PCM_24")
    # And the 192 kHz name of a 48 kHz neutral utterance.
    neutral = manual / "CaFE_192k_1/Neutre/02-N-5.aiff"
    neutral.parent.mkdir(parents=True)
    sf.write(neutral, np.zeros(19200, np.float32), 192000, subtype="PCM_24")
    listing = cafe.list_files([manual])
    kept = sorted(rel for files in listing.values() for rel, _, _ in files)
    assert "CaFE_48k/Colère/Faible/01-C-1-1.wav" in kept
    assert "CaFE_48k/Neutre/02-N-1-5.wav" in kept
    assert not any(rel.startswith("CaFE_192k_1") for rel in kept)
    assert len(kept) == 5
    assert "2 utterances found more than once" in caplog.text


def test_folder_names_that_are_not_utf8(tmp_path):
    # `unzip` writes the zip's DOS code page bytes of "Colère" (0x8a for è).
    manual = tmp_path / "manual"
    folder = os.fsencode(manual) + b"/CaFE_48k/Col\x8are/Fort"
    os.makedirs(folder)
    shutil.copy(DUMMY / "CaFE_48k/Colère/Fort/02-C-2-3.wav", folder + b"/02-C-2-3.wav")
    # Other tools turn the same bytes into cp1252 text ("ColŠre").
    mangled = manual / "CaFE_48k/D‚go–t/Fort"
    mangled.mkdir(parents=True)
    shutil.copy(DUMMY / "CaFE_48k/Dégoût/Fort/01-D-2-6.wav", mangled)
    examples = testing.examples_by(
        testing.build(cafe.Builder, manual, tmp_path / "data")
    )
    assert set(examples) == {
        "CaFE_48k/Col\\x8are/Fort/02-C-2-3.wav",
        "CaFE_48k/D‚go–t/Fort/01-D-2-6.wav",
    }
    ex = examples["CaFE_48k/Col\\x8are/Fort/02-C-2-3.wav"]
    assert ex["emotion"] == "colère"
    assert ex["num_samples"] == 3200


def test_zips_in_manual_dir(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    for release in ("CaFE_48k", "CaFE_192k_2"):
        testing.zip_tree(DUMMY / release, manual / f"{release}.zip", f"{release}/")
    builder = testing.build(cafe.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 5
    assert "CaFE_192k_2/Neutre/07-N-2.aiff" in testing.examples_by(builder)


def test_downloads_the_48k_release_without_manual_dir(tmp_path, monkeypatch):
    calls = []

    def fake_download_and_extract(self, url):
        calls.append(url)
        return DUMMY  # No internet here: the dummy tree stands in.

    monkeypatch.setattr(
        tfds.download.DownloadManager,
        "download_and_extract",
        fake_download_and_extract,
    )
    builder = testing.build(cafe.Builder, None, tmp_path / "data")
    assert calls == [cafe.URL]
    assert builder.info.splits.total_num_examples == 5


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        cafe.Builder, tmp_path, "CaFE_48k.zip"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        cafe.Builder, tmp_path, "No CaFE audio files or zips"
    )


def test_undecodable_file_names_the_file(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "CaFE_48k/Neutre/02-N-1-5.wav"
    bad.write_text("not audio\n" * 20)
    testing.assert_build_fails_naming(
        cafe.Builder, manual, tmp_path / "data", bad, match="cannot decode"
    )


def test_misnamed_audio_file_stops_the_build(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    shutil.copy(
        manual / "CaFE_48k/Neutre/02-N-1-5.wav", manual / "CaFE_48k/Neutre/copy.wav"
    )
    with pytest.raises(ValueError, match="copy.wav: not a CaFE file name"):
        testing.build(cafe.Builder, manual, tmp_path / "data")


if __name__ == "__main__":
    tfds.testing.test_main()
