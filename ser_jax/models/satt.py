"""Satt, Rozenberg & Hoory (Interspeech 2017): conv layers + bidirectional LSTM."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from flax import nnx


def time_mask(lengths: jax.Array, num_frames: int) -> jax.Array:
    """`[B, T, 1, 1]` mask of valid frames, to broadcast over `[B, T, F, C]`."""
    return (jnp.arange(num_frames)[None, :] < lengths[:, None])[:, :, None, None]


class SattCnnLstm(nnx.Module):
    """3 conv + max-pool blocks, a BiLSTM over time, dense 64, dropout, softmax.

    Input `[B, T, F]` spectrogram frames with valid-frame counts `[B]`. Kernels
    are (time, frequency); the paper's example 12x16, 8x12, 5x7 (freq x time)
    become (16, 12), (12, 8), (7, 5). Padded frames are zeroed before and after
    every "SAME" conv, so padding never leaks into the last valid frames, and
    the LSTM reads only valid steps. The utterance summary is the final hidden
    state of each direction (`pooling="last"`) or the mean of the outputs over
    valid steps (`pooling="mean"`); the paper does not say which it used.
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
        if pooling not in ("last", "mean"):
            raise ValueError(f"pooling must be 'last' or 'mean', got {pooling!r}")
        if len(conv_features) != len(conv_kernels):
            raise ValueError("conv_features and conv_kernels need the same length")
        self.pooling = pooling
        self.lstm_units = lstm_units
        self.convs = nnx.List()
        in_features = 1
        for features, kernel in zip(conv_features, conv_kernels, strict=True):
            self.convs.append(
                nnx.Conv(
                    in_features, features, tuple(kernel), padding="SAME", rngs=rngs
                )
            )
            in_features = features
        freq_bins = input_shape[1] // 2 ** len(conv_features)
        lstm_in = freq_bins * in_features
        # rngs=False: the carries start at zero (given in __call__), so no RNG state.
        self.lstm = nnx.Bidirectional(
            nnx.RNN(nnx.OptimizedLSTMCell(lstm_in, lstm_units, rngs=rngs), rngs=False),
            nnx.RNN(nnx.OptimizedLSTMCell(lstm_in, lstm_units, rngs=rngs), rngs=False),
            rngs=False,
        )
        self.dense = nnx.Linear(2 * lstm_units, dense_units, rngs=rngs)
        self.dropout = nnx.Dropout(dropout_rate)
        self.classifier = nnx.Linear(dense_units, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        """Logits `[B, num_classes]`; dropout is active iff `dropout_key` is given."""
        x = features[..., None]
        for conv in self.convs:
            x = x * time_mask(lengths, x.shape[1])
            x = nnx.relu(conv(x)) * time_mask(lengths, x.shape[1])
            x = nnx.max_pool(x, window_shape=(2, 2), strides=(2, 2))
            lengths = jnp.minimum((lengths + 1) // 2, x.shape[1])
        x = x.reshape(x.shape[0], x.shape[1], -1)
        zeros = jnp.zeros((x.shape[0], self.lstm_units), x.dtype)
        (fwd, bwd), outputs = self.lstm(
            x,
            initial_carry=((zeros, zeros), (zeros, zeros)),
            seq_lengths=lengths,
            return_carry=True,
        )
        if self.pooling == "last":
            summary = jnp.concatenate([fwd[1], bwd[1]], axis=-1)
        else:
            mask = time_mask(lengths, x.shape[1])[..., 0]
            summary = (outputs * mask).sum(axis=1) / jnp.maximum(lengths, 1)[:, None]
        x = nnx.relu(self.dense(summary))
        x = self.dropout(x, deterministic=dropout_key is None, rngs=dropout_key)
        return self.classifier(x)
