"""Satt et al.'s harmonic filter: a clean harmonic spectrum rebuilt from F0 and envelope.

On voiced frames the log-power spectrum becomes

    S(f) = E(f) - 0.5 * (1 - cos(2 pi f / F0)) * D(f)            (dB)

peaks of height E(f) at the harmonics of F0, valleys D(f) below them midway;
D is linear from 20 dB at 0 Hz to 12 dB at 4 kHz (held at 12 dB above 4 kHz,
where the paper's 0-4 kHz spectrogram stops); unvoiced frames become silence
(the front-end's floor). Noise between the harmonics is replaced, so the
spectrum the model sees is that of the voice alone, as far as F0 and E are right.

The paper does not say how E(f) is estimated. Here E is an upper envelope
through the harmonic peaks: at each bin, the maximum of the frame's dB spectrum
within +-F0/2 (so every bin sees at least one harmonic peak), then averaged over
+-F0/2 (which smooths the staircase the maximum leaves). A cepstral (liftered)
envelope would run through the middle of the harmonic ripple, below the peaks.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp


def harmonic_depth_db(frequencies_hz: jax.Array) -> jax.Array:
    """D(f): 20 dB at 0 Hz falling linearly to 12 dB at 4 kHz, 12 dB above."""
    return jnp.maximum(20.0 - 8.0 * frequencies_hz / 4000.0, 12.0)


def _sliding(
    x: jax.Array, half_width: jax.Array, max_half_width: int, reduce: str
) -> jax.Array:
    """Max or mean of `x` `[B, T, F]` over bins `f +- half_width` `[B, T]` (bins
    past either end left out). A loop over the (static) offsets, not the frames."""
    num_bins = x.shape[-1]
    fill = -jnp.inf if reduce == "max" else 0.0
    padded = jnp.pad(
        x, ((0, 0), (0, 0), (max_half_width, max_half_width)), constant_values=fill
    )
    inside = jnp.pad(jnp.ones((num_bins,), x.dtype), (max_half_width, max_half_width))

    def body(i, carry):
        total, count = carry
        offset = i - max_half_width
        near = (jnp.abs(offset) <= half_width)[..., None]
        shifted = jax.lax.dynamic_slice_in_dim(padded, i, num_bins, axis=-1)
        valid = jax.lax.dynamic_slice_in_dim(inside, i, num_bins) > 0
        use = near & valid
        if reduce == "max":
            return jnp.where(use, jnp.maximum(total, shifted), total), count
        return total + jnp.where(use, shifted, 0.0), count + use

    init = (jnp.full_like(x, fill), jnp.zeros_like(x))
    total, count = jax.lax.fori_loop(0, 2 * max_half_width + 1, body, init)
    return total if reduce == "max" else total / jnp.maximum(count, 1.0)


def spectral_envelope_db(
    power_db: jax.Array, bin_hz: float, f0: jax.Array, max_f0: float
) -> jax.Array:
    """E(f) `[B, T, F]`: running maximum over +-F0/2, then running mean over
    +-F0/2, of the dB spectrum `power_db` (bin `k` at `k * bin_hz`); `f0` `[B, T]`
    in Hz, at most `max_f0` (the tracker's ceiling), 0 on unvoiced frames."""
    max_half_width = max(1, math.ceil(max_f0 / 2 / bin_hz))
    half_width = jnp.clip(f0 / 2 / bin_hz, 0.0, max_half_width)
    peaks = _sliding(power_db, half_width, max_half_width, "max")
    return _sliding(peaks, half_width, max_half_width, "mean")


def harmonic_filter_db(
    power_db: jax.Array,
    bin_hz: float,
    f0: jax.Array,
    voiced: jax.Array,
    silence_db: float,
    max_f0: float,
) -> jax.Array:
    """Satt's filtered spectrum `[B, T, F]` of the dB spectrum `power_db` (bin `k`
    at `k * bin_hz`), given per-frame `f0` (Hz) and `voiced` `[B, T]`; unvoiced
    frames are `silence_db`."""
    frequencies = jnp.arange(power_db.shape[-1], dtype=power_db.dtype) * bin_hz
    envelope = spectral_envelope_db(power_db, bin_hz, f0, max_f0)
    safe_f0 = jnp.where(voiced, f0, 1.0)[..., None]
    comb = 0.5 * (1.0 - jnp.cos(2.0 * jnp.pi * frequencies / safe_f0))
    filtered = envelope - comb * harmonic_depth_db(frequencies)
    return jnp.where(voiced[..., None], filtered, silence_db)
