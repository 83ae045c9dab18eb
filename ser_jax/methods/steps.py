"""The pmapped training and prediction steps, their loss, optimiser and state.

Steps are pure functions of an NNX graphdef and state: the front-end,
augmentation and per-speaker standardisation run inside them, on the device,
so batches carry raw int16 audio; the front-end takes the batch's width (one
compiled step per length bucket). `jax.pmap` maps them over `AXIS`, one shard
of the global batch per device.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
from flax import nnx

from ser_jax import models
from ser_jax.data import emotions
from ser_jax.frontends import augmentation, for_width, standardization
from ser_jax.frontends.framing import pcm_to_float
from ser_jax.models.layers import BATCH_AXIS
from ser_jax.noise import sources as noise_sources

AXIS = BATCH_AXIS  # the pmap axis; BatchNorm sums statistics over it


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
# Loss.


def task_weights(config: ml_collections.ConfigDict) -> dict[str, float] | None:
    """Neumann's multi-task loss weights, or None for emotion alone.

    `config.tasks = {"activation": a, "valence": b}` gives
    `J = (1 - a - b) J_emotion + a J_activation + b J_valence`, the auxiliary
    classes derived from the emotion (`ser_jax.data.emotions`); a task of
    weight 0 is off.
    """
    tasks = dict(config.get("tasks") or {})
    if any(w < 0 for w in tasks.values()):
        raise ValueError(f"config.tasks weights must be >= 0, got {tasks}")
    tasks = {t: float(w) for t, w in tasks.items() if w > 0}
    if not tasks:
        return None
    unknown = set(tasks) - set(emotions.TASKS)
    if unknown:
        raise ValueError(
            f"config.tasks: unknown {sorted(unknown)}; known: {emotions.TASKS}"
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


# ----------------------------------------------------------------------------
# Steps (pure functions of graphdef + state, pmapped over devices).


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
        aug, "audio", pcm_to_float(batch["audio"]), batch["length"], copy, aug_key, AXIS
    )
    # Axis 1 is time: samples of audio `[B, N]`, or frames computed on the
    # host `[B, T, D]` (`frontends.precomputed`).
    features, lengths = for_width(frontend, audio.shape[1])(audio, lengths)
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
    return posteriors(graphdef, frontend, state, pcm_to_float(batch["audio"]), batch)


def noisy_predict_step(
    graphdef, frontend, sources, seed, state, batch, noise_id, snr_db
):
    """`predict_step` on the shard mixed with noise `noise_id` of `sources` at
    `snr_db`, a fresh excerpt per segment keyed by the seed, the noise and the
    segment's index (`ser_jax.noise.sources.evaluation_keys`), so every model
    and batch size hears the same noisy audio."""
    keys = noise_sources.evaluation_keys(seed, sources, noise_id, batch["index"])
    audio = sources.mix(
        pcm_to_float(batch["audio"]), batch["length"], noise_id, snr_db, keys
    )
    return posteriors(graphdef, frontend, state, audio, batch)


def posteriors(graphdef, frontend, state, audio, batch):
    """Class posteriors of float audio `[B, N]` or host frames `[B, T, D]`
    (no dropout)."""
    model, _ = nnx.merge(graphdef, state)
    model.eval()  # running statistics in BatchNorm layers
    features, lengths = for_width(frontend, audio.shape[1])(audio, batch["length"])
    features = standardization.apply(features, lengths, batch)
    return jax.nn.softmax(emotion_logits(model(features, lengths)), axis=-1)


# ----------------------------------------------------------------------------
# Optimiser and state.


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
            {t: len(emotions.TASK_CLASSES[t]) for t in weights if t != "emotion"}
            if weights
            else None
        ),
    )
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)
    graphdef, state = nnx.split((model, optimizer))
    return graphdef, state, schedule
