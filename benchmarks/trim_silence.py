"""RAVDESS UAR with and without `dataset.trim_silence`, same config, folds and seed.

    python benchmarks/trim_silence.py --config=neumann --epochs=30 --workdir=runs/bench/trim

Trains `configs/<config>.py:corpus=ravdess,protocol=losgo` twice (the
6-group LOSGO folds, seed 0): once as it is, once with every utterance's
leading and trailing silence cut when the corpus is loaded
(`ser_jax/data/speech_activity.py`), and writes both rows into BENCHMARKS.md.
Both runs resume from `--workdir/{untrimmed,trimmed}`, so a killed benchmark
is simply run again. `--fold=K` runs one fold (a reduced budget, labelled);
`--seed=N` repeats the pair with another training seed on the same folds.
"""

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
flags.DEFINE_integer("epochs", 30, "Training epochs of both runs.")
flags.DEFINE_integer("fold", -1, "One fold only (-1: all six).")
flags.DEFINE_integer(
    "seed",
    0,
    "Training seed (initialisation, order, dropout); the folds stay seed 0's.",
)
flags.DEFINE_string("workdir", "runs/bench/trim_silence", "Parent of the two runs.")
flags.DEFINE_string(
    "manual_dir",
    str(ROOT.parent / "shared" / "corpora" / "ravdess"),
    "RAVDESS audio, used if the corpus is not built yet.",
)
flags.DEFINE_string("benchmarks_md", str(ROOT / "BENCHMARKS.md"), "File to update.")

SECTION = "## Silence trimming at training time (benchmarks/trim_silence.py)"
HEADER = (
    "| run | trim_silence | folds | epochs | pooled UAR | pooled WA | "
    "UAR mean ± std | wall time | machine | date | command |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|\n"
)
INTRO = (
    "The same model, folds (RAVDESS, 6 random gender-mixed speaker groups, "
    "seed 0) and seed, trained on the utterances as recorded and with their "
    "leading and trailing silence cut when the corpus is loaded "
    "(`--config.dataset.trim_silence=True`: the speech detector of "
    "`ser_jax/data/speech_activity.py`, frames above -60 dBFS, 100 ms margins). "
    "Training and test utterances are trimmed alike. Wall times on 2 CPU cores "
    "shared with other jobs.\n\n"
)


def main(argv):
    del argv
    runtime.quiet_library_logs()
    command = (
        f"python benchmarks/trim_silence.py --config={FLAGS.config} "
        f"--epochs={FLAGS.epochs} --fold={FLAGS.fold} --workdir={FLAGS.workdir}"
        + (f" --seed={FLAGS.seed}" if FLAGS.seed else "")
    )
    for trim in (False, True):
        config = configs.load(FLAGS.config, "corpus=ravdess,protocol=losgo")
        config.dataset.manual_dir = FLAGS.manual_dir
        config.dataset.trim_silence = trim
        config.num_epochs = FLAGS.epochs
        config.fold = FLAGS.fold
        config.seed = FLAGS.seed
        workdir = Path(FLAGS.workdir) / ("trimmed" if trim else "untrimmed")
        start = time.time()
        results = methods.run(config, workdir)
        wall = time.time() - start
        seconds = [f.get("seconds") for f in results["folds"]]
        if all(s is not None for s in seconds):  # summed over resumed invocations
            wall = sum(seconds)
        summary = results["summary"]["utterance"]
        proto = results["protocol"]
        folds = "all" if FLAGS.fold < 0 else f"fold {FLAGS.fold} only"
        label = (
            f"{FLAGS.config}, {FLAGS.epochs} epochs, {folds}, "
            + (f"seed {FLAGS.seed}, " if FLAGS.seed else "")
            + ("trimmed" if trim else "untrimmed")
        )
        row = (
            f"| {label} | {trim} | {len(results['folds'])}/{proto['num_folds']} | "
            f"{FLAGS.epochs} | {summary['pooled']['uar']:.1%} | "
            f"{summary['pooled']['wa']:.1%} | "
            f"{summary['uar_over_folds']['mean']:.1%} ± "
            f"{summary['uar_over_folds']['std']:.1%} | {wall / 60:.0f} min | "
            f"{benchmarks_md.machine()} | {time.strftime('%Y-%m-%d')} | "
            f"`{command}` |\n"
        )
        benchmarks_md.update_table(
            Path(FLAGS.benchmarks_md), SECTION, HEADER, label, row, intro=INTRO
        )
        print(row, flush=True)


if __name__ == "__main__":
    app.run(main)
