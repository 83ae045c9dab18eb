"""The energy speech detector: levels, clicks, trimming, and the corpus option."""

import numpy as np
import pytest

from data_builders.synthetic import synthetic_speech
from ser_jax.data import load as data_load
from ser_jax.data import speech_activity
from ser_jax.data.corpus import Corpus
from ser_jax.data.speech_activity import SpeechDetector

SR = 16000


def noise(seconds: float, dbfs: float, seed: int = 0) -> np.ndarray:
    """White noise whose frames are about `dbfs` (mean square in dB)."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(round(seconds * SR)) * 10 ** (dbfs / 20)).astype(
        np.float32
    )


def speech(seed: int = 3) -> np.ndarray:
    clip = next(synthetic_speech.generate_corpus(seed=seed, utterances_per_emotion=1))
    return np.asarray(clip["audio"], np.float32)


def test_frame_energy_is_in_dbfs():
    d = SpeechDetector()
    t = np.arange(SR) / SR
    sine = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    energy = d.frame_energy_db(sine)
    assert len(energy) == 1 + (SR - 400) // 160  # 25 ms frames every 10 ms
    np.testing.assert_allclose(energy, -3.01, atol=0.05)
    # int16 and float give the same energies.
    int16 = np.round(sine * 32767).astype(np.int16)
    np.testing.assert_allclose(d.frame_energy_db(int16), energy, atol=0.01)
    # A clip shorter than a frame is one padded frame.
    assert d.frame_energy_db(np.zeros(100, np.int16)).shape == (1,)


def test_speech_silence_and_clicks():
    d = SpeechDetector()
    assert d.has_speech(speech())
    assert not d.has_speech(noise(2.0, -75))  # below -60 dBFS
    assert d.has_speech(noise(2.0, -50))  # a loud background counts as speech
    assert not SpeechDetector(threshold_db=-40).has_speech(noise(2.0, -50))
    # A 20 ms click in silence is shorter than min_run_ms: no speech.
    clicked = noise(1.0, -80)
    clicked[8000:8320] = 0.5
    assert d.active_frames(clicked).sum() == 0
    assert not d.has_speech(clicked)
    # 50 ms of sound is a run (frames that overlap it count: 7 of 10 ms),
    # but less than min_speech_ms...
    burst = noise(1.0, -80)
    burst[8000:8800] += noise(0.05, -20, seed=1)
    assert d.active_frames(burst).sum() == 7 and not d.has_speech(burst)
    # ... which a stretch shorter than twice it needs only half of.
    assert d.has_speech(burst[7800:9000])


def test_trim_keeps_the_speech_and_its_margins():
    d = SpeechDetector()
    voice = noise(0.8, -20, seed=2)
    audio = np.concatenate([noise(1.0, -75), voice, noise(0.5, -75, seed=1)])
    start, stop = d.speech_span(audio)
    # Active frames overlap the voice; 100 ms margins around them.
    assert abs(start - (SR - 1600)) <= 400
    assert abs(stop - (SR + len(voice) + 1600)) <= 400
    np.testing.assert_array_equal(d.trim(audio), audio[start:stop])
    silent = noise(1.0, -75)
    assert d.speech_span(silent) is None
    assert d.trim(silent) is silent


def test_trim_corpus_cuts_every_utterance_and_keeps_silent_ones_whole():
    def pcm(x):
        return np.round(x * 32767).astype(np.int16)

    voiced = pcm(np.concatenate([noise(1.0, -75), noise(1.0, -20), noise(1.0, -75)]))
    silent = pcm(noise(1.5, -75))
    corpus = Corpus(
        name="toy",
        audio=[voiced, silent],
        labels=np.array([0, 1], np.int32),
        speakers=np.array(["a", "b"]),
        genders=np.array(["female", "male"]),
        file_names=np.array(["v", "s"]),
        class_names=["x", "y"],
        sample_rate=SR,
    )
    trimmed = speech_activity.trim_corpus(corpus)
    assert 1.0 * SR < len(trimmed.audio[0]) < 1.5 * SR
    assert trimmed.audio[1] is silent
    assert corpus.audio[0] is voiced  # the original is left alone
    with pytest.raises(ValueError, match="8000 Hz"):
        speech_activity.trim_corpus(corpus, SpeechDetector(sample_rate=8000))


def test_dataset_trim_silence_trims_the_loaded_corpus(data_dir):
    from configs import common

    config = common.dataset("synthetic/tiny")
    config.data_dir = data_dir
    assert config.trim_silence is False  # off by default
    plain = data_load.load_corpus(config)
    config.trim_silence = True
    trimmed = data_load.load_corpus(config)
    d = SpeechDetector()
    for before, after in zip(plain.audio[:20], trimmed.audio[:20], strict=True):
        span = d.speech_span(before)
        np.testing.assert_array_equal(after, before[span[0] : span[1]])
    assert sum(map(len, trimmed.audio)) < sum(map(len, plain.audio))


def test_frames_are_the_front_ends_frames():
    from ser_jax.frontends.framing import frames_in

    detector = SpeechDetector()
    for n in (10, 399, 400, 401, 559, 560, 16000, 48001):
        energy = detector.frame_energy_db(np.full(n, 0.1, np.float32))
        assert len(energy) == frames_in(n, detector.frame_length, detector.hop_length)
