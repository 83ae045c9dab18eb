"""A drop-in `lax.conv_general_dilated` whose weight gradient is fast on CPU.

XLA's CPU backend computes a convolution's weight gradient as one convolution
whose kernel is the whole output map (e.g. 150 x 200 for Satt's second conv)
and whose output is the small kernel; that runs 10-15 times slower than the
forward pass. Here the weight gradient is computed instead as im2col matrix
products, in chunks of output rows small enough to stay in cache: for each
chunk the input windows of every kernel offset are stacked next to the
channels and the chunk's cotangent is contracted with them over batch and
positions (`weight_gradient`). The forward pass and the input gradient are XLA's
own (`lax.conv_general_dilated` and its transpose), so outputs are bitwise
those of `lax`; the weight gradient equals `lax`'s within float32 rounding.

`conv_general_dilated` takes the fast path only on the CPU backend (decided at
trace time), for channel-last float32 convolutions with 2 spatial axes and
more than one input channel, no input dilation, no groups and non-negative
padding; anything else (and every GPU/TPU trace) is `lax.conv_general_dilated`
unchanged. A first conv on a one-channel spectrogram stays with `lax`: its
im2col gradient has one column per kernel offset, and fwd+bwd of the layer ran
1.24x (the quickstart's 16x12 on 300x200), 1.03x (Satt's on 300x400) and 0.90x
(Zhao's 8x8 on 498x40) of `lax`'s time here, and compiled 1.5-4x slower. Models pass it
to `nnx.Conv(conv_general_dilated=...)` (see `layers.conv_layer`), which keeps
their parameter trees as they were. 1-D convolutions stay with `lax`: for
Aldeneh's, Zhang's, Latif's and Sundharam's 1-D convs the im2col gradient ran
slower than XLA's on this CPU (and Latif's 1600-tap kernel compiled for
minutes); `weight_gradient` itself handles any number of spatial axes.
Nor does im2col pay on small maps with few channels: it ran 1.69x, 1.49x and
1.17x of `lax`'s time for the quickstart's second and third convs (8 -> 8
channels on 150 x 100, 8 -> 16 on 75 x 50) and Satt's third (24 -> 32 on
75 x 100), against 0.37x for Satt's second (16 -> 24 on 150 x 200) and
0.92x for Zhao's second (64 -> 128 on 249 x 16), so it is taken where an
example's map has `MIN_POSITIONS` positions or the input `MIN_CHANNELS`
channels (`python benchmarks/conv_layers.py`, BENCHMARKS.md).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

# Elements of one chunk's stacked windows (batch x rows x ... x offsets x C_in):
# 0.3-0.6M floats (1-2 MB) measured fastest on a 2-core CPU (Satt's second
# conv: one output row of one example is 0.3M); 4M was 1.7x slower.
CHUNK_ELEMENTS = 1 << 19
# Where im2col pays (see above): input positions per example, or input channels.
MIN_POSITIONS = 20_000
MIN_CHANNELS = 64


def channel_last_numbers(ndim: int) -> lax.ConvDimensionNumbers:
    """`("NH..C", "H..IO", "NH..C")` for an `ndim`-dimensional input, as nnx.Conv uses."""
    spatial = tuple(range(1, ndim - 1))
    return lax.ConvDimensionNumbers(
        lhs_spec=(0, ndim - 1) + spatial,
        rhs_spec=(ndim - 1, ndim - 2) + tuple(range(ndim - 2)),
        out_spec=(0, ndim - 1) + spatial,
    )


def fast_path(
    lhs: jax.Array,
    rhs: jax.Array,
    padding,
    lhs_dilation,
    dimension_numbers,
    feature_group_count: int,
    batch_group_count: int,
    precision,
    preferred_element_type,
) -> bool:
    """Whether the im2col weight gradient applies (else: plain `lax`): see above."""
    if jax.default_backend() != "cpu":
        return False
    if lhs.ndim != 4 or lhs.dtype != jnp.float32 or rhs.dtype != jnp.float32:
        return False
    if feature_group_count != 1 or batch_group_count != 1:
        return False
    if precision is not None or preferred_element_type is not None:
        return False
    if lhs_dilation is not None and any(d != 1 for d in lhs_dilation):
        return False
    if not isinstance(padding, str) and any(lo < 0 or hi < 0 for lo, hi in padding):
        return False
    numbers = lax.conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    if numbers != channel_last_numbers(lhs.ndim) or lhs.shape[-1] == 1:
        return False
    positions = lhs.shape[1] * lhs.shape[2]
    return positions >= MIN_POSITIONS or lhs.shape[-1] >= MIN_CHANNELS


def conv_general_dilated(
    lhs: jax.Array,
    rhs: jax.Array,
    window_strides: Sequence[int],
    padding: str | Sequence[tuple[int, int]],
    lhs_dilation: Sequence[int] | None = None,
    rhs_dilation: Sequence[int] | None = None,
    dimension_numbers=None,
    feature_group_count: int = 1,
    batch_group_count: int = 1,
    precision=None,
    preferred_element_type=None,
    out_sharding=None,
) -> jax.Array:
    """`lax.conv_general_dilated`, with the im2col weight gradient where it applies."""
    if out_sharding is None and fast_path(
        lhs,
        rhs,
        padding,
        lhs_dilation,
        dimension_numbers,
        feature_group_count,
        batch_group_count,
        precision,
        preferred_element_type,
    ):
        spatial = lhs.ndim - 2
        dilation = tuple(rhs_dilation or (1,) * spatial)
        if isinstance(padding, str):
            dilated = [
                (k - 1) * d + 1 for k, d in zip(rhs.shape[:-2], dilation, strict=True)
            ]
            padding = lax.padtype_to_pads(
                lhs.shape[1:-1], dilated, window_strides, padding
            )
        pads = tuple((int(lo), int(hi)) for lo, hi in padding)
        return im2col_conv(lhs, rhs, tuple(window_strides), pads, dilation)
    kwargs = {} if out_sharding is None else {"out_sharding": out_sharding}
    return lax.conv_general_dilated(
        lhs,
        rhs,
        window_strides,
        padding,
        lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation,
        dimension_numbers=dimension_numbers,
        feature_group_count=feature_group_count,
        batch_group_count=batch_group_count,
        precision=precision,
        preferred_element_type=preferred_element_type,
        **kwargs,
    )


def lax_conv(x, w, strides, pads, dilation) -> jax.Array:
    return lax.conv_general_dilated(
        x,
        w,
        strides,
        pads,
        rhs_dilation=dilation,
        dimension_numbers=channel_last_numbers(x.ndim),
    )


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3, 4))
def im2col_conv(x, w, strides, pads, dilation) -> jax.Array:
    """Channel-last conv: `lax`'s forward, the im2col weight gradient."""
    return lax_conv(x, w, strides, pads, dilation)


