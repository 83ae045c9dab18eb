"""Tests for data_builders.synthetic.synthetic_speech."""

import collections
import itertools

import numpy as np
import pytest

from data_builders.synthetic import synthetic_speech as ss


def _take(n, **kwargs):
    return list(itertools.islice(ss.generate_corpus(**kwargs), n))


def test_emotions_order():
    assert ss.EMOTIONS == (
        "anger",
        "boredom",
        "disgust",
        "fear",
        "happiness",
        "sadness",
        "neutral",
    )
    assert set(ss.EMOTION_PROFILES) == set(ss.EMOTIONS)


def test_same_seed_same_audio_different_seed_different_audio():
    a = _take(3, seed=0, utterances_per_emotion=2)
    b = _take(3, seed=0, utterances_per_emotion=2)
    c = _take(3, seed=1, utterances_per_emotion=2)
    for x, y, z in zip(a, b, c, strict=True):
        assert x["file_name"] == y["file_name"] == z["file_name"]
        np.testing.assert_array_equal(x["audio"], y["audio"])
        assert not np.array_equal(x["audio"], z["audio"])


def test_clip_does_not_depend_on_what_else_is_generated():
    # spk00_anger_001 is the 2nd clip with 2 or with 5 utterances per emotion.
    a = _take(2, seed=3, utterances_per_emotion=2)[1]
    b = _take(2, seed=3, utterances_per_emotion=5)[1]
    assert a["file_name"] == b["file_name"] == "spk00_anger_001"
    np.testing.assert_array_equal(a["audio"], b["audio"])


@pytest.fixture(scope="module")
def small_corpus():
    return list(ss.generate_corpus(seed=0, utterances_per_emotion=2))


def test_speaker_subset_matches_full_corpus(small_corpus):
    subset = list(ss.generate_corpus(seed=0, utterances_per_emotion=2, speakers=["03"]))
    full = [it for it in small_corpus if it["speaker"] == "03"]
    assert [it["file_name"] for it in subset] == [it["file_name"] for it in full]
    for a, b in zip(subset, full, strict=True):
        np.testing.assert_array_equal(a["audio"], b["audio"])
    with pytest.raises(ValueError, match="unknown speakers"):
        next(ss.generate_corpus(speakers=["08"]))


def test_counts_keys_and_durations(small_corpus):
    items = small_corpus
    assert len(items) == 8 * 7 * 2
    for item in items:
        assert set(item) == {
            "audio",
            "emotion",
            "speaker",
            "gender",
            "utterance_id",
            "file_name",
        }
        x = item["audio"]
        assert x.dtype == np.float32 and x.ndim == 1
        assert 1.0 * ss.SAMPLE_RATE <= len(x) <= 4.0 * ss.SAMPLE_RATE
        assert np.all(np.isfinite(x)) and np.max(np.abs(x)) <= 1.0
        assert np.std(x) > 1e-3  # Not silent.
        assert item["file_name"] == (
            f"spk{item['speaker']}_{item['emotion']}_{item['utterance_id']:03d}"
        )
    assert len({it["file_name"] for it in items}) == len(items)
    per_speaker = collections.Counter(it["speaker"] for it in items)
    assert per_speaker == {f"{i:02d}": 14 for i in range(8)}
    per_emotion = collections.Counter(it["emotion"] for it in items)
    assert per_emotion == dict.fromkeys(ss.EMOTIONS, 16)
    genders = {it["speaker"]: it["gender"] for it in items}
    assert collections.Counter(genders.values()) == {"female": 4, "male": 4}
    lengths = [len(it["audio"]) / ss.SAMPLE_RATE for it in items]
    assert min(lengths) < 1.7 and max(lengths) > 3.3  # Spread over 1-4 s.


def test_has_silent_stretches():
    x = _take(1, seed=0, utterances_per_emotion=1)[0]["audio"]
    frames = x[: len(x) // 320 * 320].reshape(-1, 320)
    energy_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    assert np.mean(energy_db < energy_db.max() - 40) > 0.05


def _clip_f0(x, fs=ss.SAMPLE_RATE):
    """Median autocorrelation F0 of the loudest 30 % of 40 ms frames."""
    n = int(0.04 * fs)
    frames = x[: len(x) // n * n].reshape(-1, n)
    energy = np.mean(frames**2, axis=1)
    frames = frames[energy >= np.quantile(energy, 0.7)]
    spec = np.fft.rfft(frames - frames.mean(1, keepdims=True), 2 * n, axis=1)
    acf = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :n]
    lo, hi = fs // 500, fs // 60
    lags = lo + np.argmax(acf[:, lo:hi], axis=1)
    return float(np.median(fs / lags))


def test_speaker_f0_overlaps_emotion_f0(small_corpus):
    profiles = ss.speaker_profiles(seed=0, num_speakers=8)
    male = [p.f0_hz for p in profiles if p.gender == "male"]
    female = [p.f0_hz for p in profiles if p.gender == "female"]
    assert len(male) == len(female) == 4
    assert all(100 <= f <= 140 for f in male)
    assert all(180 <= f <= 240 for f in female)

    f0 = collections.defaultdict(list)
    for item in small_corpus:
        f0[item["gender"], item["emotion"]].append(_clip_f0(item["audio"]))
    mean = {k: np.mean(v) for k, v in f0.items()}
    # The cues go the designed way on average ...
    assert mean["female", "neutral"] > mean["male", "neutral"]
    for gender in ("female", "male"):
        assert mean[gender, "anger"] > mean[gender, "neutral"] > mean[gender, "sadness"]
    # ... but male anger and female neutral overlap.
    assert max(f0["male", "anger"]) > min(f0["female", "neutral"])
    assert max(f0["male", "fear"]) > np.median(f0["female", "neutral"])


def test_invalid_arguments():
    with pytest.raises(ValueError):
        next(ss.generate_corpus(seed=-1))
    with pytest.raises(ValueError):
        next(ss.generate_corpus(utterances_per_emotion=0))
    with pytest.raises(ValueError):
        next(ss.generate_corpus(num_speakers=0))


def _utterance_features(x, mel_fb, n_fft=512, hop=160):
    """Mean/std of log-mel bands and of log frame energy."""
    frames = np.lib.stride_tricks.sliding_window_view(np.pad(x, (0, n_fft)), n_fft)
    frames = frames[::hop]
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    log_mel = np.log(power @ mel_fb.T + 1e-10)
    energy = np.log(np.mean(frames**2, axis=1) + 1e-10)
    return np.concatenate(
        [log_mel.mean(0), log_mel.std(0), [energy.mean(), energy.std()]]
    )


def test_speaker_independent_accuracy_is_above_chance_and_below_perfect():
    librosa = pytest.importorskip("librosa")
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    mel_fb = librosa.filters.mel(sr=ss.SAMPLE_RATE, n_fft=512, n_mels=40)
    feats, labels, speakers = [], [], []
    for item in ss.generate_corpus(seed=0, utterances_per_emotion=6):
        feats.append(_utterance_features(item["audio"], mel_fb))
        labels.append(item["emotion"])
        speakers.append(item["speaker"])
    x, y, g = np.array(feats), np.array(labels), np.array(speakers)

    predictions = np.empty_like(y)
    for speaker in np.unique(g):  # Leave one speaker out.
        test = g == speaker
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=3000))
        clf.fit(x[~test], y[~test])
        predictions[test] = clf.predict(x[test])
    accuracy = float(np.mean(predictions == y))
    print(f"synthetic LOSO accuracy: {accuracy:.3f} (chance {1 / 7:.3f})")
    assert 0.35 < accuracy < 0.95
