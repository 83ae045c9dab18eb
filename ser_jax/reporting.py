"""Results people can read: results.json, per-fold records, confusion-matrix PNGs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ser_jax import metrics

LEVELS = ("segment", "utterance")


def summarize(fold_records: Sequence[dict], class_names: Sequence[str]) -> dict:
    """Pooled metrics (summed confusion matrices) and mean ± std over folds.

    Levels are those the records have: neural models report "segment" (3 s
    sub-utterances) and "utterance"; utterance-level classifiers only the latter.
    """
    summary = {}
    for level in (lvl for lvl in LEVELS if lvl in fold_records[0]["test"]):
        cms = [np.asarray(r["test"][level]["confusion_matrix"]) for r in fold_records]
        pooled = metrics.metrics_from_confusion(sum(cms), class_names)
        pooled["confusion_matrix"] = np.sum(cms, axis=0).tolist()
        summary[level] = {
            "pooled": pooled,
            **{
                f"{name}_over_folds": metrics.mean_std(
                    [r["test"][level][name] for r in fold_records]
                )
                for name in ("uar", "wa", "macro_f1")
            },
        }
    return summary


def save_confusion_png(
    cm: np.ndarray, class_names: Sequence[str], path: Path, title: str
) -> None:
    """Row-normalised confusion matrix (recall per true class), counts annotated."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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


def write_predictions(
    path: Path,
    corpus,
    idx: Sequence[int],
    predictions: Sequence[int],
    probs: np.ndarray | None = None,
) -> None:
    """A CSV row per test utterance: file, speaker, label, prediction[, posteriors]."""
    names = corpus.class_names
    header = "file_name,speaker,label,prediction"
    if probs is not None:
        header += "," + ",".join(f"p_{c}" for c in names)
    lines = [header]
    for row, (i, p) in enumerate(zip(idx, predictions, strict=True)):
        cells = [
            corpus.file_names[i],
            corpus.speakers[i],
            names[corpus.labels[i]],
            names[int(p)],
        ]
        if probs is not None:
            cells += [f"{x:.4f}" for x in probs[row]]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")


def write_json(path: Path, data: dict) -> None:
    """Atomic write, so a killed run never leaves half a file behind."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False))
    tmp.replace(path)


def format_summary(results: dict) -> str:
    """One paragraph for the terminal."""
    utt = results["summary"]["utterance"]
    folds = len(results["folds"])
    return (
        f"{results['corpus']} {results['protocol']['name']} ({folds} of "
        f"{results['protocol']['num_folds']} folds), utterance level: pooled UAR "
        f"{utt['pooled']['uar']:.1%}, WA {utt['pooled']['wa']:.1%}, macro-F1 "
        f"{utt['pooled']['macro_f1']:.1%}; UAR over folds "
        f"{utt['uar_over_folds']['mean']:.1%} ± {utt['uar_over_folds']['std']:.1%}"
    )
