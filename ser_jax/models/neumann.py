"""Neumann (2016; Neumann & Vu, Interspeech 2017): one convolution, one pooling layer.

The talk's CNN is deliberately shallow: a single convolution layer over time
whose filters span every feature of a frame (log-mel bands or MFCCs), a
single max-pooling layer over time, and the classifiers. It was trained
single-task and multi-task (emotion with activation and valence as auxiliary
targets; `train.py` swaps `classifier` for `layers.TaskHeads` when
`config.tasks` names them).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from ser_jax.models.layers import dropout, mask_frames, masked_max, standardize


class NeumannCnn(nnx.Module):
    """Parallel 1-D convolutions of several widths, ReLU, max over valid frames.

    `[B, T, F]` frames -> for each width in `kernel_widths`, `num_filters`
    filters of `width x F` ("SAME" in time, padding masked before and after),
    ReLU, the maximum over the valid frames of each filter (global max-pooling
    over time), concatenated; dropout; the class scores. Choices (the talk
    gives the layer types only; Neumann & Vu 2017 used widths around 10-20
    frames): widths 10 and 20 frames (100-200 ms), 100 filters each, dropout
    0.5; features standardised per example (`input_norm="utterance"`).
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        kernel_widths: Sequence[int] = (10, 20),
        num_filters: int = 100,
        dropout_rate: float = 0.5,
        input_norm: str = "utterance",
        rngs: nnx.Rngs,
    ):
        in_features = input_shape[1]
        self.dropout_rate, self.input_norm = dropout_rate, input_norm
        self.convs = nnx.List(
            nnx.Conv(in_features, num_filters, (width,), padding="SAME", rngs=rngs)
            for width in kernel_widths
        )
        self.classifier = nnx.Linear(
            num_filters * len(kernel_widths), num_classes, rngs=rngs
        )

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        x = mask_frames(standardize(features, lengths, self.input_norm), lengths)
        pooled = [
            masked_max(mask_frames(nnx.relu(conv(x)), lengths), lengths)
            for conv in self.convs
        ]
        summary = jnp.concatenate(pooled, axis=-1)
        return self.classifier(dropout(summary, self.dropout_rate, dropout_key))
