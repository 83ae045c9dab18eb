"""Anand & Verma ("Convoluting Feelings") R1 chunk CNN on 64 x 64 x 2 spectrogram chunks.

    python -m ser_jax.main --config=configs/anand_r1.py:corpus=emodb --workdir=runs/anand_r1

Arguments as `configs/cnn_lstm.py` (`corpus`, `protocol`). Another of the
report's CNNs: `--config.model.variant=S2` (S1-S4: square 5x5 filters, R1-R6:
filters spanning all 64 frequency bins; R6 = R1 + dropout + leaky ReLU).

Input: every utterance cut into non-overlapping 512 ms chunks
(`segmentation="chunks"`, the remainder dropped, each chunk with the
utterance's label), each chunk a two-channel log-magnitude spectrogram (40 ms
and 5 ms Hann windows, 2 ms hop, FFT 2048, 1-2000 Hz) resized to 64 x 64 x 2
with its mean subtracted (`frontends.AnandSpectrogram`). R1: 1024 filters
spanning the frequency axis x 5 frames, ReLU, max-pool, affine 64, ReLU,
affine to the classes (2.75 M parameters for 7 classes). The utterance
decision is the mean of its chunks' posteriors, the report's "R1 ensemble
over time" (39.2 % against 39.7 % per chunk, on EMO-DB / SAVEE / eNTERFACE,
not speaker independent); the segment-level metrics are the per-chunk ones.

Choices the report leaves open: Adam (decoupled weight decay 1e-4) at 5e-4
with warm-up and cosine decay, batch 64, 40 epochs (it searched
hyper-parameters for 10 epochs and trained the best models for 400), class
weights inversely proportional to class size, "SAME" convolutions in time and
2x2 (2x1 after a full-height filter) max-pooling; no hand-built features.
"""

import ml_collections

from configs import cnn_lstm


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = cnn_lstm.get_config(arg)
    config.max_segment_seconds = 0.512
    config.segmentation = "chunks"
    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "anand_spectrogram"
    config.frontend.n_fft = 2048
    config.frontend.long_window_ms = 40.0
    config.frontend.short_window_ms = 5.0
    config.frontend.hop_ms = 2.0
    config.frontend.min_freq_hz = 1.0
    config.frontend.max_freq_hz = 2000.0

    config.model = ml_collections.ConfigDict()
    config.model.name = "anand_cnn"
    config.model.variant = "R1"
    # None: the variant's own value (hidden 64, 128 for S4; dropout 0.5 and
    # leaky ReLU for R6 only).
    config.model.hidden_units = ml_collections.config_dict.placeholder(int)
    config.model.dropout_rate = ml_collections.config_dict.placeholder(float)
    config.model.leaky_relu = ml_collections.config_dict.placeholder(bool)

    config.num_epochs = 40
    config.batch_size = 64
    config.learning_rate = 5e-4
    return config
