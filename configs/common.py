"""What the config files share: their arguments, the data and protocol blocks,
the feature baselines' body, and the small fold that quickstart and the tests use.

Config files take arguments (big_vision style):
`--config=configs/cnn_lstm.py:corpus=ravdess,protocol=losgo`. Every config
takes `corpus` (synthetic | ravdess | emodb | synthetic/tiny, or several
joined by `+`, e.g. `ravdess+emodb`: one corpus over the emotions they share)
and `protocol` (auto | loso | losgo; auto = LOSO up to 12 speakers, 6 speaker
groups above, as in Keesing et al.; with several corpora also
leave_one_corpus_out, or cross_corpus with `--config.protocol.test_corpus=emodb`;
and the papers' speaker-DEPENDENT random splits, to reproduce their numbers
only: random_utterances (Sundharam & Johari, 8:1:1) and random_chunks (Anand &
Verma, 60/20/20 of the segments), drawn with `protocol.seed`,
`--config.protocol.split_fractions='(0.7,0.1,0.2)'` for other fractions).

The feature baselines (configs/svm_*.py) also take `classifier` (svm_rbf |
svm_linear | logreg | mlp | mlp_2hidden) and `standardization`:
  train_speakers            one scaler fitted on the fold's training speakers,
                            applied to everyone (no test-speaker statistics);
  per_speaker_transductive  every speaker standardised with its own statistics,
                            the test speaker's included (Keesing et al.'s tables);
  none.
Their folds are the neural models' (same protocol fields and seed); each
fold's validation speakers are simply added to its training speakers. C,
gamma, etc. are chosen by a grid search (`config.grid`) scored by UAR, with
GroupKFold over the training speakers (`config.inner_cv_folds`, 0 = leave one
speaker out); class_weight="balanced". Any field can be overridden, e.g.
`--config.fold=0 --config.grid.C='(1.0,10.0)'`.
"""

from __future__ import annotations

import ast

import ml_collections

from ser_jax.baselines import classifiers

DATA_ARGS = {"corpus": "synthetic", "protocol": "auto"}


def parse(arg: str | None, **defaults) -> dict:
    """Parses `key=value,key=value` into a dict over `defaults`.

    Values are Python literals where they parse as one (`3`, `0.5`, `True`),
    strings otherwise. Unknown keys are an error, so a typo does not pass
    silently.
    """
    values = dict(defaults)
    for item in filter(None, (arg or "").split(",")):
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError(f"Config argument {item!r} is not key=value")
        if key not in defaults:
            raise ValueError(
                f"Unknown config argument {key!r}; known: {sorted(defaults)}"
            )
        try:
            values[key] = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            values[key] = raw.strip()
    return values


def dataset(corpus: str) -> ml_collections.ConfigDict:
    """`config.dataset`: which corpus, where it lives, which speakers and labels."""
    config = ml_collections.ConfigDict()
    config.corpus = corpus
    config.data_dir = ""  # "" = TFDS default (~/tensorflow_datasets)
    config.manual_dir = ""  # real corpora: build from here if not built
    config.genders = ()  # e.g. ("female",) for gender-split models; () = all
    config.label_map = {}  # emotion -> shared name; unmapped emotions dropped
    # Cut each utterance's leading and trailing silence when loading (the
    # speech detector of ser_jax/data/speech_activity.py); off by default.
    config.trim_silence = False
    return config


def protocol(name: str) -> ml_collections.ConfigDict:
    """`config.protocol`: the speaker-independent folds (`ser_jax/data/protocols.py`)."""
    config = ml_collections.ConfigDict()
    config.name = name
    config.num_groups = 6
    config.num_val_speakers = 2
    config.seed = 0
    config.test_corpus = ""  # cross_corpus: the corpus tested on
    # random_utterances / random_chunks: (train, val, test); () = the paper's.
    config.split_fractions = ()
    return config


def data_and_protocol(config: ml_collections.ConfigDict, args: dict) -> None:
    """Sets `config.dataset`, `config.protocol` and `config.fold` from the
    `corpus` and `protocol` arguments."""
    config.dataset = dataset(args["corpus"])
    config.protocol = protocol(args["protocol"])
    config.fold = -1  # -1: every fold; K: fold K only


def small_fold(config: ml_collections.ConfigDict) -> ml_collections.ConfigDict:
    """Fold 0 of 4 speaker groups with 1 validation speaker: on the synthetic
    corpus's 8 speakers, 2 test, 1 validation and 5 training speakers. The
    quickstart's fold and the end-to-end tests'."""
    config.protocol.name = "losgo"
    config.protocol.num_groups = 4
    config.protocol.num_val_speakers = 1
    config.fold = 0
    return config


def baseline_config(arg: str | None, features: str) -> ml_collections.ConfigDict:
    """A feature baseline on `features`; arguments: corpus, protocol, classifier,
    standardization (see the module docstring)."""
    args = parse(
        arg, **DATA_ARGS, classifier="svm_rbf", standardization="train_speakers"
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
    config.method = "baseline"
    config.seed = 0
    # The neural models' folds: same fields, same seed. Features are cached
    # beside the TFDS data_dir (or in ~/.cache for the default one).
    data_and_protocol(config, args)
    config.features = features
    config.classifier = args["classifier"]
    config.standardization = args["standardization"]
    config.grid = ml_collections.ConfigDict(
        {k: tuple(v) for k, v in classifiers.DEFAULT_GRIDS[args["classifier"]].items()}
    )
    config.inner_cv_folds = 5  # GroupKFold over training speakers; 0 = LOSO
    config.n_jobs = 1
    # Classify each 512 ms chunk (hand-built features only), utterance = mean
    # over its chunks' scores; off: one vector per utterance.
    config.chunk_level = False
    # Anand & Verma's data cleaning (ser_jax/baselines/cleaning.py); 0 = off.
    config.cleaning = ml_collections.ConfigDict(
        {"outlier_mads": 0.0, "mislabelled_below": 0.0}
    )
    # A noisy test, as a neural run's (ser_jax/noise): the test utterances'
    # features come from their audio mixed with one noise at snr_db; "" is clean.
    config.evaluation = ml_collections.ConfigDict({"noise": "", "snr_db": 0.0})
    return config
