"""Posteriors of segments, utterance posteriors, and the metrics of both levels.

An utterance's posterior is the mean of its segments' posteriors; its class
is the argmax. Both levels are scored (`segment`, `utterance`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from ser_jax import metrics
from ser_jax.data.batches import batches, gather, scoring_groups, shard
from ser_jax.data.segments import Segments

# With length buckets, scoring batches hold `eval_batch_size` rows or this
# fraction of it: the small batches end each bucket and the split without
# many weight-0 rows (`batches.scoring_groups`).
SMALL_BATCH_FRACTION = 8


def prediction_batches(
    segments: Segments,
    batch_size: int,
    widths: Sequence[int] = (),
    num_devices: int = 1,
) -> Iterator[dict[str, np.ndarray]]:
    """The batches that score `segments`: in order, `batch_size` rows each,
    or, with length buckets (`widths`), longest first in groups cut to pad
    least (`scoring_groups`), each batch `batch_size` or a small multiple of
    `num_devices` rows and as wide as its bucket."""
    if not len(widths):
        yield from batches(segments, batch_size)
        return
    small = max(1, batch_size // SMALL_BATCH_FRACTION // num_devices) * num_devices
    sizes = sorted({min(small, batch_size), batch_size})
    for group in scoring_groups(segments.lengths, widths, sizes):
        rows = min(size for size in sizes if size >= len(group))
        yield gather(segments, group, rows, widths=widths)


def predict(
    p_predict: Callable,
    state,
    segments: Segments,
    batch_size: int,
    num_devices: int,
    widths: Sequence[int] = (),
) -> np.ndarray:
    """Posteriors `[num_segments, num_classes]` in segment order (pmapped predict)."""
    outputs, indices = [], []
    for batch in prediction_batches(segments, batch_size, widths, num_devices):
        probs = p_predict(state, shard(batch, num_devices))
        probs = np.asarray(probs).reshape(len(batch["index"]), -1)
        keep = batch["index"] >= 0
        outputs.append(probs[keep])
        indices.append(batch["index"][keep])
    probs = np.concatenate(outputs)
    out = np.empty_like(probs)
    out[np.concatenate(indices)] = probs
    return out


def utterance_mean(
    probs: np.ndarray, segments: Segments, num_utterances: int
) -> np.ndarray:
    """Utterance posteriors `[num_utterances, classes]`: the mean over its segments."""
    utt_probs = np.zeros((num_utterances, probs.shape[-1]))
    np.add.at(utt_probs, segments.utterance, probs)
    counts = np.bincount(segments.utterance, minlength=num_utterances)
    return utt_probs / np.maximum(counts, 1)[:, None]


def evaluate(
    probs: np.ndarray,
    segments: Segments,
    utterance_labels: np.ndarray,
    class_names: list[str],
) -> dict:
    """Metrics per segment and per utterance (mean of its segments' posteriors),
    and the utterance posteriors (`utterance_probs`)."""
    utt_probs = utterance_mean(probs, segments, len(utterance_labels))
    return {
        "segment": metrics.level_metrics(
            segments.labels, probs.argmax(-1), class_names
        ),
        "utterance": metrics.level_metrics(
            utterance_labels, utt_probs.argmax(-1), class_names
        ),
        "utterance_probs": utt_probs,
    }
