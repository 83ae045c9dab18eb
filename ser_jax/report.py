"""Readable reports from results.json files: one Markdown page and PNG plots.

    python -m ser_jax.report runs/a runs/b/results.json runs/study --out=reports/x

Arguments are run directories, results.json files (neural runs and feature
baselines: same schema, baselines with the utterance level only) or study
directories (`ser_jax.studies`: their sub-runs are reported, and the study's own
table and plot). The Markdown is printed and written to `OUT/report.md`, with:

- one table, a row per run: corpus, model or method and features, protocol,
  folds done / total, pooled UAR / WA / macro-F1 (summed confusion matrices,
  utterance level), UAR mean ± std over folds;
- per study: its runs side by side (and UAR against snippet length N as a plot
  for a snippet-length study);
- per run: the folds (test speakers, UAR, WA) and the pooled per-class recall.

PNGs in OUT: each run's pooled confusion matrix, per-class recall of all runs
side by side, each run's training curves (train loss and validation UAR per
epoch, from the folds' `history`) where the run has them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ser_jax import corpora, protocols, reporting

STUDY_FILE = "study.json"
RESULTS_FILE = "results.json"


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


# ----------------------------------------------------------------------------
# Loading.


def _slug(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("_.") or "run"


def _label(path: Path) -> str:
    """A path as the user gave it, without a trailing results.json/study.json."""
    if path.name in (RESULTS_FILE, STUDY_FILE):
        path = path.parent
    return str(path)


class _Slugs:
    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, label: str) -> str:
        base = slug = _slug(label)
        k = 2
        while slug in self.used:
            slug, k = f"{base}_{k}", k + 1
        self.used.add(slug)
        return slug


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


# ----------------------------------------------------------------------------
# Descriptions and numbers.


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def pct_mean_std(ms: dict) -> str:
    return f"{100 * ms['mean']:.1f} ± {100 * ms['std']:.1f}%"


def _cell(text) -> str:
    return str(text).replace("|", "\\|")


def is_baseline(results: dict) -> bool:
    return (
        results.get("method") == "sklearn"
        or results.get("config", {}).get("method") == "sklearn"
    )


def describe_model(results: dict) -> str:
    """Model and front-end (neural) or classifier and features (baselines)."""
    config = results.get("config", {})
    if is_baseline(results):
        features = results.get("features") or {"name": config.get("features", "?")}
        size = features.get("num_features")
        return (
            f"{results.get('classifier', config.get('classifier', '?'))} on "
            f"{features.get('name', '?')}{f' ({size})' if size else ''}, "
            f"standardization {results.get('standardization', config.get('standardization', '?'))}"
        )
    model = config.get("model", {}).get("name", "?")
    if config.get("method") == "two_step":
        binary = config.get("two_step", {}).get("binary_model", {}).get("name", "?")
        model = f"two-step: {model}, then neutral-vs-each {binary}"
    frontend = config.get("frontend", {}).get("name", "?")
    seconds = config.get("max_segment_seconds")
    segmentation = config.get("segmentation", "equal")
    if seconds is None:
        return f"{model} on {frontend}"
    cut = {
        "clip": f"first {seconds:g} s",
        "equal": f"segments ≤ {seconds:g} s",
        "chunks": f"{seconds:g} s chunks",
    }.get(segmentation, f"{segmentation} {seconds:g} s")
    return f"{model} on {frontend}, {cut}"


def describe_corpus(results: dict) -> str:
    dataset = results.get("config", {}).get("dataset", {})
    text = results["corpus"]
    if dataset.get("genders"):
        text += f" ({'+'.join(dataset['genders'])})"
    if dataset.get("label_map"):
        text += f" ({len(results['class_names'])} mapped classes)"
    elif "corpora" in results:
        text += f" ({len(results['class_names'])} shared classes)"
    return text


def describe_protocol(results: dict) -> str:
    protocol = results["protocol"]
    if protocol["name"] == "losgo":
        return f"losgo, {protocol['num_folds']} groups"
    if protocol["name"] == "cross_corpus":
        test = results.get("config", {}).get("protocol", {}).get("test_corpus", "?")
        return f"cross-corpus, test {test}"
    if protocol["name"] == "leave_one_corpus_out":
        return f"leave one corpus out, {protocol['num_folds']} corpora"
    return protocol["name"]


def describe_corpora(results: dict) -> str:
    """Several corpora: the shared classes and each corpus's label map."""
    merged = results["corpora"]
    maps = "; ".join(
        f"{name}: " + ", ".join(f"{k}→{v}" for k, v in m.items())
        for name, m in merged["label_maps"].items()
    )
    return (
        f"Corpora {', '.join(merged['names'])}, shared classes "
        f"{', '.join(merged['shared_classes'])}. Label maps: {maps}."
    )


