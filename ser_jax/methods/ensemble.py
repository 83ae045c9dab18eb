"""Models combined on their class scores: `config.method = "ensemble"`.

    python -m ser_jax.main --config=configs/anand_er2.py:corpus=emodb --workdir=runs/anand_er2

Anand & Verma's ensembles: ER2 (R1 and R3 together, 40.8 % against R1's
39.7 %) and their Table 3, naive Bayes, softmax, LDA, QDA and a GMM
trained on R1's class scores (38.6-39.6 %). Per fold, under the same
protocol, folds and validation speakers as every other method:

1. `fold_XX/<member>/`, one per `config.ensemble.members` (name -> model
   config): the member trained as any neural model (front-end, segmentation,
   standardisation and training fields are the config's), an ordinary
   `FoldRunner` with its own checkpoints, so a killed run resumes in the
   member it stopped in.
2. Every member's best checkpoint scores every segment (512 ms chunk) of the
   fold's training, validation and test utterances.
3. Each of `config.ensemble.combiners` turns the members' scores into one
   posterior per segment; an utterance's posterior is the mean of its
   segments', as for every neural model:
   - `mean`: the mean of the members' posteriors (with one member: the
     member itself, the report's "R1 ensemble over time");
   - `naive_bayes`, `softmax`, `lda`, `qda`, `gmm`: a scikit-learn classifier
     whose inputs are the members' log posteriors (each model's class scores
     up to a constant per segment; probabilities that sum to one would make
     LDA's and QDA's covariances singular), fitted on the segments of
     `config.ensemble.fit_on`: "train", the training speakers' (the segments
     the members were trained on, as the report's), or "val", the validation
     speakers' (scores of unseen speakers, fewer of them). Never on a test
     speaker. Class priors are uniform (every model here is trained with
     class weights; UAR is the headline); `gmm` is one Gaussian mixture of
     `gmm_components` full-covariance components per class.

The report does not say how ER2 combines its two models: the mean of their
posteriors is the plain reading. `fold_result.json` holds the first
combiner's metrics under "val"/"test", each combiner's under "combiners",
and each member's own record under "members"; results.json adds a summary
per combiner (`combiner_summaries`). `member_scores.npz` keeps every
member's posteriors on the fold's segments, so another combiner can be
scored without retraining.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import ml_collections
import numpy as np
from absl import logging

from ser_jax import results
from ser_jax.data.corpus import Corpus
from ser_jax.methods import experiment
from ser_jax.methods.evaluation import evaluate
from ser_jax.methods.fold_data import describe_input
from ser_jax.methods.progress import Progress
from ser_jax.methods.steps import local_devices
from ser_jax.methods.trainer import RESUMABLE_FIELDS, FoldRunner

COMBINERS = ("mean", "naive_bayes", "softmax", "lda", "qda", "gmm")
FIT_ON = ("train", "val")
LOG_FLOOR = 1e-7  # posteriors are floored here before the log


class GaussianMixtureClassifier:
    """One Gaussian mixture per class; the class of highest likelihood x prior.

    `priors=None`: each class's share of the training rows; "uniform": equal.
    scikit-learn's classifier interface (fit, predict, predict_proba,
    classes_), without importing scikit-learn until `fit`: `ser_jax.classify`
    imports every method and starts without it.
    """

    def __init__(self, n_components: int = 2, priors: str | None = "uniform"):
        self.n_components = n_components
        self.priors = priors

    def fit(self, x, y):
        from sklearn.mixture import GaussianMixture

        x, y = np.asarray(x, np.float64), np.asarray(y)
        self.classes_ = np.unique(y)
        self.mixtures_ = [
            GaussianMixture(
                n_components=min(self.n_components, int((y == c).sum())),
                covariance_type="full",
                reg_covar=1e-4,
                random_state=0,
            ).fit(x[y == c])
            for c in self.classes_
        ]
        counts = np.asarray([(y == c).sum() for c in self.classes_], np.float64)
        prior = (
            np.full(len(counts), 1 / len(counts))
            if self.priors == "uniform"
            else counts / counts.sum()
        )
        self.log_prior_ = np.log(prior)
        return self

    def predict_log_proba(self, x):
        x = np.asarray(x, np.float64)
        joint = np.stack([m.score_samples(x) for m in self.mixtures_], axis=1)
        joint = joint + self.log_prior_
        return joint - np.logaddexp.reduce(joint, axis=1, keepdims=True)

    def predict_proba(self, x):
        return np.exp(self.predict_log_proba(x))

    def predict(self, x):
        return self.classes_[self.predict_log_proba(x).argmax(axis=1)]


def make_combiner(name: str, num_classes: int, gmm_components: int = 2):
    """The scikit-learn classifier of `name` (not "mean"), uniform class priors."""
    # Imported here, as in `baseline`: scoring new audio never needs them.
    from sklearn.discriminant_analysis import (
        LinearDiscriminantAnalysis,
        QuadraticDiscriminantAnalysis,
    )
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB

    uniform = np.full(num_classes, 1 / num_classes)
    if name == "naive_bayes":
        return GaussianNB(priors=uniform)
    if name == "softmax":
        return LogisticRegression(class_weight="balanced", max_iter=3000)
    if name == "lda":
        return LinearDiscriminantAnalysis(priors=uniform)
    if name == "qda":
        return QuadraticDiscriminantAnalysis(priors=uniform, reg_param=1e-3)
    if name == "gmm":
        return GaussianMixtureClassifier(gmm_components, priors="uniform")
    raise ValueError(f"combiner {name!r} unknown; known: {COMBINERS}")


def score_features(member_probs: Sequence[np.ndarray]) -> np.ndarray:
    """`[S, members x K]`: the members' log posteriors side by side."""
    return np.concatenate(
        [np.log(np.clip(p, LOG_FLOOR, 1.0)) for p in member_probs], axis=1
    )


