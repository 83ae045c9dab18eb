"""Neural models trained per fold (`config.method = "neural"`, the default).

    python -m ser_jax.main --config=configs/cnn_lstm.py:corpus=ravdess --workdir=runs/demo

One call runs every fold of the protocol (or `config.fold` alone): each fold
is a `FoldRunner` (pmapped training, Orbax checkpoints, tests of its best
epoch), skipped when its result already exists, so a killed run resumes where
it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ml_collections
from absl import logging

from ser_jax.frontends import FrontendLike
from ser_jax.frontends.precomputed import host_corpus
from ser_jax.methods import experiment
from ser_jax.methods.fold_data import describe_input
from ser_jax.methods.progress import Progress
from ser_jax.methods.scoring import TrainedModels
from ser_jax.methods.steps import local_devices
from ser_jax.methods.trainer import RESUMABLE_FIELDS, FoldRunner


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str | Path) -> dict:
    """Runs the configured protocol and writes `workdir/results.json`; returns it."""
    exp = experiment.start(config, workdir, RESUMABLE_FIELDS)
    devices = local_devices(config.num_devices)
    logging.info(
        "%s, %d device(s): %s",
        exp.describe(),
        len(devices),
        [d.device_kind for d in devices],
    )
    progress = Progress(
        len(exp.folds), config.num_epochs, len(exp.pending) * config.num_epochs
    )
    # Features computed on the host (eGeMAPS descriptors) replace the audio.
    corpus = host_corpus(config.frontend, exp.corpus, config.dataset.data_dir)
    records = exp.run(
        lambda fold, fold_dir: FoldRunner(
            config, corpus, fold, fold_dir, devices, progress
        ).run()
    )
    return exp.write_results(
        records,
        title=f"{exp.corpus.name} {exp.protocol}",
        devices=[d.device_kind for d in devices],
    )


def describe(run_results: dict) -> str:
    """Model, front-end and segmentation, as a report's "model / method" cell."""
    config = run_results.get("config", {})
    return f"{config.get('model', {}).get('name', '?')} on {describe_input(config)}"


def load_scorer(
    config: ml_collections.ConfigDict,
    class_names: Sequence[str],
    fold_dirs: Sequence[Path],
    frontend: FrontendLike,
) -> TrainedModels:
    """The folds' best checkpoints, averaged."""
    return TrainedModels(config, frontend, len(class_names), fold_dirs)