def describe_test_speakers(results: dict, fold: dict) -> str:
    """A fold's test speakers; for the corpus protocols, the test corpus."""
    speakers = fold.get("test_speakers", [])
    if "corpora" in results and (
        results["protocol"]["name"] in protocols.CORPUS_PROTOCOLS
    ):
        names = dict.fromkeys(corpora.corpus_of(s) for s in speakers)
        return f"{', '.join(names)} ({len(speakers)} speakers)"
    return ", ".join(speakers)


def folds_done(results: dict) -> str:
    return f"{len(results['folds'])}/{results['protocol']['num_folds']}"


def support(results: dict, level: str = "utterance") -> list[int]:
    cm = np.asarray(results["summary"][level]["pooled"]["confusion_matrix"])
    return cm.sum(axis=1).astype(int).tolist()


# ----------------------------------------------------------------------------
# Markdown.


def _table(header: Sequence[str], rows: Sequence[Sequence]) -> list[str]:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def summary_table(runs: Sequence[Run]) -> list[str]:
    rows = []
    for run in runs:
        r = run.results
        utt = r["summary"]["utterance"]
        rows.append(
            [
                run.label,
                describe_corpus(r),
                describe_model(r),
                describe_protocol(r),
                folds_done(r),
                pct(utt["pooled"]["uar"]),
                pct(utt["pooled"]["wa"]),
                pct(utt["pooled"]["macro_f1"]),
                pct_mean_std(utt["uar_over_folds"]),
            ]
        )
    return _table(
        [
            "run",
            "corpus",
            "model / method",
            "protocol",
            "folds",
            "UAR",
            "WA",
            "macro-F1",
            "UAR over folds",
        ],
        rows,
    )


def _snippet(run: dict) -> str:
    if run.get("snippet_seconds") is not None:
        return f"{run['snippet_seconds']:g}"
    if run.get("segmentation") == "clip":  # the config already clips
        return f"as configured (first {run.get('max_segment_seconds', '?'):g} s)"
    return "full utterance"


STUDY_PARAMS = {  # the study's own first column: header, text of a run
    "repeats": ("seed", lambda r: str(r.get("seed"))),
    "snippet_length": ("first N s", _snippet),
    "gender_split": ("speakers", lambda r: "+".join(r.get("genders", []))),
}


def study_section(study: Study, images: dict[str, str]) -> list[str]:
    data = study.study
    kind = data["study"]
    header, describe = STUDY_PARAMS.get(kind, ("run", lambda r: r["name"]))
    lines = [f"## Study {study.label}: {kind.replace('_', ' ')}", ""]
    if data.get("status") == "running":
        lines += ["Still running: its runs are listed when it finishes.", ""]
    if kind == "gender_split":
        lines += [
            f"One model per sex under the same protocol ({data.get('protocol', '?')}); "
            "pooled = both runs' confusion matrices summed.",
            "",
        ]
    rows = [
        [
            describe(r),
            f"{r['folds_done']}/{r['num_folds']}",
            pct(r["uar"]),
            pct(r["wa"]),
            pct(r["macro_f1"]),
        ]
        for r in data["runs"]
    ]
    summary = data.get("summary", {})
    if "uar" in summary:
        rows.append(
            [
                f"mean ± std over {len(data['runs'])}",
                "",
                pct_mean_std(summary["uar"]),
                pct_mean_std(summary["wa"]),
                pct_mean_std(summary["macro_f1"]),
            ]
        )
    lines += _table([header, "folds", "UAR", "WA", "macro-F1"], rows)
    lines += ["", "Pooled utterance-level metrics of each run.", ""]
    if study.slug in images:
        lines += [f"![UAR against snippet length]({images[study.slug]})", ""]
    return lines


