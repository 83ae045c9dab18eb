"""The JAX front-ends against librosa / NumPy references on the same audio."""

import jax
import jax.numpy as jnp
import librosa
import ml_collections
import numpy as np
import pytest
import scipy.fft
import scipy.signal
from PIL import Image

from ser_jax import frontends
from ser_jax.frontends import framing, reference


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
    ref = reference.satt_power_db(fe, audio)
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


# ---------------------------------------------------------------------------
# Every front-end: the contract train.py relies on.

SR = 16000
FRONTEND_CONFIGS = {
    # name: (config fields, max_samples)
    "satt_40ms_10hz": ({"name": "satt_spectrogram"}, 48000),
    "satt_20ms_20hz": (
        {"name": "satt_spectrogram", "window_ms": 20.0, "grid_hz": 20.0},
        48000,
    ),
    "anand": ({"name": "anand_spectrogram"}, 8192),
    "log_mel_40": ({"name": "log_mel", "num_mels": 40}, 48000),
    "log_mel_240": ({"name": "log_mel", "num_mels": 240, "n_fft": 1024}, 48000),
    "mfcc": ({"name": "mfcc"}, 48000),
    "mfcc_sundharam": (
        {
            "name": "mfcc",
            "n_fft": 1024,
            "window_length": 1024,
            "hop_length": 256,
            "window": "hann",
            "num_mels": 128,
        },
        48000,
    ),
    "raw_latif": ({"name": "raw_waveform"}, 80000),
    "raw_zhang": (
        {"name": "raw_waveform", "frame_length": 640, "hop_length": 160},
        48000,
    ),
}


def _make(key):
    fields, max_samples = FRONTEND_CONFIGS[key]
    config = ml_collections.ConfigDict(fields)
    return frontends.create_frontend(config, SR, max_samples), max_samples


