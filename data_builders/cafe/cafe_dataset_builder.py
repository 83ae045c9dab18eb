"""CaFE, the Canadian French Emotional speech dataset (12 actors, 7 emotions).

Six sentences, six emotions at two intensities (Faible, Fort) plus neutral,
by 12 actors: 936 utterances, one split per actor. Released as 48 kHz WAV
(``CaFE_48k.zip``) and as 192 kHz / 24-bit AIFF in two parts
(``CaFE_192k_1.zip``, ``CaFE_192k_2.zip``); either release, or both, may be in
manual_dir. Labels come from the file names (``AA-E-I-S``), which are ASCII,
not from the folder names, whose accents some unzip tools mangle.
"""

from __future__ import annotations

import collections
import logging
import re
from collections.abc import Iterator
from os import fsencode, fspath  # Name conversions only; files go through epath.

import numpy as np
import tensorflow_datasets as tfds
from etils import epath

from data_builders import builder_utils
from data_builders.audio import load_audio, to_int16

HOMEPAGE = "https://zenodo.org/record/1478765"
# The 48 kHz release of Zenodo record 1478765 (the link nkululeko's CaFE
# recipe uses). No checksum is recorded: none could be verified here.
URL = "https://zenodo.org/record/1478765/files/CaFE_48k.zip"
ZIP_NAME = "CaFE_48k.zip"
# Every zip of the record: the 48 kHz release and the two 192 kHz parts.
_ZIP_RE = re.compile(r"^CaFE_(48k|192k_\d+)\.zip$", re.IGNORECASE)

# Emotion letter -> ClassLabel name: the French words of the Readme (the
# folder names, lower case), in letter order.
EMOTION_LETTERS = {
    "C": "colère",
    "D": "dégoût",
    "J": "joie",
    "N": "neutre",
    "P": "peur",
    "S": "surprise",
    "T": "tristesse",
}
EMOTIONS = tuple(EMOTION_LETTERS.values())
# Intensity: 1 Faible, 2 Fort; neutral utterances have none.
INTENSITIES = ("none", "faible", "fort")
# The six sentences (Readme), by sentence number.
SENTENCES = {
    1: "Un cheval fou dans mon jardin",
    2: "Deux ânes aigris au pelage brun",
    3: "Trois cygnes aveugles au bord du lac",
    4: "Quatre vieilles truies éléphantesques",
    5: "Cinq pumas fiers et passionnés",
    6: "Six ours aimants domestiqués",
}
ACTORS = tuple(f"{i:02d}" for i in range(1, 13))

# AA-E-I-S (actor, emotion, intensity, sentence). Neutral: AA-N-1-S in the
# 48 kHz release, AA-N-S in the 192 kHz one.
_NAME_RE = re.compile(r"^(\d\d)-([A-Z])(?:-(\d))?-(\d{1,2})$")
_AUDIO_SUFFIXES = (".wav", ".aif", ".aiff")

_WHAT_TO_PUT = (
    "Put CaFE there (Zenodo record 1478765): the zip CaFE_48k.zip and/or "
    "CaFE_192k_1.zip + CaFE_192k_2.zip, or their extracted folders (e.g. "
    "CaFE_48k/Colère/Faible/01-C-1-1.wav, CaFE_48k/Neutre/01-N-1-1.wav)."
)


def parse_file_name(name: str) -> dict:
    """Labels of a CaFE file name (any audio extension); ValueError if it does
    not follow the AA-E-I-S scheme."""
    stem = name.rsplit(".", 1)[0]
    m = _NAME_RE.match(stem)
    if not m:
        raise ValueError(f"{name}: not a CaFE file name (AA-E-I-S, e.g. 01-C-1-1.wav)")
    actor, letter, intensity, sentence = m.groups()
    if actor not in ACTORS:
        raise ValueError(f"{name}: unknown CaFE actor {actor}")
    if letter not in EMOTION_LETTERS:
        raise ValueError(f"{name}: unknown CaFE emotion letter {letter}")
    if int(sentence) not in SENTENCES:
        raise ValueError(f"{name}: unknown CaFE sentence {sentence}")
    if letter == "N":
        # The 48 kHz release writes a 1 in the intensity field of neutral
        # utterances, which have no intensity (no Faible/Fort folder).
        if intensity not in (None, "1"):
            raise ValueError(f"{name}: neutral utterance with intensity {intensity}")
        intensity_name = "none"
    elif intensity in ("1", "2"):
        intensity_name = INTENSITIES[int(intensity)]
    else:
        raise ValueError(f"{name}: expected intensity 1 (Faible) or 2 (Fort)")
    return {
        "emotion": EMOTION_LETTERS[letter],
        "speaker": actor,
        "gender": "male" if int(actor) % 2 else "female",
        "intensity": intensity_name,
        "sentence": int(sentence),
        "text": SENTENCES[int(sentence)],
    }


