"""Log mel band energies and MFCCs (Keesing et al.'s inputs; Neumann; Sundharam)."""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import librosa
import numpy as np
import scipy.fft

from ser_jax.frontends.framing import (
    HIGHEST,
    frame_signal,
    frames_in,
    mask_audio,
    mask_frames,
    ms_to_samples,
    num_valid_frames,
    periodic_window,
)
from ser_jax.frontends.harmonic import harmonic_filter_db
from ser_jax.frontends.pitch import PitchTracker


@functools.lru_cache(maxsize=16)
def mel_filterbank(
    sample_rate: int, n_fft: int, num_mels: int, fmin: float, fmax: float
) -> np.ndarray:
    """librosa's Slaney mel filterbank `[num_mels, n_fft // 2 + 1]`, float32."""
    return librosa.filters.mel(
        sr=sample_rate,
        n_fft=n_fft,
        n_mels=num_mels,
        fmin=fmin,
        fmax=fmax,
        htk=False,
        norm="slaney",
        dtype=np.float32,
    )


@functools.lru_cache(maxsize=16)
def dct_matrix(num_mels: int, num_mfcc: int) -> np.ndarray:
    """`[num_mfcc, num_mels]` orthonormal DCT-II (scipy's, as librosa.feature.mfcc)."""
    return scipy.fft.dct(np.eye(num_mels), type=2, norm="ortho", axis=0)[
        :num_mfcc
    ].astype(np.float32)


