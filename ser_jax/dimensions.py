"""Activation and valence classes derived from emotion categories.

Neumann's multi-task CNN learns activation and valence as auxiliary targets
beside the emotion. IEMOCAP has dimensional ratings; RAVDESS, EMO-DB and the
synthetic corpus have categories only, so each category gets the region of
Russell's circumplex (1980) where it lies, as three classes per dimension:
activation low / medium / high and valence negative / neutral / positive.

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

Category names are matched through their synonyms (`happy` -> `happiness`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ser_jax.corpora import canonical_emotion

CLASSES = {
    "activation": ("low", "medium", "high"),
    "valence": ("negative", "neutral", "positive"),
}
TASKS = tuple(CLASSES)

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
}


def task_labels(task: str, class_names: Sequence[str]) -> np.ndarray:
    """`[num_emotions]` int32: the `task` class of each emotion of a corpus."""
    if task not in CLASSES:
        raise ValueError(f"Unknown task {task!r}; known: {TASKS}")
    column = TASKS.index(task)
    out = []
    for name in class_names:
        dims = EMOTION_DIMENSIONS.get(canonical_emotion(name))
        if dims is None:
            raise ValueError(
                f"Emotion {name!r} has no {task} class; known emotions: "
                f"{sorted(EMOTION_DIMENSIONS)} (see ser_jax/dimensions.py)"
            )
        out.append(CLASSES[task].index(dims[column]))
    return np.asarray(out, np.int32)
