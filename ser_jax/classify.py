"""Classifies new recordings with a trained run.

    python -m ser_jax.classify --workdir=runs/ravdess clip1.wav clip2.flac

Each recording is read at any sample rate (resampled to 16 kHz), cut into
segments as in training, and scored by the best checkpoint of every finished
fold (`--fold=K` for one); the posteriors are averaged. A two-step run
(`configs/satt_two_step.py`) averages each stage's posteriors over folds and
then applies the two-step rule (`ser_jax.two_step.combine`). A file that cannot be
used (missing, corrupt, empty, too short) is reported with its reason and the
others are still classified; the exit status is 1 if any file failed.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import jax
import ml_collections
import numpy as np
from absl import app, flags
from flax import nnx

from data_builders import audio as audio_io
from ser_jax import (
    frontends,
    input_pipeline,
    standardization,
    train,
    two_step,
)
from ser_jax.checkpoints import FoldCheckpoints

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "A finished (or partly finished) training run.")
flags.DEFINE_integer("fold", -1, "Use this fold's model only (-1: average all folds).")
flags.DEFINE_string("output_csv", None, "Also write the posteriors here.")


class FoldModels:
    """One model's best checkpoints in several run directories (a fold's, or a
    two-step stage's), with their standardisation, ready to score segments."""

    def __init__(self, config, frontend, num_classes: int, dirs: Sequence[Path]):
        graphdef, state, _ = train.create_state(
            config, frontend, num_classes, 0, total_steps=2, steps_per_epoch=1
        )
        self.frontend = frontend
        self.standardization = config.get("feature_standardization", "none")
        self.states, self.fold_stats = [], []
        for run_dir in dirs:
            if self.standardization == "train_speakers":
                stats = np.load(run_dir / "feature_stats.npz")
                self.fold_stats.append((stats["mean"], stats["std"]))
            ckpt = FoldCheckpoints(run_dir / "checkpoints")
            pure, _ = ckpt.restore_best(nnx.to_pure_dict(state))
            ckpt.close()
            fold_state = nnx.clone(state)
            nnx.replace_by_pure_dict(fold_state, pure)
            self.states.append(fold_state)
        self._predict = jax.jit(
            functools.partial(train.predict_step, graphdef, frontend)
        )

    def posteriors(self, segments: input_pipeline.Segments) -> np.ndarray:
        """Mean posterior over the segments (of one recording) and the models."""
        batch = next(input_pipeline.batches(segments, len(segments)))
        if (
            self.standardization == "per_speaker_transductive"
        ):  # the file is its speaker
            own = standardization.mean_std(
                *standardization.segment_moments(self.frontend, segments)
            )
            stats = [own] * len(self.states)
        else:
            stats = self.fold_stats or [None] * len(self.states)
        probs = []
        for state, fold_stats in zip(self.states, stats, strict=True):
            if fold_stats is not None:
                batch.update(standardization.per_segment(*fold_stats, len(segments)))
            probs.append(np.asarray(self._predict(state, batch)))
        return np.mean(probs, axis=(0, 1))


