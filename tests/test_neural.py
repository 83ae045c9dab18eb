"""Real training runs on the tiny synthetic corpus: devices, resume, results."""

import json

import ml_collections
import numpy as np
import pytest

from ser_jax.methods import experiment, neural, progress, steps, trainer


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


def test_length_buckets_resume_a_run_killed_mid_epoch_with_the_same_batches(
    data_dir, tiny_config, tmp_path, monkeypatch
):
    """With length buckets the epoch's batches still derive from the seed, fold
    and epoch: a run killed inside its second epoch resumes from the first
    epoch's checkpoint, sees the batches (members and widths) an uninterrupted
    run saw, and ends with its results."""
    config = tiny_config(data_dir, num_epochs=2, length_buckets=4)
    real_batches = trainer.FoldRunner.train_batches

    def recorded(log, kill_at=None):
        def train_batches(self, epoch):
            for i, batch in enumerate(real_batches(self, epoch)):
                if (epoch, i) == kill_at:
                    raise KeyboardInterrupt("killed")
                log.append((epoch, batch["index"].tolist(), batch["audio"].shape[1]))
                yield batch

        return train_batches

    full_log, killed_log, resumed_log = [], [], []
    monkeypatch.setattr(trainer.FoldRunner, "train_batches", recorded(full_log))
    full = neural.train_and_evaluate(config, tmp_path / "full")
    widths = {w for _, _, w in full_log}
    assert len(widths) > 1 and max(widths) <= 16000  # buckets in use
    monkeypatch.setattr(
        trainer.FoldRunner, "train_batches", recorded(killed_log, kill_at=(1, 2))
    )
    with pytest.raises(KeyboardInterrupt):
        neural.train_and_evaluate(config, tmp_path / "killed")
    monkeypatch.setattr(trainer.FoldRunner, "train_batches", recorded(resumed_log))
    resumed = neural.train_and_evaluate(config, tmp_path / "killed")
    epoch_2 = [b for b in full_log if b[0] == 1]
    assert killed_log == full_log[: len(full_log) - len(epoch_2) + 2]
    assert resumed_log == epoch_2
    history = lambda r: [h["train_loss"] for h in r["folds"][0]["history"]]  # noqa: E731
    np.testing.assert_allclose(history(resumed), history(full), rtol=1e-5)
    assert resumed["folds"][0]["test"] == full["folds"][0]["test"]


@pytest.mark.parametrize("frontend", ["satt_spectrogram", "log_mel"])
def test_length_buckets_do_not_change_predictions(
    data_dir, tiny_config, tmp_path, frontend
):
    """The same weights score every segment alike whether its batch is padded to
    the longest segment or to its length bucket."""
    config = tiny_config(data_dir, length_buckets=4)
    if frontend == "log_mel":  # Keesing's Aldeneh: whole utterances up to 2 s
        config.max_segment_seconds = 2.0
        config.frontend = ml_collections.ConfigDict({"name": "log_mel", "num_mels": 40})
        config.model = ml_collections.ConfigDict(
            {"name": "aldeneh", "conv_features": 8, "dense_units": (16, 16)}
        )
    exp = experiment.start(config, tmp_path, trainer.RESUMABLE_FIELDS)
    devices = steps.local_devices(1)
    runner = trainer.FoldRunner(
        config, exp.corpus, exp.folds[0], tmp_path, devices, progress=None
    )
    state = steps.replicate(runner.build(), devices)
    segments = runner.data["test"][1]
    assert len(set(segments.lengths.tolist())) > 1
    bucketed = runner.predict(state, segments)
    runner.widths = ()
    padded_to_longest = runner.predict(state, segments)
    assert np.ptp(padded_to_longest[:, 0]) > 1e-3  # the segments score differently
    np.testing.assert_allclose(bucketed, padded_to_longest, rtol=1e-4, atol=1e-6)
