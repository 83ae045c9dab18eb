"""Trains, checkpoints and tests one neural model on one fold: `FoldRunner`.

Training is data-parallel with `jax.pmap` over the given devices. Each epoch
is followed by validation; Orbax keeps the latest epoch (to resume a killed
run: the data order and dropout keys derive from the seed, fold and step, so
a resumed fold equals an uninterrupted one) and the best on validation UAR
(to test). The neural method runs one per fold; two-step runs four.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Iterator
from pathlib import Path

import jax
import numpy as np
from absl import logging
from flax import nnx

from ser_jax import frontends, results
from ser_jax.data import batches as batching
from ser_jax.data.segments import Segments, make_segments
from ser_jax.frontends import augmentation, standardization
from ser_jax.methods.checkpoints import FoldCheckpoints
from ser_jax.methods.evaluation import evaluate, predict, utterance_mean
from ser_jax.methods.fold_data import prepare_fold_data
from ser_jax.methods.steps import (
    AXIS,
    create_state,
    noisy_predict_step,
    predict_step,
    replicate,
    task_weights,
    train_step,
    unreplicate,
)
from ser_jax.noise import sources as noise_sources

CLASS_BALANCE = ("weights", "oversample", "none")
SELECT_BY = ("uar", "wa")

# Fields that may change between invocations on one workdir: which fold to
# run, how many devices, how often to log, the evaluation batch.
RESUMABLE_FIELDS = ("fold", "num_devices", "log_every_steps", "eval_batch_size")


class FoldRunner:
    """Trains, checkpoints and tests one model on one fold.

    `data[split] = (utterance indices, segments)` for train, val and test;
    `build()` makes the state and the pmapped steps, `run()` trains (or
    resumes) and tests, and afterwards `utterance_posteriors` scores any
    utterances with the best checkpoint.
    """

    def __init__(self, config, corpus, fold, fold_dir: Path, devices, progress):
        self.config, self.corpus, self.fold, self.dir = config, corpus, fold, fold_dir
        self.devices = devices
        self.progress = progress
        self.num_devices = len(devices)
        for name in ("batch_size", "eval_batch_size"):
            if config[name] % self.num_devices:
                raise ValueError(
                    f"{name}={config[name]} is not divisible by {self.num_devices} devices"
                )
        self.max_samples = max_samples = round(
            config.max_segment_seconds * corpus.sample_rate
        )
        self.frontend = frontends.create_frontend(
            config.frontend, corpus.sample_rate, max_samples
        )
        self.augmentation = augmentation.create(
            config.get("augmentation"), self.frontend
        )
        # Length buckets: the batch widths (() = every batch max_samples wide).
        self.widths = batching.bucket_widths(
            max_samples, config.get("length_buckets") or 0
        )
        for width in self.widths:
            frontends.for_width(self.frontend, width)  # an unfit front-end says so
        # The validation metric that picks the best epoch (Satt et al. optimised
        # WA and found that optimising UA cost WA).
        self.select_by = config.get("select_by") or "uar"
        if self.select_by not in SELECT_BY:
            raise ValueError(
                f"select_by must be one of {SELECT_BY} ('' = uar), got "
                f"{config.select_by!r}"
            )
        self.task_weights = task_weights(config)
        fold_data = prepare_fold_data(
            config, corpus, fold, self.frontend, max_samples, self.task_weights
        )
        self.data, self.feature_stats = fold_data.splits, fold_data.feature_stats
        self.task_targets = fold_data.task_targets
        # A noisy test (config.evaluation) and noisy training copies share the
        # fold's noise sources; babble is made of its training speakers.
        self.test_noise = noise_sources.evaluation_setting(config)
        self.sources = None
        names = self.augmentation.noise + (
            (self.test_noise[0],) if self.test_noise else ()
        )
        if names:
            self.use_noises(names)
        if self.augmentation.noise:
            self.augmentation = dataclasses.replace(
                self.augmentation, sources=self.sources
            )

    def use_noises(self, names) -> noise_sources.NoiseSources:
        """Sets `self.sources` to the noises `names` for this fold (babble from
        its training speakers, never its test speakers)."""
        train_idx = self.data["train"][0]
        self.sources = noise_sources.create(
            tuple(dict.fromkeys(names)),
            self.corpus.sample_rate,
            self.config.seed,
            babble=(
                [self.corpus.audio[i] for i in train_idx],
                self.corpus.speakers[train_idx],
                self.fold.test_speakers,
            ),
            data_dir=self.config.dataset.get("data_dir") or None,
        )
        self.p_noisy = None
        return self.sources

    def build(self):
        """The initial state (unreplicated); sets the steps, schedule and weights."""
        config, k = self.config, len(self.corpus.class_names)
        train_segments = self.data["train"][1]
        if config.class_balance not in CLASS_BALANCE:
            raise ValueError(f"class_balance must be one of {CLASS_BALANCE}")
        epoch_size = len(train_segments)
        if config.class_balance == "oversample":
            counts = np.bincount(train_segments.labels)
            epoch_size = int((counts > 0).sum() * counts.max())
        self.copies = 1 + self.augmentation.copies
        self.steps_per_epoch = math.ceil(epoch_size * self.copies / config.batch_size)
        self.total_steps = self.steps_per_epoch * config.num_epochs
        self.graphdef, state, self.schedule = create_state(
            config,
            self.frontend,
            k,
            self.fold.index,
            self.total_steps,
            self.steps_per_epoch,
        )
        model = nnx.merge(self.graphdef, state)[0]
        self.template = nnx.to_pure_dict(state)
        self.state_struct = state
        self.num_params = sum(
            x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param))
        )
        self.p_train = jax.pmap(
            functools.partial(
                train_step,
                self.graphdef,
                self.frontend,
                self.augmentation,
                self.task_weights,
            ),
            axis_name=AXIS,
            devices=self.devices,
            in_axes=(0, 0, None),
            donate_argnums=(0,),
        )
        self.p_predict = jax.pmap(
            functools.partial(predict_step, self.graphdef, self.frontend),
            axis_name=AXIS,
            devices=self.devices,
        )
        weights = (
            batching.class_weights(train_segments.labels, k)
            if config.class_balance == "weights"
            else np.ones(k, np.float32)
        )
        self.example_weights = weights[train_segments.labels]
        return state

    def train_batches(self, epoch: int) -> Iterator[dict[str, np.ndarray]]:
        """Epoch `epoch`'s training batches, shuffled (or oversampled) and, with
        length buckets, grouped by bucket, by a seed of the run, fold and epoch,
        so a resumed run sees the same batches."""
        config, segments = self.config, self.data["train"][1]
        rng = np.random.default_rng([config.seed, self.fold.index, epoch])
        order = (
            batching.oversampled_order(segments.labels, rng)
            if config.class_balance == "oversample"
            else rng.permutation(len(segments))
        )
        order = batching.with_copies(order, len(segments), self.copies, rng)
        if self.widths:
            order = batching.bucketed_order(
                order,
                segments.lengths[order % len(segments)],
                self.widths,
                config.batch_size,
                rng,
            )
        return batching.batches(
            segments,
            config.batch_size,
            self.example_weights,
            order=order,
            copies=self.copies,
            widths=self.widths,
        )

    def predict(self, state, segments: Segments) -> np.ndarray:
        """Segment posteriors `[len(segments), classes]` of a replicated state."""
        return predict(
            self.p_predict,
            state,
            segments,
            self.config.eval_batch_size,
            self.num_devices,
            self.widths,
        )

    def predict_noisy(
        self, state, segments: Segments, noise: str, snr_db: float
    ) -> np.ndarray:
        """`predict` on the segments mixed with `noise` at `snr_db` on the device
        (`steps.noisy_predict_step`; `use_noises` first)."""
        if self.p_noisy is None:
            self.p_noisy = jax.pmap(
                functools.partial(
                    noisy_predict_step,
                    self.graphdef,
                    self.frontend,
                    self.sources,
                    self.config.seed,
                ),
                axis_name=AXIS,
                devices=self.devices,
                in_axes=(0, 0, None, None),
            )
        noise_id, p_noisy = self.sources.index(noise), self.p_noisy
        return predict(
            lambda s, b: p_noisy(s, b, noise_id, float(snr_db)),
            state,
            segments,
            self.config.eval_batch_size,
            self.num_devices,
        )

    def restore_best(self) -> dict:
        """Builds the steps and loads the fold's best checkpoint (of a finished
        fold, to test it again); returns its metadata."""
        self.build()
        ckpt = FoldCheckpoints(self.dir / "checkpoints")
        pure, best_meta = ckpt.restore_best(self.template)
        ckpt.close()
        self.best_state = self.to_device_state(pure)
        return best_meta

    def noisy_test_record(
        self, noise: str, snr_db: float, out_dir: Path, best_meta: dict
    ) -> dict:
        """The fold record of the restored best checkpoint (`restore_best`)
        tested with `noise` at `snr_db`; predictions go to `out_dir`."""
        return {
            "fold": self.fold.index,
            **self.fold.to_dict(),
            "num_utterances": {s: int(len(self.data[s][0])) for s in self.data},
            "num_segments": {s: len(self.data[s][1]) for s in self.data},
            "best_epoch": best_meta["best_epoch"],
            "selected_by": f"validation {self.select_by}",
            "checkpoint": str(self.dir / "checkpoints"),
            **self._test((noise, snr_db), out_dir, splits=("test",)),
        }

    def to_device_state(self, pure: dict):
        """A checkpoint's pure dict as the replicated state the steps take."""
        state = self.state_struct
        nnx.replace_by_pure_dict(state, pure)
        return replicate(state, self.devices)

    def run(self) -> dict:
        """Trains the fold (from its latest checkpoint if any), tests its best
        checkpoint and returns the fold record."""
        started = time.time()
        state = self.build()
        ckpt = FoldCheckpoints(self.dir / "checkpoints")
        if self.feature_stats is not None:  # what a classifier of new audio needs
            np.savez(self.dir / "feature_stats.npz", **self.feature_stats)
        # clu's writers import TensorFlow (seconds): only when a fold trains,
        # so scoring a run (ser_jax.classify) does not load it.
        from clu import metric_writers

        writer = metric_writers.create_default_writer(str(self.dir), asynchronous=False)
        history = self._train(state, ckpt, writer)
        pure, best_meta = ckpt.restore_best(self.template)
        ckpt.close()
        self.best_state = self.to_device_state(pure)
        record = {
            "fold": self.fold.index,
            **self.fold.to_dict(),
            "num_params": int(self.num_params),
            "num_utterances": {s: int(len(self.data[s][0])) for s in self.data},
            "num_segments": {s: len(self.data[s][1]) for s in self.data},
            "best_epoch": best_meta["best_epoch"],
            "selected_by": f"validation {self.select_by}",
            # Where the auxiliary tasks' classes came from (utterance counts).
            **({"task_targets": self.task_targets} if self.task_targets else {}),
            "history": history,
            **self._test(self.test_noise),
        }
        writer.write_scalars(
            self.total_steps,
            {
                "test_uar": record["test"]["utterance"]["uar"],
                "test_wa": record["test"]["utterance"]["wa"],
            },
        )
        writer.close()
        # This invocation's time on the fold (from its last checkpoint if resumed).
        record["seconds"] = round(time.time() - started, 1)
        return record

    def _train(self, state, ckpt: FoldCheckpoints, writer) -> list[dict]:
        """The epochs not trained yet, each validated and checkpointed; returns
        the history of every epoch."""
        config = self.config
        restored = ckpt.restore_latest(self.template)
        if restored is None:
            start_epoch, meta = (
                0,
                {
                    "best_val": -1.0,
                    "best_val_uar": -1.0,
                    "best_epoch": -1,
                    "history": [],
                },
            )
            rep_state = replicate(state, self.devices)
        else:
            pure, meta = restored
            start_epoch = int(meta["epoch"])
            rep_state = self.to_device_state(pure)
            logging.info(
                "Fold %d: resumed after epoch %d", self.fold.index, start_epoch
            )
        val_idx, val_segments = self.data["val"]
        base_key = jax.random.key(config.seed)
        for epoch in range(start_epoch, config.num_epochs):
            losses = []
            t0 = time.time()
            for i, batch in enumerate(self.train_batches(epoch)):
                step = epoch * self.steps_per_epoch + i
                rep_state, m = self.p_train(
                    rep_state,
                    batching.shard(batch, self.num_devices),
                    jax.random.fold_in(base_key, step),
                )
                losses.append(m["loss"])
                if (step + 1) % config.log_every_steps == 0:
                    writer.write_scalars(
                        step + 1,
                        {
                            "train_loss": float(m["loss"][0]),
                            "grad_norm": float(m["grad_norm"][0]),
                            "learning_rate": float(self.schedule(step)),
                        },
                    )
            train_loss = float(np.mean([np.asarray(x)[0] for x in losses]))
            epoch_seconds = time.time() - t0
            probs = self.predict(rep_state, val_segments)
            val = evaluate(
                probs,
                val_segments,
                self.corpus.labels[val_idx],
                self.corpus.class_names,
            )
            val_uar = val["utterance"]["uar"]
            step = (epoch + 1) * self.steps_per_epoch
            writer.write_scalars(
                step,
                {
                    "train_loss_epoch": train_loss,
                    "val_uar": val_uar,
                    "val_wa": val["utterance"]["wa"],
                    "steps_per_second": self.steps_per_epoch / epoch_seconds,
                },
            )
            meta["history"].append(
                {
                    "epoch": epoch + 1,
                    "train_loss": train_loss,
                    "val_uar": val_uar,
                    "val_wa": val["utterance"]["wa"],
                }
            )
            meta["epoch"] = epoch + 1
            state_now = unreplicate(nnx.to_pure_dict(rep_state))
            value = val["utterance"][self.select_by]
            # Checkpoints of runs from before select_by hold best_val_uar only.
            if value > meta.get("best_val", meta["best_val_uar"]):
                meta.update(
                    best_val=value,
                    best_val_uar=val_uar,
                    best_epoch=epoch + 1,
                    select_by=self.select_by,
                )
                ckpt.save_best(epoch + 1, state_now, meta)
            ckpt.save_latest(epoch + 1, state_now, meta)
            self.progress.epoch_done(
                self.fold.index,
                epoch + 1,
                train_loss,
                val_uar,
                meta,
                self.steps_per_epoch / epoch_seconds,
            )
        ckpt.wait_until_finished()
        return meta["history"]

    def _test(
        self,
        noise: tuple[str, float] | None = None,
        out_dir: Path | None = None,
        splits: tuple[str, ...] = ("val", "test"),
    ) -> dict:
        """`{"val": metrics, "test": metrics}` of the best checkpoint; writes the
        test utterances' posteriors to `out_dir`/test_predictions.csv (the
        fold's directory by default).

        With `noise = (name, snr_db)` the test audio is mixed with that noise
        (validation stays clean: it picked the checkpoint) and the record says
        so under `evaluation`.
        """
        out = {}
        if noise is not None:
            out["evaluation"] = noise_sources.test_condition(*noise)
        for split in splits:
            idx, segments = self.data[split]
            if split == "test" and noise is not None:
                probs = self.predict_noisy(self.best_state, segments, *noise)
            else:
                probs = self.predict(self.best_state, segments)
            result = evaluate(
                probs, segments, self.corpus.labels[idx], self.corpus.class_names
            )
            utt_probs = result.pop("utterance_probs")
            if split == "test":
                results.write_predictions(
                    (out_dir or self.dir) / "test_predictions.csv",
                    self.corpus,
                    idx,
                    utt_probs.argmax(-1),
                    utt_probs,
                )
            out[split] = result
        return out

    def utterance_posteriors(self, corpus, idx: np.ndarray) -> np.ndarray:
        """Posteriors `[len(idx), classes]` of `corpus`'s utterances `idx` by the
        best checkpoint (mean over each utterance's segments); call after `run()`.

        `corpus` may be another view of this fold's data (two_step's binary
        models score every test utterance, not only their two classes): the
        utterances are cut as in training and standardised with this fold's
        training-speaker statistics, or, per speaker, over the utterances given.
        """
        segments = make_segments(
            [corpus.audio[i] for i in idx],
            np.zeros(len(idx), np.int32),
            self.max_samples,
            mode=self.config.segmentation,
        )
        if self.feature_stats is not None:
            segments.extras.update(
                standardization.per_segment(
                    self.feature_stats["mean"], self.feature_stats["std"], len(segments)
                )
            )
        elif self.config.feature_standardization != "none":
            speakers = standardization.speakers_of(corpus.speakers, idx, segments)
            standardization.attach(
                self.config.feature_standardization,
                self.frontend,
                {"utterances": (segments, speakers)},
            )
        probs = self.predict(self.best_state, segments)
        return utterance_mean(probs, segments, len(idx))
