"""Segments -> fixed-size batches for the pmapped steps, and the epoch's order.

Every batch has one shape (the last is padded with weight-0 copies), so the
step compiles once; `shard` splits a batch over devices. Class balance is a
loss weight per class (`class_weights`) or an oversampled epoch
(`oversampled_order`); augmentation copies repeat the epoch (`with_copies`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ser_jax.data.segments import Segments


def class_weights(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Weights inversely proportional to class size, mean 1 over examples."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    present = counts > 0
    weights = np.zeros(num_classes)
    weights[present] = len(labels) / (present.sum() * counts[present])
    return weights.astype(np.float32)


def oversampled_order(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A shuffled epoch in which every class appears as often as the largest one.

    Each class keeps all its examples, topped up by draws with replacement.
    """
    classes, counts = np.unique(labels, return_counts=True)
    order = []
    for c in classes:
        idx = np.flatnonzero(labels == c)
        extra = rng.choice(idx, counts.max() - len(idx), replace=True)
        order.append(np.concatenate([idx, extra]))
    return rng.permutation(np.concatenate(order))


def with_copies(
    order: np.ndarray, n: int, copies: int, rng: np.random.Generator
) -> np.ndarray:
    """An epoch `order` over n segments, repeated for `copies` copies and shuffled."""
    if copies == 1:
        return order
    return rng.permutation(np.concatenate([order + c * n for c in range(copies)]))


def batches(
    segments: Segments,
    batch_size: int,
    example_weights: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
    order: np.ndarray | None = None,
    copies: int = 1,
) -> Iterator[dict[str, np.ndarray]]:
    """Fixed-size batches over all segments, shuffled when `rng` is given.

    `order` (e.g. an oversampled epoch) overrides the shuffle. The last batch is
    padded with weight-0 copies so every batch has one shape and no example is
    dropped. Arrays in `segments.extras` travel with their segments. `weight`
    is the loss weight (0 on padding), `index` the segment index (-1 on padding).

    With `copies > 1` the epoch holds every segment `copies` times (order
    entries `c * n + i` are copy c of segment i) and `copy` says which copy
    each example is (0: the original), for augmentation on the device.
    """
    n = len(segments)
    if order is None:
        total = n * copies
        order = rng.permutation(total) if rng is not None else np.arange(total)
    weights = np.ones(n, np.float32) if example_weights is None else example_weights
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        valid = np.ones(batch_size, bool)
        valid[len(idx) :] = False
        padded = np.resize(idx, batch_size) if len(idx) else np.zeros(batch_size, int)
        copy, padded = np.divmod(padded, n) if n else (padded, padded)
        batch = {
            "audio": segments.audio[padded],
            "length": segments.lengths[padded],
            "label": segments.labels[padded],
            "weight": np.where(valid, weights[padded], 0.0).astype(np.float32),
            "index": np.where(valid, padded, -1).astype(np.int32),
            **{k: v[padded] for k, v in segments.extras.items()},
        }
        if copies > 1:
            batch["copy"] = copy.astype(np.int32)
        yield batch


def shard(batch: dict[str, np.ndarray], num_devices: int) -> dict[str, np.ndarray]:
    """`[B, ...]` -> `[num_devices, B // num_devices, ...]` for `jax.pmap`."""
    return {k: v.reshape(num_devices, -1, *v.shape[1:]) for k, v in batch.items()}
