"""SAVEE audio (4 male speakers, 7 emotions), one split per speaker."""

from __future__ import annotations

import collections
import re

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "http://kahlan.eps.surrey.ac.uk/savee/"
REGISTER = "http://personal.ee.surrey.ac.uk/Personal/P.Jackson/SAVEE/Register.html"
ZIP_NAME = "AudioData.zip"

# File-name prefix -> emotion, as AudioData/Info.txt spells them, in its order.
EMOTION_PREFIXES = {
    "a": "anger",
    "d": "disgust",
    "f": "fear",
    "h": "happiness",
    "n": "neutral",
    "sa": "sadness",
    "su": "surprise",
}
EMOTIONS = tuple(EMOTION_PREFIXES.values())
SPEAKERS = ("DC", "JE", "JK", "KL")  # All male (AudioData/Info.txt).
# Per speaker: 30 neutral sentences (n01-n30), 15 of each other emotion.
SENTENCES_PER_EMOTION = {e: (30 if e == "neutral" else 15) for e in EMOTIONS}

# Official: AudioData/DC/a01.wav. Re-packagings (e.g. Kaggle's "ALL/"
# folder): one flat folder of DC_a01.wav.
_OFFICIAL_RE = re.compile(r"^(a|d|f|h|n|sa|su)(\d\d)\.wav$")
_FLAT_RE = re.compile(r"^(DC|JE|JK|KL)_(a|d|f|h|n|sa|su)(\d\d)\.wav$")

_WHAT_TO_PUT = (
    f"Put SAVEE's audio there: the official {ZIP_NAME} (Data/Zip/ in the "
    f"download you get after registering at {REGISTER}), its extracted "
    "AudioData/ folder (AudioData/DC/a01.wav, ...), or a flattened copy "
    "(one folder of DC_a01.wav, ...)."
)


def labels_of(speaker: str, prefix: str, number: str, name: str) -> dict:
    if speaker not in SPEAKERS:
        raise ValueError(f"{name}: unknown SAVEE speaker {speaker}")
    emotion = EMOTION_PREFIXES[prefix]
    if not 1 <= int(number) <= SENTENCES_PER_EMOTION[emotion]:
        raise ValueError(
            f"{name}: SAVEE has sentences 01-"
            f"{SENTENCES_PER_EMOTION[emotion]:02d} for {emotion}, not {number}"
        )
    return {
        "emotion": emotion,
        "speaker": speaker,
        "gender": "male",
        "sentence_number": int(number),
    }


def parse_file_name(name: str, speaker: str | None = None) -> dict:
    """Labels of an official (``a01.wav`` in folder ``speaker``) or flattened
    (``DC_a01.wav``) SAVEE file name; ValueError if it follows neither."""
    if speaker is not None:
        m = _OFFICIAL_RE.match(name)
        if m:
            return labels_of(speaker, *m.groups(), f"{speaker}/{name}")
    m = _FLAT_RE.match(name)
    if m:
        return labels_of(*m.groups(), name)
    raise ValueError(
        f"{name}: not a SAVEE file name (AudioData/<speaker>/a01.wav, or "
        "DC_a01.wav in a flattened copy; emotion prefixes a d f h n sa su)"
    )


def _official_speakers(folder: epath.Path) -> list[epath.Path]:
    """The DC/JE/JK/KL folders of ``folder`` that hold official names."""
    return [
        folder / s
        for s in SPEAKERS
        if (folder / s).is_dir()
        and any(_OFFICIAL_RE.match(p.name) for p in (folder / s).iterdir())
    ]


def _is_flat(folder: epath.Path) -> bool:
    return any(_FLAT_RE.match(p.name) for p in folder.iterdir())


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding the speaker folders (AudioData/) or, failing that,
    a flattened folder of DC_a01.wav files; up to 3 levels below ``path``.
    The official layout wins when a copy holds both."""
    return builder_utils.find_folder(
        path, lambda folder: bool(_official_speakers(folder)), depth=3
    ) or builder_utils.find_folder(path, _is_flat, depth=3)


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative file name, labels), ...]}``."""
    by_speaker = collections.defaultdict(list)
    speaker_dirs = _official_speakers(root)
    if speaker_dirs:
        for folder in speaker_dirs:
            for wav in sorted(folder.glob("*.wav")):
                labels = parse_file_name(wav.name, speaker=folder.name)
                by_speaker[folder.name].append((f"{folder.name}/{wav.name}", labels))
    else:
        for wav in sorted(root.glob("*.wav")):
            labels = parse_file_name(wav.name)
            by_speaker[labels["speaker"]].append((wav.name, labels))
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for the SAVEE audio."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    SAVEE is distributed after registration ({REGISTER}); it cannot be
    downloaded automatically. manual_dir must hold {ZIP_NAME} (found under
    Data/Zip/ in the distributed folder), or its extracted AudioData/ folder
    (AudioData/DC/a01.wav, ...), or a flattened copy (DC_a01.wav, ...).
    """

    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "SAVEE audio (AudioData/<speaker>/ folders or DC_a01.wav files)"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No SAVEE .wav files found in {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS, sentence_number=tfds.features.Scalar(dtype=np.int32)
            ),
            homepage=HOMEPAGE,
        )
