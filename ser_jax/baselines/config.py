"""The shared body of the baseline configs (configs/svm_*.py).

Config arguments: `corpus` (synthetic | ravdess | emodb | synthetic/tiny, or
several joined by `+`: one corpus over the emotions they share), `protocol`
(auto | loso | losgo; with several corpora also leave_one_corpus_out, or
cross_corpus with `--config.protocol.test_corpus=NAME`), `classifier` (svm_rbf |
svm_linear | logreg | mlp), `standardization`:
  train_speakers            one scaler fitted on the fold's training speakers,
                            applied to everyone (no test-speaker statistics);
  per_speaker_transductive  every speaker standardised with its own statistics,
                            the test speaker's included (Keesing et al.'s tables);
  none.
The folds are the neural models' (same protocol fields and seed); each fold's
validation speakers are simply added to its training speakers. C, gamma, etc.
are chosen by a grid search (`config.grid`) scored by UAR, with GroupKFold over
the training speakers (`config.inner_cv_folds`, 0 = leave one speaker out);
class_weight="balanced". Any field can be overridden, e.g. `--config.fold=0
--config.grid.C='(1.0,10.0)'`.
"""

from __future__ import annotations

import ml_collections

from ser_jax import config_args
from ser_jax.baselines import classifiers


def make_config(arg: str | None, features: str) -> ml_collections.ConfigDict:
    """Config arguments: corpus, protocol, classifier, standardization."""
    args = config_args.parse(
        arg,
        corpus="synthetic",
        protocol="auto",
        classifier="svm_rbf",
        standardization="train_speakers",
    )
    if args["classifier"] not in classifiers.CLASSIFIERS:
        raise ValueError(
            f"classifier {args['classifier']!r} unknown; known: {classifiers.CLASSIFIERS}"
        )
    if args["standardization"] not in classifiers.STANDARDIZATIONS:
        raise ValueError(
            f"standardization {args['standardization']!r} unknown; known: "
            f"{classifiers.STANDARDIZATIONS}"
        )
    config = ml_collections.ConfigDict()
    config.method = "sklearn"
    config.seed = 0

    config.dataset = ml_collections.ConfigDict()
    config.dataset.corpus = args["corpus"]
    config.dataset.data_dir = ""  # "" = TFDS default; features cached in ~/.cache
    config.dataset.manual_dir = ""

    # The neural models' folds: same fields, same values, same seed.
    config.protocol = ml_collections.ConfigDict()
    config.protocol.name = args["protocol"]
    config.protocol.num_groups = 6
    config.protocol.num_val_speakers = 2  # joined to training in the baselines
    config.protocol.seed = 0
    config.protocol.test_corpus = ""  # cross_corpus: the corpus tested on
    config.fold = -1  # -1: every fold; K: fold K only

    config.features = features
    config.classifier = args["classifier"]
    config.standardization = args["standardization"]
    config.grid = ml_collections.ConfigDict(
        {k: tuple(v) for k, v in classifiers.DEFAULT_GRIDS[args["classifier"]].items()}
    )
    config.inner_cv_folds = 5  # GroupKFold over training speakers; 0 = LOSO
    config.n_jobs = 1
    return config