def run_section(run: Run, images: dict[str, str]) -> list[str]:
    r = run.results
    protocol = r["protocol"]
    lines = [
        f"## {run.label}",
        "",
        f"{describe_corpus(r)}; {describe_model(r)}; {describe_protocol(r)} "
        f"(protocol seed {protocol.get('seed', '?')}), {folds_done(r)} folds; "
        f"results: `{run.path}`.",
        "",
    ]
    if "corpora" in r:
        lines += [describe_corpora(r), ""]
    if "segment" in r["summary"]:
        seg = r["summary"]["segment"]["pooled"]
        lines += [
            f"Segment level (sub-utterances), pooled: UAR {pct(seg['uar'])}, "
            f"WA {pct(seg['wa'])}.",
            "",
        ]
    grouped = any("group" in f for f in r["folds"])
    rows = [
        [
            *([f.get("group", "")] if grouped else []),
            f.get("fold", f.get("index", "?")),
            describe_test_speakers(r, f),
            pct(f["test"]["utterance"]["uar"]),
            pct(f["test"]["utterance"]["wa"]),
        ]
        for f in r["folds"]
    ]
    lines += _table(
        [*(["group"] if grouped else []), "fold", "test speakers", "UAR", "WA"], rows
    )
    recall = r["summary"]["utterance"]["pooled"]["per_class_recall"]
    lines += ["", "Per-class recall (pooled, utterances):", ""]
    lines += _table(
        ["class", "recall", "utterances"],
        [
            [name, pct(recall.get(name)), n]
            for name, n in zip(r["class_names"], support(r), strict=True)
        ],
    )
    lines.append("")
    for key, alt in (
        ("confusion", "confusion matrix"),
        ("training", "training curves"),
    ):
        if f"{run.slug}:{key}" in images:
            lines.append(f"![{alt}]({images[f'{run.slug}:{key}']})")
    lines.append("")
    return lines


def markdown(
    runs: Sequence[Run], studies: Sequence[Study], images: dict[str, str]
) -> str:
    lines = [
        "# SER results",
        "",
        "UAR, WA and macro-F1 are pooled over the folds done (confusion matrices "
        "summed), utterance level; UAR over folds is mean ± std (population).",
        "",
        *summary_table(runs),
        "",
    ]
    for study in studies:
        lines += study_section(study, images)
    if "per_class_recall" in images:
        lines += [
            "## Per-class recall",
            "",
            f"![per-class recall]({images['per_class_recall']})",
            "",
        ]
    for run in runs:
        lines += run_section(run, images)
    return "\n".join(lines).rstrip() + "\n"