def combine(
    name: str,
    member_probs: dict[str, Sequence[np.ndarray]],
    fit_labels: np.ndarray,
    fit_on: str,
    num_classes: int,
    gmm_components: int = 2,
) -> dict[str, np.ndarray]:
    """Segment posteriors `[S, K]` per split of `member_probs` (split -> each
    member's `[S, K]`), by combiner `name`; a fitted combiner learns from
    split `fit_on` (with `fit_labels`) only."""
    if name == "mean":
        return {s: np.mean(probs, axis=0) for s, probs in member_probs.items()}
    model = make_combiner(name, num_classes, gmm_components)
    model.fit(score_features(member_probs[fit_on]), fit_labels)
    out = {}
    for split, probs in member_probs.items():
        scores = np.zeros((len(probs[0]), num_classes))
        scores[:, np.asarray(model.classes_, int)] = model.predict_proba(
            score_features(probs)
        )
        out[split] = scores
    return out


def member_config(
    config: ml_collections.ConfigDict, name: str
) -> ml_collections.ConfigDict:
    """The config a member trains with: the config's, with the member's model."""
    new = copy.deepcopy(config)
    with new.unlocked():
        new.model = copy.deepcopy(config.ensemble.members[name])
    return new


def check_config(config: ml_collections.ConfigDict) -> None:
    ens = config.ensemble
    if not ens.members:
        raise ValueError("ensemble.members is empty: name at least one model")
    unknown = [c for c in ens.combiners if c not in COMBINERS]
    if unknown or not ens.combiners:
        raise ValueError(
            f"ensemble.combiners {list(ens.combiners)}: each must be one of {COMBINERS}"
        )
    if ens.fit_on not in FIT_ON:
        raise ValueError(f"ensemble.fit_on must be one of {FIT_ON}, got {ens.fit_on!r}")


