"""own_corpus: a label table (the dummy data), a file-name pattern, and the CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tensorflow_datasets as tfds

from data_builders import testing
from data_builders.builder_utils import ManualDirError
from data_builders.own_corpus import own_corpus_dataset_builder as own

DUMMY = Path(__file__).resolve().parent / "dummy_data"
ROOT = Path(__file__).resolve().parents[2]


class OwnCorpusTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = own.Builder
    BUILDER_CONFIG_NAMES_TO_TEST = ["example"]
    SPLITS = {"speaker_alice": 2, "speaker_bob": 3, "speaker_carol": 1}
    SKIP_CHECKSUMS = True

    @classmethod
    def setUpClass(cls):
        cls.EXAMPLE_DIR = str(DUMMY)
        super().setUpClass()


def build(tmp_path, config, manual_dir=DUMMY):
    return testing.build(own.Builder, manual_dir, tmp_path, config)


def labels(builder):
    return {
        ex["file_name"]: (ex["emotion"], ex["gender"], ex["speaker"])
        for ex in testing.examples(builder)
    }


def test_a_pattern_reads_labels_from_file_names(tmp_path):
    config = own.OwnCorpusConfig(
        name="by_name",
        pattern=r"(?P<speaker>[a-z]+)/[a-z]+_(?P<emotion>[a-z]+)_\d\.wav",
        emotions=("anger", "happiness", "neutral", "sadness"),
        speaker_genders={"alice": "f", "bob": "M", "carol": "female"},
    )
    built = labels(build(tmp_path, config))
    assert built["bob/bob_happiness_1.wav"] == ("happiness", "male", "bob")
    assert built["carol/carol_anger_1.wav"] == ("anger", "female", "carol")
    assert len(built) == 6


def test_bad_configs_and_labels_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="exactly one of `labels`"):
        own.OwnCorpusConfig(name="x", emotions=("a",))
    with pytest.raises(ValueError, match="`emotions` must list"):
        own.OwnCorpusConfig(name="x", labels="labels.csv")
    table = tmp_path / "corpus"
    table.mkdir()
    (table / "labels.csv").write_text(
        "path,speaker,emotion,gender\nalice/a.wav,alice,joy,f\n"
    )
    config = own.OwnCorpusConfig(
        name="bad", labels="labels.csv", emotions=("anger", "happiness")
    )
    with pytest.raises(ValueError, match=r"labels.csv:2: emotion 'joy' is not"):
        build(tmp_path / "tfds", config, table)
    no_gender = own.OwnCorpusConfig(
        name="no_gender",
        pattern=r"(?P<speaker>[a-z]+)/[a-z]+_(?P<emotion>[a-z]+)_\d\.wav",
        emotions=("anger", "happiness", "neutral", "sadness"),
    )
    with pytest.raises(ValueError, match="no gender for speaker 'alice'"):
        build(tmp_path / "tfds2", no_gender)
    missing = own.OwnCorpusConfig(name="m", labels="nope.tsv", emotions=("a",))
    with pytest.raises(ManualDirError, match="nope.tsv does not exist"):
        build(tmp_path / "tfds3", missing)


def test_tfds_build_with_a_json_config_then_ser_jax_reads_it(tmp_path):
    config = {
        "name": "mine",
        "labels": "labels.csv",
        "emotions": ["anger", "happiness", "neutral", "sadness"],
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tensorflow_datasets.scripts.cli.main",
            "build",
            str(ROOT / "data_builders" / "own_corpus"),
            f"--config={json.dumps(config)}",
            f"--manual_dir={DUMMY}",
            f"--data_dir={tmp_path}",
        ],
        check=True,
        cwd=ROOT,
        env=env,
    )
    import ml_collections

    from ser_jax.data.load import load_corpus

    corpus = load_corpus(
        ml_collections.ConfigDict(
            {"corpus": "own_corpus/mine", "data_dir": str(tmp_path)}
        )
    )
    assert corpus.speaker_ids == ["alice", "bob", "carol"]
    assert corpus.class_names == config["emotions"]
    assert corpus.speaker_genders() == {
        "alice": "female",
        "bob": "male",
        "carol": "female",
    }
