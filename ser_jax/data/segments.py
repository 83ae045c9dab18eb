"""Utterances -> fixed-width int16 segments (`config.segmentation`).

Batches hold raw int16 audio of one width (`max_samples`) and each segment's
true length; the front-end runs on the device and masks what lies past it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np


@dataclasses.dataclass
class Segments:
    """Sub-utterances: fixed-width int16 audio, true lengths, their utterance."""

    audio: np.ndarray  # [S, max_samples] int16 (host features: [S, T, D]), zero-padded
    lengths: np.ndarray  # [S] int32
    labels: np.ndarray  # [S] int32
    utterance: np.ndarray  # [S] int32, index into the utterance list given
    extras: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)  # [S, ...]

    def __len__(self) -> int:
        return len(self.lengths)

    def take(self, idx: np.ndarray) -> Segments:
        """The segments `idx` (indices or a boolean mask), extras included."""
        return Segments(
            audio=self.audio[idx],
            lengths=self.lengths[idx],
            labels=self.labels[idx],
            utterance=self.utterance[idx],
            extras={k: v[idx] for k, v in self.extras.items()},
        )

    def by_utterance(self) -> tuple[np.ndarray, Segments]:
        """The utterances these segments come from (sorted indices into the
        list they were cut from) and the segments with `utterance` renumbered
        into them: what a split of segments keeps of its utterances."""
        owners, inverse = np.unique(self.utterance, return_inverse=True)
        renumbered = dataclasses.replace(
            self, utterance=inverse.reshape(-1).astype(np.int32)
        )
        return owners, renumbered


def segment_keys(utterance_keys: Sequence[str], segments: Segments) -> np.ndarray:
    """`<utterance key>#<j>` per segment, j its place among its utterance's
    segments (in the order `make_segments` cuts them): a segment's name,
    the same in every run."""
    utterance = segments.utterance
    if (np.diff(utterance) < 0).any():
        raise ValueError("segment_keys needs segments in utterance order")
    place = np.arange(len(utterance)) - np.searchsorted(utterance, utterance)
    return np.asarray(
        [f"{utterance_keys[u]}#{j}" for u, j in zip(utterance, place, strict=True)]
    )


def split_utterance(num_samples: int, max_samples: int) -> list[tuple[int, int]]:
    """(start, stop) of the fewest nearly equal pieces, none over max_samples."""
    pieces = max(1, math.ceil(num_samples / max_samples))
    bounds = np.linspace(0, num_samples, pieces + 1).round().astype(int)
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))


def fixed_chunks(num_samples: int, chunk_samples: int) -> list[tuple[int, int]]:
    """Non-overlapping chunks of exactly `chunk_samples`; the remainder is dropped.

    An utterance shorter than one chunk keeps one (zero-padded) chunk.
    """
    count = max(1, num_samples // chunk_samples)
    return [
        (i * chunk_samples, min((i + 1) * chunk_samples, num_samples))
        for i in range(count)
    ]


SEGMENTATIONS = {
    # Satt et al.: the fewest nearly equal sub-utterances, none over the limit.
    "equal": split_utterance,
    # Anand & Verma: non-overlapping fixed chunks (512 ms), each with the label.
    "chunks": fixed_chunks,
    # Keesing et al. / Latif: the first `max_samples` of each utterance only.
    "clip": lambda n, max_samples: [(0, min(n, max_samples))],
}


def make_segments(
    audio: Sequence[np.ndarray],
    labels: np.ndarray,
    max_samples: int,
    mode: str = "equal",
) -> Segments:
    """Cuts utterances into segments of at most `max_samples` (see SEGMENTATIONS).

    An utterance may also be `[frames, D]` features computed on the host
    (`ser_jax.frontends.precomputed`): it is cut along its first axis alike,
    `max_samples` then counting frames.
    """
    if mode not in SEGMENTATIONS:
        raise ValueError(
            f"segmentation {mode!r} unknown; known: {sorted(SEGMENTATIONS)}"
        )
    cut = SEGMENTATIONS[mode]
    rows, lengths, seg_labels, owners = [], [], [], []
    for i, (clip, label) in enumerate(zip(audio, labels, strict=True)):
        for start, stop in cut(len(clip), max_samples):
            row = np.zeros(
                (max_samples, *clip.shape[1:]),
                np.int16 if clip.ndim == 1 else clip.dtype,
            )
            row[: stop - start] = clip[start:stop]
            rows.append(row)
            lengths.append(stop - start)
            seg_labels.append(label)
            owners.append(i)
    return Segments(
        audio=np.stack(rows) if rows else np.zeros((0, max_samples), np.int16),
        lengths=np.asarray(lengths, np.int32),
        labels=np.asarray(seg_labels, np.int32),
        utterance=np.asarray(owners, np.int32),
    )
