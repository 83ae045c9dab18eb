"""ser_jax.report on a real tiny run, a hand-made baseline results.json and a study."""

import json
import shutil

import pytest

from ser_jax import metrics, report
from ser_jax.methods import neural
from ser_jax.results import slug, summarize

CLASSES = ["anger", "neutral", "sadness"]
# Two folds of a baseline (utterance level only), numbers worked out by hand:
# pooled [[5,1,0],[1,3,0],[0,1,3]]: recalls 5/6, 3/4, 3/4 -> UAR 77.8 %,
# WA 11/14 = 78.6 %; precisions 5/6, 3/5, 1 -> macro-F1 78.6 %.
# Fold 0: recalls 1, 1/2, 1 -> UAR 83.3 %, WA 5/6; fold 1: 3/4, 1, 1/2 -> UAR 75.0 %,
# WA 6/8; UAR over folds 79.2 ± 4.2 %.
BASELINE_CMS = [
    [[2, 0, 0], [1, 1, 0], [0, 0, 2]],
    [[3, 1, 0], [0, 2, 0], [0, 1, 1]],
]

_RUN = {}


@pytest.fixture
def neural_run(data_dir, tiny_config, tmp_path_factory):
    """One real 2-epoch tiny run, trained once for this module."""
    if "path" not in _RUN:
        path = tmp_path_factory.mktemp("neural_run")
        neural.train_and_evaluate(tiny_config(data_dir, num_epochs=2), path)
        _RUN["path"] = path
    return _RUN["path"]


@pytest.fixture
def baseline_json(tmp_path):
    """A results.json as the scikit-learn baselines write it (utterance level only)."""
    folds = []
    for k, (cm, speakers) in enumerate(
        zip(BASELINE_CMS, [["03", "08"], ["09", "10"]], strict=True)
    ):
        test = metrics.metrics_from_confusion(cm, CLASSES)
        test["confusion_matrix"] = cm
        folds.append(
            {
                "fold": k,
                "index": k,
                "test_speakers": speakers,
                "val_speakers": [],
                "train_speakers": ["11", "12"],
                "test": {"utterance": test},
            }
        )
    results = {
        "corpus": "emodb",
        "class_names": CLASSES,
        "config": {
            "method": "sklearn",
            "dataset": {"corpus": "emodb", "genders": [], "label_map": {}},
        },
        "method": "sklearn",
        "features": {"name": "egemaps", "num_features": 88},
        "classifier": "svm_rbf",
        "standardization": "train_speakers",
        "protocol": {"name": "loso", "num_folds": 10, "seed": 0, "folds": []},
        "devices": ["cpu"],
        "folds": folds,
        "summary": summarize(folds, CLASSES),
    }
    path = tmp_path / "svm" / "results.json"
    path.parent.mkdir()
    path.write_text(json.dumps(results))
    return path


def row(text: str, first_cell: str) -> list[str]:
    """The cells of the Markdown table row whose first cell is `first_cell`."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row {first_cell!r} in:\n{text}")


def section(text: str, heading: str) -> str:
    """The Markdown under `## heading`, up to the next `## `."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def test_report_numbers_and_plots(neural_run, baseline_json, tmp_path):
    out = tmp_path / "report"
    baseline_dir = str(baseline_json.parent)
    text = report.write_report([neural_run, baseline_json], out)
    assert (out / "report.md").read_text() == text

    # Baseline row: hand-computed numbers.
    assert row(text, baseline_dir) == [
        baseline_dir,
        "emodb",
        "svm_rbf on egemaps (88), standardization train_speakers",
        "loso",
        "2/10",
        "77.8%",
        "78.6%",
        "78.6%",
        "79.2 ± 4.2%",
    ]
    baseline = section(text, baseline_dir)
    assert row(baseline, "0")[1:] == ["03, 08", "83.3%", "83.3%"]
    assert row(baseline, "1")[1:] == ["09, 10", "75.0%", "75.0%"]
    assert row(baseline, "anger") == ["anger", "83.3%", "6"]
    assert row(baseline, "sadness") == ["sadness", "75.0%", "4"]

    # Neural row: the numbers of its results.json.
    results = json.loads((neural_run / "results.json").read_text())
    utt = results["summary"]["utterance"]
    cells = row(text, str(neural_run))
    assert cells[1:5] == [
        "synthetic/tiny",
        "satt_cnn_lstm on satt_spectrogram, segments ≤ 1 s",
        "losgo, 4 groups",
        "1/4",
    ]
    assert cells[5:8] == [
        f"{100 * utt['pooled'][m]:.1f}%" for m in ("uar", "wa", "macro_f1")
    ]
    fold = results["folds"][0]
    neural = section(text, str(neural_run))
    assert row(neural, "0")[1:] == [
        ", ".join(fold["test_speakers"]),
        *(f"{100 * fold['test']['utterance'][m]:.1f}%" for m in ("uar", "wa")),
    ]
    seg = results["summary"]["segment"]["pooled"]
    assert (
        f"Segment level (sub-utterances), pooled: UAR {100 * seg['uar']:.1f}%" in neural
    )

    # PNGs: a confusion matrix per run, training curves where there is a history.
    neural_slug, baseline_slug = (slug(str(p)) for p in (neural_run, baseline_dir))
    for name in (
        f"{neural_slug}_confusion.png",
        f"{neural_slug}_training.png",
        f"{baseline_slug}_confusion.png",
        "per_class_recall.png",
    ):
        assert (out / name).stat().st_size > 1000, name
        assert f"]({name})" in text
    assert not (out / f"{baseline_slug}_training.png").exists()


def test_snippet_length_study_gets_its_table_and_plot(neural_run, tmp_path):
    study_dir = tmp_path / "snippets"
    runs = []
    for name, seconds in (("first_0.5s", 0.5), ("full", None)):
        (study_dir / name).mkdir(parents=True)
        shutil.copy(neural_run / "results.json", study_dir / name / "results.json")
        runs.append(
            {
                "name": name,
                "workdir": name,
                "snippet_seconds": seconds,
                "folds_done": 1,
                "num_folds": 4,
                "uar": 0.25 if seconds else 0.5,
                "wa": 0.3,
                "macro_f1": 0.2,
            }
        )
    (study_dir / "study.json").write_text(
        json.dumps({"study": "snippet_length", "runs": runs})
    )
    out = tmp_path / "out"
    text = report.write_report([study_dir], out)
    assert row(text, "0.5") == ["0.5", "1/4", "25.0%", "30.0%", "20.0%"]
    assert row(text, "full utterance")[2] == "50.0%"
    assert row(text, f"{study_dir}/first_0.5s")  # its sub-runs are reported too
    plot = out / f"{slug(str(study_dir))}_uar_vs_snippet_length.png"
    assert plot.stat().st_size > 1000


def test_command_line(neural_run, baseline_json, tmp_path, capsys):
    out = tmp_path / "cli"
    assert report.main([str(neural_run), str(baseline_json), f"--out={out}"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# SER results")
    assert printed.strip() == (out / "report.md").read_text().strip()

    assert report.main([str(tmp_path / "missing"), f"--out={out}"]) == 1
    assert "no such run directory" in capsys.readouterr().err
