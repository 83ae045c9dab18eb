"""The JAX pitch tracker against Praat, and Satt et al.'s harmonic filter.

The RAVDESS test reads a few WAVs from `<project>/../shared/corpora/ravdess`
(override with SER_JAX_CORPORA) and skips when they are absent.
"""

import os
from pathlib import Path

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
import soundfile as sf

from ser_jax import frontends
from ser_jax.frontends import reference
from ser_jax.frontends.harmonic import harmonic_depth_db, harmonic_filter_db
from ser_jax.frontends.pitch import PitchTracker

SR = 16000
CORPORA = Path(
    os.environ.get(
        "SER_JAX_CORPORA",
        Path(__file__).resolve().parents[1].parent / "shared" / "corpora",
    )
)
# Satt's 40 ms / 10 ms frames.
FRAME, HOP = 640, 160


def _harmonic_tone(f0: float, seconds: float, seed: int = 0) -> np.ndarray:
    """Harmonics of `f0` below 4 kHz with amplitudes 1/k and random phases."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    harmonics = range(1, int(4000 // f0) + 1)
    return sum(
        np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi)) / k
        for k in harmonics
    )


def _track(audio: np.ndarray, num_frames: int):
    run = jax.jit(PitchTracker(), static_argnums=(1, 2, 3))
    f0, voiced = run(jnp.asarray(audio, jnp.float32), FRAME, HOP, num_frames)
    return np.asarray(f0), np.asarray(voiced)


@pytest.mark.parametrize("f0", [110.0, 220.0, 347.0])
def test_tracker_finds_a_tones_f0_as_praat_does(f0):
    audio = np.zeros(SR * 3 // 2, np.float32)
    audio[4000:20000] = 0.5 * _harmonic_tone(f0, 1.0) / 2.5  # 0.25 s of silence
    num_frames = 150
    ours, voiced = _track(audio[None], num_frames)
    ours, voiced = ours[0], voiced[0]
    praat = reference.praat_f0(PitchTracker(), audio, FRAME, HOP, num_frames)
    inside = slice(30, 120)  # frames wholly inside the tone
    assert voiced[inside].all() and (praat[inside] > 0).all()
    np.testing.assert_allclose(ours[inside], f0, rtol=2e-3)
    np.testing.assert_allclose(praat[inside], f0, rtol=2e-3)
    silent = np.r_[0:20, 130:150]  # frames wholly inside the silence
    assert not voiced[silent].any() and np.all(ours[silent] == 0)


def test_tracker_is_within_5_percent_of_praat_on_ravdess():
    """Eight RAVDESS utterances (four actors of each sex, several emotions):
    on the frames both call voiced, F0 within 5 % of Praat's on 95 %, median
    error under 1 %, gross errors (> 20 %) under 3 %; voicing agrees on 90 %."""
    root = CORPORA / "ravdess"
    names = [
        "Actor_01/03-01-01-01-01-01-01.wav",
        "Actor_02/03-01-05-02-01-01-02.wav",
        "Actor_07/03-01-03-01-02-02-07.wav",
        "Actor_10/03-01-04-02-02-01-10.wav",
        "Actor_13/03-01-06-01-01-02-13.wav",
        "Actor_16/03-01-08-02-02-02-16.wav",
        "Actor_19/03-01-07-01-01-01-19.wav",
        "Actor_24/03-01-02-02-01-01-24.wav",
    ]
    if not all((root / name).is_file() for name in names):
        pytest.skip(f"RAVDESS WAVs not found under {root}; set SER_JAX_CORPORA")
    clips = [sf.read(root / name, dtype="float32") for name in names]
    assert all(rate == SR for _, rate in clips), "the shared RAVDESS is 16 kHz"
    longest = max(len(y) for y, _ in clips)
    num_frames = -(-longest // HOP)
    batch = np.zeros((len(clips), longest), np.float32)
    for i, (y, _) in enumerate(clips):
        batch[i, : len(y)] = y
    ours, voiced = _track(batch, num_frames)
    tracker = PitchTracker()
    praat = [reference.praat_f0(tracker, y, FRAME, HOP, num_frames) for y, _ in clips]
    for i, (y, _) in enumerate(clips):  # frames past a clip's end are not compared
        praat[i][(np.arange(num_frames) * HOP + FRAME) > len(y)] = np.nan
    agreement = reference.PitchAgreement.of(
        ours.ravel(), voiced.ravel(), np.concatenate(praat)
    )
    assert agreement.both_voiced > 500, agreement
    assert agreement.within_5_percent >= 0.95, agreement
    assert agreement.median_error < 0.01, agreement
    assert agreement.gross_error_rate < 0.03, agreement
    assert agreement.voicing_agreement >= 0.9, agreement


def test_filter_is_satts_formula_on_a_flat_spectrum():
    """On a flat spectrum the envelope is flat, so S(f) is the formula itself."""
    power_db = jnp.full((1, 3, 400), -30.0)
    f0 = jnp.array([[200.0, 137.0, 0.0]])
    voiced = f0 > 0
    run = jax.jit(harmonic_filter_db, static_argnums=(1, 4, 5))
    out = np.asarray(run(power_db, 10.0, f0, voiced, -80.0, 600.0))
    f = np.arange(400) * 10.0
    depth = np.asarray(harmonic_depth_db(jnp.asarray(f)))
    assert depth[0] == 20 and depth[200] == 16 and np.all(depth >= 12)
    for i in range(2):
        expected = -30 - 0.5 * (1 - np.cos(2 * np.pi * f / float(f0[0, i]))) * depth
        np.testing.assert_allclose(out[0, i], expected, atol=1e-3)
    assert np.all(out[0, 2] == -80.0)


def _level_difference_db(spectrum_db: np.ndarray, f0: float) -> float:
    """Our harmonic-to-noise measure: the dB level at each harmonic k * f0
    minus the level midway to the next, (k + 1/2) * f0, averaged over the
    harmonics below 4 kHz (10 Hz bins) and the frames."""
    harmonics = np.arange(1, int(4000 // f0))
    at = np.round(harmonics * f0 / 10).astype(int)
    between = np.round((harmonics + 0.5) * f0 / 10).astype(int)
    return float(np.mean(spectrum_db[:, at] - spectrum_db[:, between]))


def test_filter_raises_the_harmonic_to_noise_ratio_in_white_noise():
    """Harmonics of 200 Hz (1/k) in white noise at 0 dB SNR: on the frames the
    tracker calls voiced (nearly all), the filtered spectrum's harmonic-to-noise
    ratio is at least 4 dB above the noisy spectrum's (measured here: about
    7 dB before, 14 after), and near the comb depth D."""
    f0 = 200.0
    rng = np.random.default_rng(0)
    voice = _harmonic_tone(f0, 1.0)
    noise = rng.standard_normal(len(voice))
    noise *= np.sqrt(np.mean(voice**2) / np.mean(noise**2))  # 0 dB SNR
    noisy = 0.3 * (voice + noise) / np.abs(voice + noise).max()
    audio = jnp.asarray(noisy[None], jnp.float32)

    fe = frontends.SattSpectrogram(num_frames=100, harmonic_filter=True)
    _, voiced = _track(audio, 100)
    voiced = voiced[0, :97]  # the valid frames
    assert voiced.mean() > 0.9
    before = np.asarray(jax.jit(fe.power_db)(audio))[0, :97][voiced]
    after = np.asarray(jax.jit(fe.spectrum_db)(audio))[0, :97][voiced]
    hnr_before = _level_difference_db(before, f0)
    hnr_after = _level_difference_db(after, f0)
    print(f"HNR {hnr_before:.1f} dB noisy, {hnr_after:.1f} dB filtered")
    assert hnr_after > hnr_before + 4.0, (hnr_before, hnr_after)
    mid_depth = float(harmonic_depth_db(jnp.asarray(2000.0)))
    assert abs(hnr_after - mid_depth) < 4.0, hnr_after


def _silence_tone_noise() -> np.ndarray:
    """0.5 s of silence, 1 s of a 150 Hz tone, 0.5 s of white noise (unvoiced)."""
    rng = np.random.default_rng(3)
    audio = np.zeros(2 * SR, np.float32)
    audio[SR // 2 : 3 * SR // 2] = 0.2 * _harmonic_tone(150.0, 1.0)
    audio[3 * SR // 2 :] = 0.1 * rng.standard_normal(SR // 2)
    return audio


@pytest.mark.parametrize("name", ["satt_spectrogram", "log_mel", "mfcc"])
def test_unvoiced_frames_are_the_floor_and_shapes_unchanged(name):
    config = ml_collections.ConfigDict({"name": name})
    plain = frontends.create_frontend(config, SR, 2 * SR)
    config.harmonic_filter = True  # as --config.frontend.harmonic_filter=True
    filtered = frontends.create_frontend(config, SR, 2 * SR)
    assert filtered.harmonic_filter and not plain.harmonic_filter
    assert filtered.output_shape == plain.output_shape

    audio = jnp.asarray(_silence_tone_noise()[None])
    lengths = jnp.array([2 * SR])
    run = jax.jit(filtered)
    feats, counts = run(audio, lengths)
    plain_feats, plain_counts = jax.jit(plain)(audio, lengths)
    assert int(counts[0]) == int(plain_counts[0])
    feats = np.asarray(feats)[0]
    hop = filtered.hop_length
    silence = slice(0, SR // 2 // hop - 5)
    noise = slice(3 * SR // 2 // hop + 5, int(counts[0]))
    tone = slice(SR // 2 // hop + 5, 3 * SR // 2 // hop - 5)
    if name == "satt_spectrogram":
        floor = np.zeros(feats.shape[-1])
    else:  # the filterbank of zero power: log(log_eps) (MFCCs: its DCT)
        zero = run(jnp.zeros((1, 2 * SR)), lengths)[0]
        floor = np.asarray(zero)[0, 0]
    for frames in (silence, noise):
        floors = np.broadcast_to(floor, feats[frames].shape)
        np.testing.assert_allclose(feats[frames], floors, atol=1e-4)
    assert np.all(np.abs(feats[tone] - floor[None]).max(axis=-1) > 1.0)
    assert not np.allclose(feats[tone], np.asarray(plain_feats)[0][tone])


@pytest.mark.parametrize("name", ["satt_spectrogram", "log_mel", "mfcc"])
def test_option_off_gives_the_old_features_bitwise(name):
    """A config without the field (an older run's) builds the same front-end as
    `harmonic_filter=False`, whose features equal, bit for bit, those of the
    plain spectrum path."""
    old = frontends.create_frontend(ml_collections.ConfigDict({"name": name}), SR, SR)
    off = frontends.create_frontend(
        ml_collections.ConfigDict({"name": name, "harmonic_filter": False}), SR, SR
    )
    assert old == off and hash(old) == hash(off)
    audio = jnp.asarray(_silence_tone_noise()[None, :SR])
    lengths = jnp.array([SR])
    np.testing.assert_array_equal(
        np.asarray(jax.jit(old)(audio, lengths)[0]),
        np.asarray(jax.jit(off)(audio, lengths)[0]),
    )
    if name == "satt_spectrogram":
        np.testing.assert_array_equal(
            np.asarray(jax.jit(off.spectrum_db)(audio)),
            np.asarray(jax.jit(off.power_db)(audio)),
        )


@pytest.mark.parametrize("name", ["satt_spectrogram", "log_mel"])
def test_filtered_frontend_keeps_the_contract(name):
    """Jitted, batched: padded frames zero, valid frames blind to the padding."""
    n = 3 * SR // 2
    fe = frontends.create_frontend(
        ml_collections.ConfigDict({"name": name, "harmonic_filter": True}), SR, n
    )
    rng = np.random.default_rng(1)
    clean = np.zeros((2, n), np.float32)
    clean[0] = 0.2 * _harmonic_tone(180.0, n / SR)
    clean[1, : n // 2] = 0.2 * _harmonic_tone(120.0, 0.5 * n / SR)
    noisy = clean.copy()
    noisy[1, n // 2 :] = rng.uniform(-1, 1, n - n // 2)
    lengths = jnp.array([n, n // 2])
    run = jax.jit(fe)
    feats, counts = (np.asarray(a) for a in run(jnp.asarray(clean), lengths))
    assert feats.shape == (2, *fe.output_shape) and np.all(np.isfinite(feats))
    assert np.all(feats[1, counts[1] :] == 0) and np.any(feats[1, : counts[1]] != 0)
    noisy_feats = np.asarray(run(jnp.asarray(noisy), lengths)[0])
    np.testing.assert_allclose(noisy_feats, feats, rtol=0, atol=1e-4)
    single = np.asarray(run(jnp.asarray(clean[1:]), lengths[1:])[0])
    np.testing.assert_allclose(single[0], feats[1], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    "config_arg",
    [
        "cnn_lstm",
        "cnn_lstm_20hz",
        "quickstart",
        "satt_cnn",
        "aldeneh",
        "zhao",
        "neumann:features=logmel",
        "neumann:features=mfcc",
        "sundharam_cnn1d:features=mfcc",
        "sundharam_bilstm",
        "sundharam_transformer",
    ],
)
def test_every_spectrogram_config_has_the_switch_off(config_arg):
    """`--config.frontend.harmonic_filter=True` needs the field in the config
    (ml_collections refuses unknown keys); it is off, so old runs resume."""
    import importlib

    name, _, arg = config_arg.partition(":")
    config = importlib.import_module(f"configs.{name}").get_config(arg or None)
    assert config.frontend.harmonic_filter is False
    config.frontend.harmonic_filter = True
    frontend = frontends.create_frontend(config.frontend, SR, SR)
    assert frontend.harmonic_filter
