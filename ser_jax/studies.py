"""Study designs over `methods.run`: repeats, snippet length, gender split,
split inflation, noise.

    python -m ser_jax.studies --study=repeats --config=configs/cnn_lstm.py:corpus=synthetic \
        --workdir=runs/study_repeats
    python -m ser_jax.studies --study=snippet_length --lengths=0.5,1,2,3,full ...
    python -m ser_jax.studies --study=gender_split ...
    python -m ser_jax.studies --study=split_inflation --random_split=random_utterances ...
    python -m ser_jax.studies --study=noise --noises=generated --snrs=-5,0,5,10,15,20 ...

Every study runs ordinary experiments (any `config.method`, through
`methods.run`; snippet_length needs a method that cuts audio into segments:
neural or two_step), each in its own sub-workdir of the study
workdir (`seed_1/`, `first_0.5s/`, `female/`, ...), so each resumes as a single
run does: running the same command again skips what is done. At the end the study
writes `study.json` (what was run, each sub-run's pooled utterance-level metrics,
the study's own summary) and a Markdown report with plots in `report/`
(`ser_jax.report`). The studies:

- `repeats`: the same config with seeds 0..R-1 (`config.seed`: initialisation,
  data order, dropout); `config.protocol.seed` is kept, so every repeat has the
  same folds. Mean ± std (population) of the pooled UAR/WA over repeats, as
  Keesing et al. average 3 repeats.
- `snippet_length` (Neumann): train and test on the first N seconds of every
  utterance (`segmentation="clip"`, `max_segment_seconds=N`; the front-end's
  frame count follows N); N=None runs the config as it is (the full utterance
  with its own segmentation, unless it already clips). Pooled UAR against N.
- `gender_split` (Sundharam & Johari): one model per sex, trained and tested on
  that sex's speakers only (`config.dataset.genders`) under the same protocol.
  `protocol.name="auto"` is resolved on the whole corpus, so the split uses the
  protocol a mixed-gender run of the config uses. The pooled result sums both
  runs' confusion matrices (`pooled/results.json`).
- `split_inflation`: the config under its own speaker-independent protocol
  (`speaker_independent/`) and under a speaker-dependent random split of the
  same corpus (`--random_split`: `random_utterances` or `random_chunks`, the
  papers' splits, `ser_jax.data.protocols`; `--num_draws` draws, sub-workdirs
  `random_utterances_seed_S/`), and the difference of their pooled UAR, WA and
  macro-F1 (`inflation`, mean ± std over the draws): how much a random split's
  numbers owe to test speakers heard in training. Compared, never pooled.
- `noise` (Satt et al.'s Table 2): the normal model (the config) and the
  modified one (the config with `MODIFIED`: `frontend.harmonic_filter=True`,
  Satt's harmonic filter) are trained on clean audio (`normal/`,
  `modified/`), then each fold's best checkpoint is tested on the test audio
  mixed with each noise of `--noises` at each SNR of `--snrs`
  (`noisy/<model>_<noise>_<snr>dB/`, by `methods.noisy_evaluation`: no
  training, same excerpts for both models). `study.json` holds Satt's layout
  (`table`: rows clean, each noise at 0 dB, their mean; columns normal,
  modified) and UAR against SNR (`snr_curve`); the report draws both.

Every study takes any config, several corpora included
(`corpus=ravdess+emodb,protocol=leave_one_corpus_out`): cross-corpus evaluation
is a protocol (`ser_jax.data.protocols`), not a study.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path

import ml_collections
from absl import app, flags, logging
from ml_collections import config_flags

from ser_jax import methods, metrics, runtime
from ser_jax.data import protocols
from ser_jax.data.load import speaker_count
from ser_jax.methods import noisy_evaluation
from ser_jax.noise import sources as noise_sources
from ser_jax.report import write_report
from ser_jax.results import STUDY_FILE, speaker_independent, summarize, write_json

STUDIES = ("repeats", "snippet_length", "gender_split", "split_inflation", "noise")
GENDERS = ("female", "male")
DEFAULT_LENGTHS = (0.5, 1.0, 1.5, 2.0, 3.0, None)
DEFAULT_SNRS = (-5.0, 0.0, 5.0, 10.0, 15.0, 20.0)
TABLE_SNR_DB = 0.0  # Satt et al.'s Table 2
# The modified model of the noise study: Satt's harmonic filter on its input.
MODIFIED = {"frontend.harmonic_filter": True}
MODELS = ("normal", "modified")


# ----------------------------------------------------------------------------
# Helpers shared by the studies.


def variant(config: ml_collections.ConfigDict, **updates) -> ml_collections.ConfigDict:
    """A copy of `config` with dotted fields replaced: `variant(c, **{"dataset.genders": ...})`.

    The copy keeps the original's lock; fields it lacks may be added.
    """
    new = copy.deepcopy(config)
    with new.unlocked():
        new.update_from_flattened_dict(updates)
    return new


def run_summary(results: dict, name: str, workdir: str, **params) -> dict:
    """What study.json keeps of one sub-run: pooled utterance-level metrics."""
    utt = results["summary"]["utterance"]
    return {
        "name": name,
        "workdir": workdir,  # relative to the study workdir
        **params,
        "folds_done": len(results["folds"]),
        "num_folds": results["protocol"]["num_folds"],
        "uar": utt["pooled"]["uar"],
        "wa": utt["pooled"]["wa"],
        "macro_f1": utt["pooled"]["macro_f1"],
        "uar_over_folds": utt["uar_over_folds"],
    }


def start_study(workdir: str | Path, study: str) -> Path:
    """Claims the study workdir (a stub study.json until the study finishes); a
    workdir that holds another study is an error."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / STUDY_FILE
    if path.exists():
        old = json.loads(path.read_text()).get("study")
        if old != study:
            raise ValueError(
                f"{workdir} holds a {old!r} study, not {study!r}; use a new --workdir."
            )
    else:
        write_json(path, {"study": study, "status": "running", "runs": []})
    return workdir


