"""ser_jax's models against PyTorch peers: seconds per training step on this machine.

    pip install torch==2.13.0+cpu   # the peer: benchmark only, never a ser_jax dependency
    python benchmarks/peers.py                                  # every family
    python benchmarks/peers.py --models=satt_cnn_lstm,aldeneh --batch=8 --steps=3
    python benchmarks/peers.py --lax_conv                       # + XLA's own grads

For each model family, the model of its config (`configs/<name>.py`, paper
size, RAVDESS's 16 kHz input shapes, 8 classes) is built twice: ser_jax's
Flax NNX module, and a PyTorch module with the same layers, sizes, padding,
pooling and dropout, written below. Both train on the same random features
(all frames valid) with Adam (the config's learning rate) and the mean
cross-entropy, in float32, on all the machine's cores (`torch.set_num_threads`
= the CPU count; XLA uses every core). ser_jax's step is jitted and `jax.pmap`-ed
over one device, as training runs it; it starts from features (the front-end
is not timed on either side). With `--lax_conv`, ser_jax is also timed with
its convolutions and its max pools' gradient left to XLA
(`lax.conv_general_dilated`: no FFT, no im2col gradient; `nnx.max_pool`, as
before `ser_jax.models.conv` and `ser_jax.models.pooling`), the "before" column.

Steps alternate between the frameworks (one ser_jax step, one PyTorch step,
...) so that both see the same load from whatever else runs on the machine;
each figure is the median over `--steps` steps after `--warmup` ones (ser_jax's
pmapped step compiles on its first call and again on its second, when the
state comes back from the first with the step's own sharding). Prints a Markdown table, and the load average before and after.
"""

import contextlib
import math
import os
import sys
import time
from pathlib import Path
from unittest import mock

import jax
import numpy as np
import optax
from absl import app, flags
from flax import nnx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import configs  # noqa: E402
from ser_jax import frontends, models, runtime  # noqa: E402
from ser_jax.methods import steps  # noqa: E402
from ser_jax.models import anand, pooling  # noqa: E402
from ser_jax.models.layers import count_params  # noqa: E402

try:
    import torch
    import torch.nn.functional as F  # noqa: N812
    from torch import nn
except ImportError:  # the message names the extra; the module stays importable
    torch = None
    nn = type("nn", (), {"Module": object})

FLAGS = flags.FLAGS
SAMPLE_RATE = 16_000  # RAVDESS as built here
NUM_CLASSES = 8  # RAVDESS's emotions

# family -> its config under configs/ (default arguments).
FAMILIES = {
    "satt_cnn_lstm": "cnn_lstm",
    "satt_cnn": "satt_cnn",
    "aldeneh": "aldeneh",
    "latif": "latif",
    "zhang": "zhang",
    "zhao": "zhao",
    "anand_r1": "anand_r1",
    "sundharam_cnn1d": "sundharam_cnn1d",
    "sundharam_bilstm": "sundharam_bilstm",
    "sundharam_transformer": "sundharam_transformer",
    "neumann": "neumann",
}

flags.DEFINE_list("models", None, f"Families to time; default all: {list(FAMILIES)}.")
flags.DEFINE_integer("batch", 0, "Batch size; 0: each config's batch_size.")
flags.DEFINE_integer("steps", 3, "Timed steps per framework after the warm-up.")
flags.DEFINE_integer(
    "warmup",
    2,
    "Untimed steps first (ser_jax compiles on the first two).",
    lower_bound=1,
)
flags.DEFINE_bool(
    "lax_conv",
    False,
    "Also time ser_jax with XLA's own conv weight and max-pool gradients.",
)


# ----------------------------------------------------------------------------
# PyTorch peers: the same layers as ser_jax's models (ser_jax/models/), without
# the masking of padded frames (every frame is valid here).


def same_padding(kernel: int) -> tuple[int, int]:
    """XLA's "SAME" split of a stride-1 kernel's padding (the extra on the right)."""
    return (kernel - 1) // 2, kernel // 2


def standardize(x):
    """Each feature column over the example's frames (`input_norm="utterance"`)."""
    mean = x.mean(1, keepdim=True)
    var = ((x - mean) ** 2).mean(1, keepdim=True)
    return (x - mean) * torch.rsqrt(var + 1e-5)


