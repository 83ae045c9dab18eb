"""A drop-in `lax.conv_general_dilated` that is fast on CPU, forward and backward.

XLA's CPU backend computes a convolution's weight gradient as one convolution
whose kernel is the whole output map (e.g. 150 x 200 for Satt's second conv)
and whose output is the small kernel; that runs 10-15 times slower than the
forward pass. `conv_general_dilated` picks, at trace time and on the CPU
backend only, another formulation of the same convolution
(`formulation`), and every GPU/TPU trace is `lax.conv_general_dilated`
unchanged:

- `"fold"`: a 2-D conv whose kernel spans its whole (unpadded) second spatial
  axis, as Anand's R-filters span all 64 frequency bins, has one output
  column: it is a 1-D conv over the first axis with the second folded into
  the channels (`[B, H, W * C_in]`, kernel `[k, W * C_in, C_out]`), the same
  sums in another order. For Anand's R1 conv (two input channels, 1024
  filters of 5 x 64) the folded form took 0.50x of XLA's 2-D time with the
  weight gradient and 0.33x forward alone (`benchmarks/conv_layers.py r1`,
  `--forward r1`).
- `"fft"` (`ser_jax.models.fft_conv`): forward and both gradients as products
  per frequency, for stride-1 undilated convs with large kernels
  (`FFT_MIN_TAPS`: 96 taps in 2-D, 32 in 1-D on more than one input channel)
  whose output covers at least half the padded input along each axis.
  fwd+bwd by FFT took 0.13x of `lax`'s time for Satt's second conv (12 x 8,
  16 -> 24 channels), 0.74x for its first (16 x 12 on one channel), 0.35x /
  0.46x for the quickstart's first two, 0.39x / 0.70x for Aldeneh's 64- and
  32-frame convs (240 -> 384 channels) and 0.38x for Zhang's second (40 taps,
  40 -> 40); with fewer taps it gains less or loses: 2-D kernels of 25-35
  taps 0.71-0.87x, Zhao's first (8 x 8 on 40 bins, one channel) 1.73x,
  3 x 3 kernels 1.4-5.4x, Aldeneh's 16- and 8-frame convs 1.37x / 2.35x,
  Neumann's 20-frame one 1.16x, Zhang's first (40 taps on one channel)
  2.12x, and Anand's whole-axis kernels (one output column, hence the
  coverage rule; they fold) 60x. Outputs equal `lax`'s within float32
  rounding. A 2-D FFT conv on one input channel (a spectrogram's first
  conv) runs its forward pass as `rows_conv` instead, in training as in
  evaluation, and keeps the FFT's gradients (`one_channel_fft_conv`):
  forward alone 0.60x of `lax`'s (and the FFT's) time for Satt's first
  conv, 0.30x for the quickstart's (`benchmarks/conv_layers.py --forward
  cl1 qs1`); fwd+bwd 0.86x and 0.84x of the FFT's.
- `"fft_blocks"` (`fft_conv.blocked_fft_conv`): a 1-D FFT conv over
  overlapping blocks of about four kernel lengths (overlap-save), where the
  kernel's channel pairs outnumber the batch's channels (its spectrum is then
  most of the whole-length FFT's work), the kernel has `BLOCK_MIN_TAPS` taps
  or more and the padded input spans at least two blocks; with fewer channel
  pairs, where it spans `LONG_BLOCKS` blocks. Aldeneh's convs (240 -> 384
  channels over 798 frames, batch 32), fwd+bwd: 64 frames 0.21x of `lax`'s
  time (whole-length FFT 0.34x), 32 frames 0.33x (0.65x), 16 frames 0.51x
  (the FFT 1.13x); forward alone 0.25x, 0.37x, 0.63x. Zhang's second conv
  once over 32 windows' signal (40 -> 40 channels, 40,000 positions; its
  shared frames in evaluation): 0.57x forward (the FFT 0.83x), 0.42x
  fwd+bwd (0.60x) (`benchmarks/conv_layers.py [--forward] al16 al32 al64
  zs2`). In a sweep of block lengths Aldeneh's 8-frame conv gained too
  little (0.86x fwd+bwd, 1.11x forward), Neumann's (26 -> 100 channels)
  nothing, and Zhang's per-frame one (40 -> 40 channels over 16 x 497
  frames of 320) took 1.3-1.6x of the whole FFT's time, so they stay as
  they were.
- `"im2col"` (`im2col_conv` below): XLA's forward pass and input gradient,
  outputs bitwise those of `lax`, and the weight gradient as im2col matrix
  products in chunks of output rows small enough to stay in cache: for each
  chunk the input windows of every kernel offset are stacked next to the
  channels and the chunk's cotangent is contracted with them over batch and
  positions (`weight_gradient`). Taken for channel-last float32 2-D convs
  with more than one input channel where an example's map has
  `MIN_POSITIONS` positions or the input `MIN_CHANNELS` channels: Zhao's
  second conv took 0.63x of `lax`'s time, its third 1.44x at batch 32 (0.73x
  at its config's batch of 64, on a loaded machine); on small maps with few
  channels it ran slower than `lax`. A first conv on a one-channel
  spectrogram stays with `lax` unless the FFT takes it: its im2col gradient
  has one column per kernel offset and ran 1.02-1.21x of `lax`'s time.

Both need channel-last numbers (as `nnx.Conv` uses), no groups, no input
dilation and non-negative padding. Models pass this to
`nnx.Conv(conv_general_dilated=...)` (see `layers.conv_layer`), which keeps
their parameter trees as they were. No 1-D conv takes im2col: for Aldeneh's,
Zhang's, Latif's and Sundharam's 1-D convs its gradient ran slower than XLA's
on this CPU (and Latif's strided 1600-tap kernel compiled for minutes);
`weight_gradient` itself handles any number of spatial axes.
Timings: `python benchmarks/conv_layers.py`, BENCHMARKS.md.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ser_jax.models import fft_conv as fft

# Elements of one chunk's stacked windows (batch x rows x ... x offsets x C_in):
# 0.3-0.6M floats (1-2 MB) measured fastest on a 2-core CPU (Satt's second
# conv: one output row of one example is 0.3M); 4M was 1.7x slower.
CHUNK_ELEMENTS = 1 << 19
# Where im2col pays (see above): input positions per example, or input channels.
MIN_POSITIONS = 20_000
MIN_CHANNELS = 64
# `rows_conv`: about this many channels of output rows side by side.
ROWS_CHANNELS = 128
# Overlap-save blocks (see above): 1-D kernels of at least this many taps,
# blocks of `BLOCK_TAPS` kernel lengths (rounded up to a power of two).
BLOCK_MIN_TAPS = 16
BLOCK_TAPS = 4
# ... and, whatever the channels, inputs this many blocks long.
LONG_BLOCKS = 32
# Where the FFT pays (see above): kernel taps per number of spatial axes
# (2-D: won at 96 and 192, lost at 64; 1-D: won at 32 and 40, lost at 16 and 20).
FFT_MIN_TAPS = {1: 32, 2: 96}


def channel_last_numbers(ndim: int) -> lax.ConvDimensionNumbers:
    """`("NH..C", "H..IO", "NH..C")` for an `ndim`-dimensional input, as nnx.Conv uses."""
    spatial = tuple(range(1, ndim - 1))
    return lax.ConvDimensionNumbers(
        lhs_spec=(0, ndim - 1) + spatial,
        rhs_spec=(ndim - 1, ndim - 2) + tuple(range(ndim - 2)),
        out_spec=(0, ndim - 1) + spatial,
    )


def block_length(taps: int) -> int:
    """Overlap-save block length for a 1-D kernel: the power of two at or above
    `BLOCK_TAPS` kernel lengths."""
    return 1 << (BLOCK_TAPS * taps - 1).bit_length()


def explicit_pads(
    spatial: Sequence[int],
    kernel: Sequence[int],
    strides: Sequence[int],
    padding: str | Sequence[tuple[int, int]],
    dilation: Sequence[int],
) -> tuple[tuple[int, int], ...]:
    """`(low, high)` per spatial axis, from "SAME"/"VALID" or explicit pads."""
    if isinstance(padding, str):
        dilated = [(k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True)]
        padding = lax.padtype_to_pads(spatial, dilated, strides, padding)
    return tuple((int(lo), int(hi)) for lo, hi in padding)


def formulation(
    lhs: jax.Array,
    rhs: jax.Array,
    window_strides: Sequence[int],
    padding,
    lhs_dilation,
    rhs_dilation,
    dimension_numbers,
    feature_group_count: int,
    batch_group_count: int,
    precision,
    preferred_element_type,
) -> str | None:
    """`"fold"`, `"fft_blocks"`, `"fft"`, `"im2col"`, or None for plain `lax`:
    see above."""
    if jax.default_backend() != "cpu" or lhs.ndim not in (3, 4):
        return None
    if lhs.dtype != jnp.float32 or rhs.dtype != jnp.float32:
        return None
    if feature_group_count != 1 or batch_group_count != 1:
        return None
    if precision is not None or preferred_element_type is not None:
        return None
    if lhs_dilation is not None and any(d != 1 for d in lhs_dilation):
        return None
    numbers = lax.conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    if numbers != channel_last_numbers(lhs.ndim):
        return None
    spatial, kernel, c_in = lhs.shape[1:-1], rhs.shape[:-2], lhs.shape[-1]
    dilation = tuple(rhs_dilation or (1,) * len(kernel))
    pads = explicit_pads(spatial, kernel, window_strides, padding, dilation)
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        return None
    if len(kernel) == 2 and pads[1] == (0, 0) and kernel[1] == spatial[1] > 1:
        if dilation[1] == 1:
            return "fold"
    if all(s == 1 for s in window_strides) and all(d == 1 for d in dilation):
        padded = [n + lo + hi for n, (lo, hi) in zip(spatial, pads, strict=True)]
        if len(kernel) == 1 and c_in > 1 and kernel[0] >= BLOCK_MIN_TAPS:
            c_out, batch = rhs.shape[-1], lhs.shape[0]
            block = block_length(kernel[0])
            kernel_heavy = c_in * c_out >= batch * (c_in + c_out)
            if padded[0] >= (2 if kernel_heavy else LONG_BLOCKS) * block:
                return "fft_blocks"
        covered = all(2 * (p - k + 1) >= p for p, k in zip(padded, kernel, strict=True))
        many_taps = int(np.prod(kernel)) >= FFT_MIN_TAPS[len(kernel)]
        if covered and many_taps and (len(kernel) == 2 or c_in > 1):
            return "fft"
    if len(kernel) != 2 or c_in == 1:
        return None
    if spatial[0] * spatial[1] >= MIN_POSITIONS or c_in >= MIN_CHANNELS:
        return "im2col"
    return None


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
    """`lax.conv_general_dilated`, by FFT or with the im2col weight gradient where they apply."""
    how = None
    if out_sharding is None:
        how = formulation(
            lhs,
            rhs,
            window_strides,
            padding,
            lhs_dilation,
            rhs_dilation,
            dimension_numbers,
            feature_group_count,
            batch_group_count,
            precision,
            preferred_element_type,
        )
    if how is not None:
        dilation = tuple(rhs_dilation or (1,) * (lhs.ndim - 2))
        pads = explicit_pads(
            lhs.shape[1:-1], rhs.shape[:-2], window_strides, padding, dilation
        )
        if how == "fold":
            return folded_conv(lhs, rhs, window_strides[0], pads[0], dilation[0])
        if how == "fft_blocks":
            return fft.blocked_fft_conv(lhs, rhs, pads, block_length(rhs.shape[0]))
        if how == "fft":
            if lhs.ndim == 4 and lhs.shape[-1] == 1:
                return one_channel_fft_conv(lhs, rhs, pads)
            return fft.fft_conv(lhs, rhs, pads)
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


def folded_conv(
    x: jax.Array, w: jax.Array, stride: int, pads: tuple[int, int], dilation: int
) -> jax.Array:
    """A 2-D conv whose kernel spans the whole second axis (`"fold"`), as the
    1-D conv it is: `[B, H, W, C]`, `[k, W, C, O]` -> `[B, H', 1, O]`."""
    b, h, width, c = x.shape
    k, o = w.shape[0], w.shape[-1]
    y = conv_general_dilated(
        x.reshape(b, h, width * c),
        w.reshape(k, width * c, o),
        (stride,),
        (pads,),
        rhs_dilation=(dilation,),
        dimension_numbers=channel_last_numbers(3),
    )
    return y[:, :, None, :]


def rows_conv(x: jax.Array, w: jax.Array, pads: fft.Pads) -> jax.Array:
    """A stride-1 2-D conv on one input channel with `R` output rows side by side.

    XLA's CPU conv runs a one-channel input at a fraction of its speed on
    many channels. Here each group of `R` output rows (`R * C_out` about
    `ROWS_CHANNELS`) is one position of a conv over the `k + R - 1` input
    rows it reads, stacked as channels, with a kernel of one row: `R` copies
    of the kernel, shifted by one row each, as its output channels. The
    zeros of the shifted copies cost `(R - 1) / k` more multiply-adds, the
    wider product gains more.
    """
    b, h = x.shape[:2]
    k, c_out = w.shape[0], w.shape[-1]
    (lo, hi), rest = pads[0], tuple(pads[1:])
    rows = max(1, ROWS_CHANNELS // c_out)
    out = h + lo + hi - k + 1
    groups = -(-out // rows)
    xp = jnp.pad(x[..., 0], [(0, 0), (lo, groups * rows + k - 1 - h - lo), (0, 0)])
    stacked = jnp.stack(
        [
            lax.slice_in_dim(xp, i, i + (groups - 1) * rows + 1, rows, axis=1)
            for i in range(k + rows - 1)
        ],
        axis=-1,
    )  # [B, groups, W, k + rows - 1]
    taps = jnp.moveaxis(w[:, :, 0, :], 0, 1)  # [kw, k, C_out]
    shifted = jnp.stack(
        [jnp.pad(taps, [(0, 0), (r, rows - 1 - r), (0, 0)]) for r in range(rows)],
        axis=-2,
    )  # [kw, k + rows - 1, rows, C_out]
    y = lax.conv_general_dilated(
        stacked,
        shifted.reshape(1, w.shape[1], k + rows - 1, rows * c_out),
        (1, 1),
        ((0, 0), *rest),
        dimension_numbers=channel_last_numbers(4),
    )  # [B, groups, W', rows * C_out]
    y = y.reshape(*y.shape[:3], rows, c_out)
    y = jnp.moveaxis(y, 3, 2).reshape(b, groups * rows, y.shape[2], c_out)
    return y[:, :out]


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def one_channel_fft_conv(x: jax.Array, w: jax.Array, pads: fft.Pads) -> jax.Array:
    """`rows_conv`'s output with the FFT's gradients (`fft_conv_bwd`).

    On one input channel the FFT's forward pass is mostly its inverse
    transforms of the `C_out` output maps, which cost more than `rows_conv`;
    the gradients need only the input's and the kernel's spectra."""
    return rows_conv(x, w, pads)


def one_channel_fft_conv_fwd(x: jax.Array, w: jax.Array, pads: fft.Pads):
    return rows_conv(x, w, pads), fft.conv_spectra(x, w, pads)


one_channel_fft_conv.defvjp(one_channel_fft_conv_fwd, fft.fft_conv_bwd)


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