def finish_study(workdir: Path, study: dict, report: bool) -> dict:
    """Writes study.json (and the report); returns the study as written."""
    study = json.loads(json.dumps({**study, "status": "done"}))  # tuples -> lists
    write_json(workdir / STUDY_FILE, study)
    if report:
        write_report([workdir], workdir / "report")
    return study


# ----------------------------------------------------------------------------
# Repeats (Keesing et al.: every test repeated 3 times and averaged).


def repeats(
    config: ml_collections.ConfigDict,
    workdir: str | Path,
    num_repeats: int = 3,
    report: bool = True,
) -> dict:
    """The same experiment with `config.seed` = 0..num_repeats-1; same folds."""
    if num_repeats < 1:
        raise ValueError(f"num_repeats must be at least 1, got {num_repeats}")
    workdir = start_study(workdir, "repeats")
    runs, fold_plans = [], []
    for seed in range(num_repeats):
        name = f"seed_{seed}"
        logging.info("repeats: %s (%d of %d)", name, seed + 1, num_repeats)
        results = methods.run(variant(config, seed=seed), workdir / name)
        fold_plans.append(results["protocol"]["folds"])
        runs.append(run_summary(results, name, name, seed=seed))
    if any(plan != fold_plans[0] for plan in fold_plans):  # protocol.seed is fixed
        raise AssertionError("Repeats got different folds; they must share them.")
    study = {
        "study": "repeats",
        "config": config.to_dict(),
        "num_repeats": num_repeats,
        "protocol_seed": config.protocol.seed,
        "runs": runs,
        "summary": {
            name: metrics.mean_std([r[name] for r in runs])
            for name in ("uar", "wa", "macro_f1")
        },
    }
    return finish_study(workdir, study, report)


# ----------------------------------------------------------------------------
# Snippet length (Neumann: train and test on the first N seconds).


def snippet_name(seconds: float | None) -> str:
    return "full" if seconds is None else f"first_{seconds:g}s"