class AttentionPool(nn.Module):
    """Softmax attention over time with one scoring vector (`layers.AttentionPool`)."""

    def __init__(self, features):
        super().__init__()
        self.score = nn.Linear(features, 1, bias=False)

    def forward(self, x):
        alpha = torch.softmax(self.score(x)[..., 0], dim=1)
        return (alpha[..., None] * x).sum(1)


class Satt(nn.Module):
    """`SattCnnLstm` (`lstm=True`, last states) and `SattCnn` (mean over time)."""

    def __init__(self, shape, m, lstm: bool):
        super().__init__()
        self.convs = nn.ModuleList()
        in_c = 1
        for features, kernel in zip(m.conv_features, m.conv_kernels, strict=True):
            self.convs.append(nn.Conv2d(in_c, features, tuple(kernel), padding="same"))
            in_c = features
        flat = shape[1] // 2 ** len(m.conv_features) * in_c
        self.lstm = (
            nn.LSTM(flat, m.lstm_units, batch_first=True, bidirectional=True)
            if lstm
            else None
        )
        self.dense = nn.Linear(2 * m.lstm_units if lstm else flat, m.dense_units)
        self.classifier = nn.Linear(m.dense_units, NUM_CLASSES)
        self.dropout = nn.Dropout(m.dropout_rate)

    def forward(self, x):
        x = x[:, None]
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        b, c, t, f = x.shape
        x = x.permute(0, 2, 3, 1).reshape(b, t, f * c)
        if self.lstm is not None:
            _, (h, _) = self.lstm(x)
            summary = torch.cat([h[0], h[1]], -1)
        else:
            summary = x.mean(1)
        return self.classifier(self.dropout(F.relu(self.dense(summary))))


class Aldeneh(nn.Module):
    """`keesing.Aldeneh` (and Neumann's model: no dense layers, pooled dropout)."""

    def __init__(self, shape, widths, filters, dense_units, dropout, pooled_dropout):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv1d(shape[1], filters, w, padding="same") for w in widths
        )
        self.dense = nn.ModuleList()
        in_f = filters * len(widths)
        for units in dense_units:
            self.dense.append(nn.Linear(in_f, units))
            in_f = units
        self.classifier = nn.Linear(in_f, NUM_CLASSES)
        self.dropout = nn.Dropout(dropout)
        self.pooled_dropout = nn.Dropout(pooled_dropout)

    def forward(self, x):
        x = standardize(x).transpose(1, 2)
        x = torch.cat([F.relu(conv(x)).amax(-1) for conv in self.convs], -1)
        x = self.pooled_dropout(x)
        for layer in self.dense:
            x = self.dropout(F.relu(layer(x)))
        return self.classifier(x)


