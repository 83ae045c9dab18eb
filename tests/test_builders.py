"""Builds the ravdess and emodb TFDS datasets from the real corpora and checks them.

The corpora are looked up at ``<project>/../shared/corpora`` (override with
the environment variable SER_JAX_CORPORA); the tests that need them are
skipped when they are absent. Each corpus is built once per test session.
The error-handling tests use tiny files written to tmp_path instead.
"""

import collections
import os
import time
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds

import data_builders  # noqa: F401  (registers the builders)
from data_builders import testing
from data_builders.emodb import emodb_dataset_builder
from data_builders.ravdess import ravdess_dataset_builder
from ser_jax import check_corpus

CORPORA = Path(
    os.environ.get(
        "SER_JAX_CORPORA",
        Path(__file__).resolve().parents[1].parent / "shared" / "corpora",
    )
)
BUILDERS = Path(data_builders.__file__).resolve().parent


def _corpus_dir(name: str) -> Path:
    path = CORPORA / name
    if not path.is_dir() or not any(path.iterdir()):
        pytest.skip(f"{name} corpus not found at {path}; set SER_JAX_CORPORA")
    return path


@pytest.fixture(scope="module")
def ravdess(tmp_path_factory):
    manual = _corpus_dir("ravdess")
    start = time.perf_counter()
    builder = testing.build(
        ravdess_dataset_builder.Builder, manual, tmp_path_factory.mktemp("tfds")
    )
    size = sum(f.stat().st_size for f in Path(builder.data_dir).glob("*.tfrecord*"))
    print(f"ravdess build: {time.perf_counter() - start:.1f} s, {size / 1e6:.0f} MB")
    return builder


@pytest.fixture(scope="module")
def emodb(tmp_path_factory):
    manual = _corpus_dir("emodb")
    start = time.perf_counter()
    builder = testing.build(
        emodb_dataset_builder.Builder, manual, tmp_path_factory.mktemp("tfds")
    )
    print(f"emodb build: {time.perf_counter() - start:.1f} s")
    return builder


def _all_examples(builder):
    """Every example (the audio's length only) with its split."""
    return [
        {**ex, "split": split}
        for split in builder.info.splits
        for ex in testing.examples(builder, split)
    ]


def test_ravdess_real_counts(ravdess):
    info = ravdess.info
    assert info.supervised_keys == ("audio", "emotion")
    assert info.features["audio"].sample_rate == 16000
    assert info.features["audio"].np_dtype == np.int16
    assert info.features["emotion"].names == list(ravdess_dataset_builder.EMOTIONS)
    assert info.features["gender"].names == ["female", "male"]
    assert list(info.splits) == [f"speaker_{i:02d}" for i in range(1, 25)]
    for split in info.splits.values():
        assert split.num_examples == 60
    # Utterances, speakers by sex, per emotion: the official counts.
    expected = check_corpus.expected_counts(ravdess)
    assert expected["utterances"] == 1440 and expected["emotions"]["neutral"] == 96
    assert (
        check_corpus.differences(expected, check_corpus.observed_counts(ravdess)) == []
    )

    examples = _all_examples(ravdess)
    for ex in examples:
        speaker = ex["speaker"]
        file_name = ex["file_name"]
        assert ex["split"] == f"speaker_{speaker}"
        assert file_name.startswith(f"Actor_{speaker}/03-01-")
        assert file_name.endswith(f"-{speaker}.wav")
        assert ex["gender"] == ("male" if int(speaker) % 2 else "female")
        assert ex["repetition"] in (1, 2)
        if ex["emotion"] == "neutral":  # No strong neutral.
            assert ex["intensity"] == "normal"
        # Clips are about 3-5 s at 16 kHz.
        assert 2.5 * 16000 < ex["num_samples"] < 6 * 16000
    statements = collections.Counter(ex["statement"] for ex in examples)
    assert statements == {"kids": 720, "dogs": 720}


