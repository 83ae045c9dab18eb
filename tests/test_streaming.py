"""Stream input: bytes split anywhere, short reads, WAV headers, rates, bad input."""

import io

import numpy as np
import pytest
import soundfile as sf

from ser_jax import streaming
from ser_jax.streaming import StreamError

SR = 16000


def pcm(n=4001, seed=0):
    return np.random.default_rng(seed).integers(-3000, 3000, n).astype(np.int16)


def joined(chunks):
    return np.concatenate(list(chunks))


def split_bytes(data: bytes, sizes) -> list[bytes]:
    out, at = [], 0
    for size in sizes:
        out.append(data[at : at + size])
        at += size
    return out + [data[at:]]


def test_bytes_split_anywhere_give_the_samples():
    x = pcm()
    parts = split_bytes(x.tobytes(), [1, 0, 3, 1, 1, 999, 7])  # odd, empty
    np.testing.assert_array_equal(joined(streaming.samples(parts)), x)
    # Arrays: int16 as they are, floats scaled.
    np.testing.assert_array_equal(joined(streaming.samples([x[:10], x[10:]])), x)
    floats = [x[:5].astype(np.float32) / 32767, x[5:].astype(np.float32) / 32767]
    np.testing.assert_array_equal(joined(streaming.samples(floats)), x)
    # Two interleaved channels are averaged.
    stereo = np.stack([x, x], 1).reshape(-1).tobytes()
    got = joined(streaming.samples(split_bytes(stereo, [3, 5]), channels=2))
    np.testing.assert_allclose(got, x, atol=1)


def test_a_stream_at_another_rate_is_resampled():
    t = np.arange(8000) / 8000
    tone = (0.5 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
    out = joined(streaming.samples(np.array_split(tone, 7), sample_rate=8000))
    assert abs(len(out) - 16000) <= 32
    spectrum = np.abs(np.fft.rfft(out[1000:15000].astype(np.float32)))
    assert abs(np.argmax(spectrum) * 16000 / 14000 - 300) < 3


def test_bad_chunks_end_in_clear_messages():
    x = pcm(10).tobytes()
    with pytest.raises(StreamError, match="ended inside a sample: 1 trailing byte"):
        list(streaming.samples([x, b"\x01"]))
    with pytest.raises(StreamError, match="before its first sample"):
        list(streaming.samples([b"", b""]))
    with pytest.raises(StreamError, match=r"chunk 1 has shape \(5, 2\)"):
        list(streaming.samples([pcm(5), np.zeros((5, 2), np.int16)]))
    with pytest.raises(StreamError, match="chunk 0 holds int32"):
        list(streaming.samples([np.zeros(5, np.int32)]))
    with pytest.raises(StreamError, match="NaN"):
        list(streaming.samples([np.array([0.1, np.nan])]))
    with pytest.raises(StreamError, match="positive"):
        list(streaming.samples([x], sample_rate=0))


class Trickle(io.RawIOBase):
    """A pipe whose reads return at most a few bytes at a time."""

    def __init__(self, data: bytes):
        self.data, self.at, self.sizes = data, 0, [1, 3, 2, 7, 5]

    def readable(self):
        return True

    def read1(self, size=-1):
        step = self.sizes[self.at % len(self.sizes)]
        out = self.data[self.at : self.at + min(size, step)]
        self.at += len(out)
        return out

    read = read1


def test_pipe_source_raw_pcm_through_short_reads():
    x = pcm()
    rate, channels, chunks = streaming.pipe_source(Trickle(x.tobytes()))
    assert (rate, channels) == (16000, 1)
    np.testing.assert_array_equal(joined(streaming.samples(chunks)), x)
    rate, _, _ = streaming.pipe_source(io.BytesIO(x.tobytes()), rate=8000)
    assert rate == 8000


def wav_bytes(x, rate=SR, subtype="PCM_16", channels=1):
    buf = io.BytesIO()
    data = np.stack([x] * channels, 1) if channels > 1 else x
    sf.write(buf, data, rate, format="WAV", subtype=subtype)
    return buf.getvalue()


def test_pipe_source_reads_a_wav_header():
    x = pcm()
    rate, channels, chunks = streaming.pipe_source(Trickle(wav_bytes(x, 22050)))
    assert (rate, channels) == (22050, 1)
    np.testing.assert_array_equal(
        joined(streaming.samples(chunks, rate, out_rate=rate)), x
    )
    # The data chunk's length is honoured: a trailing chunk is not audio.
    with_tail = wav_bytes(x) + b"LIST\x04\x00\x00\x00abcd"
    _, _, chunks = streaming.pipe_source(io.BytesIO(with_tail))
    np.testing.assert_array_equal(joined(streaming.samples(chunks)), x)
    _, channels, _ = streaming.pipe_source(io.BytesIO(wav_bytes(x, channels=2)))
    assert channels == 2


def test_pipe_source_bad_input():
    x = pcm()
    with pytest.raises(StreamError, match="header says 16000 Hz but --rate says 8000"):
        streaming.pipe_source(io.BytesIO(wav_bytes(x)), rate=8000)
    with pytest.raises(StreamError, match="24-bit samples"):
        streaming.pipe_source(io.BytesIO(wav_bytes(x, subtype="PCM_24")))
    with pytest.raises(StreamError, match="standard input is closed"):
        streaming.pipe_source(None)
    closed = io.BytesIO(b"")
    closed.close()
    with pytest.raises(StreamError, match="closed"):
        streaming.pipe_source(closed, "the pipe")
    with pytest.raises(StreamError, match="before its first sample"):
        streaming.pipe_source(io.BytesIO(b""))

    class Broken(io.RawIOBase):
        def readable(self):
            return True

        def read1(self, size=-1):
            raise OSError(9, "Bad file descriptor")

    with pytest.raises(StreamError, match="cannot read standard input.*Bad file"):
        streaming.pipe_source(Broken())


def test_file_source_reads_as_if_live(tmp_path, monkeypatch):
    x = pcm(16000)
    path = tmp_path / "a.wav"
    sf.write(path, x, SR, subtype="PCM_16")
    now, waits = [0.0], []  # a fake clock: sleeping moves it on

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(streaming.time, "sleep", sleep)
    monkeypatch.setattr(streaming.time, "perf_counter", lambda: now[0])
    rate, chunks = streaming.file_source(str(path), chunk_s=0.1, speed=1.0)
    got = list(chunks)
    assert rate == SR and len(got) == 10 and len(waits) >= 9
    assert sum(waits) == pytest.approx(1.0)  # its duration, paced
    np.testing.assert_array_equal(joined(streaming.samples(got)), x)
    _, fast = streaming.file_source(str(path), speed=0)
    waits.clear()
    list(fast)
    assert waits == []
    with pytest.raises(StreamError, match="is 16000 Hz but --rate says 44100"):
        streaming.file_source(str(path), rate=44100)
    (tmp_path / "bad.wav").write_text("not audio")
    with pytest.raises(StreamError, match="bad.wav: cannot decode audio"):
        streaming.file_source(str(tmp_path / "bad.wav"))
    with pytest.raises(StreamError, match="nothere.wav: file not found"):
        streaming.file_source(str(tmp_path / "nothere.wav"))
