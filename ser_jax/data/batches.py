"""Segments -> fixed-size batches for the pmapped steps, and the epoch's order.

Every batch has `batch_size` examples (the last is padded with weight-0
copies); `shard` splits a batch over devices. Without length buckets every
batch is `max_samples` wide, so the step compiles once. With them
(`bucket_widths`, `config.length_buckets`) a batch is as wide as the
smallest of a few fixed widths that holds its longest member, and an epoch
groups segments of one bucket into batches (`bucketed_order`): a handful of
compiled shapes, and padding costs little. Scoring with buckets cuts the
segments, longest first, into batches of `batch_size` rows or of a few
rows, whichever pads least (`scoring_groups`). Class balance is a loss weight
per class (`class_weights`) or an oversampled epoch (`oversampled_order`);
augmentation copies repeat the epoch (`with_copies`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

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


# Bucket widths are multiples of 80 ms at 16 kHz (8 hops of 10 ms), so the
# frames of three 2x time pools (Satt's CNNs) divide evenly.
BUCKET_MULTIPLE = 1280


def bucket_widths(
    max_samples: int, count: int, multiple: int = BUCKET_MULTIPLE
) -> tuple[int, ...]:
    """`count` batch widths in equal steps up to `max_samples` (0: no buckets, `()`).

    Width k is `k * max_samples / count` rounded up to `multiple` samples; the
    widest is `max_samples`, the width of every batch without buckets.
    """
    if count < 0:
        raise ValueError(f"length_buckets must be >= 0, got {count}")
    widths = {
        min(max_samples, math.ceil(max_samples * k / count / multiple) * multiple)
        for k in range(1, count + 1)
    }
    return tuple(sorted(widths))


def width_for(longest: int, widths: Sequence[int]) -> int:
    """The smallest of `widths` that holds `longest` samples."""
    i = int(np.searchsorted(widths, longest))
    if i == len(widths):
        raise ValueError(
            f"a segment of {longest} samples exceeds every bucket {widths}"
        )
    return int(widths[i])


def bucketed_order(
    order: np.ndarray,
    lengths: np.ndarray,
    widths: Sequence[int],
    batch_size: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """An epoch `order` regrouped so that each batch holds segments of one bucket.

    `lengths[j]` is the length of `order[j]`. Each bucket, narrowest first,
    keeps `order`'s (shuffled) order and is cut into whole batches; the few
    left over join the next bucket, so every batch is full but the last.
    The batches are then shuffled by `rng`: the result is `order`'s entries,
    batch after batch, with the partial batch (if any) last.
    """
    bucket = np.searchsorted(widths, lengths)
    if len(order) and bucket.max() == len(widths):
        raise ValueError(f"a segment exceeds every bucket {tuple(widths)}")
    groups, carry = [], order[:0]
    for b in range(len(widths)):
        members = np.concatenate([carry, order[bucket == b]])
        full = len(members) // batch_size * batch_size
        groups += np.split(members[:full], full // batch_size) if full else []
        carry = members[full:]
    groups = [groups[i] for i in rng.permutation(len(groups))]
    return np.concatenate([*groups, carry]).astype(order.dtype)


def batches(
    segments: Segments,
    batch_size: int,
    example_weights: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
    order: np.ndarray | None = None,
    copies: int = 1,
    widths: Sequence[int] = (),
) -> Iterator[dict[str, np.ndarray]]:
    """Fixed-size batches over all segments, shuffled when `rng` is given.

    `order` (e.g. an oversampled epoch) overrides the shuffle. The last batch is
    padded with weight-0 copies so every batch has one shape and no example is
    dropped (`gather`).

    With `copies > 1` the epoch holds every segment `copies` times (order
    entries `c * n + i` are copy c of segment i) and `copy` says which copy
    each example is (0: the original), for augmentation on the device.

    With `widths` (length buckets) each batch's audio is cut to the smallest
    width that holds its longest member; otherwise it is `max_samples` wide.
    """
    if order is None:
        total = len(segments) * copies
        order = rng.permutation(total) if rng is not None else np.arange(total)
    for start in range(0, len(order), batch_size):
        yield gather(
            segments,
            order[start : start + batch_size],
            batch_size,
            example_weights,
            widths,
            with_copy=copies > 1,
        )


def gather(
    segments: Segments,
    idx: np.ndarray,
    rows: int,
    example_weights: np.ndarray | None = None,
    widths: Sequence[int] = (),
    with_copy: bool = False,
) -> dict[str, np.ndarray]:
    """One batch of `rows` examples: segments `idx` (entries `c * n + i` are
    copy c of segment i), then weight-0 copies of them up to `rows`.

    Arrays in `segments.extras` travel with their segments. `weight` is the
    loss weight (0 on padding), `index` the segment index (-1 on padding),
    `copy` (with `with_copy`) the copy. With `widths` the audio is cut to the
    smallest width that holds the longest member.
    """
    n = len(segments)
    weights = np.ones(n, np.float32) if example_weights is None else example_weights
    valid = np.arange(rows) < len(idx)
    padded = np.resize(idx, rows) if len(idx) else np.zeros(rows, int)
    copy, padded = np.divmod(padded, n) if n else (padded, padded)
    audio = segments.audio[padded]
    if len(widths):
        audio = audio[:, : width_for(segments.lengths[padded].max(), widths)]
    batch = {
        "audio": audio,
        "length": segments.lengths[padded],
        "label": segments.labels[padded],
        "weight": np.where(valid, weights[padded], 0.0).astype(np.float32),
        "index": np.where(valid, padded, -1).astype(np.int32),
        **{k: v[padded] for k, v in segments.extras.items()},
    }
    if with_copy:
        batch["copy"] = copy.astype(np.int32)
    return batch


def scoring_groups(
    lengths: np.ndarray, widths: Sequence[int], sizes: Sequence[int]
) -> list[np.ndarray]:
    """Segment indices, longest first, cut into groups to score with length
    buckets: a group of k segments costs `rows * width` samples, `rows` the
    smallest of `sizes` that holds k and `width` the bucket of its longest
    segment. The cut minimises the total, then the number of groups
    (dynamic programming over the sorted segments: the cheapest cover of the
    first i is the cheapest cover of some first j plus one group j..i-1).

    A few hundred test segments fill few batches of `eval_batch_size`, so
    the last one's weight-0 rows and the range of lengths within each cost
    much; a small batch size beside it lets the cut stop at a bucket's edge.
    """
    order = np.argsort(-np.asarray(lengths), kind="stable")
    group_width = np.array([width_for(v, widths) for v in np.asarray(lengths)[order]])
    n, sizes = len(order), sorted(sizes)
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    start = np.zeros(n + 1, int)
    for i in range(1, n + 1):
        for size in sizes:
            j = np.arange(max(0, i - size), i)
            cost = best[j] + size * group_width[j] + 1  # +1: fewer batches on ties
            k = np.argmin(cost)
            if cost[k] < best[i]:
                best[i], start[i] = cost[k], j[k]
    groups, i = [], n
    while i:
        groups.append(order[start[i] : i])
        i = start[i]
    return groups[::-1]


def shard(batch: dict[str, np.ndarray], num_devices: int) -> dict[str, np.ndarray]:
    """`[B, ...]` -> `[num_devices, B // num_devices, ...]` for `jax.pmap`."""
    return {k: v.reshape(num_devices, -1, *v.shape[1:]) for k, v in batch.items()}
