"""Training and speaker-independent evaluation: `train_and_evaluate(config, workdir)`.

One call runs every fold of the protocol (or `config.fold` alone). Each fold
trains data-parallel with `jax.pmap` over the local devices, keeps Orbax
checkpoints of its latest and best-on-validation epochs, and is skipped when
its result already exists, so a killed run resumes where it stopped.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from absl import logging
from clu import metric_writers
from flax import nnx

from ser_jax import (
    augmentation,
    dimensions,
    experiment,
    frontends,
    input_pipeline,
    metrics,
    models,
    protocols,
    reporting,
    standardization,
)
from ser_jax.checkpoints import FoldCheckpoints

AXIS = "batch"
CLASS_BALANCE = ("weights", "oversample", "none")


def quiet_library_logs() -> None:
    """Orbax logs every save at INFO; keep the terminal for progress lines."""
    logging.get_absl_handler().addFilter(lambda r: "/orbax/" not in r.pathname)


# ----------------------------------------------------------------------------
# Devices and replicated state.


def local_devices(num_devices: int) -> list[jax.Device]:
    """The first `num_devices` local devices (all of them for 0)."""
    devices = jax.local_devices()
    if num_devices > len(devices):
        raise ValueError(
            f"num_devices={num_devices}, but only {len(devices)} are available"
        )
    return devices[: num_devices or len(devices)]


def replicate(tree: Any, devices: list[jax.Device]) -> Any:
    """Stacks a copy per device; pmap places slice i on device i."""
    return jax.tree.map(lambda x: np.stack([np.asarray(x)] * len(devices)), tree)


def unreplicate(tree: Any) -> Any:
    return jax.tree.map(lambda x: np.asarray(x[0]), tree)


# ----------------------------------------------------------------------------
# Steps (pure functions of graphdef + state, pmapped over devices).


def to_float(audio: jax.Array) -> jax.Array:
    return audio.astype(jnp.float32) / 32768.0


def task_weights(config: ml_collections.ConfigDict) -> dict[str, float] | None:
    """Neumann's multi-task loss weights, or None for emotion alone.

    `config.tasks = {"activation": a, "valence": b}` gives
    `J = (1 - a - b) J_emotion + a J_activation + b J_valence`, the auxiliary
    classes derived from the emotion (`ser_jax.dimensions`); a task of weight
    0 is off.
    """
    tasks = dict(config.get("tasks") or {})
    if any(w < 0 for w in tasks.values()):
        raise ValueError(f"config.tasks weights must be >= 0, got {tasks}")
    tasks = {t: float(w) for t, w in tasks.items() if w > 0}
    if not tasks:
        return None
    unknown = set(tasks) - set(dimensions.TASKS)
    if unknown:
        raise ValueError(
            f"config.tasks: unknown {sorted(unknown)}; known: {dimensions.TASKS}"
        )
    if sum(tasks.values()) >= 1:
        raise ValueError(f"config.tasks weights must sum below 1, got {tasks}")
    return {"emotion": 1.0 - sum(tasks.values()), **tasks}


def label_key(task: str) -> str:
    """The batch field holding a task's labels."""
    return "label" if task == "emotion" else f"{task}_label"


def example_loss(outputs, batch, weights: dict[str, float] | None) -> jax.Array:
    """Per-example cross-entropy: of the emotion, or the tasks' weighted sum."""
    if weights is None:
        return optax.softmax_cross_entropy_with_integer_labels(outputs, batch["label"])
    return sum(
        w
        * optax.softmax_cross_entropy_with_integer_labels(
            outputs[t], batch[label_key(t)]
        )
        for t, w in weights.items()
    )


def emotion_logits(outputs) -> jax.Array:
    """A model's emotion scores, whether or not it has auxiliary heads."""
    return outputs["emotion"] if isinstance(outputs, dict) else outputs


