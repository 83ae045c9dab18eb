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
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ser_jax import methods, plots
from ser_jax.data import protocols
from ser_jax.data.corpus import corpus_of
from ser_jax.results import Run, Study, describe_snippet, load

# ----------------------------------------------------------------------------
# Descriptions and numbers.


def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def pct_mean_std(ms: dict) -> str:
    return f"{100 * ms['mean']:.1f} ± {100 * ms['std']:.1f}%"


def _cell(text) -> str:
    return str(text).replace("|", "\\|")


def describe_model(results: dict) -> str:
    """Model or method and its input, in the words of the run's method."""
    name = results.get("method") or results.get("config", {}).get("method")
    return methods.get(name).describe(results)


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
        names = dict.fromkeys(corpus_of(s) for s in speakers)
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


STUDY_PARAMS = {  # the study's own first column: header, text of a run
    "repeats": ("seed", lambda r: str(r.get("seed"))),
    "snippet_length": ("first N s", describe_snippet),
    "gender_split": ("speakers", lambda r: "+".join(r.get("genders", []))),
    "noise": ("model, test audio", lambda r: r["name"]),
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
    if kind == "noise":
        lines += noise_table(data)
    lines += _table([header, "folds", "UAR", "WA", "macro-F1"], rows)
    lines += ["", "Pooled utterance-level metrics of each run.", ""]
    if study.slug in images:
        alt = "UAR against SNR" if kind == "noise" else "UAR against snippet length"
        lines += [f"![{alt}]({images[study.slug]})", ""]
    return lines


def noise_table(data: dict) -> list[str]:
    """The noise study in Satt et al.'s Table 2 layout."""
    table = data.get("table")
    if not table:
        return []
    columns = table["columns"]
    lines = [
        f"Satt et al.'s Table 2 layout: pooled UAR (WA) of the normal model and "
        f"the modified one ({', '.join(f'{k}={v}' for k, v in data['modified'].items())})"
        f", noises at {table['snr_db']:g} dB SNR (active speech level).",
        "",
    ]
    rows = [
        [row["condition"]]
        + [f"{pct(row[c]['uar'])} ({pct(row[c]['wa'])})" for c in columns]
        for row in table["rows"]
    ]
    return [*lines, *_table(["test audio", *columns], rows), ""]


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


def make_plots(runs: Sequence[Run], studies: Sequence[Study], out: Path) -> dict:
    """Writes the PNGs; returns {key: file name} for the Markdown."""
    images = {}
    for run in runs:
        r = run.results
        name = f"{run.slug}_confusion.png"
        plots.save_confusion_png(
            r["summary"]["utterance"]["pooled"]["confusion_matrix"],
            r["class_names"],
            out / name,
            title=f"{run.label}\n{describe_protocol(r)}, {folds_done(r)} folds, pooled",
        )
        images[f"{run.slug}:confusion"] = name
        if plots.has_history(r):
            name = f"{run.slug}_training.png"
            plots.plot_training_curves(run, out / name)
            images[f"{run.slug}:training"] = name
    plots.plot_per_class_recall(runs, out / "per_class_recall.png")
    images["per_class_recall"] = "per_class_recall.png"
    for study in studies:
        if study.study["study"] == "snippet_length":
            name = f"{study.slug}_uar_vs_snippet_length.png"
            corpus = study.runs[0].results["corpus"] if study.runs else ""
            plots.plot_snippet_length(
                study.study, out / name, f"{corpus}: UAR against snippet length"
            )
            images[study.slug] = name
        if study.study["study"] == "noise" and study.study.get("snr_curve"):
            name = f"{study.slug}_uar_vs_snr.png"
            corpus = study.runs[0].results["corpus"] if study.runs else ""
            plots.plot_snr_curve(study.study, out / name, f"{corpus}: UAR against SNR")
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
