"""EMOVO, an Italian emotional speech corpus (6 actors, 14 sentences, 7 emotions)."""

from __future__ import annotations

import collections
import re

import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

ZIP_NAME = "EMOVO.zip"

# The corpus's Italian emotion codes (the first field of the file names) and
# the Italian words they abbreviate; ClassLabel order = code order.
EMOTION_CODES = {
    "dis": "disgusto",
    "gio": "gioia",
    "neu": "neutro",
    "pau": "paura",
    "rab": "rabbia",
    "sor": "sorpresa",
    "tri": "tristezza",
}
EMOTIONS = tuple(EMOTION_CODES.values())
SPEAKERS = ("f1", "f2", "f3", "m1", "m2", "m3")  # Folder names = speaker codes.
SEXES = {"f": "female", "m": "male"}
# Sentence codes: b1-b3, l1-l4, n1-n5, d1-d2 (14 sentences).
SENTENCES = tuple(
    [f"b{i}" for i in range(1, 4)]
    + [f"l{i}" for i in range(1, 5)]
    + [f"n{i}" for i in range(1, 6)]
    + [f"d{i}" for i in range(1, 3)]
)

# dis-f1-b1.wav: emotion, speaker, sentence.
_NAME_RE = re.compile(r"^([a-z]{3})-([fm]\d)-([a-z]\d)\.wav$", re.IGNORECASE)

_WHAT_TO_PUT = (
    "Put EMOVO there: the archive EMOVO.zip from "
    "http://voice.fub.it/activities/corpora/emovo/index.html or its extracted "
    "content, i.e. the speaker folders f1/ f2/ f3/ m1/ m2/ m3/ (or a folder "
    "EMOVO/ holding them) with files like dis-f1-b1.wav."
)


def parse_file_name(name: str) -> dict:
    """Labels of an EMOVO file name; ValueError if it does not follow the scheme.

    The codes are read case-insensitively and returned in lower case.
    """
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(f"{name}: not an EMOVO file name (e.g. dis-f1-b1.wav)")
    emotion, speaker, sentence = (group.lower() for group in m.groups())
    if emotion not in EMOTION_CODES:
        raise ValueError(f"{name}: unknown EMOVO emotion code {emotion}")
    if speaker not in SPEAKERS:
        raise ValueError(f"{name}: unknown EMOVO speaker {speaker}")
    if sentence not in SENTENCES:
        raise ValueError(f"{name}: unknown EMOVO sentence code {sentence}")
    return {
        "emotion": EMOTION_CODES[emotion],
        "speaker": speaker,
        "gender": SEXES[speaker[0]],
        "sentence": sentence,
    }


def _speaker_folders(path: epath.Path) -> list[epath.Path]:
    if not path.is_dir():
        return []
    return [
        p for p in sorted(path.iterdir()) if p.is_dir() and p.name.lower() in SPEAKERS
    ]


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding the speaker folders: ``path`` or one of its children."""
    return builder_utils.find_folder(
        path, lambda folder: bool(_speaker_folders(folder))
    )


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [("f1/dis-f1-b1.wav", labels), ...]}``.

    Raises ValueError for a .wav whose name does not follow the scheme or
    names another speaker than its folder.
    """
    by_speaker = collections.defaultdict(list)
    for folder in _speaker_folders(root):
        for wav in sorted(folder.iterdir()):
            if wav.suffix.lower() != ".wav" or wav.name.startswith("."):
                continue  # Not audio, or macOS debris (._dis-f1-b1.wav).
            labels = parse_file_name(wav.name)
            if labels["speaker"] != folder.name.lower():
                raise ValueError(
                    f"{wav}: speaker {labels['speaker']} in the file name does "
                    f"not match its folder {folder.name}"
                )
            by_speaker[labels["speaker"]].append((f"{folder.name}/{wav.name}", labels))
    return dict(by_speaker)


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for EMOVO."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    EMOVO is not downloaded automatically. Get {ZIP_NAME} from
    http://voice.fub.it/activities/corpora/emovo/index.html and put it in
    manual_dir, as it is or extracted, so that manual_dir holds
    EMOVO/f1/dis-f1-b1.wav, ... (or f1/dis-f1-b1.wav, ... directly).
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "speaker folders f1/ ... m3/"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No EMOVO .wav files found in the speaker folders of {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(EMOTIONS, sentence=tfds.features.Text()),
            homepage="http://voice.fub.it/activities/corpora/emovo/index.html",
        )
