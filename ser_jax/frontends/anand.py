"""Anand & Verma: a two-channel log-magnitude image of each 512 ms chunk."""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp

from ser_jax.frontends.framing import (
    HIGHEST,
    framed_dft,
    frames_in,
    mask_audio,
    ms_to_samples,
    periodic_window,
    resize_matrix,
)


@dataclasses.dataclass(frozen=True)
class AnandSpectrogram:
    """Anand & Verma two-channel log-magnitude spectrogram of one 512 ms chunk.

    As the paper: FFT size 2048; channel 0 a 40 ms frame (pitch detail), channel 1
    a 5 ms frame (formant detail); 2 ms hop; bins from `min_freq_hz` to
    `max_freq_hz` (1-2000 Hz: bins 1..256 at 16 kHz); natural log of the
    magnitude; resized to 64 x 64 x 2 (time x frequency x channel); mean
    subtraction. The chunk is `max_samples` (0.512 s: 8192 samples, the
    pipeline's `segmentation="chunks"`).

    Choices where the paper is vague: Hann windows; both channels share frame
    centres (the 5 ms window sits in the middle of each 40 ms frame), giving 237
    frames per chunk; log(|X| + `log_eps`); `jax.image.resize` "linear"
    (antialiased) over time and frequency; the mean is subtracted per example
    and per channel over its valid output frames (not a training-set mean image,
    which would need dataset statistics on the device). A short chunk keeps the
    time scale of a full one: frames whose centre lies past the clip are filled
    with the mean before resizing, and `frame_counts` is `64 * length /
    max_samples` (rounded), its later output frames zero.
    """

    sample_rate: int = 16000
    max_samples: int = 8192
    n_fft: int = 2048
    long_window_ms: float = 40.0
    short_window_ms: float = 5.0
    hop_ms: float = 2.0
    min_freq_hz: float = 1.0
    max_freq_hz: float = 2000.0
    window: str = "hann"
    out_frames: int = 64
    out_bins: int = 64
    log_eps: float = 1e-6

    def __post_init__(self):
        if not self.short_window_ms <= self.long_window_ms:
            raise ValueError("short_window_ms must not exceed long_window_ms.")
        if self.long_window_length > self.n_fft:
            raise ValueError(
                f"long window ({self.long_window_length}) exceeds n_fft {self.n_fft}."
            )

    @property
    def long_window_length(self) -> int:
        return ms_to_samples(self.sample_rate, self.long_window_ms)

    @property
    def short_window_length(self) -> int:
        return ms_to_samples(self.sample_rate, self.short_window_ms)

    @property
    def hop_length(self) -> int:
        return ms_to_samples(self.sample_rate, self.hop_ms)

    @property
    def num_frames(self) -> int:
        """STFT frames per chunk before resizing (237 for 512 ms)."""
        return frames_in(self.max_samples, self.long_window_length, self.hop_length)

    @property
    def bins(self) -> tuple[int, int]:
        """[first, last) FFT bins kept."""
        step = self.sample_rate / self.n_fft
        return math.ceil(self.min_freq_hz / step), math.floor(
            self.max_freq_hz / step
        ) + 1

    @property
    def output_shape(self) -> tuple[int, int, int]:
        return (self.out_frames, self.out_bins, 2)

    def log_magnitude(self, audio: jax.Array) -> jax.Array:
        """`[B, 2, num_frames, bins]`: each channel's log magnitude, before resizing.

        The kept bins are `framing.framed_dft`'s (a strided convolution), not
        an FFT of zero-padded frames: a quarter of the 2048-point DFT's bins
        of frames every 2 ms; the short window reads only its own samples.
        """
        long, short = self.long_window_length, self.short_window_length
        channels = []
        for length, offset in ((long, 0), (short, (long - short) // 2)):
            real, imag = framed_dft(
                audio,
                periodic_window(self.window, length),
                self.hop_length,
                self.num_frames,
                self.n_fft,
                self.bins,
                offset=offset,
            )
            channels.append(jnp.log(jnp.sqrt(real**2 + imag**2) + self.log_eps))
        return jnp.stack(channels, axis=1)

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        lengths = jnp.minimum(lengths, audio.shape[-1])
        log_mag = self.log_magnitude(mask_audio(audio, lengths))
        # Input frames whose centre lies inside the clip (they hold only its
        # samples and zeros); the rest become the channel mean of those.
        centre = self.long_window_length // 2
        valid_in = jnp.clip(
            -(-(lengths - centre) // self.hop_length), 1, self.num_frames
        )
        in_mask = (jnp.arange(self.num_frames)[None, :] < valid_in[:, None])[
            :, None, :, None
        ]
        in_mean = jnp.where(in_mask, log_mag, 0.0).sum(axis=(2, 3), keepdims=True) / (
            valid_in[:, None, None, None] * log_mag.shape[3]
        )
        log_mag = jnp.where(in_mask, log_mag, in_mean)
        # `jax.image.resize` (linear, antialiased) over frequency, then time:
        # products with its constant matrices, channels last at the end.
        image = jnp.matmul(
            log_mag,
            resize_matrix(log_mag.shape[3], self.out_bins).T,
            precision=HIGHEST,
        )
        image = jnp.einsum(
            "ot,bctq->boqc",
            resize_matrix(self.num_frames, self.out_frames),
            image,
            precision=HIGHEST,
        )
        frame_counts = jnp.clip(
            (self.out_frames * lengths + self.max_samples // 2) // self.max_samples,
            1,
            self.out_frames,
        ).astype(jnp.int32)
        out_mask = (jnp.arange(self.out_frames)[None, :] < frame_counts[:, None])[
            ..., None, None
        ]
        out_mean = jnp.where(out_mask, image, 0.0).sum(axis=(1, 2), keepdims=True) / (
            frame_counts[:, None, None, None] * self.out_bins
        )
        return jnp.where(out_mask, image - out_mean, 0.0), frame_counts
