"""scikit-learn pipelines for the feature baselines: speaker standardisation + classifier.

The speaker of each row travels with the features as column 0 of X (an integer
code), so that per-speaker standardisation is an ordinary pipeline step and
stays inside cross-validation: `SpeakerStandardizer` reads the code, drops it
and standardises the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold, LeaveOneGroupOut
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC, LinearSVC

from ser_jax.frontends.standardization import MODES

# The neural models' modes (`feature_standardization`), on utterance vectors.
STANDARDIZATIONS = MODES


def with_speakers(speaker_codes: np.ndarray, features: np.ndarray) -> np.ndarray:
    """X for the pipelines: the integer speaker code in column 0, then the features."""
    return np.column_stack([np.asarray(speaker_codes, np.float64), features])


def _stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = features.mean(axis=0)
    std = features.std(axis=0)
    return mean, np.where(std > 1e-8, std, 1.0)


class SpeakerStandardizer(TransformerMixin, BaseEstimator):
    """Standardises feature columns; X's column 0 is the speaker code (dropped).

    mode:
      "train_speakers": mean and std of each column over the rows given to
        `fit` (the training speakers), applied to every row at transform; the
        statistics of a speaker seen only at transform time are never used.
      "per_speaker_transductive": every speaker is standardised with its own
        mean and std, computed from that speaker's rows in the X being
        transformed (fit learns nothing). At test time this uses the test
        speaker's (unlabelled) features, as in Keesing et al.'s tables.
      "none": the features unchanged.
    """

    def __init__(self, mode: str = "train_speakers"):
        self.mode = mode

    def fit(self, X, y=None):
        if self.mode not in STANDARDIZATIONS:
            raise ValueError(
                f"standardization {self.mode!r} unknown; known: {STANDARDIZATIONS}"
            )
        features = np.asarray(X, np.float64)[:, 1:]
        self.n_features_in_ = features.shape[1] + 1
        if self.mode == "train_speakers":
            self.mean_, self.scale_ = _stats(features)
        return self

    def transform(self, X):
        X = np.asarray(X, np.float64)
        speakers, features = X[:, 0], X[:, 1:]
        if self.mode == "none":
            return features.copy()
        if self.mode == "train_speakers":
            return (features - self.mean_) / self.scale_
        out = np.empty_like(features)
        for s in np.unique(speakers):
            rows = speakers == s
            mean, scale = _stats(features[rows])
            out[rows] = (features[rows] - mean) / scale
        return out


class RBFSVC(ClassifierMixin, BaseEstimator):
    """SVC with the RBF kernel exp(-gamma |x - y|^2), the kernel computed with BLAS.

    The same model as `SVC(kernel="rbf")`; libsvm evaluates the kernel one pair
    at a time, which on ComParE's 6373 features is some 10x slower than one
    matrix product per fit.
    """

    def __init__(self, C=1.0, gamma=1.0, class_weight="balanced"):
        self.C = C
        self.gamma = gamma
        self.class_weight = class_weight

    def _kernel(self, X: np.ndarray) -> np.ndarray:
        sq = np.einsum("ij,ij->i", X, X)
        d2 = sq[:, None] + self.sq_norms_[None, :] - 2.0 * (X @ self.X_fit_.T)
        return np.exp(-self.gamma * np.maximum(d2, 0.0))

    def fit(self, X, y):
        self.X_fit_ = np.asarray(X, np.float64)
        self.sq_norms_ = np.einsum("ij,ij->i", self.X_fit_, self.X_fit_)
        self.svc_ = SVC(
            kernel="precomputed", C=self.C, class_weight=self.class_weight
        ).fit(self._kernel(self.X_fit_), y)
        self.classes_ = self.svc_.classes_
        return self

    def decision_function(self, X):
        return self.svc_.decision_function(self._kernel(np.asarray(X, np.float64)))

    def predict(self, X):
        return self.svc_.predict(self._kernel(np.asarray(X, np.float64)))


def _gamma(scale_factors, num_features: int) -> list[float]:
    return [float(f) / num_features for f in scale_factors]


# Grids searched by the inner speaker-grouped CV. `gamma_scale`: multiples of
# 1 / num_features (sklearn's gamma="scale" on standardised features).
DEFAULT_GRIDS = {
    "svm_rbf": {"C": (0.1, 1.0, 10.0, 100.0), "gamma_scale": (0.01, 0.05, 0.25, 1.0)},
    "svm_linear": {"C": (1e-4, 1e-3, 1e-2, 1e-1)},
    "logreg": {"C": (1e-3, 1e-2, 1e-1, 1.0)},
    "mlp": {"alpha": (1e-3, 1e-1, 1.0), "hidden_layer_sizes": (64, 256)},
    # Two hidden layers (Anand & Verma's "3-layer" net; `mlp` is their 2-layer one).
    "mlp_2hidden": {
        "alpha": (1e-3, 1e-1, 1.0),
        "hidden_layer_sizes": ((64, 64), (256, 256)),
    },
}
CLASSIFIERS = tuple(DEFAULT_GRIDS)


def make_estimator(name: str, seed: int = 0):
    """The classifier; class_weight="balanced" wherever the estimator takes it."""
    if name == "svm_rbf":
        return RBFSVC(class_weight="balanced")
    if name == "svm_linear":
        return LinearSVC(class_weight="balanced", max_iter=20000, random_state=seed)
    if name == "logreg":  # multinomial (softmax) with lbfgs
        return LogisticRegression(class_weight="balanced", max_iter=3000)
    if name in ("mlp", "mlp_2hidden"):  # MLPClassifier takes no class weights
        return MLPClassifier(max_iter=500, early_stopping=False, random_state=seed)
    raise ValueError(f"classifier {name!r} unknown; known: {CLASSIFIERS}")


def param_grid(name: str, grid: Mapping, num_features: int) -> dict:
    """sklearn grid (pipeline-step names) from a config grid."""
    known = set(DEFAULT_GRIDS.get(name, {}))
    if set(grid) != known:
        raise ValueError(
            f"grid keys {sorted(grid)} do not fit classifier {name!r} (expects "
            f"{sorted(known)}); choose the classifier with the config argument, "
            f"e.g. configs/svm_egemaps.py:classifier={name}"
        )
    out = {}
    for key, values in grid.items():
        values = list(values)
        if key == "gamma_scale":
            out["clf__gamma"] = _gamma(values, num_features)
        elif key == "hidden_layer_sizes":
            out["clf__hidden_layer_sizes"] = [
                tuple(v) if isinstance(v, (tuple, list)) else (int(v),) for v in values
            ]
        else:
            out[f"clf__{key}"] = values
    return out


def make_pipeline(classifier: str, standardization: str, seed: int = 0) -> Pipeline:
    return Pipeline(
        [
            ("standardize", SpeakerStandardizer(standardization)),
            ("clf", make_estimator(classifier, seed)),
        ]
    )


def class_scores(model, x: np.ndarray, num_classes: int) -> np.ndarray:
    """`[N, num_classes]` scores of a fitted classifier: its posteriors
    (`predict_proba`) where it has them, else its one-vs-rest decision values
    (the SVMs). A class absent from its training data scores -inf."""
    if hasattr(model, "predict_proba"):
        scores = model.predict_proba(x)
    else:
        scores = model.decision_function(x)
        if scores.ndim == 1:  # two classes: the positive class's margin
            scores = np.stack([-scores, scores], axis=1) / 2
    out = np.full((len(x), num_classes), -np.inf)
    out[:, np.asarray(model.classes_, int)] = scores
    return out


def make_search(
    classifier: str,
    standardization: str,
    grid: Mapping,
    num_features: int,
    num_groups: int,
    inner_folds: int = 5,
    seed: int = 0,
    n_jobs: int = 1,
) -> GridSearchCV:
    """Grid search scored by balanced accuracy (UAR), speaker-grouped inner CV.

    `inner_folds` > 0: GroupKFold over the training speakers (capped at their
    number); 0: leave one training speaker out. Call `fit(X, y, groups=speakers)`.
    """
    cv = (
        LeaveOneGroupOut()
        if inner_folds <= 0 or inner_folds >= num_groups
        else GroupKFold(n_splits=inner_folds)
    )
    return GridSearchCV(
        make_pipeline(classifier, standardization, seed),
        param_grid(classifier, grid, num_features),
        scoring="balanced_accuracy",
        cv=cv,
        refit=True,
        n_jobs=n_jobs,
        error_score="raise",
    )
