"""Per-speaker feature standardisation: what each mode may and may not see."""

import jax.numpy as jnp
import numpy as np
import pytest

from ser_jax import frontends
from ser_jax.data import batches as batching
from ser_jax.data.segments import make_segments
from ser_jax.frontends import standardization


def _split(scale: float, offset: float, n: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    clips = [
        (offset + scale * rng.standard_normal(4000))
        .clip(-30000, 30000)
        .astype(np.int16)
        for _ in range(n)
    ]
    return make_segments(clips, np.zeros(n, np.int32), 4000)


FRONTEND = frontends.create_frontend(
    __import__("ml_collections").ConfigDict({"name": "log_mel", "num_mels": 8}),
    16000,
    4000,
)


def _standardised(seg):
    batch = next(batching.batches(seg, len(seg)))
    feats, frames = FRONTEND(
        jnp.asarray(batch["audio"] / 32768.0, jnp.float32), batch["length"]
    )
    return np.asarray(standardization.apply(feats, frames, batch)), np.asarray(frames)


def test_train_speakers_mode_never_uses_test_statistics():
    train, test = _split(3000, 0), _split(300, 0, seed=1)  # the test speaker is quieter
    splits = {
        "train": (train, np.array(["a"] * 3)),
        "test": (test, np.array(["t"] * 3)),
    }
    stats = standardization.attach("train_speakers", FRONTEND, splits)
    # The statistics are the training speakers' valid frames' mean and std,
    # computed here directly from the front-end's features.
    valid = []
    for i in range(len(train)):
        feats, frames = FRONTEND(
            jnp.asarray(train.audio[i : i + 1] / 32768.0, jnp.float32),
            train.lengths[i : i + 1],
        )
        valid.append(np.asarray(feats)[0, : int(frames[0])])
    valid = np.concatenate(valid).astype(np.float64)
    np.testing.assert_allclose(stats["mean"], valid.mean(0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(stats["std"], valid.std(0), rtol=1e-3)
    train_f, frames = _standardised(train)
    assert abs(train_f[:, : frames.min()].mean()) < 1e-3  # fitted on these
    test_f, frames = _standardised(test)
    assert test_f[:, : frames.min()].mean() < -1  # not re-centred on itself


def test_transductive_mode_centres_every_speaker_on_itself():
    a, b = _split(3000, 0), _split(300, 0, seed=1)
    splits = {"train": (a, np.array(["a"] * 3)), "test": (b, np.array(["t"] * 3))}
    assert standardization.attach("per_speaker_transductive", FRONTEND, splits) is None
    for seg in (a, b):
        f, frames = _standardised(seg)
        valid = f[:, : frames.min()].reshape(-1, f.shape[-1])
        np.testing.assert_allclose(valid.mean(0), 0, atol=1e-3)
        np.testing.assert_allclose(valid.std(0), 1, atol=1e-2)


def test_unknown_mode():
    with pytest.raises(ValueError, match="feature_standardization"):
        standardization.attach("global", FRONTEND, {})
