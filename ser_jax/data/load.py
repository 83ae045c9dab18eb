"""TFDS corpus -> `Corpus` in memory, building the corpus first when it can.

`dataset.corpus` names a TFDS builder of `data_builders` (`ravdess`, `emodb`,
`synthetic/tiny`, ...) or several joined by `+`. The synthetic corpora build
themselves; real ones build from `dataset.manual_dir` or must be built first
(`tfds build data_builders/NAME --manual_dir=PATH`).
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Sequence
from pathlib import Path

import ml_collections
import numpy as np
import tensorflow_datasets as tfds

import data_builders  # noqa: F401  (registers ravdess, emodb, synthetic)
from data_builders.builder_utils import SOURCE_RATE
from ser_jax.data import speech_activity
from ser_jax.data.corpus import Corpus, combine, corpus_names

SPLIT_PREFIX = "speaker_"
# Builder features holding annotated ratings, by auxiliary task
# (`Corpus.ratings`): IEMOCAP's `activation` and `valence`, MSP-IMPROV's
# `arousal` and `valence`.
RATING_FEATURES = {"activation": ("activation", "arousal"), "valence": ("valence",)}


def prepare_builder(config: ml_collections.ConfigDict) -> tfds.core.DatasetBuilder:
    """Returns the corpus builder, building it first when possible.

    `synthetic` builds from nothing; real corpora build from `manual_dir`. A
    real corpus that is neither built nor given a manual_dir is an error that
    says what to run.
    """
    builder = tfds.builder(config.corpus, data_dir=config.data_dir or None)
    if builder.is_prepared():
        return builder
    manual_dir = config.get("manual_dir") or None
    if manual_dir is None and not config.corpus.startswith("synthetic"):
        raise FileNotFoundError(
            f"Corpus {config.corpus!r} is not built in {builder.data_dir_root}. Build it "
            f"with `tfds build data_builders/{config.corpus.split('/')[0]} "
            "--manual_dir=PATH` or pass --config.dataset.manual_dir=PATH."
        )
    if manual_dir is not None and not Path(manual_dir).expanduser().is_dir():
        raise FileNotFoundError(
            f"dataset.manual_dir {manual_dir!r} is not a directory."
        )
    download_config = tfds.download.DownloadConfig(
        manual_dir=str(Path(manual_dir).expanduser()) if manual_dir else None
    )
    builder.download_and_prepare(download_config=download_config)
    return builder


UNKNOWN_GENDER = "unknown"


def gender_name(feature: tfds.features.ClassLabel, value: int) -> str:
    """A speaker's gender label; -1 (a corpus that does not document it, such as
    eNTERFACE'05) is "unknown", a group of its own in the gender-mixed folds."""
    return feature.int2str(value) if value >= 0 else UNKNOWN_GENDER


def read_corpus(config: ml_collections.ConfigDict) -> Corpus:
    """Every speaker split of the one corpus `config.corpus`, as built (no filter)."""
    builder = prepare_builder(config)
    info = builder.info
    emotion = info.features["emotion"]
    gender = info.features["gender"]
    has_sessions = "session" in info.features
    has_source_rate = SOURCE_RATE in info.features
    source_rates = []
    rating_of = {
        task: next(f for f in names if f in info.features)
        for task, names in RATING_FEATURES.items()
        if any(f in info.features for f in names)
    }
    ratings = {task: [] for task in rating_of}
    audio, labels, speakers, genders, names, sessions = [], [], [], [], [], []
    for split in sorted(info.splits):
        if not split.startswith(SPLIT_PREFIX):
            continue
        for ex in tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)):
            audio.append(ex["audio"].astype(np.int16))
            labels.append(int(ex["emotion"]))
            speakers.append(ex["speaker"].decode())
            genders.append(gender_name(gender, int(ex["gender"])))
            names.append(ex["file_name"].decode())
            if has_sessions:
                sessions.append(str(ex["session"].decode()))
            if has_source_rate:
                source_rates.append(int(ex[SOURCE_RATE]))
            for task, feature in rating_of.items():
                ratings[task].append(float(ex[feature]))
    if not audio:
        raise ValueError(f"Corpus {config.corpus!r} has no '{SPLIT_PREFIX}*' splits.")
    if has_source_rate:
        warn_if_upsampled(
            config.corpus, info.features["audio"].sample_rate, source_rates
        )
    return Corpus(
        name=config.corpus,
        audio=audio,
        labels=np.asarray(labels, np.int32),
        speakers=np.asarray(speakers),
        genders=np.asarray(genders),
        file_names=np.asarray(names),
        class_names=list(emotion.names),
        sample_rate=info.features["audio"].sample_rate,
        sessions=np.asarray(sessions) if has_sessions else None,
        ratings={k: np.asarray(v, np.float32) for k, v in ratings.items()},
    )


