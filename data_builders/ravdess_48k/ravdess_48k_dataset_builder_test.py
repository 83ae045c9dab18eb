"""DatasetBuilderTestCase for ravdess_48k over ravdess's dummy_data/."""

import logging
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.ravdess import ravdess_dataset_builder
from data_builders.ravdess_48k import ravdess_48k_dataset_builder
from ser_jax.check_corpus import expected_counts

DUMMY = Path(ravdess_dataset_builder.__file__).parent / "dummy_data"


class Ravdess48kTest(tfds.testing.DatasetBuilderTestCase):
    """The same files and splits as `ravdess`."""

    DATASET_CLASS = ravdess_48k_dataset_builder.Builder
    EXAMPLE_DIR = DUMMY
    SPLITS = {"speaker_01": 2, "speaker_02": 3}


def test_stores_48_khz_and_records_each_files_own_rate(tmp_path, caplog):
    # The dummy's 0.2 s clips (at 8, 11.025 and 16 kHz, see ravdess's
    # make_dummy_data.py): 9600 samples each at 48 kHz, 3x the 16 kHz
    # build's, with the same labels; each records the rate it had, and the
    # build warns that all five were upsampled.
    with caplog.at_level(logging.WARNING):
        builds = {
            rate: testing.build(cls, DUMMY, tmp_path / str(rate))
            for rate, cls in (
                (16000, ravdess_dataset_builder.Builder),
                (48000, ravdess_48k_dataset_builder.Builder),
            )
        }
    assert builds[48000].name == "ravdess_48k"
    for rate, builder in builds.items():
        assert builder.info.features["audio"].sample_rate == rate
    by_rate = {r: testing.examples_by(b) for r, b in builds.items()}
    assert by_rate[48000].keys() == by_rate[16000].keys()
    own_rate = {
        "Actor_01/03-01-01-01-01-01-01.wav": 8000,
        "Actor_01/03-01-05-02-02-02-01.wav": 8000,
        "Actor_02/03-01-03-01-01-01-02.wav": 16000,
        "Actor_02/03-01-04-02-01-02-02.wav": 8000,
        "Actor_02/03-01-08-01-02-01-02.wav": 11025,
    }
    assert {n: ex["source_sample_rate"] for n, ex in by_rate[48000].items()} == (
        own_rate
    )
    for name, native in by_rate[48000].items():
        low = by_rate[16000][name]
        assert native["num_samples"] == 3 * low["num_samples"] == 9600
        assert native["emotion"] == low["emotion"]
        assert "source_sample_rate" not in low
    upsampled = [
        r.getMessage() for r in caplog.records if "upsampled" in r.getMessage()
    ]
    # One warning per split: speaker_01's two files, speaker_02's three.
    assert sorted(m.split(": ", 1)[1][:24] for m in upsampled) == [
        "2 of 2 files had a lower",
        "3 of 3 files had a lower",
    ]


def test_read_corpus_warns_about_upsampled_files(caplog):
    from ser_jax.data import load

    with caplog.at_level(logging.WARNING):
        assert load.warn_if_upsampled("ravdess_48k", 48000, [48000] * 3) == []
        assert not caplog.records
        assert load.warn_if_upsampled("ravdess_48k", 48000, [16000, 48000]) == [16000]
    assert "1 of its 2 files were recorded at 16000 Hz" in caplog.text


def test_official_counts_are_ravdess_s():
    builder = ravdess_48k_dataset_builder.Builder(data_dir="/nonexistent")
    assert expected_counts(builder)["utterances"] == 1440


def test_tfds_build_finds_one_builder_per_module():
    # `tfds build data_builders/ravdess` (and ..._48k) loads the one builder
    # its module defines; a second one there would make it fail.
    for module in (ravdess_dataset_builder, ravdess_48k_dataset_builder):
        cls = tfds.core.community.builder_cls_from_module(module.__name__)
        assert cls is module.Builder


if __name__ == "__main__":
    pytest.main([__file__])
