"""The session protocols end to end on a dummy IEMOCAP (its builder's dummy_data):
`sessions` (leave one session out) and `satt_sessions` (Satt et al.)."""

import json
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders.iemocap import iemocap_dataset_builder
from ser_jax.methods import neural

DUMMY = Path(iemocap_dataset_builder.__file__).parent / "dummy_data"
SESSION = {"Ses01F": "1", "Ses01M": "1", "Ses02F": "2", "Ses02M": "2"}


@pytest.fixture(scope="module")
def iemocap(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("tfds_iemocap")
    builder = iemocap_dataset_builder.Builder(
        config="four_class", data_dir=str(data_dir)
    )
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(DUMMY))
    )
    return str(data_dir)


def run(iemocap, tiny_config, workdir, protocol):
    config = tiny_config(iemocap, num_epochs=1)
    config.dataset.corpus = "iemocap/four_class"
    config.protocol.name = protocol
    config.fold = -1
    neural.train_and_evaluate(config, workdir)
    return json.loads((workdir / "results.json").read_text())


def test_sessions_leaves_one_session_out(iemocap, tiny_config, tmp_path):
    results = run(iemocap, tiny_config, tmp_path, "sessions")
    folds = results["protocol"]["folds"]
    assert [f["test_speakers"] for f in folds] == [
        ["Ses01F", "Ses01M"],
        ["Ses02F", "Ses02M"],
    ]
    for f in folds:
        held_out = {SESSION[s] for s in f["test_speakers"]}
        assert held_out.isdisjoint(
            SESSION[s] for s in f["val_speakers"] + f["train_speakers"]
        )
    assert len(results["folds"]) == 2
    assert results["class_names"] == ["angry", "happy", "sad", "neutral"]


def test_satt_sessions_test_one_speaker_and_validate_on_the_other(
    iemocap, tiny_config, tmp_path
):
    results = run(iemocap, tiny_config, tmp_path, "satt_sessions")
    folds = [
        (f["test_speakers"], f["val_speakers"]) for f in results["protocol"]["folds"]
    ]
    assert folds == [
        (["Ses01F"], ["Ses01M"]),
        (["Ses01M"], ["Ses01F"]),
        (["Ses02F"], ["Ses02M"]),
        (["Ses02M"], ["Ses02F"]),
    ]
    assert results["protocol"]["name"] == "satt_sessions"
    assert sum(f["num_utterances"]["test"] for f in results["folds"]) == 8
