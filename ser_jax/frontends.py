"""Audio front-ends computed in JAX, on the device, inside the jitted step.

One TFDS dataset of raw 16 kHz audio serves every model: each front-end maps a
batch of padded waveforms and their lengths to features and valid frame counts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import scipy.signal

Frontend = Callable[[jax.Array, jax.Array], tuple[jax.Array, jax.Array]]


def frame_signal(
    audio: jax.Array, frame_length: int, hop_length: int, num_frames: int
) -> jax.Array:
    """Cuts `[B, N]` audio into `[B, num_frames, frame_length]` frames (no centring).

    The signal is zero-padded (or cut) to exactly cover `num_frames` frames.
    """
    needed = (num_frames - 1) * hop_length + frame_length
    pad = needed - audio.shape[-1]
    if pad > 0:
        audio = jnp.pad(audio, ((0, 0), (0, pad)))
    idx = np.arange(num_frames)[:, None] * hop_length + np.arange(frame_length)
    return audio[:, idx]


def num_valid_frames(
    lengths: jax.Array, frame_length: int, hop_length: int, num_frames: int
) -> jax.Array:
    """Frames that start inside the signal; a clip shorter than a frame has one."""
    frames = 1 + (lengths - frame_length) // hop_length
    return jnp.clip(frames, 1, num_frames).astype(jnp.int32)


@dataclasses.dataclass(frozen=True)
class SattSpectrogram:
    """Satt et al. (2017) linear spectrogram.

    Hamming window of `window_ms`, hop `hop_ms`, DFT of length `sample_rate /
    grid_hz` (10 Hz grid: 1600 points at 16 kHz), bins 0 to `max_freq_hz` (400
    bins at 10 Hz), power in dB relative to a full-scale window (a full-scale
    sine peaks near -6 dB), floored at `noise_floor_db` and shifted by it so the
    floor is 0, scaled so each example's non-zero points have unit variance,
    zero-padded to `num_frames` (300 = 3 s). The paper does not give E_noise;
    -80 dB sits about 25 dB above the background noise of studio corpora.
    """

    sample_rate: int = 16000
    window_ms: float = 40.0
    hop_ms: float = 10.0
    grid_hz: float = 10.0
    max_freq_hz: float = 4000.0
    noise_floor_db: float = -80.0
    num_frames: int = 300

    @property
    def window_length(self) -> int:
        return round(self.sample_rate * self.window_ms / 1000)

    @property
    def hop_length(self) -> int:
        return round(self.sample_rate * self.hop_ms / 1000)

    @property
    def n_fft(self) -> int:
        return round(self.sample_rate / self.grid_hz)

    @property
    def num_bins(self) -> int:
        return round(self.max_freq_hz / self.grid_hz)

    @property
    def output_shape(self) -> tuple[int, int]:
        """(frames, frequency bins) of one example."""
        return (self.num_frames, self.num_bins)

    def power_db(self, audio: jax.Array) -> jax.Array:
        """Unfloored power spectrogram in dB, `[B, num_frames, num_bins]`."""
        frames = frame_signal(
            audio, self.window_length, self.hop_length, self.num_frames
        )
        window = scipy.signal.get_window("hamming", self.window_length).astype(
            np.float32
        )
        spectrum = jnp.fft.rfft(frames * window, n=self.n_fft)[..., : self.num_bins]
        power = jnp.abs(spectrum) ** 2 / float(window.sum()) ** 2
        return 10.0 * jnp.log10(jnp.maximum(power, 1e-20))

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        frame_counts = num_valid_frames(
            lengths, self.window_length, self.hop_length, self.num_frames
        )
        db = (
            jnp.maximum(self.power_db(audio), self.noise_floor_db) - self.noise_floor_db
        )
        valid = (jnp.arange(self.num_frames)[None, :] < frame_counts[:, None])[
            ..., None
        ]
        db = jnp.where(valid, db, 0.0)
        nonzero = db > 0
        count = jnp.maximum(nonzero.sum(axis=(1, 2), keepdims=True), 1)
        mean = db.sum(axis=(1, 2), keepdims=True) / count
        var = (
            jnp.where(nonzero, (db - mean) ** 2, 0.0).sum(axis=(1, 2), keepdims=True)
            / count
        )
        return db / jnp.sqrt(var + 1e-6), frame_counts


def create_frontend(
    config: ml_collections.ConfigDict, sample_rate: int, max_samples: int
) -> SattSpectrogram:
    """Builds the front-end named by `config.name` for clips of up to `max_samples`.

    The frame count is derived from the longest segment (3 s -> 300 frames).
    """
    kwargs = {k: v for k, v in config.items() if k != "name"}
    if config.name == "satt_spectrogram":
        hop = round(sample_rate * config.hop_ms / 1000)
        return SattSpectrogram(
            sample_rate=sample_rate, num_frames=math.ceil(max_samples / hop), **kwargs
        )
    raise ValueError(f"Unknown front-end {config.name!r}; known: 'satt_spectrogram'.")
