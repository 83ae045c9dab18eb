"""Satt et al. (2017) 3-conv + BiLSTM on their linear spectrogram (10 Hz grid).

    python -m ser_jax.main --config=configs/cnn_lstm.py:corpus=ravdess --workdir=runs/ravdess

Arguments: `corpus` and `protocol` (see `configs/common.py`). Every field can be
overridden on the command line, e.g. `--config.model.lstm_units=64
--config.frontend.grid_hz=20 --config.fold=0`.

Choices the paper leaves open: Adam with decoupled weight decay, warm-up and
cosine decay (lr 1e-3, 30 epochs, batch 32); dropout 0.5; the utterance summary
is the last hidden state of each LSTM direction; the noise floor is -80 dB
(relative to a full-scale window); at the 10 Hz grid the kernels of the paper's
20 Hz example are kept. Validation: 2 training speakers (one of each sex) per
fold pick the best epoch; the test speakers are never seen before testing.
"""

import ml_collections

from configs import common


def get_config(arg: str | None = None) -> ml_collections.ConfigDict:
    args = common.parse(arg, **common.DATA_ARGS)
    config = ml_collections.ConfigDict()
    config.seed = 0
    common.data_and_protocol(config, args)

    config.max_segment_seconds = 3.0  # longer utterances -> equal sub-utterances
    config.segmentation = "equal"  # equal | chunks (fixed, Anand) | clip (first N s)
    # Length buckets: N > 0 pads each batch only to the smallest of N equal
    # steps up to max_segment_seconds that holds its longest segment, and
    # batches segments of one bucket together (ser_jax/data/batches.py).
    # 0 (off): every batch is max_segment_seconds wide, as in runs made before
    # it, which resume exactly only so.
    config.length_buckets = 0
    # none | train_speakers | per_speaker_transductive
    # (see ser_jax/frontends/standardization.py);
    # Satt's spectrogram is already scaled per utterance.
    config.feature_standardization = "none"
    config.frontend = ml_collections.ConfigDict()
    config.frontend.name = "satt_spectrogram"
    config.frontend.window_ms = 40.0
    config.frontend.hop_ms = 10.0
    config.frontend.grid_hz = 10.0
    config.frontend.max_freq_hz = 4000.0
    config.frontend.noise_floor_db = -80.0
    # Satt's noise-robust input (frontends/harmonic.py); off as in the main results.
    config.frontend.harmonic_filter = False

    config.model = ml_collections.ConfigDict()
    config.model.name = "satt_cnn_lstm"
    config.model.conv_features = (16, 24, 32)
    config.model.conv_kernels = ((16, 12), (12, 8), (7, 5))
    config.model.lstm_units = 128
    config.model.dense_units = 64
    config.model.dropout_rate = 0.5
    config.model.pooling = "last"

    # Multi-task (Neumann): weights a, b > 0 add activation / valence heads and
    # the loss (1 - a - b) J_emotion + a J_activation + b J_valence, the
    # auxiliary classes derived from the emotion (ser_jax/data/emotions.py).
    config.tasks = ml_collections.ConfigDict()
    config.tasks.activation = 0.0
    config.tasks.valence = 0.0
    # Where the auxiliary classes come from: "" the emotion's category (the
    # table above), "annotated" the corpus's ratings where it has them
    # (IEMOCAP, MSP-IMPROV; binned in ser_jax/data/emotions.py), the table
    # elsewhere. Each fold's record counts both (`task_targets`).
    config.task_targets = ""
    # Augmented copies of each training segment per epoch, transformed on the
    # device (ser_jax/frontends/augmentation.py); empty ranges are off.
    config.augmentation = ml_collections.ConfigDict()
    config.augmentation.copies = 0
    config.augmentation.white_noise_snr_db = ()  # e.g. (15.0, 30.0), Sundharam
    config.augmentation.pitch_semitones = ()  # e.g. (-2.0, 2.0), Anand R7
    config.augmentation.time_scale = ()  # e.g. (0.9, 1.1), Anand R7
    # Noise copies (ser_jax/noise): a noise or set, e.g. "generated", at an SNR
    # drawn from noise_snr_db, e.g. (0.0, 20.0); "" is off.
    config.augmentation.noise = ""
    config.augmentation.noise_snr_db = ()
    # A noisy test (ser_jax/noise): the test audio mixed with one noise
    # ("white", "babble", "musan_music", ...) at snr_db; "" is a clean test.
    config.evaluation = ml_collections.ConfigDict()
    config.evaluation.noise = ""
    config.evaluation.snr_db = 0.0

    config.num_epochs = 30
    config.batch_size = 32
    config.eval_batch_size = 64
    config.learning_rate = 1e-3
    config.weight_decay = 1e-4
    config.warmup_epochs = 1
    config.grad_clip_norm = 5.0
    # Class imbalance: "weights" (loss weights inversely proportional to class
    # size), "oversample" (every class drawn as often as the largest), "none".
    config.class_balance = "weights"
    # The validation metric that picks the best epoch: "" or "uar" (validation
    # UAR), or "wa" (Satt et al. optimised WA; optimising UA cost them WA).
    config.select_by = ""
    config.num_devices = 0  # 0: all local devices
    config.log_every_steps = 10
    return config
