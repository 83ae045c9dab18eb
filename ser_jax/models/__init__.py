"""Model registry: config name -> Flax NNX module."""

from __future__ import annotations

import ml_collections
from flax import nnx

from ser_jax.models.anand import AnandChunkLstm, AnandCnn
from ser_jax.models.keesing import Aldeneh, Latif, Zhang, Zhao
from ser_jax.models.satt import SattCnn, SattCnnLstm
from ser_jax.models.sundharam import (
    SundharamBiLstm,
    SundharamCnn1d,
    SundharamTransformer,
)

MODELS = {
    # Satt, Rozenberg & Hoory (2017)
    "satt_cnn_lstm": SattCnnLstm,
    "satt_cnn": SattCnn,
    # Anand & Verma
    "anand_cnn": AnandCnn,
    "anand_chunk_lstm": AnandChunkLstm,
    # Sundharam & Johari
    "sundharam_cnn1d": SundharamCnn1d,
    "sundharam_bilstm": SundharamBiLstm,
    "sundharam_transformer": SundharamTransformer,
    # Keesing, Watson & Witbrock (2021)
    "aldeneh": Aldeneh,
    "latif": Latif,
    "zhang": Zhang,
    "zhao": Zhao,
}


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
