"""Tests of the musan builder over dummy_data/ (see make_dummy_data.py)."""

import tarfile
from pathlib import Path

import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.musan import musan_dataset_builder as musan

DUMMY = Path(__file__).resolve().parent / "dummy_data"


class MusanTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = musan.Builder
    SPLITS = {"music": 3, "noise": 3, "speech": 1}


def test_annotations_and_sources(tmp_path):
    builder = testing.build(musan.Builder, DUMMY, tmp_path / "data")
    examples = testing.examples_by(builder)
    fma = examples["music/fma/music-fma-0000.wav"]
    assert fma["source"] == "fma" and fma["vocals"] == 0
    assert fma["annotation"] == "rock N Some_Band"
    assert examples["music/fma/music-fma-0001.wav"]["vocals"] == 1
    rain = examples["noise/free-sound/noise-free-sound-0000.wav"]
    assert rain["annotation"] == "rain on a window" and rain["vocals"] == -1
    # No ANNOTATIONS in sound-bible/: an empty annotation, not an error.
    assert examples["noise/sound-bible/noise-sound-bible-0000.wav"]["annotation"] == ""
    for ex in examples.values():  # 0.2 s at 16 kHz (the stereo 22.05 kHz one too)
        assert ex["num_samples"] == 3200


def test_release_archive(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    with tarfile.open(manual / "musan.tar.gz", "w:gz") as tar:
        tar.add(DUMMY / "musan", arcname="musan")
    builder = testing.build(musan.Builder, manual, tmp_path / "data")
    assert {s: builder.info.splits[s].num_examples for s in builder.info.splits} == {
        "music": 3,
        "noise": 3,
        "speech": 1,
    }


def test_undecodable_file_names_it(tmp_path):
    manual = testing.copy_tree(DUMMY, tmp_path)
    bad = manual / "musan/noise/free-sound/noise-free-sound-0001.wav"
    bad.write_bytes(b"\0" * 100)
    testing.assert_build_fails_naming(musan.Builder, manual, tmp_path / "data", bad)


def test_missing_or_empty_manual_dir(tmp_path):
    testing.assert_missing_or_empty_manual_dir_fails(
        musan.Builder, tmp_path, "musan.tar.gz"
    )


def test_no_manual_dir(tmp_path):
    testing.assert_no_manual_dir_fails(
        musan.Builder, tmp_path, "not downloaded automatically"
    )


def test_manual_dir_without_corpus(tmp_path):
    testing.assert_manual_dir_without_corpus_fails(
        musan.Builder, tmp_path, "No MUSAN category folder"
    )


if __name__ == "__main__":
    tfds.testing.test_main()
