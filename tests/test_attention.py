"""Self-attention (`models.attention`) against `nnx.MultiHeadAttention`."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from ser_jax.models import attention, layers
from ser_jax.models.attention import SelfAttention, chunk_size, masked_attention

HEADS, DIM, FRAMES = 4, 32, 23
LENGTHS = np.array([23, 1, 7, 16, 22, 2])  # one valid frame, full, and between


def reference(seed: int = 0) -> nnx.MultiHeadAttention:
    return nnx.MultiHeadAttention(
        num_heads=HEADS, in_features=DIM, decode=False, rngs=nnx.Rngs(seed)
    )


def inputs():
    x = jax.random.normal(jax.random.key(1), (len(LENGTHS), FRAMES, DIM))
    return x, layers.valid_mask(jnp.asarray(LENGTHS), FRAMES)


def test_parameters_are_those_of_multi_head_attention():
    """Same names, shapes and initial values: checkpoints restore either way."""
    ours = nnx.to_pure_dict(nnx.state(SelfAttention(HEADS, DIM, rngs=nnx.Rngs(0))))
    theirs = nnx.to_pure_dict(nnx.state(reference()))
    assert jax.tree.structure(ours) == jax.tree.structure(theirs)
    jax.tree.map(np.testing.assert_array_equal, ours, theirs)


@pytest.mark.parametrize("chunk_budget", [1, 2 * HEADS * FRAMES**2, 1 << 30])
def test_outputs_and_gradients_equal_multi_head_attention(chunk_budget, monkeypatch):
    """Per example, in chunks of 2, and in one piece (`SCORE_CHUNK_ELEMENTS`)."""
    monkeypatch.setattr(attention, "SCORE_CHUNK_ELEMENTS", chunk_budget)
    ours, theirs = SelfAttention(HEADS, DIM, rngs=nnx.Rngs(0)), reference()
    x, valid = inputs()
    mask = valid[:, None, None, :]

    def loss_ours(model, x):
        return jnp.sum(jnp.sin(model(x, valid)))

    def loss_theirs(model, x):
        return jnp.sum(jnp.sin(model(x, mask=mask, deterministic=True)))

    np.testing.assert_allclose(
        ours(x, valid), theirs(x, mask=mask, deterministic=True), atol=2e-6
    )
    grads_ours = jax.jit(nnx.grad(loss_ours, argnums=(0, 1)))(ours, x)
    grads_theirs = jax.jit(nnx.grad(loss_theirs, argnums=(0, 1)))(theirs, x)
    np.testing.assert_allclose(grads_ours[1], grads_theirs[1], rtol=1e-4, atol=1e-5)
    jax.tree.map(
        lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4),
        nnx.to_pure_dict(grads_ours[0]),
        nnx.to_pure_dict(grads_theirs[0]),
    )


def test_padded_frames_never_reach_valid_outputs():
    model = SelfAttention(HEADS, DIM, rngs=nnx.Rngs(0))
    x, valid = inputs()
    noisy = jnp.where(valid[..., None], x, 1e3)
    keep = valid[..., None]
    np.testing.assert_allclose(
        jnp.where(keep, model(x, valid), 0),
        jnp.where(keep, model(noisy, valid), 0),
        atol=1e-5,
    )
    grad = jax.grad(lambda x: jnp.sum(jnp.where(keep, model(x, valid), 0)))(x)
    assert np.all(np.asarray(grad)[~np.asarray(valid)] == 0)


def test_masked_attention_is_a_weighted_mean_of_valid_values():
    """One valid key: every query returns that key's value."""
    q, k, v = jax.random.normal(jax.random.key(0), (3, 2, HEADS, FRAMES, 8))
    valid = layers.valid_mask(jnp.array([1, 1]), FRAMES)
    out = masked_attention(q, k, v, valid)
    np.testing.assert_allclose(out, jnp.broadcast_to(v[:, :, :1], out.shape), rtol=1e-6)


def test_an_example_without_valid_frames_averages_its_values():
    """As `nnx.dot_product_attention` does with every key masked: no NaN."""
    q, k, v = jax.random.normal(jax.random.key(0), (3, 2, HEADS, FRAMES, 8))
    valid = layers.valid_mask(jnp.array([0, 3]), FRAMES)
    out = masked_attention(q, k, v, valid)
    np.testing.assert_allclose(
        out[0], jnp.broadcast_to(v[0].mean(1, keepdims=True), out[0].shape), atol=1e-6
    )
    grads = jax.grad(
        lambda q, k, v: jnp.sum(masked_attention(q, k, v, valid)), (0, 1, 2)
    )(q, k, v)
    assert all(np.isfinite(np.asarray(g)).all() for g in grads)


def test_chunk_size_divides_the_batch_within_budget(monkeypatch):
    monkeypatch.setattr(attention, "SCORE_CHUNK_ELEMENTS", 1000)
    assert chunk_size(150, 100) == 10
    assert chunk_size(150, 130) == 6  # 7 fits the budget but does not divide 150
    assert chunk_size(149, 100) == 1  # prime: one example a chunk
    assert chunk_size(4, 10_000) == 1  # one example over budget still runs
    assert chunk_size(8, 10) == 8
    monkeypatch.setattr(attention.jax, "default_backend", lambda: "gpu")
    assert chunk_size(150, 100) == 150  # GPU/TPU: one piece


def test_heads_must_divide_the_features():
    with pytest.raises(ValueError, match="not divisible by 5 heads"):
        SelfAttention(5, DIM, rngs=nnx.Rngs(0))
