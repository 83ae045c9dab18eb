"""One conv layer's forward and backward (2-D and 1-D): XLA's own, im2col's and the FFT's.

    python benchmarks/conv_layers.py                 # every layer and pool below
    python benchmarks/conv_layers.py qs1 cl2 zp1     # some of them
    python benchmarks/conv_layers.py --forward cl1   # the forward pass alone

For each layer (batch 32, or a model's own where it says so; the model's
input to that layer, random values), a
jitted `grad` of `sum(conv(x, w) ** 2)` with respect to the kernel and, for
every layer but a model's first (whose input is the features, which need no
gradient in training), the input, three times: with `lax.conv_general_dilated`
throughout (`conv.lax_conv`), with the im2col weight gradient
(`conv.im2col_conv`), by FFT (`fft_conv.fft_conv`), and as the models run
it (`conv.conv_general_dilated`: what `conv.formulation` picks, which for a
kernel spanning a whole axis is the folded 1-D conv). Prints the first call
(compile + one run) and the median of 3 further calls of each, their ratios
to `lax`, and what `conv.formulation` picks for the layer (rules chosen from
these figures).

With `--forward`, each layer's jitted forward pass alone (no gradient, as in
evaluation and `ser_jax.classify`), the same ways. A one-channel FFT conv's
"picked" is `conv.one_channel_fft_conv`: `conv.rows_conv` forward, the FFT's
gradients ("rows" in the table).

Then each 2x2 max pool after those layers (batch 32, ReLU before it, as in
`layers.conv_block`): a jitted `grad` of `sum(pool(relu(x)) ** 2)` with
`nnx.max_pool` (XLA's `select_and_scatter` gradient) and with
`pooling.max_pool`, timed the same way.
"""

import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flax import nnx  # noqa: E402

from ser_jax.models import conv, fft_conv, pooling  # noqa: E402

# name -> (batch, rows, columns, C_in, C_out, kernel, padding in frequency).
LAYERS = {
    "qs1": (32, 300, 200, 1, 8, (16, 12), "same"),  # configs/quickstart.py
    "qs2": (32, 150, 100, 8, 8, (12, 8), "same"),
    "qs3": (32, 75, 50, 8, 16, (7, 5), "same"),
    "cl1": (32, 300, 400, 1, 16, (16, 12), "same"),  # configs/cnn_lstm.py
    "cl2": (32, 150, 200, 16, 24, (12, 8), "same"),
    "cl3": (32, 75, 100, 24, 32, (7, 5), "same"),
    "sc4": (32, 37, 50, 32, 48, (5, 5), "same"),  # configs/satt_cnn.py's 4th, 5th
    "sc5": (32, 18, 25, 48, 64, (3, 3), "same"),
    "zh1": (32, 498, 40, 1, 64, (8, 8), "valid"),  # configs/zhao.py
    "zh2": (32, 249, 16, 64, 128, (5, 5), "valid"),
    "zh3": (32, 124, 6, 128, 128, (3, 3), "valid"),
    "r1": (32, 64, 64, 2, 1024, (5, 64), "valid"),  # configs/anand_r1.py
}
# name -> (batch, length, C_in, C_out, taps): 1-D convs, "SAME".
LAYERS_1D = {
    "al8": (32, 798, 240, 384, 8),  # configs/aldeneh.py: 4 widths over 240 mels
    "al16": (32, 798, 240, 384, 16),
    "al32": (32, 798, 240, 384, 32),
    "al64": (32, 798, 240, 384, 64),
    "zg1": (16 * 497, 640, 1, 40, 40),  # configs/zhang.py: per 40 ms frame
    "zg2": (16 * 497, 320, 40, 40, 40),
    # Zhang's second conv once over each 5 s window's signal (`Zhang`'s shared
    # frames in evaluation), 32 windows.
    "zs2": (32, 40_000, 40, 40, 40),
    "ne20": (32, 748, 26, 100, 20),  # configs/neumann.py's wider conv
}
# Each model's first conv: its input is the features, so training takes no
# gradient with respect to it.
FIRST_LAYERS = {"qs1", "cl1", "zh1", "r1", "al8", "al16", "al32", "al64", "zg1", "ne20"}


# name -> the input of a 2x2 max pool [B, H, W, C]: each layer's output above.
POOLS = {
    "qp1": (32, 300, 200, 8),
    "cp1": (32, 300, 400, 16),
    "cp2": (32, 150, 200, 24),
    "zp1": (32, 498, 33, 64),
    "zp2": (32, 249, 12, 128),
}


def time_calls(f, *args) -> tuple[float, float]:
    """(first call s, median s of 3 more) of a jitted `f`."""
    start = time.perf_counter()
    jax.block_until_ready(f(*args))
    first = time.perf_counter() - start
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        jax.block_until_ready(f(*args))
        runs.append(time.perf_counter() - start)
    return first, float(np.median(runs))


