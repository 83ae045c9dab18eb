"""Trained models scoring new audio: a model's best checkpoints, ready to use.

`ser_jax.classify` scores a recording's segments with every finished fold of a
run; each method that can classify (`Method.load_scorer`) builds its scorer
from `TrainedModels`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import jax
import ml_collections
import numpy as np
from flax import nnx

from ser_jax.data.batches import batches
from ser_jax.data.segments import Segments
from ser_jax.frontends import FrontendLike, standardization
from ser_jax.methods.checkpoints import FoldCheckpoints
from ser_jax.methods.steps import create_state, predict_step


class Scorer(Protocol):
    """What classify needs of a trained run: one recording's posteriors."""

    def posteriors(self, segments: Segments) -> np.ndarray:
        """`[num_classes]`: the run's class posteriors for one recording's segments."""
        ...


class TrainedModels:
    """One model's best checkpoints in several run directories (a fold's, or a
    two-step stage's), with their standardisation, ready to score segments."""

    def __init__(
        self,
        config: ml_collections.ConfigDict,
        frontend: FrontendLike,
        num_classes: int,
        dirs: Sequence[Path],
    ):
        graphdef, state, _ = create_state(
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
        self._predict = jax.jit(functools.partial(predict_step, graphdef, frontend))

    def posteriors(self, segments: Segments) -> np.ndarray:
        """Mean posterior over the segments (of one recording) and the models."""
        batch = next(batches(segments, len(segments)))
        if self.standardization == "per_speaker_transductive":
            # The recording is its own speaker.
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
