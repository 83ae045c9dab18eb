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
    # Per auxiliary task, how many of the fold's utterances got their class
    # from an annotated rating and how many from the emotion's category
    # (`config.task_targets`); empty without auxiliary tasks.
    task_targets: dict[str, dict[str, int]] = dataclasses.field(default_factory=dict)


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
    (`config.segmentation`), adds each auxiliary task's labels
    (`auxiliary_labels`), checks on the data itself that no test speaker
    reaches training or validation, and attaches
    `config.feature_standardization`'s statistics."""
    auxiliary = auxiliary_labels(config, corpus, task_weights)
    splits = {}
    for split, idx in fold_utterances(corpus, fold, config.protocol.seed).items():
        segments = make_segments(
            [corpus.audio[i] for i in idx],
            corpus.labels[idx],
            max_samples,
            mode=config.segmentation,
        )
        for task, (labels, _) in auxiliary.items():
            segments.extras[label_key(task)] = labels[idx][segments.utterance]
        splits[split] = (idx, segments)
    used = np.concatenate([idx for idx, _ in splits.values()])
    task_targets = {
        task: {
            "annotated": int(annotated[used].sum()),
            "category_table": int((~annotated[used]).sum()),
        }
        for task, (_, annotated) in auxiliary.items()
    }
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
    return FoldData(splits, feature_stats, task_targets)


def auxiliary_labels(
    config: ml_collections.ConfigDict,
    corpus: Corpus,
    task_weights: dict[str, float] | None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per auxiliary task, each corpus utterance's class and whether it comes
    from an annotated rating.

    `config.task_targets`: "" (the default) takes every class from the
    emotion's category (`emotions.task_labels`); "annotated" takes the
    corpus's rating where it has one (`Corpus.ratings`: IEMOCAP, MSP-IMPROV)
    and the category elsewhere (`emotions.utterance_task_labels`).
    """
    targets = config.get("task_targets") or ""
    if targets not in emotions.TASK_TARGETS:
        raise ValueError(
            f"task_targets must be one of {emotions.TASK_TARGETS} ('' = the "
            f"category table), got {targets!r}"
        )
    return {
        task: emotions.utterance_task_labels(
            task,
            corpus.labels,
            corpus.class_names,
            corpus.ratings.get(task) if targets == "annotated" else None,
        )
        for task in task_weights or ()
        if task != "emotion"
    }


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
