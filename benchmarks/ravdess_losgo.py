"""RAVDESS 6-group LOSGO with a configured model; writes its row into BENCHMARKS.md.

    python benchmarks/ravdess_losgo.py \
        --config=configs/cnn_lstm.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/bench/cnn_lstm --label="Satt CNN-LSTM, 10 Hz (paper size)"

Builds RAVDESS from --manual_dir if it is not built yet. Training resumes from
the workdir's checkpoints, so a killed benchmark can simply be run again; the
wall time written is the sum over folds of each fold's time in the invocation
that finished it (training from its last checkpoint, and testing).
"""

import sys
import time
from pathlib import Path

from absl import app, flags
from ml_collections import config_flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks_md  # noqa: E402

from ser_jax import methods, runtime  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS
config_flags.DEFINE_config_file("config", None, "Experiment config.", lock_config=False)
flags.DEFINE_string("workdir", None, "Run directory (resumable).")
flags.DEFINE_string("label", None, "Row label in BENCHMARKS.md.")
flags.DEFINE_string(
    "manual_dir",
    str(ROOT.parent / "shared" / "corpora" / "ravdess"),
    "RAVDESS audio, used if the corpus is not built yet.",
)
flags.DEFINE_string("benchmarks_md", str(ROOT / "BENCHMARKS.md"), "File to update.")
flags.mark_flags_as_required(["config", "workdir", "label"])

TABLE_HEADER = (
    "| run | model / front-end | protocol | folds | pooled UAR | pooled WA | "
    "UAR mean ± std | epochs | wall time | machine | date |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n"
)
SECTION = "## RAVDESS, 6-group LOSGO (benchmarks/ravdess_losgo.py)"


def main(argv):
    del argv
    runtime.quiet_library_logs()
    config = FLAGS.config
    if not config.dataset.manual_dir:
        config.dataset.manual_dir = FLAGS.manual_dir
    start = time.time()
    results = methods.run(config, FLAGS.workdir)  # neural or two_step
    wall = time.time() - start
    fold_seconds = [f.get("seconds") for f in results["folds"]]
    if all(s is not None for s in fold_seconds):  # summed over resumed invocations
        wall = sum(fold_seconds)
    summary = results["summary"]["utterance"]
    proto = results["protocol"]
    epochs = config.num_epochs
    row = (
        f"| {FLAGS.label} | {methods.of(config).describe(results)} "
        f"| {proto['name']} ({config.protocol.num_groups} groups, "
        f"{config.protocol.num_val_speakers} val spk) | {len(results['folds'])}/{proto['num_folds']} | "
        f"{summary['pooled']['uar']:.1%} | {summary['pooled']['wa']:.1%} | "
        f"{summary['uar_over_folds']['mean']:.1%} ± {summary['uar_over_folds']['std']:.1%} | "
        f"{epochs} | {wall / 60:.0f} min | {benchmarks_md.machine()} | {time.strftime('%Y-%m-%d')} |\n"
    )
    benchmarks_md.update_table(
        Path(FLAGS.benchmarks_md), SECTION, TABLE_HEADER, FLAGS.label, row
    )
    print(row)


if __name__ == "__main__":
    app.run(main)
