"""Noises generated in JAX from a key: `fn(key, num_samples, sample_rate) -> [N]`.

Each returns float32 samples of unit RMS (mixing sets the level). They stand
in for a noise corpus (MUSAN) when none is built, and every result that uses
one says it was generated:

- `white`: Gaussian, flat spectrum;
- `pink`: power falling as 1/f (-10 dB per decade), shaped in the frequency
  domain;
- `brown`: power falling as 1/f^2 (-20 dB per decade);
- `music`: synthetic harmonic notes and chords with a rhythm: a chord (root,
  third, fifth) and a melody note an octave up attack on every beat at a tempo
  drawn from 90-150 BPM, accented on the first of four beats, each note five
  harmonics of amplitude 1/h decaying exponentially;
- `bursts`: applause-like, non-stationary: claps (noise bursts decaying in
  4 ms) at a random rate of 15-40 per second, gated on and off in 250 ms
  blocks with random gains, so the level jumps by tens of dB.

The frequency-domain noises are circular over the excerpt (they wrap around).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

EPS = 1e-12


def unit_rms(x: jax.Array) -> jax.Array:
    return x / jnp.sqrt(jnp.mean(x**2) + EPS)


def white(key: jax.Array, num_samples: int, sample_rate: int) -> jax.Array:
    del sample_rate
    return unit_rms(jax.random.normal(key, (num_samples,)))


def coloured(key: jax.Array, num_samples: int, exponent: float) -> jax.Array:
    """Gaussian noise whose power spectrum falls as 1/f**exponent (no DC)."""
    spectrum = jnp.fft.rfft(jax.random.normal(key, (num_samples,)))
    bins = jnp.arange(spectrum.shape[0], dtype=jnp.float32)
    gain = jnp.where(bins > 0, jnp.maximum(bins, 1.0) ** (-exponent / 2), 0.0)
    return unit_rms(jnp.fft.irfft(spectrum * gain, num_samples))


def pink(key: jax.Array, num_samples: int, sample_rate: int) -> jax.Array:
    del sample_rate
    return coloured(key, num_samples, 1.0)


def brown(key: jax.Array, num_samples: int, sample_rate: int) -> jax.Array:
    del sample_rate
    return coloured(key, num_samples, 2.0)


MAJOR, MINOR = (0, 4, 7), (0, 3, 7)
SCALE = (0, 2, 4, 5, 7, 9, 11)
HARMONICS = 5


def midi_to_hz(note: jax.Array) -> jax.Array:
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def music(key: jax.Array, num_samples: int, sample_rate: int) -> jax.Array:
    """Harmonic chords and a melody on every beat (see the module docstring)."""
    k_tempo, k_root, k_quality, k_melody = jax.random.split(key, 4)
    max_beats = math.ceil(num_samples / (sample_rate * 60 / 150)) + 1
    beat = sample_rate * 60.0 / jax.random.uniform(k_tempo, (), minval=90, maxval=150)
    root = jax.random.randint(k_root, (max_beats,), 45, 60).astype(jnp.float32)
    third = jnp.where(
        jax.random.bernoulli(k_quality, 0.5, (max_beats,)), MAJOR[1], MINOR[1]
    )
    melody = (
        root
        + 12
        + jnp.asarray(SCALE, jnp.float32)[
            jax.random.randint(k_melody, (max_beats,), 0, len(SCALE))
        ]
    )
    notes = jnp.stack([root, root + third, root + 7, melody], axis=1)  # [beats, 4]
    t = jnp.arange(num_samples, dtype=jnp.float32)
    index = jnp.minimum(jnp.floor(t / beat).astype(jnp.int32), max_beats - 1)
    since = (t - index * beat) / sample_rate  # seconds since the beat's onset
    accent = jnp.where(index % 4 == 0, 1.0, 0.6)
    envelope = accent * (1 - jnp.exp(-since / 0.005)) * jnp.exp(-since / 0.3)
    freqs = midi_to_hz(notes[index])  # [N, 4]
    phase = 2 * jnp.pi * since
    signal = jnp.zeros(num_samples)
    for note in range(notes.shape[1]):  # 20 partials summed in place: [N] each
        for h in range(1, HARMONICS + 1):
            f = h * freqs[:, note]
            signal += jnp.where(f < sample_rate / 2, 1.0 / h, 0.0) * jnp.sin(f * phase)
    return unit_rms(envelope * signal)


CLAP_DECAY_S = 0.004
GATE_BLOCK_S = 0.25


def bursts(key: jax.Array, num_samples: int, sample_rate: int) -> jax.Array:
    """Applause-like claps gated on and off (see the module docstring)."""
    k_rate, k_onsets, k_amp, k_carrier, k_gate, k_gain, k_first = jax.random.split(
        key, 7
    )
    rate = jax.random.uniform(k_rate, (), minval=15.0, maxval=40.0)
    onsets = jax.random.bernoulli(k_onsets, rate / sample_rate, (num_samples,))
    impulses = onsets * jax.random.uniform(k_amp, (num_samples,), minval=0.3)
    kernel_len = round(5 * CLAP_DECAY_S * sample_rate)
    kernel = jnp.exp(-jnp.arange(kernel_len) / (CLAP_DECAY_S * sample_rate))
    envelope = jax.scipy.signal.fftconvolve(impulses, kernel)[:num_samples]
    block = round(GATE_BLOCK_S * sample_rate)
    num_blocks = -(-num_samples // block)
    on = jax.random.bernoulli(k_gate, 0.5, (num_blocks,))
    on = on.at[jax.random.randint(k_first, (), 0, num_blocks)].set(True)
    gains = jnp.where(on, jax.random.uniform(k_gain, (num_blocks,), minval=0.3), 0.02)
    gate = jnp.repeat(gains, block)[:num_samples]
    carrier = jax.random.normal(k_carrier, (num_samples,))
    return unit_rms(gate * envelope * carrier)


GENERATORS = {
    "white": white,
    "pink": pink,
    "brown": brown,
    "music": music,
    "bursts": bursts,
}
