"""TESS, the Toronto emotional speech set (2 female speakers, 7 emotions)."""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils

HOMEPAGE = "https://doi.org/10.5683/SP2/E8H2MF"
# Dataverse's "download all files" archive.
ZIP_NAME = "dataverse_files.zip"

# File-name emotion word -> the corpus description's name for it, in the
# description's order ("anger, disgust, fear, happiness, pleasant surprise,
# sadness, and neutral"); "ps" is pleasant surprise.
EMOTION_WORDS = {
    "angry": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "happiness",
    "ps": "pleasant_surprise",
    "sad": "sadness",
    "neutral": "neutral",
}
EMOTIONS = tuple(EMOTION_WORDS.values())
# Older and younger adult female speaker, aged 64 and 26.
SPEAKER_AGES = {"OAF": 64, "YAF": 26}

# The release misnames one file (the "F" of OAF is missing); users of the
# per-emotion re-packagings find it in OAF_neutral/.
MISNAMED = {"OA_bite_neutral.wav": "OAF"}

# OAF_back_angry.wav: speaker, target word, emotion. Matched without regard
# to case: re-packagings differ in case (folders OAF_Fear, OAF_Sad, ...).
_NAME_RE = re.compile(r"^(OAF|YAF|OA)_([a-z']+)_(.+)\.wav$", re.IGNORECASE)
_MAX_DEPTH = 4

_WHAT_TO_PUT = (
    f"Put TESS there: the Dataverse archive {ZIP_NAME} (all files of "
    f"{HOMEPAGE}), or its extracted .wav files (OAF_back_angry.wav, ...), "
    "flat or in per-emotion folders (OAF_angry/, YAF_pleasant_surprised/, ...) "
    f"as re-packagings have them, up to {_MAX_DEPTH} folder levels down."
)


def parse_file_name(name: str) -> dict:
    """Labels of a TESS file name; ValueError if it does not follow the scheme."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(
            f"{name}: not a TESS file name ({{OAF,YAF}}_<word>_<emotion>.wav)"
        )
    speaker, word, emotion = m.group(1).upper(), m.group(2).lower(), m.group(3)
    if speaker == "OA":
        fixed = {k.lower(): v for k, v in MISNAMED.items()}.get(name.lower())
        if fixed is None:
            raise ValueError(f"{name}: unknown TESS speaker OA (OAF or YAF)")
        speaker = fixed
    if emotion.lower() not in EMOTION_WORDS:
        raise ValueError(
            f"{name}: unknown TESS emotion {emotion!r} (known: "
            f"{', '.join(EMOTION_WORDS)})"
        )
    return {
        "emotion": EMOTION_WORDS[emotion.lower()],
        "speaker": speaker,
        "gender": "female",
        "age": SPEAKER_AGES[speaker],
        "word": word,
        "transcript": f"Say the word {word}",
    }


def _tess_files(folder: epath.Path, depth: int) -> Iterator[epath.Path]:
    """The TESS-named .wav files in ``folder`` and ``depth`` levels below."""
    for path in builder_utils.walk_files(folder, depth):
        if path.suffix.lower() == ".wav" and _NAME_RE.match(path.name):
            yield path


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The deepest folder under ``path`` holding all its TESS files (e.g. the
    one folder of a re-packaging), or None if there are none."""
    root = path
    if next(_tess_files(root, _MAX_DEPTH), None) is None:
        return None
    while not any(_NAME_RE.match(p.name) for p in root.iterdir() if p.is_file()):
        holders = [
            d
            for d in sorted(root.iterdir())
            if d.is_dir() and next(_tess_files(d, _MAX_DEPTH), None) is not None
        ]
        if len(holders) != 1:
            break
        root = holders[0]
    return root


def list_files(root: epath.Path) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [(relative path, labels), ...]}``, one entry per stimulus
    (speaker, word, emotion): copies of a file in several folders of a
    re-packaging count once (the copy with the shortest path is used)."""
    copies = collections.defaultdict(list)
    for wav in _tess_files(root, _MAX_DEPTH):
        labels = parse_file_name(wav.name)
        rel = str(wav.relative_to(root)).replace("\\", "/")
        key = (labels["speaker"], labels["word"], labels["emotion"])
        copies[key].append((rel, labels))
    by_speaker = collections.defaultdict(list)
    for key in sorted(copies):
        rel, labels = min(copies[key], key=lambda c: (c[0].count("/"), len(c[0]), c[0]))
        by_speaker[key[0]].append((rel, labels))
    return {speaker: sorted(files) for speaker, files in by_speaker.items()}


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for TESS."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Download TESS from the University of Toronto Dataverse ({HOMEPAGE}):
    "Access Dataset" > download all files gives {ZIP_NAME}. Put that zip in
    manual_dir, or its extracted .wav files; copies re-packaged in
    per-emotion folders (e.g. Kaggle's "TESS Toronto emotional speech set
    data/OAF_angry/...") work too.
    """

    URL = None
    ZIP_NAME = ZIP_NAME
    LAYOUT = "TESS .wav files ({OAF,YAF}_<word>_<emotion>.wav)"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOT_DOWNLOADED = (
        "TESS is not downloaded automatically (no stable address of its "
        "archive could be verified)"
    )
    NOTHING_FOUND = "No TESS .wav files found under {root}"
    find_corpus_root = staticmethod(find_corpus_root)
    list_files = staticmethod(list_files)

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                age=tfds.features.Scalar(dtype=np.int32),
                word=tfds.features.Text(),
                transcript=tfds.features.Text(),
            ),
            homepage=HOMEPAGE,
        )
