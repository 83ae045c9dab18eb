"""Utterances cut into segments (`ser_jax.data.segments`)."""

import numpy as np
import pytest

from ser_jax.data.segments import make_segments, split_utterance


@pytest.mark.parametrize(
    "n,max_len,expected",
    [
        (100, 48, [(0, 33), (33, 67), (67, 100)]),
        (48, 48, [(0, 48)]),
        (49, 48, [(0, 24), (24, 49)]),
        (5, 48, [(0, 5)]),
    ],
)
def test_split_utterance_nearly_equal(n, max_len, expected):
    assert split_utterance(n, max_len) == expected


def test_chunk_and_clip_segmentations():
    clips = [np.arange(25, dtype=np.int16), np.arange(4, dtype=np.int16)]
    chunks = make_segments(clips, np.array([0, 1]), 10, mode="chunks")
    assert chunks.utterance.tolist() == [0, 0, 1] and chunks.lengths.tolist() == [
        10,
        10,
        4,
    ]
    clip = make_segments(clips, np.array([0, 1]), 10, mode="clip")
    assert clip.utterance.tolist() == [0, 1] and clip.lengths.tolist() == [10, 4]
    with pytest.raises(ValueError, match="segmentation"):
        make_segments(clips, np.array([0, 1]), 10, mode="overlap")
