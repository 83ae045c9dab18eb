"""Framing and masking shared by the front-ends and the models.

Framing is the same everywhere: frame `t` covers samples `[t * hop, t * hop +
window)` (librosa's `center=False`), and a frame is valid when it lies inside
the signal (a clip shorter than one frame has one valid, zero-padded frame).
Padding is zeroed with `mask_audio` / `mask_frames`; the models use the latter
before and after every operation that mixes frames.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import scipy.signal

HIGHEST = jax.lax.Precision.HIGHEST


def pcm_to_float(audio: jax.Array) -> jax.Array:
    """int16 PCM samples (as batches hold them) -> float32 in [-1, 1); float
    input (frames computed on the host, `precomputed`) passes unchanged."""
    if jnp.issubdtype(audio.dtype, jnp.floating):
        return audio
    return audio.astype(jnp.float32) / 32768.0


def frame_signal(
    audio: jax.Array, frame_length: int, hop_length: int, num_frames: int
) -> jax.Array:
    """Cuts `[B, N, ...]` audio into `[B, num_frames, frame_length, ...]`
    frames (no centring).

    The signal is zero-padded (or cut) to exactly cover `num_frames` frames.
    """
    needed = (num_frames - 1) * hop_length + frame_length
    pad = needed - audio.shape[1]
    if pad > 0:
        audio = jnp.pad(audio, [(0, 0), (0, pad)] + [(0, 0)] * (audio.ndim - 2))
    idx = np.arange(num_frames)[:, None] * hop_length + np.arange(frame_length)
    return audio[:, idx]


def frames_overlap(
    frames: jax.Array, frame_counts: jax.Array, hop_length: int
) -> jax.Array:
    """Whether each valid frame of `[B, T, n]` continues the one before it
    `hop_length` samples on, as `frame_signal` cuts them (a scalar bool)."""
    overlap = frames.shape[-1] - hop_length
    if overlap <= 0 or frames.shape[1] < 2:
        return jnp.asarray(True)  # no two frames share a sample
    same = frames[:, 1:, :overlap] == frames[:, :-1, hop_length:]
    later = jnp.arange(1, frames.shape[1])[None, :, None] < frame_counts[:, None, None]
    return jnp.all(same | ~later)


def overlapping_frames_signal(
    frames: jax.Array, frame_counts: jax.Array, hop_length: int
) -> jax.Array:
    """The `[B, (T - 1) * hop_length + n]` signal that `frame_signal` cut
    `[B, T, n]` frames from, read from each example's valid frames: zero past
    the end of the last one (all zero where none is valid)."""
    b, t, n = frames.shape
    positions = np.arange((t - 1) * hop_length + n)
    last = jnp.maximum(frame_counts[:, None] - 1, 0)
    frame = jnp.minimum(positions[None] // hop_length, last)
    offset = positions[None] - hop_length * frame
    inside = offset < n
    flat = frame * n + jnp.minimum(offset, n - 1)
    signal = jnp.take_along_axis(frames.reshape(b, t * n), flat, axis=1)
    return jnp.where(inside, signal, 0.0)


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


def periodic_window(name: str, length: int) -> np.ndarray:
    """Periodic window (scipy/librosa `fftbins=True`), float32."""
    return scipy.signal.get_window(name, length).astype(np.float32)


def ms_to_samples(sample_rate: int, ms: float) -> int:
    return round(sample_rate * ms / 1000)


def dft_basis(
    window: np.ndarray, n_fft: int, first: int, last: int, offset: int = 0
) -> np.ndarray:
    """`[len(window), 2 * (last - first)]`: the real then imaginary parts of bins
    `[first, last)` of an `n_fft`-point DFT of a window starting `offset`
    samples into its frame, as one matrix."""
    n = np.arange(len(window), dtype=np.float64) + offset
    k = np.arange(first, last, dtype=np.float64)
    phase = 2 * np.pi * np.outer(n, k) / n_fft
    w = np.asarray(window, np.float64)[:, None]
    return np.concatenate([w * np.cos(phase), -w * np.sin(phase)], axis=1).astype(
        np.float32
    )


def framed_dft(
    audio: jax.Array,
    window: np.ndarray,
    hop_length: int,
    num_frames: int,
    n_fft: int,
    bins: tuple[int, int],
    offset: int = 0,
) -> tuple[jax.Array, jax.Array]:
    """(real, imaginary) `[B, num_frames, last - first]`: bins `[first, last)` of
    the `n_fft`-point DFT of each frame (`frame_signal`'s) times `window`, the
    window starting `offset` samples into the frame.

    One strided convolution with the bins' `dft_basis`: where a front-end
    keeps few bins of a long DFT of densely overlapping frames (Anand's 2048
    points every 2 ms), this reads the signal once, with no frame copies and
    no zero-padded FFT input: Anand's front-end ran 2.7x faster with it on a
    2-core CPU than with `rfft` of the frames (BENCHMARKS.md). Equal to that
    within float32 rounding.
    """
    needed = offset + (num_frames - 1) * hop_length + len(window)
    if audio.shape[-1] < needed:
        audio = jnp.pad(audio, ((0, 0), (0, needed - audio.shape[-1])))
    kernel = dft_basis(window, n_fft, *bins, offset=offset)[:, None, :]
    parts = jax.lax.conv_general_dilated(
        audio[:, offset:needed, None],
        kernel,
        (hop_length,),
        "VALID",
        dimension_numbers=("NWC", "WIO", "NWC"),
        precision=HIGHEST,
    )
    return jnp.split(parts, 2, axis=-1)


@functools.cache
def resize_matrix(n_in: int, n_out: int) -> np.ndarray:
    """`[n_out, n_in]`: `jax.image.resize`'s antialiased linear resampling of one
    axis as a matrix (the resize is linear and separable), so that resizing
    is a product with a constant."""
    with jax.ensure_compile_time_eval():
        eye = jnp.eye(n_in, dtype=jnp.float32)
        matrix = jax.image.resize(eye, (n_out, n_in), "linear", antialias=True)
    return np.asarray(matrix)
