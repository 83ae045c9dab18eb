"""Feature baselines over the neural models' speaker-independent folds.

    python -m ser_jax.main --config=configs/svm_egemaps.py:corpus=ravdess,protocol=losgo \
        --workdir=runs/svm_egemaps

`train_and_evaluate(config, workdir)` writes the same results.json as
`ser_jax.train.train_and_evaluate` (utterance level only). The folds are the
neural models' (same protocol fields, same seed); each fold's validation
speakers join its training speakers, and hyper-parameters are chosen by a
speaker-grouped grid search on those training speakers only (scored by UAR).
Finished folds (`fold_KK/fold_result.json`) are not run again.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import ml_collections
import numpy as np
from absl import logging

from ser_jax import input_pipeline, metrics, protocols, reporting
from ser_jax.baselines import classifiers, features

# Fields that may change between invocations on one workdir.
RESUMABLE_FIELDS = ("fold", "n_jobs")


def check_same_experiment(path: Path, config: ml_collections.ConfigDict) -> None:
    """A workdir holds one experiment: resuming with another config is an error."""
    if not path.exists():
        return

    def comparable(d: dict) -> dict:
        d = {k: v for k, v in d.items() if k not in RESUMABLE_FIELDS}
        d["dataset"] = {k: v for k, v in d["dataset"].items() if k == "corpus"}
        return json.loads(json.dumps(d))

    old, new = comparable(json.loads(path.read_text())), comparable(config.to_dict())
    if old != new:
        diff = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        raise ValueError(
            f"{path.parent} holds a run with another config (differs in {diff}). "
            "Use a new --workdir, or the same config to resume."
        )


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
    corpus: input_pipeline.Corpus,
    fold: protocols.Fold,
    feats: np.ndarray,
    fold_dir: Path,
) -> dict:
    """Grid search on the fold's training (+ validation) speakers, then test."""
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
    names = corpus.class_names
    cm = metrics.confusion_matrix(corpus.labels[test_idx], predictions, len(names))
    test = metrics.metrics_from_confusion(cm, names)
    test["confusion_matrix"] = cm.tolist()

    lines = ["file_name,speaker,label,prediction"]
    for i, p in zip(test_idx, predictions, strict=True):
        lines.append(
            f"{corpus.file_names[i]},{corpus.speakers[i]},"
            f"{names[corpus.labels[i]]},{names[int(p)]}"
        )
    (fold_dir / "test_predictions.csv").write_text("\n".join(lines) + "\n")

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


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str) -> dict:
    """Runs the configured protocol and writes `workdir/results.json`; returns it."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if config.standardization not in classifiers.STANDARDIZATIONS:
        raise ValueError(
            f"standardization {config.standardization!r} unknown; known: "
            f"{classifiers.STANDARDIZATIONS}"
        )
    features.check_name(config.features)
    corpus = input_pipeline.load_corpus(config.dataset)
    genders = corpus.speaker_genders()
    protocol = protocols.resolve_protocol(config.protocol.name, len(corpus.speaker_ids))
    folds = protocols.make_folds(
        corpus.speaker_ids,
        genders,
        protocol,
        num_groups=config.protocol.num_groups,
        num_val_speakers=config.protocol.num_val_speakers,
        seed=config.protocol.seed,
    )
    if config.fold >= len(folds):
        raise ValueError(f"fold={config.fold}, but the protocol has {len(folds)} folds")
    selected = [config.fold] if config.fold >= 0 else list(range(len(folds)))
    check_same_experiment(workdir / "config.json", config)
    reporting.write_json(workdir / "config.json", config.to_dict())

    feats, _ = features.load_or_compute(
        corpus, config.features, config.dataset.data_dir
    )
    logging.info(
        "%s: %d utterances, %d speakers, %s with %d folds; %s features (%d), "
        "%s, standardization %s",
        corpus.name,
        len(corpus.labels),
        len(corpus.speaker_ids),
        protocol,
        len(folds),
        config.features,
        feats.shape[1],
        config.classifier,
        config.standardization,
    )
    for k in selected:
        fold_dir = workdir / f"fold_{k:02d}"
        if (fold_dir / "fold_result.json").exists():
            logging.info("Fold %d already done; skipping.", k)
            continue
        fold_dir.mkdir(exist_ok=True)
        record = run_fold(config, corpus, folds[k], feats, fold_dir)
        reporting.write_json(fold_dir / "fold_result.json", record)
        logging.info(
            "Fold %d/%d test (speakers %s): UAR %.1f%%, WA %.1f%% (inner-CV UAR "
            "%.1f%%, %s, %.0f s)",
            k + 1,
            len(folds),
            ",".join(folds[k].test_speakers),
            100 * record["test"]["utterance"]["uar"],
            100 * record["test"]["utterance"]["wa"],
            100 * record["inner_cv"]["best_uar"],
            record["best_params"],
            record["fit_seconds"],
        )

    records = [
        json.loads(p.read_text())
        for p in sorted(workdir.glob("fold_*/fold_result.json"))
    ]
    results = {
        "corpus": corpus.name,
        "class_names": corpus.class_names,
        "config": config.to_dict(),
        "method": "sklearn",
        "features": {"name": config.features, "num_features": int(feats.shape[1])},
        "classifier": config.classifier,
        "standardization": config.standardization,
        "protocol": {
            "name": protocol,
            "num_folds": len(folds),
            "seed": config.protocol.seed,
            "folds": [f.to_dict() for f in folds],
        },
        "devices": ["cpu"],
        "folds": records,
        "summary": reporting.summarize(records, corpus.class_names),
    }
    reporting.write_json(workdir / "results.json", results)
    reporting.save_confusion_png(
        results["summary"]["utterance"]["pooled"]["confusion_matrix"],
        corpus.class_names,
        workdir / "confusion_matrix.png",
        title=(
            f"{corpus.name} {protocol}, {config.features} + {config.classifier}, "
            f"pooled over {len(records)} folds"
        ),
    )
    return results