def snippet_length(
    config: ml_collections.ConfigDict,
    workdir: str | Path,
    lengths: Sequence[float | None] = DEFAULT_LENGTHS,
    report: bool = True,
) -> dict:
    """Trains and tests on the first N s of every utterance, for each N in `lengths`.

    N=None runs the config as it is: the full utterance with its own segmentation
    (`equal`, `chunks`), or its own first seconds if it already clips.
    """
    if not methods.of(config).segments_audio:
        able = [m.name for m in methods.METHODS.values() if m.segments_audio]
        raise ValueError(
            f"snippet_length needs a config of a method that cuts audio into "
            f"segments ({', '.join(able)}): it sets segmentation"
        )
    lengths = list(dict.fromkeys(None if n is None else float(n) for n in lengths))
    if not lengths:
        raise ValueError("snippet_length needs at least one length")
    for n in lengths:
        if n is not None and n <= 0:
            raise ValueError(f"snippet lengths must be positive seconds, got {n}")
    workdir = start_study(workdir, "snippet_length")
    runs = []
    for n in lengths:
        name = snippet_name(n)
        sub_config = (
            config
            if n is None
            else variant(config, segmentation="clip", max_segment_seconds=n)
        )
        logging.info("snippet_length: %s", name)
        results = methods.run(sub_config, workdir / name)
        runs.append(
            run_summary(
                results,
                name,
                name,
                snippet_seconds=n,
                segmentation=sub_config.segmentation,
                max_segment_seconds=sub_config.max_segment_seconds,
            )
        )
    study = {
        "study": "snippet_length",
        "config": config.to_dict(),
        "runs": runs,
        "uar_by_length": [
            {"snippet_seconds": r["snippet_seconds"], "uar": r["uar"], "wa": r["wa"]}
            for r in runs
        ],
    }
    return finish_study(workdir, study, report)


# ----------------------------------------------------------------------------
# Gender split (Sundharam & Johari: one model per sex).


def gender_split(
    config: ml_collections.ConfigDict,
    workdir: str | Path,
    genders: Sequence[str] = GENDERS,
    report: bool = True,
) -> dict:
    """One experiment per sex under the same protocol, and their pooled result."""
    unknown = set(genders) - set(GENDERS)
    if unknown or not genders:
        raise ValueError(f"genders must be among {GENDERS}, got {tuple(genders)}")
    workdir = start_study(workdir, "gender_split")
    protocol = config.protocol.name
    if protocol == "auto":
        protocol = protocols.resolve_protocol("auto", speaker_count(config.dataset))
        logging.info(
            "gender_split: protocol 'auto' is %s on the whole corpus", protocol
        )
    runs, per_sex = [], {}
    for gender in genders:
        sub_config = variant(
            config, **{"dataset.genders": (gender,), "protocol.name": protocol}
        )
        logging.info("gender_split: %s speakers", gender)
        results = methods.run(sub_config, workdir / gender)
        per_sex[gender] = results
        runs.append(run_summary(results, gender, gender, genders=[gender]))

    class_names = per_sex[genders[0]]["class_names"]
    for gender, results in per_sex.items():
        if results["class_names"] != class_names:
            raise ValueError(
                f"{gender} run has classes {results['class_names']}, not {class_names}"
            )
    pooled = pool_runs(list(per_sex.values()), genders)
    (workdir / "pooled").mkdir(exist_ok=True)
    write_json(workdir / "pooled" / "results.json", pooled)
    runs.append(run_summary(pooled, "pooled", "pooled", genders=list(genders)))
    study = {
        "study": "gender_split",
        "config": config.to_dict(),
        "protocol": protocol,
        "runs": runs,
        "pooled": pooled["summary"],
    }
    return finish_study(workdir, study, report)


