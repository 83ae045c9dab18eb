"""What padding costs: padded samples per sample of real audio, with and without
length buckets, on fold 0 of RAVDESS (6-group LOSGO).

    python benchmarks/padding_cost.py                          # cnn_lstm, aldeneh
    python benchmarks/padding_cost.py --configs=satt_cnn --buckets=0,4,8,12

For each config, builds fold 0 as training does (`trainer.FoldRunner`) and,
for each `length_buckets` value, walks epoch 0's training batches and the
validation and test batches that score them, and prints the samples the
steps process (batch rows x width, the last batch's weight-0 rows included)
over the samples of audio they hold, and the widths used (one compiled step
each), and how many batches score the validation and test speakers and in
how many shapes (rows x width, one compiled scoring program each). 1.00x
would be no padding at all.
"""

import sys
import tempfile
from pathlib import Path

from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import configs  # noqa: E402
from ser_jax import runtime  # noqa: E402
from ser_jax.methods import evaluation, experiment, steps, trainer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS
flags.DEFINE_list("configs", ["cnn_lstm", "aldeneh"], "Config names under configs/.")
flags.DEFINE_list("buckets", ["0", "8", "12"], "length_buckets values to compare.")
flags.DEFINE_string(
    "manual_dir",
    str(ROOT.parent / "shared" / "corpora" / "ravdess"),
    "RAVDESS audio, used if the corpus is not built yet.",
)


def cost(batches) -> tuple[float, set[tuple[int, int]]]:
    """(processed samples / audio samples, (rows, width) shapes) of batches."""
    processed, audio, shapes = 0, 0, set()
    for batch in batches:
        processed += batch["audio"].size
        audio += int(batch["length"][batch["index"] >= 0].sum())
        shapes.add(batch["audio"].shape)
    return processed / audio, shapes


def padding_cost(name: str, buckets: int) -> dict:
    config = configs.load(name, "corpus=ravdess,protocol=losgo")
    config.dataset.manual_dir = FLAGS.manual_dir
    config.length_buckets = buckets
    with tempfile.TemporaryDirectory() as workdir:
        exp = experiment.start(config, workdir, trainer.RESUMABLE_FIELDS)
        runner = trainer.FoldRunner(
            config,
            exp.corpus,
            exp.folds[0],
            Path(workdir),
            steps.local_devices(1),
            progress=None,
        )
        runner.build()
        train, train_shapes = cost(runner.train_batches(epoch=0))
        scored = [
            batch
            for split in ("val", "test")
            for batch in evaluation.prediction_batches(
                runner.data[split][1], config.eval_batch_size, runner.widths
            )
        ]
        evaluate, eval_shapes = cost(scored)
    return {
        "config": name,
        "segments": f"{config.segmentation} ≤ {config.max_segment_seconds:g} s",
        "buckets": buckets,
        "train": train,
        "eval": evaluate,
        "widths": sorted({w for _, w in train_shapes | eval_shapes}),
        "eval_shapes": len(eval_shapes),
        "eval_batches": len(scored),
    }


def main(argv):
    del argv
    runtime.quiet_library_logs()
    print(
        "| config | segments | length_buckets | training epoch | validation + test "
        "| widths used, s | scoring batches (shapes) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in FLAGS.configs:
        for buckets in map(int, FLAGS.buckets):
            r = padding_cost(name, buckets)
            widths = ", ".join(f"{w / 16000:.2f}" for w in r["widths"])
            print(
                f"| `{r['config']}` | {r['segments']} | {r['buckets']} "
                f"| {r['train']:.2f}x | {r['eval']:.2f}x | {widths} "
                f"| {r['eval_batches']} ({r['eval_shapes']}) |",
                flush=True,
            )


if __name__ == "__main__":
    app.run(main)
