"""results.json and study.json: writing, summarising and reading them back.

A run's workdir holds `results.json` (every method writes one schema:
`ser_jax.methods.experiment.Experiment.write_results`), per fold
`fold_result.json` and `test_predictions.csv`; a study's workdir holds
`study.json` and its runs' workdirs. `load` reads any of them back for
`ser_jax.report`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ser_jax import metrics
from ser_jax.data import protocols

LEVELS = ("segment", "utterance")
RESULTS_FILE = "results.json"
STUDY_FILE = "study.json"


def summarize(fold_records: Sequence[dict], class_names: Sequence[str]) -> dict:
    """Pooled metrics (summed confusion matrices) and mean ± std over folds.

    Levels are those the records have: neural models report "segment" (3 s
    sub-utterances) and "utterance"; utterance-level classifiers only the latter.
    """
    summary = {}
    for level in (lvl for lvl in LEVELS if lvl in fold_records[0]["test"]):
        cms = [np.asarray(r["test"][level]["confusion_matrix"]) for r in fold_records]
        pooled = metrics.level_metrics_from_confusion(np.sum(cms, axis=0), class_names)
        summary[level] = {
            "pooled": pooled,
            **{
                f"{name}_over_folds": metrics.mean_std(
                    [r["test"][level][name] for r in fold_records]
                )
                for name in ("uar", "wa", "macro_f1")
            },
        }
    return summary


def write_predictions(
    path: Path,
    corpus,
    idx: Sequence[int],
    predictions: Sequence[int],
    probs: np.ndarray | None = None,
) -> None:
    """A CSV row per test utterance: file, speaker, label, prediction[, posteriors]."""
    names = corpus.class_names
    header = "file_name,speaker,label,prediction"
    if probs is not None:
        header += "," + ",".join(f"p_{c}" for c in names)
    lines = [header]
    for row, (i, p) in enumerate(zip(idx, predictions, strict=True)):
        cells = [
            corpus.file_names[i],
            corpus.speakers[i],
            names[corpus.labels[i]],
            names[int(p)],
        ]
        if probs is not None:
            cells += [f"{x:.4f}" for x in probs[row]]
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n")


def write_json(path: Path, data: dict) -> None:
    """Atomic write, so a killed run never leaves half a file behind."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False))
    tmp.replace(path)


def speaker_independent(results: dict) -> bool:
    """A results.json's `speaker_independent` (runs written before it existed:
    from their protocol's name)."""
    if "speaker_independent" in results:
        return bool(results["speaker_independent"])
    return results["protocol"]["name"] not in protocols.RANDOM_SPLITS


SPEAKER_DEPENDENT_WARNING = (
    "SPEAKER DEPENDENT (a random split: the test speakers are in training); "
    "not comparable with speaker-independent results"
)


def format_summary(results: dict) -> str:
    """One paragraph for the terminal."""
    utt = results["summary"]["utterance"]
    folds = len(results["folds"])
    warning = "" if speaker_independent(results) else f" {SPEAKER_DEPENDENT_WARNING}."
    return (
        f"{results['corpus']} {results['protocol']['name']} ({folds} of "
        f"{results['protocol']['num_folds']} folds), utterance level: pooled UAR "
        f"{utt['pooled']['uar']:.1%}, WA {utt['pooled']['wa']:.1%}, macro-F1 "
        f"{utt['pooled']['macro_f1']:.1%}; UAR over folds "
        f"{utt['uar_over_folds']['mean']:.1%} ± {utt['uar_over_folds']['std']:.1%}"
        f"{warning}"
    )


# ----------------------------------------------------------------------------
# Reading runs and studies back.


@dataclasses.dataclass
class Run:
    label: str  # as shown in the tables
    slug: str  # file-name stem of its plots
    path: Path  # its results.json
    results: dict


@dataclasses.dataclass
class Study:
    label: str
    slug: str
    path: Path  # its study.json
    study: dict
    runs: list[Run]


def slug(label: str) -> str:
    """A label as a file-name stem: the reports name a run's plots by it."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_.") or "run"


def _label(path: Path) -> str:
    """A path as the user gave it, without a trailing results.json/study.json."""
    if path.name in (RESULTS_FILE, STUDY_FILE):
        path = path.parent
    return str(path)


class _Slugs:
    """Unique slugs: a label seen before gets `_2`, `_3`, ..."""

    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, label: str) -> str:
        base = name = slug(label)
        k = 2
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON: {e}") from e


def _check_results(path: Path, results: dict) -> dict:
    missing = {"corpus", "class_names", "protocol", "folds", "summary"} - set(results)
    if missing or "utterance" not in results.get("summary", {}):
        raise ValueError(
            f"{path} is not a results.json of ser_jax (missing {sorted(missing)} or "
            "the utterance-level summary)"
        )
    return results


def load(paths: Sequence[str | Path]) -> tuple[list[Run], list[Study]]:
    """Runs and studies from run dirs, results.json files and study dirs."""
    if not paths:
        raise ValueError("No runs given.")
    runs, studies, slugs = [], [], _Slugs()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            if (path / STUDY_FILE).exists():
                path = path / STUDY_FILE
            elif (path / RESULTS_FILE).exists():
                path = path / RESULTS_FILE
            else:
                raise FileNotFoundError(
                    f"{path} has neither {RESULTS_FILE} nor {STUDY_FILE} (is the run "
                    "finished?)"
                )
        elif not path.is_file():
            raise FileNotFoundError(f"{path}: no such run directory or file")
        data = _read_json(path)
        label = _label(Path(given))
        if "study" in data and "runs" in data:
            sub_runs = []
            for r in data["runs"]:
                sub_path = path.parent / r["workdir"] / RESULTS_FILE
                if not sub_path.exists():
                    raise FileNotFoundError(
                        f"{path} lists run {r['name']!r}, but {sub_path} is missing"
                    )
                sub_label = label if r["workdir"] == "." else f"{label}/{r['name']}"
                sub_runs.append(
                    Run(
                        sub_label,
                        slugs(sub_label),
                        sub_path,
                        _check_results(sub_path, _read_json(sub_path)),
                    )
                )
            studies.append(Study(label, slugs(label), path, data, sub_runs))
            runs.extend(sub_runs)
        else:
            runs.append(Run(label, slugs(label), path, _check_results(path, data)))
    if not runs:
        raise ValueError(f"No finished runs in {[str(p) for p in paths]}")
    return runs, studies


def describe_snippet(run: dict) -> str:
    """A snippet-length study run's length, in words."""
    if run.get("snippet_seconds") is not None:
        return f"{run['snippet_seconds']:g}"
    if run.get("segmentation") == "clip":  # the config already clips
        return f"as configured (first {run.get('max_segment_seconds', '?'):g} s)"
    return "full utterance"
