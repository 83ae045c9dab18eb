"""Satt et al.'s noise study (Table 2) on a corpus; writes its section of BENCHMARKS.md.

    python benchmarks/noise_study.py \
        --config=configs/neumann.py:corpus=ravdess,protocol=losgo \
        --noises=generated --snrs=-5,0,10,20 --workdir=runs/bench/noise_neumann \
        --label="Neumann CNN, 26 log-mels, 30 epochs, CPU" \
        --baseline_config=configs/svm_egemaps.py:corpus=ravdess,protocol=losgo

Runs `ser_jax.studies.noise` (normal and harmonic-filtered model, trained on
clean audio, each fold's best checkpoint tested under each noise at each SNR).
With `--baseline_config`, a feature baseline is run clean and tested on the
same noises at 0 dB (`evaluation.noise`: its test features come from the
audio mixed as the neural tests' is), every fold of its protocol, in
`<workdir>/baseline/<noise>`; the table's baseline column pools the folds the
study ran, and a line gives its figures over all folds.

The study resumes: on a finished workdir nothing is trained or tested again, so
the section can be rewritten from a study run with `python -m ser_jax.studies`
and the same arguments. The table sits beside the paper's (IEMOCAP, 7 real
noises: the paper gives the clean and the mean-over-noises figures).
"""

import sys
from pathlib import Path

import ml_collections
from absl import app, flags
from ml_collections import config_flags

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import benchmarks_md  # noqa: E402

from ser_jax import methods, results, runtime, studies  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGS = flags.FLAGS
config_flags.DEFINE_config_file("config", None, "Experiment config.", lock_config=True)
config_flags.DEFINE_config_file(
    "baseline_config",
    None,
    "Optional feature baseline tested on the same noisy audio.",
    lock_config=True,
)
flags.DEFINE_string("workdir", None, "Study directory (resumable).")
flags.DEFINE_string("label", None, "What ran (model, budget), for the section.")
flags.DEFINE_string("noises", "generated", "Noises (ser_jax.noise.sources).")
flags.DEFINE_list("snrs", ["-5", "0", "10", "20"], "SNRs in dB (0 dB is added).")
flags.DEFINE_string("note", "", "Budget, wall time and machine load, for the section.")
flags.DEFINE_string("benchmarks_md", str(ROOT / "BENCHMARKS.md"), "File to update.")
flags.mark_flags_as_required(["config", "workdir", "label"])

SECTION = "## Satt et al.'s noise study, Table 2 layout (benchmarks/noise_study.py)"
# Satt et al. (Interspeech 2017) Table 2, IEMOCAP improvised, 4 classes, 0 dB:
# overall accuracy (WA) of the normal and the modified (harmonic-filtered) model.
PAPER = {"clean": (68.8, 64.5), "mean": (40.1, 59.8)}


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def baseline_runs(
    config: ml_collections.ConfigDict, noises: list[str], workdir: str
) -> dict[str, dict]:
    """The baseline's results.json, clean ("") and under each noise at 0 dB."""
    runs = {}
    for name in ["", *noises]:
        cell = ml_collections.ConfigDict(config.to_dict())
        cell.evaluation = {"noise": name, "snr_db": studies.TABLE_SNR_DB}
        runs[name] = methods.run(cell, Path(workdir) / "baseline" / (name or "clean"))
    return runs


def pooled(run: dict, folds: set[int] | None = None) -> dict:
    """Pooled utterance metrics of `run` over `folds` (None: all it ran)."""
    records = [r for r in run["folds"] if folds is None or r["fold"] in folds]
    return results.summarize(records, run["class_names"])["utterance"]["pooled"]


