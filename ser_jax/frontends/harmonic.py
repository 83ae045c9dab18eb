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


def _window_bounds(num_bins: int, half_width: jax.Array) -> tuple[jax.Array, jax.Array]:
    """First and last bin `[B, T, F]` of each bin's window `f +- half_width`
    (`[B, T]`, whole bins), clipped to the spectrum."""
    bins = jnp.arange(num_bins)
    half = jnp.floor(half_width).astype(jnp.int32)[..., None]
    return jnp.maximum(bins - half, 0), jnp.minimum(bins + half, num_bins - 1)


def sliding_max(x: jax.Array, half_width: jax.Array, max_half_width: int) -> jax.Array:
    """Max of `x` `[B, T, F]` over bins `f +- half_width` (`[B, T]`, at most
    `max_half_width`): a sparse table of maxima over 2^j bins, two look-ups."""
    num_bins = x.shape[-1]
    levels = [x]
    while 2 ** len(levels) <= 2 * max_half_width + 1:
        step = 2 ** (len(levels) - 1)
        last = levels[-1]
        ahead = jnp.pad(last[..., step:], ((0, 0), (0, 0), (0, step)), mode="edge")
        levels.append(jnp.maximum(last, ahead))
    table = jnp.concatenate(levels, axis=-1)  # [B, T, levels * F]
    first, last = _window_bounds(num_bins, half_width)
    level = jnp.floor(jnp.log2((last - first + 1).astype(jnp.float32)))
    level = level.astype(jnp.int32)
    left = jnp.take_along_axis(table, level * num_bins + first, axis=-1)
    right = jnp.take_along_axis(
        table, level * num_bins + last - (1 << level) + 1, axis=-1
    )
    return jnp.maximum(left, right)


def sliding_mean(x: jax.Array, half_width: jax.Array) -> jax.Array:
    """Mean of `x` `[B, T, F]` over bins `f +- half_width` (`[B, T]`), from
    cumulative sums."""
    cumulative = jnp.pad(jnp.cumsum(x, axis=-1), ((0, 0), (0, 0), (1, 0)))
    first, last = _window_bounds(x.shape[-1], half_width)
    total = jnp.take_along_axis(cumulative, last + 1, -1) - jnp.take_along_axis(
        cumulative, first, -1
    )
    return total / (last - first + 1)


def spectral_envelope_db(
    power_db: jax.Array, bin_hz: float, f0: jax.Array, max_f0: float
) -> jax.Array:
    """E(f) `[B, T, F]`: running maximum over +-F0/2, then running mean over
    +-F0/2, of the dB spectrum `power_db` (bin `k` at `k * bin_hz`); `f0` `[B, T]`
    in Hz, at most `max_f0` (the tracker's ceiling), 0 on unvoiced frames."""
    max_half_width = max(1, math.ceil(max_f0 / 2 / bin_hz))
    half_width = jnp.clip(f0 / 2 / bin_hz, 0.0, max_half_width)
    peaks = sliding_max(power_db, half_width, max_half_width)
    return sliding_mean(peaks, half_width)


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
