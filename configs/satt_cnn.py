"""Satt et al. (2017) conv-only model: 5 conv + max-pool blocks on their 10 Hz spectrogram.

    python -m ser_jax.main --config=configs/satt_cnn.py:corpus=ravdess --workdir=runs/satt_cnn

Arguments as `configs/cnn_lstm.py` (`corpus`, `protocol`); the 20 Hz grid is
`--config.frontend.grid_hz=20`. The paper's best conv-only depth is 5 layers
(66.1 % WA / 56.6 % UA on IEMOCAP at 10 Hz) but it gives neither their widths
nor kernels nor how the conv map becomes an utterance vector. Choices: the
CNN-LSTM's three layers (16 12x16, 24 8x12, 32 5x7 filters, kernels kept at
10 Hz as in `cnn_lstm.py`) followed by 48 5x5 and 64 3x3, 2x2 max-pool after
each; the mean over valid time steps of each step's flattened frequency x
channel map (`--config.model.pooling=max` for the maximum); dense 64, dropout
0.5. Front-end, segmentation (3 s sub-utterances) and training as
`configs/cnn_lstm.py`.
"""

import ml_collections

from configs import cnn_lstm


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = cnn_lstm.get_config(arg)
    config.model = ml_collections.ConfigDict()
    config.model.name = "satt_cnn"
    config.model.conv_features = (16, 24, 32, 48, 64)
    config.model.conv_kernels = ((16, 12), (12, 8), (7, 5), (5, 5), (3, 3))
    config.model.dense_units = 64
    config.model.dropout_rate = 0.5
    config.model.pooling = "mean"
    return config
