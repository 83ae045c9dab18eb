"""One fold's data for a neural model: its splits cut into segments, checked
for speaker leakage, with auxiliary-task labels and feature statistics.

The speaker-dependent random splits (`protocols.RANDOM_SPLITS`) are drawn
here: `random_utterances` over the utterances (`fold_utterances`),
`random_chunks` over the segments the config cuts (`split_segments`: every
utterance is cut, then each segment is drawn alone, so one utterance's
segments land in training, validation and test, as Anand & Verma's chunks
did). Both are stratified by emotion × sex.
"""

from __future__ import annotations

import dataclasses

import ml_collections
import numpy as np

from ser_jax.data import emotions, protocols
from ser_jax.data.corpus import Corpus
from ser_jax.data.segments import Segments, make_segments, segment_keys
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


def split_strata(labels: np.ndarray, genders: np.ndarray) -> np.ndarray:
    """Emotion × sex of each item: the strata of the random splits, so each
    sex is split in the protocol's proportions (Sundharam & Johari: per sex)."""
    return np.char.add(np.char.add(labels.astype(str), ":"), genders.astype(str))


def fold_utterances(
    corpus: Corpus, fold: protocols.Fold, seed: int
) -> dict[str, np.ndarray]:
    """The corpus indices of the fold's training, validation and test utterances:
    by speaker, or, for a fold without validation speakers, validation is a
    stratified fraction of the training speakers' utterances
    (`protocols.split_validation_utterances`); for `random_utterances`, a
    random split of the utterances (`protocols.random_split`, keyed by file
    name, seeded by `seed`). `random_chunks` splits segments, not utterances:
    see `split_segments`."""
    if fold.random_split == "random_chunks":
        raise ValueError(
            "protocol random_chunks splits each utterance's segments between "
            "training, validation and test; a method that scores whole utterances "
            "(two_step, the feature baselines) takes random_utterances instead"
        )
    if fold.random_split:
        assign = protocols.random_split(
            corpus.file_names,
            split_strata(corpus.labels, corpus.genders),
            fold.split_fractions,
            seed=(seed,),
        )
        codes = (protocols.TRAIN, protocols.VAL, protocols.TEST)
        return _non_empty(
            fold,
            {
                s: np.flatnonzero(assign == c)
                for s, c in zip(SPLITS, codes, strict=True)
            },
            fold.random_split,
        )
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
    return _non_empty(
        fold,
        out,
        {s: f"speakers {speakers[s] or speakers['train']}" for s in SPLITS},
    )


def _non_empty(
    fold: protocols.Fold, split: dict[str, np.ndarray], what: str | dict[str, str]
) -> dict[str, np.ndarray]:
    for name, idx in split.items():
        if len(idx) == 0:
            source = what if isinstance(what, str) else what[name]
            raise ValueError(f"Fold {fold.index}: no {name} utterances ({source})")
    return split


def split_segments(
    corpus: Corpus, fold: protocols.Fold, seed: int, max_samples: int, mode: str
) -> dict[str, tuple[np.ndarray, Segments, np.ndarray]]:
    """`random_chunks`: every utterance cut into segments (`mode`), the
    segments split at random, stratified by emotion × sex and keyed by
    `segment_keys` (file name and place). Per split: the utterances holding
    at least one of its segments (corpus indices), those segments, and their
    keys. A test utterance's posterior is then the mean over its test segments
    only."""
    segments = make_segments(corpus.audio, corpus.labels, max_samples, mode=mode)
    keys = segment_keys(corpus.file_names, segments)
    strata = split_strata(corpus.labels, corpus.genders)[segments.utterance]
    assign = protocols.random_split(keys, strata, fold.split_fractions, seed=(seed,))
    out = {}
    for split, code in zip(
        SPLITS, (protocols.TRAIN, protocols.VAL, protocols.TEST), strict=True
    ):
        chosen = assign == code
        if not chosen.any():
            raise ValueError(f"Fold {fold.index}: no {split} segments (random_chunks)")
        owners, part = segments.take(chosen).by_utterance()
        out[split] = (owners, part, keys[chosen])
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
    (`config.segmentation`; `random_chunks` splits the segments themselves),
    adds each auxiliary task's labels (`auxiliary_labels`), checks on the data
    itself that no test speaker (for a random split: no test utterance or
    segment) reaches training or validation, and attaches
    `config.feature_standardization`'s statistics."""
    seed = config.protocol.seed
    auxiliary = auxiliary_labels(config, corpus, task_weights)
    if fold.random_split == "random_chunks":
        cut = split_segments(corpus, fold, seed, max_samples, config.segmentation)
        splits = {split: (idx, seg) for split, (idx, seg, _) in cut.items()}
        items = {split: keys for split, (_, _, keys) in cut.items()}
    else:
        splits = {
            split: (
                idx,
                make_segments(
                    [corpus.audio[i] for i in idx],
                    corpus.labels[idx],
                    max_samples,
                    mode=config.segmentation,
                ),
            )
            for split, idx in fold_utterances(corpus, fold, seed).items()
        }
        items = {split: corpus.file_names[idx] for split, (idx, _) in splits.items()}
    for idx, segments in splits.values():
        for task, (labels, _) in auxiliary.items():
            segments.extras[label_key(task)] = labels[idx][segments.utterance]
    # A random split of chunks may put one utterance in several splits.
    used = np.unique(np.concatenate([idx for idx, _ in splits.values()]))
    task_targets = {
        task: {
            "annotated": int(annotated[used].sum()),
            "category_table": int((~annotated[used]).sum()),
        }
        for task, (_, annotated) in auxiliary.items()
    }
    # Speakers for a speaker-independent fold; items for a random split.
    protocols.check_no_leakage(
        fold,
        train_speakers=corpus.speakers[splits["train"][0]],
        val_speakers=corpus.speakers[splits["val"][0]],
        items=items,
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
