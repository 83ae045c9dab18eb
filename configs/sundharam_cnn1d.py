"""Sundharam & Johari's baseline 1-D CNN on MFCCs (or mel spectrograms).

    python -m ser_jax.main --config=configs/sundharam_cnn1d.py:corpus=ravdess --workdir=runs/sundharam_cnn1d

Arguments: `corpus`, `protocol` (as `configs/cnn_lstm.py`), `features`
(`mfcc`, the report's CNN input, or `mel`), `gender` (`all`, or `female` /
`male` for the report's separate per-sex models), `db` (`True`: mel energies
in dB as the report's librosa features, `librosa.power_to_db` with its 80 dB
floor below each clip's loudest value, so MFCCs are `librosa.feature.mfcc`'s;
`False`, the default, natural log as before) and `fft` (`samples`, the
default: FFT 1024 / hop 256 samples at the corpus's rate, 64 / 16 ms at
16 kHz; `paper_ms`: the 21.3 / 5.3 ms those samples span at RAVDESS's native
48 kHz, at any rate, FFT the smallest power of two holding the window, 512 at
16 kHz; the mel bands still end at the corpus's Nyquist, 8 kHz at 16 kHz
against 24 kHz at 48 kHz). `configs/sundharam_bilstm.py`
and `configs/sundharam_transformer.py` share everything here but the model.

Input: the first 3 s of each utterance, zero-padded (`segmentation="clip"`);
FFT 1024 and hop 256 as the report; a Hann window and 128 mel bands
(librosa's defaults; the report names neither); 13 MFCCs (orthonormal DCT-II
of the log-mels). At our 16 kHz that is a 64 ms window every 16 ms,
184 frames; the report's RAVDESS files were 48 kHz and it does not say at
which rate it computed features. Features at the native rate: build
`ravdess_48k` (RAVDESS kept at 48 kHz: `tfds build data_builders/ravdess_48k
--manual_dir=PATH`, then `corpus=ravdess_48k`), where `fft=samples` is the
report's 21.3 / 5.3 ms; it needs the release's 48 kHz files (a copy already
at 16 kHz is upsampled, warned about, and has no band above 8 kHz). On the
16 kHz build `fft=paper_ms` gives the same window and hop in time. Each feature column is standardised over
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
Split: `protocol` (LOSGO with 6 groups on RAVDESS by default); the report's
random 8:1:1 split per sex is `protocol=random_utterances`, speaker dependent
and reported apart (`ser_jax.data.protocols`).
"""

import ml_collections

from configs import cnn_lstm, common

GENDERS = {"all": (), "female": ("female",), "male": ("male",)}
FFT = ("samples", "paper_ms")


def sundharam_config(arg: str | None, model_name: str) -> ml_collections.ConfigDict:
    """Data, front-end and training shared by the three Sundharam & Johari models."""
    args = common.parse(
        arg,
        corpus="synthetic",
        protocol="auto",
        features="mfcc",
        gender="all",
        db=False,
        fft="samples",
    )
    if args["features"] not in ("mfcc", "mel"):
        raise ValueError(f"features must be mfcc or mel, got {args['features']!r}")
    if args["gender"] not in GENDERS:
        raise ValueError(f"gender must be one of {sorted(GENDERS)}")
    if args["fft"] not in FFT or args["db"] not in (True, False):
        raise ValueError(
            f"fft must be one of {FFT} and db True or False, got {args['fft']!r},"
            f" {args['db']!r}"
        )
    config = cnn_lstm.get_config(f"corpus={args['corpus']},protocol={args['protocol']}")
    config.dataset.genders = GENDERS[args["gender"]]
    config.max_segment_seconds = 3.0
    config.segmentation = "clip"
    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "mfcc" if args["features"] == "mfcc" else "log_mel"
    config.frontend.n_fft = 1024
    config.frontend.window_length = 1024
    config.frontend.hop_length = 256
    if args["fft"] == "paper_ms":  # 1024 and 256 samples at 48 kHz, in ms
        config.frontend.n_fft = 0  # the smallest power of two holding the window
        config.frontend.window_length = config.frontend.hop_length = 0
        config.frontend.window_ms = 1000 * 1024 / 48000
        config.frontend.hop_ms = 1000 * 256 / 48000
    config.frontend.window = "hann"
    config.frontend.num_mels = 128
    config.frontend.harmonic_filter = False  # Satt's (frontends/harmonic.py)
    if args["features"] == "mfcc":
        config.frontend.num_mfcc = 13
    if args["db"]:
        config.frontend.power_db = True
        config.frontend.top_db = 80.0

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
