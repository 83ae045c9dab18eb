"""Satt CNN-LSTM: shapes, parameter count, and that padding never leaks."""

import jax
import numpy as np
from flax import nnx

from ser_jax.models.satt import SattCnnLstm


def _model(**kw):
    return SattCnnLstm(
        (96, 40),
        4,
        conv_features=(4, 6, 8),
        lstm_units=8,
        dense_units=8,
        rngs=nnx.Rngs(0),
        **kw,
    )


def test_paper_example_shapes_and_params():
    model = SattCnnLstm((300, 200), 4, rngs=nnx.Rngs(0))
    lstm_in = model.lstm.forward_rnn.cell.in_features
    assert lstm_in == 25 * 32  # the paper's 25 x 37 map after three pools, 32 filters
    params = sum(x.size for x in jax.tree.leaves(nnx.state(model, nnx.Param)))
    conv = 16 * 12 * 16 + 16 + 24 * 8 * 12 * 16 + 24 + 32 * 5 * 7 * 24 + 32
    lstm = 2 * 4 * (800 * 128 + 128 * 128 + 128)
    head = 256 * 64 + 64 + 64 * 4 + 4
    assert params == conv + lstm + head


def test_padding_does_not_change_logits():
    """Garbage after the valid frames must not change the result ("mask before and after")."""
    for pooling in ("last", "mean"):
        model = _model(pooling=pooling)
        rng = np.random.default_rng(0)
        x = rng.random((2, 96, 40)).astype(np.float32)
        lengths = np.array([50, 96])
        noisy = x.copy()
        noisy[0, 50:] = 100 * rng.random((46, 40))
        np.testing.assert_allclose(
            model(x, lengths), model(noisy, lengths), rtol=1e-5, atol=1e-5
        )


def test_dropout_only_with_key():
    model = _model(dropout_rate=0.5)
    x, lengths = np.ones((2, 96, 40), np.float32), np.array([96, 60])
    np.testing.assert_array_equal(model(x, lengths), model(x, lengths))
    a = model(x, lengths, dropout_key=jax.random.key(0))
    b = model(x, lengths, dropout_key=jax.random.key(1))
    assert not np.allclose(a, b)
