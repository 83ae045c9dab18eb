"""Studies on the tiny synthetic corpus: repeats, snippet length, gender split.

A study on several corpora (gender split under `cross_corpus`) is in
test_corpora.py."""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from ser_jax import metrics, studies
from ser_jax.methods import trainer
from ser_jax.results import slug

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = ["anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral"]


_DONE = {}


@pytest.fixture
def repeats_study(data_dir, tiny_config, tmp_path_factory):
    """`repeats` with 2 seeds on the tiny config, run once for this module."""
    if "repeats" not in _DONE:
        config = tiny_config(data_dir, num_epochs=1)
        workdir = tmp_path_factory.mktemp("repeats")
        _DONE["repeats"] = (
            config,
            workdir,
            studies.repeats(config, workdir, num_repeats=2),
        )
    return _DONE["repeats"]


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def test_repeats_two_seeds_same_folds_mean_std(repeats_study, monkeypatch):
    config, workdir, study = repeats_study
    assert load(workdir / "study.json") == study
    runs = [load(workdir / f"seed_{s}" / "results.json") for s in (0, 1)]
    assert [r["config"]["seed"] for r in runs] == [0, 1]
    assert runs[0]["protocol"]["folds"] == runs[1]["protocol"]["folds"]
    history = [[h["train_loss"] for h in r["folds"][0]["history"]] for r in runs]
    assert history[0] != history[1]

    uars = [r["summary"]["utterance"]["pooled"]["uar"] for r in runs]
    was = [r["summary"]["utterance"]["pooled"]["wa"] for r in runs]
    assert [r["uar"] for r in study["runs"]] == uars
    assert study["summary"]["uar"] == pytest.approx(
        {"mean": np.mean(uars), "std": np.std(uars)}
    )
    assert study["summary"]["wa"] == pytest.approx(
        {"mean": np.mean(was), "std": np.std(was)}
    )
    report = (workdir / "report" / "report.md").read_text()
    (line,) = [x for x in report.splitlines() if x.startswith("| mean ± std over 2 ")]
    assert line.split("|")[3].strip().startswith(f"{100 * np.mean(uars):.1f} ± ")

    # Run again: every sub-run resumes as done, nothing is trained.
    monkeypatch.setattr(
        trainer.FoldRunner, "run", lambda self: pytest.fail("retrained")
    )
    assert studies.repeats(config, workdir, num_repeats=2, report=False) == study
    with pytest.raises(ValueError, match="holds a 'repeats' study"):
        studies.gender_split(config, workdir)


def _flag_overrides(config) -> list[str]:
    """`--config.x=...` flags turning configs/cnn_lstm.py into `config`."""
    from configs import cnn_lstm

    def flatten(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict) and v:
                yield from flatten(v, f"{prefix}{k}.")
            else:
                yield f"{prefix}{k}", v

    base = dict(flatten(cnn_lstm.get_config("corpus=synthetic/tiny").to_dict()))
    return [
        f"--config.{k}={v if isinstance(v, str) else repr(v)}"
        for k, v in flatten(config.to_dict())
        if base.get(k) != v
    ]


def test_command_line_resumes_a_finished_study(repeats_study, capsys, monkeypatch):
    """The flags of `python -m ser_jax.studies`, parsed in-process (no new process)."""
    from absl import flags

    config, workdir, study = repeats_study
    argv = [
        "studies",
        "--study=repeats",
        "--num_repeats=2",
        f"--workdir={workdir}",
        f"--config={REPO}/configs/cnn_lstm.py:corpus=synthetic/tiny,protocol=losgo",
        *_flag_overrides(config),
    ]
    monkeypatch.setattr(sys, "argv", argv)  # config_flags reads overrides there
    fv = flags.FlagValues()
    studies.define_flags(fv)
    fv(argv)
    assert fv.config.to_dict() == config.to_dict()
    assert studies.run_from_flags(fv) == study  # all done: resumed, not retrained
    uar = study["summary"]["uar"]
    printed = capsys.readouterr().out
    assert f"mean ± std over runs: UAR {uar['mean']:.1%} ± {uar['std']:.1%}" in printed
    assert "seed_1: pooled UAR" in printed


def test_snippet_length_clips_train_and_test(repeats_study, tmp_path):
    config, repeats_dir, _ = repeats_study
    # "full" is the config unchanged, i.e. repeats' seed 0: that finished run is
    # reused (resumed as done) instead of trained again.
    shutil.copytree(repeats_dir / "seed_0", tmp_path / "full")
    study = studies.snippet_length(config, tmp_path, lengths=(0.5, None))
    assert [r["name"] for r in study["runs"]] == ["first_0.5s", "full"]
    assert [r["snippet_seconds"] for r in study["uar_by_length"]] == [0.5, None]

    clipped = load(tmp_path / "first_0.5s" / "results.json")
    full = load(tmp_path / "full" / "results.json")
    assert clipped["config"]["segmentation"] == "clip"
    assert clipped["config"]["max_segment_seconds"] == 0.5
    assert full["config"] == json.loads(json.dumps(config.to_dict()))
    fold = clipped["folds"][0]
    # One segment (the first 0.5 s) per utterance, in training and test alike.
    assert fold["num_segments"] == fold["num_utterances"]
    assert full["folds"][0]["num_segments"]["test"] > fold["num_utterances"]["test"]
    for run, results in zip(study["runs"], (clipped, full), strict=True):
        assert run["uar"] == results["summary"]["utterance"]["pooled"]["uar"]
    report_dir = tmp_path / "report"
    assert (report_dir / f"{slug(str(tmp_path))}_uar_vs_snippet_length.png").exists()


def test_gender_split_trains_one_model_per_sex_and_pools(
    data_dir, tiny_config, tmp_path
):
    config = tiny_config(data_dir, num_epochs=1)
    study = studies.gender_split(config, tmp_path)
    assert [r["name"] for r in study["runs"]] == ["female", "male", "pooled"]
    runs = {g: load(tmp_path / g / "results.json") for g in ("female", "male")}
    for gender, parity in (("female", 0), ("male", 1)):  # synthetic: even ids female
        results = runs[gender]
        assert results["config"]["dataset"]["genders"] == [gender]
        assert results["protocol"]["name"] == "losgo"
        speakers = {
            s
            for f in results["protocol"]["folds"]
            for s in f["test_speakers"] + f["val_speakers"] + f["train_speakers"]
        }
        assert len(speakers) == 4 and {int(s) % 2 for s in speakers} == {parity}

    pooled_cm = sum(
        np.asarray(r["summary"]["utterance"]["pooled"]["confusion_matrix"])
        for r in runs.values()
    )
    pooled = load(tmp_path / "pooled" / "results.json")
    assert pooled["summary"]["utterance"]["pooled"]["confusion_matrix"] == (
        pooled_cm.tolist()
    )
    expected = metrics.metrics_from_confusion(pooled_cm, SYNTHETIC)
    assert study["runs"][2]["uar"] == pytest.approx(expected["uar"])
    assert study["pooled"]["utterance"]["pooled"]["wa"] == pytest.approx(expected["wa"])
    assert "| female | 1/4 |" in (tmp_path / "report" / "report.md").read_text()
