"""A fold's utterances (`ser_jax.methods.fold_data`)."""

import numpy as np

from ser_jax.data import protocols
from ser_jax.data.corpus import Corpus
from ser_jax.methods.fold_data import fold_utterances


def two_speakers() -> Corpus:
    """TESS's shape: two speakers, every emotion from each."""
    n = 40
    return Corpus(
        name="two",
        audio=[np.zeros(1600, np.int16)] * 2 * n,
        labels=np.tile(np.arange(4), n // 2).astype(np.int32),
        speakers=np.repeat(["OAF", "YAF"], n),
        genders=np.repeat(["female"], 2 * n),
        file_names=np.asarray([f"{i}.wav" for i in range(2 * n)]),
        class_names=["angry", "happy", "neutral", "sad"],
        sample_rate=16000,
    )


def test_a_fold_without_validation_speakers_validates_on_training_utterances():
    corpus = two_speakers()
    fold = protocols.make_folds(corpus.speaker_ids, {}, "loso")[0]
    split = fold_utterances(corpus, fold, seed=0)
    assert set(corpus.speakers[split["test"]]) == {"OAF"}
    assert set(corpus.speakers[split["val"]]) == {"YAF"}
    assert set(corpus.speakers[split["train"]]) == {"YAF"}
    assert not set(split["val"]) & set(split["train"])
    assert len(split["val"]) + len(split["train"]) == 40
    assert np.bincount(corpus.labels[split["val"]]).tolist() == [2, 2, 2, 2]


def test_speaker_folds_take_their_speakers_utterances():
    corpus = two_speakers()
    fold = protocols.Fold(0, ("OAF",), ("YAF",), ("YAF",))
    split = fold_utterances(corpus, fold, seed=0)
    assert (split["val"] == split["train"]).all()  # as the fold says
    assert set(corpus.speakers[split["test"]]) == {"OAF"}