def run_fold(
    config: ml_collections.ConfigDict,
    corpus: Corpus,
    fold,
    fold_dir: Path,
    devices: list,
    progress: Progress,
) -> dict:
    """Trains (or resumes) the fold's members; scores every combiner."""
    ens = config.ensemble
    member_probs = {s: [] for s in ("train", "val", "test")}
    member_records, data = {}, None
    for name in ens.members:
        member_dir = fold_dir / name
        member_dir.mkdir(exist_ok=True)
        logging.info("Fold %d, member %s: %s", fold.index, name, ens.members[name].name)
        runner = FoldRunner(
            member_config(config, name), corpus, fold, member_dir, devices, progress
        )
        record = runner.run()
        member_records[name] = {
            "model": ens.members[name].name,
            **{
                k: record[k]
                for k in ("num_params", "best_epoch", "history", "val", "test")
            },
        }
        # Every member cuts and standardises the fold alike (the config's fields).
        data = runner.data
        for split in member_probs:
            member_probs[split].append(
                runner.predict(runner.best_state, data[split][1])
            )
    fit_labels = data[ens.fit_on][1].labels
    combined = {}
    for name in ens.combiners:
        posteriors = combine(
            name,
            member_probs,
            fit_labels,
            ens.fit_on,
            len(corpus.class_names),
            ens.gmm_components,
        )
        combined[name] = {}
        for split in ("val", "test"):
            idx, segments = data[split]
            combined[name][split] = evaluate(
                posteriors[split],
                segments,
                corpus.labels[idx],
                corpus.class_names,
            )
    first = ens.combiners[0]
    test_idx = data["test"][0]
    utt_probs = combined[first]["test"]["utterance_probs"]
    results.write_predictions(
        fold_dir / "test_predictions.csv",
        corpus,
        test_idx,
        utt_probs.argmax(-1),
        utt_probs,
    )
    np.savez(
        fold_dir / "member_scores.npz",
        **{
            f"{split}_{name}": probs[i]
            for split, probs in member_probs.items()
            for i, name in enumerate(ens.members)
        },
        **{f"{split}_labels": data[split][1].labels for split in member_probs},
        **{f"{split}_utterance": data[split][1].utterance for split in member_probs},
    )
    for by_split in combined.values():
        for metrics_ in by_split.values():
            metrics_.pop("utterance_probs")
    return {
        "fold": fold.index,
        **fold.to_dict(),
        "num_utterances": {s: int(len(data[s][0])) for s in data},
        "num_segments": {s: len(data[s][1]) for s in data},
        "combiner": first,
        "fit_on": ens.fit_on,
        "val": combined[first]["val"],
        "test": combined[first]["test"],
        "combiners": combined,
        "members": member_records,
    }


def train_and_evaluate(config: ml_collections.ConfigDict, workdir: str | Path) -> dict:
    """Runs the configured protocol with the ensemble; writes results.json."""
    check_config(config)
    exp = experiment.start(config, workdir, RESUMABLE_FIELDS)
    members = list(config.ensemble.members)
    devices = local_devices(config.num_devices)
    logging.info(
        "%s, ensemble of %s, combined by %s, %d device(s)",
        exp.describe(),
        ", ".join(members),
        ", ".join(config.ensemble.combiners),
        len(devices),
    )
    progress = Progress(
        len(exp.folds),
        config.num_epochs,
        len(exp.pending) * len(members) * config.num_epochs,
    )
    records = exp.run(
        lambda fold, fold_dir: run_fold(
            config, exp.corpus, fold, fold_dir, devices, progress
        )
    )
    return exp.write_results(
        records,
        title=f"{exp.corpus.name} {exp.protocol}, ensemble ({config.ensemble.combiners[0]})",
        method="ensemble",
        members=members,
        combiner_summaries={
            name: results.summarize(
                [{"test": r["combiners"][name]["test"]} for r in records],
                exp.corpus.class_names,
            )
            for name in config.ensemble.combiners
        },
        devices=[d.device_kind for d in devices],
    )


def describe(run_results: dict) -> str:
    """Members, first combiner and input, as a report's "model / method" cell."""
    config = run_results.get("config", {})
    ens = config.get("ensemble", {})
    members = ", ".join(
        f"{name} ({m.get('name', '?')}{', ' + m['variant'] if m.get('variant') else ''})"
        for name, m in ens.get("members", {}).items()
    )
    combiner = (ens.get("combiners") or ["?"])[0]
    fitted = "" if combiner == "mean" else f" fitted on {ens.get('fit_on', '?')} scores"
    return f"ensemble of {members}: {combiner}{fitted}, on {describe_input(config)}"
