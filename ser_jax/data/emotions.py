"""Emotion names across corpora, and the activation / valence they imply.

Corpora name the same emotion differently (RAVDESS `happy`, EMO-DB
`happiness`, IEMOCAP `hap`): `canonical_emotion` gives the shared name and
`shared_label_map` maps several corpora onto the emotions all of them share
(`ser_jax.data.corpus.combine`).

Neumann's multi-task CNN learns activation and valence as auxiliary tasks
(`config.tasks`) beside the emotion. IEMOCAP has dimensional ratings; RAVDESS,
EMO-DB and the synthetic corpus have categories only, so each category gets
the region of Russell's circumplex (1980) where it lies, as three classes per
dimension: activation low / medium / high and valence negative / neutral /
positive. With `config.task_targets = "annotated"` (Neumann's config), an
utterance whose corpus rates it (IEMOCAP's mean valence and activation,
MSP-IMPROV's arousal and valence, both on 1-5) gets the class of its rating
instead (`rating_classes`), the table only where it has none.

| emotion   | activation | valence  |
|-----------|------------|----------|
| neutral   | medium     | neutral  |
| calm      | low        | positive |
| happiness | high       | positive |
| surprise  | high       | positive |
| anger     | high       | negative |
| fear      | high       | negative |
| disgust   | medium     | negative |
| sadness   | low        | negative |
| boredom   | low        | negative |
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Shared emotion name: the names corpora use for it (their own words, in any
# language, and the codes of their file names where these are unambiguous).
# A builder's ClassLabel holds the corpus's own names; these map them.
EMOTION_SYNONYMS = {
    "neutral": ("neutral", "neu", "neutre", "neutro"),
    "calm": ("calm",),
    "happiness": (
        "happiness",
        "happy",
        "joy",
        "hap",
        "joie",
        "gioia",
        "gio",
        "freude/erfolg",
    ),
    "sadness": ("sadness", "sad", "tristesse", "tristezza", "tri"),
    "anger": (
        "anger",
        "angry",
        "ang",
        "colère",
        "colere",
        "rabbia",
        "rab",
        "ärger/misserfolg",
    ),
    "fear": ("fear", "fearful", "fea", "peur", "paura", "pau"),
    "disgust": ("disgust", "disgusted", "dis", "dégoût", "degout", "disgusto"),
    "surprise": (
        "surprise",
        "surprised",
        "sur",
        "sorpresa",
        "sor",
        "ps",
        "pleasant_surprise",
        "pleasant surprise",
        "überraschung/verwunderung",
    ),
    "boredom": ("boredom", "bored"),
    # Emotions only some corpora have (IEMOCAP, EmoFilm, DEMoS, JL-Corpus, ...).
    "excitement": ("excitement", "excited", "exc"),
    "frustration": ("frustration", "frustrated", "fru"),
    "contempt": ("contempt", "disprezzo"),
    "guilt": ("guilt", "colpa"),
    # JL-Corpus's secondary emotions.
    "anxiety": ("anxiety", "anxious"),
    "apology": ("apology", "apologetic"),
    "assertiveness": ("assertiveness", "assertive"),
    "concern": ("concern", "concerned"),
    "encouragement": ("encouragement", "encouraging"),
    # SmartKom's user states (their German USH labels).
    "pondering": ("pondering", "überlegen/nachdenken"),
    "helplessness": ("helplessness", "ratlosigkeit"),
}
# Labels that are not one emotion ("other": some emotion outside the corpus's
# set; no rater agreement): a corpus keeps them, merged corpora never share them.
NOT_EMOTIONS = frozenset({"other", "unknown", "none", "xxx", "oth", "restklasse"})

_CANONICAL = {
    synonym: shared for shared, names in EMOTION_SYNONYMS.items() for synonym in names
}

# Auxiliary tasks (`config.tasks`) and their classes.
TASK_CLASSES = {
    "activation": ("low", "medium", "high"),
    "valence": ("negative", "neutral", "positive"),
}
TASKS = tuple(TASK_CLASSES)

EMOTION_DIMENSIONS = {
    "neutral": ("medium", "neutral"),
    "calm": ("low", "positive"),
    "happiness": ("high", "positive"),
    "surprise": ("high", "positive"),
    "anger": ("high", "negative"),
    "fear": ("high", "negative"),
    "disgust": ("medium", "negative"),
    "sadness": ("low", "negative"),
    "boredom": ("low", "negative"),
    # Placed by the same circumplex reading; no seed paper classifies them.
    "excitement": ("high", "positive"),
    "frustration": ("high", "negative"),
    "contempt": ("medium", "negative"),
    "guilt": ("low", "negative"),
}


def canonical_emotion(name: str) -> str:
    """The shared name of an emotion label (`happy` -> `happiness`); unknown: itself."""
    key = name.strip().lower()
    return _CANONICAL.get(key, key)


def shared_label_map(*class_names: Sequence[str]) -> list[dict[str, str]]:
    """Per corpus, a label map onto the emotions all corpora share (synonyms merged).

    `shared_label_map(ravdess_names, emodb_names)` maps RAVDESS `happy` and EMO-DB
    `happiness` both to `happiness`; emotions not in every corpus (RAVDESS calm,
    surprised; EMO-DB boredom) and labels that are no single emotion
    (`NOT_EMOTIONS`: "other", ...) are left out, so `Corpus.relabel` drops them.
    Each map lists the shared emotions in the first corpus's order.
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
    common = set.intersection(*(set(m.values()) for m in canonical)) - NOT_EMOTIONS
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


