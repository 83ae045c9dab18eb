"""librosa versions of the front-ends (CPU, one clip at a time): what the JAX
front-ends are tested against (tests/test_frontends.py) and timed against
(benchmarks/frontend_throughput.py). Nothing in the library imports it."""

from __future__ import annotations

import librosa
import numpy as np

from ser_jax.frontends.satt import SattSpectrogram


def delayed(frontend, y: np.ndarray) -> np.ndarray:
    """librosa centres the window in its n_fft frame; delay the clip so its
    frames start where ours do (the offset changes only the phase)."""
    return np.pad(y, ((frontend.n_fft - frontend.window_length) // 2, 0))


def satt_power_db(frontend: SattSpectrogram, y: np.ndarray) -> np.ndarray:
    """`[frames, bins]` unfloored power in dB, as `SattSpectrogram.power_db`."""
    stft = librosa.stft(
        delayed(frontend, y),
        n_fft=frontend.n_fft,
        hop_length=frontend.hop_length,
        win_length=frontend.window_length,
        window="hamming",
        center=False,
    )
    window_sum = librosa.filters.get_window("hamming", frontend.window_length).sum()
    power = np.abs(stft[: frontend.num_bins].T) ** 2 / window_sum**2
    return 10 * np.log10(np.maximum(power, 1e-20))
