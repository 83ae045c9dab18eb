"""TFDS corpora into memory (`ser_jax.data.load`)."""

import ml_collections

from ser_jax.data import load as data_load


def test_corpus_configs_one_per_named_corpus():
    one = ml_collections.ConfigDict(
        {"corpus": "ravdess", "data_dir": "/d", "manual_dir": "/m"}
    )
    assert data_load.corpus_configs(one) == [one]  # manual_dir kept
    two = ml_collections.ConfigDict(
        {"corpus": "ravdess+emodb", "data_dir": "/d", "manual_dir": ""}
    )
    assert [c.to_dict() for c in data_load.corpus_configs(two)] == [
        {"corpus": "ravdess", "data_dir": "/d"},
        {"corpus": "emodb", "data_dir": "/d"},
    ]
