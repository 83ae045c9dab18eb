"""Input pipeline: a TFDS corpus of raw 16 kHz audio -> padded segment batches.

Corpora are small (RAVDESS is 180 MB as int16), so a corpus is read once into
host memory and folds are index selections; batches hold raw int16 audio and
the front-end runs on the device. Several corpora (`"ravdess+emodb"`) load as
one over the emotions they share (`ser_jax.corpora`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import ml_collections
import numpy as np
import tensorflow_datasets as tfds

import data_builders  # noqa: F401  (registers ravdess, emodb, synthetic)
from ser_jax import corpora

SPLIT_PREFIX = "speaker_"


@dataclasses.dataclass
class Corpus:
    """One corpus in memory: an entry per utterance."""

    name: str
    audio: list[np.ndarray]  # int16 waveforms
    labels: np.ndarray  # int32 emotion ids
    speakers: np.ndarray  # str speaker codes
    genders: np.ndarray  # str "female" / "male"
    file_names: np.ndarray  # str
    class_names: list[str]
    sample_rate: int
    # Several corpora merged (`ser_jax.corpora`): per corpus, in the order of
    # dataset.corpus, its emotions -> the shared ones. Empty for one corpus.
    label_maps: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)

    @property
    def speaker_ids(self) -> list[str]:
        return sorted(set(self.speakers.tolist()))

    def speaker_corpora(self) -> dict[str, str]:
        """Each speaker's corpus (the `corpus:` prefix of merged corpora's speakers),
        corpora in the order of `label_maps`; for one corpus, its name."""
        if not self.label_maps:
            return {s: self.name for s in self.speaker_ids}
        order = list(self.label_maps)
        of = {s: corpora.corpus_of(s) for s in self.speaker_ids}
        return {s: of[s] for s in sorted(of, key=lambda s: (order.index(of[s]), s))}

    def speaker_genders(self) -> dict[str, str]:
        return dict(zip(self.speakers.tolist(), self.genders.tolist(), strict=True))

    def subset(self, keep: np.ndarray) -> Corpus:
        """The utterances where `keep` (a boolean mask) is true."""
        idx = np.flatnonzero(keep)
        if len(idx) == 0:
            raise ValueError(f"Corpus {self.name!r}: the filter keeps no utterance.")
        return dataclasses.replace(
            self,
            audio=[self.audio[i] for i in idx],
            labels=self.labels[idx],
            speakers=self.speakers[idx],
            genders=self.genders[idx],
            file_names=self.file_names[idx],
        )

    def relabel(self, label_map: dict[str, str]) -> Corpus:
        """Maps emotion names through `label_map`; unmapped emotions are dropped.

        The new classes are the map's values, sorted, so two corpora mapped to
        the same names share class ids (cross-corpus) whatever the key order
        (ConfigDict sorts keys).
        """
        unknown = set(label_map) - set(self.class_names)
        if unknown:
            raise ValueError(
                f"label_map names {sorted(unknown)}, not emotions of {self.name!r} "
                f"({self.class_names})"
            )
        new_names = sorted(set(label_map.values()))
        old_to_new = np.array(
            [
                new_names.index(label_map[c]) if c in label_map else -1
                for c in self.class_names
            ]
        )
        mapped = old_to_new[self.labels]
        corpus = self.subset(mapped >= 0)
        corpus.labels = mapped[mapped >= 0].astype(np.int32)
        corpus.class_names = new_names
        return corpus

    def select(self, speakers: Sequence[str]) -> np.ndarray:
        """Indices of the utterances of `speakers`."""
        return np.flatnonzero(np.isin(self.speakers, list(speakers)))


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


def read_corpus(config: ml_collections.ConfigDict) -> Corpus:
    """Every speaker split of the one corpus `config.corpus`, as built (no filter)."""
    builder = prepare_builder(config)
    info = builder.info
    emotion = info.features["emotion"]
    gender = info.features["gender"]
    audio, labels, speakers, genders, names = [], [], [], [], []
    for split in sorted(info.splits):
        if not split.startswith(SPLIT_PREFIX):
            continue
        for ex in tfds.as_numpy(builder.as_dataset(split=split, shuffle_files=False)):
            audio.append(ex["audio"].astype(np.int16))
            labels.append(int(ex["emotion"]))
            speakers.append(ex["speaker"].decode())
            genders.append(gender.int2str(int(ex["gender"])))
            names.append(ex["file_name"].decode())
    if not audio:
        raise ValueError(f"Corpus {config.corpus!r} has no '{SPLIT_PREFIX}*' splits.")
    return Corpus(
        name=config.corpus,
        audio=audio,
        labels=np.asarray(labels, np.int32),
        speakers=np.asarray(speakers),
        genders=np.asarray(genders),
        file_names=np.asarray(names),
        class_names=list(emotion.names),
        sample_rate=info.features["audio"].sample_rate,
    )


def corpus_configs(
    config: ml_collections.ConfigDict,
) -> list[ml_collections.ConfigDict]:
    """The dataset config of each corpus `config.corpus` names: itself for one
    corpus; for `a+b`, each name with the shared data_dir."""
    names = corpora.corpus_names(config.corpus)
    if len(names) == 1:
        return [config]
    return [
        ml_collections.ConfigDict({"corpus": name, "data_dir": config.data_dir})
        for name in names
    ]


def load_corpus(config: ml_collections.ConfigDict) -> Corpus:
    """Reads `config.corpus` into memory, then keeps `config.genders` (all if
    empty) and maps emotions through `config.label_map` (if any).

    Several corpora, `"ravdess+emodb[+...]"`, are read one by one (each must be
    built; synthetic ones build themselves), mapped onto the emotions all of
    them share and merged (`corpora.combine`): speakers and file names become
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
        corpus = corpora.combine([read_corpus(single) for single in singles])
    if config.get("genders"):
        corpus = corpus.subset(np.isin(corpus.genders, list(config.genders)))
    if config.get("label_map"):
        corpus = corpus.relabel(dict(config.label_map))
    return corpus


