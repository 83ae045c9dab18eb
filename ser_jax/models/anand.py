"""Anand & Verma, "Convoluting Feelings" (Stanford report): CNNs on 512 ms chunks.

Each 512 ms chunk is a 64 x 64 x 2 image (time x frequency x {40 ms, 5 ms}
window); the models are "conv-relu-pool-[affine]x2": one or two conv + ReLU +
max-pool blocks, a hidden affine layer of 64 units (128 for S4), and the
class scores. The utterance decision of the per-chunk CNNs is the mean of its
chunks' posteriors (the pipeline's segment averaging), the report's "ensemble
over time". `AnandLstm` (the report's LSTM) instead reads the sequence of an
utterance's chunk images; `AnandCnnLstm` (the report's future work) runs an
LSTM over the chunk CNN's hidden vectors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from ser_jax.frontends.anand import AnandSpectrogram
from ser_jax.models.layers import (
    KeyChain,
    conv_block,
    conv_layer,
    dense_layers,
    dropout,
    lstm,
    zero_carry,
)

FULL = 0  # kernel height "the whole frequency axis"

# variant -> ((filters, (time, frequency)) per conv layer, hidden units, R6 extras).
# The report writes kernels frequency x time: "64x5" = the whole 64-bin axis x 5
# frames, here (5, FULL).
VARIANTS = {
    "S1": dict(convs=((16, (5, 5)),), hidden=64),
    "S2": dict(convs=((32, (5, 5)),), hidden=64),
    "S3": dict(convs=((16, (5, 5)), (32, (5, 5))), hidden=64),
    "S4": dict(convs=((256, (5, 5)),), hidden=128),
    "R1": dict(convs=((1024, (5, FULL)),), hidden=64),
    "R2": dict(convs=((32, (5, FULL)),), hidden=64),
    "R3": dict(convs=((16, (5, FULL)), (32, (5, FULL))), hidden=64),
    "R4": dict(convs=((128, (10, FULL)), (128, (10, FULL))), hidden=64),
    "R5": dict(convs=((1024, (10, FULL)),), hidden=64),
    "R6": dict(convs=((1024, (5, FULL)),), hidden=64, dropout=0.5, leaky=True),
}


class AnandCnn(nnx.Module):
    """One of Anand & Verma's chunk CNNs, S1-S4 (square 5x5 filters) or R1-R6.

    Input `[B, T, F, C]` (one chunk: 64 frames x 64 bins x 2 windows) with
    valid frame counts `[B]` (a chunk is only short when its utterance is
    shorter than 512 ms). Convolutions are "SAME" in time; square filters are
    "SAME" in frequency, rectangular ones ("R", `FULL`) span the whole
    frequency axis ("VALID", leaving one bin), so their pooling is 2 x 1.
    Padded frames are zeroed before and after each conv. R6 is R1 with dropout
    (0.5, on the pooled conv features and the hidden layer) and leaky ReLU
    (slope 0.01); `dropout_rate`, `leaky_relu` and `hidden_units` override the
    variant's values. The report's R7 is R1 trained on augmented data (not a
    model change). Choices the report leaves open: "SAME" padding in time, 2x2
    max-pool with stride 2, ReLU on the hidden layer.
    """

    def __init__(
        self,
        input_shape: tuple[int, int, int],
        num_classes: int,
        *,
        variant: str = "R1",
        hidden_units: int | None = None,
        dropout_rate: float | None = None,
        leaky_relu: bool | None = None,
        rngs: nnx.Rngs,
    ):
        if variant not in VARIANTS:
            raise ValueError(f"variant {variant!r} unknown; known: {sorted(VARIANTS)}")
        if len(input_shape) != 3:
            raise ValueError(
                f"AnandCnn wants [time, freq, channels], got {input_shape}"
            )
        spec = VARIANTS[variant]
        self.variant = variant
        self.hidden_units = hidden_units or spec["hidden"]
        self.dropout_rate = (
            spec.get("dropout", 0.0) if dropout_rate is None else dropout_rate
        )
        self.leaky = spec.get("leaky", False) if leaky_relu is None else leaky_relu
        frames, bins, channels = input_shape
        self.convs = nnx.List()
        pools = []
        for features, (k_time, k_freq) in spec["convs"]:
            full = k_freq == FULL
            kernel = (k_time, bins if full else k_freq)
            padding = (((k_time - 1) // 2, k_time // 2), (0, 0)) if full else "SAME"
            self.convs.append(
                conv_layer(channels, features, kernel, padding=padding, rngs=rngs)
            )
            bins = 1 if full else bins
            pool = (2, min(2, bins))
            pools.append(pool)
            frames, bins, channels = frames // pool[0], bins // pool[1], features
        self.pools = tuple(pools)
        self.out_features = self.hidden_units
        self.hidden = nnx.Linear(frames * bins * channels, self.hidden_units, rngs=rngs)
        self.classifier = nnx.Linear(self.hidden_units, num_classes, rngs=rngs)

    def act(self, x: jax.Array) -> jax.Array:
        return nnx.leaky_relu(x, 0.01) if self.leaky else nnx.relu(x)

    def embed(
        self, features: jax.Array, lengths: jax.Array, keys: KeyChain
    ) -> jax.Array:
        """The hidden affine layer's activations `[B, hidden_units]`."""
        x = features
        for conv, pool in zip(self.convs, self.pools, strict=True):
            x, lengths = conv_block(x, lengths, conv, pool=pool, activation=self.act)
        x = dropout(x.reshape(x.shape[0], -1), self.dropout_rate, keys())
        return dense_layers(
            x,
            self.hidden,
            dropout_rate=self.dropout_rate,
            keys=keys,
            activation=self.act,
        )

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        return self.classifier(self.embed(features, lengths, KeyChain(dropout_key)))


