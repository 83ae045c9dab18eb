"""URDU, emotional speech from Urdu talk shows (400 clips, 4 emotions)."""

from __future__ import annotations

import collections
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

REPOSITORY = "https://github.com/siddiquelatif/URDU-Dataset"
ZIP_NAME = "URDU-Dataset-master.zip"  # GitHub's "Download ZIP" of the repository.

# The emotion folders of the release and the letter of each in the file
# names; ClassLabel names = the folder names in lower case.
EMOTION_FOLDERS = {"Angry": "A", "Happy": "H", "Neutral": "N", "Sad": "S"}
EMOTIONS = tuple(folder.lower() for folder in EMOTION_FOLDERS)
EMOTION_LETTERS = {letter: folder.lower() for folder, letter in EMOTION_FOLDERS.items()}
SEXES = {"F": "female", "M": "male"}

# SM5_F62_N090.wav: speaker (S + sex + number), F + the clip's number among
# the speaker's clips of that emotion, emotion letter + the clip's number
# within the emotion (1-100, written 01 ... 09, 010 ... 099, 0100).
_NAME_RE = re.compile(r"^(S([FM])\d+)_F(\d+)_([A-Z])(\d+)\.wav$")

_WHAT_TO_PUT = (
    f"Put URDU there: {ZIP_NAME} (the Download ZIP of {REPOSITORY}), a "
    "clone of that repository, or its content, i.e. the emotion folders "
    "Angry/ Happy/ Neutral/ Sad/ holding files like SM5_F62_N090.wav."
)


def parse_file_name(name: str) -> dict:
    """Labels of a URDU file name; ValueError if it does not follow the scheme."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(f"{name}: not a URDU file name (e.g. SM5_F62_N090.wav)")
    speaker, sex, _, letter, index = m.groups()
    if letter not in EMOTION_LETTERS:
        raise ValueError(f"{name}: unknown URDU emotion letter {letter}")
    return {
        "emotion": EMOTION_LETTERS[letter],
        "speaker": speaker,
        "gender": SEXES[sex],
        "clip_index": int(index),
    }


def _emotion_folders(path: epath.Path) -> list[epath.Path]:
    if not path.is_dir():
        return []
    return [
        p for p in sorted(path.iterdir()) if p.is_dir() and p.name in EMOTION_FOLDERS
    ]


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding Angry/ ... Sad/: ``path`` or one of its children."""
    return builder_utils.find_folder(
        path, lambda folder: bool(_emotion_folders(folder))
    )


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [("Angry/SM1_F1_A01.wav", labels), ...]}``.

    The clips sit in their emotion folder, directly (as in the GitHub
    repository) or in per-speaker sub-folders (as the README describes).
    Raises ValueError for a .wav whose name does not follow the scheme or
    whose emotion letter is not its folder's.
    """
    by_speaker = collections.defaultdict(list)
    for folder in _emotion_folders(root):
        for wav in sorted([*folder.glob("*.wav"), *folder.glob("*/*.wav")]):
            if wav.name.startswith("."):  # macOS debris (._SM1_F1_A01.wav).
                continue
            labels = parse_file_name(wav.name)
            if labels["emotion"] != folder.name.lower():
                raise ValueError(
                    f"{wav}: emotion letter of a {labels['emotion']} clip in the "
                    f"folder {folder.name}"
                )
            rel = wav.relative_to(root).as_posix()
            by_speaker[labels["speaker"]].append((rel, labels))
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for URDU."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    URDU is not downloaded automatically. Clone {REPOSITORY} or download
    its ZIP ({ZIP_NAME}) and put it in manual_dir, as it is or extracted, so
    that manual_dir holds Angry/SM1_F1_A01.wav, ..., Sad/SM6_F4_S0100.wav
    (or one folder holding them).
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "emotion folders Angry/ Happy/ Neutral/ Sad/"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No URDU .wav files found in the emotion folders of {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS, clip_index=tfds.features.Scalar(dtype=np.int32)
            ),
            homepage=REPOSITORY,
        )
