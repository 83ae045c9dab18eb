"""Helpers for the builder tests and the dummy-data scripts.

Every builder is tested the same way over its ``dummy_data/``: build it from a
manual_dir into a temporary data dir (:func:`build`), read its examples back
as plain dicts (:func:`examples`, :func:`examples_by`), check the error paths
all builders share (:func:`assert_missing_or_empty_manual_dir_fails`,
:func:`assert_no_manual_dir_fails`,
:func:`assert_manual_dir_without_corpus_fails`,
:func:`assert_build_fails_naming`), and build from the release's archive
(:func:`copy_tree`, :func:`zip_tree`). The ``make_dummy_data.py`` scripts
write their clips with :func:`write_tone`.

The builders never import this module (it imports pytest).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
import tensorflow as tf
import tensorflow_datasets as tfds

from data_builders.audio import AudioError
from data_builders.builder_utils import ManualDirError

Builder = tfds.core.DatasetBuilder
BuilderOrClass = Builder | type[Builder]


def build(
    builder: BuilderOrClass,
    manual_dir: str | os.PathLike | None,
    data_dir: str | os.PathLike | None = None,
    config: str | tfds.core.BuilderConfig | None = None,
) -> Builder:
    """``builder`` prepared from ``manual_dir`` (None: as without
    ``--manual_dir``), as ``tfds build`` would; a builder class is first made
    with ``data_dir`` (a temporary folder: required) and ``config`` (None:
    the default one). Returns the prepared builder."""
    if isinstance(builder, type):
        if data_dir is None:
            raise ValueError("build: a builder class needs a data_dir")
        builder = builder(data_dir=str(data_dir), config=config)
    elif data_dir is not None or config is not None:
        raise ValueError("build: data_dir and config are for a builder class")
    download_config = (
        None
        if manual_dir is None
        else tfds.download.DownloadConfig(manual_dir=str(manual_dir))
    )
    builder.download_and_prepare(download_config=download_config)
    return builder


def _decoded(example: dict[str, Any], features: tfds.features.FeaturesDict) -> dict:
    """ClassLabels as their names (-1, TFDS's missing label, stays -1), Text
    as str, everything else as numpy gives it."""
    out = {}
    for key, value in example.items():
        feature = features[key] if key in features else None
        if isinstance(feature, tfds.features.ClassLabel) and value >= 0:
            value = feature.int2str(value)
        elif isinstance(feature, tfds.features.Text):
            value = value.decode("utf-8")
        out[key] = value
    return out


def examples(
    builder: Builder, split: str | None = None, keep_audio: bool = False
) -> list[dict[str, Any]]:
    """The examples of ``split`` (of every split, in split order, if None) as
    dicts that read like the labels a builder wrote: ClassLabels as names,
    Text as str. The audio is replaced by its length, ``num_samples``,
    unless ``keep_audio`` (an int16 array)."""
    features = builder.info.features
    out = []
    for name in [split] if split else list(builder.info.splits):
        ds = builder.as_dataset(split=name, shuffle_files=False)
        if not keep_audio:
            ds = ds.map(
                lambda ex: {
                    **{k: v for k, v in ex.items() if k != "audio"},
                    "num_samples": tf.shape(ex["audio"])[0],
                }
            )
        out += [_decoded(ex, features) for ex in tfds.as_numpy(ds)]
    return out


def examples_by(
    builder: Builder,
    key: str = "file_name",
    split: str | None = None,
    keep_audio: bool = False,
) -> dict[str, dict[str, Any]]:
    """:func:`examples` keyed by their ``key`` feature (the file name by
    default), which must be unique."""
    out = {}
    for ex in examples(builder, split, keep_audio):
        assert ex[key] not in out, f"two examples with {key} {ex[key]!r}"
        out[ex[key]] = ex
    return out


def copy_tree(src: str | os.PathLike, tmp_path: Path, name: str = "manual") -> Path:
    """A copy of ``src`` (a dummy_data tree) as ``tmp_path/name``, to alter."""
    return Path(shutil.copytree(src, tmp_path / name))


def zip_tree(src: str | os.PathLike, zip_path: Path, prefix: str = "") -> Path:
    """``zip_path``: a zip of what ``src`` holds (folders included), each
    entry named by its path relative to ``src`` after ``prefix`` (e.g. the
    archive's top folder, ``"nEMO-main/"``), as the release's archive."""
    src = Path(src)
    with zipfile.ZipFile(zip_path, "w") as zf:
        for path in sorted(src.rglob("*")):
            zf.write(path, prefix + path.relative_to(src).as_posix())
    return zip_path


def assert_missing_or_empty_manual_dir_fails(
    builder_cls: type[Builder],
    tmp_path: Path,
    says: str,
    config: str | None = None,
) -> None:
    """A manual_dir that does not exist, and one that is empty, stop the
    build with a ManualDirError naming it and saying what to put there
    (``says`` is part of that)."""
    for kind in ("missing", "empty"):
        manual = tmp_path / f"{kind}_manual_dir"
        if kind == "empty":
            manual.mkdir()
        with pytest.raises(ManualDirError, match="does not exist or is empty") as info:
            build(builder_cls, manual, tmp_path / f"{kind}_data", config)
        assert str(manual) in str(info.value), kind
        assert says in str(info.value), kind


def assert_manual_dir_without_corpus_fails(
    builder_cls: type[Builder],
    tmp_path: Path,
    match: str,
    config: str | None = None,
) -> None:
    """A manual_dir holding something else than the corpus (a notes.txt)
    stops the build with a ManualDirError matching ``match``."""
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "notes.txt").write_text("nothing here")
    with pytest.raises(ManualDirError, match=match):
        build(builder_cls, manual, tmp_path / "data", config)


def assert_no_manual_dir_fails(
    builder_cls: type[Builder],
    tmp_path: Path,
    match: str,
    config: str | None = None,
) -> None:
    """Without a manual_dir, a corpus that is not downloaded stops the build
    with a ManualDirError matching ``match`` (why) that asks for one."""
    with pytest.raises(ManualDirError, match=match) as info:
        build(builder_cls, None, tmp_path / "data", config)
    assert "--manual_dir" in str(info.value)


def assert_build_fails_naming(
    builder_cls: type[Builder],
    manual_dir: str | os.PathLike,
    data_dir: str | os.PathLike,
    names: str | os.PathLike,
    error: type[Exception] = AudioError,
    match: str | None = None,
    config: str | None = None,
) -> pytest.ExceptionInfo:
    """Building from ``manual_dir`` raises ``error`` (matching ``match``)
    whose message names ``names``: the bad file a user must fix."""
    with pytest.raises(error, match=match) as info:
        build(builder_cls, manual_dir, data_dir, config)
    assert os.fspath(names) in str(info.value)
    return info


def tone(
    seconds: float,
    sample_rate: int,
    channels: int = 1,
    seed: int = 0,
    f0_range: tuple[float, float] = (100.0, 250.0),
) -> np.ndarray:
    """A harmonic tone (five harmonics of an f0 drawn from ``f0_range``) with
    a little noise, peaking near 0.31: the stand-in for speech in the
    dummy data, different per ``seed``. ``[samples]`` float64, or
    ``[samples, channels]`` (the same signal in every channel)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(sample_rate * seconds)) / sample_rate
    f0 = rng.uniform(*f0_range)
    x = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    x = 0.3 * x / np.max(np.abs(x)) + 0.01 * rng.standard_normal(len(t))
    return np.stack([x] * channels, axis=1) if channels > 1 else x


def write_tone(
    path: str | os.PathLike,
    seconds: float,
    sample_rate: int,
    channels: int = 1,
    seed: int = 0,
    f0_range: tuple[float, float] = (100.0, 250.0),
) -> Path:
    """Writes a :func:`tone` as a 16-bit PCM file (WAV, or what the suffix
    names), making its folder; returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (tone(seconds, sample_rate, channels, seed, f0_range) * 32767).astype(
        np.int16
    )
    sf.write(path, pcm, sample_rate, subtype="PCM_16")
    return path
