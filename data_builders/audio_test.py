"""Tests for data_builders.audio."""

import numpy as np
import pytest
import soundfile as sf

from data_builders.audio import SAMPLE_RATE, AudioError, load_audio, to_int16


def _sine(freq, sr, seconds, amp=0.5):
    t = np.arange(int(round(sr * seconds))) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _peak_freq(x, sr):
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return np.fft.rfftfreq(len(x), 1 / sr)[np.argmax(spec)]


def test_reads_16k_int16_wav(tmp_path):
    x = _sine(440, SAMPLE_RATE, 0.5)
    path = tmp_path / "a.wav"
    sf.write(path, x, SAMPLE_RATE, subtype="PCM_16")
    y = load_audio(path)
    assert y.dtype == np.float32 and y.ndim == 1
    assert len(y) == len(x)
    np.testing.assert_allclose(y, x, atol=1e-4)


def test_resamples_22050_to_16000(tmp_path):
    sr = 22050
    x = _sine(440, sr, 2.0)
    path = tmp_path / "b.wav"
    sf.write(path, x, sr, subtype="PCM_16")
    y = load_audio(path)
    assert len(y) == 32000
    assert abs(_peak_freq(y, SAMPLE_RATE) - 440) < 1.0
    # Amplitude preserved (away from the edges).
    assert np.max(np.abs(y[1000:-1000])) == pytest.approx(0.5, abs=0.01)
    assert np.all(np.abs(y) <= 1.0)


def test_resample_to_other_rate(tmp_path):
    path = tmp_path / "c.wav"
    sf.write(path, _sine(1000, 16000, 1.0), 16000)
    y = load_audio(path, sample_rate=8000)
    assert len(y) == 8000
    assert abs(_peak_freq(y, 8000) - 1000) < 1.0


def test_stereo_is_downmixed(tmp_path):
    left = _sine(300, SAMPLE_RATE, 0.5, amp=0.4)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    path = tmp_path / "stereo.wav"
    sf.write(path, stereo, SAMPLE_RATE, subtype="FLOAT")
    y = load_audio(path)
    assert y.ndim == 1
    np.testing.assert_allclose(y, left / 2, atol=1e-6)


def test_float_wav_is_clipped(tmp_path):
    path = tmp_path / "loud.wav"
    sf.write(path, 1.5 * _sine(200, SAMPLE_RATE, 0.5, amp=1.0), SAMPLE_RATE, "FLOAT")
    y = load_audio(path)
    assert y.max() <= 1.0 and y.min() >= -1.0


def _write_avi(path, audio: np.ndarray, sr: int) -> None:
    """A video container (AVI) whose only stream is 16-bit PCM sound, as
    eNTERFACE'05 ships its clips."""
    import av

    with av.open(str(path), "w", format="avi") as container:
        stream = container.add_stream("pcm_s16le", rate=sr, layout="stereo")
        pcm = np.round(np.clip(audio, -1, 1) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(
            np.repeat(pcm[None, :], 2, axis=0).T.reshape(1, -1),
            format="s16",
            layout="stereo",
        )
        frame.sample_rate = sr
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def test_sound_track_of_a_video_container(tmp_path):
    x = _sine(440, 48000, 0.5)
    path = tmp_path / "s1_an_1.avi"
    _write_avi(path, x, 48000)
    with pytest.raises(sf.LibsndfileError):
        sf.read(path)  # libsndfile does not read it: FFmpeg does
    y = load_audio(path)
    assert len(y) == pytest.approx(SAMPLE_RATE * 0.5, abs=2)
    assert _peak_freq(y, SAMPLE_RATE) == pytest.approx(440, abs=3)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.wav"
    with pytest.raises(AudioError, match="file not found") as info:
        load_audio(path)
    assert str(path) in str(info.value)


def test_text_file_renamed_wav(tmp_path):
    path = tmp_path / "text.wav"
    path.write_text("this is not audio\n" * 20)
    with pytest.raises(AudioError, match="cannot decode") as info:
        load_audio(path)
    assert str(path) in str(info.value)


def test_truncated_header(tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, _sine(440, SAMPLE_RATE, 0.5), SAMPLE_RATE, subtype="PCM_16")
    path = tmp_path / "truncated.wav"
    path.write_bytes(good.read_bytes()[:30])  # Cut inside the 44-byte header.
    with pytest.raises(AudioError, match="cannot decode") as info:
        load_audio(path)
    assert str(path) in str(info.value)


def test_empty_clip(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, np.int16), SAMPLE_RATE, subtype="PCM_16")
    with pytest.raises(AudioError, match="empty") as info:
        load_audio(path)
    assert str(path) in str(info.value)


def test_too_short_clip(tmp_path):
    path = tmp_path / "short.wav"
    sf.write(path, _sine(440, SAMPLE_RATE, 0.01), SAMPLE_RATE, subtype="PCM_16")
    with pytest.raises(AudioError, match="too short") as info:
        load_audio(path)
    assert str(path) in str(info.value)
    # A lower threshold accepts it.
    assert len(load_audio(path, min_duration_s=0.005)) == 160


def test_directory_is_rejected(tmp_path):
    with pytest.raises(AudioError, match="directory"):
        load_audio(tmp_path)


def test_nan_samples(tmp_path):
    x = _sine(440, SAMPLE_RATE, 0.5)
    x[100] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, x, SAMPLE_RATE, subtype="FLOAT")
    with pytest.raises(AudioError, match="NaN"):
        load_audio(path)


def test_audio_error_is_value_error():
    err = AudioError("/x/y.wav", "broken")
    assert isinstance(err, ValueError)
    assert str(err) == "/x/y.wav: broken"


def test_to_int16():
    x = np.array([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0], np.float32)
    y = to_int16(x)
    assert y.dtype == np.int16
    np.testing.assert_array_equal(y, [-32767, -32767, -16384, 0, 16384, 32767, 32767])
