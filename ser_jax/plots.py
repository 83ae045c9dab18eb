"""The figures of runs and studies (matplotlib, written as PNG files).

Confusion matrices (every run writes its pooled one), per-class recall of
several runs, training curves per fold, UAR against snippet length, a
recording's timeline of posteriors (`ser_jax.classify --plot`), and a trained
model's first-layer filters with their activations on one utterance
(`ser_jax.report --filters`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ser_jax.results import Run, describe_snippet

if TYPE_CHECKING:
    from ser_jax.filters import FirstLayer
    from ser_jax.timeline import SegmentResult


def _pyplot():
    """pyplot on the Agg backend (no display), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_per_class_recall(runs: Sequence[Run], path: Path) -> None:
    """Grouped bars: a group per class, a bar per run."""
    plt = _pyplot()
    classes = list(dict.fromkeys(c for run in runs for c in run.results["class_names"]))
    width = 0.8 / len(runs)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(classes) + 0.3 * len(runs)), 4))
    x = np.arange(len(classes))
    for i, run in enumerate(runs):
        recall = run.results["summary"]["utterance"]["pooled"]["per_class_recall"]
        values = [np.nan if recall.get(c) is None else 100 * recall[c] for c in classes]
        ax.bar(x + (i - (len(runs) - 1) / 2) * width, values, width, label=run.label)
    ax.set_xticks(x, classes, rotation=30, ha="right")
    ax.set_ylabel("recall (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Per-class recall (pooled, utterances)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def has_history(results: dict) -> bool:
    return any(f.get("history") for f in results["folds"])


def plot_training_curves(run: Run, path: Path) -> None:
    """Train loss and validation UAR per epoch, a line per fold."""
    plt = _pyplot()
    fig, (loss_ax, uar_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    for f in run.results["folds"]:
        history = f.get("history") or []
        if not history:
            continue
        epochs = [h["epoch"] for h in history]
        name = f"{f.get('group', '')} fold {f.get('fold', '?')}".strip()
        loss_ax.plot(epochs, [h["train_loss"] for h in history], marker=".", label=name)
        uar_ax.plot(
            epochs, [100 * h["val_uar"] for h in history], marker=".", label=name
        )
    loss_ax.set(xlabel="epoch", ylabel="training loss", title="Training loss")
    uar_ax.set(xlabel="epoch", ylabel="UAR (%)", title="Validation UAR (utterances)")
    uar_ax.set_ylim(0, 100)
    from matplotlib.ticker import MaxNLocator

    for ax in (loss_ax, uar_ax):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    uar_ax.legend(fontsize=7)
    fig.suptitle(run.label, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_snippet_length(study: dict, path: Path, title: str = "") -> None:
    """Pooled UAR and WA against N; the full utterance as a horizontal line."""
    plt = _pyplot()
    runs = study["runs"]
    clipped = sorted(
        (r for r in runs if r["snippet_seconds"] is not None),
        key=lambda r: r["snippet_seconds"],
    )
    full = [r for r in runs if r["snippet_seconds"] is None]
    fig, ax = plt.subplots(figsize=(6, 4))
    if clipped:
        n = [r["snippet_seconds"] for r in clipped]
        ax.plot(n, [100 * r["uar"] for r in clipped], "o-", label="UAR")
        ax.plot(n, [100 * r["wa"] for r in clipped], "s--", label="WA", alpha=0.7)
    for r in full:
        ax.axhline(
            100 * r["uar"], color="C0", ls=":", label=f"UAR, {describe_snippet(r)}"
        )
    if clipped:
        ax.set_xlim(0, 1.1 * max(n) + 0.1)
    ax.set(
        xlabel="first N seconds of each utterance (train and test)",
        ylabel="pooled %",
        title=title or "UAR against snippet length",
    )
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_snr_curve(study: dict, path: Path, title: str = "") -> None:
    """The noise study's pooled UAR against SNR: a line per noise and model
    (normal solid, modified dashed), their mean bold, clean as dotted lines."""
    plt = _pyplot()
    curve = study["snr_curve"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    styles = {"normal": "-", "modified": "--"}
    noises = list(dict.fromkeys(r["noise"] for r in curve))
    kinds = {r["noise"]: r.get("kind", "") for r in curve}  # generated, musan
    for m, model in enumerate(dict.fromkeys(r["model"] for r in curve)):
        ls = styles.get(model, ":")
        by_snr: dict[float, list[float]] = {}
        for i, name in enumerate(noises):
            points = sorted(
                (r["snr_db"], 100 * r["uar"])
                for r in curve
                if r["model"] == model and r["noise"] == name
            )
            for snr, uar in points:
                by_snr.setdefault(snr, []).append(uar)
            ax.plot(*zip(*points, strict=True), ls, color=f"C{i}", alpha=0.6,
                    label=f"{name} ({kinds[name]})" if m == 0 else None)  # fmt: skip
        snrs = sorted(by_snr)
        ax.plot(snrs, [np.mean(by_snr[s]) for s in snrs], ls, color="k", lw=2.5,
                label=f"{model}: mean over noises")  # fmt: skip
        clean = [r for r in study["runs"] if r["model"] == model and not r["noise"]]
        for r in clean:
            ax.axhline(100 * r["uar"], color="k", ls=":", alpha=0.5 + 0.3 * m)
    ax.set(xlabel="SNR (dB, active speech level)", ylabel="pooled UAR %",
           title=title or "UAR against SNR")  # fmt: skip
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def save_confusion_png(
    cm: np.ndarray, class_names: Sequence[str], path: Path, title: str
) -> None:
    """Row-normalised confusion matrix (recall per true class), counts annotated."""
    plt = _pyplot()

    cm = np.asarray(cm)
    rows = np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(1.0 + 0.8 * len(class_names),) * 2)
    ax.imshow(cm / rows, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(class_names)), class_names, rotation=45, ha="right")
    ax.set_yticks(range(len(class_names)), class_names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            color = "white" if cm[i, j] / rows[i, 0] > 0.5 else "black"
            ax.text(
                j, i, str(cm[i, j]), ha="center", va="center", color=color, fontsize=8
            )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_timeline(
    rows: Sequence[SegmentResult], class_names: Sequence[str], path: Path, title: str
) -> None:
    """Each class's posterior over time (a point per window, at its centre;
    lines break at windows without speech, which are shaded grey: the hop
    around their centre, so overlapping windows shade only their own share)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(6.0, min(20.0, 0.4 * len(rows) + 4)), 3.6))
    centres = np.array([(r.start_s + r.end_s) / 2 for r in rows])
    hop = rows[1].start_s - rows[0].start_s if len(rows) > 1 else np.inf
    probs = np.full((len(rows), len(class_names)), np.nan)
    for i, r in enumerate(rows):
        if r.posteriors is None:
            half = min(r.end_s - r.start_s, hop) / 2
            ax.axvspan(centres[i] - half, centres[i] + half, color="0.85", lw=0)
        else:
            probs[i] = r.posteriors
    for k, name in enumerate(class_names):
        ax.plot(centres, probs[:, k], marker=".", label=name)
    if any(r.posteriors is None for r in rows):
        ax.axvspan(0, 0, color="0.85", label="no speech")
    ax.set(xlabel="time (s)", ylabel="posterior", title=title, ylim=(0, 1))
    ax.set_xlim(0, max(r.end_s for r in rows))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_first_layer(
    layer: FirstLayer, filters: Sequence[int], path: Path, title: str = ""
) -> None:
    """Satt et al. Figs. 2-3, Anand & Verma Fig. 5: the kernels of `filters`
    (a row per input channel; time across, frequency up), the model's input
    (each channel) and each filter's activation on it. A filter spanning the
    whole frequency axis (Anand's R) has one activation per frame: those are
    drawn as one map, a row per filter."""
    plt = _pyplot()
    filters = list(filters)
    n, channels = len(filters), layer.kernels.shape[2]
    per_row = min(n, 8)
    maps = layer.activations.shape[1] > 1
    act_rows = -(-n // per_row) if maps else 1
    fig = plt.figure(
        figsize=(max(8.0, 1.3 * per_row), 2.2 * (channels + act_rows) + 3.0),
        layout="constrained",
    )
    top, middle, bottom = fig.subfigures(
        3, 1, height_ratios=[1.3 * channels, 2.4, 1.8 * act_rows]
    )
    axes = np.atleast_2d(top.subplots(channels, n, squeeze=False))
    for c in range(channels):
        for i, f in enumerate(filters):
            ax = axes[c, i]
            ax.imshow(
                layer.kernels[:, :, c, f].T,
                origin="lower",
                aspect="auto",
                cmap="RdBu_r",
            )
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_title(f"#{f}", fontsize=7)
        axes[c, 0].set_ylabel(f"in {c}" if channels > 1 else "kernel", fontsize=7)
    top.suptitle("first-layer kernels (time →, frequency ↑)", fontsize=9)
    feature_axes = np.atleast_1d(middle.subplots(1, channels))
    for c, ax in enumerate(feature_axes):
        ax.imshow(
            layer.features[:, :, c].T, origin="lower", aspect="auto", cmap="magma"
        )
        ax.set(xlabel="frame", ylabel="bin")
    middle.suptitle(
        f"input: {layer.file_name} ({layer.emotion}), first segment", fontsize=9
    )
    if maps:
        act_axes = bottom.subplots(act_rows, per_row, squeeze=False)
        for ax in act_axes.flat:
            ax.axis("off")
        for i, f in enumerate(filters):
            ax = act_axes.flat[i]
            ax.axis("on")
            ax.imshow(
                layer.activations[:, :, f].T,
                origin="lower",
                aspect="auto",
                cmap="viridis",
            )
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"#{f}", fontsize=7)
    else:
        ax = bottom.subplots()
        ax.imshow(layer.activations[:, 0, filters].T, aspect="auto", cmap="viridis")
        ax.set_yticks(range(n), [f"#{f}" for f in filters], fontsize=6)
        ax.set_xlabel("frame")
    bottom.suptitle(
        "activations (first conv's output, before its nonlinearity)", fontsize=9
    )
    fig.suptitle(title or f"{layer.model}, {layer.fold}", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
