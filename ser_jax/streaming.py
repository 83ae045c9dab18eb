"""Live audio for `ser_jax.classify --stream`: chunks of samples as they arrive.

Two sources, and one way to turn any chunks into what a timeline takes
(int16 mono at 16 kHz, `samples`):

- `pipe_source`: 16-bit little-endian PCM from a pipe (standard input), raw
  at a given rate, or a WAV stream whose header gives it (`arecord` writes
  one by default). Reads return whatever has arrived (`read1`), so a slow
  writer's short reads pass straight on; a sample split across reads is
  joined.
- `file_source`: any audio file read as if live: blocks of `chunk_s`, each
  released when its last sample would have been spoken (`speed` 1), or as
  fast as they are read (`speed` 0).

Bad input ends in a `StreamError` that says what is wrong: a closed or
unreadable pipe, a stream that ends inside a sample or before its first one,
a WAV header that is not 16-bit PCM or disagrees with `--rate`, chunks that
are not mono samples.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import numpy as np

from data_builders import audio as audio_files

SAMPLE_RATE = audio_files.SAMPLE_RATE
BYTES_PER_SAMPLE = 2  # 16-bit PCM


class StreamError(ValueError):
    """The input of a stream is unusable; the message says why."""


def samples(
    chunks: Iterable[bytes | np.ndarray],
    sample_rate: int = SAMPLE_RATE,
    channels: int = 1,
    out_rate: int = SAMPLE_RATE,
) -> Iterator[np.ndarray]:
    """int16 mono chunks at `out_rate` from chunks of `bytes` (16-bit
    little-endian PCM, `channels` interleaved, split anywhere) or 1-D arrays
    (int16, or float in [-1, 1]) at `sample_rate`, resampled as they come
    (soxr's streaming resampler)."""
    if sample_rate <= 0 or channels <= 0:
        raise StreamError(
            f"sample rate and channels must be positive (got {sample_rate} Hz, "
            f"{channels} channel(s))"
        )
    resampler = None
    if sample_rate != out_rate:
        import soxr  # librosa's resampler; only resampled streams need it

        resampler = soxr.ResampleStream(sample_rate, out_rate, 1, dtype="float32")
    frame = BYTES_PER_SAMPLE * channels
    carry, seen = b"", False
    for i, chunk in enumerate(chunks):
        if isinstance(chunk, bytes | bytearray | memoryview):
            data = carry + bytes(chunk)
            usable = len(data) - len(data) % frame
            carry = data[usable:]
            x = np.frombuffer(data[:usable], "<i2")
            if channels > 1:
                x = audio_files.to_int16(
                    x.reshape(-1, channels).mean(1, dtype=np.float32) / 32767.0
                )
        else:
            x = _mono(chunk, i)
        if resampler is not None:
            x = audio_files.to_int16(
                resampler.resample_chunk(x.astype(np.float32) / 32767.0)
            )
        if len(x):
            seen = True
            yield x.astype(np.int16, copy=False)
    if carry:
        raise StreamError(
            f"the stream ended inside a sample: {len(carry)} trailing byte(s) of a "
            f"{frame}-byte frame ({channels} channel(s) of 16-bit PCM); is the "
            "input 16-bit PCM (s16le)?"
        )
    if resampler is not None:
        tail = audio_files.to_int16(
            resampler.resample_chunk(np.zeros(0, np.float32), last=True)
        )
        if len(tail):
            seen = True
            yield tail
    if not seen:
        raise StreamError("the stream ended before its first sample: no audio")


def _mono(chunk, index: int) -> np.ndarray:
    """A chunk given as an array: 1-D int16, or float in [-1, 1] (clipped)."""
    x = np.asarray(chunk)
    if x.ndim != 1:
        raise StreamError(
            f"chunk {index} has shape {x.shape}: pass mono samples, one dimension "
            "(average the channels first)"
        )
    if x.dtype == np.int16:
        return x
    if np.issubdtype(x.dtype, np.floating):
        if not np.all(np.isfinite(x)):
            raise StreamError(f"chunk {index} holds NaN or infinite samples")
        return audio_files.to_int16(x)
    raise StreamError(
        f"chunk {index} holds {x.dtype} samples: pass int16 PCM, float samples in "
        "[-1, 1], or bytes of 16-bit PCM"
    )


# ----------------------------------------------------------------------------
# Sources.


def _read(binary: BinaryIO, size: int, name: str) -> bytes:
    """What has arrived, up to `size` bytes (b"" at the end)."""
    read = getattr(binary, "read1", None) or binary.read
    try:
        return read(size)
    except (OSError, ValueError) as e:  # EBADF; "read of closed file"
        raise StreamError(f"cannot read {name}: {e}") from e


def _read_exactly(binary: BinaryIO, size: int, name: str) -> bytes:
    data = b""
    while len(data) < size:
        more = _read(binary, size - len(data), name)
        if not more:
            break
        data += more
    return data


def pipe_source(
    binary: BinaryIO | None,
    name: str = "standard input",
    rate: int = 0,
    chunk_bytes: int = 3200,
) -> tuple[int, int, Iterator[bytes]]:
    """(sample rate, channels, byte chunks) of 16-bit PCM from `binary`.

    A stream that starts with a RIFF/WAVE header is read by it (16-bit PCM
    only; its rate must agree with `rate` when that is given); otherwise it
    is raw mono PCM at `rate` (0: 16 kHz). `chunk_bytes` is the most one read
    asks for (100 ms at 16 kHz by default); a read returns sooner with what
    has arrived.
    """
    if binary is None or getattr(binary, "closed", False):
        raise StreamError(f"{name} is closed: nothing to read")
    head = _read_exactly(binary, 12, name)
    if not head:
        raise StreamError(f"{name} ended before its first sample: no audio")
    channels, limit = 1, None
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        header_rate, channels, limit = _wav_header(binary, name)
        if rate and rate != header_rate:
            raise StreamError(
                f"{name}: its WAV header says {header_rate} Hz but --rate says "
                f"{rate} Hz; drop --rate or give the recorder's rate"
            )
        rate, head = header_rate, b""
    rate = rate or SAMPLE_RATE

    def chunks() -> Iterator[bytes]:
        left = limit
        if head:
            yield head
        while left is None or left > 0:
            data = _read(
                binary, chunk_bytes if left is None else min(chunk_bytes, left), name
            )
            if not data:
                return
            if left is not None:
                left -= len(data)
            yield data

    return rate, channels, chunks()


def _wav_header(binary: BinaryIO, name: str) -> tuple[int, int, int | None]:
    """(rate, channels, data bytes or None for "until the end") of a WAV
    stream read past its RIFF/WAVE tag, up to the start of its samples."""
    fmt = None
    while True:
        chunk = _read_exactly(binary, 8, name)
        if len(chunk) < 8:
            raise StreamError(f"{name}: a WAV header without a data chunk")
        kind, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if kind == b"data":
            break
        body = _read_exactly(binary, size + size % 2, name)
        if kind == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
    if fmt is None:
        raise StreamError(f"{name}: a WAV header without a fmt chunk")
    tag, channels, rate, _, _, bits = fmt
    if tag not in (1, 0xFFFE) or bits != 16:
        raise StreamError(
            f"{name}: a WAV stream of {bits}-bit samples (format {tag}); --stream "
            "reads 16-bit PCM (arecord -f S16_LE, sox -b 16 -e signed)"
        )
    # Recorders that do not know the length write 0 or about 2**31 - 1 or 2**32 - 1.
    return rate, channels, size if 0 < size < 0x7FFF0000 else None


def file_source(
    path: str, rate: int = 0, chunk_s: float = 0.1, speed: float = 1.0
) -> tuple[int, Iterator[np.ndarray]]:
    """(sample rate, float32 mono chunks) of an audio file read as if live.

    Each chunk of `chunk_s` is released when its last sample would have been
    spoken, at `speed` times real time (0: no waiting). `rate`, if given,
    must be the file's. A file libsndfile cannot read block by block (a
    video's sound track, AAC) is decoded whole first, as `classify` reads
    files (`data_builders.audio.load_audio`, at 16 kHz).
    """
    import soundfile as sf

    try:
        info = sf.info(path)
    except (sf.SoundFileError, RuntimeError, OSError):
        info = None
    if info is None:
        return SAMPLE_RATE, _decoded_whole(path, rate, chunk_s, speed)
    if rate and rate != info.samplerate:
        raise StreamError(
            f"{path} is {info.samplerate} Hz but --rate says {rate} Hz; drop "
            "--rate to use the file's"
        )
    block = max(1, round(chunk_s * info.samplerate))

    def chunks() -> Iterator[np.ndarray]:
        with sf.SoundFile(path) as f:
            for data in f.blocks(block, dtype="float32", always_2d=True):
                yield data.mean(1) if data.shape[1] > 1 else data[:, 0]

    return info.samplerate, paced(chunks(), info.samplerate, speed)


def _decoded_whole(
    path: str, rate: int, chunk_s: float, speed: float
) -> Iterator[np.ndarray]:
    """A file only FFmpeg reads, decoded at 16 kHz, then paced in chunks."""
    try:
        audio = audio_files.load_audio(path, SAMPLE_RATE)
    except audio_files.AudioError as e:
        raise StreamError(str(e)) from None
    if rate and rate != SAMPLE_RATE:
        raise StreamError(
            f"{path}: --rate={rate} is the rate of raw PCM; this file is decoded "
            "at its own rate: drop --rate"
        )
    block = max(1, round(chunk_s * SAMPLE_RATE))
    pieces = (audio[i : i + block] for i in range(0, len(audio), block))
    return paced(pieces, SAMPLE_RATE, speed)


def paced(
    chunks: Iterable[np.ndarray], sample_rate: int, speed: float = 1.0
) -> Iterator[np.ndarray]:
    """Releases each chunk when its last sample would have been spoken at
    `speed` times real time (0: at once)."""
    start, played = time.perf_counter(), 0
    for chunk in chunks:
        played += len(chunk)
        if speed > 0:
            wait = start + played / sample_rate / speed - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
        yield chunk
