"""One fold's data for a neural model: its splits cut into segments, checked
for speaker leakage, with auxiliary-task labels and feature statistics."""

from __future__ import annotations

import dataclasses

import ml_collections
import numpy as np

from ser_jax.data import emotions, protocols
from ser_jax.data.corpus import Corpus
from ser_jax.data.segments import Segments, make_segments
from ser_jax.frontends import FrontendLike, standardization
from ser_jax.methods.steps import label_key

SPLITS = ("train", "val", "test")


@dataclasses.dataclass
class FoldData:
    """`splits[name] = (utterance indices into the corpus, their segments)`."""

    splits: dict[str, tuple[np.ndarray, Segments]]
    # Mean and std fitted on the training speakers ("train_speakers"), which a
    # classifier of new recordings needs; None in the other modes.
    feature_stats: dict[str, np.ndarray] | None


def fold_utterances(
    corpus: Corpus, fold: protocols.Fold, seed: int
) -> dict[str, np.ndarray]:
    """The corpus indices of the fold's training, validation and test utterances:
    by speaker, or, for a fold without validation speakers, validation is a
    stratified fraction of the training speakers' utterances
    (`protocols.split_validation_utterances`)."""
    speakers = {
        "train": fold.train_speakers,
        "val": fold.val_speakers,
        "test": fold.test_speakers,
    }
    out = {split: corpus.select(speakers[split]) for split in SPLITS}
    if fold.val_utterance_fraction:
        train = out["train"]
        held_out = protocols.split_validation_utterances(
            corpus.labels[train],
            corpus.file_names[train],
            fold.val_utterance_fraction,
            seed=(seed, fold.index),
        )
        out["train"], out["val"] = train[~held_out], train[held_out]
    for split, idx in out.items():
        if len(idx) == 0:
            raise ValueError(
                f"Fold {fold.index}: no {split} utterances for speakers "
                f"{speakers[split] or speakers['train']}"
            )
    return out


def prepare_fold_data(
    config: ml_collections.ConfigDict,
    corpus: Corpus,
    fold: protocols.Fold,
    frontend: FrontendLike,
    max_samples: int,
    task_weights: dict[str, float] | None,
) -> FoldData:
    """Cuts the fold's training, validation and test utterances into segments
    (`config.segmentation`), adds each auxiliary task's labels, checks on the
    data itself that no test speaker reaches training or validation, and
    attaches `config.feature_standardization`'s statistics."""
    splits = {}
    for split, idx in fold_utterances(corpus, fold, config.protocol.seed).items():
        segments = make_segments(
            [corpus.audio[i] for i in idx],
            corpus.labels[idx],
            max_samples,
            mode=config.segmentation,
        )
        for task in task_weights or ():
            if task != "emotion":
                table = emotions.task_labels(task, corpus.class_names)
                segments.extras[label_key(task)] = table[segments.labels]
        splits[split] = (idx, segments)
    protocols.check_no_leakage(
        fold,
        train_speakers=corpus.speakers[splits["train"][0]],
        val_speakers=corpus.speakers[splits["val"][0]],
    )
    feature_stats = standardization.attach(
        config.feature_standardization,
        frontend,
        {
            split: (seg, standardization.speakers_of(corpus.speakers, idx, seg))
            for split, (idx, seg) in splits.items()
        },
    )
    return FoldData(splits, feature_stats)


def describe_input(config: dict) -> str:
    """What a neural model sees, in words: its front-end and segmentation."""
    frontend = config.get("frontend", {}).get("name", "?")
    seconds = config.get("max_segment_seconds")
    if seconds is None:
        return frontend
    segmentation = config.get("segmentation", "equal")
    cut = {
        "clip": f"first {seconds:g} s",
        "equal": f"segments ≤ {seconds:g} s",
        "chunks": f"{seconds:g} s chunks",
    }.get(segmentation, f"{segmentation} {seconds:g} s")
    return f"{frontend}, {cut}"