class Classifier:
    """The best checkpoints of a run's folds, ready to score waveforms.

    A two-step run (`config.method="two_step"`) scores with each stage's
    models (posteriors averaged over folds per stage) and returns
    `two_step.combine`'s scores, whose top class is the two-step decision.
    """

    def __init__(self, workdir: str | Path, fold: int = -1):
        workdir = Path(workdir)
        config_path, results_path = workdir / "config.json", workdir / "results.json"
        if not config_path.exists() or not results_path.exists():
            raise FileNotFoundError(
                f"{workdir} holds no finished training run (config.json and results.json)."
            )
        self.config = ml_collections.ConfigDict(json.loads(config_path.read_text()))
        self.method = self.config.get("method", "neural")
        if self.method not in ("neural", "two_step"):
            raise ValueError(
                f"{workdir} is a {self.method!r} run; classify scores neural and "
                "two_step runs only."
            )
        self.class_names = json.loads(results_path.read_text())["class_names"]
        self.sample_rate = audio_io.SAMPLE_RATE
        self.max_samples = round(self.config.max_segment_seconds * self.sample_rate)
        frontend = frontends.create_frontend(
            self.config.frontend, self.sample_rate, self.max_samples
        )
        fold_dirs = sorted(p.parent for p in workdir.glob("fold_*/fold_result.json"))
        if fold >= 0:
            fold_dirs = [d for d in fold_dirs if d.name == f"fold_{fold:02d}"]
        if not fold_dirs:
            raise FileNotFoundError(f"{workdir}: no finished fold to classify with.")
        self.folds = [d.name for d in fold_dirs]
        k = len(self.class_names)
        if self.method == "neural":
            self.models = FoldModels(self.config, frontend, k, fold_dirs)
            return
        neutral = self.config.two_step.neutral
        self.neutral = self.class_names.index(neutral)
        self.models = FoldModels(
            self.config, frontend, k, [d / two_step.FIRST for d in fold_dirs]
        )
        binary_config = two_step.binary_config(self.config)
        self.binary = []  # (class id, its and neutral's columns, models)
        for name, other, names in two_step.binary_stages(self.class_names, neutral):
            self.binary.append(
                (
                    self.class_names.index(other),
                    [names.index(other), names.index(neutral)],
                    FoldModels(
                        binary_config, frontend, 2, [d / name for d in fold_dirs]
                    ),
                )
            )

    def posteriors(self, audio: np.ndarray) -> np.ndarray:
        """Mean posterior over segments and fold models for one 16 kHz waveform
        (two-step runs: the two-step scores of the stages' mean posteriors)."""
        segments = input_pipeline.make_segments(
            [audio_io.to_int16(audio)],
            np.zeros(1, np.int32),
            self.max_samples,
            mode=self.config.get("segmentation", "equal"),
        )
        probs = self.models.posteriors(segments)
        if self.method == "neural":
            return probs
        binary = {
            j: models.posteriors(segments)[None, columns]
            for j, columns, models in self.binary
        }
        return two_step.combine(probs[None], binary, self.neutral).scores[0]

    def classify_file(self, path: str | Path) -> np.ndarray:
        """Posteriors for a file; raises audio_io.AudioError naming the file."""
        return self.posteriors(audio_io.load_audio(path, self.sample_rate))


def classify_files(classifier: Classifier, paths: Sequence[str]) -> tuple[list, list]:
    """([(path, posteriors)], [(path, error message)]); one bad file stops nothing."""
    results, errors = [], []
    for path in paths:
        try:
            results.append((path, classifier.classify_file(path)))
        except audio_io.AudioError as e:
            errors.append((path, str(e)))
    return results, errors


def main(argv):
    paths = argv[1:]
    if not FLAGS.workdir or not paths:
        raise app.UsageError(
            "usage: python -m ser_jax.classify --workdir=RUN FILE [FILE ...]"
        )
    train.quiet_library_logs()
    classifier = Classifier(FLAGS.workdir, FLAGS.fold)
    names = classifier.class_names
    print(f"model: {FLAGS.workdir} ({', '.join(classifier.folds)})")
    results, errors = classify_files(classifier, paths)
    for path, probs in results:
        top = np.argsort(probs)[::-1][:3]
        print(
            f"{path}\t{names[top[0]]}\t"
            + "  ".join(f"{names[i]} {probs[i]:.2f}" for i in top)
        )
    for path, message in errors:
        print(f"{path}\tERROR\t{message}", file=sys.stderr)
    if FLAGS.output_csv:
        lines = ["file,prediction," + ",".join(f"p_{c}" for c in names)]
        lines += [
            f"{p},{names[int(q.argmax())]}," + ",".join(f"{x:.4f}" for x in q)
            for p, q in results
        ]
        Path(FLAGS.output_csv).write_text("\n".join(lines) + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    app.run(main)
