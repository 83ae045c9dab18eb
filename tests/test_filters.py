"""First-layer filters of a trained run (`ser_jax.filters`, `report --filters`):
the kernels are the best checkpoint's, the input is the run's features of a
test utterance, and the activations are that conv applied to them."""

import csv
import json
from pathlib import Path

import numpy as np
import orbax.checkpoint as ocp
import pytest
from matplotlib import image

from configs import anand_r1
from ser_jax import filters, frontends, report
from ser_jax.data.load import load_corpus
from ser_jax.data.segments import make_segments
from ser_jax.frontends.framing import pcm_to_float
from ser_jax.methods import neural

from tiny_fold import on_tiny_fold

_RUN = {}


@pytest.fixture
def trained_run(tmp_path_factory, data_dir, tiny_config):
    """A 1-epoch tiny Satt run with train-speaker standardisation, trained once
    for this module."""
    if not _RUN:
        config = tiny_config(
            data_dir, num_epochs=1, feature_standardization="train_speakers"
        )
        path = tmp_path_factory.mktemp("filters_run")
        neural.train_and_evaluate(config, path)
        _RUN.update(config=config, path=path)
    return _RUN["config"], _RUN["path"]


def correlate_same(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, pad_freq: bool = True
) -> np.ndarray:
    """`[T, F, C_in]` * `[kt, kf, C_in, C_out]` with "SAME" padding (low
    (k-1)//2, high k//2, as XLA pads) in time, and in frequency unless
    `pad_freq` is False (a full-height kernel), written out in NumPy."""
    kt, kf = kernel.shape[:2]
    freq = ((kf - 1) // 2, kf // 2) if pad_freq else (0, 0)
    padded = np.pad(x, (((kt - 1) // 2, kt // 2), freq, (0, 0))).astype(np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kt, kf), axis=(0, 1))
    # windows: [T, F, C_in, kt, kf]
    return np.einsum("tfcij,ijco->tfo", windows, kernel) + bias


def test_filters_are_the_checkpoint_applied_to_a_test_utterance(trained_run, tmp_path):
    config, run = trained_run
    layer = filters.first_layer(run)
    fold_dir = run / "fold_00"
    with (fold_dir / "test_predictions.csv").open() as f:
        first = next(csv.DictReader(f))
    assert layer.file_name == first["file_name"]  # a test utterance of the run
    assert layer.emotion == first["label"]

    # The kernels are the best checkpoint's first conv, read straight from Orbax.
    (step,) = [p for p in (fold_dir / "checkpoints" / "best").iterdir() if p.is_dir()]
    stored = ocp.StandardCheckpointer().restore(step / "state")
    conv = stored["0"]["convs"]["0"]
    np.testing.assert_array_equal(layer.kernels, np.asarray(conv["kernel"]))
    np.testing.assert_array_equal(layer.bias, np.asarray(conv["bias"]))

    # The input is the run's front-end on the utterance's first segment,
    # standardised with the fold's training statistics.
    corpus = load_corpus(config.dataset)
    (i,) = np.flatnonzero(corpus.file_names == layer.file_name)
    max_samples = round(config.max_segment_seconds * corpus.sample_rate)
    segments = make_segments([corpus.audio[i]], corpus.labels[[i]], max_samples)
    frontend = frontends.create_frontend(
        config.frontend, corpus.sample_rate, max_samples
    )
    features, counts = frontend(pcm_to_float(segments.audio[:1]), segments.lengths[:1])
    stats = np.load(fold_dir / "feature_stats.npz")
    expected = (np.asarray(features[0, : counts[0]]) - stats["mean"]) / stats["std"]
    np.testing.assert_allclose(layer.features[..., 0], expected, rtol=1e-4, atol=1e-4)

    # The activations are that kernel correlated with that input.
    np.testing.assert_allclose(
        layer.activations,
        correlate_same(layer.features, layer.kernels, layer.bias),
        rtol=1e-3,
        atol=1e-3,
    )
    assert np.abs(layer.activations).max() > 0

    # The command draws them into a PNG.
    assert report.main(["--filters", str(run), "--out", str(tmp_path)]) == 0
    (png,) = Path(tmp_path).glob("*_filters.png")
    assert image.imread(png).shape[0] > 200


def test_filters_errors_name_the_problem(trained_run, tmp_path):
    _, run = trained_run
    with pytest.raises(FileNotFoundError, match="no finished fold 3"):
        filters.first_layer(run, fold=3)
    with pytest.raises(ValueError, match="not an utterance"):
        filters.first_layer(run, file_name="nope.wav")
    assert report.main(["--filters", str(tmp_path), "--out", str(tmp_path)]) == 1
    # A model whose first layer is not a conv over the spectrogram.
    other = json.loads((run / "config.json").read_text())
    other["model"]["name"] = "neumann_cnn"
    (tmp_path / "config.json").write_text(json.dumps(other))
    with pytest.raises(ValueError, match="filters are drawn for satt_cnn_lstm"):
        filters.first_layer(tmp_path)


def test_anand_filters_span_the_spectrogram_on_both_channels(data_dir, tmp_path):
    """Anand & Verma's Fig. 5 setting: a chunk CNN with full-height filters on
    the two-channel spectrogram, trained under their random 60/20/20 split of
    chunks (R2: R1's shape with 32 filters instead of 1024)."""
    config = on_tiny_fold(
        anand_r1.get_config("corpus=synthetic/tiny,protocol=losgo"), data_dir
    )
    config.protocol.name = "random_chunks"
    config.fold = -1
    config.model.variant = "R2"
    config.model.dropout_rate = 0.0
    config.num_epochs = 1
    config.batch_size = 16
    config.eval_batch_size = 16
    config.warmup_epochs = 0
    run = tmp_path / "anand"
    neural.train_and_evaluate(config, run)

    layer = filters.first_layer(run)
    assert layer.model == "anand_cnn"
    frames, bins, channels = layer.features.shape
    assert (bins, channels) == (64, 2)  # 64 x 64 x 2 chunks, both windows
    assert layer.kernels.shape == (5, 64, 2, 32)  # 5 frames x every bin
    # One output per frame and filter: the kernel spans the frequency axis.
    assert layer.activations.shape == (frames, 1, 32)
    np.testing.assert_allclose(
        layer.activations,
        correlate_same(layer.features, layer.kernels, layer.bias, pad_freq=False),
        rtol=1e-3,
        atol=1e-3,
    )
    # The 8 filters most active on it, by mean |activation|, in filter order.
    chosen = filters.strongest_filters(layer, 8)
    energy = np.abs(layer.activations).mean(axis=(0, 1))
    assert list(chosen) == sorted(chosen)
    assert energy[chosen].min() >= np.delete(energy, chosen).max()
