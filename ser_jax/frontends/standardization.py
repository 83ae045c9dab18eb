"""Per-speaker standardisation of front-end features, in named modes.

- "none": features as the front-end gives them.
- "train_speakers": one mean and std per feature, fitted on the fold's
  training speakers only and applied to every speaker; test speakers' own
  statistics are never used.
- "per_speaker_transductive": every speaker (test speakers included) is
  standardised with its own statistics, as in Keesing et al.'s tables; this
  uses unlabelled test-speaker audio and is named as such in results.

Statistics are over valid frames (axis 1 of the front-end's output); each
feature position after the time axis gets its own mean and std.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ser_jax.data.batches import batches
from ser_jax.data.segments import Segments
from ser_jax.frontends.framing import mask_frames, pcm_to_float

MODES = ("none", "train_speakers", "per_speaker_transductive")


def segment_moments(
    frontend: Callable, segments: Segments, batch_size: int = 64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per segment: sum and sum of squares of features over valid frames, and frames."""

    @jax.jit
    def moments(audio, lengths):
        features, frames = frontend(pcm_to_float(audio), lengths)
        f = mask_frames(features, frames)
        return f.sum(1), (f * f).sum(1), frames

    sums, squares, counts = [], [], []
    for batch in batches(segments, batch_size):
        s, q, c = (np.asarray(x) for x in moments(batch["audio"], batch["length"]))
        keep = batch["index"] >= 0
        sums.append(s[keep])
        squares.append(q[keep])
        counts.append(c[keep])
    return np.concatenate(sums), np.concatenate(squares), np.concatenate(counts)


def mean_std(sums: np.ndarray, squares: np.ndarray, counts: np.ndarray):
    """Pooled mean and std (floored at 1e-5) from per-segment moments."""
    n = max(counts.sum(), 1)
    mean = sums.sum(0) / n
    var = squares.sum(0) / n - mean**2
    return mean.astype(np.float32), np.sqrt(np.maximum(var, 1e-10)).clip(1e-5).astype(
        np.float32
    )


def per_segment(mean: np.ndarray, std: np.ndarray, num_segments: int) -> dict:
    """One set of statistics as the per-segment `feature_mean` / `feature_std`
    fields `apply` reads (read-only broadcast views)."""
    return {
        "feature_mean": np.broadcast_to(mean, (num_segments, *mean.shape)),
        "feature_std": np.broadcast_to(std, (num_segments, *std.shape)),
    }


def attach(
    mode: str,
    frontend: Callable,
    splits: dict[str, tuple[Segments, np.ndarray]],
    train_split: str = "train",
) -> dict | None:
    """Adds `feature_mean` / `feature_std` per segment to each split's extras.

    `splits` maps a split name to (segments, speaker of each segment). Returns
    the statistics fitted on training speakers (mode "train_speakers"), which
    a classifier of new recordings needs, else None.
    """
    if mode not in MODES:
        raise ValueError(
            f"feature_standardization must be one of {MODES}, got {mode!r}"
        )
    if mode == "none":
        return None
    moments = {
        name: segment_moments(frontend, seg) for name, (seg, _) in splits.items()
    }
    if mode == "train_speakers":
        mean, std = mean_std(*moments[train_split])
        for seg, _ in splits.values():
            seg.extras.update(per_segment(mean, std, len(seg)))
        return {"mean": mean, "std": std}
    for name, (seg, speakers) in splits.items():
        sums, squares, counts = moments[name]
        means = np.zeros_like(sums, dtype=np.float32)
        stds = np.ones_like(sums, dtype=np.float32)
        for speaker in np.unique(speakers):
            rows = speakers == speaker
            means[rows], stds[rows] = mean_std(sums[rows], squares[rows], counts[rows])
        seg.extras["feature_mean"], seg.extras["feature_std"] = means, stds
    return None


def apply(features: jax.Array, frame_counts: jax.Array, batch: dict) -> jax.Array:
    """Standardises features with the batch's per-segment statistics, if it has them."""
    if "feature_mean" not in batch:
        return features
    mean = jnp.expand_dims(batch["feature_mean"], 1)
    std = jnp.expand_dims(batch["feature_std"], 1)
    return mask_frames((features - mean) / std, frame_counts)


def speakers_of(
    corpus_speakers: np.ndarray, idx: Sequence[int], segments
) -> np.ndarray:
    """The speaker of each segment of the utterances `idx`."""
    return np.asarray(corpus_speakers)[np.asarray(idx)][segments.utterance]
