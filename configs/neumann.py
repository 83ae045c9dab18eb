"""Neumann's one-convolution, one-pooling CNN, multi-task (emotion, activation, valence).

    python -m ser_jax.main --config=configs/neumann.py:corpus=ravdess --workdir=runs/neumann

Arguments: `corpus`, `protocol` (as `configs/cnn_lstm.py`), `features`
(`logmel`: 26 log-mel bands; `mfcc`: 13 MFCCs of them) and `tasks` (`multi`:
the talk's multi-task loss; `single`: emotion only). The talk compared
log-mel, MFCC and eGeMAPS inputs (IEMOCAP, 4 classes, accuracy single /
multi-task: 56.01 / 57.26, 56.07 / 56.13, 55.71 / 56.73); eGeMAPS frame-level
descriptors are not a JAX front-end here (`configs/svm_egemaps.py` uses the
functionals).

Loss: J = (1 - a - b) J_emotion + a J_activation + b J_valence with
a = b = 0.1 (the talk names the form, not the weights). Where the corpus has
no dimensional labels (RAVDESS, EMO-DB, synthetic) the activation (low /
medium / high) and valence (negative / neutral / positive) classes come from
the emotion category through the table in `ser_jax/dimensions.py`; the class
weights of the emotion weigh every task.

Model (`models.neumann.NeumannCnn`): convolutions of widths 10 and 20 frames
spanning all features, 100 filters each, ReLU, max over the valid frames,
dropout 0.5, linear heads. Input: 25 ms Hamming windows every 10 ms (FFT
512), the first 7.5 s of each utterance as Neumann & Vu (2017) (every RAVDESS
and EMO-DB file is shorter), features standardised per utterance inside the
model. Training: Adam (decoupled weight decay 1e-4) at 1e-3 with warm-up and
cosine decay, batch 32, 30 epochs.
"""

import ml_collections

from configs import cnn_lstm, common

TASK_WEIGHTS = {"multi": (0.1, 0.1), "single": (0.0, 0.0)}


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    args = common.parse(
        arg, corpus="synthetic", protocol="auto", features="logmel", tasks="multi"
    )
    if args["features"] not in ("logmel", "mfcc") or args["tasks"] not in TASK_WEIGHTS:
        raise ValueError("neumann takes features=logmel|mfcc and tasks=multi|single")
    config = cnn_lstm.get_config(f"corpus={args['corpus']},protocol={args['protocol']}")
    config.segmentation = "clip"
    config.max_segment_seconds = 7.5

    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "log_mel" if args["features"] == "logmel" else "mfcc"
    config.frontend.num_mels = 26
    config.frontend.window_ms = 25.0
    config.frontend.hop_ms = 10.0
    config.frontend.n_fft = 512
    config.frontend.window = "hamming"
    config.frontend.harmonic_filter = False  # Satt's (frontends/harmonic.py)
    if args["features"] == "mfcc":
        config.frontend.num_mfcc = 13

    config.model = ml_collections.ConfigDict()
    config.model.name = "neumann_cnn"
    config.model.kernel_widths = (10, 20)
    config.model.num_filters = 100
    config.model.dropout_rate = 0.5
    config.model.input_norm = "utterance"

    config.tasks.activation, config.tasks.valence = TASK_WEIGHTS[args["tasks"]]
    config.num_epochs = 30
    config.batch_size = 32
    config.learning_rate = 1e-3
    return config
