"""Trains and evaluates a configured SER model under a speaker-independent protocol.

python -m ser_jax.main --config=configs/cnn_lstm.py:corpus=ravdess --workdir=runs/demo
"""

import jax
import tensorflow as tf
from absl import app, flags, logging
from ml_collections import config_flags

from ser_jax import experiment, reporting, train

FLAGS = flags.FLAGS
flags.DEFINE_string(
    "workdir", None, "Directory for checkpoints, logs and results.json."
)
config_flags.DEFINE_config_file(
    "config", None, "Experiment config file.", lock_config=True
)
flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
    if len(argv) > 1:
        raise app.UsageError("Too many command-line arguments.")
    train.quiet_library_logs()
    # TFDS reads the data; keep TensorFlow off the accelerators JAX uses.
    tf.config.experimental.set_visible_devices([], "GPU")
    logging.info(
        "JAX process %d/%d, local devices: %s",
        jax.process_index(),
        jax.process_count(),
        jax.local_devices(),
    )
    method = FLAGS.config.get("method", "neural")
    if method not in experiment.METHODS:
        raise app.UsageError(
            f"config.method must be one of {experiment.METHODS}, got {method!r}"
        )
    results = experiment.run_method(FLAGS.config, FLAGS.workdir)
    print(reporting.format_summary(results))
    print(f"Results: {FLAGS.workdir}/results.json")


if __name__ == "__main__":
    app.run(main)
