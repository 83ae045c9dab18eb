"""Tests for data_builders.builder_utils, and that data_builders stands alone."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils, testing
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
    # Nor do the builders import the test helpers (data_builders.testing).
    code = (
        "import importlib, sys\n"
        f"for module in {MODULES!r}:\n"
        "    importlib.import_module(module)\n"
        "print(sys.modules['data_builders'].__file__)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ser_jax'\n"
        "             or m == 'data_builders.testing'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    init_file, forbidden = result.stdout.splitlines()[-2:]
    assert Path(init_file) == REPO / "data_builders" / "__init__.py"
    assert forbidden == "[]"


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
        testing.build(ravdess_dataset_builder.Builder, manual, tmp_path / "data")
    assert str(info.value) == (
        f"No RAVDESS speech files (03-01-*.wav) found under {manual}. "
        f"{ravdess_dataset_builder._WHAT_TO_PUT}"
    )


def test_emodb_manual_dir_with_empty_wav_folder(tmp_path):
    manual = tmp_path / "manual"
    (manual / "wav").mkdir(parents=True)
    with pytest.raises(builder_utils.ManualDirError) as info:
        testing.build(emodb_dataset_builder.Builder, manual, tmp_path / "data")
    assert str(info.value) == (
        f"No .wav files found in {manual / 'wav'}. {emodb_dataset_builder._WHAT_TO_PUT}"
    )


def test_read_text_utf8_then_fallback(tmp_path):
    path = epath.Path(tmp_path / "a.txt")
    path.write_bytes("\ufeffcafé".encode())
    assert builder_utils.read_text(path) == "café"  # Byte-order mark dropped.
    path.write_bytes("don\u2019t café".encode("cp1252"))
    assert builder_utils.read_text(path) == "don\u2019t café"
    assert builder_utils.read_text(path, fallback="latin-1") == "don\x92t café"
    with pytest.raises(UnicodeDecodeError):
        builder_utils.read_text(path, fallback=None)


def test_read_table(tmp_path):
    path = epath.Path(tmp_path / "t.tsv")
    path.write_text(" name \tage\n  alice \t 30\n\t\n\nbob\t4\n")
    rows = builder_utils.read_table(path, "\t", required=["name"])
    assert rows == [
        (2, {"name": "alice", "age": "30"}),
        (5, {"name": "bob", "age": "4"}),
    ]
    with pytest.raises(ValueError, match=r"missing columns \['sex'\]"):
        builder_utils.read_table(path, "\t", required=["name", "sex"])
    path.write_text("name,age\nalice,30,extra\n")
    with pytest.raises(ValueError, match="t.tsv, line 2: 3 fields, expected 2"):
        builder_utils.read_table(path)


def test_find_folder_and_walk_files(tmp_path):
    root = epath.Path(tmp_path)
    for rel in ("a/b/c/x.wav", "z/x.wav", "__MACOSX/x.wav", ".hidden/x.wav", "y.wav"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    (root / "._y.wav").write_text("")

    def holds_wav(folder):
        return (folder / "x.wav").exists()

    # Breadth first: z/ (one level down) before a/b/c/ (three), junk skipped.
    assert builder_utils.find_folder(root, holds_wav) == root / "z"
    assert builder_utils.find_folder(root / "a", holds_wav, depth=1) is None
    assert builder_utils.find_folder(root / "a", holds_wav, depth=2) == root / "a/b/c"
    assert builder_utils.find_folder(root / "y.wav", holds_wav) is None
    files = [p.relative_to(root).as_posix() for p in builder_utils.walk_files(root)]
    assert files == ["a/b/c/x.wav", "y.wav", "z/x.wav"]
    files = [p.relative_to(root).as_posix() for p in builder_utils.walk_files(root, 1)]
    assert files == ["y.wav", "z/x.wav"]


def test_select_labels():
    items = [
        ("a.wav", {"speaker": "1", "consensus": "exc"}),
        ("b.wav", {"speaker": "2", "consensus": "xxx"}),
        ("c.wav", {"speaker": "1", "consensus": "hap"}),
    ]
    selected = builder_utils.select_labels(items, {"exc": "happy", "hap": "happy"})
    assert selected == {
        "1": [
            ("a.wav", {"speaker": "1", "consensus": "exc", "emotion": "happy"}),
            ("c.wav", {"speaker": "1", "consensus": "hap", "emotion": "happy"}),
        ]
    }


def test_corpus_builder_is_not_a_dataset():
    assert "corpus_builder" not in tfds.list_builders(with_community_datasets=False)
    assert {"ravdess", "emodb", "synthetic"} <= set(
        tfds.list_builders(with_community_datasets=False)
    )