def pool_runs(results: Sequence[dict], names: Sequence[str]) -> dict:
    """One results.json over several runs' folds: summed confusion matrices.

    Each fold record gets `"group"` (its run's name); histories are left to the
    runs themselves. Speaker-independent and speaker-dependent runs are never
    pooled together (an error).
    """
    independent = {speaker_independent(r) for r in results}
    if len(independent) > 1:
        raise ValueError(
            "pool_runs: speaker-independent and speaker-dependent (random split) "
            "runs cannot be pooled"
        )
    records = [
        {**{k: v for k, v in fold.items() if k != "history"}, "group": name}
        for name, r in zip(names, results, strict=True)
        for fold in r["folds"]
    ]
    first = results[0]
    config = copy.deepcopy(first["config"])
    config["dataset"]["genders"] = list(names)
    return {
        "corpus": first["corpus"],
        "class_names": first["class_names"],
        **({"corpora": first["corpora"]} if "corpora" in first else {}),
        "config": config,
        "pooled_over": list(names),
        "speaker_independent": independent.pop(),
        "protocol": {
            "name": first["protocol"]["name"],
            "num_folds": sum(r["protocol"]["num_folds"] for r in results),
            "seed": first["protocol"]["seed"],
            "folds": [f for r in results for f in r["protocol"]["folds"]],
        },
        "devices": first.get("devices", []),
        "folds": records,
        "summary": summarize(records, first["class_names"]),
    }


# ----------------------------------------------------------------------------
# Split inflation (what the papers' random splits add to speaker-independent numbers).

METRICS = ("uar", "wa", "macro_f1")


def split_inflation(
    config: ml_collections.ConfigDict,
    workdir: str | Path,
    random_split: str = "random_utterances",
    num_draws: int = 1,
    report: bool = True,
) -> dict:
    """The config under its speaker-independent protocol and under
    `random_split` on the same corpus, drawn `num_draws` times (protocol seeds
    s, s+1, ...; one random draw of a small test set moves by several points).
    `inflation`: each metric's mean over draws of random − independent, with
    its std (population) and the value of each draw."""
    if random_split not in protocols.RANDOM_SPLITS:
        raise ValueError(
            f"random_split must be one of {list(protocols.RANDOM_SPLITS)}, got "
            f"{random_split!r}"
        )
    if not protocols.is_speaker_independent(config.protocol.name):
        raise ValueError(
            "split_inflation compares the config's speaker-independent protocol "
            f"with {random_split}; the config's protocol is {config.protocol.name!r} "
            "(give it loso, losgo or auto)"
        )
    if num_draws < 1:
        raise ValueError(f"num_draws must be at least 1, got {num_draws}")
    workdir = start_study(workdir, "split_inflation")
    seeds = [config.protocol.seed + k for k in range(num_draws)]
    plan = [("speaker_independent", config)] + [
        (
            f"{random_split}_seed_{seed}",
            # One fold: the config's own fold selection does not apply.
            variant(
                config,
                **{"protocol.name": random_split, "protocol.seed": seed, "fold": -1},
            ),
        )
        for seed in seeds
    ]
    runs, pooled = [], []
    for name, sub_config in plan:
        logging.info("split_inflation: %s", name)
        results = methods.run(sub_config, workdir / name)
        pooled.append(results["summary"]["utterance"]["pooled"])
        runs.append(
            run_summary(
                results,
                name,
                name,
                protocol=results["protocol"]["name"],
                protocol_seed=results["protocol"]["seed"],
                speaker_independent=speaker_independent(results),
            )
        )
    independent, draws = pooled[0], pooled[1:]
    inflation = {}
    for m in METRICS:
        gains = [d[m] - independent[m] for d in draws]
        inflation[m] = {**metrics.mean_std(gains), "per_draw": gains}
    study = {
        "study": "split_inflation",
        "config": config.to_dict(),
        "random_split": random_split,
        "protocol_seeds": seeds,
        "runs": runs,
        "inflation": inflation,
    }
    return finish_study(workdir, study, report)


# Noise (Satt et al.: normal and harmonic-filtered models on noisy test audio).


def snr_name(snr_db: float) -> str:
    return f"{snr_db:g}dB"


