import numpy as np
from sklearn.metrics import balanced_accuracy_score, f1_score

from ser_jax import metrics


def test_metrics_match_scikit_learn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    p = np.where(rng.random(200) < 0.6, y, rng.integers(0, 4, 200))
    cm = metrics.confusion_matrix(y, p, 4)
    m = metrics.metrics_from_confusion(cm, list("abcd"))
    assert cm.sum() == 200
    assert np.isclose(m["wa"], (y == p).mean())
    assert np.isclose(m["uar"], balanced_accuracy_score(y, p))
    assert np.isclose(m["macro_f1"], f1_score(y, p, average="macro"))


def test_absent_class_is_left_out_of_uar():
    cm = metrics.confusion_matrix(np.array([0, 0, 1]), np.array([0, 1, 1]), 3)
    m = metrics.metrics_from_confusion(cm, ["x", "y", "z"])
    assert m["per_class_recall"] == {"x": 0.5, "y": 1.0, "z": None}
    assert np.isclose(m["uar"], 0.75)