def train_step(graphdef, frontend, aug, weights, state, batch, key):
    """One step on a device's shard; gradients sum to the global-batch gradient.

    Each device divides its weighted loss by the global weight total, so the
    psum of per-device gradients equals the gradient of the loss over the whole
    batch: results do not depend on the number of devices. Dropout draws a
    different key on every device; augmentation keys follow the example's
    place in the global batch (`augmentation.example_keys`).
    """
    model, optimizer = nnx.merge(graphdef, state)
    model.train()  # batch statistics in BatchNorm layers
    aug_key = jax.random.fold_in(key, 0x5EED)  # not a device index
    key = jax.random.fold_in(key, jax.lax.axis_index(AXIS))
    copy = batch.get("copy", jnp.zeros_like(batch["length"]))
    audio, lengths = augmentation.apply(
        aug, "audio", to_float(batch["audio"]), batch["length"], copy, aug_key, AXIS
    )
    features, lengths = frontend(audio, lengths)
    features, lengths = augmentation.apply(
        aug, "features", features, lengths, copy, aug_key, AXIS
    )
    features = standardization.apply(features, lengths, batch)
    weight = batch["weight"]
    total_weight = jnp.maximum(jax.lax.psum(weight.sum(), AXIS), 1e-9)

    def loss_fn(model):
        outputs = model(features, lengths, dropout_key=key)
        return (example_loss(outputs, batch, weights) * weight).sum() / total_weight

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    grads = jax.lax.psum(grads, AXIS)
    optimizer.update(model, grads)
    step_metrics = {
        "loss": jax.lax.psum(loss, AXIS),
        "grad_norm": optax.tree.norm(grads),
    }
    return nnx.state((model, optimizer)), step_metrics


def predict_step(graphdef, frontend, state, batch):
    """Class posteriors for a device's shard (no dropout)."""
    model, _ = nnx.merge(graphdef, state)
    model.eval()  # running statistics in BatchNorm layers
    features, lengths = frontend(to_float(batch["audio"]), batch["length"])
    features = standardization.apply(features, lengths, batch)
    return jax.nn.softmax(emotion_logits(model(features, lengths)), axis=-1)


def create_optimizer(
    config: ml_collections.ConfigDict, total_steps: int, steps_per_epoch: int
):
    """AdamW with linear warm-up and cosine decay."""
    schedule = optax.warmup_cosine_decay_schedule(
        init_value=0.0,
        peak_value=config.learning_rate,
        warmup_steps=min(config.warmup_epochs * steps_per_epoch, total_steps - 1),
        decay_steps=total_steps,
        end_value=config.learning_rate * 0.01,
    )
    tx = optax.adamw(schedule, weight_decay=config.weight_decay)
    if config.grad_clip_norm:
        tx = optax.chain(optax.clip_by_global_norm(config.grad_clip_norm), tx)
    return tx, schedule


def create_state(
    config,
    frontend,
    num_classes: int,
    fold_index: int,
    total_steps: int,
    steps_per_epoch: int,
):
    """(graphdef, state, schedule) of the model and its optimizer, as checkpointed."""
    tx, schedule = create_optimizer(config, total_steps, steps_per_epoch)
    rngs = nnx.Rngs(params=jax.random.fold_in(jax.random.key(config.seed), fold_index))
    weights = task_weights(config)
    model = models.create_model(
        config.model,
        frontend.output_shape,
        num_classes,
        rngs,
        auxiliary_classes=(
            {t: len(dimensions.CLASSES[t]) for t in weights if t != "emotion"}
            if weights
            else None
        ),
    )
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    graphdef, state = nnx.split((model, optimizer))
    return graphdef, state, schedule


# ----------------------------------------------------------------------------
# Evaluation.


def predict(
    p_predict, state, segments, batch_size: int, num_devices: int
) -> np.ndarray:
    """Posteriors `[num_segments, num_classes]` in segment order."""
    outputs = []
    for batch in input_pipeline.batches(segments, batch_size):
        probs = p_predict(state, input_pipeline.shard(batch, num_devices))
        probs = np.asarray(probs).reshape(batch_size, -1)
        outputs.append(probs[batch["index"] >= 0])
    return np.concatenate(outputs)


def utterance_mean(
    probs: np.ndarray, segments: input_pipeline.Segments, num_utterances: int
) -> np.ndarray:
    """Utterance posteriors `[num_utterances, classes]`: the mean over its segments."""
    utt_probs = np.zeros((num_utterances, probs.shape[-1]))
    np.add.at(utt_probs, segments.utterance, probs)
    counts = np.bincount(segments.utterance, minlength=num_utterances)
    return utt_probs / np.maximum(counts, 1)[:, None]


