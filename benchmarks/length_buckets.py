"""RAVDESS UAR with and without length buckets, same config, folds and seed.

    python benchmarks/length_buckets.py --config=neumann --buckets=12 --epochs=30 --fold=0

Trains `configs/<config>.py:corpus=ravdess,protocol=losgo` twice (the
6-group LOSGO folds, seed 0): with every batch `max_segment_seconds` wide
(`length_buckets=0`) and with `--buckets` length buckets, and writes both
rows into BENCHMARKS.md with their wall times. Both runs resume from
`--workdir/buckets_<N>`, so a killed benchmark is simply run again.
`--fold=K` runs one fold and `--epochs` below the config's is a reduced
budget: both are in each row's label.
"""

import os
import sys
import time
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks_md  # noqa: E402

import configs  # noqa: E402
from ser_jax import methods, runtime  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS
flags.DEFINE_string("config", "neumann", "A config name under configs/.")
flags.DEFINE_integer("buckets", 12, "length_buckets of the bucketed run.")
flags.DEFINE_integer("epochs", 0, "Training epochs of both runs (0: the config's).")
flags.DEFINE_integer("fold", -1, "One fold only (-1: all six).")
flags.DEFINE_integer("seed", 0, "Training seed; the folds stay seed 0's.")
flags.DEFINE_string("workdir", "runs/bench/length_buckets", "Parent of the runs.")
flags.DEFINE_string(
    "manual_dir",
    str(ROOT.parent / "shared" / "corpora" / "ravdess"),
    "RAVDESS audio, used if the corpus is not built yet.",
)
flags.DEFINE_string("benchmarks_md", str(ROOT / "BENCHMARKS.md"), "File to update.")

SECTION = "## Length buckets: results with and without (benchmarks/length_buckets.py)"
HEADER = (
    "| run | length_buckets | folds | epochs | pooled UAR | pooled WA | "
    "UAR mean ± std | wall time | machine | date | command |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n"
)
INTRO = (
    "The same model, folds (RAVDESS, 6 random gender-mixed speaker groups, "
    "seed 0) and seed, trained with every batch as wide as the config's "
    "`max_segment_seconds` (`length_buckets=0`) and with length buckets "
    "(`--config.length_buckets=N`: each batch as wide as the smallest of N "
    "equal steps that holds its longest segment). The two runs see different "
    "batches (buckets group segments of similar length), so their figures "
    "differ by training noise. Wall times on 2 CPU cores shared with other "
    "jobs (load average in the row).\n\n"
)


def main(argv):
    del argv
    runtime.quiet_library_logs()
    command = (
        f"python benchmarks/length_buckets.py --config={FLAGS.config} "
        f"--buckets={FLAGS.buckets} --epochs={FLAGS.epochs} --fold={FLAGS.fold} "
        f"--workdir={FLAGS.workdir}" + (f" --seed={FLAGS.seed}" if FLAGS.seed else "")
    )
    for buckets in (0, FLAGS.buckets):
        config = configs.load(FLAGS.config, "corpus=ravdess,protocol=losgo")
        config.dataset.manual_dir = FLAGS.manual_dir
        config.length_buckets = buckets
        config.num_epochs = FLAGS.epochs or config.num_epochs
        config.fold = FLAGS.fold
        config.seed = FLAGS.seed
        workdir = Path(FLAGS.workdir) / f"buckets_{buckets}"
        start = time.time()
        results = methods.run(config, workdir)
        wall = time.time() - start
        seconds = [f.get("seconds") for f in results["folds"]]
        if all(s is not None for s in seconds):  # summed over resumed invocations
            wall = sum(seconds)
        summary = results["summary"]["utterance"]
        proto = results["protocol"]
        folds = "all folds" if FLAGS.fold < 0 else f"fold {FLAGS.fold} only"
        label = (
            f"{FLAGS.config}, {config.num_epochs} epochs, {folds}, "
            + (f"seed {FLAGS.seed}, " if FLAGS.seed else "")
            + f"length_buckets={buckets}"
        )
        row = (
            f"| {label} | {buckets} | {len(results['folds'])}/{proto['num_folds']} | "
            f"{config.num_epochs} | {summary['pooled']['uar']:.1%} | "
            f"{summary['pooled']['wa']:.1%} | "
            f"{summary['uar_over_folds']['mean']:.1%} ± "
            f"{summary['uar_over_folds']['std']:.1%} | {wall / 60:.1f} min | "
            f"{benchmarks_md.machine()} | {time.strftime('%Y-%m-%d')}, "
            f"load {os.getloadavg()[0]:.1f} | `{command}` |\n"
        )
        benchmarks_md.update_table(
            Path(FLAGS.benchmarks_md), SECTION, HEADER, label, row, intro=INTRO
        )
        print(row, flush=True)


if __name__ == "__main__":
    app.run(main)
