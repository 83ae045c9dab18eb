"""Features computed on the host, once per utterance: the one front-end not in JAX.

Neumann compared three CNN inputs: log-mels, MFCCs (both JAX front-ends) and
eGeMAPS low-level descriptors, which openSMILE computes on the host (its C++
library, which cannot be traced, and which cannot share a process with
TensorFlow). For those, the neural method swaps the corpus's audio for its
descriptors before the folds are cut (`host_corpus`): each utterance becomes a
`[frames, D]` float32 array, computed once and cached with the baselines'
features (`ser_jax.baselines.features`, `egemaps_lld`), and the corpus's
`sample_rate` becomes the frame rate (100 per second), so
`max_segment_seconds`, segmentation, batches, frame counts and masks work in
frames as they work in samples. `PrecomputedFrames` is then the front-end: it
only masks the frames past each example's count.

What this path does not do: augmentation of the audio (white noise), and
classifying new recordings (`ser_jax.classify`), which would need openSMILE
in the loop; both say so.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
from absl import logging

from ser_jax.data.corpus import Corpus
from ser_jax.frontends.framing import mask_frames


@dataclasses.dataclass(frozen=True)
class PrecomputedFrames:
    """Frames the host computed (`host_corpus`), masked past each example's count.

    Called as every front-end, `features, frame_counts = frontend(x, lengths)`,
    but `x` is `[B, T, num_features]` frames and `lengths` their counts (the
    batches carry frames in place of samples). `sample_rate` is the frame
    rate and `max_samples` the most frames of a segment.
    """

    sample_rate: int = 100
    max_samples: int = 750
    num_features: int = 25

    @property
    def output_shape(self) -> tuple[int, ...]:
        return (self.max_samples, self.num_features)

    def __call__(
        self, frames: jax.Array, lengths: jax.Array
    ) -> tuple[jax.Array, jax.Array]:
        if frames.ndim != 3 or frames.shape[1:] != self.output_shape:
            raise ValueError(
                f"{type(self).__name__} takes [B, {self.max_samples}, "
                f"{self.num_features}] frames computed on the host, got "
                f"{frames.shape}: the corpus must go through host_corpus first."
            )
        counts = jnp.clip(lengths, 1, self.max_samples).astype(jnp.int32)
        return mask_frames(frames.astype(jnp.float32), counts), counts


# config.frontend.name -> the baselines' frame-level feature set it reads.
HOST_FEATURE_SETS = {"egemaps_lld": "egemaps_lld"}


def is_host_frontend(config: ml_collections.ConfigDict) -> bool:
    """Whether `config` (config.frontend) names a front-end computed on the host."""
    return config.name in HOST_FEATURE_SETS


def host_corpus(
    config: ml_collections.ConfigDict, corpus: Corpus, data_dir: str = ""
) -> Corpus:
    """`corpus` with each utterance's audio replaced by its host-computed frames
    (for a host front-end; any other front-end gets `corpus` back).

    The frames are cached beside the baselines' features and recomputed when
    the audio changes (`features.load_or_compute`); the result's
    `sample_rate` is the feature set's frame rate.
    """
    if not is_host_frontend(config):
        return corpus
    from ser_jax.baselines import features  # openSMILE: only when asked for

    name = HOST_FEATURE_SETS[config.name]
    frames, names = features.load_or_compute(corpus, name, data_dir)
    logging.info(
        "%s: %s frames (%d descriptors, %d per second) in place of audio",
        corpus.name,
        name,
        len(names),
        features.FRAME_RATE[name],
    )
    return dataclasses.replace(
        corpus,
        audio=[np.asarray(f, np.float32) for f in frames],
        sample_rate=features.FRAME_RATE[name],
    )
