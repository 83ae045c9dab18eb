"""Readable reports from results.json files: one Markdown page and PNG plots.

    python -m ser_jax.report runs/a runs/b/results.json runs/study --out=reports/x

Arguments are run directories, results.json files (neural runs and feature
baselines: same schema, baselines with the utterance level only) or study
directories (`ser_jax.studies`: their sub-runs are reported, and the study's own
table and plot). The Markdown is printed and written to `OUT/report.md`, with:

- one table, a row per run: corpus, model or method and features, protocol,
  folds done / total, pooled UAR / WA / macro-F1 (summed confusion matrices,
  utterance level), UAR mean ± std over folds; runs under the papers'
  speaker-dependent random splits (results.json `speaker_independent: false`)
  in a second table of their own, under a warning, never beside the others;
- per study: its runs side by side (and UAR against snippet length N as a plot
  for a snippet-length study);
- per run: the folds (test speakers, UAR, WA) and the pooled per-class recall.

PNGs in OUT: each run's pooled confusion matrix, per-class recall of all runs
side by side, each run's training curves (train loss and validation UAR per
epoch, from the folds' `history`) where the run has them.

    python -m ser_jax.report --filters=runs/satt --out=reports/filters [--fold=K]
        [--utterance=FILE_NAME] [--num_filters=16]

draws a trained run's first-layer filters and their activations on one of its
test utterances (Satt et al. Figs. 2-3, Anand & Verma Fig. 5;
`ser_jax.filters`) into `OUT/<run>_filters.png`; run arguments may be given
beside it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ser_jax import filters, methods, plots
from ser_jax.data import protocols
from ser_jax.data.corpus import corpus_of
from ser_jax.results import (
    SPEAKER_DEPENDENT_WARNING,
    Run,
    Study,
    describe_snippet,
    load,
    slug,
    speaker_independent,
)

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
    if protocol["name"] in protocols.RANDOM_SPLITS:
        return f"{protocol['name']} {split_ratio(random_fold(results))} (speaker DEPENDENT)"
    return protocol["name"]


def random_fold(results: dict) -> dict:
    """The one fold of a random split (its plan in results.json)."""
    folds = results["protocol"].get("folds") or results["folds"]
    return folds[0] if folds else {}


def split_ratio(fold: dict) -> str:
    """A random split's (train, val, test) fractions as `80/10/10`."""
    fractions = fold.get("split_fractions")
    return "/".join(f"{100 * f:g}" for f in fractions) if fractions else "?"


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
    if fold.get("random_split"):
        return f"random {split_ratio(fold)} split: all {len(speakers)} speakers"
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


def describe_split(run: dict) -> str:
    """A split-inflation run's protocol, saying which kind it is."""
    if run.get("speaker_independent"):
        return f"{run.get('protocol', run['name'])} (speaker independent)"
    return (
        f"{run.get('protocol', run['name'])}, seed {run.get('protocol_seed', '?')} "
        "(speaker DEPENDENT)"
    )


STUDY_PARAMS = {  # the study's own first column: header, text of a run
    "repeats": ("seed", lambda r: str(r.get("seed"))),
    "snippet_length": ("first N s", describe_snippet),
    "gender_split": ("speakers", lambda r: "+".join(r.get("genders", []))),
    "split_inflation": ("protocol", describe_split),
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
    if kind == "split_inflation":
        gain = data.get("inflation", {})
        if gain:
            draws = len(gain["uar"]["per_draw"])
            rows.append(
                [
                    f"inflation ({data['random_split']} − speaker independent), "
                    f"mean ± std over {draws} draw{'s' if draws > 1 else ''}",
                    "",
                    *(
                        f"{100 * gain[m]['mean']:+.1f} ± {100 * gain[m]['std']:.1f} "
                        "points"
                        for m in ("uar", "wa", "macro_f1")
                    ),
                ]
            )
        lines += [
            f"**Warning:** {data.get('random_split', 'the random split')} is "
            f"{SPEAKER_DEPENDENT_WARNING}. The same config on the same corpus under "
            "both; the last row is what the random split adds.",
            "",
        ]
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
        *([] if speaker_independent(r) else [f"**{SPEAKER_DEPENDENT_WARNING}.**", ""]),
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
    ]
    independent = [run for run in runs if speaker_independent(run.results)]
    dependent = [run for run in runs if not speaker_independent(run.results)]
    if independent:
        lines += [*summary_table(independent), ""]
    if dependent:
        lines += [
            "## Speaker-dependent runs (random splits)",
            "",
            f"**Warning:** these runs are {SPEAKER_DEPENDENT_WARNING}: they exist to "
            "reproduce the papers that split at random, and are kept out of the "
            "table above.",
            "",
            *summary_table(dependent),
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


def write_filters(
    run_dir: str | Path,
    out: str | Path,
    fold: int | None = None,
    utterance: str | None = None,
    num_filters: int = 16,
) -> Path:
    """`out/<run>_filters.png`: the run's first-layer filters (the
    `num_filters` most active on the utterance) and their activations."""
    layer = filters.first_layer(run_dir, fold, utterance)
    chosen = filters.strongest_filters(layer, num_filters)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{slug(str(run_dir))}_filters.png"
    plots.plot_first_layer(
        layer,
        chosen,
        path,
        title=f"{run_dir}: {layer.model}, {layer.fold}, best checkpoint; first layer, "
        f"the {len(chosen)} of {layer.kernels.shape[-1]} filters most active here",
    )
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ser_jax.report", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "runs", nargs="*", help="run dirs, results.json files or study dirs"
    )
    parser.add_argument("--out", required=True, help="directory for report.md + PNGs")
    parser.add_argument(
        "--filters",
        metavar="RUN",
        help="a trained run: draw its first-layer filters and their activations",
    )
    parser.add_argument(
        "--fold", type=int, help="--filters: this fold (default: the first finished)"
    )
    parser.add_argument(
        "--utterance",
        help="--filters: this file name (default: the fold's first test utterance)",
    )
    parser.add_argument(
        "--num_filters", type=int, default=16, help="--filters: how many to draw"
    )
    args = parser.parse_args(argv)
    if not args.runs and not args.filters:
        parser.error("give run directories, --filters=RUN, or both")
    try:
        if args.filters:
            path = write_filters(
                args.filters, args.out, args.fold, args.utterance, args.num_filters
            )
            print(f"Filters: {path}", file=sys.stderr)
        if args.runs:
            text = write_report(args.runs, args.out)
            print(text)
            print(f"Report: {Path(args.out) / 'report.md'}", file=sys.stderr)
    except (FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
