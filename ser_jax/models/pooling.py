"""Max pooling (window = stride) whose gradient is fast on CPU.

XLA's CPU backend differentiates `lax.reduce_window` max (what `nnx.max_pool`
runs) with `select_and_scatter`, which on a 2-core CPU took 0.82 s for the
gradient of Zhao's first 2x2 pool after ReLU (64 x 498 x 33 x 64 floats),
against 0.49 s for PyTorch's forward and backward of the same pool
(`benchmarks/conv_layers.py` times both gradients at batch 32). The pools of
ser_jax's models never overlap (window = stride), so the gradient can be
computed instead with elementwise operations on the input viewed as `[B, T/w0, w0, F/w1, w1, ..., C]`: each window's gradient goes to
its first maximum in row-major window order, the element `select_and_scatter`
(and PyTorch) picks, so the gradient equals `nnx.max_pool`'s bitwise, ties
included. That took 0.13 s for the same pool (taking the minimum position
of the maxima over the window axes instead took 0.22 s). The forward pass is
`nnx.max_pool` itself. Only the CPU backend (decided at trace time) takes the
custom gradient; GPU and TPU traces are `nnx.max_pool` unchanged.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
from flax import nnx


def max_pool(x: jax.Array, window: Sequence[int]) -> jax.Array:
    """`nnx.max_pool(x, window, strides=window)` ("VALID") over `x`'s axes 1..n.

    `x` is `[B, *spatial, C]` with `len(window)` spatial axes; trailing
    positions that fill no whole window are dropped, as `nnx.max_pool` does.
    """
    window = tuple(int(w) for w in window)
    if jax.default_backend() != "cpu":
        return nnx.max_pool(x, window, strides=window)
    return _max_pool(x, window)


@functools.partial(jax.custom_vjp, nondiff_argnums=(1,))
def _max_pool(x: jax.Array, window: tuple[int, ...]) -> jax.Array:
    return nnx.max_pool(x, window, strides=window)


def _max_pool_fwd(x, window):
    y = _max_pool(x, window)
    return y, (x, y)


def _max_pool_bwd(window, residuals, g):
    x, y = residuals
    n = len(window)
    pooled = y.shape[1 : 1 + n]
    covered = tuple(p * w for p, w in zip(pooled, window, strict=True))
    crop = x[(slice(None),) + tuple(slice(0, c) for c in covered)]
    # [B, P0, w0, P1, w1, ..., C]: window offsets on the odd axes from 1.
    split = (x.shape[0],)
    split += tuple(itertools.chain.from_iterable(zip(pooled, window, strict=True)))
    split += x.shape[1 + n :]
    windows = crop.reshape(split)
    offset_axes = tuple(2 + 2 * i for i in range(n))
    y, g = jnp.expand_dims(y, offset_axes), jnp.expand_dims(g, offset_axes)
    # Visit the window offsets in row-major order; an element takes the
    # gradient if it equals the maximum and no earlier element did.
    taken = jnp.zeros(y.shape, bool)
    parts = {}
    for offset in itertools.product(*(range(w) for w in window)):
        index = (slice(None),) + tuple(
            itertools.chain.from_iterable(
                (slice(None), slice(o, o + 1)) for o in offset
            )
        )
        first = (windows[index] == y) & ~taken
        parts[offset] = jnp.where(first, g, jnp.zeros((), g.dtype))
        taken = taken | first

    def assemble(prefix: tuple[int, ...]) -> jax.Array:
        if len(prefix) == n:
            return parts[prefix]
        blocks = [assemble(prefix + (o,)) for o in range(window[len(prefix)])]
        return jnp.concatenate(blocks, axis=offset_axes[len(prefix)])

    grad = assemble(()).reshape(crop.shape)
    pads = [(0, 0)] + [
        (0, s - c) for s, c in zip(x.shape[1 : 1 + n], covered, strict=True)
    ]
    pads += [(0, 0)] * (x.ndim - 1 - n)
    return (jnp.pad(grad, pads),)


_max_pool.defvjp(_max_pool_fwd, _max_pool_bwd)
