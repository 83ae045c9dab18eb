"""The noise study (Satt et al.'s Table 2) from one command on the tiny
synthetic corpus, and noisy evaluation of runs, which leaves training untouched."""

import json
import sys
from pathlib import Path

import jax
import numpy as np
import pandas as pd
import pytest
from test_studies import REPO, _flag_overrides

from ser_jax import frontends, methods, studies
from ser_jax.methods import trainer
from ser_jax.methods.scoring import TrainedModels

NOISES, SNRS = ("white", "babble"), (0.0, 10.0)


def load(path) -> dict:
    return json.loads(Path(path).read_text())


def best_params(config, fold_dir):
    frontend = frontends.create_frontend(config.frontend, 16000, 16000)
    (state,) = TrainedModels(config, frontend, 7, [fold_dir]).states
    return jax.tree.leaves(state)


@pytest.fixture(scope="module")
def noise_study(data_dir, tiny_config, tmp_path_factory):
    """`python -m ser_jax.studies --study=noise`, parsed in-process: the normal
    and the harmonic-filtered model, tested under 2 noises at 2 SNRs."""
    from absl import flags

    config = tiny_config(data_dir, num_epochs=1)
    workdir = tmp_path_factory.mktemp("noise_study") / "study"
    argv = [
        "studies",
        "--study=noise",
        f"--noises={','.join(NOISES)}",
        "--snrs=10,0",
        f"--workdir={workdir}",
        f"--config={REPO}/configs/cnn_lstm.py:corpus=synthetic/tiny,protocol=losgo",
        *_flag_overrides(config),
    ]
    # config_flags reads the `--config.x` overrides from sys.argv.
    saved, sys.argv = sys.argv, argv
    try:
        fv = flags.FlagValues()
        studies.define_flags(fv)
        fv(argv)
        study = studies.run_from_flags(fv)
    finally:
        sys.argv = saved
    return config, workdir, study


def test_noise_study_from_one_command(noise_study, monkeypatch):
    config, workdir, study = noise_study
    assert load(workdir / "study.json") == study
    normal = load(workdir / "normal/results.json")
    modified = load(workdir / "modified/results.json")
    # The modified model is the normal one with Satt's harmonic filter on its input.
    assert modified["config"]["frontend"]["harmonic_filter"] is True
    assert normal["config"]["frontend"]["harmonic_filter"] is False
    del modified["config"]["frontend"]["harmonic_filter"]
    del normal["config"]["frontend"]["harmonic_filter"]
    assert modified["config"] == normal["config"]

    table = study["table"]
    assert table["columns"] == ["normal", "modified"]
    assert [r["condition"] for r in table["rows"]] == [
        "clean",
        "white (generated) at 0 dB",
        "babble (generated) at 0 dB",
        "mean over the 2 noises",
    ]
    pooled = normal["summary"]["utterance"]["pooled"]
    assert table["rows"][0]["normal"] == {"uar": pooled["uar"], "wa": pooled["wa"]}
    cell = load(workdir / "noisy/modified_babble_0dB/results.json")
    assert (
        table["rows"][2]["modified"]["uar"]
        == cell["summary"]["utterance"]["pooled"]["uar"]
    )
    # Every noisy result says its noise is generated, and where it was trained.
    assert cell["evaluation"]["noise"] == "babble"
    assert cell["evaluation"]["kind"] == "generated"
    assert cell["evaluation"]["trained_in"] == str(workdir / "modified")
    assert cell["config"]["evaluation"] == {"noise": "babble", "snr_db": 0.0}
    assert cell["config"]["frontend"]["harmonic_filter"] is True
    mean = table["rows"][3]["normal"]["uar"]
    assert mean == pytest.approx(
        (table["rows"][1]["normal"]["uar"] + table["rows"][2]["normal"]["uar"]) / 2
    )
    curve = study["snr_curve"]
    assert {(r["model"], r["noise"], r["snr_db"]) for r in curve} == {
        (m, n, s) for m in studies.MODELS for n in NOISES for s in SNRS
    }
    assert len(curve) == 2 * 2 * 2 and {r["kind"] for r in curve} == {"generated"}
    for r in curve:
        cell = load(workdir / "noisy" / f"{r['model']}_{r['noise']}_{r['snr_db']:g}dB"
                    / "results.json")  # fmt: skip
        assert r["uar"] == cell["summary"]["utterance"]["pooled"]["uar"]

    report = (workdir / "report/report.md").read_text()
    assert "Satt et al.'s Table 2 layout" in report
    assert "| babble (generated) at 0 dB |" in report
    (plot,) = (workdir / "report").glob("*_uar_vs_snr.png")
    assert f"]({plot.name})" in report

    # Run again: everything resumes as done, nothing is trained or tested.
    monkeypatch.setattr(trainer.FoldRunner, "run", lambda self: pytest.fail("trained"))
    monkeypatch.setattr(
        trainer.FoldRunner, "noisy_test_record", lambda *a: pytest.fail("tested")
    )
    assert studies.noise(config, workdir, NOISES, [10, 0], report=False) == study


def test_noise_study_refuses_a_noisy_config(data_dir, tiny_config, tmp_path):
    noisy = tiny_config(data_dir)
    noisy.evaluation.noise = "white"
    with pytest.raises(ValueError, match="sets evaluation.noise itself"):
        studies.noise(noisy, tmp_path / "other")
    assert not (tmp_path / "other").exists()


def test_noisy_evaluation_leaves_training_untouched(
    noise_study, data_dir, tiny_config, tmp_path
):
    """A run with `evaluation.noise` trains exactly as the clean run (the study's
    normal model) and tests on the noisy audio the study tested its checkpoint on."""
    clean_config, workdir, _ = noise_study
    noisy_config = tiny_config(data_dir, num_epochs=1)
    noisy_config.evaluation.noise = "babble"
    noisy_config.evaluation.snr_db = 0.0
    noisy = methods.run(noisy_config, tmp_path / "noisy")
    clean = load(workdir / "normal/results.json")
    (c,), (n,) = clean["folds"], noisy["folds"]
    assert c["history"] == n["history"] and c["val"] == n["val"]
    for a, b in zip(
        best_params(clean_config, workdir / "normal/fold_00"),
        best_params(noisy_config, tmp_path / "noisy/fold_00"),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    assert "evaluation" not in c
    assert n["evaluation"] == {"noise": "babble", "kind": "generated", "snr_db": 0.0}

    clean_probs = pd.read_csv(workdir / "normal/fold_00/test_predictions.csv")
    noisy_probs = pd.read_csv(tmp_path / "noisy/fold_00/test_predictions.csv")
    cell_probs = pd.read_csv(
        workdir / "noisy/normal_babble_0dB/fold_00/test_predictions.csv"
    )
    p = [col for col in clean_probs if col.startswith("p_")]
    assert not np.allclose(clean_probs[p], noisy_probs[p])
    # The study's test of the clean run's checkpoint heard the same noisy audio.
    np.testing.assert_allclose(cell_probs[p], noisy_probs[p], atol=1e-5)
