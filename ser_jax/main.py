"""Trains and evaluates a configured SER model under a speaker-independent protocol.

python -m ser_jax.main --config=configs/cnn_lstm.py:corpus=ravdess --workdir=runs/demo
"""

from absl import app, flags
from ml_collections import config_flags

from ser_jax import methods, results, runtime

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
    runtime.setup_process()
    try:
        method = methods.of(FLAGS.config)
    except ValueError as e:
        raise app.UsageError(str(e)) from e
    out = method.train_and_evaluate(FLAGS.config, FLAGS.workdir)
    print(results.format_summary(out))
    print(f"Results: {FLAGS.workdir}/results.json")


if __name__ == "__main__":
    app.run(main)
