"""RAVDESS 6-group LOSGO with the feature baselines; writes their rows into BENCHMARKS.md.

    python benchmarks/ravdess_baselines.py                       # the 4 sets, train_speakers
    python benchmarks/ravdess_baselines.py --features=is09,egemaps \
        --standardization=train_speakers,per_speaker_transductive

One row per (feature set, standardisation), SVM (RBF) unless --classifier says
otherwise, in the section "## RAVDESS, 6-group LOSGO: feature baselines". Each
run lives in runs/bench/<classifier>_<features>_<standardization>; finished
folds are not redone, so a killed benchmark can be run again. The wall time is
that of the invocation that finished the run; feature extraction (once per
corpus and set, then cached) is timed apart and shown in brackets.
"""

import sys
import time
from pathlib import Path

from absl import app, flags, logging

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import benchmarks_md  # noqa: E402

from configs import common  # noqa: E402
from ser_jax.baselines import features as baseline_features  # noqa: E402
from ser_jax.data import load as data_load  # noqa: E402
from ser_jax.methods import baseline  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("features", ["egemaps", "is09", "handbuilt", "compare"], "Sets.")
flags.DEFINE_list("standardization", ["train_speakers"], "Standardisation modes.")
flags.DEFINE_string("classifier", "svm_rbf", "Classifier.")
flags.DEFINE_string(
    "manual_dir",
    str(ROOT.parent / "shared" / "corpora" / "ravdess"),
    "RAVDESS audio, used if the corpus is not built yet.",
)
flags.DEFINE_string("benchmarks_md", str(ROOT / "BENCHMARKS.md"), "File to update.")
flags.DEFINE_string("runs", str(ROOT / "runs" / "bench"), "Parent of the run dirs.")

SECTION = (
    "## RAVDESS, 6-group LOSGO: feature baselines (benchmarks/ravdess_baselines.py)"
)
INTRO = (
    "Utterance-level features + scikit-learn on the neural models' folds (6 random "
    "gender-mixed speaker groups, seed 0; each fold's validation speakers join its "
    "training speakers). Hyper-parameters by a grid search scored by UAR with "
    "GroupKFold (5) over the training speakers; class_weight balanced. "
    "Standardisation `train_speakers`: one scaler fitted on the training speakers "
    "(no test-speaker statistics); `per_speaker_transductive`: every speaker, the "
    "test speaker included, standardised with its own statistics, as in Keesing et "
    "al. References: Keesing et al.'s SVM-IS09 on RAVDESS, 60.6 % UAR (per-speaker "
    "standardisation, their 6 groups); ERTK's IS13 ComParE + SVM, 69 %. svm_rbf is "
    "`RBFSVC`: libsvm on an RBF kernel computed with BLAS (sklearn's SVC's "
    "predictions, ~10x faster on ComParE). Wall times on 2 CPU cores shared with "
    "other jobs.\n\n"
)
TABLE_HEADER = (
    "| run | features | classifier | standardization | folds | pooled UAR | "
    "pooled WA | UAR mean ± std | wall time | machine | date | command |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)
FEATURE_LABELS = {
    "egemaps": "eGeMAPS v02",
    "compare": "ComParE 2016",
    "is09": "IS09 emotion",
    "handbuilt": "Anand hand-built (26 × 4 stats)",
}


def main(argv):
    del argv
    logging.set_verbosity(logging.INFO)
    for standardization in FLAGS.standardization:
        for features in FLAGS.features:
            arg = (
                f"corpus=ravdess,protocol=losgo,classifier={FLAGS.classifier},"
                f"standardization={standardization}"
            )
            config = common.baseline_config(arg, features=features)
            config.dataset.manual_dir = FLAGS.manual_dir
            name = f"{FLAGS.classifier}_{features}_{standardization}"
            workdir = Path(FLAGS.runs) / name
            corpus = data_load.load_corpus(config.dataset)
            start = time.time()
            baseline_features.load_or_compute(corpus, features)
            extraction = time.time() - start  # ~1 s (a digest) when cached
            start = time.time()
            results = baseline.train_and_evaluate(config, str(workdir))
            wall = time.time() - start
            wall_cell = f"{wall / 60:.1f} min" + (
                f" (+{extraction / 60:.1f} min features)"
                if extraction > 60
                else " (features cached)"
            )
            summary = results["summary"]["utterance"]
            proto = results["protocol"]
            label = f"{FLAGS.classifier} {features} {standardization}"
            command = (
                f"`python -m ser_jax.main --config=configs/svm_{features}.py:{arg} "
                f"--workdir=runs/bench/{name}`"
            )
            row = (
                f"| {label} | {FEATURE_LABELS[features]} "
                f"({results['features']['num_features']}) | {FLAGS.classifier} | "
                f"{standardization} | {len(results['folds'])}/{proto['num_folds']} | "
                f"{summary['pooled']['uar']:.1%} | {summary['pooled']['wa']:.1%} | "
                f"{summary['uar_over_folds']['mean']:.1%} ± "
                f"{summary['uar_over_folds']['std']:.1%} | {wall_cell} | "
                f"{benchmarks_md.machine()} | {time.strftime('%Y-%m-%d')} | {command} |\n"
            )
            benchmarks_md.update_table(
                Path(FLAGS.benchmarks_md), SECTION, TABLE_HEADER, label, row, INTRO
            )
            print(row, flush=True)


if __name__ == "__main__":
    app.run(main)