def im2col_conv_fwd(x, w, strides, pads, dilation):
    return lax_conv(x, w, strides, pads, dilation), (x, w)


def im2col_conv_bwd(strides, pads, dilation, residuals, g):
    x, w = residuals
    _, input_vjp = jax.vjp(lambda x: lax_conv(x, w, strides, pads, dilation), x)
    (dx,) = input_vjp(g)
    return dx, weight_gradient(x, g, w.shape, strides, pads, dilation)


im2col_conv.defvjp(im2col_conv_fwd, im2col_conv_bwd)


def weight_gradient(
    x: jax.Array,
    g: jax.Array,
    kernel_shape: tuple[int, ...],
    strides: tuple[int, ...],
    pads: tuple[tuple[int, int], ...],
    dilation: tuple[int, ...],
) -> jax.Array:
    """`d loss / d kernel` `[k_1, .., k_n, C_in, C_out]` from input `x` and cotangent `g`.

    `dw[k, c, o] = sum_{b, p} x_padded[b, p * stride + k * dilation, c] g[b, p, o]`.
    A `lax.scan` over chunks of `batch` examples x `rows` output rows (first
    spatial axis), about `CHUNK_ELEMENTS` im2col elements each: the chunk's
    input windows of every kernel offset are stacked next to the channels
    (`[batch * rows * .., offsets * C_in]`) and the chunk's cotangent
    `[batch * rows * .., C_out]` is contracted with them as `g^T @ patches`
    (`[C_out, offsets * C_in]`: this operand order ran 3-6x faster than
    `patches^T @ g` in XLA's CPU matmul here).
    """
    kernel, (c_in, c_out) = kernel_shape[:-2], kernel_shape[-2:]
    b, out_rows, out_rest = g.shape[0], g.shape[1], g.shape[2:-1]
    offsets = list(itertools.product(*map(range, kernel)))
    row_elements = len(offsets) * c_in * int(np.prod(out_rest, dtype=int))
    rows = int(np.clip(CHUNK_ELEMENTS // row_elements, 1, out_rows))
    batch = (
        1
        if rows < out_rows
        else int(np.clip(CHUNK_ELEMENTS // (row_elements * out_rows), 1, b))
    )
    row_blocks, batch_blocks = -(-out_rows // rows), -(-b // batch)
    # Pad rows and batch to whole chunks: padded cotangents are zero.
    g = jnp.pad(
        g,
        [(0, batch_blocks * batch - b), (0, row_blocks * rows - out_rows)]
        + [(0, 0)] * (g.ndim - 2),
    )
    in_rows = (rows - 1) * strides[0] + (kernel[0] - 1) * dilation[0] + 1
    need_rows = (row_blocks * rows - 1) * strides[0] + (kernel[0] - 1) * dilation[0] + 1
    padded_rows = x.shape[1] + pads[0][0] + pads[0][1]
    x = jnp.pad(
        x,
        [(0, batch_blocks * batch - b)]
        + [(pads[0][0], pads[0][1] + max(need_rows - padded_rows, 0))]
        + list(pads[1:])
        + [(0, 0)],
    )
    out_spatial = (rows, *out_rest)

    def window(xs, offset):
        """`xs[:, offset * dilation + stride * p, :]`: `[batch, rows, .., C_in]`."""
        start = [k * d for k, d in zip(offset, dilation, strict=True)]
        limit = [
            s + (n - 1) * st + 1
            for s, n, st in zip(start, out_spatial, strides, strict=True)
        ]
        return lax.slice(xs, (0, *start, 0), (batch, *limit, c_in), (1, *strides, 1))

    def chunk(acc, index):
        bi, ri = index // row_blocks, index % row_blocks
        xs = lax.dynamic_slice(
            x,
            (bi * batch, ri * rows * strides[0]) + (0,) * (x.ndim - 2),
            (batch, in_rows) + x.shape[2:],
        )
        gs = lax.dynamic_slice(
            g,
            (bi * batch, ri * rows) + (0,) * (g.ndim - 2),
            (batch, rows) + g.shape[2:],
        )
        patches = jnp.stack([window(xs, o) for o in offsets], axis=-2)
        patches = patches.reshape(-1, len(offsets) * c_in)
        contribution = lax.dot_general(
            gs.reshape(-1, c_out), patches, (((0,), (0,)), ((), ()))
        )
        return acc + contribution, None

    acc = jnp.zeros((c_out, len(offsets) * c_in), g.dtype)
    acc, _ = lax.scan(chunk, acc, jnp.arange(row_blocks * batch_blocks))
    return acc.T.reshape(*kernel, c_in, c_out)
