"""Reading audio files into float32 mono waveforms at a fixed sample rate.

Every failure (missing file, undecodable file, empty or too-short clip,
non-finite samples) raises :class:`AudioError`, whose message names the file
and the problem, so that a dataset build that trips over one bad file says
which one.

Used by the TFDS builders (``builder_utils.read_audio_int16``) and by
``ser_jax.classify``; like all of ``data_builders``, it imports nothing from
``ser_jax``.
"""

from __future__ import annotations

import os

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16000

# soxr "HQ" is librosa's default and much faster than the "VHQ"/kaiser
# resamplers while still being transparent for speech.
_RES_TYPE = "soxr_hq"


class AudioError(ValueError):
    """A file could not be turned into a usable waveform.

    The message always starts with the file path, then says what is wrong.
    """

    def __init__(self, path: str | os.PathLike, problem: str):
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def load_audio(
    path: str | os.PathLike,
    sample_rate: int = SAMPLE_RATE,
    min_duration_s: float = 0.1,
) -> np.ndarray:
    """Loads an audio file as a float32 mono waveform in [-1, 1].

    Args:
      path: a local file that libsndfile can read (WAV, FLAC, OGG, MP3, ...),
        or, failing that, any container with an audio stream FFmpeg reads
        (an AVI or MP4 video's sound track, AAC, ...).
      sample_rate: output sample rate; other rates are resampled with
        ``librosa.resample(..., res_type="soxr_hq")``.
      min_duration_s: clips shorter than this (measured at the file's own
        sample rate, before resampling) are rejected.

    Returns:
      A 1-D float32 array at ``sample_rate``.

    Raises:
      AudioError: the file is missing, cannot be decoded, has no samples, is
        shorter than ``min_duration_s`` or contains NaN/inf samples.
    """
    path_str = os.fspath(path)
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    if not os.path.exists(path_str):
        raise AudioError(path_str, "file not found")
    if os.path.isdir(path_str):
        raise AudioError(path_str, "is a directory, not an audio file")

    try:
        data, file_sr = sf.read(path_str, dtype="float32", always_2d=True)
    except (sf.SoundFileError, RuntimeError, OSError) as sf_error:
        # Not a format libsndfile reads (by content, whatever the extension):
        # audio inside video (eNTERFACE's AVI files), AAC, ... through FFmpeg.
        try:
            data, file_sr = _read_with_ffmpeg(path_str)
        except Exception as av_error:  # PyAV raises its own error classes
            raise AudioError(
                path_str,
                "cannot decode audio (corrupt or unsupported file): "
                f"libsndfile: {sf_error}; FFmpeg: {av_error}",
            ) from av_error

    num_frames = data.shape[0]
    if num_frames == 0:
        raise AudioError(path_str, "empty audio clip (0 samples)")
    duration_s = num_frames / file_sr
    if duration_s < min_duration_s:
        raise AudioError(
            path_str,
            f"clip too short: {duration_s * 1000:.1f} ms "
            f"({num_frames} samples at {file_sr} Hz) < minimum "
            f"{min_duration_s * 1000:.1f} ms",
        )
    if not np.all(np.isfinite(data)):
        raise AudioError(path_str, "audio contains NaN or infinite samples")

    # Down-mix: average the channels.
    audio = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]

    if file_sr != sample_rate:
        import librosa  # Imported lazily: it is slow to import.

        audio = librosa.resample(
            audio, orig_sr=file_sr, target_sr=sample_rate, res_type=_RES_TYPE
        )
    # Resampling can overshoot full scale by a little.
    return np.clip(audio, -1.0, 1.0).astype(np.float32, copy=False)


def _read_with_ffmpeg(path: str) -> tuple[np.ndarray, int]:
    """`[samples, channels]` float32 and the rate of the first audio stream of
    any container FFmpeg reads (PyAV), e.g. the sound track of a video."""
    import av  # Imported lazily: only files libsndfile cannot read need it.

    with av.open(path) as container:
        if not container.streams.audio:
            raise ValueError("no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp")  # planar float, same layout
        chunks = []
        for frame in container.decode(stream):
            chunks += [f.to_ndarray() for f in resampler.resample(frame)]
        chunks += [f.to_ndarray() for f in resampler.resample(None)]
        rate = stream.codec_context.sample_rate
    if not chunks:
        return np.zeros((0, 1), np.float32), rate
    return np.concatenate(chunks, axis=1).T.astype(np.float32), rate


def to_int16(x: np.ndarray) -> np.ndarray:
    """Converts a float waveform in [-1, 1] to int16 (values outside are clipped)."""
    x = np.asarray(x, dtype=np.float32)
    return np.round(np.clip(x, -1.0, 1.0) * 32767.0).astype(np.int16)
