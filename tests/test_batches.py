"""Segments into batches (`ser_jax.data.batches`)."""

import itertools

import numpy as np
import pytest

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


def test_bucket_widths_are_equal_steps_up_to_the_longest():
    assert batching.bucket_widths(48000, 0) == ()
    # 6000-sample steps, rounded up to 80 ms (1280 samples); the last is 3 s.
    assert batching.bucket_widths(48000, 8) == (
        6400,
        12800,
        19200,
        24320,
        30720,
        37120,
        42240,
        48000,
    )
    assert batching.bucket_widths(1000, 4) == (1000,)  # steps below 80 ms merge
    with pytest.raises(ValueError, match="length_buckets"):
        batching.bucket_widths(48000, -1)


def _bucketed_epoch(seed: int, lengths: np.ndarray, widths, batch_size: int = 4):
    clips = [np.full(n, 1, np.int16) for n in lengths]
    seg = make_segments(clips, np.zeros(len(clips), np.int32), max_samples=100)
    rng = np.random.default_rng(seed)
    shuffled = rng.permutation(len(seg))
    order = batching.bucketed_order(
        shuffled, seg.lengths[shuffled], widths, batch_size, rng
    )
    return seg, list(batching.batches(seg, batch_size, order=order, widths=widths))


def test_bucketed_batches_hold_one_bucket_each_and_cover_the_epoch():
    rng = np.random.default_rng(1)
    lengths = rng.integers(5, 101, size=37)
    widths = batching.bucket_widths(100, 4, multiple=1)  # 25, 50, 75, 100
    seg, batches = _bucketed_epoch(0, lengths, widths)
    assert len(batches) == 10  # ceil(37 / 4): only the last batch is partial
    assert all(b["weight"].all() for b in batches[:-1])
    seen = np.concatenate([b["index"][b["index"] >= 0] for b in batches])
    assert sorted(seen.tolist()) == list(range(37))
    for b in batches:
        width = b["audio"].shape[1]
        assert width in widths and b["length"].max() <= width
        # The batch's width is its longest member's bucket, and no member is
        # from a wider bucket (leftovers of narrower buckets may join).
        assert width == batching.width_for(b["length"].max(), widths)
        keep = b["index"] >= 0
        np.testing.assert_array_equal(
            b["audio"][keep], seg.audio[b["index"][keep], :width]
        )
    # Padding: far below the 100-sample width of unbucketed batches.
    padded = sum(b["audio"].shape[1] * b["weight"].astype(bool).sum() for b in batches)
    assert padded < 1.3 * lengths.sum() < 100 * 37


def test_bucketed_epoch_depends_on_the_seed_only():
    lengths = np.random.default_rng(1).integers(5, 101, size=37)
    widths = batching.bucket_widths(100, 4, multiple=1)

    def indices(seed):
        return [b["index"].tolist() for b in _bucketed_epoch(seed, lengths, widths)[1]]

    assert indices(3) == indices(3)
    assert indices(3) != indices(4)


def test_a_segment_longer_than_every_bucket_is_an_error():
    with pytest.raises(ValueError, match="exceeds every bucket"):
        batching.bucketed_order(
            np.arange(2), np.array([10, 30]), (10, 20), 2, np.random.default_rng(0)
        )


def _cost(groups, lengths, widths, sizes):
    return sum(
        min(s for s in sizes if s >= len(g))
        * batching.width_for(lengths[g].max(), widths)
        for g in groups
    )


def _cheapest_cut(lengths, widths, sizes):
    """Brute force: every cut of the longest-first order into groups that fit."""
    order = np.argsort(-lengths, kind="stable")
    n, best = len(order), np.inf
    for mask in range(2 ** (n - 1)):
        edges = [0, *(i + 1 for i in range(n - 1) if mask >> i & 1), n]
        groups = [order[a:b] for a, b in itertools.pairwise(edges)]
        if max(map(len, groups)) <= max(sizes):
            best = min(best, _cost(groups, lengths, widths, sizes))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_scoring_groups_cover_every_segment_longest_first_at_the_least_padding(seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 101, size=11)
    widths, sizes = batching.bucket_widths(100, 4, multiple=1), (2, 4)
    groups = batching.scoring_groups(lengths, widths, sizes)
    flat = np.concatenate(groups)
    assert sorted(flat.tolist()) == list(range(len(lengths)))
    assert np.all(np.diff(lengths[flat]) <= 0)  # longest first
    assert max(map(len, groups)) <= 4
    assert _cost(groups, lengths, widths, sizes) == _cheapest_cut(
        lengths, widths, sizes
    )


def test_scoring_with_a_small_batch_beside_the_large_one_pads_less():
    """120 test segments of 1.5-4.5 s: batches of 64 rows only pad the last one
    with 8 weight-0 rows and span the whole range of lengths; with 8-row
    batches beside them the groups end at the buckets' edges."""
    lengths = np.random.default_rng(0).integers(24000, 72000, size=120)
    widths = batching.bucket_widths(128000, 12)
    audio = lengths.sum()

    def padded(sizes):
        groups = batching.scoring_groups(lengths, widths, sizes)
        return _cost(groups, lengths, widths, sizes) / audio

    assert padded((64,)) > 1.4
    assert padded((8, 64)) < 1.15


@pytest.mark.parametrize("num_devices", [1, 2])
def test_scoring_batches_split_over_the_devices_and_score_each_segment_once(
    num_devices,
):
    from ser_jax.methods.evaluation import prediction_batches

    rng = np.random.default_rng(1)
    clips = [np.ones(n, np.int16) for n in rng.integers(2900, 3200, size=75)]
    seg = make_segments(clips, np.zeros(75, int), max_samples=3200)
    widths = batching.bucket_widths(3200, 8, multiple=80)
    batches = list(prediction_batches(seg, 16, widths, num_devices))
    rows = {len(b["index"]) for b in batches}
    assert rows == {2, 16}  # 16 // 8, a multiple of either device count
    seen = np.concatenate([b["index"][b["index"] >= 0] for b in batches])
    assert sorted(seen.tolist()) == list(range(75))
    for b in batches:
        assert b["audio"].shape[1] == batching.width_for(b["length"].max(), widths)
        batching.shard(b, num_devices)
