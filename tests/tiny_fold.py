"""The fold the end-to-end tests train on: synthetic/tiny, the quickstart's small fold."""

import ml_collections

from configs import common


def on_tiny_fold(
    config: ml_collections.ConfigDict, data_dir: str
) -> ml_collections.ConfigDict:
    """Points `config` at synthetic/tiny in `data_dir`, on fold 0 of 4 speaker
    groups with 1 validation speaker (`configs.common.small_fold`)."""
    config.dataset.data_dir = data_dir
    return common.small_fold(config)