def evaluate(
    probs: np.ndarray,
    segments: input_pipeline.Segments,
    utterance_labels: np.ndarray,
    class_names: list[str],
) -> dict:
    """Metrics per segment and per utterance (mean of its segments' posteriors)."""
    k = len(class_names)
    seg_cm = metrics.confusion_matrix(segments.labels, probs.argmax(-1), k)
    utt_probs = utterance_mean(probs, segments, len(utterance_labels))
    utt_cm = metrics.confusion_matrix(utterance_labels, utt_probs.argmax(-1), k)
    out = {}
    for level, cm in (("segment", seg_cm), ("utterance", utt_cm)):
        out[level] = metrics.metrics_from_confusion(cm, class_names)
        out[level]["confusion_matrix"] = cm.tolist()
    out["utterance_probs"] = utt_probs
    return out


# ----------------------------------------------------------------------------
# One fold.


class FoldRunner:
    """Trains, checkpoints and tests one fold."""

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
        self.task_weights = task_weights(config)
        self.data = {}
        for split, speakers in (
            ("train", fold.train_speakers),
            ("val", fold.val_speakers),
            ("test", fold.test_speakers),
        ):
            idx = corpus.select(speakers)
            if len(idx) == 0:
                raise ValueError(
                    f"Fold {fold.index}: no {split} utterances for speakers {speakers}"
                )
            self.data[split] = (
                idx,
                input_pipeline.make_segments(
                    [corpus.audio[i] for i in idx],
                    corpus.labels[idx],
                    max_samples,
                    mode=config.segmentation,
                ),
            )
            for task in self.task_weights or ():
                if task != "emotion":
                    table = dimensions.task_labels(task, corpus.class_names)
                    segments = self.data[split][1]
                    segments.extras[label_key(task)] = table[segments.labels]
        protocols.check_no_leakage(
            fold,
            train_speakers=corpus.speakers[self.data["train"][0]],
            val_speakers=corpus.speakers[self.data["val"][0]],
        )
        self.feature_stats = standardization.attach(
            config.feature_standardization,
            self.frontend,
            {
                split: (seg, standardization.speakers_of(corpus.speakers, idx, seg))
                for split, (idx, seg) in self.data.items()
            },
        )

    def build(self):
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
            input_pipeline.class_weights(train_segments.labels, k)
            if config.class_balance == "weights"
            else np.ones(k, np.float32)
        )
        self.example_weights = weights[train_segments.labels]
        return state

    def train_batches(self, epoch: int) -> Iterator[dict[str, np.ndarray]]:
        """Epoch `epoch`'s training batches, shuffled (or oversampled) by a seed of
        the run, fold and epoch, so a resumed run sees the same batches."""
        config, segments = self.config, self.data["train"][1]
        rng = np.random.default_rng([config.seed, self.fold.index, epoch])
        order = (
            input_pipeline.oversampled_order(segments.labels, rng)
            if config.class_balance == "oversample"
            else rng.permutation(len(segments))
        )
        order = input_pipeline.with_copies(order, len(segments), self.copies, rng)
        return input_pipeline.batches(
            segments,
            config.batch_size,
            self.example_weights,
            order=order,
            copies=self.copies,
        )

    def to_device_state(self, pure: dict):
        state = self.state_struct
        nnx.replace_by_pure_dict(state, pure)
        return replicate(state, self.devices)

    def run(self) -> dict:
        config = self.config
        started = time.time()
        state = self.build()
        ckpt = FoldCheckpoints(self.dir / "checkpoints")
        restored = ckpt.restore_latest(self.template)
        if restored is None:
            start_epoch, meta = (
                0,
                {"best_val_uar": -1.0, "best_epoch": -1, "history": []},
            )
            rep_state = replicate(state, self.devices)
        else:
            pure, meta = restored
            start_epoch = int(meta["epoch"])
            rep_state = self.to_device_state(pure)
            logging.info(
                "Fold %d: resumed after epoch %d", self.fold.index, start_epoch
            )

        if self.feature_stats is not None:  # what a classifier of new audio needs
            np.savez(self.dir / "feature_stats.npz", **self.feature_stats)
        writer = metric_writers.create_default_writer(str(self.dir), asynchronous=False)
        val_idx, val_segments = self.data["val"]
        base_key = jax.random.key(config.seed)
        for epoch in range(start_epoch, config.num_epochs):
            losses = []
            t0 = time.time()
            for i, batch in enumerate(self.train_batches(epoch)):
                step = epoch * self.steps_per_epoch + i
                rep_state, m = self.p_train(
                    rep_state,
                    input_pipeline.shard(batch, self.num_devices),
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
            probs = predict(
                self.p_predict,
                rep_state,
                val_segments,
                config.eval_batch_size,
                self.num_devices,
            )
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
                {"epoch": epoch + 1, "train_loss": train_loss, "val_uar": val_uar}
            )
            meta["epoch"] = epoch + 1
            state_now = unreplicate(nnx.to_pure_dict(rep_state))
            if val_uar > meta["best_val_uar"]:
                meta.update(best_val_uar=val_uar, best_epoch=epoch + 1)
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

        pure, best_meta = ckpt.restore_best(self.template)
        ckpt.close()
        rep_state = self.best_state = self.to_device_state(pure)
        record = {
            "fold": self.fold.index,
            **self.fold.to_dict(),
            "num_params": int(self.num_params),
            "num_utterances": {s: int(len(self.data[s][0])) for s in self.data},
            "num_segments": {s: len(self.data[s][1]) for s in self.data},
            "best_epoch": best_meta["best_epoch"],
            "history": meta["history"],
        }
        for split in ("val", "test"):
            idx, segments = self.data[split]
            probs = predict(
                self.p_predict,
                rep_state,
                segments,
                config.eval_batch_size,
                self.num_devices,
            )
            result = evaluate(
                probs, segments, self.corpus.labels[idx], self.corpus.class_names
            )
            if split == "test":
                probs = result.pop("utterance_probs")
                reporting.write_predictions(
                    self.dir / "test_predictions.csv",
                    self.corpus,
                    idx,
                    probs.argmax(-1),
                    probs,
                )
            else:
                result.pop("utterance_probs")
            record[split] = result
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

    def utterance_posteriors(self, corpus, idx: np.ndarray) -> np.ndarray:
        """Posteriors `[len(idx), classes]` of `corpus`'s utterances `idx` by the
        best checkpoint (mean over each utterance's segments); call after `run()`.

        `corpus` may be another view of this fold's data (two_step's binary
        models score every test utterance, not only their two classes): the
        utterances are cut as in training and standardised with this fold's
        training-speaker statistics, or, per speaker, over the utterances given.
        """
        segments = input_pipeline.make_segments(
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
        probs = predict(
            self.p_predict,
            self.best_state,
            segments,
            self.config.eval_batch_size,
            self.num_devices,
        )
        return utterance_mean(probs, segments, len(idx))


class Progress:
    """Logs fold k of K, epoch, loss, steps/s, validation UAR and the run's ETA."""

    def __init__(self, num_folds: int, num_epochs: int, epochs_to_train: int):
        """`epochs_to_train`: every epoch of every model this invocation may train."""
        self.num_folds, self.num_epochs = num_folds, num_epochs
        self.remaining_epochs = epochs_to_train
        self.start = time.time()
        self.done_epochs = 0

    def epoch_done(self, fold, epoch, loss, val_uar, meta, steps_per_second) -> None:
        self.done_epochs += 1
        self.remaining_epochs -= 1
        per_epoch = (time.time() - self.start) / self.done_epochs
        eta = per_epoch * self.remaining_epochs
        logging.info(
            "fold %d/%d epoch %d/%d: train loss %.4f, val UAR %.1f%% (best %.1f%% @ %d), "
            "%.2f steps/s, ETA %s",
            fold + 1,
            self.num_folds,
            epoch,
            self.num_epochs,
            loss,
            100 * val_uar,
            100 * meta["best_val_uar"],
            meta["best_epoch"],
            steps_per_second,
            time.strftime("%H:%M:%S", time.gmtime(eta)),
        )


# ----------------------------------------------------------------------------
# The whole protocol.


# Fields that may change between invocations on one workdir: where data lives,
# which fold to run, how many devices, how often to log.
RESUMABLE_FIELDS = ("fold", "num_devices", "log_every_steps", "eval_batch_size")


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict:
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
    records = exp.run(
        lambda fold, fold_dir: FoldRunner(
            config, exp.corpus, fold, fold_dir, devices, progress
        ).run()
    )
    return exp.write_results(
        records,
        title=f"{exp.corpus.name} {exp.protocol}",
        devices=[d.device_kind for d in devices],
    )
