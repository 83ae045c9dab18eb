"""Satt, Rozenberg & Hoory (Interspeech 2017): conv layers + bidirectional LSTM."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from ser_jax.models.layers import (
    AttentionPool,
    bilstm,
    conv_block,
    conv_layer,
    dense_head,
    masked_max,
    masked_mean,
    zero_carry,
)


def make_convs(
    conv_features: Sequence[int],
    conv_kernels: Sequence[Sequence[int]],
    rngs: nnx.Rngs,
) -> nnx.List:
    """The "SAME" 2-D convs of `conv_stack`, from one input channel."""
    if len(conv_features) != len(conv_kernels):
        raise ValueError("conv_features and conv_kernels need the same length")
    convs = nnx.List()
    in_features = 1
    for features, kernel in zip(conv_features, conv_kernels, strict=True):
        convs.append(
            conv_layer(in_features, features, tuple(kernel), padding="SAME", rngs=rngs)
        )
        in_features = features
    return convs


def conv_stack(
    convs: nnx.List, features: jax.Array, lengths: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """Masked conv-ReLU-max-pool(2x2) blocks: `[B, T, F]` -> `[B, T', F' * C]`."""
    x = features[..., None]
    for conv in convs:
        x, lengths = conv_block(x, lengths, conv, pool=(2, 2))
    return x.reshape(x.shape[0], x.shape[1], -1), lengths


class SattCnnLstm(nnx.Module):
    """3 conv + max-pool blocks, a BiLSTM over time, dense 64, dropout, softmax.

    Input `[B, T, F]` spectrogram frames with valid-frame counts `[B]`. Kernels
    are (time, frequency); the paper's example 12x16, 8x12, 5x7 (freq x time)
    become (16, 12), (12, 8), (7, 5). Padded frames are zeroed before and after
    every "SAME" conv, so padding never leaks into the last valid frames, and
    the LSTM reads only valid steps. The utterance summary is the final hidden
    state of each direction (`pooling="last"`), the mean of the outputs over
    valid steps (`pooling="mean"`), or their softmax-attention-weighted sum
    (`pooling="attention"`: one learned scoring vector, as the attention layer
    the paper tried and found no gain from); the paper does not say which
    summary it used.
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        conv_features: Sequence[int] = (16, 24, 32),
        conv_kernels: Sequence[Sequence[int]] = ((16, 12), (12, 8), (7, 5)),
        lstm_units: int = 128,
        dense_units: int = 64,
        dropout_rate: float = 0.5,
        pooling: str = "last",
        rngs: nnx.Rngs,
    ):
        if pooling not in ("last", "mean", "attention"):
            raise ValueError(
                f"pooling must be 'last', 'mean' or 'attention', got {pooling!r}"
            )
        self.pooling = pooling
        self.lstm_units, self.dropout_rate = lstm_units, dropout_rate
        self.convs = make_convs(conv_features, conv_kernels, rngs)
        freq_bins = input_shape[1] // 2 ** len(conv_features)
        lstm_in = freq_bins * conv_features[-1]
        self.lstm = bilstm(lstm_in, lstm_units, rngs)
        if pooling == "attention":
            self.attention = AttentionPool(2 * lstm_units, rngs=rngs)
        self.dense = nnx.Linear(2 * lstm_units, dense_units, rngs=rngs)
        self.classifier = nnx.Linear(dense_units, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        """Logits `[B, num_classes]`; dropout is active iff `dropout_key` is given."""
        x, lengths = conv_stack(self.convs, features, lengths)
        carry = zero_carry(x.shape[0], self.lstm_units, x.dtype)
        (fwd, bwd), outputs = self.lstm(
            x,
            initial_carry=(carry, carry),
            seq_lengths=lengths,
            return_carry=True,
        )
        if self.pooling == "last":
            summary = jnp.concatenate([fwd[1], bwd[1]], axis=-1)
        elif self.pooling == "attention":
            summary = self.attention(outputs, lengths)
        else:
            summary = masked_mean(outputs, lengths)
        return dense_head(
            summary,
            self.dense,
            self.classifier,
            dropout_rate=self.dropout_rate,
            keys=dropout_key,
        )


class SattCnn(nnx.Module):
    """Satt et al.'s conv-only model (their best conv-only depth: 5 conv layers).

    Five masked conv + ReLU + 2x2 max-pool blocks as in `SattCnnLstm`, then,
    in place of the LSTM, the mean (`pooling="mean"`) or maximum
    (`pooling="max"`) over valid time steps of each step's flattened
    frequency x channel map, dense 64, dropout, softmax. The paper gives
    neither the widths nor the kernels of the 5-conv model nor how it
    collapses time; the first three layers are the CNN-LSTM's, the last two
    continue the progression (48 filters 5x5, 64 filters 3x3).
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        conv_features: Sequence[int] = (16, 24, 32, 48, 64),
        conv_kernels: Sequence[Sequence[int]] = (
            (16, 12),
            (12, 8),
            (7, 5),
            (5, 5),
            (3, 3),
        ),
        dense_units: int = 64,
        dropout_rate: float = 0.5,
        pooling: str = "mean",
        rngs: nnx.Rngs,
    ):
        if pooling not in ("mean", "max"):
            raise ValueError(f"pooling must be 'mean' or 'max', got {pooling!r}")
        self.pooling = pooling
        self.dropout_rate = dropout_rate
        self.convs = make_convs(conv_features, conv_kernels, rngs)
        freq_bins = input_shape[1] // 2 ** len(conv_features)
        if freq_bins < 1:
            raise ValueError(
                f"{input_shape[1]} frequency bins cannot be pooled "
                f"{len(conv_features)} times"
            )
        self.dense = nnx.Linear(freq_bins * conv_features[-1], dense_units, rngs=rngs)
        self.classifier = nnx.Linear(dense_units, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        x, lengths = conv_stack(self.convs, features, lengths)
        pool = masked_mean if self.pooling == "mean" else masked_max
        return dense_head(
            pool(x, lengths),
            self.dense,
            self.classifier,
            dropout_rate=self.dropout_rate,
            keys=dropout_key,
        )
