"""Feature baselines over the neural models' folds (`config.method = "baseline"`).

    python -m ser_jax.main --config=configs/svm_egemaps.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_egemaps

openSMILE or hand-built utterance features (`ser_jax.baselines.features`) and
a scikit-learn classifier (`ser_jax.baselines.classifiers`).
`train_and_evaluate(config, workdir)` writes the same results.json as the
neural method (utterance level only). The folds are the
neural models' (same protocol fields, same seed); each fold's validation
speakers join its training speakers, and hyper-parameters are chosen by a
speaker-grouped grid search on those training speakers only (scored by UAR).
Finished folds (`fold_KK/fold_result.json`) are not run again.
"""

from __future__ import annotations

import time
from pathlib import Path

import ml_collections
import numpy as np
from absl import logging

from ser_jax import metrics, results
from ser_jax.data import protocols
from ser_jax.data.corpus import Corpus
from ser_jax.methods import experiment

# Fields that may change between invocations on one workdir.
RESUMABLE_FIELDS = ("fold", "n_jobs")


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


def run_fold(
    config: ml_collections.ConfigDict,
    corpus: Corpus,
    fold: protocols.Fold,
    feats: np.ndarray,
    fold_dir: Path,
) -> dict:
    """Grid search on the fold's training (+ validation) speakers, then test."""
    from ser_jax.baselines import classifiers  # scikit-learn: only when used

    train_speakers = fold.train_speakers + fold.val_speakers
    train_idx = corpus.select(train_speakers)
    test_idx = corpus.select(fold.test_speakers)
    if len(train_idx) == 0 or len(test_idx) == 0:
        raise ValueError(f"Fold {fold.index}: no training or no test utterances")
    # Validation speakers are training speakers here: the check covers both.
    protocols.check_no_leakage(
        fold, train_speakers=corpus.speakers[train_idx], val_speakers=()
    )
    codes = {s: i for i, s in enumerate(corpus.speaker_ids)}
    speaker_codes = np.asarray([codes[s] for s in corpus.speakers])
    x = classifiers.with_speakers(speaker_codes, feats)

    search = classifiers.make_search(
        config.classifier,
        config.standardization,
        config.grid.to_dict(),
        num_features=feats.shape[1],
        num_groups=len(train_speakers),
        inner_folds=config.inner_cv_folds,
        seed=config.seed,
        n_jobs=config.n_jobs,
    )
    start = time.time()
    search.fit(x[train_idx], corpus.labels[train_idx], groups=speaker_codes[train_idx])
    fit_seconds = time.time() - start
    predictions = search.predict(x[test_idx])
    test = metrics.level_metrics(
        corpus.labels[test_idx], predictions, corpus.class_names
    )

    results.write_predictions(
        fold_dir / "test_predictions.csv", corpus, test_idx, predictions
    )

    cv = search.cv_results_
    return {
        "fold": fold.index,
        **fold.to_dict(),
        "val_speakers_in_training": True,
        "num_utterances": {"train": int(len(train_idx)), "test": int(len(test_idx))},
        "num_features": int(feats.shape[1]),
        "best_params": {k: _jsonable(v) for k, v in search.best_params_.items()},
        "inner_cv": {
            "scheme": type(search.cv).__name__,
            "splits": int(search.n_splits_),
            "best_uar": float(search.best_score_),
            "grid": [
                {
                    "params": {k: _jsonable(v) for k, v in params.items()},
                    "uar_mean": float(mean),
                    "uar_std": float(std),
                }
                for params, mean, std in zip(
                    cv["params"],
                    cv["mean_test_score"],
                    cv["std_test_score"],
                    strict=True,
                )
            ],
        },
        "fit_seconds": fit_seconds,
        "test": {"utterance": test},
    }


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str | Path) -> dict:
    """Runs the configured protocol and writes `workdir/results.json`; returns it."""
    # scikit-learn (about a second to import) only when a baseline runs, so
    # `ser_jax.methods` (and ser_jax.classify) starts without it.
    from ser_jax.baselines import classifiers, features

    if config.standardization not in classifiers.STANDARDIZATIONS:
        raise ValueError(
            f"standardization {config.standardization!r} unknown; known: "
            f"{classifiers.STANDARDIZATIONS}"
        )
    features.check_name(config.features)
    exp = experiment.start(config, workdir, RESUMABLE_FIELDS)
    feats, _ = features.load_or_compute(
        exp.corpus, config.features, config.dataset.data_dir
    )
    logging.info(
        "%s; %s features (%d), %s, standardization %s",
        exp.describe(),
        config.features,
        feats.shape[1],
        config.classifier,
        config.standardization,
    )
    records = exp.run(
        lambda fold, fold_dir: run_fold(config, exp.corpus, fold, feats, fold_dir)
    )
    return exp.write_results(
        records,
        title=f"{exp.corpus.name} {exp.protocol}, {config.features} + {config.classifier}",
        method="baseline",
        features={"name": config.features, "num_features": int(feats.shape[1])},
        classifier=config.classifier,
        standardization=config.standardization,
        devices=["cpu"],
    )


def describe(run_results: dict) -> str:
    """Classifier, features and standardisation, as a report's "model / method" cell."""
    config = run_results.get("config", {})
    feats = run_results.get("features") or {"name": config.get("features", "?")}
    size = feats.get("num_features")
    classifier = run_results.get("classifier", config.get("classifier", "?"))
    mode = run_results.get("standardization", config.get("standardization", "?"))
    return (
        f"{classifier} on {feats.get('name', '?')}{f' ({size})' if size else ''}, "
        f"standardization {mode}"
    )
