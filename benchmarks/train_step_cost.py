"""Seconds per training step of each model config on RAVDESS, and what a run costs.

    python benchmarks/train_step_cost.py                      # every neural config
    python benchmarks/train_step_cost.py --configs=cnn_lstm,zhao --steps=5

For each config (its paper-size defaults, `corpus=ravdess,protocol=losgo`),
builds fold 0 exactly as training does (`trainer.FoldRunner`: segments,
front-end, augmentation copies, class weights, the pmapped step), runs its
first training batches and times them after the first (which compiles).
Prints a Markdown table: parameters, batch, steps per epoch, compile and step
time, and the training time of the run (steps x epochs x the folds it runs:
all 6, or one with `fold=K`; validation and testing not counted), to plan a
run on this machine or a GPU. The two-step config trains `cnn_lstm` and three
`satt_cnn` models per fold: see those rows.
"""

import sys
import tempfile
import time
from pathlib import Path

import jax
import numpy as np
from absl import app, flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import configs  # noqa: E402
from ser_jax import runtime  # noqa: E402
from ser_jax.data import batches as batching  # noqa: E402
from ser_jax.methods import experiment, steps, trainer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS
flags.DEFINE_list(
    "configs", None, "Config names under configs/; default: every neural one."
)
flags.DEFINE_integer("steps", 3, "Timed steps after the compiling one.", lower_bound=1)
flags.DEFINE_string(
    "manual_dir",
    str(ROOT.parent / "shared" / "corpora" / "ravdess"),
    "RAVDESS audio, used if the corpus is not built yet.",
)


def step_cost(name: str) -> dict:
    """Builds fold 0 of `configs/<name>.py` on RAVDESS and times its train step."""
    config = configs.load(name, "corpus=ravdess,protocol=losgo")
    config.dataset.manual_dir = FLAGS.manual_dir
    devices = steps.local_devices(config.num_devices)
    with tempfile.TemporaryDirectory() as workdir:
        exp = experiment.start(config, workdir, trainer.RESUMABLE_FIELDS)
        runner = trainer.FoldRunner(
            config, exp.corpus, exp.folds[0], Path(workdir), devices, progress=None
        )
        state = steps.replicate(runner.build(), devices)
        if FLAGS.steps + 1 > runner.steps_per_epoch:
            raise ValueError(
                f"{name}: --steps={FLAGS.steps} needs {FLAGS.steps + 1} batches, but "
                f"fold 0 has {runner.steps_per_epoch} per epoch"
            )
        batches = runner.train_batches(epoch=0)
        base_key = jax.random.key(config.seed)
        times = []
        for step in range(FLAGS.steps + 1):
            batch = batching.shard(next(batches), runner.num_devices)
            t0 = time.perf_counter()
            state, metrics = runner.p_train(
                state, batch, jax.random.fold_in(base_key, step)
            )
            jax.block_until_ready(metrics)
            times.append(time.perf_counter() - t0)
        loss = float(np.asarray(metrics["loss"])[0])
    if not np.isfinite(loss):
        raise FloatingPointError(f"{name}: non-finite training loss {loss}")
    step_s = float(np.median(times[1:]))
    return {
        "config": name,
        "model": config.model.name,
        "params": runner.num_params,
        "batch": config.batch_size,
        "copies": runner.copies,
        "steps_per_epoch": runner.steps_per_epoch,
        "epochs": config.num_epochs,
        "compile_s": times[0] - step_s,
        "step_s": step_s,
        "run_hours": step_s
        * runner.steps_per_epoch
        * config.num_epochs
        * len(exp.selected)
        / 3600,
    }


def main(argv):
    del argv
    runtime.quiet_library_logs()
    devices = jax.local_devices()
    print(f"devices: {len(devices)} x {devices[0].device_kind}")
    print(
        "| config | model | parameters | batch | steps/epoch (fold 0) | epochs "
        "| compile s | s/step | training of its folds, h |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in FLAGS.configs or configs.names("neural"):
        r = step_cost(name)
        copies = f" ({r['copies']} copies)" if r["copies"] > 1 else ""
        print(
            f"| `{r['config']}` | {r['model']} | {r['params'] / 1e6:.2f} M "
            f"| {r['batch']}{copies} | {r['steps_per_epoch']} | {r['epochs']} "
            f"| {r['compile_s']:.0f} | {r['step_s']:.2f} | {r['run_hours']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    app.run(main)
