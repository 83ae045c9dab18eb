"""A CPU-sized Satt CNN-LSTM on the built-in synthetic corpus: the README's first command.

    python -m ser_jax.main --config=configs/quickstart.py --workdir=runs/quickstart

A labelled smaller variant of `configs/cnn_lstm.py` so it finishes in minutes on
two CPU cores: the 20 Hz grid (200 bins, the paper's own example), narrower
convs (8, 8, 16) and LSTM (32 per direction), 6 epochs at lr 2e-3, 6 length
buckets (the synthetic clips last 1-4 s: each batch is padded to 0.5, 1, ..., 3 s
rather than always to 3 s, 1.8x fewer steps' worth of compute after the
first epoch), and one fold (fold 0 of 4 speaker groups: 2 test speakers, 1
validation speaker, 5 training speakers).
`--config.fold=-1` runs all 4 folds.
"""

import ml_collections

from configs import cnn_lstm, common


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = common.small_fold(cnn_lstm.get_config(arg))
    config.frontend.grid_hz = 20.0
    config.model.conv_features = (8, 8, 16)
    config.model.lstm_units = 32
    config.model.dense_units = 32
    config.model.dropout_rate = 0.3
    config.num_epochs = 6
    config.learning_rate = 2e-3
    config.length_buckets = 6
    return config