def task_labels(task: str, class_names: Sequence[str]) -> np.ndarray:
    """`[num_emotions]` int32: the `task` class of each emotion of a corpus."""
    if task not in TASK_CLASSES:
        raise ValueError(f"Unknown task {task!r}; known: {TASKS}")
    column = TASKS.index(task)
    out = []
    for name in class_names:
        dims = EMOTION_DIMENSIONS.get(canonical_emotion(name))
        if dims is None:
            raise ValueError(
                f"Emotion {name!r} has no {task} class; known emotions: "
                f"{sorted(EMOTION_DIMENSIONS)} (see ser_jax/data/emotions.py)"
            )
        out.append(TASK_CLASSES[task].index(dims[column]))
    return np.asarray(out, np.int32)


# Ratings on a 1-5 scale -> three classes: below 2.5 low (negative), 2.5 to
# 3.5 medium (neutral), above 3.5 high (positive): the middle point 3 +- 0.5.
# Neumann's talk does not say how it made classes of the ratings; this is
# our choice, written here and in configs/neumann.py.
RATING_CLASS_BOUNDS = (2.5, 3.5)
TASK_TARGETS = ("", "annotated")  # config.task_targets: "" = the table


def rating_classes(ratings: np.ndarray) -> np.ndarray:
    """`[N]` int32 classes (0, 1, 2) of 1-5 ratings by `RATING_CLASS_BOUNDS`;
    -1 where a rating is NaN."""
    low, high = RATING_CLASS_BOUNDS
    out = np.where(ratings < low, 0, np.where(ratings > high, 2, 1))
    return np.where(np.isfinite(ratings), out, -1).astype(np.int32)


def utterance_task_labels(
    task: str,
    labels: np.ndarray,
    class_names: Sequence[str],
    ratings: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per utterance, the `task` class and whether it is annotated.

    Where `ratings` (the utterances' annotated ratings, NaN where missing) has
    a value, the class of the rating (`rating_classes`); elsewhere the class
    of the emotion (`task_labels`). An emotion the table lacks is an error
    only when an unrated utterance needs it.
    """
    annotated = (
        np.isfinite(ratings) if ratings is not None else np.zeros(len(labels), bool)
    )
    out = np.full(len(labels), -1, np.int32)
    if annotated.any():
        out[annotated] = rating_classes(ratings[annotated])
    if not annotated.all():
        needed = sorted(set(labels[~annotated].tolist()))
        table = np.full(len(class_names), -1, np.int32)
        table[needed] = task_labels(task, [class_names[i] for i in needed])
        out[~annotated] = table[labels[~annotated]]
    return out, annotated