@dataclasses.dataclass(frozen=True)
class LogMel:
    """Log mel band energies (Keesing et al.'s Aldeneh and Zhao inputs; Neumann).

    `log(mel_power + log_eps)` with the natural log; the power spectrum of each
    windowed frame (`window`, Hamming by default as in Keesing's 25 ms / 10 ms
    log-mels; the papers do not name it) through librosa's Slaney filterbank
    (`librosa.filters.mel`, `htk=False, norm="slaney"`) from `fmin` to `fmax`
    (0: Nyquist). Equals `librosa.feature.melspectrogram(center=False)` on the
    clip delayed by `(n_fft - window_length) // 2` samples (librosa centres the
    window inside each `n_fft` frame; ours starts each frame at `t * hop`).

    Window and hop: `window_length` / `hop_length` in samples win when > 0;
    otherwise `window_ms` / `hop_ms`; with both 0, librosa's defaults
    (window = `n_fft`, hop = window // 4). Sundharam & Johari's mel spectrogram
    is `n_fft=1024, window_length=1024, hop_length=256, window="hann"`
    (equivalently `window_ms=0, hop_ms=0`, `n_fft=1024`). After construction
    the sample and ms fields agree (64 ms, 16 ms there), so equal settings
    compare equal.

    With 240 bands use `n_fft >= 1024`: at 512, 18 of the 240 Slaney filters
    fall between FFT bins, are empty (librosa warns) and give log(log_eps).
    `max_samples` (the longest segment) fixes the frame count.

    `harmonic_filter`: Satt et al.'s harmonic filter (`frontends.harmonic`) on
    the power spectrum before the filterbank: voiced frames (the pitch tracker
    of `frontends.pitch`) are rebuilt from F0 and the envelope, unvoiced frames
    are silent (power 0: `log(log_eps)`). Off by default; MFCCs inherit it.
    """

    sample_rate: int = 16000
    max_samples: int = 48000
    num_mels: int = 40
    window_ms: float = 25.0
    hop_ms: float = 10.0
    window_length: int = 0
    hop_length: int = 0
    n_fft: int = 512
    window: str = "hamming"
    fmin: float = 0.0
    fmax: float = 0.0
    log_eps: float = 1e-6
    harmonic_filter: bool = False

    def __post_init__(self):
        window = self.window_length or (
            ms_to_samples(self.sample_rate, self.window_ms)
            if self.window_ms
            else self.n_fft
        )
        hop = self.hop_length or (
            ms_to_samples(self.sample_rate, self.hop_ms) if self.hop_ms else window // 4
        )
        if not 0 < window <= self.n_fft or hop <= 0:
            raise ValueError(
                f"need 0 < window ({window}) <= n_fft ({self.n_fft}) and hop > 0"
                f" ({hop})."
            )
        object.__setattr__(self, "window_length", window)
        object.__setattr__(self, "hop_length", hop)
        object.__setattr__(self, "window_ms", 1000 * window / self.sample_rate)
        object.__setattr__(self, "hop_ms", 1000 * hop / self.sample_rate)

    @property
    def num_frames(self) -> int:
        return frames_in(self.max_samples, self.window_length, self.hop_length)

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.num_frames, self.num_mels)

    def filterbank(self) -> np.ndarray:
        return mel_filterbank(
            self.sample_rate,
            self.n_fft,
            self.num_mels,
            self.fmin,
            self.fmax or self.sample_rate / 2,
        )

    def log_mel(self, audio: jax.Array) -> jax.Array:
        """`[B, num_frames, num_mels]` log mel energies of every frame (no mask)."""
        frames = frame_signal(
            audio, self.window_length, self.hop_length, self.num_frames
        )
        spectrum = jnp.fft.rfft(
            frames * periodic_window(self.window, self.window_length), n=self.n_fft
        )
        power = jnp.real(spectrum) ** 2 + jnp.imag(spectrum) ** 2
        if self.harmonic_filter:
            power = self.harmonic_filtered(audio, power)
        mel = jnp.matmul(power, self.filterbank().T, precision=HIGHEST)
        return jnp.log(mel + self.log_eps)

    def harmonic_filtered(self, audio: jax.Array, power: jax.Array) -> jax.Array:
        """Satt's harmonic filter on the power spectra `power` of `audio`'s frames;
        unvoiced frames become 0."""
        tracker = PitchTracker(sample_rate=self.sample_rate)
        f0, voiced = tracker(
            audio, self.window_length, self.hop_length, self.num_frames
        )
        filtered_db = harmonic_filter_db(
            10.0 * jnp.log10(jnp.maximum(power, 1e-20)),
            self.sample_rate / self.n_fft,
            f0,
            voiced,
            silence_db=0.0,
            max_f0=tracker.pitch_ceiling,
        )
        return jnp.where(voiced[..., None], 10.0 ** (filtered_db / 10.0), 0.0)

    def frame_counts(self, lengths: jax.Array) -> jax.Array:
        return num_valid_frames(
            lengths, self.window_length, self.hop_length, self.num_frames
        )

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        counts = self.frame_counts(lengths)
        log_mel = self.log_mel(mask_audio(audio, lengths))
        return mask_frames(log_mel, counts), counts


@dataclasses.dataclass(frozen=True)
class Mfcc(LogMel):
    """MFCCs: orthonormal DCT-II of the `LogMel` features, first `num_mfcc` kept.

    Neumann compares MFCCs with log-mels; Sundharam & Johari use 13 MFCCs with FFT
    1024, hop 256 (`n_fft=1024, window_length=1024, hop_length=256,
    window="hann"`, and `num_mels=128` for librosa's default). Defaults: 13 over
    40 bands, 25 ms Hamming / 10 ms. Same as `librosa.feature.mfcc(S=log_mel)`;
    `librosa.feature.mfcc(y=...)` differs by using dB (a factor 10 / ln 10) and
    an 80 dB floor below each clip's peak, which a frame-local front-end avoids.
    All `LogMel` fields apply.
    """

    num_mfcc: int = 13

    def __post_init__(self):
        super().__post_init__()
        if not 0 < self.num_mfcc <= self.num_mels:
            raise ValueError(f"need 0 < num_mfcc <= num_mels ({self.num_mels}).")

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.num_frames, self.num_mfcc)

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        counts = self.frame_counts(lengths)
        mfcc = jnp.matmul(
            self.log_mel(mask_audio(audio, lengths)),
            dct_matrix(self.num_mels, self.num_mfcc).T,
            precision=HIGHEST,
        )
        return mask_frames(mfcc, counts), counts
