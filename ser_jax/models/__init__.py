"""Model registry: config name -> Flax NNX module."""

from __future__ import annotations

import ml_collections
from flax import nnx

from ser_jax.models.satt import SattCnnLstm

MODELS = {"satt_cnn_lstm": SattCnnLstm}


def create_model(
    config: ml_collections.ConfigDict,
    input_shape: tuple[int, ...],
    num_classes: int,
    rngs: nnx.Rngs,
) -> nnx.Module:
    """Instantiates `config.name` with the remaining config fields as keywords."""
    if config.name not in MODELS:
        raise ValueError(f"Unknown model {config.name!r}; known: {sorted(MODELS)}")
    kwargs = {k: v for k, v in config.to_dict().items() if k != "name"}
    return MODELS[config.name](input_shape, num_classes, rngs=rngs, **kwargs)
