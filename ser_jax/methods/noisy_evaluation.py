"""Trained neural runs tested again on noisy audio, without training.

`evaluate_trained` loads each fold's best checkpoint of a finished run and
tests it with each (noise, SNR) cell asked for; every cell is a workdir of
its own with the run's config plus `evaluation.noise` / `snr_db`, per fold
`fold_result.json` and `test_predictions.csv`, and `results.json` in the
usual schema, so `ser_jax.report` reads it like any run. A cell's finished
folds are skipped, so it resumes as a run does. The noisy test audio is the
one `config.evaluation` gives a run of its own (same seed, same excerpts).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import ml_collections
from absl import logging

from ser_jax import results
from ser_jax.methods import experiment
from ser_jax.methods.steps import local_devices
from ser_jax.methods.trainer import RESUMABLE_FIELDS, FoldRunner
from ser_jax.noise import sources as noise_sources


@dataclasses.dataclass(frozen=True)
class Cell:
    """One noisy test: `noise` at `snr_db`, written to `workdir`."""

    noise: str
    snr_db: float
    workdir: Path


def cell_config(
    config: ml_collections.ConfigDict, noise: str, snr_db: float
) -> ml_collections.ConfigDict:
    """`config` testing on `noise` at `snr_db` (`config.evaluation`)."""
    new = ml_collections.ConfigDict(config.to_dict())
    new.evaluation = {"noise": noise, "snr_db": float(snr_db)}
    return new


def evaluate_trained(
    config: ml_collections.ConfigDict,
    trained_workdir: str | Path,
    cells: Sequence[Cell],
) -> list[dict]:
    """Tests the finished run in `trained_workdir` (trained with `config`) on
    every cell; returns each cell's results.json."""
    if (config.get("method") or "neural") != "neural":
        raise ValueError(
            f"noisy evaluation of trained checkpoints needs a neural run, not "
            f"method={config.method!r}"
        )
    exp = experiment.start(config, trained_workdir, RESUMABLE_FIELDS)
    missing = [k for k in exp.selected if not exp.is_done(k)]
    if missing:
        raise ValueError(f"{trained_workdir}: folds {missing} are not trained yet")
    configs = {}
    for cell in cells:
        configs[cell] = cell_config(config, cell.noise, cell.snr_db)
        cell.workdir.mkdir(parents=True, exist_ok=True)
        experiment.check_same_experiment(
            cell.workdir / "config.json", configs[cell], RESUMABLE_FIELDS
        )
        results.write_json(cell.workdir / "config.json", configs[cell].to_dict())
    devices = local_devices(config.num_devices)
    names = noise_sources.parse([c.noise for c in cells])
    for k in exp.selected:
        pending = [c for c in cells if not _fold_file(c, k).exists()]
        if not pending:
            continue
        runner = FoldRunner(
            config, exp.corpus, exp.folds[k], exp.fold_dir(k), devices, None
        )
        runner.use_noises(names)
        best_meta = runner.restore_best()
        for cell in pending:
            out_dir = _fold_file(cell, k).parent
            out_dir.mkdir(exist_ok=True)
            record = runner.noisy_test_record(
                cell.noise, cell.snr_db, out_dir, best_meta
            )
            results.write_json(_fold_file(cell, k), record)
            logging.info(
                "Fold %d, %s at %g dB: utterance UAR %.1f%%",
                k,
                cell.noise,
                cell.snr_db,
                100 * record["test"]["utterance"]["uar"],
            )
    out = []
    for cell in cells:
        records = [json.loads(_fold_file(cell, k).read_text()) for k in exp.selected]
        cell_exp = dataclasses.replace(exp, config=configs[cell], workdir=cell.workdir)
        out.append(
            cell_exp.write_results(
                records,
                title=(
                    f"{exp.corpus.name} {exp.protocol}, "
                    f"{noise_sources.describe(cell.noise)} at {cell.snr_db:g} dB"
                ),
                evaluation={
                    **noise_sources.test_condition(cell.noise, cell.snr_db),
                    "trained_in": str(trained_workdir),
                },
            )
        )
    return out


def _fold_file(cell: Cell, k: int) -> Path:
    return cell.workdir / f"fold_{k:02d}" / "fold_result.json"
