"""Sundharam & Johari's bidirectional LSTM on mel spectrograms (or MFCCs).

    python -m ser_jax.main --config=configs/sundharam_bilstm.py:corpus=ravdess,features=mel --workdir=runs/sundharam_bilstm

Arguments, data, front-end and training as `configs/sundharam_cnn1d.py`
(`features=mfcc|mel`, `gender=all|female|male`); the report's LSTM did
better on mel (60 / 44 % male / female) than on MFCC (36 / 29 %), so run
both. The report names the model type only. Choices: two BiLSTM layers of
128 per direction over the valid frames, dropout 0.3 between layers and
before the output, the mean of the last layer's outputs over valid frames
(`--config.model.pooling=last` for the final states), 200 epochs.
"""

import ml_collections

from configs.sundharam_cnn1d import sundharam_config


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = sundharam_config(arg, "sundharam_bilstm")
    config.model.lstm_units = 128
    config.model.num_layers = 2
    config.model.dropout_rate = 0.3
    config.model.pooling = "mean"
    config.num_epochs = 200
    return config
