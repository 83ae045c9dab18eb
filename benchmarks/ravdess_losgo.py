"""RAVDESS 6-group LOSGO with a configured model; writes its row into BENCHMARKS.md.

    python benchmarks/ravdess_losgo.py \
        --config=configs/cnn_lstm.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/bench/cnn_lstm --label="Satt CNN-LSTM, 10 Hz (paper size)"

Builds RAVDESS from --manual_dir if it is not built yet. Training resumes from
the workdir's checkpoints, so a killed benchmark can simply be run again; the
wall time written is the sum over folds of each fold's time in the invocation
that finished it (training from its last checkpoint, and testing).
"""

import os
import platform
import re
import sys
import time
from pathlib import Path

import jax
from absl import app, flags
from ml_collections import config_flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ser_jax import methods, runtime

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


def machine() -> str:
    devices = jax.local_devices()
    kind = (
        devices[0].device_kind
        if devices[0].platform != "cpu"
        else (
            f"{platform.processor() or platform.machine()} CPU, {os.cpu_count()} cores"
        )
    )
    return f"{len(devices)}× {kind}"


def update_table(path: Path, label: str, row: str) -> None:
    """Inserts or replaces the row labelled `label` in the RAVDESS section."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if SECTION not in text:
        text = text.rstrip() + f"\n\n{SECTION}\n\n{TABLE_HEADER}"
    lines = text.splitlines(keepends=True)
    pattern = re.compile(rf"^\| {re.escape(label)} \|")
    for i, line in enumerate(lines):
        if pattern.match(line):
            lines[i] = row
            break
    else:
        end = text.index(TABLE_HEADER, text.index(SECTION)) + len(TABLE_HEADER)
        while end < len(text) and text[end:].startswith("| "):
            end = text.index("\n", end) + 1
        text = text[:end] + row + text[end:]
        path.write_text(text)
        return
    path.write_text("".join(lines))


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
    frontend = config.frontend.name + (
        f" {config.frontend.grid_hz:g} Hz" if "grid_hz" in config.frontend else ""
    )
    model = config.model.name
    if config.get("method") == "two_step":
        model = f"two-step: {model}, then {config.two_step.binary_model.name} ×{len(results['stages']) - 1}"
    row = (
        f"| {FLAGS.label} | {model} / {frontend} "
        f"| {proto['name']} ({config.protocol.num_groups} groups, "
        f"{config.protocol.num_val_speakers} val spk) | {len(results['folds'])}/{proto['num_folds']} | "
        f"{summary['pooled']['uar']:.1%} | {summary['pooled']['wa']:.1%} | "
        f"{summary['uar_over_folds']['mean']:.1%} ± {summary['uar_over_folds']['std']:.1%} | "
        f"{epochs} | {wall / 60:.0f} min | {machine()} | {time.strftime('%Y-%m-%d')} |\n"
    )
    update_table(Path(FLAGS.benchmarks_md), FLAGS.label, row)
    print(row)


if __name__ == "__main__":
    app.run(main)