def noise(
    config: ml_collections.ConfigDict,
    workdir: str | Path,
    noises: str | Sequence[str] = "generated",
    snrs: Sequence[float] = DEFAULT_SNRS,
    modified: dict | None = None,
    report: bool = True,
) -> dict:
    """Trains the normal and the modified model, tests both under each noise
    at each SNR; see the module docstring. `modified`: the modified model's
    config overrides (`MODIFIED` by default)."""
    names = noise_sources.parse(noises)
    snrs = sorted({float(s) for s in snrs} | {TABLE_SNR_DB})
    modified = MODIFIED if modified is None else dict(modified)
    if not modified:
        raise ValueError("the noise study's modified model needs overrides")
    if noise_sources.evaluation_setting(config) is not None:
        raise ValueError(
            "the noise study trains on clean audio and sets evaluation.noise "
            "itself: leave evaluation.noise empty and name the noises with --noises"
        )
    workdir = start_study(workdir, "noise")
    configs = {"normal": config, "modified": variant(config, **modified)}
    runs, curve = [], []
    for model, model_config in configs.items():
        logging.info("noise: %s model, clean", model)
        clean = methods.run(model_config, workdir / model)
        runs.append(
            run_summary(
                clean, f"{model}, clean", model, model=model, noise="", snr_db=None
            )
        )
        cells = [
            noisy_evaluation.Cell(
                name, snr, workdir / "noisy" / f"{model}_{name}_{snr_name(snr)}"
            )
            for name in names
            for snr in snrs
        ]
        logging.info("noise: %s model, %d noisy tests", model, len(cells))
        tested = noisy_evaluation.evaluate_trained(model_config, workdir / model, cells)
        for cell, results in zip(cells, tested, strict=True):
            summary = run_summary(
                results,
                f"{model}, {noise_sources.describe(cell.noise)} at {cell.snr_db:g} dB",
                str(cell.workdir.relative_to(workdir)),
                model=model,
                noise=cell.noise,
                kind=noise_sources.kind(cell.noise),
                snr_db=cell.snr_db,
            )
            curve.append(summary)
            if cell.snr_db == TABLE_SNR_DB:
                runs.append(summary)
    study = {
        "study": "noise",
        "config": config.to_dict(),
        "modified": modified,
        "noises": list(names),
        "snrs_db": snrs,
        "runs": runs,
        "table": noise_table(runs, names),
        "snr_curve": [
            {k: r[k] for k in ("model", "noise", "kind", "snr_db", "uar", "wa")}
            for r in curve
        ],
    }
    return finish_study(workdir, study, report)


def noise_table(runs: Sequence[dict], names: Sequence[str]) -> dict:
    """Satt et al.'s Table 2 layout: rows clean, each noise at 0 dB and their
    mean; columns the normal and the modified model (pooled UAR and WA)."""

    def cell(model: str, name: str) -> dict:
        (r,) = [
            r
            for r in runs
            if r["model"] == model
            and r["noise"] == name
            and r["snr_db"] in (None, TABLE_SNR_DB)
        ]
        return {"uar": r["uar"], "wa": r["wa"]}

    rows = [{"condition": "clean", **{m: cell(m, "") for m in MODELS}}]
    for name in names:
        rows.append(
            {
                "condition": f"{noise_sources.describe(name)} at {TABLE_SNR_DB:g} dB",
                "noise": name,
                **{m: cell(m, name) for m in MODELS},
            }
        )
    noisy = rows[1:]
    rows.append(
        {
            "condition": f"mean over the {len(noisy)} noises",
            **{
                m: {k: sum(r[m][k] for r in noisy) / len(noisy) for k in ("uar", "wa")}
                for m in MODELS
            },
        }
    )
    return {"snr_db": TABLE_SNR_DB, "columns": list(MODELS), "rows": rows}


# ----------------------------------------------------------------------------
# Command line.


def parse_lengths(values: Sequence[str]) -> list[float | None]:
    """`["0.5", "1", "full"]` -> `[0.5, 1.0, None]` ("full" or "none": whole utterance)."""
    out = []
    for v in values:
        v = v.strip().lower()
        out.append(None if v in ("full", "none") else float(v))
    return out