def time_pool(name: str) -> dict[str, tuple[float, float]]:
    """{"nnx" | "pooling": (first call s, median s of 3 more)} for a pool's gradient."""
    x = jnp.asarray(np.random.default_rng(0).normal(size=POOLS[name]), jnp.float32)
    pools = {
        "nnx": lambda x: nnx.max_pool(x, (2, 2), strides=(2, 2)),
        "pooling": lambda x: pooling.max_pool(x, (2, 2)),
    }
    return {
        label: time_calls(
            jax.jit(jax.grad(lambda x, p=p: jnp.sum(p(jax.nn.relu(x)) ** 2))), x
        )
        for label, p in pools.items()
    }


def layer_arrays(name: str):
    """(x, w, pads) of a layer: random values, "SAME" in time."""
    rng = np.random.default_rng(0)
    if name in LAYERS_1D:
        b, length, c_in, c_out, taps = LAYERS_1D[name]
        x = jnp.asarray(rng.normal(size=(b, length, c_in)), jnp.float32)
        w = jnp.asarray(0.1 * rng.normal(size=(taps, c_in, c_out)), jnp.float32)
        return x, w, (((taps - 1) // 2, taps // 2),)
    b, rows, cols, c_in, c_out, kernel, freq = LAYERS[name]
    x = jnp.asarray(rng.normal(size=(b, rows, cols, c_in)), jnp.float32)
    w = jnp.asarray(0.1 * rng.normal(size=(*kernel, c_in, c_out)), jnp.float32)
    pads = [((k - 1) // 2, k - 1 - (k - 1) // 2) for k in kernel]
    if freq == "valid":
        pads[1] = (0, 0)
    return x, w, tuple(pads)


def time_layer(name: str, forward: bool = False) -> dict[str, tuple[float, float]]:
    """{"lax" | "im2col" | "fft" | "picked": (first call s, median s of 3 more)}
    of the gradient, or with `forward` of the forward pass alone."""
    x, w, pads = layer_arrays(name)
    argnums = (1,) if name in FIRST_LAYERS else (0, 1)
    ones = (1,) * len(pads)
    convs = {
        "lax": lambda x, w: conv.lax_conv(x, w, ones, pads, ones),
        "im2col": lambda x, w: conv.im2col_conv(x, w, ones, pads, ones),
        "fft": lambda x, w: fft_conv.fft_conv(x, w, pads),
        "picked": lambda x, w: conv.conv_general_dilated(
            x, w, ones, pads, dimension_numbers=conv.channel_last_numbers(x.ndim)
        ),
    }
    out = {}
    for label, f in convs.items():

        def loss(x, w, f=f):
            return jnp.sum(f(x, w) ** 2)

        timed = jax.jit(f) if forward else jax.jit(jax.grad(loss, argnums=argnums))
        out[label] = time_calls(timed, x, w)
    return out


def picked(name: str) -> str:
    """What `conv.formulation` takes for the layer ("lax" for plain `lax`)."""
    x, w, pads = layer_arrays(name)
    numbers = conv.channel_last_numbers(x.ndim)
    ones = (1,) * len(pads)
    how = conv.formulation(x, w, ones, pads, None, None, numbers, 1, 1, None, None)
    return how or "lax"


def main(names: list[str]) -> None:
    forward = "--forward" in names
    names = [n for n in names if n != "--forward"]
    if forward:
        print("Forward pass alone (no gradient):")
    print(
        "| layer | shape (B, spatial.., C_in -> C_out, kernel) | lax first / step s "
        "| im2col first / step s | FFT first / step s | picked first / step s "
        "| im2col / lax | FFT / lax | picked | picked / lax |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    convs = {**LAYERS, **LAYERS_1D}
    unknown = sorted(set(names) - set(convs) - set(POOLS))
    if unknown:
        raise SystemExit(f"unknown {unknown}; known: {list(convs) + list(POOLS)}")
    for name in [n for n in names if n in convs] if names else convs:
        x, w, _ = layer_arrays(name)
        shape = ", ".join(map(str, x.shape[:-1]))
        kernel = tuple(w.shape[:-2])
        t = time_layer(name, forward)
        label = picked(name)
        if label == "fft" and x.ndim == 4 and x.shape[-1] == 1:
            label = "rows"  # `conv.one_channel_fft_conv`
        cells = " | ".join(f"{t[k][0]:.2f} / {t[k][1]:.3f}" for k in t)
        print(
            f"| {name} | {shape}, {x.shape[-1]} -> {w.shape[-1]}, {kernel} | {cells} "
            f"| {t['im2col'][1] / t['lax'][1]:.2f} | {t['fft'][1] / t['lax'][1]:.2f} "
            f"| {label} | {t['picked'][1] / t['lax'][1]:.2f} |",
            flush=True,
        )

    pools = [n for n in names if n in POOLS] if names else list(POOLS)
    if not pools or forward:
        return
    print(
        "\n| pool | input (B, H, W, C) | nnx.max_pool first / step s "
        "| pooling.max_pool first / step s | pooling / nnx (step) |"
    )
    print("|---|---|---|---|---|")
    for name in pools:
        t = time_pool(name)
        print(
            f"| {name} | {', '.join(map(str, POOLS[name]))} "
            f"| {t['nnx'][0]:.2f} / {t['nnx'][1]:.3f} "
            f"| {t['pooling'][0]:.2f} / {t['pooling'][1]:.3f} "
            f"| {t['pooling'][1] / t['nnx'][1]:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
