"""results.json's summary: pooled over summed confusion matrices, and mean ± std."""

import numpy as np
import pytest

from ser_jax import metrics
from ser_jax.results import summarize

CLASSES = ["anger", "neutral"]


def fold(cm) -> dict:
    return {"test": {"utterance": metrics.level_metrics_from_confusion(cm, CLASSES)}}


def test_pooled_metrics_sum_the_folds_confusion_matrices():
    a = np.array([[8, 2], [0, 10]])  # UAR (0.8 + 1.0) / 2 = 0.9
    b = np.array([[1, 1], [3, 1]])  # UAR (0.5 + 0.25) / 2 = 0.375
    summary = summarize([fold(a), fold(b)], CLASSES)["utterance"]
    pooled = summary["pooled"]
    assert pooled["confusion_matrix"] == (a + b).tolist()
    assert pooled["uar"] == pytest.approx((9 / 12 + 11 / 14) / 2)  # not the mean
    assert pooled["wa"] == pytest.approx(20 / 26)
    assert summary["uar_over_folds"] == pytest.approx(
        {"mean": (0.9 + 0.375) / 2, "std": (0.9 - 0.375) / 2}  # population std
    )
    assert "segment" not in summarize([fold(a)], CLASSES)  # levels the records have
