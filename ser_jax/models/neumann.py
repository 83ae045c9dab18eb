"""Neumann (2016; Neumann & Vu, Interspeech 2017): one convolution, one pooling layer.

The talk's CNN is deliberately shallow: a single convolution layer over time
whose filters span every feature of a frame (log-mel bands or MFCCs), a
single max-pooling layer over time, and the classifiers. It was trained
single-task and multi-task (emotion with activation and valence as auxiliary
targets; `models.create_model` swaps `classifier` for `layers.TaskHeads` when
`config.tasks` names them). That is Aldeneh's model (`keesing.Aldeneh`:
parallel convolutions over time, each max-pooled over the valid frames)
without its dense layers, so it is built as one.
"""

from __future__ import annotations

from collections.abc import Sequence

from flax import nnx

from ser_jax.models.keesing import Aldeneh


def NeumannCnn(  # noqa: N802  (a model constructor, registered like the classes)
    input_shape: tuple[int, int],
    num_classes: int,
    *,
    kernel_widths: Sequence[int] = (10, 20),
    num_filters: int = 100,
    dropout_rate: float = 0.5,
    input_norm: str = "utterance",
    rngs: nnx.Rngs,
) -> Aldeneh:
    """Parallel 1-D convolutions of several widths, ReLU, max over valid frames.

    `[B, T, F]` frames -> for each width in `kernel_widths`, `num_filters`
    filters of `width x F` ("SAME" in time over masked padding), ReLU, the
    maximum over the valid frames of each filter (global max-pooling over
    time), concatenated; dropout; the class scores. Choices (the talk gives
    the layer types only; Neumann & Vu 2017 used widths around 10-20 frames):
    widths 10 and 20 frames (100-200 ms), 100 filters each, dropout 0.5;
    features standardised per example (`input_norm="utterance"`).
    """
    return Aldeneh(
        input_shape,
        num_classes,
        conv_widths=kernel_widths,
        conv_features=num_filters,
        dense_units=(),
        pooled_dropout_rate=dropout_rate,
        input_norm=input_norm,
        rngs=rngs,
    )
