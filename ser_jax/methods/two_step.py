"""Satt, Rozenberg & Hoory's (2017) two-step predictor: `config.method = "two_step"`.

    python -m ser_jax.main --config=configs/satt_two_step.py:corpus=ravdess --workdir=runs/two_step

"Run the 4-class model; if its top class is not neutral, keep it; otherwise run
three binary models (neutral vs each other class) and pick the class with the
highest posterior." Per fold, under the same protocol, folds and validation
speakers as every other method:

1. `fold_XX/four_class/`: the config's own model on the corpus's classes (the
   four of `configs/satt_two_step.py`), an ordinary `FoldRunner`.
2. `fold_XX/neutral_vs_<x>/`, one per class x other than `config.two_step.neutral`:
   `config.two_step.binary_model`, trained and validated on that fold's neutral
   and x utterances only (2 classes). Front-end, segmentation, standardisation
   and training fields are the config's, shared with the first stage.
3. Every validation and test utterance of the fold is scored by every model
   (its best checkpoint; an utterance's posterior is the mean over its
   segments) and `combine` decides.

Each stage has its own Orbax checkpoints, so a killed run resumes in the stage
it stopped in; stages already trained are re-evaluated from their best
checkpoint without training. `fold_result.json` holds the two-step metrics
under "val"/"test" (utterance level: the decision is per utterance), every
stage's own record on its own data under "stages", and under "second_step"
how many utterances went to the binary models and how many of them left
neutral. `test_predictions.csv` has the decision and its `scores` (see
`combine`); `stage_posteriors.npz` keeps every model's posteriors on the fold's
validation and test utterances, so another decision rule can be scored without
retraining.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import ml_collections
import numpy as np
from absl import logging

from ser_jax import metrics, results
from ser_jax.data import protocols
from ser_jax.data.corpus import Corpus
from ser_jax.data.segments import Segments
from ser_jax.frontends import FrontendLike
from ser_jax.frontends.precomputed import host_corpus
from ser_jax.methods import experiment
from ser_jax.methods.fold_data import describe_input, fold_utterances
from ser_jax.methods.progress import Progress
from ser_jax.methods.scoring import TrainedModels
from ser_jax.methods.steps import local_devices
from ser_jax.methods.trainer import RESUMABLE_FIELDS, FoldRunner

FIRST = "four_class"  # the first stage's directory and record name


class Decision(NamedTuple):
    predictions: np.ndarray  # [N] class ids
    scores: np.ndarray  # [N, K] whose argmax is `predictions`
    second_step: np.ndarray  # [N] bool: the first stage said neutral


def combine(
    first: np.ndarray, binary: Mapping[int, np.ndarray], neutral: int
) -> Decision:
    """The two-step decision from posteriors.

    `first`: `[N, K]` posteriors of the first stage. `binary[j]`: `[N, 2]`
    posteriors (p(class j), p(neutral)) of the neutral-vs-j model, for every
    class j other than `neutral`. Where the first stage's top class is not
    neutral, it stands. Otherwise the class is the one with the highest of
    the binary models' 2(K-1) posteriors: class j wins with p(j) from its own
    model; neutral stays if some binary model is surer of neutral than any
    model is of its other class.

    `scores` are the first stage's posteriors where they decide; elsewhere the
    second step's: class j's own binary posterior and, for neutral, the highest
    binary neutral posterior, normalised to sum to 1 (they are not posteriors
    of one model). Ties go to the lower class id.
    """
    first = np.asarray(first, np.float64)
    n, k = first.shape
    if set(binary) != set(range(k)) - {neutral}:
        raise ValueError(
            f"binary posteriors for classes {sorted(binary)}; need every class of "
            f"{k} but neutral ({neutral})"
        )
    second_step = first.argmax(-1) == neutral
    step2 = np.zeros((n, k))
    for j, p in binary.items():
        p = np.asarray(p, np.float64)
        step2[:, j] = p[:, 0]
        step2[:, neutral] = np.maximum(step2[:, neutral], p[:, 1])
    step2 /= np.maximum(step2.sum(-1, keepdims=True), 1e-12)
    scores = np.where(second_step[:, None], step2, first)
    return Decision(scores.argmax(-1), scores, second_step)


def binary_stages(
    class_names: Sequence[str], neutral: str
) -> list[tuple[str, str, list[str]]]:
    """(stage name, its other class, the binary model's class names) per class
    but neutral; the binary class names are sorted, as `Corpus.relabel` gives."""
    if neutral not in class_names:
        raise ValueError(
            f"two_step.neutral={neutral!r} is not a class of the corpus "
            f"({list(class_names)}); map the corpus's emotions onto it with "
            "dataset.label_map."
        )
    return [
        (
            "neutral_vs_" + re.sub(r"[^A-Za-z0-9_-]+", "_", other),
            other,
            sorted([neutral, other]),
        )
        for other in class_names
        if other != neutral
    ]


def binary_config(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
    """The config a binary stage trains with: the config's, with the binary model."""
    new = copy.deepcopy(config)
    with new.unlocked():
        new.model = copy.deepcopy(config.two_step.binary_model)
    return new


def _stage_record(record: dict, corpus: Corpus, model: str) -> dict:
    """A stage's FoldRunner record, less the fold's speakers (in the fold record)."""
    skip = {"fold", "test_speakers", "val_speakers", "train_speakers"}
    return {
        "model": model,
        "class_names": list(corpus.class_names),
        **{k: v for k, v in record.items() if k not in skip},
    }


def run_fold(
    config: ml_collections.ConfigDict,
    corpus: Corpus,
    fold: protocols.Fold,
    fold_dir: Path,
    devices: list,
    progress: Progress,
) -> dict:
    """Trains (or resumes) the fold's first-stage and binary models; scores the
    two-step decision on its validation and test utterances."""
    neutral = config.two_step.neutral
    stages = binary_stages(corpus.class_names, neutral)
    utterances = fold_utterances(corpus, fold, config.protocol.seed)
    splits = {"val": utterances["val"], "test": utterances["test"]}
    stage_records, posteriors = {}, {}
    binary = {split: {} for split in splits}
    plan = [(FIRST, config, corpus, None)] + [
        (
            name,
            binary_config(config),
            corpus.relabel({neutral: neutral, other: other}),
            other,
        )
        for name, other, _ in stages
    ]
    for name, stage_config, stage_corpus, other in plan:
        stage_dir = fold_dir / name
        stage_dir.mkdir(exist_ok=True)
        logging.info(
            "Fold %d, stage %s: %s on %s",
            fold.index,
            name,
            stage_config.model.name,
            stage_corpus.class_names,
        )
        runner = FoldRunner(
            stage_config, stage_corpus, fold, stage_dir, devices, progress
        )
        stage_records[name] = _stage_record(
            runner.run(), stage_corpus, stage_config.model.name
        )
        for split, idx in splits.items():
            probs = runner.utterance_posteriors(corpus, idx)
            posteriors[f"{split}_{name}"] = probs
            if other is not None:
                names = stage_corpus.class_names
                columns = [names.index(other), names.index(neutral)]
                binary[split][corpus.class_names.index(other)] = probs[:, columns]

    neutral_id = corpus.class_names.index(neutral)
    record = {
        "fold": fold.index,
        **fold.to_dict(),
        "num_utterances": {s: int(len(idx)) for s, idx in splits.items()},
        "second_step": {},
    }
    for split, idx in splits.items():
        decision = combine(posteriors[f"{split}_{FIRST}"], binary[split], neutral_id)
        record[split] = {
            "utterance": metrics.level_metrics(
                corpus.labels[idx], decision.predictions, corpus.class_names
            )
        }
        record["second_step"][split] = {
            "utterances": int(decision.second_step.sum()),
            "left_neutral": int(
                (decision.second_step & (decision.predictions != neutral_id)).sum()
            ),
        }
        if split == "test":
            results.write_predictions(
                fold_dir / "test_predictions.csv",
                corpus,
                idx,
                decision.predictions,
                decision.scores,
            )
        posteriors[f"{split}_file_names"] = corpus.file_names[idx]
    np.savez(fold_dir / "stage_posteriors.npz", **posteriors)
    record["stages"] = stage_records
    return record


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str | Path) -> dict:
    """Runs the configured protocol with the two-step predictor; writes results.json."""
    exp = experiment.start(config, workdir, RESUMABLE_FIELDS)
    stages = [FIRST] + [
        name
        for name, _, _ in binary_stages(exp.corpus.class_names, config.two_step.neutral)
    ]
    devices = local_devices(config.num_devices)
    logging.info(
        "%s, two-step with %d models per fold (%s), %d device(s)",
        exp.describe(),
        len(stages),
        ", ".join(stages),
        len(devices),
    )
    progress = Progress(
        len(exp.folds),
        config.num_epochs,
        len(exp.pending) * len(stages) * config.num_epochs,
    )
    # Features computed on the host (eGeMAPS descriptors) replace the audio.
    corpus = host_corpus(config.frontend, exp.corpus, config.dataset.data_dir)
    records = exp.run(
        lambda fold, fold_dir: run_fold(
            config, corpus, fold, fold_dir, devices, progress
        )
    )
    return exp.write_results(
        records,
        title=f"{exp.corpus.name} {exp.protocol}, two-step",
        method="two_step",
        stages=stages,
        devices=[d.device_kind for d in devices],
    )


