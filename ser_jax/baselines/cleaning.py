"""Anand & Verma's data cleaning for the feature baselines (`config.cleaning`, off by default).

The report cleaned its hand-built features by removing mislabelled examples
and replacing outliers with a median, without saying how either was found.
What ser_jax does, inside each fold and from its training speakers only
(test rows are never looked at to decide anything):

- `outlier_mads` > 0: per feature, the median m and the median absolute
  deviation (MAD) of the training rows; any value, in training or test rows,
  farther than `outlier_mads` x 1.4826 x MAD from m (1.4826 x MAD is the
  standard deviation of normal data) is replaced by m. A feature with MAD 0
  is left as it is.
- `mislabelled_below` > 0: every training row gets an out-of-fold posterior
  from a softmax regression (the fold's standardisation, C = 1, balanced
  classes) trained on the other training speakers (speaker-grouped 5-fold
  cross-validation); rows whose posterior for their own label is below
  `mislabelled_below` are removed from training. At chunk level a chunk is
  a row: a chunk that sounds like another emotion leaves, its utterance's
  other chunks stay.

Both run before the grid search, outliers first; the fold's record says how
many values were replaced and how many rows were removed.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import GroupKFold, cross_val_predict

from ser_jax.baselines import classifiers

MAD_TO_STD = 1.4826


def replace_outliers(
    train: np.ndarray, rows: np.ndarray, num_mads: float
) -> tuple[np.ndarray, int]:
    """`rows` with every value farther than `num_mads` robust standard deviations
    from the training median replaced by that median; and how many were."""
    median = np.median(train, axis=0)
    mad = MAD_TO_STD * np.median(np.abs(train - median), axis=0)
    outlier = (np.abs(rows - median) > num_mads * mad) & (mad > 0)
    return np.where(outlier, median, rows), int(outlier.sum())


def mislabelled(
    x: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    standardization: str,
    below: float,
    folds: int = 5,
) -> np.ndarray:
    """A boolean mask of the training rows whose out-of-fold softmax-regression
    posterior for their own label is below `below`.

    `x` is the pipelines' X (speaker code in column 0); `groups` the speakers,
    so no row is scored by a model that saw its speaker.
    """
    classes = np.unique(labels)
    folds = min(folds, len(np.unique(groups)))
    if folds < 2 or len(classes) < 2:
        return np.zeros(len(labels), bool)
    probs = cross_val_predict(
        classifiers.make_pipeline("logreg", standardization),
        x,
        labels,
        groups=groups,
        cv=GroupKFold(n_splits=folds),
        method="predict_proba",
    )
    own = probs[np.arange(len(labels)), np.searchsorted(classes, labels)]
    return own < below
