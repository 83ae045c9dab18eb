"""`ser_jax.models.conv` and `fft_conv`: the same forward pass and gradients as `lax.conv_general_dilated`."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from ser_jax.models import conv, fft_conv

# (input shape, kernel shape [k.., C_in, C_out], strides, padding, rhs dilation):
# the cases the models use, small.
CASES = {
    # Satt's convs and Anand's "SAME" kernels: 2-D, "SAME", odd and even kernels.
    "satt_same": ((3, 13, 17, 2), (4, 3, 2, 5), (1, 1), "SAME", None),
    # Zhao: "SAME" padding in time only (explicit pads), none in frequency.
    "zhao_time_pad": ((3, 11, 9, 3), (5, 5, 3, 4), (1, 1), ((2, 2), (0, 0)), None),
    # Strides and dilation (lax's arguments the fast path takes).
    "strided_2d": ((3, 15, 14, 2), (3, 4, 2, 3), (2, 3), "VALID", None),
    "dilated_2d": ((3, 15, 12, 2), (3, 2, 2, 3), (1, 2), "SAME", (2, 3)),
}
# Convs that stay with lax: 1-D ones (Aldeneh / Neumann / Sundharam "SAME",
# Latif strided on audio) and 2-D ones on one input channel (Latif's 2x2, the
# first conv on a spectrogram). `weight_gradient` handles them (tested
# directly below).
CASES_LAX = {
    "aldeneh_1d": ((3, 20, 6), (5, 6, 4), (1,), "SAME", None),
    "latif_strided_1d": ((3, 50, 1), (8, 1, 3), (4,), "SAME", None),
    "latif_2d": ((3, 9, 8, 1), (2, 2, 1, 3), (1, 1), "SAME", None),
}
# Kernels spanning the whole second axis (Anand's R-filters span every bin):
# folded into 1-D convs, strides and dilation in time included.
FOLD_CASES = {
    "anand_full": ((3, 13, 7, 3), (4, 7, 3, 6), (1, 1), ((1, 2), (0, 0)), None),
    "strided_full": ((2, 15, 5, 2), (3, 5, 2, 4), (2, 1), ((1, 1), (0, 0)), None),
    "dilated_full": ((2, 15, 6, 1), (3, 6, 1, 3), (1, 1), ((2, 2), (0, 0)), (2, 1)),
}
# Overlap-save blocks (1-D, kernels heavier than the batch's channels): odd and
# even kernels, "SAME" and explicit pads, a last block partly past the end.
BLOCK_CASES = {
    "same_blocks": ((2, 80, 6), (5, 6, 8), (1,), "SAME", None),
    "even_blocks": ((1, 61, 4), (6, 4, 9), (1,), ((3, 1),), None),
    # Few channel pairs for the batch: blocks only as the input is long.
    "long_blocks": ((3, 300, 2), (5, 2, 3), (1,), ((2, 5),), None),
}
# Chunk sizes: the default (one chunk here); 2 output rows of one example (row
# blocks, the last one padded where the rows are odd); 2 whole examples (batch
# blocks, the last one padded: every case has 3 examples).
CHUNKS = ("default", "rows", "batch")
# What `conv.formulation` requires of real layers; the small cases here take
# the im2col path whatever their size (`small_maps_take_im2col`), and the FFT
# where a test lowers `FFT_MIN_TAPS`.
MIN_POSITIONS, MIN_CHANNELS = conv.MIN_POSITIONS, conv.MIN_CHANNELS
FFT_MIN_TAPS = conv.FFT_MIN_TAPS
# The FFT's cases (stride and dilation 1): kernels odd and even, "SAME" /
# explicit / "VALID" padding, one input channel (a first conv) or several.
FFT_CASES = {
    "satt_same": CASES["satt_same"],
    "zhao_time_pad": CASES["zhao_time_pad"],
    "wide_kernel": ((2, 13, 12, 3), (4, 7, 3, 6), (1, 1), ((1, 2), (0, 0)), None),
    "first_conv": ((2, 19, 23, 1), (6, 5, 1, 4), (1, 1), "SAME", None),
    "valid_even": ((2, 12, 10, 3), (4, 6, 3, 2), (1, 1), "VALID", None),
    "uneven_pads": ((2, 9, 14, 2), (3, 3, 2, 3), (1, 1), ((0, 4), (2, 1)), None),
    # 1-D (Aldeneh's and Zhang's convs over time / samples).
    "same_1d": ((3, 20, 6), (6, 6, 4), (1,), "SAME", None),
    "valid_1d": ((2, 17, 3), (5, 3, 2), (1,), "VALID", None),
}


@pytest.fixture(autouse=True)
def small_maps_take_im2col(monkeypatch):
    monkeypatch.setattr(conv, "MIN_POSITIONS", 0)


def chunk_elements(chunk, y_shape, w_shape):
    """`CHUNK_ELEMENTS` giving the `chunk` layout for output `y_shape`."""
    row = int(np.prod(w_shape[:-1])) * int(np.prod(y_shape[2:-1], dtype=int))
    return {
        "default": conv.CHUNK_ELEMENTS,
        "rows": 2 * row,
        "batch": 2 * row * y_shape[1],
    }[chunk]


def numbers(ndim):
    return conv.channel_last_numbers(ndim)


def both(case):
    x_shape, w_shape, strides, padding, dilation = {
        **CASES,
        **CASES_LAX,
        **FFT_CASES,
        **FOLD_CASES,
        **BLOCK_CASES,
    }[case]
    kx, kw, kg = jax.random.split(jax.random.key(len(case)), 3)
    x = jax.random.normal(kx, x_shape, jnp.float32)
    w = jax.random.normal(kw, w_shape, jnp.float32)

    def reference(x, w):
        return lax.conv_general_dilated(
            x,
            w,
            strides,
            padding,
            rhs_dilation=dilation,
            dimension_numbers=numbers(x.ndim),
        )

    def fast(x, w):
        return conv.conv_general_dilated(
            x,
            w,
            strides,
            padding,
            rhs_dilation=dilation,
            dimension_numbers=numbers(x.ndim),
        )

    return x, w, kg, reference, fast


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize("case", list(CASES))
def test_forward_and_gradients_equal_lax(case, chunk, monkeypatch):
    x, w, kg, reference, fast = both(case)
    y_shape = jax.eval_shape(reference, x, w).shape
    monkeypatch.setattr(conv, "CHUNK_ELEMENTS", chunk_elements(chunk, y_shape, w.shape))
    assert formulation(x, w, *CASES[case][2:]) == "im2col"
    y_ref, vjp_ref = jax.vjp(reference, x, w)
    y, vjp = jax.vjp(fast, x, w)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(y_ref))
    g = jax.random.normal(kg, y.shape, jnp.float32)
    (dx_ref, dw_ref), (dx, dw) = vjp_ref(g), vjp(g)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-5, atol=1e-5)
    assert dw.shape == w.shape
    scale = float(jnp.abs(dw_ref).max())
    np.testing.assert_allclose(dw, dw_ref, rtol=1e-5, atol=1e-5 * scale)


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize("case", list(CASES_LAX))
def test_weight_gradient_of_convs_left_to_lax_equals_lax(case, chunk, monkeypatch):
    x, w, kg, reference, _ = both(case)
    strides, padding = CASES_LAX[case][2:4]
    assert formulation(x, w, strides, padding, None) is None
    y, vjp_ref = jax.vjp(reference, x, w)
    monkeypatch.setattr(conv, "CHUNK_ELEMENTS", chunk_elements(chunk, y.shape, w.shape))
    g = jax.random.normal(kg, y.shape, jnp.float32)
    pads = tuple(lax.padtype_to_pads(x.shape[1:-1], w.shape[:-2], strides, padding))
    dw = conv.weight_gradient(x, g, w.shape, strides, pads, (1,) * len(strides))
    dw_ref = vjp_ref(g)[1]
    scale = float(jnp.abs(dw_ref).max())
    np.testing.assert_allclose(dw, dw_ref, rtol=1e-5, atol=1e-5 * scale)


def test_jitted_gradient_equals_lax():
    x, w, kg, reference, fast = both("satt_same")

    def loss(conv_fn):
        return jax.jit(jax.grad(lambda w, x: jnp.sum(jnp.tanh(conv_fn(x, w))), (0, 1)))

    (dw_ref, dx_ref), (dw, dx) = loss(reference)(w, x), loss(fast)(w, x)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dw, dw_ref, rtol=1e-5, atol=1e-5)


def formulation(x, w, strides, padding, dilation, lhs_dilation=None, numbers_=None):
    """`conv.formulation` for a channel-last conv without groups."""
    return conv.formulation(
        x,
        w,
        strides,
        padding,
        lhs_dilation,
        dilation,
        numbers_ or numbers(x.ndim),
        1,
        1,
        None,
        None,
    )


def vjp_equals_lax(x, w, kg, reference, fast) -> jax.Array:
    """`fast`'s output and both cotangents (jitted) equal `reference`'s within
    float32 rounding; returns the output."""
    y_ref, vjp_ref = jax.vjp(reference, x, w)
    y, vjp = jax.jit(lambda x, w: jax.vjp(fast, x, w))(x, w)
    assert y.shape == y_ref.shape
    np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5 * float(abs(y_ref).max()))
    g = jax.random.normal(kg, y.shape, jnp.float32)
    for got, want in zip(vjp(g), vjp_ref(g), strict=True):
        assert got.shape == want.shape
        scale = float(jnp.abs(want).max())
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale)
    return y


@pytest.mark.parametrize("case", list(FFT_CASES))
def test_fft_forward_and_gradients_equal_lax(case, monkeypatch):
    monkeypatch.setattr(conv, "FFT_MIN_TAPS", {1: 1, 2: 1})
    x, w, kg, reference, fast = both(case)
    assert formulation(x, w, *FFT_CASES[case][2:]) == "fft"
    vjp_equals_lax(x, w, kg, reference, fast)


@pytest.mark.parametrize("case", list(FOLD_CASES))
def test_folded_forward_and_gradients_equal_lax(case):
    x, w, kg, reference, fast = both(case)
    assert formulation(x, w, *FOLD_CASES[case][2:]) == "fold"
    y = vjp_equals_lax(x, w, kg, reference, fast)
    assert y.shape[2] == 1


@pytest.mark.parametrize("case", list(BLOCK_CASES))
def test_blocked_fft_forward_and_gradients_equal_lax(case, monkeypatch):
    monkeypatch.setattr(conv, "BLOCK_MIN_TAPS", 1)
    monkeypatch.setattr(conv, "LONG_BLOCKS", 4)
    x, w, kg, reference, fast = both(case)
    assert formulation(x, w, *BLOCK_CASES[case][2:]) == "fft_blocks"
    pads = conv.explicit_pads(
        x.shape[1:2], w.shape[:1], (1,), BLOCK_CASES[case][3], (1,)
    )
    block = conv.block_length(w.shape[0])
    assert x.shape[1] + sum(pads[0]) > 2 * (block - w.shape[0] + 1)  # several blocks
    vjp_equals_lax(x, w, kg, reference, fast)


def test_block_length_is_four_kernels_rounded_up_to_a_power_of_two():
    assert [conv.block_length(k) for k in (5, 16, 20, 32, 64)] == [
        32,
        64,
        128,
        128,
        256,
    ]


rows = conv.rows_conv  # the original, while a test wraps it


@pytest.mark.parametrize(
    "x_shape, w_shape, padding",
    [
        ((2, 19, 23, 1), (6, 5, 1, 4), "SAME"),  # 19 rows: a part group
        ((2, 12, 10, 1), (4, 6, 1, 24), "VALID"),  # 5 rows of 24 channels
        ((3, 9, 14, 1), (3, 3, 1, 7), ((0, 4), (2, 1))),
        ((1, 40, 17, 1), (16, 12, 1, 16), "SAME"),  # Satt's first conv
    ],
)
def test_one_channel_forward_is_rows_conv_and_equals_lax(
    x_shape, w_shape, padding, monkeypatch
):
    """A one-channel FFT conv's forward pass is `rows_conv`, with or without a
    gradient; its gradients are the FFT's (their values:
    `test_fft_forward_and_gradients_equal_lax`, case "first_conv")."""
    monkeypatch.setattr(conv, "FFT_MIN_TAPS", {1: 1, 2: 1})
    x = jax.random.normal(jax.random.key(0), x_shape, jnp.float32)
    w = jax.random.normal(jax.random.key(1), w_shape, jnp.float32)
    pads = conv.explicit_pads(x_shape[1:3], w_shape[:2], (1, 1), padding, (1, 1))
    assert formulation(x, w, (1, 1), padding, None) == "fft"
    calls = []
    monkeypatch.setattr(conv, "rows_conv", lambda *a: calls.append(1) or rows(*a))
    y_ref = lax.conv_general_dilated(x, w, (1, 1), pads, dimension_numbers=numbers(4))
    scale = float(abs(y_ref).max())

    def fast(x, w):
        return conv.conv_general_dilated(
            x, w, (1, 1), padding, dimension_numbers=numbers(4)
        )

    y_rows = jax.jit(rows, static_argnums=2)(x, w, pads)
    y_fast = jax.jit(fast)(x, w)
    assert len(calls) == 1  # undifferentiated, the models' conv took `rows_conv`
    y_vjp, _ = jax.jit(lambda x, w: jax.vjp(fast, x, w))(x, w)
    assert len(calls) == 2  # ... and so did its forward pass under `vjp`
    for y in (y_rows, y_fast, y_vjp):
        assert y.shape == y_ref.shape
        np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5 * scale)


def test_fft_conv_on_a_paper_size_kernel_equals_lax():
    """Satt's first conv (16 x 12, "SAME") on a short spectrogram: the default rule takes the FFT."""
    kx, kw, kg = jax.random.split(jax.random.key(3), 3)
    x = jax.random.normal(kx, (2, 50, 64, 1), jnp.float32)
    w = jax.random.normal(kw, (16, 12, 1, 4), jnp.float32)
    assert formulation(x, w, (1, 1), "SAME", None) == "fft"

    def loss(conv_fn):
        return jax.jit(jax.grad(lambda w, x: jnp.sum(jnp.tanh(conv_fn(x, w))), (0, 1)))

    def reference(x, w):
        return lax.conv_general_dilated(
            x, w, (1, 1), "SAME", dimension_numbers=numbers(4)
        )

    def fast(x, w):
        return conv.conv_general_dilated(
            x, w, (1, 1), "SAME", dimension_numbers=numbers(4)
        )

    (dw_ref, dx_ref), (dw, dx) = loss(reference)(w, x), loss(fast)(w, x)
    np.testing.assert_allclose(
        dx, dx_ref, rtol=1e-5, atol=1e-5 * float(abs(dx_ref).max())
    )
    np.testing.assert_allclose(
        dw, dw_ref, rtol=1e-5, atol=1e-5 * float(abs(dw_ref).max())
    )


