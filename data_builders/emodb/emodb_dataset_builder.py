"""EMO-DB, the Berlin Database of Emotional Speech (10 speakers, 7 emotions)."""

from __future__ import annotations

import collections
import re

import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

URL = "http://emodb.bilderbar.info/download/download.zip"
ZIP_NAME = "download.zip"

# ClassLabel order, and the German initial used in the file names.
EMOTIONS = ("anger", "boredom", "disgust", "fear", "happiness", "sadness", "neutral")
EMOTION_LETTERS = {
    "W": "anger",  # Wut
    "L": "boredom",  # Langeweile
    "E": "disgust",  # Ekel
    "A": "fear",  # Angst
    "F": "happiness",  # Freude
    "T": "sadness",  # Trauer
    "N": "neutral",
}
SPEAKER_GENDER = {
    "03": "male",
    "08": "female",
    "09": "female",
    "10": "male",
    "11": "male",
    "12": "male",
    "13": "female",
    "14": "female",
    "15": "male",
    "16": "female",
}

# 03a01Fa.wav: speaker, text code, emotion letter, version letter.
_NAME_RE = re.compile(r"^(\d\d)([ab]\d\d)([A-Z])([a-z])\.wav$")

_WHAT_TO_PUT = (
    "Put EMO-DB there: either the official download.zip (from "
    "http://emodb.bilderbar.info/download/) or its extracted content, i.e. a "
    "folder wav/ holding files like 03a01Fa.wav (lablaut/, labsilb/, silb/ and "
    "the .txt files may sit beside it; they are not used)."
)


def parse_file_name(name: str) -> dict:
    """Labels of an EMO-DB file name; ValueError if it does not follow the scheme."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(f"{name}: not an EMO-DB file name (e.g. 03a01Fa.wav)")
    speaker, text_id, letter, _ = m.groups()
    if speaker not in SPEAKER_GENDER:
        raise ValueError(f"{name}: unknown EMO-DB speaker {speaker}")
    if letter not in EMOTION_LETTERS:
        raise ValueError(f"{name}: unknown EMO-DB emotion letter {letter}")
    return {
        "emotion": EMOTION_LETTERS[letter],
        "speaker": speaker,
        "gender": SPEAKER_GENDER[speaker],
        "text_id": text_id,
    }


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding wav/: ``path`` or one of its children."""
    return builder_utils.find_folder(path, lambda folder: (folder / "wav").is_dir())


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative file name, labels), ...]}``."""
    by_speaker = collections.defaultdict(list)
    for wav in sorted((root / "wav").glob("*.wav")):
        labels = parse_file_name(wav.name)
        by_speaker[labels["speaker"]].append((f"wav/{wav.name}", labels))
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for EMO-DB."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Optional: without a manual_dir the builder downloads {URL}.
    Otherwise manual_dir must hold either {ZIP_NAME} itself, or its extracted
    content: a folder wav/ with the files 03a01Fa.wav, ... (any sample rate;
    they are resampled to 16 kHz).
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = URL
    ZIP_NAME = ZIP_NAME
    LAYOUT = "wav/ folder"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No .wav files found in {root}/wav"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(EMOTIONS, text_id=tfds.features.Text()),
            homepage="http://emodb.bilderbar.info/",
        )