class Latif(nn.Module):
    """`keesing.Latif`: strided 1-D convs on raw audio, a 2-D conv, an LSTM."""

    def __init__(self, shape, m):
        super().__init__()
        self.stride = m.conv_stride
        self.convs = nn.ModuleList(
            nn.Conv1d(1, m.conv_features, w, stride=m.conv_stride)
            for w in m.conv_widths
        )
        self.norms = nn.ModuleList(
            nn.BatchNorm1d(m.conv_features) for _ in m.conv_widths
        )
        self.conv2d = nn.Conv2d(1, m.conv2d_features, 2, padding="same")
        self.norm2d = nn.BatchNorm2d(m.conv2d_features)
        lstm_in = m.conv_features * len(m.conv_widths) // 2 * m.conv2d_features
        self.lstm = nn.LSTM(lstm_in, m.lstm_units, batch_first=True)
        self.dense = nn.Linear(m.lstm_units, m.dense_units)
        self.classifier = nn.Linear(m.dense_units, NUM_CLASSES)
        self.dropout = nn.Dropout(m.dropout_rate)

    def forward(self, x):
        x = x.transpose(1, 2)  # [B, 1, N]
        n = x.shape[-1]
        branches = []
        for conv, norm in zip(self.convs, self.norms, strict=True):
            out = -(-n // self.stride)  # XLA's "SAME" with a stride
            total = max((out - 1) * self.stride + conv.kernel_size[0] - n, 0)
            h = conv(F.pad(x, (total // 2, total - total // 2)))
            branches.append(F.max_pool1d(F.relu(norm(h)), 2))
        x = torch.cat(branches, 1).transpose(1, 2)[:, None]  # [B, 1, T, 120]
        x = F.max_pool2d(F.relu(self.norm2d(self.conv2d(x))), 2)
        b, c, t, f = x.shape
        _, (h, _) = self.lstm(x.permute(0, 2, 3, 1).reshape(b, t, f * c))
        return self.classifier(F.relu(self.dense(self.dropout(h[-1]))))


class Zhang(nn.Module):
    """`keesing.Zhang`: per-frame 1-D convs on raw audio, two GRUs, attention."""

    def __init__(self, shape, m):
        super().__init__()
        k = m.conv_kernel
        self.conv1 = nn.Conv1d(1, m.conv_features, k, padding="same")
        self.conv2 = nn.Conv1d(m.conv_features, m.conv_features, k, padding="same")
        self.pool = m.feature_pool
        frame_features = shape[1] // 2 * (m.conv_features // m.feature_pool)
        self.gru = nn.GRU(
            frame_features, m.gru_units, num_layers=m.gru_layers, batch_first=True
        )
        self.attention = AttentionPool(m.gru_units)
        self.classifier = nn.Linear(m.gru_units, NUM_CLASSES)
        self.dropout = nn.Dropout(m.input_dropout)

    def forward(self, x):
        b, t, n = x.shape
        x = self.dropout(x).reshape(b * t, 1, n)
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.relu(self.conv2(x)).transpose(1, 2)  # [BT, n/2, C]
        x = x.reshape(b * t, x.shape[1], -1, self.pool).amax(-1).reshape(b, t, -1)
        x, _ = self.gru(x)
        return self.classifier(self.attention(x))


class Zhao(nn.Module):
    """`keesing.Zhao`: a BiLSTM branch and a 2-D conv branch, each attention-pooled."""

    def __init__(self, shape, m):
        super().__init__()
        self.lstm = nn.LSTM(
            shape[1], m.lstm_units, batch_first=True, bidirectional=True
        )
        self.lstm_attention = AttentionPool(2 * m.lstm_units)
        self.convs, self.norms, self.kernels = nn.ModuleList(), nn.ModuleList(), []
        bins, in_c = shape[1], 1
        for features, k in zip(m.conv_features, m.conv_kernels, strict=True):
            self.convs.append(nn.Conv2d(in_c, features, k))  # time padded below
            self.norms.append(nn.BatchNorm2d(features))
            self.kernels.append(k)
            bins, in_c = (bins - k + 1) // 2, features
        self.conv_dense = nn.Linear(bins * in_c, m.conv_dense_units)
        self.conv_attention = AttentionPool(m.conv_dense_units)
        self.dense = nn.Linear(2 * m.lstm_units + m.conv_dense_units, m.dense_units)
        self.classifier = nn.Linear(m.dense_units, NUM_CLASSES)
        self.dropout = nn.Dropout(m.dropout_rate)

    def forward(self, x):
        x = standardize(x)
        seq, _ = self.lstm(self.dropout(x))
        seq_summary = self.lstm_attention(seq)
        h = x[:, None]
        for conv, norm, k in zip(self.convs, self.norms, self.kernels, strict=True):
            h = conv(F.pad(h, (0, 0) + same_padding(k)))  # "SAME" in time only
            h = self.dropout(F.max_pool2d(F.relu(norm(h)), 2))
        b, c, t, f = h.shape
        h = torch.tanh(self.conv_dense(h.permute(0, 2, 3, 1).reshape(b, t, f * c)))
        x = torch.cat([seq_summary, self.conv_attention(h)], -1)
        return self.classifier(F.relu(self.dense(x)))


class AnandCnn(nn.Module):
    """`anand.AnandCnn` (a variant of `anand.VARIANTS`) on `[T, F, C]` chunk images."""

    def __init__(self, shape, m):
        super().__init__()
        spec = anand.VARIANTS[m.variant]
        frames, bins, channels = shape
        self.convs, self.pads, self.pools = nn.ModuleList(), [], []
        for features, (k_time, k_freq) in spec["convs"]:
            full = k_freq == anand.FULL
            self.convs.append(
                nn.Conv2d(channels, features, (k_time, bins if full else k_freq))
            )
            freq_pad = (0, 0) if full else same_padding(k_freq)
            self.pads.append(freq_pad + same_padding(k_time))
            bins = 1 if full else bins
            pool = (2, min(2, bins))
            self.pools.append(pool)
            frames, bins, channels = frames // pool[0], bins // pool[1], features
        hidden = m.hidden_units or spec["hidden"]
        self.hidden = nn.Linear(frames * bins * channels, hidden)
        self.classifier = nn.Linear(hidden, NUM_CLASSES)
        rate = spec.get("dropout", 0.0) if m.dropout_rate is None else m.dropout_rate
        self.dropout = nn.Dropout(rate)

    def forward(self, x):
        x = x.permute(0, 3, 1, 2)  # [B, C, T, F]
        for conv, pad, pool in zip(self.convs, self.pads, self.pools, strict=True):
            x = F.max_pool2d(F.relu(conv(F.pad(x, pad))), pool)
        x = self.dropout(x.permute(0, 2, 3, 1).reshape(x.shape[0], -1))
        return self.classifier(self.dropout(F.relu(self.hidden(x))))


class SundharamCnn1d(nn.Module):
    """`sundharam.SundharamCnn1d`: conv1d + BatchNorm + ReLU + pool blocks, mean."""

    def __init__(self, shape, m):
        super().__init__()
        self.blocks = nn.ModuleList()
        in_c = shape[1]
        for features in m.conv_features:
            self.blocks.append(
                nn.Sequential(
                    nn.Conv1d(in_c, features, m.kernel_size, padding="same"),
                    nn.BatchNorm1d(features),
                    nn.ReLU(),
                    nn.MaxPool1d(m.pool_size),
                    nn.Dropout(m.dropout_rate),
                )
            )
            in_c = features
        self.classifier = nn.Linear(in_c, NUM_CLASSES)

    def forward(self, x):
        x = standardize(x).transpose(1, 2)
        for block in self.blocks:
            x = block(x)
        return self.classifier(x.mean(-1))


class SundharamBiLstm(nn.Module):
    """`sundharam.SundharamBiLstm`: stacked BiLSTMs, mean over time."""

    def __init__(self, shape, m):
        super().__init__()
        self.lstm = nn.LSTM(
            shape[1],
            m.lstm_units,
            num_layers=m.num_layers,
            dropout=m.dropout_rate,
            batch_first=True,
            bidirectional=True,
        )
        self.classifier = nn.Linear(2 * m.lstm_units, NUM_CLASSES)
        self.dropout = nn.Dropout(m.dropout_rate)

    def forward(self, x):
        x, _ = self.lstm(standardize(x))
        return self.classifier(self.dropout(x.mean(1)))


class EncoderLayer(nn.Module):
    """`sundharam.EncoderLayer`: pre-LayerNorm self-attention and feed-forward."""

    def __init__(self, dim, heads, ffn, rate):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attention = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ffn_in, self.ffn_out = nn.Linear(dim, ffn), nn.Linear(ffn, dim)
        self.dropout = nn.Dropout(rate)

    def forward(self, x):
        h = self.norm1(x)
        x = x + self.dropout(self.attention(h, h, h, need_weights=False)[0])
        h = self.ffn_out(self.dropout(F.relu(self.ffn_in(self.norm2(x)))))
        return x + self.dropout(h)


class SundharamTransformer(nn.Module):
    """`sundharam.SundharamTransformer`: projection, sine positions, encoder, mean."""

    def __init__(self, shape, m):
        super().__init__()
        self.project = nn.Linear(shape[1], m.model_dim)
        pos = np.arange(shape[0])[:, None]
        rates = 1.0 / 10000 ** (np.arange(0, m.model_dim, 2) / m.model_dim)
        enc = np.zeros((shape[0], m.model_dim), np.float32)
        enc[:, 0::2] = np.sin(pos * rates)
        enc[:, 1::2] = np.cos(pos * rates)[:, : m.model_dim // 2]
        self.register_buffer("positions", torch.from_numpy(enc))
        self.layers = nn.ModuleList(
            EncoderLayer(m.model_dim, m.num_heads, m.ffn_units, m.dropout_rate)
            for _ in range(m.num_layers)
        )
        self.norm = nn.LayerNorm(m.model_dim)
        self.classifier = nn.Linear(m.model_dim, NUM_CLASSES)
        self.dropout = nn.Dropout(m.dropout_rate)

    def forward(self, x):
        x = self.dropout(self.project(standardize(x)) + self.positions)
        for layer in self.layers:
            x = layer(x)
        return self.classifier(self.norm(x.mean(1)))


def torch_peer(family: str, shape: tuple[int, ...], m) -> "nn.Module":
    """The PyTorch module of `family` for inputs `shape`, sized by `config.model` `m`."""
    if family in ("satt_cnn_lstm", "satt_cnn"):
        return Satt(shape, m, lstm=family == "satt_cnn_lstm")
    if family == "aldeneh":
        return Aldeneh(
            shape,
            m.conv_widths,
            m.conv_features,
            m.dense_units,
            m.dropout_rate,
            m.get("pooled_dropout_rate", 0.0),  # the model's default where unset
        )
    if family == "neumann":
        return Aldeneh(shape, m.kernel_widths, m.num_filters, (), 0.0, m.dropout_rate)
    peers = {
        "latif": Latif,
        "zhang": Zhang,
        "zhao": Zhao,
        "anand_r1": AnandCnn,
        "sundharam_cnn1d": SundharamCnn1d,
        "sundharam_bilstm": SundharamBiLstm,
        "sundharam_transformer": SundharamTransformer,
    }
    return peers[family](shape, m)


# ----------------------------------------------------------------------------
# Steps.


def use_lax_convs(model: nnx.Module) -> None:
    """Points every `nnx.Conv` of `model` back at `lax.conv_general_dilated`."""
    for _, node in nnx.iter_graph(model):
        if isinstance(node, nnx.Conv):
            node.conv_general_dilated = jax.lax.conv_general_dilated


@contextlib.contextmanager
def xla_pools():
    """While tracing: `pooling.max_pool` as `nnx.max_pool` (XLA's own gradient)."""

    def xla_max_pool(x, window):
        return nnx.max_pool(x, window, strides=window)

    with mock.patch.object(pooling, "_max_pool", xla_max_pool):
        yield


def jax_step(config, shape: tuple[int, ...], lax_conv: bool):
    """(pmapped step, replicated state, parameters): Adam on the mean cross-entropy."""
    model = models.create_model(
        config.model, shape, NUM_CLASSES, nnx.Rngs(params=config.seed)
    )
    if lax_conv:
        use_lax_convs(model)
    optimizer = nnx.Optimizer(model, optax.adam(config.learning_rate), wrt=nnx.Param)
    graphdef, state = nnx.split((model, optimizer))

    def step(state, features, lengths, labels, key):
        model, optimizer = nnx.merge(graphdef, state)
        model.train()

        def loss_fn(model):
            logits = model(features, lengths, dropout_key=key)
            return optax.softmax_cross_entropy_with_integer_labels(
                logits, labels
            ).mean()

        loss, grads = nnx.value_and_grad(loss_fn)(model)
        grads = jax.lax.psum(grads, steps.AXIS)
        optimizer.update(model, grads)
        return nnx.state((model, optimizer)), loss

    p_step = jax.pmap(step, axis_name=steps.AXIS, donate_argnums=(0,))
    return p_step, steps.replicate(state, jax.local_devices()[:1]), count_params(model)


def time_family(
    family: str, batch: int, num_steps: int, warmup: int, lax_conv: bool
) -> dict:
    """Alternating ser_jax / PyTorch training steps of one family -> medians."""
    name = FAMILIES[family]
    config = configs.load(name, "corpus=ravdess")
    batch = batch or config.batch_size
    max_samples = round(config.max_segment_seconds * SAMPLE_RATE)
    shape = tuple(
        frontends.create_frontend(
            config.frontend, SAMPLE_RATE, max_samples
        ).output_shape
    )
    rng = np.random.default_rng(0)
    features = rng.standard_normal((batch, *shape), dtype=np.float32)
    labels = rng.integers(0, NUM_CLASSES, batch)
    lengths = np.full(batch, shape[0], np.int32)

    p_step, state, num_params = jax_step(config, shape, lax_conv=False)
    runs = {"ser_jax": (p_step, state)}
    if lax_conv:
        runs["ser_jax_lax"] = jax_step(config, shape, lax_conv=True)[:2]
    jax_batch = (features[None], lengths[None], labels[None])
    keys = [
        jax.random.key_data(jax.random.key(i))[None] for i in range(warmup + num_steps)
    ]

    peer = torch_peer(family, shape, config.model)
    peer.train()
    adam = torch.optim.Adam(peer.parameters(), lr=config.learning_rate)
    torch_batch = (torch.from_numpy(features), torch.from_numpy(labels))

    def torch_step():
        adam.zero_grad(set_to_none=True)
        loss = F.cross_entropy(peer(torch_batch[0]), torch_batch[1])
        loss.backward()
        adam.step()
        return float(loss)

    times = {k: [] for k in (*runs, "torch")}
    losses = {}
    for i in range(warmup + num_steps):
        for k, (p_step, state) in runs.items():
            xla = xla_pools() if k == "ser_jax_lax" else contextlib.nullcontext()
            t0 = time.perf_counter()
            with xla:  # the step traces on its first two calls
                state, loss = p_step(
                    state, *jax_batch, jax.random.wrap_key_data(keys[i])
                )
            losses[k] = float(np.asarray(loss)[0])
            times[k].append(time.perf_counter() - t0)
            runs[k] = (p_step, state)
        t0 = time.perf_counter()
        losses["torch"] = torch_step()
        times["torch"].append(time.perf_counter() - t0)
    bad = {k: v for k, v in losses.items() if not math.isfinite(v)}
    if bad:
        raise FloatingPointError(f"{family}: non-finite training loss {bad}")
    return {
        "family": family,
        "config": name,
        "shape": shape,
        "batch": batch,
        "params": (num_params, sum(p.numel() for p in peer.parameters())),
        "compile_s": sum(times["ser_jax"][:warmup]),
        **{k: float(np.median(v[warmup:])) for k, v in times.items()},
    }


def main(argv):
    del argv
    if torch is None:
        raise SystemExit(
            "benchmarks/peers.py needs PyTorch: pip install torch==2.13.0+cpu"
        )
    runtime.quiet_library_logs()
    families = FLAGS.models or list(FAMILIES)
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        raise SystemExit(f"--models: unknown {unknown}; known: {list(FAMILIES)}")
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    device = jax.local_devices()[0]
    load_before = os.getloadavg()
    print(
        f"{threads} CPU cores; jax {jax.__version__} on {device.device_kind}, "
        f"torch {torch.__version__} with {torch.get_num_threads()} threads; "
        f"load average {load_before[0]:.1f} (1 min) before"
    )
    print(
        "Steps alternate between the frameworks (ser_jax, PyTorch, ...) so both "
        f"see the same load; median of {FLAGS.steps} steps after {FLAGS.warmup}."
    )
    lax_head = " ser_jax, XLA conv and pool grads s/step |" if FLAGS.lax_conv else ""
    lax_rule = "---|" if FLAGS.lax_conv else ""
    print(
        "| family | config | input | batch | parameters (ser_jax / PyTorch) "
        f"| ser_jax warm-up s |{lax_head} ser_jax s/step | PyTorch s/step "
        "| speed ser_jax / PyTorch | load (1 min) |"
    )
    print(f"|---|---|---|---|---|---|{lax_rule}---|---|---|---|")
    failed = []
    for family in families:
        try:
            r = time_family(
                family, FLAGS.batch, FLAGS.steps, FLAGS.warmup, FLAGS.lax_conv
            )
        except Exception as e:  # report, time the other families, fail at the end
            print(f"{family}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            failed.append(family)
            continue
        lax_cell = f" {r['ser_jax_lax']:.3f} |" if FLAGS.lax_conv else ""
        print(
            f"| {family} | `{r['config']}` | {' x '.join(map(str, r['shape']))} "
            f"| {r['batch']} | {r['params'][0] / 1e6:.2f} M / "
            f"{r['params'][1] / 1e6:.2f} M | {r['compile_s']:.0f} |{lax_cell} "
            f"{r['ser_jax']:.3f} | {r['torch']:.3f} "
            f"| {r['torch'] / r['ser_jax']:.2f}x | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    load_after = os.getloadavg()
    print(f"load average {load_after[0]:.1f} (1 min) after")
    if failed:
        raise SystemExit(f"benchmarks/peers.py: failed families {failed} (see above)")


if __name__ == "__main__":
    app.run(main)
