"""One self-attention layer and one dropout, fwd+bwd: ser_jax's against Flax's and JAX's.

    python benchmarks/attention_layer.py
    python benchmarks/attention_layer.py --batch=32 --frames=300 --repeats=5

Times, jitted, the gradient of `sum(sin(layer(x)))` for Sundharam's encoder
layer shapes (batch 150, 184 frames, model dimension 64, 4 heads; a fifth of
every example's frames padded): `nnx.MultiHeadAttention` with a key mask
against `ser_jax.models.attention.SelfAttention` (same parameters), and
dropout at rate 0.1 on the feed-forward activation `[batch, frames, 256]` as
`jax.random.bernoulli` against `ser_jax.models.layers.dropout`. The two of a
pair alternate, one call each, `--repeats` times after a compiling call;
prints the medians and their ratio.
"""

import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags
from flax import nnx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ser_jax.models import layers  # noqa: E402
from ser_jax.models.attention import SelfAttention  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("batch", 150, "Examples.")
flags.DEFINE_integer("frames", 184, "Frames per example.")
flags.DEFINE_integer("dim", 64, "Model dimension.")
flags.DEFINE_integer("heads", 4, "Attention heads.")
flags.DEFINE_integer("repeats", 7, "Timed calls of each, alternating.", lower_bound=1)


def bernoulli_dropout(x, rate, key):
    """Dropout as ser_jax had it: a float from 32 random bits per element."""
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0)


def alternate(pair: dict, repeats: int) -> dict:
    """{name: median seconds} of the zero-argument callables, called in turn."""
    for fn in pair.values():
        jax.block_until_ready(fn())
    times = {name: [] for name in pair}
    for _ in range(repeats):
        for name, fn in pair.items():
            t0 = time.perf_counter()
            jax.block_until_ready(fn())
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) for name, t in times.items()}


def main(argv):
    del argv
    b, t, d = FLAGS.batch, FLAGS.frames, FLAGS.dim
    x = jax.random.normal(jax.random.key(0), (b, t, d))
    lengths = jnp.full((b,), t - t // 5)
    valid = layers.valid_mask(lengths, t)
    theirs = nnx.MultiHeadAttention(
        num_heads=FLAGS.heads, in_features=d, decode=False, rngs=nnx.Rngs(0)
    )
    ours = SelfAttention(FLAGS.heads, d, rngs=nnx.Rngs(0))

    @nnx.jit
    def grad_theirs(model, x):
        mask = valid[:, None, None, :]
        loss = lambda m, x: jnp.sum(jnp.sin(m(x, mask=mask, deterministic=True)))  # noqa: E731
        return nnx.grad(loss, argnums=(0, 1))(model, x)

    @nnx.jit
    def grad_ours(model, x):
        loss = lambda m, x: jnp.sum(jnp.sin(m(x, valid)))  # noqa: E731
        return nnx.grad(loss, argnums=(0, 1))(model, x)

    hidden = jax.random.normal(jax.random.key(1), (b, t, 256))
    key = jax.random.key(2)

    def dropout_grad(fn):
        return jax.jit(jax.grad(lambda h, k: jnp.sum(fn(h, 0.1, k) ** 2)))

    old_dropout, new_dropout = (
        dropout_grad(bernoulli_dropout),
        dropout_grad(layers.dropout),
    )
    rows = [
        (
            f"self-attention [{b}, {t}, {d}], {FLAGS.heads} heads",
            alternate(
                {
                    "nnx.MultiHeadAttention": lambda: grad_theirs(theirs, x),
                    "attention.SelfAttention": lambda: grad_ours(ours, x),
                },
                FLAGS.repeats,
            ),
        ),
        (
            f"dropout 0.1 on [{b}, {t}, 256]",
            alternate(
                {
                    "jax.random.bernoulli": lambda: old_dropout(hidden, key),
                    "layers.dropout": lambda: new_dropout(hidden, key),
                },
                FLAGS.repeats,
            ),
        ),
    ]
    print(
        f"jax {jax.__version__} on {jax.devices()[0].device_kind}; fwd+bwd, median of {FLAGS.repeats}"
    )
    print("| layer | before | before s | ser_jax | ser_jax s | ser_jax / before |")
    print("|---|---|---|---|---|---|")
    for layer, medians in rows:
        (name_a, a), (name_b, b_s) = medians.items()
        print(
            f"| {layer} | `{name_a}` | {a:.3f} | `{name_b}` | {b_s:.3f} | {b_s / a:.2f} |"
        )


if __name__ == "__main__":
    app.run(main)
