"""Sundharam & Johari (Virginia Tech report): 1-D CNN, BiLSTM and Transformer on MFCC / mel.

All three read `[B, T, F]` frames (13 MFCCs or log-mel bands) with valid
frame counts, standardise each feature column over the example's valid frames
(`input_norm`, see `layers.standardize`; the report does not say how it
scaled its features), and never let padded frames reach a pooling, a
recurrence or an attention. The report names the model types only; the sizes
here are choices, written in each class.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ser_jax.models.attention import SelfAttention
from ser_jax.models.layers import (
    BATCH_AXIS,
    KeyChain,
    MaskedBatchNorm,
    bilstm,
    conv_block,
    conv_layer,
    dropout,
    masked_mean,
    standardize,
    valid_mask,
    zero_carry,
)


class SundharamCnn1d(nnx.Module):
    """The report's baseline: blocks of conv1d + batch norm + ReLU, dropout between.

    Each block: conv over time ("SAME", `kernel_size`), BatchNorm (statistics
    over valid frames of the whole batch, all devices), ReLU, max-pool by
    `pool_size` over time, dropout. Then the mean over valid frames and the
    class scores. Choices: three blocks of 64, 128, 256 filters, kernel 5,
    pool 2, dropout 0.3 (the report gives the block structure only).
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        conv_features: Sequence[int] = (64, 128, 256),
        kernel_size: int = 5,
        pool_size: int = 2,
        dropout_rate: float = 0.3,
        input_norm: str = "utterance",
        axis_name: str | None = BATCH_AXIS,
        rngs: nnx.Rngs,
    ):
        self.pool_size, self.dropout_rate, self.input_norm = (
            pool_size,
            dropout_rate,
            input_norm,
        )
        self.convs, self.norms = nnx.List(), nnx.List()
        in_features = input_shape[1]
        for features in conv_features:
            self.convs.append(
                conv_layer(
                    in_features, features, (kernel_size,), padding="SAME", rngs=rngs
                )
            )
            self.norms.append(MaskedBatchNorm(features, axis_name=axis_name))
            in_features = features
        self.classifier = nnx.Linear(in_features, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        keys = KeyChain(dropout_key)
        x = standardize(features, lengths, self.input_norm)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x, lengths = conv_block(x, lengths, conv, pool=(self.pool_size,), norm=norm)
            x = dropout(x, self.dropout_rate, keys())
        return self.classifier(masked_mean(x, lengths))


class SundharamBiLstm(nnx.Module):
    """The report's bidirectional LSTM model.

    `num_layers` stacked BiLSTM layers of `lstm_units` per direction over
    the valid frames, dropout between layers, the mean of the last layer's
    outputs over valid frames (`pooling="mean"`) or the final state of each
    direction (`pooling="last"`), dropout, the class scores. Choices: 2
    layers of 128, dropout 0.3, mean pooling.
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        lstm_units: int = 128,
        num_layers: int = 2,
        dropout_rate: float = 0.3,
        pooling: str = "mean",
        input_norm: str = "utterance",
        rngs: nnx.Rngs,
    ):
        if pooling not in ("mean", "last"):
            raise ValueError(f"pooling must be 'mean' or 'last', got {pooling!r}")
        self.lstm_units, self.dropout_rate = lstm_units, dropout_rate
        self.pooling, self.input_norm = pooling, input_norm
        self.layers = nnx.List()
        in_features = input_shape[1]
        for _ in range(num_layers):
            self.layers.append(bilstm(in_features, lstm_units, rngs))
            in_features = 2 * lstm_units
        self.classifier = nnx.Linear(in_features, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        keys = KeyChain(dropout_key)
        x = standardize(features, lengths, self.input_norm)
        carry = zero_carry(x.shape[0], self.lstm_units, x.dtype)
        for i, layer in enumerate(self.layers):
            if i:
                x = dropout(x, self.dropout_rate, keys())
            (fwd, bwd), x = layer(
                x, initial_carry=(carry, carry), seq_lengths=lengths, return_carry=True
            )
        if self.pooling == "mean":
            summary = masked_mean(x, lengths)
        else:
            summary = jnp.concatenate([fwd[1], bwd[1]], axis=-1)
        return self.classifier(dropout(summary, self.dropout_rate, keys()))


def sinusoidal_positions(num_frames: int, dim: int) -> np.ndarray:
    """The Transformer's fixed sine/cosine position encodings `[T, dim]`."""
    pos = np.arange(num_frames)[:, None]
    rates = 1.0 / 10000 ** (np.arange(0, dim, 2) / dim)
    enc = np.zeros((num_frames, dim), np.float32)
    enc[:, 0::2] = np.sin(pos * rates)
    enc[:, 1::2] = np.cos(pos * rates)[:, : dim // 2]
    return enc


class EncoderLayer(nnx.Module):
    """Pre-LayerNorm Transformer encoder layer: self-attention, then feed-forward."""

    def __init__(self, dim: int, num_heads: int, ffn_units: int, *, rngs: nnx.Rngs):
        self.norm1 = nnx.LayerNorm(dim, rngs=rngs)
        self.attention = SelfAttention(num_heads, dim, rngs=rngs)
        self.norm2 = nnx.LayerNorm(dim, rngs=rngs)
        self.ffn_in = nnx.Linear(dim, ffn_units, rngs=rngs)
        self.ffn_out = nnx.Linear(ffn_units, dim, rngs=rngs)

    def __call__(self, x, valid, rate, keys: KeyChain):
        h = self.attention(self.norm1(x), valid)
        x = x + dropout(h, rate, keys())
        h = self.ffn_out(dropout(nnx.relu(self.ffn_in(self.norm2(x))), rate, keys()))
        return x + dropout(h, rate, keys())


class SundharamTransformer(nnx.Module):
    """The report's Transformer-encoder model (its best: on mel spectrograms).

    Frames are projected to `model_dim`, given sine/cosine positions, passed
    through `num_layers` pre-LayerNorm encoder layers whose self-attention
    sees valid frames only, averaged over valid frames, normalised, and mapped
    to the class scores. Choices (the report gives none): 4 layers, model
    dimension 64, 4 heads, feed-forward 256, dropout 0.1.
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        model_dim: int = 64,
        num_heads: int = 4,
        num_layers: int = 4,
        ffn_units: int = 256,
        dropout_rate: float = 0.1,
        input_norm: str = "utterance",
        rngs: nnx.Rngs,
    ):
        self.dropout_rate, self.input_norm = dropout_rate, input_norm
        self.model_dim = model_dim
        self.project = nnx.Linear(input_shape[1], model_dim, rngs=rngs)
        self.layers = nnx.List(
            EncoderLayer(model_dim, num_heads, ffn_units, rngs=rngs)
            for _ in range(num_layers)
        )
        self.norm = nnx.LayerNorm(model_dim, rngs=rngs)
        self.classifier = nnx.Linear(model_dim, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        keys = KeyChain(dropout_key)
        x = standardize(features, lengths, self.input_norm)
        x = self.project(x) + sinusoidal_positions(x.shape[1], self.model_dim)
        x = dropout(x, self.dropout_rate, keys())
        valid = valid_mask(lengths, x.shape[1])  # every query sees valid keys only
        for layer in self.layers:
            x = layer(x, valid, self.dropout_rate, keys)
        return self.classifier(self.norm(masked_mean(x, lengths)))
