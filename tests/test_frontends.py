"""The JAX front-end against librosa on the same audio."""

import jax.numpy as jnp
import librosa
import numpy as np
import pytest

from ser_jax import frontends


def _speechy(seconds: float, sr: int = 16000) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * sr)) / sr
    f0 = 140 + 30 * np.sin(2 * np.pi * 2 * t)
    x = sum(np.sin(2 * np.pi * k * np.cumsum(f0) / sr) / k for k in range(1, 12))
    return (
        0.3 * x * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
        + 1e-3 * rng.standard_normal(len(t))
    ).astype(np.float32)


@pytest.mark.parametrize("grid_hz,window_ms", [(10.0, 40.0), (20.0, 20.0)])
def test_satt_power_matches_librosa(grid_hz, window_ms):
    fe = frontends.SattSpectrogram(grid_hz=grid_hz, window_ms=window_ms, num_frames=300)
    audio = _speechy(3.0)
    ours = np.asarray(fe.power_db(jnp.asarray(audio[None])))[0]
    # librosa centres the window inside each n_fft frame; pad so its frames
    # start where ours do (the offset changes only the phase).
    offset = (fe.n_fft - fe.window_length) // 2
    stft = librosa.stft(
        np.pad(audio, (offset, 0)),
        n_fft=fe.n_fft,
        hop_length=fe.hop_length,
        win_length=fe.window_length,
        window="hamming",
        center=False,
    )
    window_sum = librosa.filters.get_window("hamming", fe.window_length).sum()
    power = np.abs(stft[: fe.num_bins].T) ** 2 / window_sum**2
    ref = 10 * np.log10(np.maximum(power, 1e-20))
    frames = ref.shape[0]
    assert ours.shape == (300, fe.num_bins) and frames > 280
    ours = ours[:frames]
    loud = ref > -60  # compare where float32 rounding is not the noise
    np.testing.assert_allclose(ours[loud], ref[loud], atol=0.05)


def test_satt_features_are_floored_scaled_and_masked():
    fe = frontends.SattSpectrogram(grid_hz=20.0, num_frames=300)
    audio = np.zeros((2, 48000), np.float32)
    audio[0] = _speechy(3.0)
    audio[1, :16000] = _speechy(1.0)
    feats, frames = fe(jnp.asarray(audio), jnp.array([48000, 16000]))
    feats, frames = np.asarray(feats), np.asarray(frames)
    assert frames.tolist() == [297, 97]
    assert feats.min() >= 0
    assert np.all(feats[1, 97:] == 0) and np.all(feats[0, 297:] == 0)
    for i in range(2):
        nonzero = feats[i][feats[i] > 0]
        assert abs(nonzero.std() - 1) < 1e-3


def test_short_clip_gives_one_frame():
    fe = frontends.SattSpectrogram(num_frames=300)
    _, frames = fe(jnp.zeros((1, 48000)), jnp.array([160]))
    assert int(frames[0]) == 1
