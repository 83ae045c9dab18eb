"""Audio front-ends computed in JAX, on the device, inside the jitted step.

One TFDS dataset of raw 16 kHz audio serves every model: each front-end maps a
batch of padded waveforms and their lengths to features and valid frame counts.

The contract (`ser_jax/train.py` relies on it): a front-end is a frozen, hashable
dataclass called as `features, frame_counts = frontend(audio, lengths)` with
`audio` `[B, N]` float32 in [-1, 1] and `lengths` `[B]` int; `frame_counts` is
`[B]` int32 and `frontend.output_shape` is the shape of one example's features.
Frames past an example's valid count are zero, and valid frames depend only on
the samples before its length. `create_frontend` builds one from a config.

| `config.name`      | class             | per-example output       | paper               |
|--------------------|-------------------|--------------------------|---------------------|
| `satt_spectrogram` | `SattSpectrogram` | `[frames, bins]`         | Satt et al. 2017    |
| `anand_spectrogram`| `AnandSpectrogram`| `[64, 64, 2]`            | Anand & Verma       |
| `log_mel`          | `LogMel`          | `[frames, num_mels]`     | Keesing; Neumann    |
| `mfcc`             | `Mfcc`            | `[frames, num_mfcc]`     | Neumann; Sundharam  |
| `raw_waveform`     | `RawWaveform`     | `[N, 1]` or `[frames, L]`| Latif; Zhang        |

Framing is the same everywhere: frame `t` covers samples `[t * hop, t * hop +
window)` (librosa's `center=False`), and a frame is valid when it lies inside the
signal (a clip shorter than one frame has one valid, zero-padded frame).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Protocol

import jax
import jax.numpy as jnp
import librosa
import ml_collections
import numpy as np
import scipy.fft
import scipy.signal

Frontend = Callable[[jax.Array, jax.Array], tuple[jax.Array, jax.Array]]

_HIGHEST = jax.lax.Precision.HIGHEST


class FrontendLike(Protocol):
    @property
    def output_shape(self) -> tuple[int, ...]: ...

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]: ...


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
    """Frames that lie inside the signal; a clip shorter than a frame has one."""
    frames = 1 + (lengths - frame_length) // hop_length
    return jnp.clip(frames, 1, num_frames).astype(jnp.int32)


def frames_in(num_samples: int, frame_length: int, hop_length: int) -> int:
    """Whole frames in `num_samples` (at least one): librosa's `center=False` count."""
    return max(1, 1 + (num_samples - frame_length) // hop_length)


def mask_audio(audio: jax.Array, lengths: jax.Array) -> jax.Array:
    """Zeroes the samples at or past each example's length."""
    positions = jnp.arange(audio.shape[-1])[None, :]
    return jnp.where(positions < lengths[:, None], audio, 0.0)


def mask_frames(features: jax.Array, frame_counts: jax.Array) -> jax.Array:
    """Zeroes frames (axis 1 of `[B, T, ...]`) at or past each example's count."""
    valid = jnp.arange(features.shape[1])[None, :] < frame_counts[:, None]
    valid = valid.reshape(valid.shape + (1,) * (features.ndim - 2))
    return jnp.where(valid, features, 0.0)


def _window(name: str, length: int) -> np.ndarray:
    """Periodic window (scipy/librosa `fftbins=True`), float32."""
    return scipy.signal.get_window(name, length).astype(np.float32)


def _ms_to_samples(sample_rate: int, ms: float) -> int:
    return round(sample_rate * ms / 1000)


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
    """

    sample_rate: int = 16000
    window_ms: float = 40.0
    hop_ms: float = 10.0
    grid_hz: float = 10.0
    max_freq_hz: float = 4000.0
    noise_floor_db: float = -80.0
    num_frames: int = 300

    def __post_init__(self):
        if self.window_length > self.n_fft:
            raise ValueError(
                f"satt_spectrogram: a {self.window_ms:g} ms window ({self.window_length} "
                f"samples) does not fit the {self.grid_hz:g} Hz grid's DFT of "
                f"{self.n_fft} points; use a finer grid or a shorter window."
            )

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
        window = _window("hamming", self.window_length)
        spectrum = jnp.fft.rfft(frames * window, n=self.n_fft)[..., : self.num_bins]
        power = jnp.abs(spectrum) ** 2 / float(window.sum()) ** 2
        return 10.0 * jnp.log10(jnp.maximum(power, 1e-20))

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        frame_counts = num_valid_frames(
            lengths, self.window_length, self.hop_length, self.num_frames
        )
        # Only a clip shorter than one window has a frame reaching past its end.
        power_db = self.power_db(mask_audio(audio, lengths))
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
        return _ms_to_samples(self.sample_rate, self.long_window_ms)

    @property
    def short_window_length(self) -> int:
        return _ms_to_samples(self.sample_rate, self.short_window_ms)

    @property
    def hop_length(self) -> int:
        return _ms_to_samples(self.sample_rate, self.hop_ms)

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

    def windows(self) -> np.ndarray:
        """`[2, long_window_length]`: the long window and the centred short one."""
        long, short = self.long_window_length, self.short_window_length
        offset = (long - short) // 2
        centred = np.zeros(long, np.float32)
        centred[offset : offset + short] = _window(self.window, short)
        return np.stack([_window(self.window, long), centred])

    def log_magnitude(self, audio: jax.Array) -> jax.Array:
        """`[B, num_frames, bins, 2]` log magnitude, before resizing."""
        frames = frame_signal(
            audio, self.long_window_length, self.hop_length, self.num_frames
        )
        spectrum = jnp.fft.rfft(frames[..., None, :] * self.windows(), n=self.n_fft)
        first, last = self.bins
        log_mag = jnp.log(jnp.abs(spectrum[..., first:last]) + self.log_eps)
        return jnp.moveaxis(log_mag, -2, -1)

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
            ..., None, None
        ]
        in_mean = jnp.where(in_mask, log_mag, 0.0).sum(axis=(1, 2), keepdims=True) / (
            valid_in[:, None, None, None] * log_mag.shape[2]
        )
        log_mag = jnp.where(in_mask, log_mag, in_mean)
        batch = log_mag.shape[0]
        image = jax.image.resize(
            log_mag, (batch, *self.output_shape), method="linear", antialias=True
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

    def __post_init__(self):
        window = self.window_length or (
            _ms_to_samples(self.sample_rate, self.window_ms)
            if self.window_ms
            else self.n_fft
        )
        hop = self.hop_length or (
            _ms_to_samples(self.sample_rate, self.hop_ms)
            if self.hop_ms
            else window // 4
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
            frames * _window(self.window, self.window_length), n=self.n_fft
        )
        power = jnp.real(spectrum) ** 2 + jnp.imag(spectrum) ** 2
        mel = jnp.matmul(power, self.filterbank().T, precision=_HIGHEST)
        return jnp.log(mel + self.log_eps)

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
            precision=_HIGHEST,
        )
        return mask_frames(mfcc, counts), counts


@dataclasses.dataclass(frozen=True)
class RawWaveform:
    """Raw samples, whole or framed (Keesing et al.'s Latif and Zhang models).

    `frame_length=0`: `[max_samples, 1]` samples, `frame_counts` = the length
    (Latif: the first 5 s, `max_samples=80000`; nothing is padded beyond
    `max_samples`, samples past the length are zero). `frame_length > 0`:
    `[frames, frame_length]` frames every `hop_length` samples (0: no overlap),
    e.g. Zhang's 640 / 160 (40 / 10 ms at 16 kHz); only whole frames, as the
    spectral front-ends. Samples are not normalised.
    """

    sample_rate: int = 16000
    max_samples: int = 80000
    frame_length: int = 0
    hop_length: int = 0

    def __post_init__(self):
        if self.frame_length < 0 or self.hop_length < 0:
            raise ValueError("frame_length and hop_length must be >= 0.")
        if self.frame_length and not self.hop_length:
            object.__setattr__(self, "hop_length", self.frame_length)

    @property
    def num_frames(self) -> int:
        if not self.frame_length:
            return self.max_samples
        return frames_in(self.max_samples, self.frame_length, self.hop_length)

    @property
    def output_shape(self) -> tuple[int, int]:
        return (self.num_frames, self.frame_length or 1)

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        audio = audio[:, : self.max_samples]
        if audio.shape[-1] < self.max_samples:
            audio = jnp.pad(audio, ((0, 0), (0, self.max_samples - audio.shape[-1])))
        audio = mask_audio(audio, lengths)
        if not self.frame_length:
            counts = jnp.clip(lengths, 0, self.max_samples).astype(jnp.int32)
            return audio[..., None], counts
        counts = num_valid_frames(
            lengths, self.frame_length, self.hop_length, self.num_frames
        )
        frames = frame_signal(
            audio, self.frame_length, self.hop_length, self.num_frames
        )
        return mask_frames(frames, counts), counts


# Set by create_frontend from the corpus and `config.max_segment_seconds`.
_FROM_PIPELINE = {"sample_rate", "max_samples", "num_frames"}

FRONTENDS = {
    "satt_spectrogram": SattSpectrogram,
    "anand_spectrogram": AnandSpectrogram,
    "log_mel": LogMel,
    "mfcc": Mfcc,
    "raw_waveform": RawWaveform,
}


def create_frontend(
    config: ml_collections.ConfigDict, sample_rate: int, max_samples: int
) -> FrontendLike:
    """Builds the front-end named by `config.name` for clips of up to `max_samples`.

    The other config fields are the class's fields. The frame count derives from
    the longest segment: Satt's `num_frames` is `ceil(max_samples / hop)` (3 s ->
    300); the others take `max_samples` and keep the whole frames in it.
    """
    if config.name not in FRONTENDS:
        raise ValueError(
            f"Unknown front-end {config.name!r}; known: {', '.join(FRONTENDS)}."
        )
    cls = FRONTENDS[config.name]
    kwargs = {k: v for k, v in config.items() if k != "name"}
    fields = {f.name for f in dataclasses.fields(cls)} - _FROM_PIPELINE
    unknown = sorted(set(kwargs) - fields)
    if unknown:
        raise ValueError(
            f"front-end {config.name!r} has no config field(s) {unknown}"
            f" ({', '.join(sorted(_FROM_PIPELINE))} come from the pipeline);"
            f" its fields: {sorted(fields)}."
        )
    if cls is SattSpectrogram:
        frontend = SattSpectrogram(sample_rate=sample_rate, **kwargs)
        return dataclasses.replace(
            frontend, num_frames=math.ceil(max_samples / frontend.hop_length)
        )
    return cls(sample_rate=sample_rate, max_samples=max_samples, **kwargs)
