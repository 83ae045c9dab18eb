"""On-device augmentation: white noise at an SNR, pitch and time warps, copies per epoch."""

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest

from ser_jax import frontends
from ser_jax.data import batches as batching
from ser_jax.data.segments import make_segments
from ser_jax.frontends import augmentation

KEY = jax.random.key(0)


def keys(n):
    return augmentation.example_keys(KEY, n, axis_name=None)


def test_white_noise_has_the_drawn_snr_and_spares_padding():
    t = np.arange(32000) / 16000
    clean = 0.3 * np.sin(2 * np.pi * 220 * t)
    audio = np.zeros((2, 40000), np.float32)
    audio[:, :32000] = clean
    lengths = np.array([32000, 32000])
    noisy = np.asarray(
        augmentation.add_white_noise(audio, lengths, keys(2), snr_db=(20.0, 20.0))
    )
    noise = noisy[:, :32000] - clean
    snr = 10 * np.log10((clean**2).mean() / (noise**2).mean(axis=1))
    np.testing.assert_allclose(snr, 20.0, atol=0.2)
    assert not noisy[:, 32000:].any()
    assert not np.allclose(noise[0], noise[1])  # each example its own noise
    ranged = augmentation.add_white_noise(
        audio, lengths, augmentation.example_keys(KEY, 2, None), snr_db=(15.0, 30.0)
    )
    ranged_snr = 10 * np.log10(
        (clean**2).mean() / ((np.asarray(ranged)[:, :32000] - clean) ** 2).mean(1)
    )
    assert ((ranged_snr > 14.8) & (ranged_snr < 30.2)).all()


def peak_spectrogram(num_frames=40, num_bins=64, bin_=10, frame=8):
    """A flat floor of 1.0 with one bright (bin, frame) point."""
    x = np.ones((1, num_frames, num_bins), np.float32)
    x[0, frame, bin_] = 10.0
    return x


def test_pitch_up_an_octave_doubles_the_frequency_of_a_peak():
    aug = augmentation.Augmentation(copies=1, pitch_semitones=(12.0, 12.0))
    x = peak_spectrogram()
    out, lengths = augmentation.warp_features(x, np.array([30]), keys(1), aug)
    out = np.asarray(out)
    assert np.unravel_index(out[0].argmax(), out[0].shape) == (8, 20)
    assert int(lengths[0]) == 30  # time untouched
    down = augmentation.Augmentation(copies=1, pitch_semitones=(-12.0, -12.0))
    out, _ = augmentation.warp_features(x, np.array([30]), keys(1), down)
    out = np.asarray(out)
    assert np.unravel_index(out[0].argmax(), out[0].shape) == (8, 5)
    # Bins above the old top read from past the axis end: the floor value.
    np.testing.assert_allclose(out[0, :30, 40:], 1.0)
    assert not out[0, 30:].any()  # padding stays zero


def test_time_scaling_moves_frames_and_lengths():
    aug = augmentation.Augmentation(copies=1, time_scale=(2.0, 2.0))
    out, lengths = augmentation.warp_features(
        peak_spectrogram(), np.array([15]), keys(1), aug
    )
    out = np.asarray(out)
    assert int(lengths[0]) == 30
    assert np.unravel_index(out[0].argmax(), out[0].shape) == (16, 10)
    assert not out[0, 30:].any()
    half = augmentation.Augmentation(copies=1, time_scale=(0.5, 0.5))
    _, lengths = augmentation.warp_features(
        peak_spectrogram(), np.array([15]), keys(1), half
    )
    assert int(lengths[0]) == 8  # round(7.5)


def test_apply_transforms_only_the_copies():
    aug = augmentation.Augmentation(copies=2, white_noise_snr_db=(10.0, 10.0))
    audio = jnp.ones((3, 100)) * 0.5
    lengths = jnp.array([100, 100, 50])
    copy = jnp.array([0, 1, 2])
    out, out_lengths = augmentation.apply(
        aug, "audio", audio, lengths, copy, KEY, axis_name=None
    )
    out = np.asarray(out)
    np.testing.assert_array_equal(out[0], 0.5)
    assert not np.allclose(out[1], 0.5) and not np.allclose(out[2, :50], 0.5)
    assert not out[2, 50:].any()
    np.testing.assert_array_equal(out_lengths, lengths)
    # The features stage has nothing to do for a noise-only augmentation.
    same, _ = augmentation.apply(aug, "features", audio, lengths, copy, KEY, None)
    np.testing.assert_array_equal(same, audio)


def test_create_checks_the_config_against_the_frontend():
    satt = frontends.SattSpectrogram(grid_hz=40.0, window_ms=20.0, num_frames=100)
    mel = frontends.LogMel()

    def config(**kw):
        return ml_collections.ConfigDict(
            {
                "copies": 1,
                "white_noise_snr_db": (),
                "pitch_semitones": (),
                "time_scale": (),
                **kw,
            }
        )

    assert not augmentation.create(config(copies=0), mel).active
    aug = augmentation.create(
        config(pitch_semitones=(-2, 2), time_scale=(0.9, 1.1)), satt
    )
    assert aug.warps and aug.pitch_semitones == (-2.0, 2.0)
    with pytest.raises(ValueError, match="linear frequency"):
        augmentation.create(config(pitch_semitones=(-2, 2)), mel)
    with pytest.raises(ValueError, match="no transform"):
        augmentation.create(config(), mel)
    with pytest.raises(ValueError, match="low, high"):
        augmentation.create(config(white_noise_snr_db=(30, 15)), mel)
    with pytest.raises(ValueError, match="not raw audio"):
        augmentation.create(
            config(time_scale=(0.9, 1.1)), frontends.RawWaveform(frame_length=0)
        )


def test_batches_visit_every_segment_once_per_copy():
    segments = make_segments(
        [np.full(100, i, np.int16) for i in range(5)], np.arange(5), 100
    )
    rng = np.random.default_rng(0)
    order = batching.with_copies(rng.permutation(5), 5, 3, rng)
    seen = []
    for batch in batching.batches(segments, 4, order=order, copies=3):
        valid = batch["index"] >= 0
        seen += list(zip(batch["index"][valid], batch["copy"][valid], strict=True))
        # Each copy carries its own segment's audio (segment i is filled with i).
        np.testing.assert_array_equal(batch["audio"][valid, 0], batch["index"][valid])
    assert sorted(seen) == [(i, c) for i in range(5) for c in range(3)]
    plain = next(batching.batches(segments, 4))
    assert "copy" not in plain