def test_fft_length_is_the_next_product_of_2_3_5():
    assert [fft_conv.fft_length(n) for n in (1, 7, 11, 14, 315, 411, 1025)] == [
        1,
        8,
        12,
        15,
        320,
        432,
        1080,
    ]


def test_feature_groups_fall_back_to_lax():
    x = jax.random.normal(jax.random.key(0), (2, 8, 9, 4))
    w = jax.random.normal(jax.random.key(1), (3, 3, 2, 6))
    args = ((1, 1), "SAME")
    kwargs = {"dimension_numbers": numbers(4), "feature_group_count": 2}
    assert (
        conv.formulation(x, w, (1, 1), "SAME", None, None, numbers(4), 2, 1, None, None)
        is None
    )
    y, vjp = jax.vjp(
        lambda x, w: conv.conv_general_dilated(x, w, *args, **kwargs), x, w
    )
    y_ref, vjp_ref = jax.vjp(
        lambda x, w: lax.conv_general_dilated(x, w, *args, **kwargs), x, w
    )
    np.testing.assert_array_equal(y, y_ref)
    g = jnp.ones_like(y)
    for a, b in zip(vjp(g), vjp_ref(g), strict=True):
        np.testing.assert_array_equal(a, b)


def test_fast_formulations_only_on_cpu(monkeypatch):
    x, w = jnp.zeros((1, 8, 8, 2)), jnp.zeros((3, 3, 2, 4))
    big = jnp.zeros((1, 40, 40, 1)), jnp.zeros((12, 8, 1, 4))
    full = jnp.zeros((1, 40, 8, 2)), jnp.zeros((5, 8, 2, 4))
    assert formulation(x, w, (1, 1), "SAME", None) == "im2col"
    assert formulation(*big, (1, 1), "SAME", None) == "fft"
    assert formulation(*full, (1, 1), "VALID", None) == "fold"
    monkeypatch.setattr(conv.jax, "default_backend", lambda: "gpu")
    assert formulation(x, w, (1, 1), "SAME", None) is None
    assert formulation(*big, (1, 1), "SAME", None) is None
    assert formulation(*full, (1, 1), "VALID", None) is None
    # Other layouts, dtypes and input dilation stay with lax too.
    monkeypatch.undo()
    monkeypatch.setattr(conv, "MIN_POSITIONS", 0)
    nchw = lax.conv_dimension_numbers(x.shape, w.shape, ("NCHW", "OIHW", "NCHW"))
    assert formulation(x, w, (1, 1), "SAME", None, numbers_=nchw) is None
    half = x.astype(jnp.bfloat16), w.astype(jnp.bfloat16)
    assert formulation(*half, (1, 1), "SAME", None) is None
    assert formulation(x, w, (1, 1), "SAME", None, lhs_dilation=(2, 2)) is None
    # Strides or dilation: never the FFT, im2col where it applies.
    assert formulation(*big, (2, 1), "SAME", None) is None
    assert formulation(*big, (1, 1), "SAME", (1, 2)) is None