class ChunkSequenceLstm(nnx.Module):
    """An LSTM over the sequence of an utterance's 512 ms chunks, each chunk
    first encoded by `encode` (the subclasses: `AnandLstm`, `AnandCnnLstm`).

    Two inputs, told apart by `input_shape`:
    - chunk images `[N, 64, 64, 2]`: `lengths` = valid chunks (what a chunked
      `anand_spectrogram` front-end would give);
    - raw audio `[samples, 1]` (`raw_waveform`, `frame_length=0`): cut here into
      non-overlapping `chunk_seconds` chunks, each turned into its 64 x 64 x 2
      image by `AnandSpectrogram` (default fields) inside the model;
      a chunk counts if it is complete (the remainder is dropped, as the
      "chunks" segmentation does), and a clip shorter than one chunk keeps
      its one (short) chunk.
    Chunks beyond the valid count never reach the LSTM; its last state goes
    through dropout to the class scores. A subclass calls `_set_input`, builds
    its encoder, then `_set_head`.
    """

    def _set_input(
        self, input_shape: Sequence[int], chunk_seconds: float, sample_rate: int
    ) -> tuple[int, int, int]:
        """Sets the in-model spectrogram (raw audio) or none (images); returns
        one chunk image's shape."""
        input_shape = tuple(input_shape)
        if len(input_shape) == 4:
            self.spectrogram = None
            return input_shape[1:]
        if len(input_shape) == 2 and input_shape[1] == 1:
            self.spectrogram = AnandSpectrogram(
                sample_rate=sample_rate, max_samples=round(chunk_seconds * sample_rate)
            )
            if input_shape[0] < self.spectrogram.max_samples:
                raise ValueError(
                    f"{input_shape[0]} samples hold no {chunk_seconds} s chunk"
                )
            return self.spectrogram.output_shape
        raise ValueError(
            f"{type(self).__name__} wants chunk images [chunks, T, F, C] or raw "
            f"audio [samples, 1], got {input_shape}"
        )

    def _set_head(
        self,
        chunk_features: int,
        num_classes: int,
        lstm_units: int,
        dropout_rate: float,
        rngs: nnx.Rngs,
    ) -> None:
        self.lstm_units = lstm_units
        self.dropout_rate = dropout_rate
        self.lstm = lstm(chunk_features, lstm_units, rngs)
        self.classifier = nnx.Linear(lstm_units, num_classes, rngs=rngs)

    def encode(self, chunks: jax.Array, frames: jax.Array, keys: KeyChain) -> jax.Array:
        """Chunk images `[M, 64, 64, 2]` with valid frames `[M]` -> `[M, features]`."""
        raise NotImplementedError

    def chunk_images(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array, jax.Array]:
        """`[B, N, 1]` audio -> images `[B, C, 64, 64, 2]`, their frame counts, chunks."""
        size = self.spectrogram.max_samples
        b, n = audio.shape[0], audio.shape[1] // size
        chunks = audio[:, : n * size, 0].reshape(b * n, size)
        chunk_lengths = jnp.clip(lengths[:, None] - size * jnp.arange(n), 0, size)
        images, frames = self.spectrogram(chunks, chunk_lengths.reshape(-1))
        valid = jnp.clip(lengths // size, 1, n)
        return images.reshape(b, n, *images.shape[1:]), frames.reshape(b, n), valid

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        keys = KeyChain(dropout_key)
        if self.spectrogram is None:
            frames = jnp.full(features.shape[:2], features.shape[2], jnp.int32)
        else:
            features, frames, lengths = self.chunk_images(features, lengths)
        b, n = features.shape[:2]
        chunks = features.reshape(b * n, *features.shape[2:])
        x = self.encode(chunks, frames.reshape(-1), keys).reshape(b, n, -1)
        carry, _ = self.lstm(
            x,
            initial_carry=zero_carry(b, self.lstm_units, x.dtype),
            seq_lengths=lengths,
            return_carry=True,
        )
        return self.classifier(dropout(carry[1], self.dropout_rate, keys()))


class AnandLstm(ChunkSequenceLstm):
    """Anand & Verma's LSTM: each step reads one chunk's raw spectrogram image.

    The report's LSTM runs over "the sequence of 512 ms chunks" of an
    utterance (eNTERFACE, 70 % test accuracy, not speaker independent); the
    step input here is the chunk's 64 x 64 x 2 image itself, flattened (8192
    values; a short chunk's padded frames are zero), with no learned encoder:
    CNN features under the LSTM are the report's future work
    (`AnandCnnLstm`). The report gives no LSTM size: 128 units by default
    (4.26 M parameters, almost all of them input weights).
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        chunk_seconds: float = 0.512,
        sample_rate: int = 16000,
        lstm_units: int = 128,
        dropout_rate: float = 0.5,
        rngs: nnx.Rngs,
    ):
        chunk_shape = self._set_input(input_shape, chunk_seconds, sample_rate)
        self._set_head(
            math.prod(chunk_shape), num_classes, lstm_units, dropout_rate, rngs
        )

    def encode(self, chunks: jax.Array, frames: jax.Array, keys: KeyChain) -> jax.Array:
        return chunks.reshape(chunks.shape[0], -1)


class AnandCnnLstm(ChunkSequenceLstm):
    """An extension of Anand & Verma: a chunk CNN under the LSTM (their future work).

    A chunk CNN (`chunk_variant`, R1 by default) maps every chunk to its hidden
    vector (the 64-unit affine layer) and the LSTM (`lstm_units`) reads those,
    trained end to end. The report's own LSTM reads the raw chunk images
    (`AnandLstm`). Formerly `AnandChunkLstm` (model name `anand_chunk_lstm`).
    """

    def __init__(
        self,
        input_shape: Sequence[int],
        num_classes: int,
        *,
        chunk_variant: str = "R1",
        chunk_seconds: float = 0.512,
        sample_rate: int = 16000,
        lstm_units: int = 128,
        dropout_rate: float = 0.5,
        rngs: nnx.Rngs,
    ):
        chunk_shape = self._set_input(input_shape, chunk_seconds, sample_rate)
        # The CNN's own class layer is unused (kept: earlier checkpoints hold it).
        self.cnn = AnandCnn(chunk_shape, num_classes, variant=chunk_variant, rngs=rngs)
        self._set_head(
            self.cnn.out_features, num_classes, lstm_units, dropout_rate, rngs
        )

    def encode(self, chunks: jax.Array, frames: jax.Array, keys: KeyChain) -> jax.Array:
        return self.cnn.embed(chunks, frames, keys)
