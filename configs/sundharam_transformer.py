"""Sundharam & Johari's Transformer encoder on mel spectrograms (their best model).

    python -m ser_jax.main --config=configs/sundharam_transformer.py:corpus=ravdess,features=mel --workdir=runs/sundharam_transformer

Arguments, data, front-end and training as `configs/sundharam_cnn1d.py`
(`features=mfcc|mel`, `gender=all|female|male`); the report's Transformer
reached 74 / 76 % (male / female) on mel spectrograms and 19 % on MFCCs,
on random, not speaker-independent splits. The report gives no sizes.
Choices: frames projected to 64 dimensions plus sine/cosine positions, four
pre-LayerNorm encoder layers (4 heads, feed-forward 256, dropout 0.1),
self-attention over valid frames only, the mean over valid frames, layer
norm, the class scores; 200 epochs with a 10-epoch warm-up.
"""

import ml_collections

from configs.sundharam_cnn1d import sundharam_config


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = sundharam_config(arg, "sundharam_transformer")
    config.model.model_dim = 64
    config.model.num_heads = 4
    config.model.num_layers = 4
    config.model.ffn_units = 256
    config.model.dropout_rate = 0.1
    config.num_epochs = 200
    config.warmup_epochs = 10
    return config
