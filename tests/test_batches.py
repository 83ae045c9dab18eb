"""Segments into batches (`ser_jax.data.batches`)."""

import numpy as np

from ser_jax.data import batches as batching
from ser_jax.data.segments import make_segments


def test_segments_and_batches_cover_every_example_once():
    clips = [np.arange(n, dtype=np.int16) for n in (10, 25, 7)]
    seg = make_segments(clips, np.array([0, 1, 2]), max_samples=10)
    assert seg.utterance.tolist() == [0, 1, 1, 1, 2]
    assert seg.lengths.tolist() == [10, 8, 9, 8, 7]
    np.testing.assert_array_equal(seg.audio[2, :9], np.arange(8, 17))
    assert np.all(seg.audio[4, 7:] == 0)
    batches = list(batching.batches(seg, 4, rng=np.random.default_rng(0)))
    assert [b["audio"].shape for b in batches] == [(4, 10), (4, 10)]
    seen = np.concatenate([b["index"][b["index"] >= 0] for b in batches])
    assert sorted(seen.tolist()) == [0, 1, 2, 3, 4]
    assert batches[1]["weight"][1:].sum() == 0  # padding carries no loss
    sharded = batching.shard(batches[0], 2)
    assert sharded["audio"].shape == (2, 2, 10)


def test_class_weights_inverse_to_class_size():
    w = batching.class_weights(np.array([0, 0, 0, 1]), 3)
    assert np.isclose(w[0] * 3, w[1] * 1) and w[2] == 0
    assert np.isclose((w[[0, 0, 0, 1]]).mean(), 1.0)


def test_oversampled_epoch_balances_classes_and_keeps_every_example():
    labels = np.array([0] * 6 + [1] * 2 + [2] * 3)
    order = batching.oversampled_order(labels, np.random.default_rng(0))
    assert np.bincount(labels[order]).tolist() == [6, 6, 6]
    assert set(order.tolist()) == set(range(len(labels)))