def warn_if_upsampled(name: str, stored: int, rates: Sequence[int]) -> list[int]:
    """The rates below ``stored`` that files of a native-rate corpus had
    (``ravdess_48k``'s ``source_sample_rate`` feature: ``rates``, one per
    file), with a warning naming them: those files were upsampled and hold
    nothing above half their own rate (a RAVDESS copy already at 16 kHz built
    as ``ravdess_48k`` gives 48 kHz framing of a 16 kHz band, not the
    release's 48 kHz audio)."""
    counts = collections.Counter(int(r) for r in rates)
    low = sorted(r for r in counts if r < stored)
    if low:
        logging.warning(
            "%s is stored at %d Hz, but %d of its %d files were recorded at %s "
            "Hz and upsampled: they hold nothing above half that rate.",
            name,
            stored,
            sum(counts[r] for r in low),
            len(rates),
            "/".join(map(str, low)),
        )
    return low


def corpus_configs(
    config: ml_collections.ConfigDict,
) -> list[ml_collections.ConfigDict]:
    """The dataset config of each corpus `config.corpus` names: itself for one
    corpus; for `a+b`, each name with the shared data_dir."""
    names = corpus_names(config.corpus)
    if len(names) == 1:
        return [config]
    return [
        ml_collections.ConfigDict({"corpus": name, "data_dir": config.data_dir})
        for name in names
    ]


def load_corpus(config: ml_collections.ConfigDict) -> Corpus:
    """Reads `config.corpus` into memory, then keeps `config.genders` (all if
    empty), maps emotions through `config.label_map` (if any) and, with
    `config.trim_silence`, cuts each utterance's leading and trailing silence
    (`speech_activity.trim_corpus`).

    Several corpora, `"ravdess+emodb[+...]"`, are read one by one (each must be
    built; synthetic ones build themselves), mapped onto the emotions all of
    them share and merged (`corpus.combine`): speakers and file names become
    `corpus:speaker`, `corpus:file`, and `label_map` names shared emotions.
    """
    singles = corpus_configs(config)
    if len(singles) == 1:
        corpus = read_corpus(config)
    else:
        if config.get("manual_dir"):
            raise ValueError(
                f"dataset.manual_dir builds one corpus, but dataset.corpus="
                f"{config.corpus!r} names {len(singles)}. Build each first (`tfds "
                "build data_builders/NAME --manual_dir=PATH`) and leave manual_dir "
                "empty."
            )
        corpus = combine([read_corpus(single) for single in singles])
    if config.get("genders"):
        corpus = corpus.subset(np.isin(corpus.genders, list(config.genders)))
    if config.get("label_map"):
        corpus = corpus.relabel(dict(config.label_map))
    if config.get("trim_silence"):
        corpus = speech_activity.trim_corpus(corpus)
    return corpus


def speaker_count(config: ml_collections.ConfigDict) -> int:
    """Speakers (splits) of the whole corpus, or of all corpora of `a+b`, from
    the builders' info, without reading the audio."""
    count = 0
    for single in corpus_configs(config):
        builder = prepare_builder(single)
        count += sum(1 for s in builder.info.splits if s.startswith(SPLIT_PREFIX))
    return count
