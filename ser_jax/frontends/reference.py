"""librosa versions of the front-ends and Praat's pitch (CPU, one clip at a
time): what the JAX front-ends and pitch tracker are tested against
(tests/test_frontends.py, tests/test_harmonic_filter.py) and timed against
(benchmarks/frontend_throughput.py, benchmarks/pitch_tracker.py). Nothing in
the library imports it."""

from __future__ import annotations

import dataclasses

import librosa
import numpy as np
import parselmouth

from ser_jax.frontends.pitch import PitchTracker
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


def praat_f0(
    tracker: PitchTracker,
    y: np.ndarray,
    frame_length: int,
    hop_length: int,
    num_frames: int,
) -> np.ndarray:
    """Praat's F0 (parselmouth's `to_pitch_ac` with `tracker`'s settings, time
    step = hop) on a front-end's frames `[num_frames]`: at each frame's centre,
    Praat's nearest frame (at most half a hop away); 0 where Praat says
    unvoiced, NaN where Praat has no frame (near the ends, past the clip)."""
    pitch = parselmouth.Sound(
        y.astype(np.float64), sampling_frequency=tracker.sample_rate
    ).to_pitch_ac(
        time_step=hop_length / tracker.sample_rate,
        pitch_floor=tracker.pitch_floor,
        max_number_of_candidates=tracker.num_candidates,
        silence_threshold=tracker.silence_threshold,
        voicing_threshold=tracker.voicing_threshold,
        octave_cost=tracker.octave_cost,
        octave_jump_cost=tracker.octave_jump_cost,
        voiced_unvoiced_cost=tracker.voiced_unvoiced_cost,
        pitch_ceiling=tracker.pitch_ceiling,
    )
    praat = pitch.selected_array["frequency"]
    centres = (np.arange(num_frames) * hop_length + frame_length / 2) / (
        tracker.sample_rate
    )
    nearest = np.round((centres - pitch.xs()[0]) / pitch.dx).astype(int)
    inside = (nearest >= 0) & (nearest < len(praat))
    return np.where(inside, praat[np.clip(nearest, 0, len(praat) - 1)], np.nan)


@dataclasses.dataclass
class PitchAgreement:
    """F0 of a tracker against Praat's on the frames both have."""

    frames: int  # frames Praat has
    voicing_agreement: float  # fraction of those with the same voiced flag
    both_voiced: int  # frames both call voiced
    median_error: float  # median |f0 - praat| / praat on those
    gross_error_rate: float  # fraction of those with a relative error > 20 %
    within_5_percent: float  # fraction of those within 5 %

    @classmethod
    def of(cls, f0: np.ndarray, voiced: np.ndarray, praat: np.ndarray):
        """`f0`, `voiced`, `praat` (from `praat_f0`): 1-D, over frames."""
        has = ~np.isnan(praat)
        f0, voiced, praat = f0[has], voiced[has].astype(bool), praat[has]
        both = voiced & (praat > 0)
        error = np.abs(f0[both] - praat[both]) / praat[both]
        return cls(
            frames=int(has.sum()),
            voicing_agreement=float(np.mean(voiced == (praat > 0))),
            both_voiced=int(both.sum()),
            median_error=float(np.median(error)) if both.any() else np.nan,
            gross_error_rate=float(np.mean(error > 0.2)) if both.any() else np.nan,
            within_5_percent=float(np.mean(error <= 0.05)) if both.any() else np.nan,
        )
