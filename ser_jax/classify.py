"""Classifies new recordings with a trained run.

    python -m ser_jax.classify --workdir=runs/ravdess clip1.wav clip2.flac

Each recording is read at any sample rate (resampled to 16 kHz), cut into
segments as in training, and scored by the best checkpoint of every finished
fold (`--fold=K` for one); the posteriors are averaged. A two-step run
(`configs/satt_two_step.py`) averages each stage's posteriors over folds and
then applies the two-step rule (`ser_jax.methods.two_step.combine`); each
method that can classify says how (`Method.load_scorer`). A file that cannot be
used (missing, corrupt, empty, too short) is reported with its reason and the
others are still classified; the exit status is 1 if any file failed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import ml_collections
import numpy as np
from absl import app, flags

from data_builders import audio as audio_files
from ser_jax import frontends, methods, runtime
from ser_jax.data.segments import make_segments

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "A finished (or partly finished) training run.")
flags.DEFINE_integer("fold", -1, "Use this fold's model only (-1: average all folds).")
flags.DEFINE_string("output_csv", None, "Also write the posteriors here.")


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
        method = methods.of(self.config)
        if method.load_scorer is None:
            able = [m.name for m in methods.METHODS.values() if m.load_scorer]
            raise ValueError(
                f"{workdir} is a {method.name!r} run; classify scores {' and '.join(able)} "
                "runs only."
            )
        self.class_names = json.loads(results_path.read_text())["class_names"]
        self.sample_rate = audio_files.SAMPLE_RATE
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
        self.scorer = method.load_scorer(
            self.config, self.class_names, fold_dirs, frontend
        )

    def posteriors(self, audio: np.ndarray) -> np.ndarray:
        """Mean posterior over segments and fold models for one 16 kHz waveform
        (two-step runs: the two-step scores of the stages' mean posteriors)."""
        segments = make_segments(
            [audio_files.to_int16(audio)],
            np.zeros(1, np.int32),
            self.max_samples,
            mode=self.config.get("segmentation", "equal"),
        )
        return self.scorer.posteriors(segments)

    def classify_file(self, path: str | Path) -> np.ndarray:
        """Posteriors for a file; raises `AudioError` naming the file."""
        return self.posteriors(audio_files.load_audio(path, self.sample_rate))


def classify_files(classifier: Classifier, paths: Sequence[str]) -> tuple[list, list]:
    """([(path, posteriors)], [(path, error message)]); one bad file stops nothing."""
    results, errors = [], []
    for path in paths:
        try:
            results.append((path, classifier.classify_file(path)))
        except audio_files.AudioError as e:
            errors.append((path, str(e)))
    return results, errors


def main(argv):
    paths = argv[1:]
    if not FLAGS.workdir or not paths:
        raise app.UsageError(
            "usage: python -m ser_jax.classify --workdir=RUN FILE [FILE ...]"
        )
    runtime.quiet_library_logs()
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
