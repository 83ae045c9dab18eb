"""A trained run's first-layer filters and their activations on one utterance.

    python -m ser_jax.report --filters=runs/ravdess --out=reports/filters

Satt et al. (Figs. 2-3) and Anand & Verma (Fig. 5) show the kernels of their
first convolution and what they respond to on a spectrogram; `first_layer`
reads the same from a run: the best checkpoint of one fold (the first
finished one unless told), and one of that fold's test utterances (the first
row of its `test_predictions.csv` unless told), cut as in training (its first
segment), through the run's front-end and feature standardisation. The
activations are the first conv's output on those features (before its
nonlinearity), as the model computes them. Drawn by
`plots.plot_first_layer`.

Models: Satt's spectrogram CNNs (`satt_cnn_lstm`, `satt_cnn`) and Anand's chunk
CNN (`anand_cnn`), whose first layer is a 2-D conv over the front-end's
output; the other models normalise their input or read raw audio first.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import jax.numpy as jnp
import ml_collections
import numpy as np
from flax import nnx

from ser_jax import frontends
from ser_jax.data.load import load_corpus
from ser_jax.data.segments import make_segments
from ser_jax.frontends import standardization
from ser_jax.frontends.framing import mask_frames, pcm_to_float
from ser_jax.methods.scoring import TrainedModels

MODELS = ("satt_cnn_lstm", "satt_cnn", "anand_cnn")


@dataclasses.dataclass
class FirstLayer:
    """One fold's first conv layer and its output on one utterance's segment."""

    kernels: np.ndarray  # [k_time, k_freq, in_channels, filters]
    bias: np.ndarray  # [filters]
    features: np.ndarray  # [frames, bins, in_channels]: the model's input
    activations: np.ndarray  # [frames, bins', filters]: the conv's output
    file_name: str
    emotion: str
    fold: str
    model: str


def strongest_filters(layer: FirstLayer, count: int) -> np.ndarray:
    """The `count` filters of largest mean |activation| on the utterance, in
    filter order (Anand's R1 has 1024: a figure shows a few)."""
    energy = np.abs(layer.activations).mean(axis=(0, 1))
    return np.sort(np.argsort(-energy, kind="stable")[:count])


def first_conv(model: nnx.Module) -> nnx.Conv:
    """The first convolution of a Satt or Anand CNN."""
    return model.convs[0]


def conv_input(features: jnp.ndarray) -> jnp.ndarray:
    """`[B, T, F]` spectrograms get a channel axis, as the models add it."""
    return features[..., None] if features.ndim == 3 else features


def _fold_dir(run_dir: Path, fold: int | None) -> Path:
    done = sorted(p.parent for p in run_dir.glob("fold_*/fold_result.json"))
    if fold is not None:
        done = [d for d in done if d.name == f"fold_{fold:02d}"]
    if not done:
        which = "" if fold is None else f" {fold}"
        raise FileNotFoundError(f"{run_dir}: no finished fold{which}")
    return done[0]


def _first_test_utterance(fold_dir: Path) -> str:
    path = fold_dir / "test_predictions.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: is the fold finished?")
    with path.open() as f:
        for row in csv.DictReader(f):
            return row["file_name"]
    raise ValueError(f"{path} lists no test utterance")


def first_layer(
    run_dir: str | Path, fold: int | None = None, file_name: str | None = None
) -> FirstLayer:
    """The first conv layer of `run_dir`'s best checkpoint (fold `fold`, else
    the first finished) and its activations on `file_name` (else the fold's
    first test utterance)."""
    run_dir = Path(run_dir)
    config_path = run_dir / "config.json"
    if not config_path.exists():
        raise FileNotFoundError(f"{run_dir} holds no training run (config.json)")
    config = ml_collections.ConfigDict(json.loads(config_path.read_text()))
    name = config.get("model", {}).get("name")
    if config.get("method", "neural") != "neural" or name not in MODELS:
        raise ValueError(
            f"{run_dir}: first-layer filters are drawn for {', '.join(MODELS)} "
            f"(neural runs); this run is {config.get('method', 'neural')} / {name}"
        )
    fold_dir = _fold_dir(run_dir, fold)
    file_name = file_name or _first_test_utterance(fold_dir)

    corpus = load_corpus(config.dataset)
    matches = np.flatnonzero(corpus.file_names == file_name)
    if len(matches) == 0:
        raise ValueError(f"{file_name!r} is not an utterance of {corpus.name}")
    found = int(matches[0])
    max_samples = round(config.max_segment_seconds * corpus.sample_rate)
    mode = config.get("segmentation", "equal")
    frontend = frontends.create_frontend(
        config.frontend, corpus.sample_rate, max_samples
    )
    models = TrainedModels(config, frontend, len(corpus.class_names), [fold_dir])

    segment = make_segments(
        [corpus.audio[found]], corpus.labels[[found]], max_samples, mode
    ).take(np.arange(1))
    batch = {"audio": segment.audio, "length": segment.lengths}
    # Statistics as the run standardised: its training speakers', or (for
    # per_speaker_transductive) the utterance's speaker's own.
    speaker = corpus.speakers == corpus.speakers[found]
    speaker_segments = make_segments(
        [corpus.audio[i] for i in np.flatnonzero(speaker)],
        corpus.labels[speaker],
        max_samples,
        mode,
    )
    (stats,) = models.statistics(speaker_segments)
    if stats is not None:
        batch.update(standardization.per_segment(*stats, 1))
    features, counts = frontend(
        pcm_to_float(jnp.asarray(batch["audio"])), batch["length"]
    )
    features = standardization.apply(features, counts, batch)

    conv = first_conv(models.model())
    x = conv_input(features)
    activations = conv(mask_frames(x, counts))
    frames = int(counts[0])
    return FirstLayer(
        kernels=np.asarray(conv.kernel[...]),
        bias=np.asarray(conv.bias[...]),
        features=np.asarray(x[0, :frames]),
        activations=np.asarray(activations[0, :frames]),
        file_name=file_name,
        emotion=corpus.class_names[int(corpus.labels[found])],
        fold=fold_dir.name,
        model=name,
    )
