"""A stride-1 channel-last convolution computed by FFT, forward and backward.

A convolution is a product per frequency: `rfft` the input maps and the
kernels once, multiply them channel by channel at every frequency (a small
matrix product `[batch, C_in] @ [C_in, C_out]` per frequency), and transform
back. Its cost grows with the map size and the channel count, not with the
kernel's taps, so it wins where kernels are large: Satt et al.'s 16 x 12 and
12 x 8 kernels take 192 and 96 multiply-adds per output and input channel
directly, about a tenth of that by FFT. The backward pass is two more such
products: the input gradient convolves the output's cotangent with the kernel,
the weight gradient correlates the input with the cotangent (summed over the
batch). The spectra of the forward pass are kept for the backward one.

Cyclic convolution of length `n` equals the linear one wherever no sum wraps
around: every transform here spans the padded input (`n >= H + pads`), and
only outputs that need no wrap are kept. Transform lengths are rounded up to
products of 2, 3 and 5 (`fft_length`), which XLA's CPU FFT runs fastest.

Results equal `lax.conv_general_dilated`'s within float32 rounding (relative
error ~1e-6 of each output's scale; `tests/test_conv.py`), as cuDNN's own FFT
algorithms do on a GPU. `ser_jax.models.conv` decides where this is used.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from jax import lax

Pads = tuple[tuple[int, int], ...]


def fft_length(n: int) -> int:
    """The smallest product of 2, 3 and 5 that is at least `n`."""
    m = n
    while True:
        rest = m
        for p in (2, 3, 5):
            while rest % p == 0:
                rest //= p
        if rest == 1:
            return m
        m += 1


def transform_lengths(spatial: tuple[int, ...], pads: Pads) -> tuple[int, ...]:
    """Transform lengths covering the padded input along each spatial axis."""
    return tuple(
        fft_length(n + lo + hi) for n, (lo, hi) in zip(spatial, pads, strict=True)
    )


def per_frequency_product(
    a: jax.Array, b: jax.Array, contract: tuple[int, int]
) -> jax.Array:
    """`[m, k, *freqs] x [.., .., *freqs]` -> `[m, n, *freqs]`, one matrix product per frequency.

    `contract` names the axis of `a` and of `b` (0 or 1) summed over; the other
    axis of each is kept, `a`'s first. The frequencies go first for one batched
    `dot_general` (faster on the CPU than a fused multiply-sum or an einsum
    with trailing frequencies).
    """
    freqs = a.shape[2:]
    a = jnp.moveaxis(a.reshape(*a.shape[:2], -1), -1, 0)
    b = jnp.moveaxis(b.reshape(*b.shape[:2], -1), -1, 0)
    (ca, cb) = contract
    out = lax.dot_general(a, b, (((ca + 1,), (cb + 1,)), ((0,), (0,))))
    return jnp.moveaxis(out, 0, -1).reshape(*out.shape[1:], *freqs)


def spectra(x: jax.Array, n: tuple[int, ...]) -> jax.Array:
    """`rfftn` of `[a, b, *spatial]` over its spatial axes, zero-filled to `n`."""
    return jnp.fft.rfftn(x, s=n, axes=tuple(range(2, x.ndim)))


def maps(spectrum: jax.Array, n: tuple[int, ...]) -> jax.Array:
    """The inverse of `spectra`: real `[a, b, *n]`."""
    return jnp.fft.irfftn(spectrum, s=n, axes=tuple(range(2, spectrum.ndim)))


def channels_first(x: jax.Array) -> jax.Array:
    return jnp.moveaxis(x, -1, 1)


def channels_last(x: jax.Array) -> jax.Array:
    return jnp.moveaxis(x, 1, -1)


def crop(x: jax.Array, starts: tuple[int, ...], sizes: tuple[int, ...]) -> jax.Array:
    """`x[:, :, start:start + size, ..]` over the spatial axes."""
    return lax.slice(
        x,
        (0, 0, *starts),
        (*x.shape[:2], *(s + n for s, n in zip(starts, sizes, strict=True))),
    )


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def fft_conv(x: jax.Array, w: jax.Array, pads: Pads) -> jax.Array:
    """Channel-last conv with stride and dilation 1: `[B, *S, C_in]`, `[*K, C_in, C_out]`.

    `pads` are `(low, high)` zero-padding per spatial axis, as `lax` takes them;
    the output is `[B, *(S + pads - K + 1), C_out]`.
    """
    return fft_conv_fwd(x, w, pads)[0]


def conv_spectra(x: jax.Array, w: jax.Array, pads: Pads):
    """The padded input's and the kernel's spectra, `[B, C_in, *freqs]` and
    `[C_in, C_out, *freqs]`: what the forward pass multiplies and the
    backward pass keeps (`fft_conv_bwd`'s residuals, with `w`)."""
    n = transform_lengths(x.shape[1:-1], pads)
    xp = jnp.pad(channels_first(x), [(0, 0), (0, 0), *pads])
    x_hat = spectra(xp, n)
    w_hat = spectra(jnp.moveaxis(w, (-2, -1), (0, 1)), n)
    return x_hat, w_hat, w


def fft_conv_fwd(x: jax.Array, w: jax.Array, pads: Pads):
    spatial, kernel = x.shape[1:-1], w.shape[:-2]
    n = transform_lengths(spatial, pads)
    out = tuple(
        s + lo + hi - k + 1
        for s, (lo, hi), k in zip(spatial, pads, kernel, strict=True)
    )
    residuals = x_hat, w_hat, _ = conv_spectra(x, w, pads)
    # y[p] = sum_k xp[p + k] w[k]: a correlation, so the kernel's spectrum is conjugated.
    y_hat = per_frequency_product(x_hat, jnp.conj(w_hat), (1, 0))
    y = crop(maps(y_hat, n), (0,) * len(n), out)
    return channels_last(y), residuals


def fft_conv_bwd(pads: Pads, residuals, g: jax.Array):
    x_hat, w_hat, w = residuals
    kernel = w.shape[:-2]
    out = g.shape[1:-1]
    spatial = tuple(
        o + k - 1 - lo - hi for o, k, (lo, hi) in zip(out, kernel, pads, strict=True)
    )
    n = transform_lengths(spatial, pads)
    g_hat = spectra(channels_first(g), n)  # [B, C_out, *freqs]
    # dxp[q] = sum_p g[p] w[q - p]: a convolution of the cotangent with the kernel.
    dxp = maps(per_frequency_product(g_hat, w_hat, (1, 1)), n)
    dx = crop(dxp, tuple(lo for lo, _ in pads), spatial)
    # dw[k] = sum_{b, p} xp[b, p + k] g[b, p]: a correlation, summed over the batch.
    dw = crop(
        maps(per_frequency_product(x_hat, jnp.conj(g_hat), (0, 0)), n),
        (0,) * len(n),
        kernel,
    )
    return channels_last(dx), jnp.moveaxis(dw, (0, 1), (-2, -1))


fft_conv.defvjp(fft_conv_fwd, fft_conv_bwd)


def blocked_fft_conv(x: jax.Array, w: jax.Array, pads: Pads, block: int) -> jax.Array:
    """`fft_conv` of a 1-D conv over overlapping blocks of `block` samples (overlap-save).

    Each block yields its `block - K + 1` outputs by an FFT of `block`
    points, so the kernel's spectrum has `block // 2 + 1` frequencies rather
    than the whole padded length's. Where the kernel holds more channel pairs
    than the batch holds channels (Aldeneh's 240 x 384 at batch 32), its
    spectrum is the larger part of `fft_conv`'s work, and blocks of about
    four kernel lengths cut it several times; over long inputs (Zhang's
    second conv once over a window's signal) blocks also beat one long
    transform. Gradients: `fft_conv`'s, through the reshape that cuts the
    blocks (a stack of one slice per block compiled for seconds and made a
    long input's gradient slower than `lax`'s).
    """
    b, length, c_in = x.shape
    taps, c_out = w.shape[0], w.shape[-1]
    ((lo, hi),) = pads
    out = length + lo + hi - taps + 1
    step = block - taps + 1
    blocks = -(-out // step)
    # Block j is rows j and j + 1 of the padded input cut into rows of `step`
    # samples: a row and the first `taps - 1` samples of the next.
    xp = jnp.pad(x, [(0, 0), (lo, (blocks + 1) * step - length - lo), (0, 0)])
    rows = xp.reshape(b, blocks + 1, step, c_in)
    windows = jnp.concatenate([rows[:, :-1], rows[:, 1:, : taps - 1]], axis=2)
    y = fft_conv(windows.reshape(b * blocks, block, c_in), w, ((0, 0),))
    return y.reshape(b, blocks * step, c_out)[:, :out]
