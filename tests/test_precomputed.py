"""eGeMAPS descriptors computed on the host as a neural model's input
(`ser_jax.frontends.precomputed`), and Neumann's auxiliary targets from
annotated ratings, on synthetic/tiny and on a dummy IEMOCAP."""

import dataclasses
from pathlib import Path

import jax.numpy as jnp
import ml_collections
import numpy as np
import pytest
import tensorflow_datasets as tfds

import configs
from data_builders.iemocap import iemocap_dataset_builder
from ser_jax import frontends
from ser_jax.baselines import features
from ser_jax.data import emotions, load
from ser_jax.frontends import augmentation, precomputed
from ser_jax.methods import fold_data, neural, steps

from tiny_fold import on_tiny_fold

LLD = ml_collections.ConfigDict({"name": "egemaps_lld"})
IEMOCAP_DUMMY = Path(iemocap_dataset_builder.__file__).parent / "dummy_data"


def neumann_params(num_features: int, num_classes: int) -> int:
    """Widths 10 and 20 frames x 100 filters over every feature, then the
    emotion (num_classes), activation (3) and valence (3) heads."""
    convs = sum((w * num_features + 1) * 100 for w in (10, 20))
    return convs + sum(200 * k + k for k in (num_classes, 3, 3))


def tiny_neumann(data_dir, arg=""):
    config = on_tiny_fold(
        configs.load("neumann", f"corpus=synthetic/tiny,protocol=losgo,{arg}"),
        data_dir,
    )
    config.num_epochs = 1
    config.batch_size = config.eval_batch_size = 16
    config.num_devices = 1
    return config


def test_descriptors_are_opensmiles_lld_every_10_ms(data_dir, tmp_path):
    corpus = load.load_corpus(
        ml_collections.ConfigDict({"corpus": "synthetic/tiny", "data_dir": data_dir})
    ).subset(np.isin(np.arange(112), [0, 1]))
    # A copy twice as loud (no clipping): loudness rises, pitch stays.
    louder = dataclasses.replace(
        corpus,
        name="louder",
        audio=[
            (a.astype(np.int32) * 2).clip(-32768, 32767).astype(np.int16)
            for a in corpus.audio
        ],
    )
    assert max(np.abs(a).max() for a in corpus.audio) < 16384
    frames = precomputed.host_corpus(LLD, corpus, str(tmp_path))
    loud = precomputed.host_corpus(LLD, louder, str(tmp_path))
    names = features.feature_names("egemaps_lld")
    assert len(names) == 25 and names[0] == "Loudness_sma3"
    f0 = names.index("F0semitoneFrom27.5Hz_sma3nz")
    assert (
        frames.sample_rate == 100 and frames.labels.tolist() == corpus.labels.tolist()
    )
    for clip, x, y in zip(corpus.audio, frames.audio, loud.audio, strict=True):
        assert x.shape[1] == 25 and abs(len(x) - len(clip) / 160) <= 5
        assert y[:, 0].mean() > 1.3 * x[:, 0].mean()
        voiced = (x[:, f0] > 0) & (y[:, f0] > 0)
        assert voiced.mean() > 0.5
        np.testing.assert_allclose(y[voiced, f0], x[voiced, f0], atol=0.5)

    # Cached: the second call reads the file and does not run openSMILE.
    def fail(*args):
        raise AssertionError("recomputed")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features, "compute", fail)
        again = precomputed.host_corpus(LLD, corpus, str(tmp_path))
    for a, b in zip(frames.audio, again.audio, strict=True):
        np.testing.assert_array_equal(a, b)
    # Front-ends computed in JAX keep the audio.
    assert (
        precomputed.host_corpus(ml_collections.ConfigDict({"name": "log_mel"}), corpus)
        is corpus
    )


def test_precomputed_frames_mask_past_the_count_and_refuse_audio():
    fe = frontends.create_frontend(LLD, 100, 50)
    assert isinstance(fe, precomputed.PrecomputedFrames)
    assert fe.output_shape == (50, 25)
    x = jnp.ones((2, 50, 25))
    out, counts = fe(x, jnp.array([30, 80]))
    assert counts.tolist() == [30, 50]
    assert float(out[0, 29].sum()) == 25 and float(out[0, 30:].sum()) == 0
    assert float(out[1].sum()) == 50 * 25
    with pytest.raises(ValueError, match="host_corpus"):
        fe(jnp.ones((2, 16000)), jnp.array([16000, 16000]))
    noise = ml_collections.ConfigDict({"copies": 1, "white_noise_snr_db": (15, 30)})
    with pytest.raises(ValueError, match="computed on the host"):
        augmentation.create(noise, fe)


def test_neumann_on_egemaps_lld_trains_on_synthetic(data_dir, tmp_path):
    config = tiny_neumann(data_dir, "features=egemaps_lld")
    assert config.frontend.to_dict() == {"name": "egemaps_lld"}
    assert config.task_targets == "annotated"
    result = neural.train_and_evaluate(config, tmp_path)
    fold = result["folds"][0]
    # The CNN's filters span 25 descriptors (log-mels would be 26).
    assert fold["num_params"] == neumann_params(25, 7)
    assert np.isfinite(fold["history"][0]["train_loss"])
    # The synthetic corpus has categories only: every class from the table.
    used = sum(fold["num_utterances"].values())
    assert fold["task_targets"] == {
        task: {"annotated": 0, "category_table": used}
        for task in ("activation", "valence")
    }


@pytest.fixture(scope="module")
def iemocap(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("tfds_iemocap")
    builder = iemocap_dataset_builder.Builder(
        config="four_class", data_dir=str(data_dir)
    )
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(IEMOCAP_DUMMY))
    )
    return str(data_dir)


def test_neumann_on_dummy_iemocap_learns_the_annotated_ratings(iemocap, tmp_path):
    config = configs.load(
        "neumann", "corpus=iemocap/four_class,protocol=sessions,features=egemaps_lld"
    )
    config.dataset.data_dir = iemocap
    corpus = load.load_corpus(config.dataset)
    assert set(corpus.ratings) == {"activation", "valence"}
    weights = steps.task_weights(config)
    annotated = fold_data.auxiliary_labels(config, corpus, weights)
    table = fold_data.auxiliary_labels(
        ml_collections.ConfigDict({"task_targets": ""}), corpus, weights
    )
    for task in ("activation", "valence"):
        labels, rated = annotated[task]
        assert rated.all()
        np.testing.assert_array_equal(
            labels, emotions.rating_classes(corpus.ratings[task])
        )
    # The dummy's activation ratings disagree with the category table (happy
    # rated 3.0 and 3.5: medium, where the table says high), so this fails if
    # the table were used.
    assert (annotated["activation"][0] != table["activation"][0]).sum() == 2

    config.update(num_epochs=1, batch_size=4, eval_batch_size=4, num_devices=1)
    config.fold = 0
    config.protocol.num_val_speakers = 1
    fold = neural.train_and_evaluate(config, tmp_path)["folds"][0]
    used = sum(fold["num_utterances"].values())
    assert fold["num_params"] == neumann_params(25, 4)
    assert fold["task_targets"]["valence"] == {"annotated": used, "category_table": 0}
