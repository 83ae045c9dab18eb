"""One experiment per workdir: what may change between invocations, and what may not."""

import json

import ml_collections
import pytest

from ser_jax.methods import experiment


def stored(tmp_path, config: dict):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return path


def test_resuming_checks_the_config_but_tolerates_new_fields_that_are_off(tmp_path):
    old = {
        "dataset": {"corpus": "ravdess", "data_dir": "/a"},
        "protocol": {"name": "losgo"},
        "fold": 0,
        "model": {"name": "m", "units": 8},
    }
    path = stored(tmp_path, old)
    same = ml_collections.ConfigDict(
        {
            **old,
            "dataset": {
                "corpus": "ravdess",
                "data_dir": "/elsewhere",
                "trim_silence": False,  # added since, off
            },
            "fold": 3,  # resumable
            # Fields added to ser_jax since the run started, at their off values:
            "protocol": {"name": "losgo", "test_corpus": ""},
            "tasks": {"activation": 0.0, "valence": 0.0},
            "augmentation": {"copies": 0, "time_scale": ()},
        }
    )
    experiment.check_same_experiment(path, same, resumable_fields=("fold",))

    for change, field in (
        ({"model": {"name": "m", "units": 16}}, "model"),
        ({"tasks": {"activation": 0.1, "valence": 0.0}}, "tasks"),  # new and on
        ({"protocol": {"name": "losgo", "test_corpus": "emodb"}}, "protocol"),
        ({"dataset": {"corpus": "ravdess", "trim_silence": True}}, "dataset"),
    ):
        other = ml_collections.ConfigDict({**same.to_dict(), **change})
        with pytest.raises(ValueError, match=rf"differs in \['{field}'\]"):
            experiment.check_same_experiment(path, other, resumable_fields=("fold",))


def test_a_baseline_workdir_of_the_former_method_name_resumes(tmp_path):
    old = {"method": "sklearn", "dataset": {"corpus": "emodb"}, "fold": 0}
    path = stored(tmp_path, old)
    renamed = ml_collections.ConfigDict({**old, "method": "baseline"})
    experiment.check_same_experiment(path, renamed, resumable_fields=("fold",))
    neural = ml_collections.ConfigDict({**old, "method": "two_step"})
    with pytest.raises(ValueError, match=r"differs in \['method'\]"):
        experiment.check_same_experiment(path, neural, resumable_fields=("fold",))


def test_a_workdir_of_the_former_chunk_lstm_resumes_under_its_new_names(tmp_path):
    """configs/anand_chunk_lstm.py's runs (model anand_chunk_lstm) resume with
    configs/anand_cnn_lstm.py, and with the old file, which is now its alias."""
    from configs import anand_chunk_lstm, anand_cnn_lstm

    new = anand_cnn_lstm.get_config("corpus=emodb")
    assert new.model.name == "anand_cnn_lstm"
    assert anand_chunk_lstm.get_config("corpus=emodb").to_dict() == new.to_dict()
    old = json.loads(json.dumps(new.to_dict()))
    old["model"]["name"] = "anand_chunk_lstm"
    path = stored(tmp_path, old)
    experiment.check_same_experiment(path, new, resumable_fields=("fold",))
    other = ml_collections.ConfigDict(new.to_dict())
    other.model.name = "anand_lstm"
    with pytest.raises(ValueError, match=r"differs in \['model'\]"):
        experiment.check_same_experiment(path, other, resumable_fields=("fold",))


def test_pending_folds_are_the_selected_ones_without_a_result(tmp_path):
    """What `run` trains and the ETA counts: finished folds and unselected ones drop out."""
    config = ml_collections.ConfigDict({"fold": -1})
    exp = experiment.Experiment(
        config, tmp_path, corpus=None, protocol="losgo", folds=[None] * 3
    )
    assert exp.pending == [0, 1, 2]
    exp.fold_dir(1).mkdir()
    (exp.fold_dir(1) / "fold_result.json").write_text("{}")
    assert exp.pending == [0, 2]
    config.fold = 1
    assert exp.selected == [1] and exp.pending == []
    config.fold = 2
    assert exp.pending == [2]