def test_check_corpus_names_every_count_that_differs(emodb):
    observed = check_corpus.observed_counts(emodb)
    assert observed["speakers"] == {"female": 5, "male": 5}
    expected = check_corpus.expected_counts(emodb)
    fewer = {
        "utterances": observed["utterances"] - 1,
        "speakers": {"female": 5, "male": 4},
        "emotions": {**observed["emotions"], "anger": 126, "surprise": 1},
    }
    fewer["emotions"].pop("boredom")
    assert check_corpus.differences(expected, fewer) == [
        "utterances: official 535, built 534",
        "male speakers: official 5, built 4",
        "emotion 'anger': official 127, built 126",
        "emotion 'boredom': official 81, built 0",
        "emotion 'surprise': official 0, built 1",
    ]
    assert check_corpus.main(["emodb", "--data_dir", str(emodb.data_dir_root)]) == 0


def test_ravdess_audio_is_int16_16k(ravdess):
    ex = next(iter(tfds.as_numpy(ravdess.as_dataset(split="speaker_01").take(1))))
    assert ex["audio"].dtype == np.int16
    assert ex["audio"].ndim == 1
    assert np.abs(ex["audio"]).max() > 1000  # Real, non-silent speech.
    path = CORPORA / "ravdess" / ex["file_name"].decode()
    assert len(ex["audio"]) == sf.info(str(path)).frames  # Already 16 kHz.


def test_emodb_real_counts(emodb):
    info = emodb.info
    assert info.supervised_keys == ("audio", "emotion")
    assert info.features["audio"].sample_rate == 16000
    assert info.features["emotion"].names == list(emodb_dataset_builder.EMOTIONS)
    speakers = ["03", "08", "09", "10", "11", "12", "13", "14", "15", "16"]
    assert list(info.splits) == [f"speaker_{s}" for s in speakers]
    expected = check_corpus.expected_counts(emodb)
    assert expected["utterances"] == 535 and expected["emotions"]["anger"] == 127
    assert check_corpus.differences(expected, check_corpus.observed_counts(emodb)) == []

    examples = _all_examples(emodb)
    males = {"03", "10", "11", "12", "15"}
    for ex in examples:
        speaker = ex["speaker"]
        file_name = ex["file_name"]
        assert ex["split"] == f"speaker_{speaker}"
        assert file_name == f"wav/{speaker}{ex['text_id']}{file_name[9:]}"
        assert ex["gender"] == ("male" if speaker in males else "female")
        # Resampled to 16 kHz from the file's own rate, whatever its length
        # (the copy in ../shared holds 2.0 s clips at 22.05 kHz; the real
        # corpus's vary in length and are 16 kHz already).
        source = sf.info(str(CORPORA / "emodb" / file_name))
        assert ex["num_samples"] == pytest.approx(
            source.frames * 16000 / source.samplerate, abs=1
        )


def test_emodb_audio_is_int16(emodb):
    ex = next(iter(tfds.as_numpy(emodb.as_dataset(split="speaker_03").take(1))))
    assert ex["audio"].dtype == np.int16 and ex["audio"].ndim == 1
    assert np.abs(ex["audio"]).max() > 1000
    # The stored samples are the file's, resampled: compare with librosa's.
    source = CORPORA / "emodb" / ex["file_name"].decode()
    reference = librosa.load(str(source), sr=16000, res_type="soxr_hq")[0]
    assert len(ex["audio"]) == len(reference)
    np.testing.assert_allclose(ex["audio"] / 32767.0, reference, atol=2e-3)


# --- Error handling, on tiny files -------------------------------------------


@pytest.mark.parametrize(
    "builder_cls, what",  # What to put there, which the error says.
    [
        (ravdess_dataset_builder.Builder, "Actor_01"),
        (emodb_dataset_builder.Builder, "wav/"),
    ],
)
def test_missing_or_empty_manual_dir(tmp_path, builder_cls, what):
    testing.assert_missing_or_empty_manual_dir_fails(builder_cls, tmp_path, what)


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        ravdess_dataset_builder.Builder, tmp_path, "No Actor_XX/ folders"
    )


