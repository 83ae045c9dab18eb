"""Keesing et al.'s Aldeneh model: parallel 1-D convolutions over log-mel frames.

    python -m ser_jax.main --config=configs/aldeneh.py:corpus=ravdess --workdir=runs/aldeneh

Arguments: `corpus`, `protocol` (as `configs/cnn_lstm.py`; `auto` is
Keesing's protocol: leave one speaker out up to 12 speakers, 6 random
gender-mixed speaker groups above), `mels` (40 or 240 bands) and `length`
(`variable`: whole utterances; `fixed`: the first 5 s). Keesing's three
variants: A1 `mels=40,length=variable`, A2 `mels=240,length=variable` (the
default), A3 `mels=240,length=fixed` (RAVDESS UAR 32.5, 39.5, 60.0 %).

Front-end: log-mel band energies, 25 ms Hamming windows every 10 ms (FFT 512
for 40 bands, 1024 for 240, so no band is empty). Variable length: Keesing
padded each utterance to the next multiple of 64 frames; here utterances
are kept whole up to 8 s (longer ones become equal sub-utterances whose
posteriors are averaged), padded to 8 s, and the model masks the padding.
Model: four convolutions over time of widths 8, 16, 32, 64 (384 filters
each), ReLU, max over valid frames, concatenated, dense 1024 x 2, class
scores: 4.48 M parameters on 40 bands, 13.69 M on 240 (Keesing: 4.4-13.7 M).

Training as Keesing (shared by `latif.py`, `zhang.py`, `zhao.py`): Adam at
1e-4, no weight decay, 50 epochs, batch 32 (Aldeneh, Latif), 64 (Zhao), 16
(Zhang); cross-entropy weighted inversely to class size. Differences: a
1-epoch warm-up and cosine decay (the trainer's schedule) where Keesing kept
the rate constant, one run per fold rather than the mean of three, and
features standardised per example inside the model (`input_norm=utterance`)
rather than per speaker with the test speakers' own statistics; Keesing's
transductive scheme is `--config.feature_standardization=per_speaker_transductive
--config.model.input_norm=none`.
"""

import ml_collections

from configs import cnn_lstm, common


def keesing_config(
    arg: str | None, model_name: str, **extra_args
) -> tuple[ml_collections.ConfigDict, dict]:
    """Protocol and training shared by Keesing et al.'s four models; also the args."""
    args = common.parse(arg, **common.DATA_ARGS, **extra_args)
    config = cnn_lstm.get_config(f"corpus={args['corpus']},protocol={args['protocol']}")
    config.model = ml_collections.ConfigDict()
    config.model.name = model_name
    config.num_epochs = 50
    config.batch_size = 32
    config.learning_rate = 1e-4
    config.weight_decay = 0.0
    config.segmentation = "clip"  # the first 5 s
    config.max_segment_seconds = 5.0
    return config, args


def log_mel(num_mels: int) -> ml_collections.ConfigDict:
    """Keesing's log-mels: 25 ms Hamming windows every 10 ms."""
    frontend = ml_collections.ConfigDict()
    frontend.name = "log_mel"
    frontend.num_mels = num_mels
    frontend.window_ms = 25.0
    frontend.hop_ms = 10.0
    frontend.n_fft = 512 if num_mels <= 128 else 1024
    frontend.window = "hamming"
    frontend.harmonic_filter = False  # Satt's harmonic filter (frontends/harmonic.py)
    return frontend


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config, args = keesing_config(arg, "aldeneh", mels=240, length="variable")
    if args["mels"] not in (40, 240) or args["length"] not in ("variable", "fixed"):
        raise ValueError("aldeneh takes mels=40|240 and length=variable|fixed")
    if args["length"] == "variable":
        config.segmentation = "equal"
        config.max_segment_seconds = 8.0
    config.frontend = log_mel(args["mels"])
    config.model.conv_widths = (8, 16, 32, 64)
    config.model.conv_features = 384
    config.model.dense_units = (1024, 1024)
    config.model.dropout_rate = 0.0
    config.model.input_norm = "utterance"
    return config
