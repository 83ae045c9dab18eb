"""SUBESCO, the SUST Bangla Emotional Speech Corpus (20 actors, 7 emotions, 7000 clips)."""

from __future__ import annotations

import collections
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

RECORD = "https://zenodo.org/record/4526477"
ZIP_NAME = "SUBESCO.zip"

# The emotion words of the file names (upper case there); ClassLabel names
# are these in lower case, in alphabetical order.
EMOTIONS = ("angry", "disgust", "fear", "happy", "neutral", "sad", "surprise")
SEXES = {"F": "female", "M": "male"}

# F_02_MONIKA_S_1_NEUTRAL_5.wav: sex, speaker's serial number (within the
# sex), speaker's name, "S" + sentence number, emotion, take number.
_NAME_RE = re.compile(
    r"^([FM])_(\d+)_([A-Za-z]+)_S_(\d+)_([A-Za-z]+)_(\d+)\.wav$", re.IGNORECASE
)

_WHAT_TO_PUT = (
    f"Put SUBESCO there: the archive from {RECORD} ({ZIP_NAME}) or its "
    "extracted content, i.e. a folder of files like "
    "F_02_MONIKA_S_1_NEUTRAL_5.wav (directly in manual_dir or in one folder "
    "below it)."
)


def parse_file_name(name: str) -> dict | None:
    """Labels of a SUBESCO file name; None if it is not one."""
    m = _NAME_RE.match(name)
    if not m:
        return None
    sex, number, speaker_name, sentence, emotion, take = m.groups()
    sex, emotion = sex.upper(), emotion.lower()
    if emotion not in EMOTIONS:
        raise ValueError(f"{name}: unknown SUBESCO emotion {emotion.upper()}")
    return {
        "emotion": emotion,
        # Serial numbers restart for each sex: F_02 and M_02 are two people.
        "speaker": f"{sex}_{number}",
        "gender": SEXES[sex],
        "speaker_name": speaker_name.upper(),
        "sentence": int(sentence),
        "take": int(take),
    }


def _clips(folder: epath.Path) -> list[epath.Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() == ".wav" and not p.name.startswith(".")
    )


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding the SUBESCO clips: ``path`` or one of its children."""
    return builder_utils.find_folder(
        path, lambda folder: any(parse_file_name(p.name) for p in _clips(folder))
    )


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [("F_02_MONIKA_S_1_NEUTRAL_5.wav", labels), ...]}``.

    Raises ValueError for a .wav whose name does not follow the scheme, and
    for one speaker code written with two names.
    """
    by_speaker = collections.defaultdict(list)
    names: dict[str, str] = {}
    for wav in _clips(root):
        labels = parse_file_name(wav.name)
        if labels is None:
            raise ValueError(
                f"{wav}: not a SUBESCO file name (e.g. F_02_MONIKA_S_1_NEUTRAL_5.wav)"
            )
        speaker = labels["speaker"]
        if names.setdefault(speaker, labels["speaker_name"]) != labels["speaker_name"]:
            raise ValueError(
                f"{wav}: speaker {speaker} is {names[speaker]} in other file names"
            )
        by_speaker[speaker].append((wav.name, labels))
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for SUBESCO."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    SUBESCO is not downloaded automatically. Download the corpus from
    {RECORD} and put the archive ({ZIP_NAME}) in manual_dir, or extract it
    there, so that manual_dir (or one folder in it) holds the 7000 files
    F_01_OISHI_S_1_ANGRY_1.wav, ...
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "folder of SUBESCO clips (F_02_MONIKA_S_1_NEUTRAL_5.wav, ...)"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No SUBESCO .wav files found in {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                speaker_name=tfds.features.Text(),
                sentence=tfds.features.Scalar(dtype=np.int32),
                take=tfds.features.Scalar(dtype=np.int32),
            ),
            homepage=RECORD,
        )
