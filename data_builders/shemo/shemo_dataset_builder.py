"""ShEMO, the Sharif Emotional Speech Database (Persian, 87 speakers, 6 emotions)."""

from __future__ import annotations

import collections
import functools
import json
import re

import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from data_builders import builder_utils

# The distributors ship two archives, one per speaker sex, plus a metadata
# file with transcripts (https://github.com/pariajm/sharif-emotional-speech-dataset).
GENDER_FOLDERS = ("female", "male")
ZIP_NAMES = tuple(f"{folder}.zip" for folder in GENDER_FOLDERS)
METADATA_NAME = "shemo.json"

# ClassLabel order, and the letter at position 4 of the file names (README of
# the distributors: A anger, F fear, H happiness, N neutral, S sadness,
# W surprise).
EMOTIONS = ("anger", "fear", "happiness", "neutral", "sadness", "surprise")
EMOTION_LETTERS = {
    "A": "anger",
    "F": "fear",
    "H": "happiness",
    "N": "neutral",
    "S": "sadness",
    "W": "surprise",
}
# First letter of the file names: the speaker's sex. (F is also the fear
# letter, but only in the middle of a name: F03F01 is a female's fear clip.)
SEX_LETTERS = {"F": "female", "M": "male"}

# F03S02.wav: sex, speaker number, emotion letter, utterance index within the
# speaker's clips of that emotion.
_NAME_RE = re.compile(r"^([FM])(\d\d)([A-Z])(\d\d)\.wav$")

_WHAT_TO_PUT = (
    "Put ShEMO there: the distributors' female.zip and male.zip (see "
    "https://github.com/pariajm/sharif-emotional-speech-dataset), or their "
    "extracted folders female/ and male/ holding files like F03S02.wav and "
    "M21F01.wav; shemo.json (transcripts) may sit beside them."
)


def parse_file_name(name: str) -> dict:
    """Labels of a ShEMO file name; ValueError if it does not follow the scheme."""
    m = _NAME_RE.match(name)
    if not m:
        raise ValueError(f"{name}: not a ShEMO file name (e.g. F03S02.wav)")
    sex, number, letter, _ = m.groups()
    if letter not in EMOTION_LETTERS:
        raise ValueError(f"{name}: unknown ShEMO emotion letter {letter}")
    return {
        "emotion": EMOTION_LETTERS[letter],
        "speaker": sex + number,  # F03 and M03 are two different speakers.
        "gender": SEX_LETTERS[sex],
    }


def _has_wavs(folder: epath.Path) -> bool:
    return folder.is_dir() and any(
        not builder_utils.is_junk(p.name) for p in folder.glob("*.wav")
    )


def find_gender_folder(path: epath.Path, folder: str) -> epath.Path | None:
    """`path/folder` or `path/<child>/folder` holding .wav files, or None."""
    parent = builder_utils.find_folder(path, lambda p: _has_wavs(p / folder))
    return parent / folder if parent is not None else None


def find_corpus_root(path: epath.Path) -> epath.Path | None:
    """The folder holding female/ or male/: ``path`` or one of its children."""
    for folder in GENDER_FOLDERS:
        found = find_gender_folder(path, folder)
        if found is not None:
            return found.parent
    return None


def gender_folders(manual: epath.Path, extract=None) -> dict[str, epath.Path]:
    """``{"female": folder, "male": folder}`` of the ShEMO clips in ``manual``.

    Each folder is found extracted (``manual/female``, ``manual/ShEMO/female``)
    or, failing that, in ``manual/female.zip`` through ``extract`` (a
    ``DownloadManager.extract``); an archive may hold the folder or the clips
    at its top level.
    """
    found = {}
    for folder in GENDER_FOLDERS:
        path = find_gender_folder(manual, folder)
        archive = manual / f"{folder}.zip"
        if path is None and extract is not None and archive.exists():
            extracted = epath.Path(extract(archive))
            path = find_gender_folder(extracted, folder)
            if path is None and _has_wavs(extracted):
                path = extracted
        if path is not None:
            found[folder] = path
    return found


def list_files(folders: dict[str, epath.Path]) -> dict[str, list[tuple[str, dict]]]:
    """``{speaker: [("female/F03S02.wav", labels), ...]}``.

    The relative name is ``<folder>/<file>`` whatever the folder was found
    in; labels come from the file name (its first letter gives the sex).
    """
    by_speaker = collections.defaultdict(list)
    for folder, path in sorted(folders.items()):
        for wav in sorted(path.glob("*.wav")):
            if builder_utils.is_junk(wav.name):
                continue
            labels = parse_file_name(wav.name)
            by_speaker[labels["speaker"]].append((f"{folder}/{wav.name}", labels))
    return dict(by_speaker)


