"""The fold the end-to-end tests train on: synthetic/tiny, fold 0 of 4 speaker groups."""

import ml_collections


def on_tiny_fold(
    config: ml_collections.ConfigDict, data_dir: str
) -> ml_collections.ConfigDict:
    """Points `config` at synthetic/tiny in `data_dir`: 4 speaker groups (2 speakers
    each), 1 validation speaker, fold 0 only."""
    config.dataset.data_dir = data_dir
    config.protocol.num_groups = 4
    config.protocol.num_val_speakers = 1
    config.fold = 0
    return config
