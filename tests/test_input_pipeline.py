import ml_collections
import numpy as np
import pytest

from ser_jax import config_args, input_pipeline


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
    assert input_pipeline.split_utterance(n, max_len) == expected


def test_segments_and_batches_cover_every_example_once():
    clips = [np.arange(n, dtype=np.int16) for n in (10, 25, 7)]
    seg = input_pipeline.make_segments(clips, np.array([0, 1, 2]), max_samples=10)
    assert seg.utterance.tolist() == [0, 1, 1, 1, 2]
    assert seg.lengths.tolist() == [10, 8, 9, 8, 7]
    np.testing.assert_array_equal(seg.audio[2, :9], np.arange(8, 17))
    assert np.all(seg.audio[4, 7:] == 0)
    batches = list(input_pipeline.batches(seg, 4, rng=np.random.default_rng(0)))
    assert [b["audio"].shape for b in batches] == [(4, 10), (4, 10)]
    seen = np.concatenate([b["index"][b["index"] >= 0] for b in batches])
    assert sorted(seen.tolist()) == [0, 1, 2, 3, 4]
    assert batches[1]["weight"][1:].sum() == 0  # padding carries no loss
    sharded = input_pipeline.shard(batches[0], 2)
    assert sharded["audio"].shape == (2, 2, 10)


def test_chunk_and_clip_segmentations():
    clips = [np.arange(25, dtype=np.int16), np.arange(4, dtype=np.int16)]
    chunks = input_pipeline.make_segments(clips, np.array([0, 1]), 10, mode="chunks")
    assert chunks.utterance.tolist() == [0, 0, 1] and chunks.lengths.tolist() == [
        10,
        10,
        4,
    ]
    clip = input_pipeline.make_segments(clips, np.array([0, 1]), 10, mode="clip")
    assert clip.utterance.tolist() == [0, 1] and clip.lengths.tolist() == [10, 4]
    with pytest.raises(ValueError, match="segmentation"):
        input_pipeline.make_segments(clips, np.array([0, 1]), 10, mode="overlap")


def test_class_weights_inverse_to_class_size():
    w = input_pipeline.class_weights(np.array([0, 0, 0, 1]), 3)
    assert np.isclose(w[0] * 3, w[1] * 1) and w[2] == 0
    assert np.isclose((w[[0, 0, 0, 1]]).mean(), 1.0)


def test_config_args():
    assert config_args.parse("corpus=ravdess,n=3", corpus="x", n=1) == {
        "corpus": "ravdess",
        "n": 3,
    }
    with pytest.raises(ValueError, match="Unknown config argument"):
        config_args.parse("corpsu=ravdess", corpus="x")


def test_oversampled_epoch_balances_classes_and_keeps_every_example():
    labels = np.array([0] * 6 + [1] * 2 + [2] * 3)
    order = input_pipeline.oversampled_order(labels, np.random.default_rng(0))
    assert np.bincount(labels[order]).tolist() == [6, 6, 6]
    assert set(order.tolist()) == set(range(len(labels)))


def _corpus():
    return input_pipeline.Corpus(
        name="toy",
        audio=[np.full(4, i, np.int16) for i in range(6)],
        labels=np.array([0, 1, 2, 0, 1, 2], np.int32),
        speakers=np.array(["a", "a", "a", "b", "b", "b"]),
        genders=np.array(["female"] * 3 + ["male"] * 3),
        file_names=np.array([f"f{i}" for i in range(6)]),
        class_names=["angry", "happy", "calm"],
        sample_rate=16000,
    )


def test_corpus_gender_filter_and_shared_label_map():
    male = _corpus().subset(_corpus().genders == "male")
    assert male.speaker_ids == ["b"] and [int(a[0]) for a in male.audio] == [3, 4, 5]
    mapped = _corpus().relabel({"happy": "happiness", "angry": "anger"})
    assert mapped.class_names == ["anger", "happiness"]  # sorted: key order is lost
    assert mapped.relabel(
        {"happiness": "happiness", "anger": "anger"}
    ).labels.tolist() == (mapped.labels.tolist())
    assert mapped.labels.tolist() == [0, 1, 0, 1]  # calm dropped
    assert mapped.file_names.tolist() == ["f0", "f1", "f3", "f4"]
    with pytest.raises(ValueError, match="not emotions"):
        _corpus().relabel({"sad": "sadness"})


def test_corpus_configs_one_per_named_corpus():
    one = ml_collections.ConfigDict(
        {"corpus": "ravdess", "data_dir": "/d", "manual_dir": "/m"}
    )
    assert input_pipeline.corpus_configs(one) == [one]  # manual_dir kept
    two = ml_collections.ConfigDict(
        {"corpus": "ravdess+emodb", "data_dir": "/d", "manual_dir": ""}
    )
    assert [c.to_dict() for c in input_pipeline.corpus_configs(two)] == [
        {"corpus": "ravdess", "data_dir": "/d"},
        {"corpus": "emodb", "data_dir": "/d"},
    ]