# ----------------------------------------------------------------------------
# Plots.


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_per_class_recall(runs: Sequence[Run], path: Path) -> None:
    """Grouped bars: a group per class, a bar per run."""
    plt = _pyplot()
    classes = list(dict.fromkeys(c for run in runs for c in run.results["class_names"]))
    width = 0.8 / len(runs)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(classes) + 0.3 * len(runs)), 4))
    x = np.arange(len(classes))
    for i, run in enumerate(runs):
        recall = run.results["summary"]["utterance"]["pooled"]["per_class_recall"]
        values = [np.nan if recall.get(c) is None else 100 * recall[c] for c in classes]
        ax.bar(x + (i - (len(runs) - 1) / 2) * width, values, width, label=run.label)
    ax.set_xticks(x, classes, rotation=30, ha="right")
    ax.set_ylabel("recall (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Per-class recall (pooled, utterances)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def has_history(results: dict) -> bool:
    return any(f.get("history") for f in results["folds"])


def plot_training_curves(run: Run, path: Path) -> None:
    """Train loss and validation UAR per epoch, a line per fold."""
    plt = _pyplot()
    fig, (loss_ax, uar_ax) = plt.subplots(1, 2, figsize=(10, 3.8))
    for f in run.results["folds"]:
        history = f.get("history") or []
        if not history:
            continue
        epochs = [h["epoch"] for h in history]
        name = f"{f.get('group', '')} fold {f.get('fold', '?')}".strip()
        loss_ax.plot(epochs, [h["train_loss"] for h in history], marker=".", label=name)
        uar_ax.plot(
            epochs, [100 * h["val_uar"] for h in history], marker=".", label=name
        )
    loss_ax.set(xlabel="epoch", ylabel="training loss", title="Training loss")
    uar_ax.set(xlabel="epoch", ylabel="UAR (%)", title="Validation UAR (utterances)")
    uar_ax.set_ylim(0, 100)
    from matplotlib.ticker import MaxNLocator

    for ax in (loss_ax, uar_ax):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    uar_ax.legend(fontsize=7)
    fig.suptitle(run.label, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_snippet_length(study: dict, path: Path, title: str = "") -> None:
    """Pooled UAR and WA against N; the full utterance as a horizontal line."""
    plt = _pyplot()
    runs = study["runs"]
    clipped = sorted(
        (r for r in runs if r["snippet_seconds"] is not None),
        key=lambda r: r["snippet_seconds"],
    )
    full = [r for r in runs if r["snippet_seconds"] is None]
    fig, ax = plt.subplots(figsize=(6, 4))
    if clipped:
        n = [r["snippet_seconds"] for r in clipped]
        ax.plot(n, [100 * r["uar"] for r in clipped], "o-", label="UAR")
        ax.plot(n, [100 * r["wa"] for r in clipped], "s--", label="WA", alpha=0.7)
    for r in full:
        ax.axhline(100 * r["uar"], color="C0", ls=":", label=f"UAR, {_snippet(r)}")
    if clipped:
        ax.set_xlim(0, 1.1 * max(n) + 0.1)
    ax.set(
        xlabel="first N seconds of each utterance (train and test)",
        ylabel="pooled %",
        title=title or "UAR against snippet length",
    )
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make_plots(runs: Sequence[Run], studies: Sequence[Study], out: Path) -> dict:
    """Writes the PNGs; returns {key: file name} for the Markdown."""
    images = {}
    for run in runs:
        r = run.results
        name = f"{run.slug}_confusion.png"
        reporting.save_confusion_png(
            r["summary"]["utterance"]["pooled"]["confusion_matrix"],
            r["class_names"],
            out / name,
            title=f"{run.label}\n{describe_protocol(r)}, {folds_done(r)} folds, pooled",
        )
        images[f"{run.slug}:confusion"] = name
        if has_history(r):
            name = f"{run.slug}_training.png"
            plot_training_curves(run, out / name)
            images[f"{run.slug}:training"] = name
    plot_per_class_recall(runs, out / "per_class_recall.png")
    images["per_class_recall"] = "per_class_recall.png"
    for study in studies:
        if study.study["study"] == "snippet_length":
            name = f"{study.slug}_uar_vs_snippet_length.png"
            corpus = study.runs[0].results["corpus"] if study.runs else ""
            plot_snippet_length(
                study.study, out / name, f"{corpus}: UAR against snippet length"
            )
            images[study.slug] = name
    return images


def write_report(paths: Sequence[str | Path], out: str | Path) -> str:
    """Writes `out/report.md` and the PNGs; returns the Markdown."""
    runs, studies = load(paths)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    images = make_plots(runs, studies, out)
    text = markdown(runs, studies, images)
    (out / "report.md").write_text(text)
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ser_jax.report", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "runs", nargs="+", help="run dirs, results.json files or study dirs"
    )
    parser.add_argument("--out", required=True, help="directory for report.md + PNGs")
    args = parser.parse_args(argv)
    try:
        text = write_report(args.runs, args.out)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(text)
    print(f"Report: {Path(args.out) / 'report.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