def section(
    study: dict,
    label: str,
    command: str,
    note: str,
    baseline: dict[str, dict] | None = None,
) -> str:
    table = study["table"]
    folds = None if study["config"]["fold"] < 0 else {study["config"]["fold"]}
    base_header = ""
    if baseline:
        clean = baseline[""]
        base_header = f" baseline: {methods.of(clean['config']).describe(clean)} |"
    lines = [
        f"{label}. Pooled utterance-level UAR (WA) over the folds run; noises at "
        f"{table['snr_db']:g} dB SNR by the speech's active level (20 ms frames "
        "within 30 dB of the loudest). Generated noises are marked (generated): "
        "they stand in for the paper's recorded ones. Paper: Satt et al., "
        "IEMOCAP improvised, 4 classes, 7 recorded noises; its figures are overall "
        "accuracy (WA), to set beside the figures in parentheses.",
        "",
        "| test audio | normal | modified (harmonic filter) |"
        + base_header
        + " paper normal (WA) | paper modified (WA) |",
        "|---|---|---|---|---|" + ("---|" if baseline else ""),
    ]
    for row in table["rows"]:
        key = "clean" if row["condition"] == "clean" else ""
        key = "mean" if row["condition"].startswith("mean over") else key
        paper = [f"{v:.1f} %" for v in PAPER[key]] if key else ["", ""]
        cells = [f"{pct(row[m]['uar'])} ({pct(row[m]['wa'])})" for m in studies.MODELS]
        if baseline:
            cells.append(baseline_cell(baseline, row, folds))
        lines.append(f"| {row['condition']} | {' | '.join(cells + paper)} |")
    snrs = sorted({r["snr_db"] for r in study["snr_curve"]})
    lines += [
        "",
        "UAR against SNR, mean over the noises (the report's plot draws each noise):",
        "",
        "| model | " + " | ".join(f"{s:g} dB" for s in snrs) + " | clean |",
        "|---|" + "---|" * (len(snrs) + 1),
    ]
    clean = {r["model"]: r["uar"] for r in study["runs"] if not r["noise"]}
    for model in studies.MODELS:
        means = []
        for s in snrs:
            uars = [
                r["uar"]
                for r in study["snr_curve"]
                if r["model"] == model and r["snr_db"] == s
            ]
            means.append(pct(sum(uars) / len(uars)))
        lines.append(f"| {model} | {' | '.join(means)} | {pct(clean[model])} |")
    done = {r["name"]: f"{r['folds_done']}/{r['num_folds']}" for r in study["runs"]}
    if baseline:
        noisy = {name: pooled(run) for name, run in baseline.items() if name}
        lines += [
            "",
            f"The baseline column pools the folds the study ran; over all "
            f"{len(baseline['']['folds'])} folds of its protocol the baseline "
            f"gives {pct(pooled(baseline[''])['uar'])} UAR clean and "
            f"{pct(noise_mean(baseline)['uar'])} on average over the noises at "
            f"{studies.TABLE_SNR_DB:g} dB ("
            + ", ".join(f"{name} {pct(m['uar'])}" for name, m in noisy.items())
            + ").",
        ]
    lines += [
        "",
        f"Folds: {done.get('normal, clean', '?')}. Machine: {benchmarks_md.machine()}."
        + (f" {note}" if note else ""),
        "",
        f"Command: `{command}`",
    ]
    return "\n".join(lines)


def noise_mean(baseline: dict[str, dict], folds: set[int] | None = None) -> dict:
    """The baseline's pooled UAR and WA over `folds`, averaged over the noises."""
    noisy = [pooled(run, folds) for name, run in baseline.items() if name]
    return {k: sum(m[k] for m in noisy) / len(noisy) for k in ("uar", "wa")}


def baseline_cell(baseline: dict[str, dict], row: dict, folds) -> str:
    """The baseline's UAR (WA) on a row of the table: clean, a noise, the mean."""
    if row["condition"].startswith("mean over"):
        m = noise_mean(baseline, folds)
    else:
        m = pooled(baseline[row.get("noise", "")], folds)
    return f"{pct(m['uar'])} ({pct(m['wa'])})"


def main(argv):
    del argv
    runtime.quiet_library_logs()
    study = studies.noise(
        FLAGS.config, FLAGS.workdir, FLAGS.noises, [float(s) for s in FLAGS.snrs]
    )
    command = "python " + " ".join(
        a if " " not in a else f'"{a}"'
        for a in [Path(sys.argv[0]).as_posix()] + sys.argv[1:]
        if not a.startswith(("--note", "--benchmarks_md", "--config.dataset.data_dir"))
    )
    baseline = None
    if FLAGS.baseline_config is not None:
        baseline = baseline_runs(FLAGS.baseline_config, study["noises"], FLAGS.workdir)
    benchmarks_md.update_section(
        Path(FLAGS.benchmarks_md),
        SECTION,
        section(study, FLAGS.label, command, FLAGS.note, baseline),
    )


if __name__ == "__main__":
    app.run(main)
