"""Feature baselines over the neural models' folds (`config.method = "baseline"`).

    python -m ser_jax.main --config=configs/svm_egemaps.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_egemaps

openSMILE or hand-built utterance features (`ser_jax.baselines.features`) and
a scikit-learn classifier (`ser_jax.baselines.classifiers`). With
`config.chunk_level` (hand-built features only) the classifier sees Anand &
Verma's 26 features of each 512 ms chunk, each chunk labelled with its
utterance's emotion and grouped by its speaker in the grid search; an
utterance's scores are the mean over its chunks' (posteriors, or one-vs-rest
decision values for the SVMs), and both levels are reported ("segment" =
chunk). `config.cleaning` (off by default): the report's data cleaning,
`ser_jax.baselines.cleaning`. `config.evaluation.noise` / `snr_db` (as for a
neural run): the test utterances' features are computed from their audio
mixed with that noise (`noisy_test_features`); training stays clean.
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
from ser_jax.methods.fold_data import fold_utterances
from ser_jax.noise import sources as noise_sources

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


def noisy_test_features(
    config: ml_collections.ConfigDict,
    corpus: Corpus,
    fold: protocols.Fold,
    babble_idx: np.ndarray,
    test_idx: np.ndarray,
    feats: np.ndarray,
    row_utterance: np.ndarray | None,
) -> tuple[np.ndarray, dict]:
    """`feats` with the test utterances' rows computed again from their audio
    mixed with `config.evaluation`'s noise at its SNR: the excerpts a
    whole-utterance neural model tested on this split hears
    (`noise_sources.mix_clips`), babble made of utterances `babble_idx` (the
    fold's training speakers'). The training rows stay as they are."""
    from ser_jax.baselines import features

    noise, snr_db = noise_sources.evaluation_setting(config)
    sources = noise_sources.create(
        (noise,),
        corpus.sample_rate,
        config.seed,
        babble=(
            [corpus.audio[i] for i in babble_idx],
            corpus.speakers[babble_idx],
            fold.test_speakers,
        ),
        data_dir=config.dataset.get("data_dir") or None,
    )
    clips, clipped = noise_sources.mix_clips(
        sources, noise, snr_db, [corpus.audio[i] for i in test_idx], config.seed
    )
    feats = feats.copy()
    if row_utterance is None:
        feats[test_idx] = features.compute(config.features, clips, corpus.sample_rate)
    else:
        for u, clip in zip(test_idx, clips, strict=True):
            rows = features.handbuilt_chunk_features(clip, corpus.sample_rate)
            feats[row_utterance == u] = np.nan_to_num(rows, posinf=0.0, neginf=0.0)
    logging.info(
        "Fold %d: test features from audio with %s at %g dB (%d samples clipped)",
        fold.index,
        noise_sources.describe(noise),
        snr_db,
        clipped,
    )
    return feats, {
        **noise_sources.test_condition(noise, snr_db),
        "clipped_samples": clipped,
    }


def run_fold(
    config: ml_collections.ConfigDict,
    corpus: Corpus,
    fold: protocols.Fold,
    feats: np.ndarray,
    fold_dir: Path,
    row_utterance: np.ndarray | None = None,
) -> dict:
    """Grid search on the fold's training (+ validation) speakers, then test.

    `feats` has a row per utterance, or, with `row_utterance` (each row's
    utterance index), a row per chunk. A random split (`random_utterances`)
    trains on its training and validation utterances and tests on its test
    utterances (`fold_utterances`).
    """
    # scikit-learn: only when used
    from ser_jax.baselines import classifiers
    from ser_jax.baselines import cleaning as cleaning_lib

    train_speakers = sorted(set(fold.train_speakers + fold.val_speakers))
    if fold.random_split:
        split = fold_utterances(corpus, fold, config.protocol.seed)
        train_idx = np.sort(np.concatenate([split["train"], split["val"]]))
        test_idx = split["test"]
    else:
        train_idx = corpus.select(train_speakers)
        test_idx = corpus.select(fold.test_speakers)
    if len(train_idx) == 0 or len(test_idx) == 0:
        raise ValueError(f"Fold {fold.index}: no training or no test utterances")
    noisy = {}
    if noise_sources.evaluation_setting(config):
        babble_idx = (
            split["train"] if fold.random_split else corpus.select(fold.train_speakers)
        )
        feats, noisy["evaluation"] = noisy_test_features(
            config, corpus, fold, babble_idx, test_idx, feats, row_utterance
        )
    # Validation is training here: the check covers both.
    protocols.check_no_leakage(
        fold,
        train_speakers=corpus.speakers[train_idx],
        val_speakers=(),
        items={
            "train": corpus.file_names[train_idx],
            "test": corpus.file_names[test_idx],
        },
    )
    chunks = row_utterance is not None
    if not chunks:
        row_utterance = np.arange(len(feats))
    train_rows = np.flatnonzero(np.isin(row_utterance, train_idx))
    test_rows = np.flatnonzero(np.isin(row_utterance, test_idx))
    codes = {s: i for i, s in enumerate(corpus.speaker_ids)}
    speaker_codes = np.asarray([codes[s] for s in corpus.speakers])[row_utterance]
    labels = corpus.labels[row_utterance]

    cleaned = {}
    cleaning = config.get("cleaning") or {}
    if cleaning.get("outlier_mads"):
        feats = feats.copy()
        rows = np.concatenate([train_rows, test_rows])
        feats[rows], cleaned["outliers_replaced"] = cleaning_lib.replace_outliers(
            feats[train_rows], feats[rows], cleaning["outlier_mads"]
        )
    x = classifiers.with_speakers(speaker_codes, feats)
    if cleaning.get("mislabelled_below"):
        drop = cleaning_lib.mislabelled(
            x[train_rows],
            labels[train_rows],
            speaker_codes[train_rows],
            config.standardization,
            cleaning["mislabelled_below"],
        )
        cleaned["mislabelled_removed"] = int(drop.sum())
        train_rows = train_rows[~drop]

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
    search.fit(x[train_rows], labels[train_rows], groups=speaker_codes[train_rows])
    fit_seconds = time.time() - start
    test, probs = {}, None
    if chunks:
        k = len(corpus.class_names)
        test["segment"] = metrics.level_metrics(
            labels[test_rows], search.predict(x[test_rows]), corpus.class_names
        )
        scores = classifiers.class_scores(search, x[test_rows], k)
        position = {int(u): i for i, u in enumerate(test_idx)}
        which = np.asarray([position[int(u)] for u in row_utterance[test_rows]])
        utt_scores = np.zeros((len(test_idx), k))
        np.add.at(utt_scores, which, scores)
        utt_scores /= np.maximum(np.bincount(which, minlength=len(test_idx)), 1)[
            :, None
        ]
        predictions = utt_scores.argmax(-1)
        if hasattr(search, "predict_proba"):
            probs = utt_scores
    else:
        predictions = search.predict(x[test_rows])
    test["utterance"] = metrics.level_metrics(
        corpus.labels[test_idx], predictions, corpus.class_names
    )

    results.write_predictions(
        fold_dir / "test_predictions.csv", corpus, test_idx, predictions, probs
    )

    cv = search.cv_results_
    return {
        "fold": fold.index,
        **fold.to_dict(),
        "val_speakers_in_training": True,
        "num_utterances": {"train": int(len(train_idx)), "test": int(len(test_idx))},
        **(
            {"num_chunks": {"train": int(len(train_rows)), "test": int(len(test_rows))}}
            if chunks
            else {}
        ),
        **({"cleaning": cleaned} if cleaned else {}),
        **noisy,
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
        "test": test,
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
    if config.features in features.FRAME_SETS:
        raise ValueError(
            f"features {config.features!r} are per frame: a neural model's input "
            f"(frontend.name={config.features!r}); the baselines take "
            f"{list(features.FEATURE_SETS)}"
        )
    chunk_level = bool(config.get("chunk_level"))
    if chunk_level and config.features != "handbuilt":
        raise ValueError(
            f"chunk_level needs features='handbuilt' (per 512 ms chunk); "
            f"{config.features!r} has one vector per utterance"
        )
    exp = experiment.start(config, workdir, RESUMABLE_FIELDS)
    row_utterance = None
    if chunk_level:
        feats, row_utterance = features.load_or_compute_chunks(
            exp.corpus, config.dataset.data_dir
        )
    else:
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
    title = f"{exp.corpus.name} {exp.protocol}, {config.features} + {config.classifier}"
    test_noise = noise_sources.evaluation_setting(config)
    noisy = {}
    if test_noise:
        noise, snr_db = test_noise
        title += f", {noise_sources.describe(noise)} at {snr_db:g} dB"
        noisy["evaluation"] = noise_sources.test_condition(noise, snr_db)
    records = exp.run(
        lambda fold, fold_dir: run_fold(
            config, exp.corpus, fold, feats, fold_dir, row_utterance
        )
    )
    return exp.write_results(
        records,
        title=title,
        **noisy,
        method="baseline",
        features={
            "name": config.features,
            "num_features": int(feats.shape[1]),
            **({"level": "chunk"} if chunk_level else {}),
        },
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
    per_chunk = ", per 512 ms chunk" if feats.get("level") == "chunk" else ""
    return (
        f"{classifier} on {feats.get('name', '?')}{f' ({size})' if size else ''}"
        f"{per_chunk}, standardization {mode}"
    )
