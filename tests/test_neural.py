"""Real training runs on the tiny synthetic corpus: devices, resume, results."""

import json

import numpy as np
import pytest

from ser_jax.methods import neural, progress, trainer


def test_one_and_two_devices_give_the_same_training(data_dir, tiny_config, tmp_path):
    one = neural.train_and_evaluate(
        tiny_config(data_dir, num_devices=1), tmp_path / "one"
    )
    two = neural.train_and_evaluate(
        tiny_config(data_dir, num_devices=2), tmp_path / "two"
    )
    assert len(one["devices"]) == 1 and len(two["devices"]) == 2
    losses = lambda r: [h["train_loss"] for h in r["folds"][0]["history"]]  # noqa: E731
    np.testing.assert_allclose(losses(one), losses(two), rtol=1e-4)
    assert losses(one)[1] < losses(one)[0]  # it learns
    assert (
        one["folds"][0]["test"]["segment"]["confusion_matrix"]
        == two["folds"][0]["test"]["segment"]["confusion_matrix"]
    )


def test_killed_run_resumes_and_matches_an_uninterrupted_run(
    data_dir, tiny_config, tmp_path, monkeypatch
):
    config = tiny_config(data_dir, num_epochs=3)
    full = neural.train_and_evaluate(config, tmp_path / "full")

    real_epoch_done = progress.Progress.epoch_done

    def killed_after_epoch_2(self, fold, epoch, *args):
        real_epoch_done(self, fold, epoch, *args)
        if epoch == 2:
            raise KeyboardInterrupt("killed")

    monkeypatch.setattr(progress.Progress, "epoch_done", killed_after_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        neural.train_and_evaluate(config, tmp_path / "killed")
    assert not (tmp_path / "killed" / "fold_00" / "fold_result.json").exists()
    monkeypatch.setattr(progress.Progress, "epoch_done", real_epoch_done)

    epochs_run = []
    monkeypatch.setattr(
        progress.Progress,
        "epoch_done",
        lambda self, fold, epoch, *a: epochs_run.append(epoch),
    )
    resumed = neural.train_and_evaluate(config, tmp_path / "killed")
    assert epochs_run == [3]  # only the epoch the kill lost
    history = lambda r: [h["train_loss"] for h in r["folds"][0]["history"]]  # noqa: E731
    np.testing.assert_allclose(history(resumed), history(full), rtol=1e-5)
    assert resumed["folds"][0]["test"] == full["folds"][0]["test"]

    # A finished fold is not trained again.
    monkeypatch.setattr(
        trainer.FoldRunner, "run", lambda self: pytest.fail("fold redone")
    )
    again = neural.train_and_evaluate(config, tmp_path / "killed")
    assert again["folds"] == resumed["folds"]


def test_results_json_records_protocol_speakers_and_metrics(
    data_dir, tiny_config, tmp_path
):
    results = neural.train_and_evaluate(tiny_config(data_dir, num_epochs=1), tmp_path)
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert (
        on_disk["protocol"]["name"] == "losgo" and on_disk["protocol"]["num_folds"] == 4
    )
    fold = on_disk["folds"][0]
    assert set(fold["test_speakers"]).isdisjoint(
        fold["train_speakers"] + fold["val_speakers"]
    )
    for level in ("segment", "utterance"):
        test = fold["test"][level]
        assert set(test) >= {
            "wa",
            "uar",
            "macro_f1",
            "per_class_recall",
            "confusion_matrix",
        }
        assert sum(map(sum, test["confusion_matrix"])) == test["num_examples"]
    assert fold["test"]["utterance"]["num_examples"] == fold["num_utterances"]["test"]
    summary = on_disk["summary"]["utterance"]
    assert summary["pooled"]["uar"] == pytest.approx(fold["test"]["utterance"]["uar"])
    assert on_disk["config"]["model"]["name"] == "satt_cnn_lstm"
    assert (tmp_path / "confusion_matrix.png").stat().st_size > 1000
    assert (tmp_path / "fold_00" / "test_predictions.csv").read_text().count(
        "\n"
    ) == 1 + fold["num_utterances"]["test"]
    assert list(
        (tmp_path / "fold_00").glob("events.out.tfevents*")
    )  # TensorBoard scalars
    assert results["summary"] == on_disk["summary"]


def test_resuming_with_another_config_is_an_error(data_dir, tiny_config, tmp_path):
    neural.train_and_evaluate(tiny_config(data_dir, num_epochs=1), tmp_path)
    with pytest.raises(ValueError, match=r"another config \(differs in \['model'\]\)"):
        neural.train_and_evaluate(
            tiny_config(data_dir, num_epochs=1, model=dict(lstm_units=16)), tmp_path
        )


def test_best_epoch_by_validation_uar_or_wa(
    data_dir, tiny_config, tmp_path, monkeypatch
):
    """`select_by` picks the epoch whose validation UAR (default) or WA is best
    (Satt et al. optimised WA); the fold record says which."""
    real_evaluate = trainer.evaluate
    uar, wa = [0.5, 0.9, 0.6], [0.8, 0.3, 0.2]  # per epoch: the two disagree
    calls = []

    def evaluate(*args):
        out = real_evaluate(*args)
        epoch = len(calls)
        calls.append(epoch)
        if epoch < 3:  # the three epochs' validations; then the final tests
            out["utterance"].update(uar=uar[epoch], wa=wa[epoch])
        return out

    records = {}
    for select_by in ("", "wa"):
        calls.clear()
        monkeypatch.setattr(trainer, "evaluate", evaluate)
        config = tiny_config(data_dir, num_epochs=3, select_by=select_by)
        record = neural.train_and_evaluate(config, tmp_path / (select_by or "uar"))
        records[select_by] = record["folds"][0]
    assert records[""]["best_epoch"] == 2
    assert records[""]["selected_by"] == "validation uar"
    assert records["wa"]["best_epoch"] == 1
    assert records["wa"]["selected_by"] == "validation wa"
    with pytest.raises(ValueError, match="select_by must be one of"):
        neural.train_and_evaluate(
            tiny_config(data_dir, num_epochs=1, select_by="f1"), tmp_path / "f1"
        )
