"""Audio front-ends computed in JAX, on the device, inside the jitted step.

One TFDS dataset of raw 16 kHz audio serves every model: each front-end maps a
batch of padded waveforms and their lengths to features and valid frame counts.

The contract (the training and prediction steps rely on it): a front-end is a
frozen, hashable dataclass called as `features, frame_counts = frontend(audio,
lengths)` with `audio` `[B, N]` float32 in [-1, 1] and `lengths` `[B]` int;
`frame_counts` is `[B]` int32 and `frontend.output_shape` is the shape of one
example's features. Frames past an example's valid count are zero, and valid
frames depend only on the samples before its length. `create_frontend` builds
one from a config.

| `config.name`      | class             | module  | per-example output        | paper              |
|--------------------|-------------------|---------|---------------------------|--------------------|
| `satt_spectrogram` | `SattSpectrogram` | `satt`  | `[frames, bins]`          | Satt et al. 2017   |
| `anand_spectrogram`| `AnandSpectrogram`| `anand` | `[64, 64, 2]`             | Anand & Verma      |
| `log_mel`          | `LogMel`          | `mel`   | `[frames, num_mels]`      | Keesing; Neumann   |
| `mfcc`             | `Mfcc`            | `mel`   | `[frames, num_mfcc]`      | Neumann; Sundharam |
| `raw_waveform`     | `RawWaveform`     | `raw`   | `[N, 1]` or `[frames, L]` | Latif; Zhang       |
| `egemaps_lld`      | `PrecomputedFrames`| `precomputed` | `[frames, 25]`    | Neumann            |

`egemaps_lld` is the exception: openSMILE's eGeMAPS descriptors, computed on
the host once per utterance and cached; the batches carry them in place of
audio and the front-end only masks them (`precomputed.host_corpus`).

Beside them: `framing` (framing and masking, which the models use too),
`augmentation` (transformed training copies, on the device),
`standardization` (per-speaker feature statistics), `pitch` (F0 and voicing:
Praat's tracker in JAX) and `harmonic` (Satt's harmonic filter, the
`harmonic_filter` option of `satt_spectrogram`, `log_mel` and `mfcc`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Protocol

import jax
import ml_collections

from ser_jax.frontends.anand import AnandSpectrogram
from ser_jax.frontends.mel import LogMel, Mfcc
from ser_jax.frontends.precomputed import PrecomputedFrames
from ser_jax.frontends.raw import RawWaveform
from ser_jax.frontends.satt import SattSpectrogram


class FrontendLike(Protocol):
    @property
    def output_shape(self) -> tuple[int, ...]: ...

    def __call__(
        self, audio: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]: ...


# Set by create_frontend from the corpus and `config.max_segment_seconds`.
_FROM_PIPELINE = {"sample_rate", "max_samples", "num_frames"}

FRONTENDS = {
    "satt_spectrogram": SattSpectrogram,
    "anand_spectrogram": AnandSpectrogram,
    "log_mel": LogMel,
    "mfcc": Mfcc,
    "raw_waveform": RawWaveform,
    "egemaps_lld": PrecomputedFrames,
}


def create_frontend(
    config: ml_collections.ConfigDict, sample_rate: int, max_samples: int
) -> FrontendLike:
    """Builds the front-end named by `config.name` for clips of up to `max_samples`.

    The other config fields are the class's fields. The frame count derives from
    the longest segment: Satt's `num_frames` is `ceil(max_samples / hop)` (3 s ->
    300); the others take `max_samples` and keep the whole frames in it.
    """
    if config.name not in FRONTENDS:
        raise ValueError(
            f"Unknown front-end {config.name!r}; known: {', '.join(FRONTENDS)}."
        )
    cls = FRONTENDS[config.name]
    kwargs = {k: v for k, v in config.items() if k != "name"}
    fields = {f.name for f in dataclasses.fields(cls)} - _FROM_PIPELINE
    unknown = sorted(set(kwargs) - fields)
    if unknown:
        raise ValueError(
            f"front-end {config.name!r} has no config field(s) {unknown}"
            f" ({', '.join(sorted(_FROM_PIPELINE))} come from the pipeline);"
            f" its fields: {sorted(fields)}."
        )
    if cls is SattSpectrogram:
        return for_width(
            SattSpectrogram(sample_rate=sample_rate, **kwargs), max_samples
        )
    return cls(sample_rate=sample_rate, max_samples=max_samples, **kwargs)


def for_width(frontend: FrontendLike, num_samples: int) -> FrontendLike:
    """The same front-end for clips `num_samples` wide (a length bucket's batches).

    Its frames are those of the full-width front-end, fewer of them: an
    example's valid frames do not change. Anand's spectrogram resizes each
    chunk to 64 frames, so it has one width (its chunks are all one width).
    """
    if isinstance(frontend, SattSpectrogram):
        frames = math.ceil(num_samples / frontend.hop_length)
        if frames == frontend.num_frames:
            return frontend
        return dataclasses.replace(frontend, num_frames=frames)
    if frontend.max_samples == num_samples:
        return frontend
    if isinstance(frontend, AnandSpectrogram):
        raise ValueError(
            f"anand_spectrogram resizes each {frontend.max_samples}-sample chunk to "
            f"a fixed image and takes no other width ({num_samples}); its chunks "
            "are one width, so length buckets do not apply (length_buckets=0)."
        )
    return dataclasses.replace(frontend, max_samples=num_samples)