@pytest.mark.parametrize(
    "builder_cls, url",
    [
        (ravdess_dataset_builder.Builder, ravdess_dataset_builder.URL),
        (emodb_dataset_builder.Builder, emodb_dataset_builder.URL),
    ],
)
def test_downloads_when_no_manual_dir_given(tmp_path, monkeypatch, builder_cls, url):
    # No internet here: stand in for the download with the dummy data.
    name = builder_cls.name
    calls = []

    def fake_download_and_extract(self, url_or_urls):
        calls.append(url_or_urls)
        return BUILDERS / name / "dummy_data"

    monkeypatch.setattr(
        tfds.download.DownloadManager,
        "download_and_extract",
        fake_download_and_extract,
    )
    builder = testing.build(builder_cls, None, tmp_path / "data")  # No manual_dir.
    assert calls == [url]
    assert builder.info.splits.total_num_examples in (4, 5)


@pytest.mark.parametrize("problem", ["corrupt", "empty", "too short"])
def test_bad_file_fails_the_build_naming_it(tmp_path, problem):
    manual = testing.copy_tree(BUILDERS / "ravdess" / "dummy_data", tmp_path)
    bad = manual / "Actor_02" / "03-01-06-01-01-01-02.wav"
    if problem == "corrupt":
        bad.write_text("not a wav file\n" * 10)
    elif problem == "empty":
        sf.write(bad, np.zeros(0, np.int16), 16000, subtype="PCM_16")
    else:
        sf.write(bad, np.full(160, 1000, np.int16), 16000, subtype="PCM_16")
    testing.assert_build_fails_naming(
        ravdess_dataset_builder.Builder,
        manual,
        tmp_path / "data",
        bad,
        match=problem.split()[-1],
    )


def test_ravdess_from_official_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(
        BUILDERS / "ravdess" / "dummy_data", manual / "Audio_Speech_Actors_01-24.zip"
    )
    builder = testing.build(ravdess_dataset_builder.Builder, manual, tmp_path / "data")
    assert set(builder.info.splits) == {"speaker_01", "speaker_02"}
    assert builder.info.splits.total_num_examples == 5
    examples = testing.examples_by(builder, split="speaker_01", keep_audio=True)
    assert set(examples) == {
        "Actor_01/03-01-01-01-01-01-01.wav",
        "Actor_01/03-01-05-02-02-02-01.wav",  # Stereo, down-mixed.
    }
    for ex in examples.values():
        assert ex["audio"].dtype == np.int16 and ex["audio"].shape == (3200,)  # 0.2 s


def test_emodb_from_official_zip(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    testing.zip_tree(BUILDERS / "emodb" / "dummy_data", manual / "download.zip")
    builder = testing.build(emodb_dataset_builder.Builder, manual, tmp_path / "data")
    assert builder.info.splits.total_num_examples == 4
    lengths = {ex["file_name"]: ex["num_samples"] for ex in testing.examples(builder)}
    # 0.2 s at 16 kHz and at 22.05 kHz both give 3200 samples at 16 kHz.
    assert lengths == {
        "wav/03a01Fa.wav": 3200,
        "wav/03a02Wb.wav": 3200,
        "wav/08b01Nc.wav": 3200,
        "wav/16b10Ta.wav": 3200,
    }


def test_file_name_parsing():
    labels = ravdess_dataset_builder.parse_file_name("03-01-05-02-02-01-12.wav")
    assert labels == {
        "emotion": "angry",
        "intensity": "strong",
        "statement": "dogs",
        "repetition": 1,
        "speaker": "12",
        "gender": "female",
    }
    assert ravdess_dataset_builder.parse_file_name("03-02-05-02-02-01-12.wav") is None
    with pytest.raises(ValueError, match="not a RAVDESS file name"):
        ravdess_dataset_builder.parse_file_name("foo.wav")
    with pytest.raises(ValueError, match="invalid emotion"):
        ravdess_dataset_builder.parse_file_name("03-01-09-02-02-01-12.wav")

    assert emodb_dataset_builder.parse_file_name("03a01Fa.wav") == {
        "emotion": "happiness",
        "speaker": "03",
        "gender": "male",
        "text_id": "a01",
    }
    with pytest.raises(ValueError, match="unknown EMO-DB speaker"):
        emodb_dataset_builder.parse_file_name("04a01Fa.wav")
    with pytest.raises(ValueError, match="unknown EMO-DB emotion"):
        emodb_dataset_builder.parse_file_name("03a01Xa.wav")