def utterance_id(labels: dict) -> str:
    """The same id for an utterance in both releases (neutral names differ)."""
    intensity = INTENSITIES.index(labels["intensity"])
    letter = next(k for k, v in EMOTION_LETTERS.items() if v == labels["emotion"])
    return f"{labels['speaker']}-{letter}-{intensity}-{labels['sentence']}"


def display_path(rel: str) -> str:
    """``rel`` as valid UTF-8 text: bytes of a folder name that are not UTF-8
    (accents unzip wrote in the zip's DOS code page, e.g. ``Col\\x8are``) are
    written as ``\\xNN``."""
    return fsencode(rel).decode("utf-8", errors="backslashreplace")


def readable_path(path: epath.Path) -> str | bytes:
    """``path`` for ``load_audio``: as bytes when its name is not valid UTF-8
    (libsndfile cannot be given such a name as text)."""
    text = fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return fsencode(text)
    return text


def audio_files(folder: epath.Path) -> list[epath.Path]:
    """CaFE audio files below ``folder`` (any depth), sorted; junk skipped."""
    return [
        path
        for path in builder_utils.walk_files(folder)
        if path.suffix.lower() in _AUDIO_SUFFIXES
    ]


def list_files(
    sources: list[epath.Path],
) -> dict[str, list[tuple[str, dict, epath.Path]]]:
    """``{actor: [(key, labels, path), ...]}`` over every source folder.

    ``key`` (and ``file_name``) is the path relative to its source folder.
    An utterance present twice (both releases, or two copies) is kept once:
    the 48 kHz WAV before the 192 kHz AIFF, then the first in path order.
    """
    found: dict[str, list[tuple[str, dict, epath.Path]]] = collections.defaultdict(list)
    for source in sources:
        for path in audio_files(source):
            labels = parse_file_name(path.name)
            rel = display_path(fspath(path.relative_to(source)))
            found[utterance_id(labels)].append((rel, labels, path))
    by_actor = collections.defaultdict(list)
    duplicates = 0
    for copies in found.values():
        copies.sort(key=lambda c: (c[2].suffix.lower() != ".wav", c[0]))
        duplicates += len(copies) - 1
        rel, labels, path = copies[0]
        by_actor[labels["speaker"]].append((rel, labels, path))
    if duplicates:
        logging.warning(
            "CaFE: %d utterances found more than once (e.g. both the 48 kHz and "
            "the 192 kHz release); each is kept once, the 48 kHz WAV first.",
            duplicates,
        )
    return {
        actor: sorted(files, key=lambda f: f[0]) for actor, files in by_actor.items()
    }


def source_folders(
    dl_manager: tfds.download.DownloadManager,
) -> list[epath.Path]:
    """Where the audio is: manual_dir (extracted), the zips in it, or a download."""
    manual = builder_utils.manual_dir_or_none(dl_manager, _WHAT_TO_PUT)
    if manual is None:
        return [epath.Path(dl_manager.download_and_extract(URL))]
    if audio_files(manual):
        return [manual]
    zips = sorted(p for p in manual.iterdir() if _ZIP_RE.match(p.name))
    if not zips:
        raise builder_utils.ManualDirError(
            f"No CaFE audio files or zips found in {manual}. {_WHAT_TO_PUT}"
        )
    return [epath.Path(dl_manager.extract(z)) for z in zips]


class Builder(tfds.core.GeneratorBasedBuilder):
    """DatasetBuilder for CaFE."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per actor."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = f"""\
    Optional: without a manual_dir the builder downloads {URL}.
    Otherwise manual_dir holds the zips of Zenodo record 1478765
    ({ZIP_NAME} and/or CaFE_192k_1.zip + CaFE_192k_2.zip) or their extracted
    folders (CaFE_48k/<Émotion>/<Faible|Fort>/AA-E-I-S.wav, Neutre/ without
    an intensity folder; CaFE_192k_N/ with .aiff files).
    """

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=builder_utils.core_features(
                EMOTIONS,
                intensity=tfds.features.ClassLabel(names=list(INTENSITIES)),
                sentence=tfds.features.Scalar(dtype=np.int32),
                text=tfds.features.Text(),
            ),
            supervised_keys=("audio", "emotion"),
            homepage=HOMEPAGE,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        sources = source_folders(dl_manager)
        by_actor = list_files(sources)
        if not by_actor:
            raise builder_utils.ManualDirError(
                f"No CaFE audio files found in {', '.join(map(str, sources))}. "
                f"{_WHAT_TO_PUT}"
            )
        return {
            split: self._generate_examples(files)
            for split, files in builder_utils.speaker_splits(by_actor).items()
        }

    def _generate_examples(
        self, files: list[tuple[str, dict, epath.Path]]
    ) -> Iterator[tuple[str, dict]]:
        for rel, labels, path in files:
            audio = to_int16(load_audio(readable_path(path)))
            yield rel, {"audio": audio, "file_name": rel, **labels}
