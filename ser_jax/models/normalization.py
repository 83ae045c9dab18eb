"""Batch normalisation over valid positions, with its gradient written out.

`MaskedBatchNorm` (in `layers`) normalises with the mean and variance of the
valid positions of the global batch. Left to autodiff, its backward pass
keeps several full-size intermediates (the centred input, its square, the
normalised input, their products with the cotangent) and reads each of them
again; on Zhao's first conv output (64 x 498 x 33 x 64 floats) BatchNorm's
forward and backward took 0.47 s on a 2-core CPU, as long as the conv's own
weight gradient. `normalize` computes the same function with the textbook
backward pass: two sums over the cotangent (`sum g` and `sum g * x_hat`,
`psum`-ed like the statistics) and one elementwise pass,

    dx = r * scale * (g - m / n * (sum g + x_hat * sum g x_hat)),

with `r = 1 / sqrt(var + eps)`, `m` the valid mask and `n` the valid count.
Outputs are those of the autodiff version; gradients equal it within float32
rounding (tested).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp


def _psum(x, axis_name: str | None):
    return x if axis_name is None else jax.lax.psum(x, axis_name)


def _moments(
    x: jax.Array, weight: jax.Array, axis_name: str | None
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """(mean, variance, valid count) of the positions with weight 1: see `statistics`."""
    # Weighted sums as products with the flat weights: summed as `x * weight`,
    # XLA's CPU backend wrote the weight out at x's full size first (Zhao's
    # first conv output: 268 MB, 0.09 s a step; the step 4.1-4.2 -> 3.9-4.0 s).
    w = jnp.broadcast_to(weight, x.shape[:-1] + (1,)).reshape(-1)
    flat = x.reshape(-1, x.shape[-1])
    dot = functools.partial(jnp.matmul, precision=jax.lax.Precision.HIGHEST)
    count, total = _psum((w.sum(keepdims=True), dot(w, flat)), axis_name)
    count = jnp.maximum(count, 1.0)
    mean = total / count
    var = _psum(dot(w, (flat - mean) ** 2), axis_name) / count
    return mean, var, count


def statistics(
    x: jax.Array, weight: jax.Array, axis_name: str | None
) -> tuple[jax.Array, jax.Array]:
    """(mean, variance) over every axis but the last, of the positions with weight 1.

    `weight` `[..., 1]` (1 valid, 0 padding) broadcasts against `x`; sums are
    `psum`-ed over `axis_name` (the pmap axis; None outside pmap), so every
    device gets the global batch's statistics.
    """
    mean, var, _ = _moments(x, weight, axis_name)
    return mean, var


def _forward(x, weight, scale, bias, epsilon, axis_name):
    """(output, (mean, var), what the backward pass needs)."""
    mean, var, count = _moments(x, weight, axis_name)
    r = jax.lax.rsqrt(var + epsilon)
    y = (x - mean) * r * scale + bias
    return y, (mean, var), (x, weight, scale, mean, r, count)


@functools.partial(jax.custom_vjp, nondiff_argnums=(4, 5))
def normalize(
    x: jax.Array,
    weight: jax.Array,
    scale: jax.Array,
    bias: jax.Array,
    epsilon: float,
    axis_name: str | None,
) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
    """(`(x - mean) / sqrt(var + epsilon) * scale + bias`, (mean, var)).

    The batch statistics come back too, for the running averages (their
    gradient is not defined: callers stop it).
    """
    y, stats, _ = _forward(x, weight, scale, bias, epsilon, axis_name)
    return y, stats


def _normalize_fwd(x, weight, scale, bias, epsilon, axis_name):
    y, stats, residuals = _forward(x, weight, scale, bias, epsilon, axis_name)
    return (y, stats), residuals


def _normalize_bwd(epsilon, axis_name, residuals, cotangents):
    del epsilon
    x, weight, scale, mean, r, count = residuals
    g, _ = cotangents  # the statistics' cotangents: callers stop their gradient
    axes = tuple(range(x.ndim - 1))
    x_hat = (x - mean) * r
    sum_g, sum_g_x_hat = g.sum(axes), (g * x_hat).sum(axes)
    total_g, total_g_x_hat = _psum((sum_g, sum_g_x_hat), axis_name)
    dx = (r * scale) * (g - weight / count * (total_g + x_hat * total_g_x_hat))
    # The weight is a mask (no gradient); scale's and bias's are this device's
    # share, summed over devices by the training step like every parameter's.
    return dx, jnp.zeros_like(weight), sum_g_x_hat, sum_g


normalize.defvjp(_normalize_fwd, _normalize_bwd)
