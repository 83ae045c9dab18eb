"""Multi-head self-attention over valid frames, fast forward and backward on CPU.

`nnx.MultiHeadAttention` differentiates `nnx.dot_product_attention` as
written: its backward pass keeps the `[B, H, T, T]` probabilities, transposes
them, and runs six or more passes over that tensor, which for Sundharam's
Transformer (batch 150, 184 frames, 4 heads: 20 M elements, 81 MB) falls out
of cache on every pass. `masked_attention` computes the same function with a
custom VJP in the manner of FlashAttention: the forward pass keeps only the
row maxima and normalisers of the softmax, the backward pass recomputes the
probabilities from the scores, and both run over chunks of the batch whose
score tensor stays in cache (`SCORE_CHUNK_ELEMENTS`, CPU only; elsewhere one
chunk). One encoder layer's self-attention, fwd+bwd, took 0.21 s against
`nnx.MultiHeadAttention`'s 0.31 s on a 2-core CPU
(`python benchmarks/attention_layer.py`), and Sundharam's training step went
from 2.0 s to 1.25 s with the cheaper dropout of `layers.dropout`
(BENCHMARKS.md). `SelfAttention` has the parameter tree of
`nnx.MultiHeadAttention` (query, key, value, out), so checkpoints written
with either restore into the other.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

# Elements of one chunk's score tensor on CPU (chunk x H x T x T): Sundharam's
# Transformer measured fastest with 5 examples a chunk (0.68 M elements),
# against 1 (0.14 M), 10 (1.35 M), 30 (4 M) and the whole batch (20 M); this
# budget gives it 6 (0.81 M), the largest divisor of its batch of 150 that fits.
SCORE_CHUNK_ELEMENTS = 1 << 20


def chunk_size(batch: int, scores_per_example: int) -> int:
    """The largest divisor of `batch` whose chunk of scores fits the CPU budget."""
    if jax.default_backend() != "cpu":
        return batch
    fits = max(1, SCORE_CHUNK_ELEMENTS // scores_per_example)
    return max(c for c in range(1, min(batch, fits) + 1) if batch % c == 0)


def _scale(x: jax.Array) -> jax.Array:
    """1 / sqrt(D), multiplied (a product fuses into XLA's CPU library dots)."""
    return (1.0 / np.sqrt(x.shape[-1])).astype(x.dtype)


def _scores(a: jax.Array, b: jax.Array, valid: jax.Array, key_axis: int) -> jax.Array:
    """Scaled products `[b, H, Ta, Tb]`, padded keys (along `key_axis`) at the minimum.

    `_scores(q, k, valid, -1)` are the scores, `_scores(k, q, valid, -2)`
    the same scores transposed.
    """
    s = jnp.einsum("bhid,bhjd->bhij", a, b) * _scale(a)
    mask = valid[:, None, None, :] if key_axis == -1 else valid[:, None, :, None]
    return jnp.where(mask, s, jnp.finfo(s.dtype).min)


def _forward_chunk(q, k, v, valid):
    """Head-major `[b, H, T, D]` chunk -> outputs, row maxima, inverse normalisers."""
    s = _scores(q, k, valid, -1)
    row_max = jnp.max(s, axis=-1, keepdims=True)
    e = jnp.exp(s - row_max)
    inv_sum = 1.0 / jnp.sum(e, axis=-1, keepdims=True)
    return jnp.einsum("bhqk,bhkd->bhqd", e, v) * inv_sum, row_max, inv_sum


def _backward_chunk(q, k, v, valid, out, row_max, inv_sum, d_out):
    """Gradients of one chunk, the probabilities recomputed from the scores.

    Works on the transposed scores `[b, H, Tk, Tq]`, so that the products
    for `d_v` and `d_k` contract over the minor axis of both operands, which
    XLA's CPU backend hands to its fast library dot (contracting the other
    axis ran as a generic dot at half the speed); only `d_s` is transposed
    back for `d_q`.
    """
    p_t = jnp.exp(_scores(k, q, valid, -2) - jnp.swapaxes(row_max, -1, -2))
    p_t = p_t * jnp.swapaxes(inv_sum, -1, -2)
    d_v = jnp.einsum("bhkq,bhqd->bhkd", p_t, d_out)
    d_p_t = jnp.einsum("bhkd,bhqd->bhkq", v, d_out)
    delta = jnp.sum(d_out * out, axis=-1)[:, :, None, :]
    d_s_t = p_t * (d_p_t - delta) * _scale(q)
    d_k = jnp.einsum("bhkq,bhqd->bhkd", d_s_t, q)
    # The barrier keeps XLA from folding the transpose into the product, which
    # would contract the non-minor axis again.
    d_s = jax.lax.optimization_barrier(jnp.swapaxes(d_s_t, -1, -2))
    d_q = jnp.einsum("bhqk,bhkd->bhqd", d_s, k)
    return d_q, d_k, d_v


def _over_chunks(fn, chunk: int, *arrays):
    """`fn` on consecutive chunks of `chunk` examples (`lax.map`), results re-joined."""
    batch = arrays[0].shape[0]
    if chunk == batch:
        return fn(*arrays)
    split = [a.reshape(batch // chunk, chunk, *a.shape[1:]) for a in arrays]
    results = jax.lax.map(lambda xs: fn(*xs), split)
    return jax.tree.map(lambda r: r.reshape(batch, *r.shape[2:]), results)


def _chunk_of(q: jax.Array) -> int:
    return chunk_size(q.shape[0], q.shape[1] * q.shape[2] ** 2)


@jax.custom_vjp
def masked_attention(
    q: jax.Array, k: jax.Array, v: jax.Array, valid: jax.Array
) -> jax.Array:
    """softmax(q k^T / sqrt(D)) v over the valid keys of each example.

    `q`, `k`, `v`: head-major `[B, H, T, D]`; `valid`: `[B, T]` booleans
    (an example with no valid frame averages all its values, as
    `nnx.dot_product_attention` does). Returns `[B, H, T, D]`.
    """
    return _over_chunks(_forward_chunk, _chunk_of(q), q, k, v, valid)[0]


def _masked_attention_fwd(q, k, v, valid):
    out, row_max, inv_sum = _over_chunks(_forward_chunk, _chunk_of(q), q, k, v, valid)
    return out, (q, k, v, valid, out, row_max, inv_sum)


def _masked_attention_bwd(residuals, d_out):
    q = residuals[0]
    grads = _over_chunks(_backward_chunk, _chunk_of(q), *residuals, d_out)
    return (*grads, None)


masked_attention.defvjp(_masked_attention_fwd, _masked_attention_bwd)


class SelfAttention(nnx.Module):
    """Multi-head self-attention whose queries see the valid frames only.

    The projections of `nnx.MultiHeadAttention` (same names, shapes and
    initialisers, created in the same order; query, key and value applied as
    one matrix product), no attention dropout, and `masked_attention`
    between them.
    """

    def __init__(self, num_heads: int, in_features: int, *, rngs: nnx.Rngs):
        if in_features % num_heads:
            raise ValueError(
                f"in_features {in_features} is not divisible by {num_heads} heads"
            )
        heads = (num_heads, in_features // num_heads)
        self.query = nnx.LinearGeneral(in_features, heads, rngs=rngs)
        self.key = nnx.LinearGeneral(in_features, heads, rngs=rngs)
        self.value = nnx.LinearGeneral(in_features, heads, rngs=rngs)
        self.out = nnx.LinearGeneral(heads, in_features, axis=(-2, -1), rngs=rngs)

    def __call__(self, x: jax.Array, valid: jax.Array) -> jax.Array:
        """`[B, T, C]` frames and `[B, T]` valid flags -> `[B, T, C]`."""
        projections = (self.query, self.key, self.value)
        heads = self.query.kernel.shape[1:]
        kernel = jnp.concatenate([p.kernel[...] for p in projections], axis=-1)
        bias = jnp.concatenate([p.bias[...] for p in projections], axis=-1)
        qkv = jnp.einsum("btc,chd->bthd", x, kernel) + bias
        qkv = qkv.reshape(*x.shape[:2], heads[0], 3, heads[1])
        q, k, v = jnp.moveaxis(qkv, (3, 2), (0, 2))
        out = jnp.swapaxes(masked_attention(q, k, v, valid), 1, 2)
        return self.out(out)
