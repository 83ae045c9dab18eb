"""`ser_jax.models.pooling.max_pool`: `nnx.max_pool`'s outputs and gradients, bitwise."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from ser_jax.models.pooling import max_pool

# (input shape [B, *spatial, C], window): the models' pools, small, with sizes
# that leave trailing positions outside every window.
CASES = {
    "conv_block_2x2": ((3, 9, 7, 4), (2, 2)),
    "anand_time_only": ((2, 8, 1, 3), (2, 1)),
    "keesing_1d": ((3, 11, 5), (2,)),
    "uneven_3x2": ((2, 10, 7, 2), (3, 2)),
}


def pool_grads(x, window, weights):
    """Gradients of a weighted sum of both pools' outputs with respect to `x`."""

    def loss(pool):
        return lambda x: jnp.sum(pool(x) * weights)

    ours = jax.grad(loss(lambda x: max_pool(x, window)))(x)
    reference = jax.grad(loss(lambda x: nnx.max_pool(x, window, strides=window)))(x)
    return ours, reference


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
def test_equals_nnx_max_pool(case, ties):
    shape, window = CASES[case]
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    if ties:  # few distinct values: most windows hold their maximum twice or more
        x = np.round(x)
    x = jnp.asarray(x)
    reference = nnx.max_pool(x, window, strides=window)
    np.testing.assert_array_equal(max_pool(x, window), reference)
    weights = jnp.arange(1.0, 1.0 + reference.size).reshape(reference.shape)
    ours, theirs = jax.jit(pool_grads, static_argnums=1)(x, window, weights)
    # Every window sends its gradient to one element (the first maximum), and
    # the rest of the input gets none: exactly as select_and_scatter does.
    np.testing.assert_array_equal(ours, theirs)
    assert int(jnp.sum(ours != 0)) == reference.size


def test_after_relu_zeros_take_the_gradient_as_before():
    """A window of zeros (ReLU'd negatives, masked padding) routes like nnx's."""
    x = jnp.zeros((1, 4, 4, 1)).at[0, 1, 3, 0].set(2.0)
    ours, theirs = pool_grads(x, (2, 2), jnp.ones((1, 2, 2, 1)))
    np.testing.assert_array_equal(ours, theirs)
    assert ours[0, 0, 0, 0] == 1.0  # the first of a zero window's tied maxima
    assert ours[0, 1, 3, 0] == 1.0