def define_flags(flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """The command line's flags (on `flag_values`, the global FLAGS by default)."""
    flags.DEFINE_enum(
        "study", None, STUDIES, "Which study to run.", flag_values=flag_values
    )
    flags.DEFINE_string(
        "workdir",
        None,
        "Study directory (one sub-workdir per run).",
        flag_values=flag_values,
    )
    config_flags.DEFINE_config_file(
        "config",
        None,
        "Experiment config file.",
        flag_values=flag_values,
        lock_config=True,
    )
    flags.DEFINE_integer(
        "num_repeats",
        3,
        "repeats: seeds 0..num_repeats-1.",
        flag_values=flag_values,
    )
    flags.DEFINE_list(
        "lengths",
        ["0.5", "1", "1.5", "2", "3", "full"],
        "snippet_length: seconds; 'full' = the whole utterance.",
        flag_values=flag_values,
    )
    flags.DEFINE_enum(
        "random_split",
        "random_utterances",
        list(protocols.RANDOM_SPLITS),
        "split_inflation: the speaker-dependent split compared with the config's.",
        flag_values=flag_values,
    )
    flags.DEFINE_integer(
        "num_draws",
        1,
        "split_inflation: random splits drawn (protocol seeds s..s+num_draws-1).",
        flag_values=flag_values,
    )
    flags.DEFINE_string(
        "noises",
        "generated",
        "noise: the noises (names or sets: generated, musan; ser_jax.noise.sources).",
        flag_values=flag_values,
    )
    flags.DEFINE_list(
        "snrs",
        [f"{s:g}" for s in DEFAULT_SNRS],
        "noise: SNRs in dB of the noisy tests (0 dB is always among them).",
        flag_values=flag_values,
    )
    flags.mark_flags_as_required(
        ["study", "config", "workdir"], flag_values=flag_values
    )


def run_from_flags(fv: flags.FlagValues) -> dict:
    """Runs the study the parsed flags name; prints each run's pooled result."""
    config, workdir = fv.config, fv.workdir
    if fv.study == "repeats":
        study = repeats(config, workdir, fv.num_repeats)
    elif fv.study == "snippet_length":
        study = snippet_length(config, workdir, parse_lengths(fv.lengths))
    elif fv.study == "split_inflation":
        study = split_inflation(config, workdir, fv.random_split, fv.num_draws)
    elif fv.study == "noise":
        study = noise(config, workdir, fv.noises, [float(s) for s in fv.snrs])
    else:
        study = gender_split(config, workdir)
    for run in study["runs"]:
        print(
            f"{run['name']}: pooled UAR {run['uar']:.1%}, WA {run['wa']:.1%} "
            f"({run['folds_done']} of {run['num_folds']} folds)"
        )
    summary = study.get("summary", {})
    if "uar" in summary:
        print(
            f"mean ± std over runs: UAR {summary['uar']['mean']:.1%} ± "
            f"{summary['uar']['std']:.1%}, WA {summary['wa']['mean']:.1%} ± "
            f"{summary['wa']['std']:.1%}"
        )
    if "inflation" in study:
        gain = study["inflation"]
        draws = len(gain["uar"]["per_draw"])
        print(
            f"inflation of {study['random_split']} (speaker DEPENDENT) over the "
            f"speaker-independent protocol, mean ± std over {draws} draw(s): "
            f"UAR {100 * gain['uar']['mean']:+.1f} ± {100 * gain['uar']['std']:.1f} "
            f"points, WA {100 * gain['wa']['mean']:+.1f} ± "
            f"{100 * gain['wa']['std']:.1f} points"
        )
    for row in study.get("table", {}).get("rows", []):
        print(
            f"{row['condition']}: "
            + ", ".join(f"{m} UAR {row[m]['uar']:.1%}" for m in MODELS)
        )
    print(f"Study: {workdir}/{STUDY_FILE}, report: {workdir}/report/report.md")
    return study


def _main(argv):
    if len(argv) > 1:
        raise app.UsageError("Too many command-line arguments.")
    runtime.setup_process()
    run_from_flags(flags.FLAGS)


if __name__ == "__main__":
    define_flags()
    app.run(_main)
