"""Mixing speech and noise at a set SNR, on the device.

The SNR is the speech's active level over the noise's level:

- the speech's **active level** is its mean power over its active 20 ms
  frames: the valid samples are cut into non-overlapping 20 ms frames, and a
  frame is active when its mean power is within 30 dB of the loudest frame's
  (`ACTIVE_THRESHOLD_DB`), so leading, trailing and inter-word silence does
  not lower the level (a simpler stand-in for ITU-T P.56's active speech level,
  which thresholds an envelope 15.9 dB above its activity threshold);
- the noise's level is its mean power over the same valid samples (all of
  them: a burst noise's pauses count, as they would in a recording).

`SNR = 10 log10(active speech power / noise power)`; the noise is scaled to
give the target exactly, and padding past each example's length stays zero.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from ser_jax.frontends.framing import mask_audio

FRAME_SECONDS = 0.02
ACTIVE_THRESHOLD_DB = 30.0
EPS = 1e-12


def active_power(audio: jax.Array, length: jax.Array, sample_rate: int) -> jax.Array:
    """One example's active speech power (see the module docstring): `audio`
    `[N]` float, the first `length` samples valid."""
    frame = round(FRAME_SECONDS * sample_rate)
    num_frames = -(-audio.shape[0] // frame)
    padded = jnp.pad(audio, (0, num_frames * frame - audio.shape[0]))
    valid = jnp.arange(num_frames * frame) < length
    energy = jnp.where(valid, padded**2, 0.0).reshape(num_frames, frame).sum(1)
    counts = valid.reshape(num_frames, frame).sum(1)
    power = energy / jnp.maximum(counts, 1)
    threshold = power.max() * 10.0 ** (-ACTIVE_THRESHOLD_DB / 10.0)
    active = (counts > 0) & (power >= threshold) & (power > 0)
    return jnp.where(active, energy, 0.0).sum() / jnp.maximum(
        jnp.where(active, counts, 0).sum(), 1
    )


def mix_at_snr(
    speech: jax.Array,
    lengths: jax.Array,
    noise: jax.Array,
    snr_db: jax.Array | float,
    sample_rate: int,
) -> jax.Array:
    """`speech` `[B, N]` plus `noise` `[B, N]` scaled to `snr_db` (scalar or `[B]`).

    A silent example (no active frame) stays silent.
    """
    speech = mask_audio(speech, lengths)
    noise = mask_audio(noise, lengths)
    speech_power = jax.vmap(lambda x, n: active_power(x, n, sample_rate))(
        speech, lengths
    )
    noise_power = (noise**2).sum(1) / jnp.maximum(lengths, 1)
    snr = jnp.broadcast_to(jnp.asarray(snr_db, jnp.float32), lengths.shape)
    gain = jnp.sqrt(speech_power / (jnp.maximum(noise_power, EPS) * 10 ** (snr / 10)))
    return speech + gain[:, None] * noise
