"""The method registry: one record per method, one way to run a config."""

import dataclasses

import pytest

from configs import cnn_lstm, satt_two_step, svm_egemaps
from ser_jax import methods
from ser_jax.methods import baseline, neural, two_step


def test_each_config_names_its_method_record():
    assert methods.of(cnn_lstm.get_config()).train_and_evaluate is (
        neural.train_and_evaluate
    )
    assert methods.of(satt_two_step.get_config()).name == "two_step"
    assert methods.of(svm_egemaps.get_config()).train_and_evaluate is (
        baseline.train_and_evaluate
    )
    assert methods.of({"model": {}}).name == "neural"  # a stored config.json


def test_the_baselines_former_name_still_names_them():
    assert methods.get("sklearn") is methods.get("baseline")
    assert methods.of({"method": "sklearn"}).name == "baseline"


def test_an_unknown_method_is_an_error_that_lists_the_methods():
    with pytest.raises(ValueError, match="baseline.*neural.*two_step.*'magic'"):
        methods.get("magic")


def test_run_dispatches_on_config_method(monkeypatch, tmp_path):
    calls = []
    fake = dataclasses.replace(
        methods.METHODS["two_step"],
        train_and_evaluate=lambda c, w: calls.append(w) or {"ok": 1},
    )
    monkeypatch.setitem(methods.METHODS, "two_step", fake)
    assert methods.run(satt_two_step.get_config(), tmp_path / "a") == {"ok": 1}
    assert calls == [tmp_path / "a"]


def test_records_say_what_each_method_can_do():
    assert methods.get("neural").load_scorer is neural.load_scorer
    assert methods.get("two_step").load_scorer is two_step.TwoStepScorer
    assert methods.get("baseline").load_scorer is None
    assert methods.get("ensemble").load_scorer is None
    assert [m.name for m in methods.METHODS.values() if m.segments_audio] == [
        "neural",
        "two_step",
        "ensemble",
    ]


def test_describe_speaks_for_each_method():
    neural_config = cnn_lstm.get_config().to_dict()
    assert methods.of(neural_config).describe({"config": neural_config}) == (
        "satt_cnn_lstm on satt_spectrogram, segments ≤ 3 s"
    )
    two = satt_two_step.get_config().to_dict()
    assert methods.of(two).describe({"config": two}) == (
        "two-step: satt_cnn_lstm, then neutral-vs-each satt_cnn on "
        "satt_spectrogram, segments ≤ 3 s"
    )
    svm = svm_egemaps.get_config().to_dict()
    assert methods.of(svm).describe({"config": svm}) == (
        "svm_rbf on egemaps, standardization train_speakers"
    )