def find_metadata(
    manual: epath.Path, folders: dict[str, epath.Path]
) -> epath.Path | None:
    """shemo.json in manual_dir or beside the female/ and male/ folders."""
    candidates = [manual / METADATA_NAME] + [
        path.parent / METADATA_NAME for path in folders.values()
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def load_transcripts(path: epath.Path) -> dict[str, tuple[str, str]]:
    """``{utterance id: (Persian transcript, IPA)}`` from shemo.json.

    The file exists in two layouts: a list of ``{"id": ..., "transcript":
    ..., "ipa": ...}`` records, and (later) a dict keyed by the id. Byte-order
    marks left inside some transcripts are removed.
    """
    data = json.loads(builder_utils.read_text(path, fallback=None))
    if isinstance(data, dict):
        records = [{"id": key, **value} for key, value in data.items()]
    elif isinstance(data, list):
        records = data
    else:
        raise ValueError(f"{path}: expected a JSON list or object")

    def clean(text) -> str:
        return str(text or "").replace("\ufeff", "").strip()

    return {
        clean(r["id"]): (clean(r.get("transcript")), clean(r.get("ipa")))
        for r in records
        if isinstance(r, dict) and r.get("id")
    }


class Builder(builder_utils.CorpusBuilder):
    """DatasetBuilder for ShEMO."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release: 16 kHz, one split per speaker."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = """\
    ShEMO is free for academic use and is not downloaded automatically.
    Download female.zip and male.zip (and, for transcripts, shemo.json) as
    described at https://github.com/pariajm/sharif-emotional-speech-dataset
    and put them in manual_dir, either as they are or extracted, so that
    manual_dir holds female/F01A01.wav, ..., male/M01A01.wav, ...
    """

    # builder_utils.CorpusBuilder: where the corpus comes from, how it is laid out.
    URL = None
    ZIP_NAME = "female.zip"  # And male.zip: see _split_generators.
    LAYOUT = "female/ or male/ folder of ShEMO .wav files"
    WHAT_TO_PUT = _WHAT_TO_PUT
    NOTHING_FOUND = "No ShEMO .wav files found under {root}"
    find_corpus_root = staticmethod(find_corpus_root)

    @staticmethod
    def list_files(root: epath.Path):
        return list_files(gender_folders(root))

    def _info(self) -> tfds.core.DatasetInfo:
        return self.corpus_info(
            builder_utils.core_features(
                EMOTIONS,
                transcript=tfds.features.Text(),
                transcript_ipa=tfds.features.Text(),
            ),
            homepage="https://github.com/pariajm/sharif-emotional-speech-dataset",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        manual = builder_utils.require_manual_dir(
            dl_manager, self.WHAT_TO_PUT, "ShEMO cannot be downloaded automatically"
        )
        folders = gender_folders(manual, extract=dl_manager.extract)
        if not folders:
            raise builder_utils.ManualDirError(
                f"No {self.LAYOUT} found in {manual}. {self.WHAT_TO_PUT}"
            )
        for folder in GENDER_FOLDERS:
            if folder not in folders:
                logging.warning(
                    "ShEMO: no %s/ folder or %s.zip in %s; building the %s "
                    "speakers only.",
                    folder,
                    folder,
                    manual,
                    "male" if folder == "female" else "female",
                )
        metadata = find_metadata(manual, folders)
        transcripts = load_transcripts(metadata) if metadata else {}
        if metadata is None:
            logging.warning(
                "ShEMO: no %s found; transcripts are left empty.", METADATA_NAME
            )
        return builder_utils.speaker_split_generators(
            folders,
            self.without_known_bad(list_files(folders)),
            f"No ShEMO .wav files found in {sorted(map(str, folders.values()))}",
            self.WHAT_TO_PUT,
            functools.partial(self._generate_examples, transcripts=transcripts),
        )

    def _generate_examples(
        self,
        folders: dict[str, epath.Path],
        files: builder_utils.Files,
        transcripts: dict[str, tuple[str, str]] | None = None,
    ):
        """Examples of ``files`` (``"female/F03S02.wav"``, ...) in ``folders``."""
        transcripts = transcripts or {}
        for rel, labels in files:
            folder, name = rel.split("/", 1)
            audio = builder_utils.read_audio_int16(folders[folder] / name)
            transcript, ipa = transcripts.get(name[: -len(".wav")], ("", ""))
            yield (
                rel,
                {
                    "audio": audio,
                    "file_name": rel,
                    "transcript": transcript,
                    "transcript_ipa": ipa,
                    **labels,
                },
            )
