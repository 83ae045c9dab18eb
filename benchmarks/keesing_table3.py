"""Keesing et al.'s SVM-IS09 baseline on every corpus of their Table 3 built here.

    python benchmarks/keesing_table3.py                  # the corpora built or in --corpora
    python benchmarks/keesing_table3.py --names=ravdess,emodb

Their protocol: leave one speaker out up to 12 speakers, else 6 random speaker
groups (`protocol=auto`); sessions as groups for the corpora recorded in
sessions (IEMOCAP, MSP-IMPROV: `protocol=sessions`); every speaker's feature
columns standardised with its own statistics (`per_speaker_transductive`); the
IS09 emotion set (384 functionals, openSMILE) and an RBF SVM whose C and gamma
come from a speaker-grouped inner cross-validation. A corpus is used when it
is built in the TFDS data dir or its official layout is in `--corpora/<name>`
(it is then built). Each row: measured pooled UAR beside the published one,
in the section "## Keesing et al. Table 3: SVM-IS09 per corpus". Runs live in
runs/bench/keesing_is09_<name> and resume.
"""

import sys
import time
from pathlib import Path

from absl import app, flags, logging

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import benchmarks_md  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

from configs import common  # noqa: E402
from ser_jax.data import load as data_load  # noqa: E402
from ser_jax.methods import baseline  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("names", [], "Corpora (TFDS names); empty: all of Table 3.")
flags.DEFINE_string(
    "corpora",
    str(ROOT.parent / "shared" / "corpora"),
    "Folder of corpora in their official layout, one folder per TFDS name.",
)
flags.DEFINE_string("data_dir", "", "TFDS data dir ('' = default).")
flags.DEFINE_string("benchmarks_md", str(ROOT / "BENCHMARKS.md"), "File to update.")
flags.DEFINE_string("runs", str(ROOT / "runs" / "bench"), "Parent of the run dirs.")

# TFDS name (and config) -> Keesing et al.'s SVM-IS09 UAR (%), Table 3.
PUBLISHED = {
    "cafe": 57.2,
    "cremad": 65.0,
    "demos": 51.2,
    "emodb": 82.1,
    "emofilm": 53.2,
    "enterface": 76.3,
    "iemocap": 59.8,
    "jl_corpus": 66.2,
    "msp_improv": 52.4,
    "portuguese": 50.0,
    "ravdess": 60.6,
    "surrey_savee": 57.0,
    "shemo": 51.3,
    "smartkom": 28.5,
    "tess": 45.9,
}
# What the copies in ../shared/corpora are (see its README).
NOTES = {
    "emodb": "the cropped copy (every file cut or padded to 2.0 s, 22.05 kHz): "
    "not comparable with the published figure",
    "ravdess": "speech audio resampled to 16 kHz",
}
SECTION = (
    "## Keesing et al. Table 3: SVM-IS09 per corpus (benchmarks/keesing_table3.py)"
)
INTRO = (
    "IS09 emotion functionals (384) + RBF SVM, per-speaker standardisation of the "
    "feature columns (`per_speaker_transductive`, as Keesing et al.), LOSO up to 12 "
    "speakers, else 6 random gender-mixed speaker groups (seed 0), sessions for "
    "IEMOCAP and MSP-IMPROV; C and gamma by GroupKFold (5) over the training "
    "speakers. Keesing et al. average 3 repeats of their own random groups; one run "
    "here.\n\n"
)
TABLE_HEADER = (
    "| corpus | protocol | folds | utterances | pooled UAR | published UAR | "
    "UAR mean ± std | note | wall time | machine | date | command |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
)


def available(name: str) -> tuple[bool, str]:
    """(usable, manual_dir): built already, or buildable from --corpora/<base>."""
    builder = tfds.builder(name, data_dir=FLAGS.data_dir or None)
    if builder.is_prepared():
        return True, ""
    manual = Path(FLAGS.corpora) / name.split("/")[0]
    return manual.is_dir() and any(manual.iterdir()), str(manual)


def main(argv):
    del argv
    logging.set_verbosity(logging.INFO)
    for name in FLAGS.names or list(PUBLISHED):
        usable, manual = available(name)
        if not usable:
            print(f"{name}: not built and not in {FLAGS.corpora}; skipped")
            continue
        dataset = common.dataset(name)
        dataset.data_dir, dataset.manual_dir = FLAGS.data_dir, manual
        builder = data_load.prepare_builder(dataset)  # builds it if needed
        protocol = "sessions" if "session" in builder.info.features else "auto"
        arg = (
            f"corpus={name},protocol={protocol},classifier=svm_rbf,"
            "standardization=per_speaker_transductive"
        )
        config = common.baseline_config(arg, features="is09")
        config.dataset.data_dir, config.dataset.manual_dir = FLAGS.data_dir, manual
        workdir = Path(FLAGS.runs) / f"keesing_is09_{name.replace('/', '_')}"
        start = time.time()
        results = baseline.train_and_evaluate(config, str(workdir))
        wall = time.time() - start
        summary = results["summary"]["utterance"]
        proto = results["protocol"]
        utterances = sum(f["num_utterances"]["test"] for f in results["folds"])
        row = (
            f"| {name} | {proto['name']} | {len(results['folds'])}/{proto['num_folds']}"
            f" | {utterances} | {summary['pooled']['uar']:.1%} | "
            f"{PUBLISHED.get(name.split('/')[0], float('nan')):.1f}% | "
            f"{summary['uar_over_folds']['mean']:.1%} ± "
            f"{summary['uar_over_folds']['std']:.1%} | {NOTES.get(name, '')} | "
            f"{wall / 60:.1f} min | {benchmarks_md.machine()} | "
            f"{time.strftime('%Y-%m-%d')} | `python -m ser_jax.main "
            f"--config=configs/svm_is09.py:{arg} --workdir={workdir.relative_to(ROOT)}` |\n"
        )
        benchmarks_md.update_table(
            Path(FLAGS.benchmarks_md), SECTION, TABLE_HEADER, name, row, INTRO
        )
        print(row, flush=True)


if __name__ == "__main__":
    app.run(main)
