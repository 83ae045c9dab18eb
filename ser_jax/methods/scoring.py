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

from ser_jax.data.batches import gather
from ser_jax.data.segments import Segments
from ser_jax.frontends import FrontendLike, standardization
from ser_jax.methods.checkpoints import FoldCheckpoints
from ser_jax.methods.steps import create_state, predict_step


class Scorer(Protocol):
    """What classify needs of a trained run: one recording's posteriors, and
    each segment's (timelines and streams)."""

    def posteriors(self, segments: Segments) -> np.ndarray:
        """`[num_classes]`: the run's class posteriors for one recording's segments."""
        ...

    def segment_posteriors(self, segments: Segments) -> np.ndarray:
        """`[S, num_classes]`: the run's class posteriors of each segment alone."""
        ...


def bucket_size(n: int, largest: int = 32) -> int:
    """The batch size `n` segments are scored in: the next power of two, at
    most `largest`, so a scorer compiles a handful of shapes whatever the
    recording's length (the last batch is padded)."""
    return min(largest, 1 << max(0, n - 1).bit_length())


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
        self.num_classes = num_classes
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
        self.graphdef = graphdef
        self._predict = jax.jit(functools.partial(predict_step, graphdef, frontend))

    def model(self, m: int = 0) -> nnx.Module:
        """The `m`-th checkpoint's model, in eval mode."""
        model, _ = nnx.merge(self.graphdef, self.states[m])
        model.eval()
        return model

    def statistics(
        self, segments: Segments
    ) -> list[tuple[np.ndarray, np.ndarray] | None]:
        """Each model's feature mean and std for `segments` (None: no
        standardisation). A `per_speaker_transductive` run standardises with
        the statistics of the segments given (the recording is its own
        speaker); `train_speakers`, with its fold's training statistics."""
        if self.standardization == "per_speaker_transductive":
            own = standardization.mean_std(
                *standardization.segment_moments(self.frontend, segments)
            )
            return [own] * len(self.states)
        return self.fold_stats or [None] * len(self.states)

    def segment_posteriors(self, segments: Segments) -> np.ndarray:
        """`[S, K]`: each segment's posterior, the mean over the models.

        Segments are scored in batches of `bucket_size`, the last one padded
        only to the next power of two (75 windows: 32 + 32 + 16 rows, not
        3 x 32); in eval mode no layer mixes the examples of a batch, so a
        segment's posterior does not depend on what it is scored with.
        Standardisation: `statistics`.
        """
        if len(segments) == 0:
            raise ValueError("no segments to score")
        stats = self.statistics(segments)
        size = bucket_size(len(segments))
        probs = np.zeros((len(self.states), len(segments), self.num_classes))
        for start in range(0, len(segments), size):
            idx = np.arange(start, min(start + size, len(segments)))
            rows = bucket_size(len(idx), size)
            batch = gather(segments, idx, rows)
            keep = batch["index"] >= 0
            for m, (state, fold_stats) in enumerate(
                zip(self.states, stats, strict=True)
            ):
                if fold_stats is not None:
                    batch.update(standardization.per_segment(*fold_stats, rows))
                out = np.asarray(self._predict(state, batch))
                probs[m, batch["index"][keep]] = out[keep]
        return probs.mean(0)

    def posteriors(self, segments: Segments) -> np.ndarray:
        """Mean posterior over the segments (of one recording) and the models."""
        return self.segment_posteriors(segments).mean(0)
