"""Several corpora as one: `dataset.corpus = "ravdess+emodb"`.

`input_pipeline.load_corpus` reads each corpus named, maps every one onto the
emotions all of them share (`shared_label_map`: synonyms such as RAVDESS `happy`
and EMO-DB `happiness` are one emotion; an emotion some corpus lacks is
dropped) and merges them (`merge_corpora`), each speaker and file name prefixed
with its corpus (`emodb:03`), so no two corpora share a speaker. The protocols
`cross_corpus` and `leave_one_corpus_out` (`ser_jax.protocols`) read a
speaker's corpus from that prefix (`corpus_of`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ser_jax.input_pipeline import Corpus

SEPARATOR = "+"  # between corpus names in dataset.corpus
PREFIX = ":"  # between a corpus name and a speaker or file name

# Shared emotion name: the names corpora use for it (RAVDESS, EMO-DB, IEMOCAP, ...).
EMOTION_SYNONYMS = {
    "neutral": ("neutral", "neu"),
    "calm": ("calm",),
    "happiness": ("happiness", "happy", "joy", "hap"),
    "sadness": ("sadness", "sad"),
    "anger": ("anger", "angry", "ang"),
    "fear": ("fear", "fearful", "fea"),
    "disgust": ("disgust", "disgusted", "dis"),
    "surprise": ("surprise", "surprised", "sur"),
    "boredom": ("boredom", "bored"),
}
_CANONICAL = {
    synonym: shared for shared, names in EMOTION_SYNONYMS.items() for synonym in names
}


def corpus_names(corpus: str) -> list[str]:
    """`"ravdess+emodb"` -> `["ravdess", "emodb"]`; one corpus -> a list of one."""
    names = [n.strip() for n in corpus.split(SEPARATOR)]
    if not all(names):
        raise ValueError(f"dataset.corpus={corpus!r} has an empty corpus name")
    if len(set(names)) != len(names):
        raise ValueError(f"dataset.corpus={corpus!r} names a corpus twice")
    if len(names) > 1 and any(PREFIX in n for n in names):
        raise ValueError(
            f"dataset.corpus={corpus!r}: corpus names joined with '{SEPARATOR}' may "
            f"not hold '{PREFIX}' (it separates a corpus from its speakers)"
        )
    return names


def corpus_of(speaker: str) -> str:
    """The corpus of a merged corpus's speaker: `emodb:03` -> `emodb`."""
    name, sep, _ = speaker.partition(PREFIX)
    if not sep:
        raise ValueError(f"Speaker {speaker!r} has no '<corpus>{PREFIX}' prefix")
    return name


def canonical_emotion(name: str) -> str:
    """The shared name of an emotion label (`happy` -> `happiness`); unknown: itself."""
    key = name.strip().lower()
    return _CANONICAL.get(key, key)


def shared_label_map(*class_names: Sequence[str]) -> list[dict[str, str]]:
    """Per corpus, a label map onto the emotions all corpora share (synonyms merged).

    `shared_label_map(ravdess_names, emodb_names)` maps RAVDESS `happy` and EMO-DB
    `happiness` both to `happiness`; emotions not in every corpus (RAVDESS calm,
    surprised; EMO-DB boredom) are left out, so `Corpus.relabel` drops them. Each
    map lists the shared emotions in the first corpus's order.
    """
    if len(class_names) < 2:
        raise ValueError("shared_label_map needs the class names of 2+ corpora")
    canonical = []
    for names in class_names:
        mapping = {}
        for name in names:
            shared = canonical_emotion(name)
            if shared in mapping.values():
                other = next(k for k, v in mapping.items() if v == shared)
                raise ValueError(
                    f"{other!r} and {name!r} of {list(names)} are both {shared!r}"
                )
            mapping[name] = shared
        canonical.append(mapping)
    common = set.intersection(*(set(m.values()) for m in canonical))
    order = [c for c in canonical[0].values() if c in common]
    if len(order) < 2:
        raise ValueError(
            f"The corpora share {sorted(common)}: fewer than 2 emotions "
            f"({[list(n) for n in class_names]})"
        )
    return [
        {name: shared for shared in order for name, c in mapping.items() if c == shared}
        for mapping in canonical
    ]


def merge_corpora(
    corpora: Sequence[Corpus],
    class_names: Sequence[str],
    name: str | None = None,
) -> Corpus:
    """One corpus from several with the same emotion names (labels realigned by name).

    Speakers and file names are prefixed with their corpus (`emodb:03`), so no
    two corpora share a speaker.
    """
    class_names = list(class_names)
    if len({c.name for c in corpora}) != len(corpora):
        raise ValueError(f"Corpora to merge share a name: {[c.name for c in corpora]}")
    rates = {c.sample_rate for c in corpora}
    if len(rates) != 1:
        raise ValueError(f"Corpora differ in sample rate: {sorted(rates)}")
    labels = []
    for c in corpora:
        if set(c.class_names) != set(class_names):
            raise ValueError(f"{c.name} has classes {c.class_names}, not {class_names}")
        to_shared = np.array([class_names.index(n) for n in c.class_names], np.int32)
        labels.append(to_shared[c.labels])
    return dataclasses.replace(  # a Corpus, without importing input_pipeline here
        corpora[0],
        name=name or SEPARATOR.join(c.name for c in corpora),
        audio=[a for c in corpora for a in c.audio],
        labels=np.concatenate(labels).astype(np.int32),
        speakers=np.concatenate(
            [np.char.add(f"{c.name}{PREFIX}", c.speakers) for c in corpora]
        ),
        genders=np.concatenate([c.genders for c in corpora]),
        file_names=np.concatenate(
            [np.char.add(f"{c.name}{PREFIX}", c.file_names) for c in corpora]
        ),
        class_names=class_names,
        sample_rate=rates.pop(),
        label_maps={},
    )


def combine(corpora: Sequence[Corpus]) -> Corpus:
    """Several corpora as one over the emotions they share.

    The result's `label_maps` holds, per corpus (in the order given), its map
    of emotions onto the shared ones; its classes are the shared emotions in
    the first corpus's order.
    """
    maps = shared_label_map(*(c.class_names for c in corpora))
    class_names = list(maps[0].values())
    merged = merge_corpora(
        [c.relabel(m) for c, m in zip(corpora, maps, strict=True)], class_names
    )
    merged.label_maps = {c.name: m for c, m in zip(corpora, maps, strict=True)}
    return merged