@pytest.mark.parametrize("key", sorted(FRONTEND_CONFIGS))
def test_contract_jit_batch_padding(key):
    """Jitted and batched; padded frames zero; valid frames ignore the padding."""
    fe, n = _make(key)
    hash(fe)  # usable as a static argument
    rng = np.random.default_rng(1)
    clean = np.zeros((3, n), np.float32)
    clean[0] = _speechy(n / SR)
    clean[1, : n // 2] = _speechy(n / SR)[: n // 2]
    clean[2, :100] = 0.1
    lengths = jnp.array([n, n // 2, 100])
    noisy = clean.copy()
    noisy[1, n // 2 :] = rng.uniform(-1, 1, n - n // 2)
    noisy[2, 100:] = rng.uniform(-1, 1, n - 100)

    run = jax.jit(fe)
    feats, counts = run(jnp.asarray(clean), lengths)
    feats, counts = np.asarray(feats), np.asarray(counts)
    assert feats.shape == (3, *fe.output_shape) and feats.dtype == np.float32
    assert counts.dtype == np.int32 and np.all(np.isfinite(feats))
    assert counts[0] > counts[1] > 0 and counts[0] <= fe.output_shape[0]
    assert counts[1] >= counts[0] // 2 - 4
    for i in range(3):
        assert np.all(feats[i, counts[i] :] == 0)
        assert np.any(feats[i, : counts[i]] != 0)

    noisy_feats, noisy_counts = run(jnp.asarray(noisy), lengths)
    np.testing.assert_array_equal(np.asarray(noisy_counts), counts)
    np.testing.assert_allclose(np.asarray(noisy_feats), feats, rtol=0, atol=1e-5)

    single, single_count = run(jnp.asarray(clean[1:2]), lengths[1:2])
    assert int(single_count[0]) == counts[1]
    np.testing.assert_allclose(np.asarray(single)[0], feats[1], rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("key", sorted(set(FRONTEND_CONFIGS) - {"anand"}))
def test_a_narrower_bucket_gives_the_same_valid_frames(key):
    """`for_width`: a length bucket's batch, narrower than the longest segment,
    gives each clip the frames and frame count of the full-width front-end."""
    fe, n = _make(key)
    assert frontends.for_width(fe, n) is fe
    width = n // 2 + 1280
    narrow = frontends.for_width(fe, width)
    audio = np.zeros((2, n), np.float32)
    audio[0, : n // 2] = _speechy(n / SR)[: n // 2]
    audio[1, :100] = 0.1
    lengths = jnp.array([n // 2, 100])
    full, full_counts = jax.jit(fe)(jnp.asarray(audio), lengths)
    cut, cut_counts = jax.jit(narrow)(jnp.asarray(audio[:, :width]), lengths)
    assert cut.shape[1] == narrow.output_shape[0] < full.shape[1]
    np.testing.assert_array_equal(np.asarray(cut_counts), np.asarray(full_counts))
    frames = cut.shape[1]
    np.testing.assert_allclose(
        np.asarray(cut), np.asarray(full)[:, :frames], rtol=1e-5, atol=1e-5
    )
    assert np.all(np.asarray(full)[:, frames:] == 0)


def test_anand_spectrogram_takes_one_width_only():
    fe, n = _make("anand")
    assert frontends.for_width(fe, n) is fe
    with pytest.raises(ValueError, match="length buckets do not apply"):
        frontends.for_width(fe, n // 2)


@pytest.mark.parametrize("window_ms", [20.0, 40.0])
@pytest.mark.parametrize("grid_hz", [10.0, 20.0])
def test_satt_windows_and_grids_from_config(window_ms, grid_hz):
    config = ml_collections.ConfigDict(
        {"name": "satt_spectrogram", "window_ms": window_ms, "grid_hz": grid_hz}
    )
    fe = frontends.create_frontend(config, SR, 48000)
    assert fe.output_shape == (300, round(4000 / grid_hz))
    assert fe.n_fft == round(SR / grid_hz) >= fe.window_length


def test_unknown_name_or_field_is_a_clear_error():
    with pytest.raises(ValueError, match="known: satt_spectrogram"):
        frontends.create_frontend(ml_collections.ConfigDict({"name": "x"}), SR, 1)
    bad = ml_collections.ConfigDict({"name": "log_mel", "grid_hz": 10.0})
    with pytest.raises(ValueError, match="grid_hz"):
        frontends.create_frontend(bad, SR, 48000)
    with pytest.raises(ValueError, match="n_fft"):
        frontends.LogMel(window_ms=40.0, n_fft=512)


# ---------------------------------------------------------------------------
# Each front-end against a librosa / NumPy reference on the same audio.


def _librosa_log_mel(fe, audio):
    # librosa centres the window in each n_fft frame; delay the clip so its
    # frames start where ours do (the offset changes only the phase).
    offset = (fe.n_fft - fe.window_length) // 2
    mel = librosa.feature.melspectrogram(
        y=np.pad(audio, (offset, 0)).astype(np.float64),
        sr=fe.sample_rate,
        n_fft=fe.n_fft,
        hop_length=fe.hop_length,
        win_length=fe.window_length,
        window=fe.window,
        center=False,
        power=2.0,
        n_mels=fe.num_mels,
        htk=False,
        norm="slaney",
    )
    return np.log(mel.T + fe.log_eps)


LOG_MEL_SETTINGS = [
    {},  # 40 bands, 25 ms Hamming, 10 ms hop, n_fft 512
    {"num_mels": 240, "n_fft": 1024},
    # Sundharam & Johari: librosa's defaults for n_fft 1024 (window 1024, hop 256)
    {"n_fft": 1024, "window_ms": 0.0, "hop_ms": 0.0, "window": "hann", "num_mels": 128},
]


@pytest.mark.parametrize("settings", LOG_MEL_SETTINGS)
def test_log_mel_and_mfcc_match_librosa(settings):
    audio = _speechy(3.0)
    fe = frontends.LogMel(**settings)
    ref = _librosa_log_mel(fe, audio)
    ours, count = fe(jnp.asarray(audio[None]), jnp.array([48000]))
    ours = np.asarray(ours)[0]
    frames = len(ref)  # librosa's n_fft frames: a few fewer than ours
    assert int(count[0]) == fe.output_shape[0] >= frames > fe.output_shape[0] - 8
    # |log error| <= 1e-3 (float32 FFT vs float64; measured <= 1.3e-4)
    np.testing.assert_allclose(ours[:frames], ref, rtol=0, atol=1e-3)

    mfcc = frontends.Mfcc(**settings)
    ref_mfcc = librosa.feature.mfcc(S=ref.T, n_mfcc=13, dct_type=2, norm="ortho").T
    np.testing.assert_allclose(
        ref_mfcc, scipy.fft.dct(ref, type=2, norm="ortho", axis=1)[:, :13]
    )
    ours_mfcc = np.asarray(mfcc(jnp.asarray(audio[None]), jnp.array([48000]))[0])[0]
    assert ours_mfcc.shape == (fe.output_shape[0], 13)
    # MFCCs reach ~200 here; measured error <= 1.2e-4
    np.testing.assert_allclose(ours_mfcc[:frames], ref_mfcc, rtol=0, atol=2e-3)


def test_power_db_matches_librosa_power_to_db_and_mfcc():
    # Sundharam & Johari's mel spectrogram in dB (librosa.power_to_db, 80 dB
    # floor below the clip's loudest value) and librosa.feature.mfcc's MFCCs.
    audio = _speechy(3.0)
    settings = {"n_fft": 1024, "window_ms": 0.0, "hop_ms": 0.0, "window": "hann"}
    settings |= {"num_mels": 128, "power_db": True, "top_db": 80.0}
    fe = frontends.LogMel(**settings)
    mel = np.exp(_librosa_log_mel(fe, audio)) - fe.log_eps  # librosa's power
    ref = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=80.0)
    assert (ref == ref.max() - 80.0).any()  # the floor binds on this clip
    ours, _ = fe(jnp.asarray(audio[None]), jnp.array([48000]))
    frames = len(ref)
    # dB are 10 / ln 10 times the log: measured error <= 1e-3
    np.testing.assert_allclose(np.asarray(ours)[0, :frames], ref, rtol=0, atol=5e-3)
    ref_mfcc = librosa.feature.mfcc(S=ref.T, n_mfcc=13).T
    mfcc = frontends.Mfcc(**settings)(jnp.asarray(audio[None]), jnp.array([48000]))
    np.testing.assert_allclose(
        np.asarray(mfcc[0])[0, :frames], ref_mfcc, rtol=0, atol=2e-2
    )


def test_power_db_floor_sees_only_the_valid_frames():
    # The floor is relative to the example's loudest valid frame: a loud burst
    # in the padding (past the length) must not move it, and an example's
    # features do not depend on the other examples of the batch.
    fe = frontends.LogMel(max_samples=16000, power_db=True, top_db=40.0)
    quiet = 0.01 * _speechy(1.0)
    loud_tail = quiet.copy()
    loud_tail[8000:] = 0.9 * np.sign(np.sin(np.arange(8000)))
    batch = jnp.asarray(np.stack([quiet, loud_tail]))
    features, counts = fe(batch, jnp.array([8000, 8000]))
    np.testing.assert_array_equal(np.asarray(features[0]), np.asarray(features[1]))
    alone, _ = fe(jnp.asarray(quiet[None, :8000]), jnp.array([8000]))
    valid = int(counts[0])
    np.testing.assert_allclose(features[0, :valid], alone[0, :valid], atol=1e-5)
    assert float(features[0, :valid].max() - features[0, :valid].min()) == (
        pytest.approx(40.0, abs=1e-3)
    )
    with pytest.raises(ValueError, match="power_db"):
        frontends.LogMel(top_db=80.0)


def test_n_fft_zero_is_the_smallest_power_of_two_holding_the_window():
    # Sundharam & Johari's 1024 / 256 samples at 48 kHz (21.3 / 5.3 ms).
    at_48k = frontends.LogMel(
        sample_rate=48000,
        window_ms=1000 * 1024 / 48000,
        hop_ms=1000 * 256 / 48000,
        n_fft=0,
    )
    assert (at_48k.window_length, at_48k.hop_length, at_48k.n_fft) == (1024, 256, 1024)
    at_16k = frontends.LogMel(
        sample_rate=16000,
        window_ms=1000 * 1024 / 48000,
        hop_ms=1000 * 256 / 48000,
        n_fft=0,
    )
    assert (at_16k.window_length, at_16k.hop_length, at_16k.n_fft) == (341, 85, 512)


def test_sample_fields_override_ms_fields():
    fe = frontends.Mfcc(n_fft=1024, window_length=1024, hop_length=256)
    assert (fe.window_length, fe.hop_length) == (1024, 256)
    assert frontends.Mfcc(n_fft=1024, window_ms=0.0, hop_ms=0.0) == fe
    assert (frontends.LogMel().window_length, frontends.LogMel().hop_length) == (
        400,
        160,
    )
    assert frontends.LogMel(max_samples=80000).output_shape == (498, 40)  # Zhao 5 s


def _numpy_anand_log_magnitude(fe, chunk):
    long, short, hop = fe.long_window_length, fe.short_window_length, fe.hop_length
    assert (long, short, hop, fe.num_frames, fe.bins) == (640, 80, 32, 237, (1, 257))
    frames = chunk.astype(np.float64)[
        np.arange(fe.num_frames)[:, None] * hop + np.arange(long)
    ]
    centred = np.zeros(long)
    centred[(long - short) // 2 :][:short] = scipy.signal.get_window("hann", short)
    channels = []
    for window in (scipy.signal.get_window("hann", long), centred):
        magnitude = np.abs(np.fft.rfft(frames * window, n=2048))[
            :, 1:257
        ]  # 7.8-2000 Hz
        channels.append(np.log(magnitude + fe.log_eps))
    return np.stack(channels, axis=-1)  # [237, 256, 2]


def test_anand_matches_numpy_stft_and_resize():
    fe = frontends.AnandSpectrogram()
    chunk = _speechy(0.6)[:8192]
    log_mag = _numpy_anand_log_magnitude(fe, chunk)
    # The long channel is librosa's STFT (delayed as in _librosa_log_mel).
    stft = librosa.stft(
        np.pad(chunk, (704, 0)),
        n_fft=2048,
        hop_length=32,
        win_length=640,
        window="hann",
        center=False,
    )
    frames = stft.shape[1]
    np.testing.assert_allclose(
        np.log(np.abs(stft[1:257].T) + fe.log_eps), log_mag[:frames, :, 0], atol=1e-4
    )
    # The resize, independently: Pillow's antialiased bilinear resampling of
    # each channel (a triangle filter widened by the scale, pixel centres).
    ref = np.stack(
        [
            np.asarray(
                Image.fromarray(log_mag[..., c].astype(np.float32), mode="F").resize(
                    (64, 64), Image.BILINEAR
                )
            )
            for c in range(2)
        ],
        axis=-1,
    )
    ref = ref - ref.mean(axis=(0, 1))
    ours, count = fe(jnp.asarray(chunk[None]), jnp.array([8192]))
    assert int(count[0]) == 64 and ours.shape == (1, 64, 64, 2)
    # measured max error 8e-5 on values up to ~5
    np.testing.assert_allclose(np.asarray(ours)[0], ref, rtol=0, atol=1e-3)


@pytest.mark.parametrize(
    "window_length,hop_length,offset,samples",
    [(640, 32, 0, 8192), (80, 32, 280, 8192), (400, 160, 0, 3000), (50, 7, 3, 120)],
)
def test_framed_dft_equals_rfft_of_windowed_frames(
    window_length, hop_length, offset, samples
):
    """Bins [first, last) of `n_fft`-point DFTs of frames, the window `offset`
    samples into each frame: numpy's rfft of the frames, zero-padded audio
    included (the last row above is shorter than its frames)."""
    n_fft, bins, num_frames = 2048, (1, 257), 30
    rng = np.random.default_rng(window_length)
    audio = rng.normal(size=(2, samples)).astype(np.float32)
    window = scipy.signal.get_window("hann", window_length)
    real, imag = framing.framed_dft(
        jnp.asarray(audio), window, hop_length, num_frames, n_fft, bins, offset
    )
    padded = np.pad(audio, ((0, 0), (0, num_frames * hop_length + 1024)))
    starts = np.arange(num_frames)[:, None] * hop_length + offset
    frames = padded[:, starts + np.arange(window_length)] * window
    # The frame's own sample 0 is `offset` before the window: shift the phase.
    shifted = np.zeros((*frames.shape[:2], offset + window_length))
    shifted[..., offset:] = frames
    ref = np.fft.rfft(shifted, n=n_fft)[..., bins[0] : bins[1]]
    scale = np.abs(ref).max()
    np.testing.assert_allclose(np.asarray(real), ref.real, atol=2e-6 * scale)
    np.testing.assert_allclose(np.asarray(imag), ref.imag, atol=2e-6 * scale)


@pytest.mark.parametrize("n_in,n_out", [(237, 64), (256, 64), (64, 64), (10, 25)])
def test_resize_matrix_is_jax_image_resize(n_in, n_out):
    x = np.random.default_rng(n_in).normal(size=(n_in, 3)).astype(np.float32)
    ref = jax.image.resize(x, (n_out, 3), "linear", antialias=True)
    np.testing.assert_allclose(
        framing.resize_matrix(n_in, n_out) @ x, np.asarray(ref), atol=1e-5
    )


def test_anand_short_chunk_keeps_time_scale():
    fe = frontends.AnandSpectrogram()
    audio = np.zeros((1, 8192), np.float32)
    audio[0, :4096] = _speechy(0.6)[:4096]
    ours, count = fe(jnp.asarray(audio), jnp.array([4096]))
    ours = np.asarray(ours)[0]
    assert int(count[0]) == 32 and np.all(ours[32:] == 0)
    np.testing.assert_allclose(ours[:32].mean(axis=(0, 1)), 0, atol=1e-5)


@pytest.mark.parametrize("frame_length,hop_length", [(0, 0), (640, 160), (400, 0)])
def test_raw_waveform_matches_numpy_slicing(frame_length, hop_length):
    fe = frontends.RawWaveform(
        max_samples=16000, frame_length=frame_length, hop_length=hop_length
    )
    audio = _speechy(1.0)
    ours, count = fe(jnp.asarray(audio[None]), jnp.array([16000]))
    ours = np.asarray(ours)[0]
    if frame_length == 0:
        ref = audio[:, None]
    else:
        hop = hop_length or frame_length
        starts = range(0, 16000 - frame_length + 1, hop)
        ref = np.stack([audio[s : s + frame_length] for s in starts])
    assert fe.output_shape == ref.shape and int(count[0]) == len(ref)
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("hop_length", [160, 250])
def test_overlapping_frames_give_back_their_signal(hop_length):
    """The raw front-end's frames are views of one signal: `framing` reads it
    back from each example's valid frames (Zhang's shared convs rely on it)."""
    fe = frontends.RawWaveform(
        max_samples=8000, frame_length=640, hop_length=hop_length
    )
    audio = np.stack([_speechy(0.5), -_speechy(0.5)])
    lengths = jnp.array([8000, 1500])
    frames, counts = fe(jnp.asarray(audio), lengths)
    assert framing.frames_overlap(frames, counts, hop_length)
    signal = np.asarray(framing.overlapping_frames_signal(frames, counts, hop_length))
    for i, count in enumerate(np.asarray(counts)):
        covered = (count - 1) * hop_length + 640  # up to the last valid frame's end
        np.testing.assert_array_equal(signal[i, :covered], audio[i, :covered])
        assert np.all(signal[i, covered:] == 0)
    # A valid frame that does not continue the one before it is caught; one
    # past the count is not looked at.
    changed = np.asarray(frames).copy()
    changed[1, int(counts[1])] = 1.0
    assert framing.frames_overlap(jnp.asarray(changed), counts, hop_length)
    changed[0, 3, 0] += 1e-3
    assert not framing.frames_overlap(jnp.asarray(changed), counts, hop_length)


def test_satt_window_must_fit_the_dft():
    with pytest.raises(ValueError, match="does not fit"):
        frontends.SattSpectrogram(grid_hz=40.0, window_ms=40.0)


@pytest.mark.parametrize("length", [37, 12])  # cut to the frames, and zero-padded
def test_frame_signal_frames_each_trailing_channel_alike(length):
    """`frame_signal` on `[B, N, C]` frames every channel as it frames `[B, N]`."""
    x = np.random.default_rng(0).standard_normal((2, length, 3)).astype(np.float32)
    framed = np.asarray(framing.frame_signal(jnp.asarray(x), 8, 3, 6))
    assert framed.shape == (2, 6, 8, 3)
    for c in range(3):
        one = np.asarray(framing.frame_signal(jnp.asarray(x[..., c]), 8, 3, 6))
        np.testing.assert_array_equal(framed[..., c], one)
    # Frame t is samples [3t, 3t + 8) of the signal zero-padded to 23 samples.
    padded = np.pad(x, [(0, 0), (0, max(23 - length, 0)), (0, 0)])
    for t in range(6):
        np.testing.assert_array_equal(framed[:, t], padded[:, 3 * t : 3 * t + 8])
