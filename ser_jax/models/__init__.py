"""Model registry: config name -> Flax NNX module.

Every model takes `(input_shape, num_classes, *, rngs, **config fields)`,
is called as `model(features, lengths, dropout_key=...)`, and ends in a
linear layer named `classifier`; multi-task training swaps that layer for
`layers.TaskHeads`, so any model can learn auxiliary targets.
"""

from __future__ import annotations

from collections.abc import Mapping

import ml_collections
from flax import nnx

from ser_jax.models.anand import AnandCnn, AnandCnnLstm, AnandLstm
from ser_jax.models.keesing import Aldeneh, Latif, Zhang, Zhao
from ser_jax.models.layers import TaskHeads
from ser_jax.models.neumann import NeumannCnn
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
    "anand_lstm": AnandLstm,
    "anand_cnn_lstm": AnandCnnLstm,
    # Sundharam & Johari
    "sundharam_cnn1d": SundharamCnn1d,
    "sundharam_bilstm": SundharamBiLstm,
    "sundharam_transformer": SundharamTransformer,
    # Keesing, Watson & Witbrock (2021)
    "aldeneh": Aldeneh,
    "latif": Latif,
    "zhang": Zhang,
    "zhao": Zhao,
    # Neumann (2016)
    "neumann_cnn": NeumannCnn,
}

# Models renamed since runs were made (old name -> name): configs and workdirs
# that name the old one still build (and resume) the model.
RENAMED_MODELS = {"anand_chunk_lstm": "anand_cnn_lstm"}


def create_model(
    config: ml_collections.ConfigDict,
    input_shape: tuple[int, ...],
    num_classes: int,
    rngs: nnx.Rngs,
    auxiliary_classes: Mapping[str, int] | None = None,
) -> nnx.Module:
    """Instantiates `config.name` with the remaining config fields as keywords.

    With `auxiliary_classes` (`{"activation": 3, ...}`) the model returns
    `{"emotion": logits, task: logits, ...}` instead of the emotion logits.
    """
    name = RENAMED_MODELS.get(config.name, config.name)
    if name not in MODELS:
        raise ValueError(f"Unknown model {config.name!r}; known: {sorted(MODELS)}")
    kwargs = {k: v for k, v in config.to_dict().items() if k != "name"}
    model = MODELS[name](input_shape, num_classes, rngs=rngs, **kwargs)
    if auxiliary_classes:
        if "emotion" in auxiliary_classes:
            raise ValueError("'emotion' is the main task, not an auxiliary one")
        model.classifier = TaskHeads(
            model.classifier.in_features,
            {"emotion": num_classes, **auxiliary_classes},
            rngs=rngs,
        )
    return model
