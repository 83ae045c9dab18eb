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
chunk). One encoder layer's self-attention, fwd+bwd, went from 0.30-0.35 s
to 0.15-0.18 s on a 2-core CPU (BENCHMARKS.md). `SelfAttention` has the
parameter tree of `nnx.MultiHeadAttention` (query, key, value, out), so
checkpoints written with either restore into the other.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

# Elements of one chunk's score tensor on CPU (chunk x H x T x T): Sundharam's
# Transformer measured fastest with 5 examples a chunk (0.68 M elements),
# against 1 (0.14 M), 10 (1.35 M), 30 (4 M) and the whole batch (20 M).
SCORE_CHUNK_ELEMENTS = 1 << 20


def chunk_size(batch: int, scores_per_example: int) -> int:
    """The largest divisor of `batch` whose chunk of scores fits the CPU budget."""
    if jax.default_backend() != "cpu":
        return batch
    fits = max(1, SCORE_CHUNK_ELEMENTS // scores_per_example)
    return max(c for c in range(1, min(batch, fits) + 1) if batch % c == 0)


def _scores(q: jax.Array, k: jax.Array, valid: jax.Array) -> jax.Array:
    """`[b, H, Tq, Tk]` scaled dot products, padded keys at the float minimum."""
    s = jnp.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(q.shape[-1]).astype(q.dtype)
    return jnp.where(valid[:, None, None, :], s, jnp.finfo(s.dtype).min)


def _forward_chunk(q, k, v, valid):
    """Head-major `[b, H, T, D]` chunk -> outputs, row maxima, inverse normalisers."""
    s = _scores(q, k, valid)
    row_max = jnp.max(s, axis=-1, keepdims=True)
    e = jnp.exp(s - row_max)
    inv_sum = 1.0 / jnp.sum(e, axis=-1, keepdims=True)
    return jnp.einsum("bhqk,bhkd->bhqd", e, v) * inv_sum, row_max, inv_sum


def _backward_chunk(q, k, v, valid, out, row_max, inv_sum, d_out):
    """Gradients of one chunk, the probabilities recomputed from the scores."""
    p = jnp.exp(_scores(q, k, valid) - row_max) * inv_sum
    d_v = jnp.einsum("bhqk,bhqd->bhkd", p, d_out)
    d_p = jnp.einsum("bhqd,bhkd->bhqk", d_out, v)
    d_s = p * (d_p - jnp.sum(d_out * out, axis=-1, keepdims=True))
    d_s = d_s / np.sqrt(q.shape[-1]).astype(q.dtype)
    d_q = jnp.einsum("bhqk,bhkd->bhqd", d_s, k)
    d_k = jnp.einsum("bhqk,bhqd->bhkd", d_s, q)
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
    (every example needs one valid frame). Returns `[B, H, T, D]`.
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
    initialisers, created in the same order), no attention dropout, and
    `masked_attention` between them.
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
        q, k, v = (
            jnp.swapaxes(proj(x), 1, 2) for proj in (self.query, self.key, self.value)
        )
        return self.out(jnp.swapaxes(masked_attention(q, k, v, valid), 1, 2))
