"""Raw samples, whole or framed (Keesing et al.'s Latif and Zhang models)."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from ser_jax.frontends.framing import (
    frame_signal,
    frames_in,
    mask_audio,
    mask_frames,
    num_valid_frames,
)


@dataclasses.dataclass(frozen=True)
class RawWaveform:
    """Raw samples, whole or framed (Keesing et al.'s Latif and Zhang models).

    `frame_length=0`: `[max_samples, 1]` samples, `frame_counts` = the length
    (Latif: the first 5 s, `max_samples=80000`; nothing is padded beyond
    `max_samples`, samples past the length are zero). `frame_length > 0`:
    `[frames, frame_length]` frames every `hop_length` samples (0: no overlap),
    e.g. Zhang's 640 / 160 (40 / 10 ms at 16 kHz); only whole frames, as the
    spectral front-ends. Samples are not normalised.
    """

    sample_rate: int = 16000
    max_samples: int = 80000
    frame_length: int = 0
    hop_length: int = 0

    def __post_init__(self):
        if self.frame_length < 0 or self.hop_length < 0:
            raise ValueError("frame_length and hop_length must be >= 0.")
        if self.frame_length and not self.hop_length:
            object.__setattr__(self, "hop_length", self.frame_length)

    @property
    def num_frames(self) -> int:
        if not self.frame_length:
            return self.max_samples
        return frames_in(self.max_samples, self.frame_length, self.hop_length)

    @property
    def output_shape(self) -> tuple[int, int]:
        return (self.num_frames, self.frame_length or 1)

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        audio = audio[:, : self.max_samples]
        if audio.shape[-1] < self.max_samples:
            audio = jnp.pad(audio, ((0, 0), (0, self.max_samples - audio.shape[-1])))
        audio = mask_audio(audio, lengths)
        if not self.frame_length:
            counts = jnp.clip(lengths, 0, self.max_samples).astype(jnp.int32)
            return audio[..., None], counts
        counts = num_valid_frames(
            lengths, self.frame_length, self.hop_length, self.num_frames
        )
        frames = frame_signal(
            audio, self.frame_length, self.hop_length, self.num_frames
        )
        return mask_frames(frames, counts), counts


# Set by create_frontend from the corpus and `config.max_segment_seconds`.
