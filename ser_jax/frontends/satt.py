"""Satt et al. (2017): a linear spectrogram on a fixed frequency grid."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from ser_jax.frontends.framing import (
    frame_signal,
    mask_audio,
    mask_frames,
    ms_to_samples,
    num_valid_frames,
    periodic_window,
)
from ser_jax.frontends.harmonic import harmonic_filter_db
from ser_jax.frontends.pitch import PitchTracker


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
    Both of the paper's windows (40, 20 ms) and grids (10, 20 Hz) work.

    `harmonic_filter`: Satt's noise-robust input (`frontends.harmonic`): on each
    frame voiced by the pitch tracker (`frontends.pitch`, Praat's method in JAX),
    the dB spectrum is rebuilt from F0 and its envelope; unvoiced frames are at
    the floor (0 after the shift). Off by default.
    """

    sample_rate: int = 16000
    window_ms: float = 40.0
    hop_ms: float = 10.0
    grid_hz: float = 10.0
    max_freq_hz: float = 4000.0
    noise_floor_db: float = -80.0
    num_frames: int = 300
    harmonic_filter: bool = False

    def __post_init__(self):
        if self.window_length > self.n_fft:
            raise ValueError(
                f"satt_spectrogram: a {self.window_ms:g} ms window ({self.window_length} "
                f"samples) does not fit the {self.grid_hz:g} Hz grid's DFT of "
                f"{self.n_fft} points; use a finer grid or a shorter window."
            )

    @property
    def window_length(self) -> int:
        return ms_to_samples(self.sample_rate, self.window_ms)

    @property
    def hop_length(self) -> int:
        return ms_to_samples(self.sample_rate, self.hop_ms)

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
        window = periodic_window("hamming", self.window_length)
        spectrum = jnp.fft.rfft(frames * window, n=self.n_fft)[..., : self.num_bins]
        power = jnp.abs(spectrum) ** 2 / float(window.sum()) ** 2
        return 10.0 * jnp.log10(jnp.maximum(power, 1e-20))

    def spectrum_db(self, audio: jax.Array) -> jax.Array:
        """`power_db`, harmonic-filtered when `harmonic_filter` is on (unvoiced
        frames at `noise_floor_db`); `audio` zero past each clip's end."""
        power_db = self.power_db(audio)
        if not self.harmonic_filter:
            return power_db
        tracker = PitchTracker(sample_rate=self.sample_rate)
        f0, voiced = tracker(
            audio, self.window_length, self.hop_length, self.num_frames
        )
        return harmonic_filter_db(
            power_db,
            self.sample_rate / self.n_fft,
            f0,
            voiced,
            silence_db=self.noise_floor_db,
            max_f0=tracker.pitch_ceiling,
        )

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        frame_counts = num_valid_frames(
            lengths, self.window_length, self.hop_length, self.num_frames
        )
        # Only a clip shorter than one window has a frame reaching past its end.
        power_db = self.spectrum_db(mask_audio(audio, lengths))
        db = jnp.maximum(power_db, self.noise_floor_db) - self.noise_floor_db
        db = mask_frames(db, frame_counts)
        nonzero = db > 0
        count = jnp.maximum(nonzero.sum(axis=(1, 2), keepdims=True), 1)
        mean = db.sum(axis=(1, 2), keepdims=True) / count
        var = (
            jnp.where(nonzero, (db - mean) ** 2, 0.0).sum(axis=(1, 2), keepdims=True)
            / count
        )
        return db / jnp.sqrt(var + 1e-6), frame_counts
