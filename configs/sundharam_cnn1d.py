"""Sundharam & Johari's baseline 1-D CNN on MFCCs (or mel spectrograms).

    python -m ser_jax.main --config=configs/sundharam_cnn1d.py:corpus=ravdess --workdir=runs/sundharam_cnn1d

Arguments: `corpus`, `protocol` (as `configs/cnn_lstm.py`), `features`
(`mfcc`, the report's CNN input, or `mel`), `gender` (`all`, or `female` /
`male` for the report's separate per-sex models). `configs/sundharam_bilstm.py`
and `configs/sundharam_transformer.py` share everything here but the model.

Input: the first 3 s of each utterance, zero-padded (`segmentation="clip"`);
FFT 1024 and hop 256 as the report; a Hann window and 128 mel bands
(librosa's defaults; the report names neither); 13 MFCCs (orthonormal DCT-II
of the log-mels). At our 16 kHz that is a 64 ms window every 16 ms,
184 frames; the report's RAVDESS files were 48 kHz and it does not say at
which rate it computed features. Each feature column is standardised over
the example's valid frames inside the model (`input_norm="utterance"`).
Model: blocks of conv1d + batch norm + ReLU with dropout between (the
report's description); the widths (64, 128, 256), kernel 5, max-pool 2 and
dropout 0.3 are choices, then the mean over valid frames and the class
scores. Training as the report: Adam at 1e-3, weight decay 1e-4
(decoupled), batch 150, 500 epochs for the CNN; cross-entropy with class
weights inversely proportional to class size. Augmentation as the report:
two noisy copies of every training file, white Gaussian noise at an SNR drawn
from 15-30 dB (`ser_jax/augmentation.py`; drawn afresh every epoch where the
report made its copies once; `--config.augmentation.copies=0` turns it off).
Not reproduced: the report's random 8:1:1 split (not speaker independent;
here `protocol`, LOSGO with 6 groups on RAVDESS).
"""

import ml_collections

from configs import cnn_lstm, common

GENDERS = {"all": (), "female": ("female",), "male": ("male",)}


def sundharam_config(arg: str | None, model_name: str) -> ml_collections.ConfigDict:
    """Data, front-end and training shared by the three Sundharam & Johari models."""
    args = common.parse(
        arg, corpus="synthetic", protocol="auto", features="mfcc", gender="all"
    )
    if args["features"] not in ("mfcc", "mel"):
        raise ValueError(f"features must be mfcc or mel, got {args['features']!r}")
    if args["gender"] not in GENDERS:
        raise ValueError(f"gender must be one of {sorted(GENDERS)}")
    config = cnn_lstm.get_config(f"corpus={args['corpus']},protocol={args['protocol']}")
    config.dataset.genders = GENDERS[args["gender"]]
    config.max_segment_seconds = 3.0
    config.segmentation = "clip"
    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "mfcc" if args["features"] == "mfcc" else "log_mel"
    config.frontend.n_fft = 1024
    config.frontend.window_length = 1024
    config.frontend.hop_length = 256
    config.frontend.window = "hann"
    config.frontend.num_mels = 128
    config.frontend.harmonic_filter = False  # Satt's (frontends/harmonic.py)
    if args["features"] == "mfcc":
        config.frontend.num_mfcc = 13

    config.model = ml_collections.ConfigDict()
    config.model.name = model_name
    config.model.input_norm = "utterance"

    config.num_epochs = 500
    config.batch_size = 150
    config.eval_batch_size = 150
    config.learning_rate = 1e-3
    config.weight_decay = 1e-4
    config.augmentation.copies = 2
    config.augmentation.white_noise_snr_db = (15.0, 30.0)
    return config


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    config = sundharam_config(arg, "sundharam_cnn1d")
    config.model.conv_features = (64, 128, 256)
    config.model.kernel_size = 5
    config.model.pool_size = 2
    config.model.dropout_rate = 0.3
    return config