@dataclasses.dataclass
class Segments:
    """Sub-utterances: fixed-width int16 audio, true lengths, their utterance."""

    audio: np.ndarray  # [S, max_samples] int16, zero-padded
    lengths: np.ndarray  # [S] int32
    labels: np.ndarray  # [S] int32
    utterance: np.ndarray  # [S] int32, index into the utterance list given
    extras: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)  # [S, ...]

    def __len__(self) -> int:
        return len(self.lengths)


def split_utterance(num_samples: int, max_samples: int) -> list[tuple[int, int]]:
    """(start, stop) of the fewest nearly equal pieces, none over max_samples."""
    pieces = max(1, math.ceil(num_samples / max_samples))
    bounds = np.linspace(0, num_samples, pieces + 1).round().astype(int)
    return list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))


def fixed_chunks(num_samples: int, chunk_samples: int) -> list[tuple[int, int]]:
    """Non-overlapping chunks of exactly `chunk_samples`; the remainder is dropped.

    An utterance shorter than one chunk keeps one (zero-padded) chunk.
    """
    count = max(1, num_samples // chunk_samples)
    return [
        (i * chunk_samples, min((i + 1) * chunk_samples, num_samples))
        for i in range(count)
    ]


SEGMENTATIONS = {
    # Satt et al.: the fewest nearly equal sub-utterances, none over the limit.
    "equal": split_utterance,
    # Anand & Verma: non-overlapping fixed chunks (512 ms), each with the label.
    "chunks": fixed_chunks,
    # Keesing et al. / Latif: the first `max_samples` of each utterance only.
    "clip": lambda n, max_samples: [(0, min(n, max_samples))],
}


def make_segments(
    audio: Sequence[np.ndarray],
    labels: np.ndarray,
    max_samples: int,
    mode: str = "equal",
) -> Segments:
    """Cuts utterances into segments of at most `max_samples` (see SEGMENTATIONS)."""
    if mode not in SEGMENTATIONS:
        raise ValueError(
            f"segmentation {mode!r} unknown; known: {sorted(SEGMENTATIONS)}"
        )
    cut = SEGMENTATIONS[mode]
    rows, lengths, seg_labels, owners = [], [], [], []
    for i, (clip, label) in enumerate(zip(audio, labels, strict=True)):
        for start, stop in cut(len(clip), max_samples):
            row = np.zeros(max_samples, np.int16)
            row[: stop - start] = clip[start:stop]
            rows.append(row)
            lengths.append(stop - start)
            seg_labels.append(label)
            owners.append(i)
    return Segments(
        audio=np.stack(rows) if rows else np.zeros((0, max_samples), np.int16),
        lengths=np.asarray(lengths, np.int32),
        labels=np.asarray(seg_labels, np.int32),
        utterance=np.asarray(owners, np.int32),
    )


def class_weights(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Weights inversely proportional to class size, mean 1 over examples."""
    counts = np.bincount(labels, minlength=num_classes).astype(np.float64)
    present = counts > 0
    weights = np.zeros(num_classes)
    weights[present] = len(labels) / (present.sum() * counts[present])
    return weights.astype(np.float32)


def oversampled_order(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A shuffled epoch in which every class appears as often as the largest one.

    Each class keeps all its examples, topped up by draws with replacement.
    """
    classes, counts = np.unique(labels, return_counts=True)
    order = []
    for c in classes:
        idx = np.flatnonzero(labels == c)
        extra = rng.choice(idx, counts.max() - len(idx), replace=True)
        order.append(np.concatenate([idx, extra]))
    return rng.permutation(np.concatenate(order))


def batches(
    segments: Segments,
    batch_size: int,
    example_weights: np.ndarray | None = None,
    rng: np.random.Generator | None = None,
    order: np.ndarray | None = None,
    copies: int = 1,
) -> Iterator[dict[str, np.ndarray]]:
    """Fixed-size batches over all segments, shuffled when `rng` is given.

    `order` (e.g. an oversampled epoch) overrides the shuffle. The last batch is
    padded with weight-0 copies so every batch has one shape and no example is
    dropped. Arrays in `segments.extras` travel with their segments. `weight`
    is the loss weight (0 on padding), `index` the segment index (-1 on padding).

    With `copies > 1` the epoch holds every segment `copies` times (order
    entries `c * n + i` are copy c of segment i) and `copy` says which copy
    each example is (0: the original), for augmentation on the device.
    """
    n = len(segments)
    if order is None:
        total = n * copies
        order = rng.permutation(total) if rng is not None else np.arange(total)
    weights = np.ones(n, np.float32) if example_weights is None else example_weights
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        valid = np.ones(batch_size, bool)
        valid[len(idx) :] = False
        padded = np.resize(idx, batch_size) if len(idx) else np.zeros(batch_size, int)
        copy, padded = np.divmod(padded, n) if n else (padded, padded)
        batch = {
            "audio": segments.audio[padded],
            "length": segments.lengths[padded],
            "label": segments.labels[padded],
            "weight": np.where(valid, weights[padded], 0.0).astype(np.float32),
            "index": np.where(valid, padded, -1).astype(np.int32),
            **{k: v[padded] for k, v in segments.extras.items()},
        }
        if copies > 1:
            batch["copy"] = copy.astype(np.int32)
        yield batch


def with_copies(
    order: np.ndarray, n: int, copies: int, rng: np.random.Generator
) -> np.ndarray:
    """An epoch `order` over n segments, repeated for `copies` copies and shuffled."""
    if copies == 1:
        return order
    return rng.permutation(np.concatenate([order + c * n for c in range(copies)]))


def shard(batch: dict[str, np.ndarray], num_devices: int) -> dict[str, np.ndarray]:
    """`[B, ...]` -> `[num_devices, B // num_devices, ...]` for `jax.pmap`."""
    return {k: v.reshape(num_devices, -1, *v.shape[1:]) for k, v in batch.items()}
