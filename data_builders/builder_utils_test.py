"""Tests for data_builders.builder_utils, and that data_builders stands alone."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds

from data_builders import builder_utils
from data_builders.emodb import emodb_dataset_builder
from data_builders.ravdess import ravdess_dataset_builder

REPO = Path(__file__).resolve().parents[1]

# Every module of data_builders but the tests and make_dummy_data scripts.
MODULES = [
    "data_builders",
    "data_builders.audio",
    "data_builders.builder_utils",
    *(
        f"data_builders.{path.parent.name}.{path.stem}"
        for path in sorted(Path(__file__).parent.glob("*/*_dataset_builder.py"))
    ),
    "data_builders.synthetic.synthetic_speech",
]


def test_imports_nothing_from_ser_jax():
    # A fresh interpreter, as `tfds build data_builders/<name>` would start;
    # run from the repository root so that this checkout's packages are used.
    code = (
        "import importlib, sys\n"
        f"for module in {MODULES!r}:\n"
        "    importlib.import_module(module)\n"
        "print(sys.modules['data_builders'].__file__)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ser_jax'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    init_file, ser_jax_modules = result.stdout.splitlines()[-2:]
    assert Path(init_file) == REPO / "data_builders" / "__init__.py"
    assert ser_jax_modules == "[]"


def test_speaker_split_generators():
    root = Path("/corpus")
    listing = {
        "10": [("b.wav", {"speaker": "10"})],
        "02": [("a.wav", {"speaker": "02"}), ("c.wav", {"speaker": "02"})],
    }
    splits = builder_utils.speaker_split_generators(
        root,
        listing,
        "No files found in /corpus",
        "Put the files there.",
        generate=lambda root, files: [(root, rel) for rel, _ in files],
    )
    assert list(splits) == ["speaker_02", "speaker_10"]
    assert splits["speaker_02"] == [(root, "a.wav"), (root, "c.wav")]
    assert splits["speaker_10"] == [(root, "b.wav")]

    with pytest.raises(builder_utils.ManualDirError) as info:
        builder_utils.speaker_split_generators(
            root, {}, "No files found in /corpus", "Put the files there."
        )
    assert str(info.value) == "No files found in /corpus. Put the files there."


def _build(builder_cls, data_dir, manual_dir):
    builder = builder_cls(data_dir=str(data_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir))
    )
    return builder


def test_ravdess_manual_dir_without_speech_files(tmp_path):
    manual = tmp_path / "manual"
    (manual / "Actor_01").mkdir(parents=True)
    # A song file (vocal channel 02): found, but not speech.
    sf.write(
        manual / "Actor_01" / "03-02-03-01-01-01-01.wav",
        np.zeros(3200, np.int16),
        16000,
    )
    with pytest.raises(builder_utils.ManualDirError) as info:
        _build(ravdess_dataset_builder.Builder, tmp_path / "data", manual)
    assert str(info.value) == (
        f"No RAVDESS speech files (03-01-*.wav) found under {manual}. "
        f"{ravdess_dataset_builder._WHAT_TO_PUT}"
    )


def test_emodb_manual_dir_with_empty_wav_folder(tmp_path):
    manual = tmp_path / "manual"
    (manual / "wav").mkdir(parents=True)
    with pytest.raises(builder_utils.ManualDirError) as info:
        _build(emodb_dataset_builder.Builder, tmp_path / "data", manual)
    assert str(info.value) == (
        f"No .wav files found in {manual / 'wav'}. {emodb_dataset_builder._WHAT_TO_PUT}"
    )


def test_corpus_builder_is_not_a_dataset():
    assert "corpus_builder" not in tfds.list_builders(with_community_datasets=False)
    assert {"ravdess", "emodb", "synthetic"} <= set(
        tfds.list_builders(with_community_datasets=False)
    )
