"""RAVDESS speech audio (24 actors, 8 emotions), one split per actor.

Stored at 16 kHz, as every ser_jax corpus; `ravdess_48k` (its own folder)
keeps the release's native 48 kHz.
"""

from __future__ import annotations

import collections
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

URL = "https://zenodo.org/record/1188976/files/Audio_Speech_Actors_01-24.zip"
ZIP_NAME = "Audio_Speech_Actors_01-24.zip"

# Emotion codes 01..08, in code order.
EMOTIONS = (
    "neutral",
    "calm",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgust",
    "surprised",
)
INTENSITIES = ("normal", "strong")
STATEMENTS = ("kids", "dogs")  # 01 "Kids are talking by the door", 02 "Dogs ...".

# MM-VV-EE-II-SS-RR-AA.wav: modality, vocal channel, emotion, intensity,
# statement, repetition, actor.
_NAME_RE = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.wav$")
_ACTOR_DIR_RE = re.compile(r"^Actor_(\d\d)$")
_SPEECH_AUDIO = ("03", "01")  # Audio-only modality, speech vocal channel.

_WHAT_TO_PUT = (
    "Put the RAVDESS speech audio there: either the official zip "
    f"{ZIP_NAME} (from https://zenodo.org/record/1188976) or its extracted "
    "folders Actor_01/ ... Actor_24/ holding 03-01-EE-II-SS-RR-AA.wav files."
)


def parse_file_name(name: str) -> dict | None:
    """Labels of a speech-audio file name; None for other RAVDESS files.

    Raises ValueError for a .wav name that does not follow the RAVDESS scheme.
    """
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(f"{name}: not a RAVDESS file name (MM-VV-EE-II-SS-RR-AA.wav)")
    modality, channel, emotion, intensity, statement, repetition, actor = m.groups()
    if (modality, channel) != _SPEECH_AUDIO:
        return None
    codes = {
        "emotion": (emotion, EMOTIONS),
        "intensity": (intensity, INTENSITIES),
        "statement": (statement, STATEMENTS),
        "repetition": (repetition, ("1", "2")),
    }
    labels = {}
    for key, (code, names) in codes.items():
        if not 1 <= int(code) <= len(names):
            raise ValueError(f"{name}: invalid {key} code {code}")
        labels[key] = names[int(code) - 1]
    labels["repetition"] = int(repetition)
    if not 1 <= int(actor) <= 24:
        raise ValueError(f"{name}: invalid actor code {actor}")
    labels["speaker"] = actor
    labels["gender"] = "male" if int(actor) % 2 == 1 else "female"
    return labels


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding Actor_XX/ folders: ``path`` or one of its children."""
    return builder_utils.find_folder(
        path,
        lambda folder: any(
            _ACTOR_DIR_RE.match(p.name) and p.is_dir() for p in folder.iterdir()
        ),
    )


def list_speech_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{actor: [(relative file name, labels), ...]}`` for speech audio files."""
    by_actor = collections.defaultdict(list)
    for actor_dir in sorted(root.iterdir()):
        m = _ACTOR_DIR_RE.match(actor_dir.name)
        if not m or not actor_dir.is_dir():
            continue
        for wav in sorted(actor_dir.glob("*.wav")):
            labels = parse_file_name(wav.name)
            if labels is None:  # Song or video files.
                continue
            if labels["speaker"] != m.group(1):
                raise ValueError(
                    f"{wav}: actor {labels['speaker']} in the file name does not "
                    f"match its folder {actor_dir.name}"
                )
            rel = f"{actor_dir.name}/{wav.name}"
            by_actor[labels["speaker"]].append((rel, labels))
    return dict(by_actor)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for the RAVDESS speech audio."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: speech audio, one split per actor."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Optional: without a manual_dir the builder downloads {URL}.
    Otherwise manual_dir must hold either {ZIP_NAME} itself, or its extracted
    content: the folders Actor_01/ ... Actor_24/ with the speech files
    03-01-EE-II-SS-RR-AA.wav (e.g. unzip {ZIP_NAME} -d <manual_dir>).
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = URL
    ZIP_NAME = ZIP_NAME
    LAYOUT = "Actor_XX/ folders"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No RAVDESS speech files (03-01-*.wav) found under {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_speech_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                self.SAMPLE_RATE,
                intensity=tfds.features.ClassLabel(names=list(INTENSITIES)),
                statement=tfds.features.ClassLabel(names=list(STATEMENTS)),
                repetition=tfds.features.Scalar(dtype=np.int32),
            ),
            homepage="https://zenodo.org/record/1188976",
        )
