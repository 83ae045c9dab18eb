"""Noise sources and mixing: the SNR of a mix, each generated noise's character,
babble without test speakers, and noisy training copies."""

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
import scipy.signal

from ser_jax import frontends
from ser_jax.frontends import augmentation
from ser_jax.noise import generated, mixing, sources

SR = 16000
N = 3 * SR


def speech_like(seconds=2.5, seed=0):
    """Voiced bursts (a 150 Hz harmonic tone under syllable envelopes) between
    pauses and a quiet floor: an active level well above the mean power."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    voice = sum(np.sin(2 * np.pi * 150 * h * t) / h for h in range(1, 8))
    syllables = np.clip(np.sin(2 * np.pi * 2.5 * t), 0, None) ** 2
    syllables[(t < 0.4) | (t > seconds - 0.5)] = 0
    return (0.2 * voice * syllables + 1e-4 * rng.standard_normal(len(t))).astype(
        np.float32
    )


def active_level_numpy(x, frame=320, threshold_db=30.0):
    """The active level written out again: mean power of the 20 ms frames
    within 30 dB of the loudest."""
    frames = [x[i : i + frame].astype(np.float64) for i in range(0, len(x), frame)]
    power = np.array([np.mean(f**2) for f in frames])
    active = np.flatnonzero(power >= power.max() * 10 ** (-threshold_db / 10))
    energy = sum(np.sum(frames[i] ** 2) for i in active)
    return energy / sum(len(frames[i]) for i in active)


def all_sources():
    babble = [speech_like(2.0 + 0.1 * i, seed=i) * 32768 for i in range(8)]
    return sources.create(
        sources.parse("generated"),
        SR,
        seed=0,
        babble=([b.astype(np.int16) for b in babble], np.array(["s1"] * 8), ["s9"]),
    )


@pytest.fixture(scope="module")
def mixer():
    """Every generated noise mixed into two clips of speech: one program for
    every noise and SNR (both traced), compiled once for the module."""
    src = all_sources()
    clean = speech_like()
    lengths = np.array([len(clean), len(clean) - 4000])
    audio = np.zeros((2, N), np.float32)
    audio[0, : lengths[0]] = clean
    audio[1, : lengths[1]] = clean[: lengths[1]]
    mix = jax.jit(
        lambda i, s, k: src.mix(jnp.asarray(audio), jnp.asarray(lengths), i, s, k)
    )
    return src, audio, lengths, mix


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 12.5])
def test_measured_snr_of_a_mix_is_the_target(mixer, snr_db):
    src, audio, lengths, mix = mixer
    for name in src.names:
        keys = jax.random.split(jax.random.key(3), 2)
        out = np.asarray(mix(src.index(name), snr_db, keys))
        for b, n in enumerate(lengths):
            speech = audio[b, :n]
            noise = out[b, :n] - speech
            measured = 10 * np.log10(active_level_numpy(speech) / np.mean(noise**2))
            assert abs(measured - snr_db) < 0.2, (name, b, measured)
            assert not out[b, n:].any(), f"{name}: padding must stay silent"
        # Each example gets its own excerpt.
        assert not np.allclose(
            out[0, :1000] - audio[0, :1000], out[1, :1000] - audio[1, :1000]
        )


def test_active_level_ignores_silence():
    clean = speech_like()
    padded = np.concatenate([np.zeros(SR, np.float32), clean, np.zeros(SR, np.float32)])
    a = float(mixing.active_power(jnp.asarray(clean), len(clean), SR))
    b = float(mixing.active_power(jnp.asarray(padded), len(padded), SR))
    assert b == pytest.approx(a, rel=0.02)
    assert a > 1.5 * np.mean(clean**2)  # the pauses do not lower it


def spectrum_slope_db_per_decade(x, lo=100.0, hi=4000.0):
    f, p = scipy.signal.welch(x, SR, nperseg=4096)
    keep = (f >= lo) & (f <= hi)
    return np.polyfit(np.log10(f[keep]), 10 * np.log10(p[keep]), 1)[0]


def frame_level_spread_db(x, frame=320):
    power = (x[: len(x) // frame * frame].reshape(-1, frame) ** 2).mean(1)
    return np.std(10 * np.log10(power + 1e-12))


def spectral_flatness(x):
    _, p = scipy.signal.welch(x, SR, nperseg=2048)
    p = p[1:] + 1e-20
    return np.exp(np.mean(np.log(p))) / np.mean(p)


def one(name, seed=0, n=4 * SR):
    return np.asarray(generated.GENERATORS[name](jax.random.key(seed), n, SR))


def test_generated_noises_have_their_character():
    slopes = {
        c: spectrum_slope_db_per_decade(one(c)) for c in ("white", "pink", "brown")
    }
    assert abs(slopes["white"]) < 1.5
    assert slopes["pink"] == pytest.approx(-10.0, abs=1.5)
    assert slopes["brown"] == pytest.approx(-20.0, abs=2.0)
    for name in generated.GENERATORS:
        x = one(name)
        assert np.sqrt(np.mean(x**2)) == pytest.approx(1.0, rel=1e-3)
        assert not np.allclose(x, one(name, seed=1))  # the key decides
    # White, pink and brown are stationary; the bursts jump by tens of dB.
    assert frame_level_spread_db(one("white")) < 1.0
    assert frame_level_spread_db(one("bursts")) > 8.0
    # Music: harmonic (a peaky spectrum, unlike noise) and rhythmic (notes decay).
    music = one("music")
    assert spectral_flatness(music) < 0.05 < spectral_flatness(one("white"))
    assert frame_level_spread_db(music) > 3.0
    f, p = scipy.signal.welch(music, SR, nperseg=4096)
    assert p[f < 2000].sum() > 0.9 * p.sum()  # notes between 110 and 1000 Hz


def test_babble_is_made_of_training_speakers_only():
    audio = [np.full(SR, 1000, np.int16)] * 10
    speakers = np.array(["a", "b"] * 5)
    bank = sources.babble_bank(audio, speakers, ["c"], seed=0, sample_rate=SR)
    assert set(bank.sources) <= {"a", "b"}
    with pytest.raises(ValueError, match=r"test speakers \['b'\]"):
        sources.babble_bank(audio, speakers, ["b", "c"], seed=0, sample_rate=SR)


def test_babble_of_a_fold_never_holds_its_test_speakers(data_dir, tiny_config):
    """On the tiny synthetic corpus: each fold's babble bank is drawn from its
    training speakers, never from its test (or validation) speakers."""
    from ser_jax.data import protocols
    from ser_jax.data.load import load_corpus
    from ser_jax.methods.trainer import FoldRunner

    config = tiny_config(data_dir)
    config.evaluation.noise = "babble"
    corpus = load_corpus(config.dataset)
    folds = protocols.make_folds(
        corpus.speaker_ids, corpus.speaker_genders(), "losgo", num_groups=4,
        num_val_speakers=1, seed=0,
    )  # fmt: skip
    for fold in folds:
        runner = FoldRunner(config, corpus, fold, None, jax.local_devices()[:1], None)
        held = set(runner.sources.banks["babble"].sources)
        assert held <= set(fold.train_speakers)
        assert not held & set(fold.test_speakers)


def test_noise_specs_parse_and_label():
    assert sources.parse("generated") == (
        "white",
        "pink",
        "brown",
        "babble",
        "music",
        "bursts",
    )
    assert sources.parse("white, musan_music") == ("white", "musan_music")
    assert sources.describe("pink") == "pink (generated)"
    assert sources.describe("musan_noise") == "musan_noise (MUSAN)"
    with pytest.raises(ValueError, match="unknown noise 'rain'"):
        sources.parse("white,rain")
    config = ml_collections.ConfigDict(
        {"evaluation": {"noise": "generated", "snr_db": 0.0}}
    )
    with pytest.raises(ValueError, match="names 6 noises"):
        sources.evaluation_setting(config)


def test_missing_musan_says_how_to_build_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="tfds build data_builders/musan"):
        sources.create(("musan_noise",), SR, 0, data_dir=str(tmp_path))


def test_noise_copies_change_only_the_copies():
    frontend = frontends.create_frontend(
        ml_collections.ConfigDict({"name": "satt_spectrogram", "grid_hz": 40.0, "window_ms": 20.0}),
        SR, N,
    )  # fmt: skip
    config = ml_collections.ConfigDict(
        {"copies": 1, "noise": "white,music", "noise_snr_db": (0.0, 0.0)}
    )
    aug = augmentation.create(config, frontend)
    assert aug.noise == ("white", "music")
    import dataclasses

    aug = dataclasses.replace(aug, sources=sources.create(aug.noise, SR, 0))
    clean = speech_like()
    audio = np.zeros((4, N), np.float32)
    audio[:, : len(clean)] = clean
    lengths = np.full(4, len(clean))
    copy = np.array([0, 1, 0, 1])
    out, _ = augmentation.apply(
        aug, "audio", audio, lengths, copy, jax.random.key(1), None
    )
    out = np.asarray(out)
    np.testing.assert_array_equal(out[copy == 0], audio[copy == 0])
    for b in np.flatnonzero(copy):
        noise = out[b, : len(clean)] - clean
        snr = 10 * np.log10(active_level_numpy(clean) / np.mean(noise**2))
        assert abs(snr) < 0.2
    with pytest.raises(ValueError, match="go together"):
        augmentation.create(
            ml_collections.ConfigDict({"copies": 1, "noise": "white"}), frontend
        )
