"""`ser_jax.models.normalization.normalize`: autodiff's outputs and gradients.

The reference is the same function left to `jax.grad` (statistics, then the
affine normalisation), on one device and pmapped over two devices that hold
different numbers of valid frames.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ser_jax.models import normalization

EPSILON = 1e-5


def reference(x, weight, scale, bias, axis_name=None):
    mean, var = normalization.statistics(x, weight, axis_name)
    return (x - mean) * jax.lax.rsqrt(var + EPSILON) * scale + bias


def ours(x, weight, scale, bias, axis_name=None):
    return normalization.normalize(x, weight, scale, bias, EPSILON, axis_name)[0]


def example(shape, lengths, seed=0):
    """x [B, T, ..., C] (mean 1, std 3), a [B, T, ..., 1] valid weight, a cotangent."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    valid = np.arange(shape[1])[None, :] < np.asarray(lengths)[:, None]
    weight = valid.reshape(valid.shape + (1,) * (len(shape) - 2)).astype(np.float32)
    weight = np.broadcast_to(weight, shape[:-1] + (1,))
    cotangent = rng.standard_normal(shape).astype(np.float32)
    scale = (1 + 0.5 * rng.standard_normal(shape[-1])).astype(np.float32)
    bias = rng.standard_normal(shape[-1]).astype(np.float32)
    return x, np.ascontiguousarray(weight), scale, bias, cotangent


def grads(f, x, weight, scale, bias, cotangent, axis_name=None):
    """(output, d/dx, d/dscale, d/dbias) of `sum(f(...) * cotangent)`."""

    def loss(x, scale, bias):
        y = f(x, weight, scale, bias, axis_name)
        return jnp.sum(y * cotangent), y

    (_, y), g = jax.value_and_grad(loss, argnums=(0, 1, 2), has_aux=True)(
        x, scale, bias
    )
    return (y, *g)


@pytest.mark.parametrize(
    "shape, lengths",
    [((3, 7, 5, 4), [7, 4, 1]), ((4, 9, 3), [9, 9, 9, 9]), ((2, 6, 3), [0, 6])],
    ids=["2d_padded", "1d_all_valid", "1d_empty_example"],
)
def test_equals_autodiff_on_one_device(shape, lengths):
    args = example(shape, lengths)
    got = jax.jit(functools.partial(grads, ours))(*args)
    want = jax.jit(functools.partial(grads, reference))(*args)
    np.testing.assert_array_equal(got[0], want[0])  # the same forward pass
    for a, b in zip(got[1:], want[1:], strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


def test_equals_autodiff_over_two_devices_with_uneven_padding():
    """Statistics and the backward pass's sums are global over the pmap axis."""
    assert jax.local_device_count() >= 2  # conftest: two CPU devices
    x, weight, scale, bias, cotangent = example((4, 10, 3), [10, 9, 2, 1])

    def per_device(f):
        # Each device's parameter gradients are its share; the training step
        # sums them over devices, as here.
        def run(x, weight, cotangent):
            y, dx, dscale, dbias = grads(
                f, x, weight, scale, bias, cotangent, axis_name="batch"
            )
            return y, dx, jax.lax.psum(dscale, "batch"), jax.lax.psum(dbias, "batch")

        return jax.pmap(run, axis_name="batch")

    split = [a.reshape((2, 2) + a.shape[1:]) for a in (x, weight, cotangent)]
    got = per_device(ours)(*split)
    want = per_device(reference)(*split)
    one_device = grads(ours, x, weight, scale, bias, cotangent)
    for a, b, c in zip(got, want, one_device, strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)
        # and what one device computes for the whole batch
        a = a.reshape(c.shape) if a.ndim > 2 else a[0]
        np.testing.assert_allclose(a, c, rtol=2e-5, atol=2e-5)


def test_padding_gets_no_gradient_through_the_statistics():
    """A padded position's input changes no output at a valid position."""
    x, weight, scale, bias, cotangent = example((2, 6, 3), [6, 2])
    cotangent = cotangent * weight  # valid outputs only
    _, dx, _, _ = grads(ours, x, weight, scale, bias, cotangent)
    np.testing.assert_array_equal(dx[1, 2:], 0.0)
    assert np.all(np.abs(dx[0]) > 0)