def describe(run_results: dict) -> str:
    """Both stages' models and the input, as a report's "model / method" cell."""
    config = run_results.get("config", {})
    first = config.get("model", {}).get("name", "?")
    binary = config.get("two_step", {}).get("binary_model", {}).get("name", "?")
    return (
        f"two-step: {first}, then neutral-vs-each {binary} on {describe_input(config)}"
    )


class TwoStepScorer:
    """Each stage's models (posteriors averaged over folds per stage), combined
    by the two-step rule: `posteriors` returns `combine`'s scores, whose top
    class is the two-step decision."""

    def __init__(
        self,
        config: ml_collections.ConfigDict,
        class_names: Sequence[str],
        fold_dirs: Sequence[Path],
        frontend: FrontendLike,
    ):
        class_names = list(class_names)
        neutral = config.two_step.neutral
        self.neutral = class_names.index(neutral)
        self.first = TrainedModels(
            config, frontend, len(class_names), [d / FIRST for d in fold_dirs]
        )
        stage_config = binary_config(config)
        self.binary = []  # (class id, its and neutral's columns, models)
        for name, other, names in binary_stages(class_names, neutral):
            self.binary.append(
                (
                    class_names.index(other),
                    [names.index(other), names.index(neutral)],
                    TrainedModels(
                        stage_config, frontend, 2, [d / name for d in fold_dirs]
                    ),
                )
            )

    def _stages(self, segments: Segments) -> tuple[np.ndarray, dict]:
        """Per segment: the first stage's `[S, K]` posteriors and each binary
        model's `[S, 2]` (p(its class), p(neutral))."""
        first = self.first.segment_posteriors(segments)
        binary = {
            j: models.segment_posteriors(segments)[:, columns]
            for j, columns, models in self.binary
        }
        return first, binary

    def posteriors(self, segments: Segments) -> np.ndarray:
        """The two-step scores of each stage's mean posterior over the segments
        (the decision is per recording, as in training's evaluation)."""
        first, binary = self._stages(segments)
        means = {j: p.mean(0, keepdims=True) for j, p in binary.items()}
        return combine(first.mean(0, keepdims=True), means, self.neutral).scores[0]

    def segment_posteriors(self, segments: Segments) -> np.ndarray:
        """`[S, K]`: the two-step scores of each segment on its own."""
        first, binary = self._stages(segments)
        return combine(first, binary, self.neutral).scores
