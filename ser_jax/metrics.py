"""Classification metrics from confusion matrices: WA, UAR, macro-F1, recalls.

Everything derives from counts, so folds and devices pool by summing matrices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def confusion_matrix(
    labels: np.ndarray, predictions: np.ndarray, num_classes: int
) -> np.ndarray:
    """`[true, predicted]` counts."""
    cm = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(cm, (np.asarray(labels), np.asarray(predictions)), 1)
    return cm


def metrics_from_confusion(cm: np.ndarray, class_names: Sequence[str]) -> dict:
    """WA (accuracy), UAR (mean recall over classes present), macro-F1, recalls.

    Classes absent from the true labels are left out of UAR and macro-F1 (a
    single test speaker may lack a class); their recall is reported as None.
    """
    cm = np.asarray(cm, dtype=np.float64)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    tp = np.diag(cm)
    present = support > 0
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=present)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    f1 = np.divide(
        2 * precision * recall,
        precision + recall,
        out=np.zeros_like(tp),
        where=(precision + recall) > 0,
    )
    total = cm.sum()
    return {
        "wa": float(tp.sum() / total) if total else 0.0,
        "uar": float(recall[present].mean()) if present.any() else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class_recall": {
            name: (float(r) if p else None)
            for name, r, p in zip(class_names, recall, present, strict=True)
        },
        "num_examples": int(total),
    }


def level_metrics_from_confusion(cm: np.ndarray, class_names: Sequence[str]) -> dict:
    """`metrics_from_confusion` and the matrix itself: one level (segment or
    utterance) of a fold, or of pooled folds, as results.json stores it."""
    out = metrics_from_confusion(cm, class_names)
    out["confusion_matrix"] = np.asarray(cm).tolist()
    return out


def level_metrics(
    labels: np.ndarray, predictions: np.ndarray, class_names: Sequence[str]
) -> dict:
    """`level_metrics_from_confusion` of labels and predicted class ids."""
    cm = confusion_matrix(labels, predictions, len(class_names))
    return level_metrics_from_confusion(cm, class_names)


def mean_std(values: Sequence[float]) -> dict:
    """Mean and population std over folds (or repeats)."""
    values = np.asarray(values, dtype=np.float64)
    return {"mean": float(values.mean()), "std": float(values.std())}