@pytest.mark.parametrize(
    "shape, kernel, strides, padding, expected",
    [
        # Satt's first and second convs, the quickstart's second: large kernels.
        ((32, 300, 400, 1), (16, 12, 1, 16), (1, 1), "SAME", "fft"),
        ((32, 150, 200, 16), (12, 8, 16, 24), (1, 1), "SAME", "fft"),
        ((32, 150, 100, 8), (12, 8, 8, 8), (1, 1), "SAME", "fft"),
        # Zhao's: 8 x 8 on one channel stays with lax, 5 x 5 / 3 x 3 on many channels im2col.
        ((64, 498, 40, 1), (8, 8, 1, 64), (1, 1), ((3, 4), (0, 0)), None),
        ((64, 249, 16, 64), (5, 5, 64, 128), (1, 1), ((2, 2), (0, 0)), "im2col"),
        ((64, 124, 6, 128), (3, 3, 128, 128), (1, 1), ((1, 1), (0, 0)), "im2col"),
        # Satt's third (7 x 5) and the 5-conv model's fourth: small maps, lax.
        ((32, 75, 100, 24), (7, 5, 24, 32), (1, 1), "SAME", None),
        ((32, 37, 50, 32), (5, 5, 32, 48), (1, 1), "SAME", None),
        # Anand's R1: a whole-axis kernel leaves one column: a folded 1-D conv.
        ((32, 64, 64, 2), (5, 64, 2, 1024), (1, 1), ((2, 2), (0, 0)), "fold"),
        # 1-D: Aldeneh's 64-, 32- and 16-frame convs by FFT over blocks, its
        # 8-frame one not; Zhang's second conv by FFT over whole frames, its
        # first (one channel) not; Neumann's 20 frames and Latif's strided
        # kernel not.
        ((32, 798, 240), (64, 240, 384), (1,), "SAME", "fft_blocks"),
        ((32, 798, 240), (32, 240, 384), (1,), "SAME", "fft_blocks"),
        ((32, 798, 240), (16, 240, 384), (1,), "SAME", "fft_blocks"),
        ((32, 798, 240), (8, 240, 384), (1,), "SAME", None),
        ((7952, 320, 40), (40, 40, 40), (1,), "SAME", "fft"),
        # ... and once over 32 windows' signal (`Zhang`'s shared frames): long
        # enough for blocks.
        ((32, 40000, 40), (40, 40, 40), (1,), "SAME", "fft_blocks"),
        ((7952, 640, 1), (40, 1, 40), (1,), "SAME", None),
        ((32, 748, 26), (20, 26, 100), (1,), "SAME", None),
        ((32, 80000, 1), (1600, 1, 40), (160,), "SAME", None),
    ],
)
def test_formulation_where_it_was_measured_faster(
    shape, kernel, strides, padding, expected, monkeypatch
):
    monkeypatch.setattr(conv, "MIN_POSITIONS", MIN_POSITIONS)
    x = jax.ShapeDtypeStruct(shape, jnp.float32)
    w = jax.ShapeDtypeStruct(kernel, jnp.float32)
    assert formulation(x, w, strides, padding, None) == expected
